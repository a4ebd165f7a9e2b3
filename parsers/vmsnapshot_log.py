"""extension.log of the Linux backup extension (Microsoft.Azure.RecoveryServices.VMSnapshotLinux).

Declares ``SPECS`` (vmsnapshot_extension_log), ``SNIFF_ORDER`` for ``sniff``, and ``SKIM``.

Several writers share the file, so a line takes one of these shapes:

* py3 handler line: UTC time, optional fraction, ``[<name>-<schema>]`` glued to the text;
* waagent-library line (python 2, and errors on any python): VM local time,
  optional ``ERROR:``/``WARNING:``, the ``[<name>-<schema>]`` tag on the first
  line of a message only; later lines of the message repeat the time alone;
* backup-logger line: ``<time>  <Level>  <text> `` (UTC), found in the block
  flushed after a file-system freeze, wrapped in a python 2 line, or in the
  uploaded log copy;
* freeze-block markers and the ``Guest Agent Version is :`` / ``Distro Info:``
  header lines;
* anything else (tracebacks, mount and df dumps, JSON) continues the entry above.

Each backup-logger line becomes a record of its own with its own time and level,
also when it is wrapped in a python 2 line. Between ``Binary output traces
start`` and ``... end`` the lines printed by the ``safefreeze`` helper
(``YYYY-MM-DD HH:MM:SS text``, VM local time) become records of component
``safefreeze``. A record's ``message`` is its first physical line as written
(time, level, handler tag and any wrapping python 2 prefix included) followed
by its continuation lines as written, python 2 ones with their repeated time
stamp; blank lines (for python 2, a time stamp alone) are kept only when more
text follows them. ``sig=`` values of SAS URLs are masked.

Facts: ``last_backup_attempt``, ``last_status``, ``last_status_code``,
``last_status_message``, ``last_status_time`` (from the ``Enable,<status>,<code>,
<message>,<flag>`` lines), ``extension_name``, ``extension_version`` (from the
``cwd is`` line), ``python_version`` (from the telemetry of a status report),
``vmsnapshot_stopped_in_freeze`` (``FreezeWatch``: whether the newest freeze
start has no result, thaw or job status after it).

Skimming (``SKIM``): a line with its own handler tag opens a record that
reads the same whatever came before it (``is_record_start``), once the parser
has seen every record that carries something to later ones: the job status,
backup attempt and handler version lines, the telemetry naming the python
version, every freeze start and end (compared by time, not order) and both
edges of each safefreeze trace block (they decide what the lines between them
are). A skimmed log is given those and every error record
(``parsers.base.ERROR_WORDS``); its newest time comes from its tail, read in
full. Only the first entry cut for its size is reported as a problem: a
skimmed log reports it only when something else has it read that entry.

Sample input::

    2025-03-04 08:15:02.441017 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting enable
    2025-03-04 08:15:09.002231 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Enable,error,121,,False
    Distro Info:Default
    ================== Logs during Freeze Start ==============
    2025/03/04 08:15:05.120034  Info  ============== Binary output traces start =================
    2025/03/04 08:15:05.120101  Info  2025-03-04 09:15:04 Failed to FIFREEZE: /data with error message: Device busy
    2025/03/04 08:15:05.120177  Info  ============== Binary output traces end =================
    2025/03/04 08:15:05.120240  Error  freeze failed for some mount
    2025/03/04 09:15:11 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]T:S snapshot result: errorcode: 409
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import ERROR_WORDS, ROT, VMSNAP_LOG, Lazy, ParseContext, Skim, Spec

SPECS: tuple[Spec, ...] = (
    Spec("vmsnapshot_extension_log", VMSNAP_LOG + r"extension\.log" + ROT, os=OS.LINUX, log=True),
    Spec("vmsnapshot_extension_log", r"truncated_+" + VMSNAP_LOG.replace("/", "_") + r"extension\.log",
         os=OS.LINUX, log=True),
    Spec("vmsnapshot_extension_log", r"^extension\.log" + ROT, os=OS.LINUX, log=True),  # sent on its own
)
SNIFF_ORDER = 30
SNIFF_HINT = r"\d{4}[-/]\d\d[-/]\d\d \d\d:\d\d:\d\d"

MAX_CONTINUATION_LINES = 2000
MAX_CONTINUATION_BYTES = 256 * 1024

_CLOCK = r" \d{2}:\d{2}:\d{2}"
_DASHED = r"\d{4}-\d{2}-\d{2}" + _CLOCK
_SLASHED = r"\d{4}/\d{2}/\d{2}" + _CLOCK
_EITHER = r"\d{4}[-/]\d{2}[-/]\d{2}" + _CLOCK
_HANDLER = r"\[(?P<handler>[^\]\s]+?-\d+(?:\.\d+)*)\]"
_PY3 = Lazy(_DASHED + r"(?:\.(?P<f>\d{1,6}))? " + _HANDLER + r"(?P<msg>.*)")
_WAAGENT = Lazy(
    _SLASHED + r"(?: (?P<sev>ERROR:|WARNING:)?(?:" + _HANDLER + r")?(?P<msg>.*))?$")
_BACKUP = Lazy(
    _EITHER + r"(?:\.(?P<f>\d{1,6}))?  (?P<lvl>Info|Warning|Error|Verbose|Critical)  (?P<msg>.*?) ?$")
_BINARY = Lazy(_DASHED + r" (?P<msg>.*)")
_HEADER = Lazy(
    r"(?:={3,} Logs during Freeze (?:Start|End) ={3,}\s*|Guest Agent Version is :.*|Distro Info:.*)$")
_STATUS = Lazy(
    r"(?P<op>Enable|Install|Uninstall|Disable|Update|Executing),"
    r"(?P<status>success|error|transitioning|warning),(?P<code>\d+),(?P<text>.*),(?:True|False)\s*$",
    regex.S)
_CWD = Lazy(r"cwd is \S*?/(?P<name>[^/\s]+)-(?P<ver>\d+(?:\.\d+)+)/?\s*$")
_PYTHON = Lazy(
    r'\\?"Value\\?": \\?"(?P<a>[\w.+-]+)\\?", \\?"Key\\?": \\?"pythonVersion\\?"'
    r'|\\?"Key\\?": \\?"pythonVersion\\?", \\?"Value\\?": \\?"(?P<b>[\w.+-]+)\\?"')

_LEVELS = {"Info": "INFO", "Warning": "WARNING", "Error": "ERROR", "Critical": "ERROR",
           "Verbose": "VERBOSE", "ERROR:": "ERROR", "WARNING:": "WARNING"}
_STATUS_OPS = ("Enable,", "Install,", "Uninstall,", "Disable,", "Update,", "Executing,")
# a job starts freezing / a freeze has ended (result, thaw, or the job's final status)
_FREEZE_STARTS = ("T:S freeze, timeout value", "fsfreeze mount :", "Starting Freeze Binary", "freezing the mount")
_FREEZE_ENDS = ("freeze result", "thaw result", "Thaw Signal", "Thawing", "unfreeze ends", "Enable,success",
                "Enable,error")
_OPENERS = _STATUS_OPS + ("cwd is ", "starting enable", "starting daemon initially")
_TRACES_START = "Binary output traces start"
_TRACES_END = "Binary output traces end"
_SAFEFREEZE = "safefreeze"


def sniff(head: str) -> bool:
    """True when ``head`` looks like the extension's own log (handler-tagged lines).

    Backup-logger lines alone (``TS  Level  msg``) are the serial console's.

    >>> sniff('2025-03-04 08:15:02.441017 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting enable')
    True
    >>> sniff('2025-03-04T08:15:02.441017Z INFO ExtHandler [Microsoft.OSTCExtensions.VMAccessForLinux-1.5.2] x')
    False
    """
    for text in head.splitlines()[:200]:
        if _PY3.match(text):
            return True
        m = _WAAGENT.match(text)
        if m and m["handler"]:
            return True
    return False


@lru_cache(maxsize=4096)
def _second(stamp: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` (any date separator) as UTC, cached: lines share seconds."""
    return utc(int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]),
               int(stamp[14:16]), int(stamp[17:19]))


def _time(text: str, start: int = 0, fraction: str | None = None) -> datetime | None:
    """Time of the stamp at ``start`` of ``text`` (19 characters), with ``fraction`` if any."""
    second = _second(text[start:start + 19])
    if second is None or not fraction:
        return second
    return second.replace(microsecond=micros(fraction))


@dataclass(slots=True)
class _Entry:
    """A record being assembled: its physical lines; its text starts at ``body`` of the first."""

    line: int
    parts: list[str]
    body: int
    time: datetime | None
    level: str | None
    component: str | None
    local: bool
    size: int = 0
    pending: list[str] | None = None  # blank lines, kept once more text follows
    full: bool = False


@dataclass(slots=True)
class _Status:
    line: int
    time: datetime | None
    status: str
    code: int
    text: str


class FreezeWatch:
    """Whether the extension's last file-system freeze ended: the latest freeze start and end by their own times.

    A failed freeze's block is written late, so records are compared by time, not by order. Fed the
    extension's records (``watch``), it publishes ``vmsnapshot_stopped_in_freeze``: True when the newest
    freeze start has no freeze result, thaw or job status at or after it (the log, or the console the
    extension copies its messages to, stops in the middle of the freeze), False when it has one. The
    ``safefreeze`` helper's own lines (``Freezing: /data``, ``Thawing: /data``) count neither way.

    >>> from azlog_vmbackup.core.text import utc
    >>> w = FreezeWatch()
    >>> w.watch(Record('c', 4, 'T:S freeze, timeout value 60', utc(2024, 1, 1, 2, 0, 0)))
    >>> w.stuck()
    True
    >>> w.watch(Record('c', 9, 'T:S thaw result', utc(2024, 1, 1, 2, 0, 3)))
    >>> w.stuck()
    False
    """

    FACT = "vmsnapshot_stopped_in_freeze"

    def __init__(self) -> None:
        self.start: Record | None = None
        self.end: datetime | None = None

    def watch(self, record: Record) -> None:
        if record.time is None or record.component == _SAFEFREEZE:
            return
        text = record.message
        if "reeze" not in text and "haw" not in text and "Enable," not in text:
            return
        if any(marker in text for marker in _FREEZE_ENDS):
            if self.end is None or record.time >= self.end:
                self.end = record.time
        elif any(marker in text for marker in _FREEZE_STARTS):
            if self.start is None or record.time >= self.start.time:
                self.start = record

    def stuck(self) -> bool | None:
        """None when no freeze started; else whether the newest start is later than every end."""
        if self.start is None:
            return None
        return self.end is None or self.start.time > self.end

    def publish(self, ctx: ParseContext) -> None:
        """Set the fact, timed when it was last known: a freeze left open at its start, an ended one at its end
        (so a log that saw the thaw outweighs another copy of the same messages that stops before it)."""
        stuck = self.stuck()
        if stuck is not None:
            ctx.fact(self.FACT, stuck, line=self.start.line, time=self.start.time if stuck else self.end)


@dataclass
class _Outcome:
    """What the facts are made of, gathered over the whole file."""

    enable: tuple[int, datetime | None] | None = None
    daemon: tuple[int, datetime | None] | None = None
    status: _Status | None = None
    freezes: FreezeWatch = field(default_factory=FreezeWatch)

    def observe(self, record: Record, text: str) -> None:
        if text.startswith("starting enable"):
            self.enable = (record.line, record.time)
        elif text.startswith("starting daemon initially"):
            self.daemon = (record.line, record.time)

    def publish(self, ctx: ParseContext) -> None:
        self.freezes.publish(ctx)
        attempt = self.enable or self.daemon
        if attempt is not None:
            ctx.fact("last_backup_attempt", attempt[1], line=attempt[0], time=attempt[1])
        if self.status is None:
            return
        st = self.status
        status = "transitioning" if st.code == 4 else st.status
        for name, value in (("last_status", status), ("last_status_code", st.code),
                            ("last_status_message", st.text), ("last_status_time", st.time)):
            ctx.fact(name, value, line=st.line, time=st.time)


_SHAPES = (("py3", _PY3), ("backup", _BACKUP), ("waagent", _WAAGENT))


def _shape(text: str) -> tuple[str, regex.Match] | None:
    """Which writer's shape a line has, the first that fits: (``py3``, ``backup`` or ``waagent``, the match)."""
    if text[:1].isdigit():
        for kind, pattern in _SHAPES:
            m = pattern.match(text)
            if m:
                return kind, m
    return None


def is_record_start(line: str) -> bool:
    """True when ``line`` opens a record whatever came before it: a line with its own handler tag.

    Other lines open records too (see ``_Reader``), but what those hold depends on
    the lines above them: the handler tag they inherit, the time a header takes
    from the record above, whether a python 2 ``ERROR:`` line repeats the time
    of the one before.

    >>> is_record_start('2025-03-04 08:15:02.441017 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting')
    True
    >>> is_record_start('2025/03/04 08:15:05.120240  Error  freeze failed for some mount ')
    False
    """
    shape = _shape(line)
    return shape is not None and shape[0] != "backup" and shape[1]["handler"] is not None


class _Reader:
    """Turns physical lines into records; one instance per file."""

    def __init__(self, ctx: ParseContext):
        self.ctx = ctx
        self.open: _Entry | None = None
        self.handler: str | None = None
        self.in_traces = False
        self.cut_reported = False
        self.outcome = _Outcome()

    def feed(self, number: int, text: str) -> Record | None:
        shape = _shape(text)
        if shape is None:
            return self._bare(number, text)
        kind, m = shape
        if kind == "py3":
            self.handler = m["handler"]
            return self._message(number, text, m.start("msg"), _time(text, 0, m["f"]), False, None, True)
        if kind == "backup":
            return self._backup(number, text, m)
        return self._waagent(number, text, m)

    def close(self) -> Record | None:
        return self._take()

    def _waagent(self, number: int, text: str, m) -> Record | None:
        pos = m.start("msg")
        if pos < 0:
            pos = len(text)
        level = _LEVELS.get(m["sev"])
        time = _time(text)
        if m["handler"]:
            self.handler = m["handler"]
            return self._message(number, text, pos, time, True, level, True)
        cur = self.open
        starts = level is not None and not (
            cur is not None and cur.level == level and cur.time == time)
        return self._message(number, text, pos, time, True, level, starts)

    def _message(self, number, text, pos, time, local, level, starts) -> Record | None:
        """A line with its own prefix, its text at ``pos``: that text may itself be a nested shape."""
        if text[pos:pos + 1].isdigit():
            m = _BACKUP.match(text, pos)
            if m:
                return self._backup(number, text, m)
        if starts or _HEADER.match(text, pos):
            return self._start(number, text, pos, time, level, local)
        self._extend(number, text, pos)
        return None

    def _backup(self, number: int, text: str, m) -> Record | None:
        return self._start(number, text, m.start("msg"), _time(text, m.start(), m["f"]),
                           _LEVELS[m["lvl"]], False)

    def _bare(self, number: int, text: str) -> Record | None:
        if text and text[0] in "=GD" and _HEADER.match(text):
            cur = self.open
            time, local = (cur.time, cur.local) if cur else (None, False)
            return self._start(number, text, 0, time, None, local)
        self._extend(number, text, 0)
        return None

    def _start(self, number, text, pos, time, level, local) -> Record | None:
        done = self._take()
        component = self.handler
        if self.in_traces:
            m = _BINARY.match(text, pos)
            if m:
                time, level, local, component = _time(text, pos), None, True, _SAFEFREEZE
                pos = m.start("msg")
        if _TRACES_START in text:
            self.in_traces = True
        elif _TRACES_END in text:
            self.in_traces = False
        self.open = _Entry(number, [text], pos, time, level, component, local, len(text))
        return done

    def _extend(self, number: int, text: str, pos: int) -> None:
        """Add a continuation line whose text starts at ``pos`` (blank when there is none)."""
        cur = self.open
        if pos >= len(text):
            if cur is not None and not cur.full:
                if cur.pending is None:
                    cur.pending = [text]
                elif len(cur.parts) + len(cur.pending) <= MAX_CONTINUATION_LINES:
                    cur.pending.append(text)
            return
        if cur is None:
            self.open = _Entry(number, [text], pos, None, None, None, False, len(text))
            return
        if cur.full:
            return
        lines = len(cur.parts)
        size = cur.size + len(text) + 1
        pending = cur.pending
        if pending:
            lines += len(pending)
            size += sum(map(len, pending)) + len(pending)
        if lines > MAX_CONTINUATION_LINES or size > MAX_CONTINUATION_BYTES:
            self._cut(cur)
            return
        if pending:
            cur.parts += pending
            cur.pending = None
        cur.parts.append(text)
        cur.size = size

    def _cut(self, cur: _Entry) -> None:
        cur.full = True
        if not self.cut_reported:
            self.cut_reported = True
            self.ctx.problem(f"entry at line {cur.line} has too many continuation lines; the rest was dropped")

    def _take(self) -> Record | None:
        cur = self.open
        if cur is None:
            return None
        self.open = None
        message = redact_sas("\n".join(cur.parts) if len(cur.parts) > 1 else cur.parts[0])
        record = Record(self.ctx.path, cur.line, message, cur.time, cur.level, cur.component, cur.local)
        if message.startswith(_OPENERS, cur.body):
            self._facts(record, _text(cur, message))
        self.outcome.freezes.watch(record)
        if "pythonVersion" in message:
            m = _PYTHON.search(message, cur.body)
            if m:
                self.ctx.fact("python_version", m["a"] or m["b"], line=record.line, time=record.time)
        return record

    def _facts(self, record: Record, text: str) -> None:
        """Facts (and the level of a status line) read from the record's ``text``."""
        if text.startswith(_STATUS_OPS):
            m = _STATUS.match(text)
            if m is None:
                return
            if m["op"] == "Enable":
                self.outcome.status = _Status(record.line, record.time, m["status"], int(m["code"]),
                                              m["text"].strip())
            if record.level is None:
                record.level = "ERROR" if m["status"] == "error" else "INFO"
        elif text.startswith("cwd is "):
            m = _CWD.match(text)
            if m:
                self.ctx.fact("extension_name", m["name"], line=record.line, time=record.time)
                self.ctx.fact("extension_version", m["ver"], line=record.line, time=record.time)
        else:
            self.outcome.observe(record, text)


def _text(cur: _Entry, message: str) -> str:
    """The text a record's facts are read from: its lines without what the writers put around them.

    That is the first line past its prefix (a backup-logger line without its
    closing space, a safefreeze line without trailing blanks) and the
    continuation lines, python 2 ones past their repeated time stamp.
    """
    end = message.find("\n")
    first = message[cur.body:] if end < 0 else message[cur.body:end]
    if cur.component == _SAFEFREEZE:
        first = first.rstrip()
    elif cur.level is not None and not cur.local and first.endswith(" "):
        first = first[:-1]  # only a backup-logger line starts with both a level and UTC time
    if end < 0:
        return first
    return "\n".join([first, *map(_unstamped, message[end + 1:].split("\n"))])


def _unstamped(line: str) -> str:
    """A continuation line without the time stamp a python 2 line repeats."""
    m = _WAAGENT.match(line) if line[:1].isdigit() else None
    return line if m is None else m["msg"] or ""


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per logical entry of extension.log, then set the facts.

    >>> ctx = context('extension.log')
    >>> data = (b'2025-03-04 08:15:09.002231 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]'
    ...         b'Enable,error,123,,False\\n'
    ...         b'2025/03/04 08:15:05.120240  Error  file open failed for some mount \\n')
    >>> records = list(parse(io.BytesIO(data), ctx))
    >>> [(r.line, r.level) for r in records]
    [(1, 'ERROR'), (2, 'ERROR')]
    >>> records[1].message
    '2025/03/04 08:15:05.120240  Error  file open failed for some mount '
    >>> ctx.facts.value('last_status_code')
    123
    """
    reader = _Reader(ctx)
    for number, text in ctx.lines(stream):
        done = reader.feed(number, text)
        if done is not None:
            yield done
    done = reader.close()
    if done is not None:
        yield done
    reader.outcome.publish(ctx)


# what a record carries to later ones: job status and attempt, handler version (_Outcome and cwd),
# python version, freeze starts and ends (FreezeWatch), the edges of a safefreeze trace block (_start)
_CARRIED = ("Enable,", "cwd is ", "starting enable", "starting daemon initially", "pythonVersion",
            _TRACES_START, _TRACES_END, *_FREEZE_STARTS, *_FREEZE_ENDS)
SKIM = Skim(is_start=is_record_start,
            every=(*(regex.escape(x, literal_spaces=True) for x in _CARRIED), "Critical", *ERROR_WORDS),
            # a py3 handler line, or a waagent-library line with its handler tag (one blank after the time: no
            # backup-logger line), for raw bytes and Python's ``re``: ASCII digits, a handler of printable ASCII
            # (no blank, no ``]``): a sufficient condition
            start=_DASHED + r"(?:\.\d{1,6})? \[[!-\\^-~]+?-\d+(?:\.\d+)*\]|"
            + _SLASHED + r" (?:ERROR:|WARNING:)?\[[!-\\^-~]+?-\d+(?:\.\d+)*\]")
