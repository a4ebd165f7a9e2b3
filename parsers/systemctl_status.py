"""Saved ``systemctl status`` output: a unit's state block and the journal lines printed under it.

Declares ``SPECS`` (systemctl_status) and ``SNIFF_ORDER`` for ``sniff``.

Read by name: a sosreport's ``sos_commands/systemd/systemctl_status_--all`` and
any member whose name holds ``systemctl`` and then ``status``
(``systemctl-status-waagent.txt``); by content, text that opens with a unit's
block (``sniff``).

A unit's block - the header line (``● waagent.service - Azure Linux Agent``,
with ``●``, ``○``, ``×``, ``*`` or no bullet) and the lines under it
(``Loaded:``, ``Active:``, ``Process:``, ``Main PID:``, the ``CGroup:`` tree)
up to a blank line - is one record whose ``component`` is the unit; its time
is the ``Active: ... since`` time (UTC when the zone is UTC/GMT, else the
clock as written with ``local_time``). The journal lines systemctl prints
after the block are read as ``parsers.syslog`` reads them, a traceback of one
``prog[pid]`` joined into one record; their year (which they do not print)
is taken from the block's ``since`` date when there is one. Other lines (the command itself, a
shell prompt, ``Unit x.service could not be found.``) group into paragraphs,
a blank line apart.

Facts, from the agent's unit (``walinuxagent.service``, ``waagent.service``; not
from a ``Loaded: not-found`` one):
``agent_service_state`` (the ``Active:`` state, ``activating (auto-restart)``,
``inactive (dead)``, ``failed``...), ``agent_service_enabled`` (``enabled``,
``disabled``, ``static``...); from every line, the agent's version lines
(``daemon_version``, ``agent_version``: the egg in the ``CGroup:`` tree's
``-run-exthandlers`` process names the goal-state agent), and ``hostname``
from the journal lines.

Sample input::

    ● waagent.service - Microsoft Azure Linux Agent
       Loaded: loaded (/usr/lib/systemd/system/waagent.service; enabled; vendor preset: enabled)
       Active: activating (auto-restart) (Result: exit-code) since Tue 2017-01-10 07:42:24 UTC; 4s ago
      Process: 43628 ExecStart=/usr/bin/python -u /usr/sbin/waagent -daemon (code=exited, status=1/FAILURE)
     Main PID: 43628 (code=exited, status=1/FAILURE)

    Jan 10 07:42:24 vm-web01 python[43628]:   File "/usr/lib/python2.7/site-packages/azurelinuxagent/agent.py", line 41
    Jan 10 07:42:24 vm-web01 python[43628]: azurelinuxagent.common.exception.AgentConfigError: [AgentConfigError] x
"""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Iterator

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import utc
from azlog_vmbackup.parsers import journal, syslog
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec
from azlog_vmbackup.parsers.text_generic import AgentVersions

SPECS: tuple[Spec, ...] = (
    Spec("systemctl_status", r"[^/]*systemctl[^/]*status[^/]*", os=OS.LINUX, log=True),
)
SNIFF_ORDER = 63
SNIFF_HINT = r"Loaded: |Active: "

MAX_BLOCK_LINES = 80
_UNIT = Lazy(
    r"(?:[\u25cf\u25cb\u00d7*] )?(?P<unit>[\w@:.\\-]+\.(?:service|socket|target|timer|mount|path|scope|slice|"
    r"device|swap|automount))(?: - (?P<desc>.*))?\s*$")
_LOADED = Lazy(r"\s+Loaded: (?P<load>[\w-]+)(?: \((?P<file>[^;)]*)(?:; (?P<enabled>[\w-]+))?)?")
_ACTIVE = Lazy(r"\s+Active: (?P<state>.*?)(?: since (?P<since>.*?))?(?:; .*)?$")
_SINCE = Lazy(
    r"(?:\w+ )?(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?: (?P<zone>[A-Za-z][\w+-]*))?")
_AGENT_UNITS = frozenset(("walinuxagent.service", "waagent.service"))
_UTC_ZONES = frozenset(("UTC", "GMT", "Z", "UCT"))


def _since(text: str | None) -> tuple[datetime | None, bool]:
    m = _SINCE.match(text) if text else None
    if m is None:
        return None, False
    t = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]))
    return t, m["zone"] not in _UTC_ZONES


class _Block:
    """A unit's block as it is read: its lines, and what they say."""

    def __init__(self, number: int, text: str, unit: str):
        self.number, self.lines, self.unit = number, [text], unit
        self.time: datetime | None = None
        self.local = False
        self.state: tuple[str, int] | None = None
        self.enabled: tuple[str, int] | None = None
        self.found = True  # False for ``Loaded: not-found`` (a unit only named, as on a VM that has the other one)

    def add(self, number: int, text: str) -> None:
        self.lines.append(text)
        if self.state is None and (m := _ACTIVE.match(text)):
            self.state = (m["state"].strip(), number)
            self.time, self.local = _since(m["since"])
        elif self.enabled is None and (m := _LOADED.match(text)):
            self.enabled = (m["enabled"] or m["load"], number)
            self.found = m["load"] != "not-found"

    def record(self, ctx: ParseContext) -> Record:
        if self.unit in _AGENT_UNITS and self.found:
            time = None if self.local else self.time
            if self.state is not None:
                ctx.fact("agent_service_state", self.state[0], self.state[1], time)
            if self.enabled is not None:
                ctx.fact("agent_service_enabled", self.enabled[0], self.enabled[1], time)
        return ctx.record(self.number, "\n".join(self.lines), time=self.time, component=self.unit,
                          local_time=self.local)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a record per unit block, per journal line or joined traceback, and per other paragraph.

    >>> data = ('\\u25cf walinuxagent.service - Azure Linux Agent\\n'
    ...         '   Loaded: loaded (/lib/systemd/system/walinuxagent.service; disabled; vendor preset: enabled)\\n'
    ...         '   Active: inactive (dead)\\n'
    ...         '\\n'
    ...         'Jul 18 15:54:27 vm1 systemd[1]: walinuxagent.service: Start request repeated too quickly.\\n')
    >>> ctx = context('sos_commands/systemd/systemctl_status_--all')
    >>> records = list(parse(io.BytesIO(data.encode()), ctx))
    >>> [(r.line, r.component, r.message.count('\\n')) for r in records]
    [(1, 'walinuxagent.service', 2), (5, 'systemd', 0)]
    >>> ctx.facts.value('agent_service_state'), ctx.facts.value('agent_service_enabled')
    ('inactive (dead)', 'disabled')
    """
    years = syslog.year_guess(ctx.facts)
    joiner, host, versions = syslog.Joiner(ctx), syslog.HostName(), AgentVersions()
    block: _Block | None = None
    paragraph: list[tuple[int, str]] = []

    def close() -> Iterator[Record]:
        nonlocal block
        if (done := joiner.flush()) is not None:
            yield done
        if block is not None:
            yield block.record(ctx)
            block = None
        if paragraph:
            yield ctx.record(paragraph[0][0], "\n".join(text for _, text in paragraph))
            paragraph.clear()

    for number, text in ctx.lines(stream):
        if not text.strip():
            yield from close()
            continue
        message = redact_sas(text)
        versions.see(message, number, None)
        unit = _UNIT.match(text)
        if unit:
            yield from close()
            block = _Block(number, message, unit["unit"])
            continue
        head = journal.read_header(text, years)
        if block is not None and head is None and len(block.lines) < MAX_BLOCK_LINES:
            block.add(number, message)
            if block.time is not None:  # the journal lines under the block are of the year the block names
                years = syslog.year_guess(ctx.facts, block.time.year)
        elif head is not None or (text[:1] in (" ", "\t") and joiner.first is not None):
            if block is not None or paragraph:
                yield from close()
            if head is not None:
                host.see(head, number)
            if (done := joiner.add(number, message, head)) is not None:
                yield done
        else:
            if block is not None or joiner.first is not None:
                yield from close()
            paragraph.append((number, message))
    yield from close()
    host.close(ctx)
    versions.close(ctx)


def sniff(head: str) -> bool:
    """True when the text opens with a unit's status block (perhaps after the command that printed it).

    >>> sniff('$ systemctl status waagent\\n\\u25cf waagent.service - Azure Linux Agent\\n'
    ...       '   Loaded: loaded (/usr/lib/systemd/system/waagent.service; enabled)\\n   Active: failed\\n')
    True
    >>> sniff('May 14 02:05:02 vm1 systemd[1]: Started x.\\n'), sniff('waagent.service is great\\n')
    (False, False)
    """
    lines = [line for line in head.splitlines() if line.strip()][:6]
    for i, line in enumerate(lines[:3]):
        if _UNIT.match(line):
            return any(_LOADED.match(x) or _ACTIVE.match(x) for x in lines[i + 1:i + 4])
    return False
