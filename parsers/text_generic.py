"""Any text file no other parser claims: pasted excerpts, command output, notes.

Declares nothing: it is the registry's ``TEXT``, for what no pattern names and no sniffer claims.

A line that starts with a timestamp starts a record; the lines after it, up to a
blank line or the next timestamp, belong to it (a traceback, a dump). Lines
without timestamps group into paragraphs, so a pasted ``systemctl status``
block stays one record. Signatures of every source are checked against these
records.

Facts: pasted ``waagent --version`` output gives ``daemon_version`` (the
installed agent), ``agent_version`` (the goal-state agent), ``os_distro``,
``os_version`` and ``python_version``. The agent's version is also read
wherever else the agent prints it (``AgentVersions``, which the syslog,
journal and ``systemctl status`` parsers use too): its start-up banner
(``Azure Linux Agent Version:2.0.18``, ``Azure Linux Agent Version: WALinuxAgent-2.0.16``),
``Goal State Agent version``, ``Agent WALinuxAgent-X is running as the goal
state agent``, ``WALinuxAgent-X running as process``, and the egg of the
agent code that ran (``bin/WALinuxAgent-2.9.0.4-py2.7.egg`` in a traceback's
file paths or a process list). A daemon of 2.0 - 2.2 with no goal-state agent
named gives ``agent_version`` too (2.0 agents are one process; older daemons
run an equal or newer agent). ``/usr/lib/python3/.../azurelinuxagent/...`` paths
carry no version and give none; neither does the ``WALinuxAgent-2.0.16`` that the
backup extension prints as its own library's version.

Sample input::

    waagent --version
    WALinuxAgent-2.2.13 running on debian 8.8
    Python: 2.7.9
    Goal state agent: 2.2.13

    2024-05-14T02:05:02Z something failed
    Traceback (most recent call last):
"""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext

MAX_BLOCK_LINES = 40
_TS = Lazy(
    r"^\[?(?P<y>\d{4})[-/](?P<mo>\d{2})[-/](?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<f>\d{1,9}))?(?P<z>Z|[+-]00:?00)?")
_OS_FACTS = (
    ("running on", Lazy(r"WALinuxAgent-[\d.]+ running on "
                        r"(?P<os_distro>[^\s,]+)(?: (?P<os_version>\d[\w.]*))?")),
    ("Python:", Lazy(r"^\s*Python: (?P<python_version>\d+(?:\.\d+)+)")),
)

_V = r"(?P<v>\d+(?:\.\d+)+)"
# (a literal the line must hold, the pattern, the fact): where the agent prints its own version
_AGENT_VERSIONS: tuple[tuple[str, Lazy, str], ...] = (
    ("Agent Version:", Lazy(r"Azure Linux Agent Version: ?(?:WALinuxAgent-)?" + _V), "daemon_version"),
    ("running on", Lazy(r"\bWALinuxAgent-" + _V + r" running on "), "daemon_version"),
    ("Goal State Agent version", Lazy(r"Goal State Agent version " + _V), "agent_version"),
    ("Goal state agent:", Lazy(r"Goal state agent: " + _V), "agent_version"),
    ("as the goal state agent", Lazy(r"Agent WALinuxAgent-" + _V + r" is running as the goal state agent"),
     "agent_version"),
    ("running as process", Lazy(r"\bWALinuxAgent-" + _V + r" running as process \d"), "agent_version"),
    (".egg", Lazy(r"\bWALinuxAgent-" + _V + r"-py\d+(?:\.\d+)*\.egg\b"), "agent_version"),
)
# the same lines as regexes a skimmer searches raw text for (``Skim.latest``): the last of each is enough
VERSION_TRIGGERS: tuple[str, ...] = (
    r"Azure Linux Agent Version: ?(?:WALinuxAgent-)?\d",
    r"Goal State Agent version \d",
    r"is running as the goal state agent",
    r"WALinuxAgent-\d[\d.]* running as process \d",
    r"WALinuxAgent-\d[\d.]*-py\d[\d.]*\.egg",
)
_ANY_VERSION_LINE = ("WALinuxAgent-", "Agent Version:", "Goal State Agent", "Goal state agent")


class AgentVersions:
    """The agent versions one member prints (the last of each wins), set as facts when the member ends.

    A version read with a time is set as an observation at that time; one without a time only when no
    member has given that fact yet.

    >>> seen, ctx = AgentVersions(), context('pasted.txt')
    >>> seen.see('2016/05/03 11:00:01 Windows Azure Linux Agent Version: WALinuxAgent-2.0.16', 1, None)
    >>> seen.see('[VMSnapshotLinux-1.0]Guest Agent Version is :WALinuxAgent-2.0.16', 2, None)
    >>> seen.close(ctx)
    >>> ctx.facts.value('daemon_version'), ctx.facts.value('agent_version'), ctx.facts.get('agent_version').line
    ('2.0.16', '2.0.16', 1)
    >>> seen, ctx = AgentVersions(), context('pasted.txt')
    >>> seen.see('  File "bin/WALinuxAgent-2.9.0.4-py2.7.egg/azurelinuxagent/common/event.py", line 55', 7, None)
    >>> seen.close(ctx)
    >>> ctx.facts.value('agent_version')
    '2.9.0.4'
    """

    def __init__(self) -> None:
        self.found: dict[str, tuple[str, int, datetime | None]] = {}

    def see(self, text: str, line: int, time: datetime | None) -> None:
        if "gent" not in text or not any(literal in text for literal in _ANY_VERSION_LINE):
            return
        for literal, pattern, name in _AGENT_VERSIONS:
            if literal in text and (m := pattern.search(text)):
                self.found[name] = (m["v"], line, time)

    def close(self, ctx: ParseContext) -> None:
        for name, (value, line, time) in self.found.items():
            if time is not None:
                ctx.fact(name, value, line, time)
            else:
                ctx.facts.setdefault(name, value, ctx.path, line)
        daemon = self.found.get("daemon_version")
        if daemon is not None and "agent_version" not in self.found and daemon[0].startswith(("2.0.", "2.1.", "2.2.")):
            # 2.0 agents are one process; a 2.1/2.2 daemon runs an equal or newer agent: a weak default
            ctx.facts.setdefault("agent_version", daemon[0], ctx.path, daemon[1])


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a record per timestamped entry or paragraph.

    >>> ctx = context('notes.txt')
    >>> data = b'2024-05-14T02:05:02Z a\\n  detail\\n\\nplain\\nmore\\n2024-05-14 02:05:03 b'
    >>> [(r.line, r.message.count('\\n'), r.time is not None) for r in parse(io.BytesIO(data), ctx)]
    [(1, 1, True), (4, 1, False), (6, 0, True)]
    """
    lines: list[str] = []
    first = 0
    time = None
    local = False
    versions = AgentVersions()
    for number, text in ctx.lines(stream):
        stamp = _TS.match(text) if text[:1].isdigit() or text[:1] == "[" else None
        if lines and (not text.strip() or stamp or len(lines) >= MAX_BLOCK_LINES):
            yield Record(ctx.path, first, "\n".join(lines), time=time, local_time=local)
            lines = []
        if not text.strip():
            continue
        _facts(ctx, text, number)
        versions.see(text, number, None)
        if not lines:
            first, time, local = number, _time(stamp), bool(stamp and not stamp["z"])
        lines.append(text)
    if lines:
        yield Record(ctx.path, first, "\n".join(lines), time=time, local_time=local)
    versions.close(ctx)


def _time(m):
    if m is None:
        return None
    return utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]), micros(m["f"]))


def _facts(ctx: ParseContext, text: str, number: int) -> None:
    for literal, pattern in _OS_FACTS:
        if literal in text and (m := pattern.search(text)):
            for name, value in m.groupdict().items():
                if value is not None:
                    ctx.facts.setdefault(name, value, ctx.path, number)
