"""The Azure Linux guest agent log (``/var/log/waagent.log``) of every agent generation.

Declares ``SPECS`` (waagent_log, extension_command_log), ``SNIFF_ORDER`` for ``sniff``, and ``SKIM``.

The agent writes one line per record; tracebacks, ``Inner error:`` lines,
``[stdout]``/``[stderr]`` blocks and the blank line closing
``ProcessExtensionsGoalState completed`` follow as unstamped continuation
lines, which are joined to their record. The same layout is used for the
agent-written ``/var/log/azure/<extension>/CommandExecution.log``.

Record starts, by agent generation:

* 2.0.x: ``YYYY/MM/DD HH:MM:SS [WARNING:|ERROR:]msg``, VM local time, no
  level for INFO, every physical line stamped. Extensions built on the old
  handler library write the same shape with a ``[Name-Version]`` tag.
* 2.1 - 2.2.45: ``YYYY/MM/DD HH:MM:SS.ffffff LEVEL [Prefix ]msg``, VM local
  time; the prefix (``Daemon``, ``ExtHandler``, ``[Name-Version]``) appeared
  around 2.2.27.
* 2.2.46: ``YYYY-MM-DDTHH:MM:SS.ffffffZ LEVEL Prefix msg``, UTC.
* 2.2.47 on: ``YYYY-MM-DDTHH:MM:SS.ffffffZ LEVEL Thread [Prefix ]msg``, UTC;
  goal-state lines carry the thread only.

A record's ``message`` is its first physical line as written (time, level,
thread and prefix included) followed by its continuation lines, at most
``MAX_CONTINUATION_LINES`` of them and ``MAX_RECORD_CHARS`` in all; lines past
that are counted in a problem. Slash-dated layouts write VM local time, kept
as if UTC with ``local_time`` set. Lines before the first record form a
record without time or level.
``component`` is the prefix when there is one, else the thread. A message
whose first word is itself a prefix name (``Daemon ...``) cannot be told
apart from a prefix in the prefix-less layouts and gets that component.

``Event:`` records of 2.2.27 - 2.2.54 carry a zlib+base64 message for
Install/Enable/Disable/UnInstall; it is decoded in place, its line breaks
written as a literal ``\\n`` so the record keeps one text line per physical
line. ``sig=`` values of SAS URLs are masked.

Facts: ``daemon_version``, ``agent_version`` (the goal-state agent; for a
daemon older than 2.3 whose file names no goal-state agent, the daemon
version as a weak default that any dated observation replaces: 2.0.x agents
are a single process, and 2.1/2.2 daemons run an equal or newer agent),
``auto_update``, ``extensions_enabled``, ``wireserver_endpoint``,
``os_distro``/``os_version``, ``python_version``, ``extension_name``/
``extension_version`` (the VMSnapshotLinux handler, from agent log prefixes).

Sample input::

    2024-03-02T10:15:20.100200Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1
    2024-03-02T10:15:21.300400Z INFO ExtHandler ExtHandler Azure Linux Agent (Goal State Agent version 2.11.1.4)
    2024-03-02T10:20:05.000100Z ERROR ExtHandler ExtHandler Error fetching the goal state: [ProtocolError] timed out
    Traceback (most recent call last):
    OSError: timed out
    2019/07/01 08:00:00.123456 INFO ExtHandler ProcessGoalState completed [incarnation 4; 812 ms]
    2016/05/03 11:00:01 ERROR:Failed to get extension status
"""
from __future__ import annotations

import base64
import binascii
import zlib
from datetime import datetime
from typing import BinaryIO, Callable, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers.base import ROT, Lazy, ParseContext, Skim, Spec

SPECS: tuple[Spec, ...] = (
    Spec("waagent_log", r"waagent\.log" + ROT, os=OS.LINUX, log=True),
    Spec("waagent_log", r"truncated_+var_log_waagent\.log" + ROT, os=OS.LINUX, log=True),
    Spec("extension_command_log", r"var/log/azure/[^/]+/commandexecution\.log" + ROT,
         os=OS.LINUX, log=True),
)
SNIFF_ORDER = 50
SNIFF_HINT = r"\d{4}[-/]\d\d[-/]\d\d[ T]\d\d:\d\d"

MAX_CONTINUATION_LINES = 2000
MAX_RECORD_CHARS = 256 * 1024
MAX_DECODED = 64 * 1024

_LEVELS = frozenset(("VERBOSE", "INFO", "WARNING", "ERROR"))
_THREADS = frozenset(("Daemon", "ExtHandler", "MonitorHandler", "EnvHandler", "CollectLogsHandler",
                      "LogCollectorMonitorHandler", "SendTelemetryHandler",
                      "TelemetryEventsCollector", "MainThread", "Firewall"))
_PREFIXES = frozenset(("Daemon", "ExtHandler", "LogCollector", "Firewall"))
_WA20_TAG = Lazy(r"\[[^\]\s]+-\d+(?:\.\d+)*\] ?")
_STAMP = Lazy(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|\+00:00)")
_DATE_LIKE = Lazy(r"\d{4}[-/]\d\d[-/]\d\d[ T]\d\d:\d\d")
_AGENT_NAME = Lazy(r"Azure Linux Agent|WALinuxAgent|waagent")
_SNIFF_LINES = 10
_EVENT = Lazy(r"Event: name=[^,\n]+, op=[^,\n]+, message=(eJ[A-Za-z0-9+/=]+), duration=\d+")

_VERSION = r"(\d+(?:\.\d+)+)"
_VMSNAPSHOT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
_VMSNAPSHOT_TAG = "[" + _VMSNAPSHOT + "-"
_ENABLE = Lazy(r"\] (?:Enable extension|Launch command): \[[^\]\n]*\benable\]")


class _Tail:
    """The lines of a record once a continuation line arrived, within the size caps."""

    __slots__ = ("parts", "size", "dropped")

    def __init__(self, first: str) -> None:
        self.parts = [first]
        self.size = len(first)
        self.dropped = 0

    def add(self, text: str) -> None:
        if (self.dropped or len(self.parts) > MAX_CONTINUATION_LINES
                or self.size + len(text) >= MAX_RECORD_CHARS):
            self.dropped += 1
            return
        self.parts.append(text)
        self.size += len(text) + 1


class _State:
    """What one file taught so far: versions seen, caps hit."""

    def __init__(self) -> None:
        self.daemon: tuple[str, int] | None = None
        self.goal_state_agent = False
        self.capped = 0
        self.dropped = 0
        self.first_capped: int | None = None
        self.last_seen: Record | None = None


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per logical waagent.log entry and set facts.

    >>> ctx = context('var/log/waagent.log')
    >>> data = (b'2024-03-02T10:20:05.000100Z ERROR ExtHandler ExtHandler Fetch failed\\n'
    ...         b'Traceback (most recent call last):\\n'
    ...         b'2019/07/01 08:00:00.123456 INFO Daemon OS: ubuntu 18.04\\n')
    >>> records = list(parse(io.BytesIO(data), ctx))
    >>> [(r.line, r.level, r.component, r.message.count('\\n')) for r in records]
    [(1, 'ERROR', 'ExtHandler', 1), (3, 'INFO', 'Daemon', 0)]
    >>> records[0].message.splitlines()[1]
    'Traceback (most recent call last):'
    >>> ctx.facts.value('os_distro'), ctx.facts.value('os_version')
    ('ubuntu', '18.04')
    """
    state = _State()
    path = ctx.path
    record: Record | None = None
    tail: _Tail | None = None
    body = 0
    agent = False
    for number, text in ctx.lines(stream):
        text = redact_sas(text)
        start = _start(path, number, text) if "0" <= text[:1] <= "9" else None
        if start is None:
            if record is None:
                record, body = Record(path, number, text), 0
            elif tail is None:
                tail = _Tail(record.message)
                tail.add(text)
            else:
                tail.add(text)
            continue
        if record is not None:
            yield _finish(record, body, tail, agent, ctx, state)
        (record, body), tail = start, None
        agent = text[4:5] == "-" or text[19:20] == "."
    if record is not None:
        yield _finish(record, body, tail, agent, ctx, state)
    _close(ctx, state)


def _start(path: str, number: int, text: str) -> tuple[Record, int] | None:
    """The record a stamped line opens and where its text follows the time, level,
    thread and prefix; None when ``text`` continues a record."""
    sep = text[4:5]
    if sep == "-":
        return _iso_line(path, number, text)
    if sep == "/":
        return _slash_line(path, number, text)
    return None


def _iso_line(path: str, number: int, text: str) -> tuple[Record, int] | None:
    head = _iso_head(text)
    if head is None:
        return None
    time, level, rest = head
    thread = None
    word, _, tail = rest.partition(" ")
    if word in _THREADS or word.startswith("Thread-") and word[7:].isdigit():
        thread, rest = word, tail
    prefix, message = _prefix(rest)
    record = Record(path, number, text, time=time, level=level, component=prefix or thread)
    return record, len(text) - len(message)


def _iso_head(text: str) -> tuple[datetime | None, str, str] | None:
    """(time, level, the rest) of an ISO-stamped record start; None when ``text`` is not one."""
    stamp, _, rest = text.partition(" ")
    level, _, rest = rest.partition(" ")
    if level not in _LEVELS or stamp[10:11] != "T" or stamp[19:20] != "." or stamp[-1:] != "Z":
        return None
    try:
        return stamp_time(stamp), level, rest
    except ValueError:
        return None


def _slash_line(path: str, number: int, text: str) -> tuple[Record, int] | None:
    if text[7:8] != "/" or text[10:11] != " " or text[13:14] != ":" or text[16:17] != ":":
        return None
    fraction = text[19:20] == "."
    if fraction:
        end = text.find(" ", 20)
        level, _, rest = text[end + 1:].partition(" ")
        if end < 0 or level not in _LEVELS:
            return None
    elif text[19:20] in (" ", ""):
        end, rest = 19, text[20:]
    else:
        return None
    try:
        time = stamp_time(text[:end])
    except ValueError:
        return None
    if not fraction:
        return _wa20_line(path, number, text, time, rest)
    prefix, message = _prefix(rest)
    record = Record(path, number, text, time=time, level=level, component=prefix, local_time=True)
    return record, len(text) - len(message)


def _wa20_line(path: str, number: int, text: str, time: datetime | None,
               rest: str) -> tuple[Record, int]:
    level = "INFO"
    if rest.startswith("WARNING:"):
        level, rest = "WARNING", rest[8:]
    elif rest.startswith("ERROR:"):
        level, rest = "ERROR", rest[6:]
    tag = _WA20_TAG.match(rest) if rest[:1] == "[" else None
    component = None
    if tag is not None:
        component, rest = rest[:tag.end()].rstrip(" "), rest[tag.end():]
    record = Record(path, number, text, time=time, level=level, component=component, local_time=True)
    return record, len(text) - len(rest)


def _prefix(rest: str) -> tuple[str | None, str]:
    """Split a process prefix or a ``[Name-Version]`` tag off the start of ``rest``."""
    word, _, tail = rest.partition(" ")
    if word in _PREFIXES or word[:1] == "[" and _is_tag(word):
        return word, tail
    return None, rest


def _is_tag(word: str) -> bool:
    """``[Name-1.2.3]``: a name, a dash and a dotted version in brackets."""
    name, _, version = word[1:-1].rpartition("-")
    return (word[-1:] == "]" and name != "" and "]" not in name and version[:1].isdigit()
            and version[-1:].isdigit() and version.replace(".", "").isdigit())


def stamp_time(stamp: str) -> datetime | None:
    """The time a record's stamp says: an ISO one as written (UTC), a slash-dated one (VM local time) as if UTC;
    None when a field is out of range. Raises ValueError when ``stamp`` is not a time stamp at all.

    >>> stamp_time('2024-03-02T10:15:20.100200Z').hour, stamp_time('2019/07/01 08:00:00.123456').tzname()
    (10, 'UTC')
    >>> stamp_time('2019/13/01 08:00:00') is None
    True
    """
    return _time(stamp if stamp[4:5] == "-" else stamp.replace("/", "-") + "+00:00")


def _time(stamp: str) -> datetime | None:
    """The time of an ISO-like UTC ``stamp``; None when a field is out of range.

    Raises ValueError when ``stamp`` is not a time stamp at all.
    """
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        if _STAMP.fullmatch(stamp) is None:
            raise
        return None


def _finish(record: Record, body: int, tail: _Tail | None, agent: bool, ctx: ParseContext,
            state: _State) -> Record:
    if tail is not None:
        record.message = "\n".join(tail.parts)
        if tail.dropped:
            state.capped += 1
            state.dropped += tail.dropped
            if state.first_capped is None:
                state.first_capped = record.line
    if record.message.startswith("Event: ", body) and "message=eJ" in record.message:
        record.message = decode_event(record.message, body)
    _facts(record, body, ctx, state, agent)
    return record


def decode_event(message: str, pos: int = 0) -> str:
    r"""Replace the zlib+base64 text of the ``Event:`` message at ``pos`` by its decoded text.

    Line breaks of the decoded text are written as a literal ``\n``; text
    that does not decode is left as it is.

    >>> enc = base64.b64encode(zlib.compress(b'[ExtensionError] Timeout(300)\n[stdout]')).decode()
    >>> decode_event(f'Event: name=X, op=Enable, message={enc}, duration=0')
    'Event: name=X, op=Enable, message=[ExtensionError] Timeout(300)\\n[stdout], duration=0'
    >>> decode_event('Event: name=X, op=Enable, message=eJnot-base64, duration=0')
    'Event: name=X, op=Enable, message=eJnot-base64, duration=0'
    """
    m = _EVENT.match(message, pos)
    if m is None:
        return message
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode(m[1], validate=True), MAX_DECODED)
    except (binascii.Error, zlib.error):
        return message
    text = raw.decode("utf-8", errors="replace")
    text = redact_sas(text)
    text = text.replace("\r", "").replace("\n", "\\n")
    if not inflater.eof:
        text += " [truncated]"
    return message[:m.start(1)] + text + message[m.end(1):]


def _daemon_version(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    ctx.fact("daemon_version", m[1], r.line, r.time)
    state.daemon = (m[1], r.line)


def _agent_version(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    ctx.fact("agent_version", m[1], r.line, r.time)
    state.goal_state_agent = True


def _heartbeat_auto_update(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    ctx.fact("auto_update", m[1] == "1", r.line, r.time)


def _flag_off(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    name = "extensions_enabled" if m[1] == "Extensions.Enabled" else "auto_update"
    ctx.fact(name, False, r.line, r.time)


def _extensions_off(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    ctx.fact("extensions_enabled", False, r.line, r.time)


def _endpoint(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    ctx.fact("wireserver_endpoint", m[1], r.line, r.time)


def _os(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    ctx.fact("os_distro", m[1], r.line, r.time)
    ctx.fact("os_version", m[2], r.line, r.time)


def _python(ctx: ParseContext, m: regex.Match, r: Record, state: _State) -> None:
    ctx.fact("python_version", m[1], r.line, r.time)


_Handler = Callable[[ParseContext, regex.Match, Record, _State], None]

# Facts read where the message starts with the literal: (literal, pattern matched at 0, handler).
_AT_START: tuple[tuple[str, Lazy, _Handler], ...] = (
    ("OS: ", Lazy(r"OS: (\S+) (\S+)"), _os),
    ("Python: ", Lazy(r"Python: " + _VERSION), _python),
    ("Wire server endpoint:", Lazy(r"Wire server endpoint:(\d{1,3}(?:\.\d{1,3}){3})\b"),
     _endpoint),
    ("WireServer endpoint ", Lazy(r"WireServer endpoint (\d{1,3}(?:\.\d{1,3}){3}) read from"),
     _endpoint),
    ("[HEARTBEAT]", Lazy(r"\[HEARTBEAT\] .*?\bAutoUpdate: ([01])\b"), _heartbeat_auto_update),
)
_START_LITERALS = tuple(literal for literal, _, _ in _AT_START)

# Facts read anywhere in the message: (literal, pattern searched, handler).
_ANYWHERE: tuple[tuple[str, Lazy, _Handler], ...] = (
    ("Agent Version:", Lazy(r"Azure Linux Agent Version: ?(?:WALinuxAgent-)?" + _VERSION),
     _daemon_version),
    ("Goal State Agent version",
     Lazy(r"Azure Linux Agent \(Goal State Agent version " + _VERSION + r"\)"), _agent_version),
    ("as the goal state agent",
     Lazy(r"Agent WALinuxAgent-" + _VERSION + r" is running as the goal state agent"),
     _agent_version),
    ("running as process", Lazy(r"WALinuxAgent-" + _VERSION + r" running as process \d+"),
     _agent_version),
    ("is set to False", Lazy(
        r"(AutoUpdate\.Enabled|AutoUpdate\.UpdateToLatestVersion|Extensions\.Enabled) is set to False"),
     _flag_off),
    ("extension processing is disabled",
     Lazy(r"will not be processed since extension processing is disabled"), _extensions_off),
)


def _facts(r: Record, body: int, ctx: ParseContext, state: _State, agent: bool) -> None:
    message = r.message
    if r.time is not None and not r.local_time and r.component != "LogCollector":
        state.last_seen = r
    if message.startswith(_START_LITERALS, body):
        for literal, pattern, handler in _AT_START:
            if message.startswith(literal, body) and (m := pattern.match(message, body)):
                handler(ctx, m, r, state)
    if "Agent" in message or "False" in message or "disabled" in message:
        for literal, pattern, handler in _ANYWHERE:
            if literal in message and (m := pattern.search(message, body)):
                handler(ctx, m, r, state)
    if agent and r.component is not None and r.component.startswith(_VMSNAPSHOT_TAG):
        _extension(r, ctx)


def _extension(r: Record, ctx: ParseContext) -> None:
    """The VMSnapshotLinux handler version of the newest record tagged with it; the agent launching its
    enable command is a backup attempt (each job is a new goal state that enables the handler)."""
    ctx.fact("extension_name", _VMSNAPSHOT, r.line, r.time)
    ctx.fact("extension_version", r.component[len(_VMSNAPSHOT_TAG):-1], r.line, r.time)
    if r.time is not None and "enable]" in r.message and _ENABLE.search(r.message):
        ctx.fact("last_backup_attempt", r.time, r.line, r.time)


def _close(ctx: ParseContext, state: _State) -> None:
    if state.last_seen is not None:
        # the agent's own last word (the log collector's lines do not count): a hung agent goes quiet
        ctx.fact("agent_last_record", state.last_seen.time, state.last_seen.line, state.last_seen.time)
    if state.daemon is not None and not state.goal_state_agent:
        version, line = state.daemon
        if version.startswith(("2.0.", "2.1.", "2.2.")):
            ctx.facts.setdefault("agent_version", version, ctx.path, line, None)
    if state.capped:
        ctx.problem(f"{state.capped} record(s) over {MAX_CONTINUATION_LINES} continuation lines or "
                    f"{MAX_RECORD_CHARS // 1024} KiB (first at line {state.first_capped}): "
                    f"{state.dropped} continuation line(s) not kept")


def sniff(head: str) -> bool:
    """True when most of the first stamped lines of ``head`` are waagent.log records.

    The 2.0.x layout is also that of Go's standard logger and, with a
    ``[Name-Version]`` tag, of an extension's own log: tagged lines do not
    count, and a head of 2.0.x lines only must also name the agent.

    >>> sniff('2024-03-02T10:15:20.100200Z INFO Daemon Daemon Run daemon\\n')
    True
    >>> sniff('2016/05/03 11:00:00 Windows Azure Linux Agent Version: WALinuxAgent-2.0.16\\n')
    True
    >>> sniff('2023/10/19 12:05:34 [monitorCPU] -> sending new metric\\n')
    False
    >>> sniff('2026-11-26 19:34:52.077593 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting\\n')
    False
    >>> sniff('May 14 02:00:01 vm1 systemd[1]: Started Azure Linux Agent.\\n')
    False
    """
    lines = head.split("\n")
    if len(lines) > 1 and not head.endswith("\n"):
        lines.pop()
    seen = agent = plain = 0
    for line in lines:
        if not _DATE_LIKE.match(line):
            continue
        seen += 1
        start = _start("", 0, line.rstrip("\r"))
        if start is not None:
            if line[4] == "-" or line[19:20] == ".":
                agent += 1
            elif start[0].component is None:
                plain += 1
        if seen == _SNIFF_LINES:
            break
    if agent * 2 > seen:
        return True
    return (agent + plain) * 2 > seen and _AGENT_NAME.search(head) is not None


def is_record_start(line: str) -> bool:
    """True when ``line`` opens a record (the rule ``parse`` follows).

    >>> is_record_start('2024-03-02T10:20:05.000100Z ERROR ExtHandler ExtHandler Fetch failed')
    True
    >>> is_record_start('Traceback (most recent call last):')
    False
    """
    if not "0" <= line[:1] <= "9":
        return False
    if line[4:5] == "-":  # the modern layout, most lines: no record built
        return _iso_head(line) is not None
    return _start("", 0, line) is not None


# Facts a later record replaces, and that routine traffic repeats: the heartbeat's AutoUpdate and
# goal-state agent, the VMSnapshotLinux handler tag.
_LATEST = ("[HEARTBEAT]", "as the goal state agent")
_LEVEL_WORD = "(?:VERBOSE|INFO|WARNING|ERROR) "
# a record the agent_last_record fact may come from (``_facts``: UTC, not the log collector's), one branch per level
# so that each has a literal to look for
_AGENT_RECORD = "|".join(
    r"(?<![^\n])\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z " + level + r" (?!(?:(?:" + "|".join(sorted(_THREADS))
    + r"|Thread-\d+) )?LogCollector(?: |\r?$))" for level in sorted(_LEVELS))
SKIM = Skim(
    is_start=is_record_start,
    every=tuple(p.pattern for literal, p, _ in _AT_START + _ANYWHERE if literal not in _LATEST)
    + (r"Event: name=[^,\n]+, op=[^,\n]+, message=eJ",),  # decoded before signatures see it
    latest=tuple(p.pattern for literal, p, _ in _AT_START + _ANYWHERE if literal in _LATEST)
    + (r"(?:VERBOSE|INFO|WARNING|ERROR) (?:\S+ )?\[" + _VMSNAPSHOT.replace(".", r"\.") + "-",
       _VMSNAPSHOT.replace(".", r"\.") + r"-[^\]\n]*" + _ENABLE.pattern, _AGENT_RECORD),
    # each generation's stamp and what follows it on a record's first line (a sufficient condition: lines
    # of other shapes are asked ``is_record_start``); ``parse`` reads the same stamp with ``stamp_time``
    start=r"(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z(?= " + _LEVEL_WORD
    + r")|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d+(?= " + _LEVEL_WORD + r")|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?= ))",
    time_of=stamp_time,
)
