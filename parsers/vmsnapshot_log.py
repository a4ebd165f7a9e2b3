"""extension.log of the Linux backup extension (Microsoft.Azure.RecoveryServices.VMSnapshotLinux).

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

Each backup-logger line becomes a record of its own with its own time and level.
Between ``Binary output traces start`` and ``... end`` the lines printed by the
``safefreeze`` helper (``YYYY-MM-DD HH:MM:SS text``, VM local time) become
records of component ``safefreeze``. A record's ``message`` is the text after
the time/level/handler prefix; continuation lines follow it, one per physical
line (python 2 continuation lines lose their repeated time stamp).

Facts: ``last_backup_attempt``, ``last_status``, ``last_status_code``,
``last_status_message``, ``last_status_time`` (from the ``Enable,<status>,<code>,
<message>,<flag>`` lines), ``extension_name``, ``extension_version`` (from the
``cwd is`` line), ``python_version`` (from the telemetry of a status report).

Sample input::

    2025-03-04 08:15:02.441017 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting enable
    2025-03-04 08:15:09.002231 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Enable,error,121,,False
    2025-03-04 08:15:09.310200 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Guest Agent Version is :WALinuxAgent-2.0.16
    Distro Info:Default
    ================== Logs during Freeze Start ==============
    2025/03/04 08:15:05.120034  Info  ============== Binary output traces start =================
    2025/03/04 08:15:05.120101  Info  2025-03-04 09:15:04 Failed to FIFREEZE: /data with error message: Device or resource busy
    2025/03/04 08:15:05.120177  Info  ============== Binary output traces end =================
    2025/03/04 08:15:05.120240  Error  freeze failed for some mount
    2025/03/04 09:15:11 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]T:S snapshot result: errorcode: 409
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import BinaryIO, Iterator

import regex

from analyzer.model import Record
from parsers.base import ParseContext, iter_lines, micros, redact, utc

MAX_CONTINUATION_LINES = 2000
MAX_CONTINUATION_BYTES = 256 * 1024

_CLOCK = r" \d{2}:\d{2}:\d{2}"
_DASHED = r"\d{4}-\d{2}-\d{2}" + _CLOCK
_SLASHED = r"\d{4}/\d{2}/\d{2}" + _CLOCK
_EITHER = r"\d{4}[-/]\d{2}[-/]\d{2}" + _CLOCK
_HANDLER = r"\[(?P<handler>[^\]\s]+?-\d+(?:\.\d+)*)\]"
_PY3 = regex.compile(_DASHED + r"(?:\.(?P<f>\d{1,6}))? " + _HANDLER + r"(?P<msg>.*)")
_WAAGENT = regex.compile(
    _SLASHED + r"(?: (?P<sev>ERROR:|WARNING:)?(?:" + _HANDLER + r")?(?P<msg>.*))?$")
_BACKUP = regex.compile(
    _EITHER + r"(?:\.(?P<f>\d{1,6}))?  (?P<lvl>Info|Warning|Error|Verbose|Critical)  (?P<msg>.*?) ?$")
_BINARY = regex.compile(_DASHED + r" (?P<msg>.*)")
_HEADER = regex.compile(
    r"(?:={3,} Logs during Freeze (?:Start|End) ={3,}\s*|Guest Agent Version is :.*|Distro Info:.*)$")
_STATUS = regex.compile(
    r"(?P<op>Enable|Install|Uninstall|Disable|Update|Executing),"
    r"(?P<status>success|error|transitioning|warning),(?P<code>\d+),(?P<text>.*),(?:True|False)\s*$",
    regex.S)
_CWD = regex.compile(r"cwd is \S*?/(?P<name>[^/\s]+)-(?P<ver>\d+(?:\.\d+)+)/?\s*$")
_PYTHON = regex.compile(
    r'\\?"Value\\?": \\?"(?P<a>[\w.+-]+)\\?", \\?"Key\\?": \\?"pythonVersion\\?"'
    r'|\\?"Key\\?": \\?"pythonVersion\\?", \\?"Value\\?": \\?"(?P<b>[\w.+-]+)\\?"')

_LEVELS = {"Info": "INFO", "Warning": "WARNING", "Error": "ERROR", "Critical": "ERROR",
           "Verbose": "VERBOSE", "ERROR:": "ERROR", "WARNING:": "WARNING"}
_STATUS_OPS = ("Enable,", "Install,", "Uninstall,", "Disable,", "Update,", "Executing,")
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


def _time(m, fraction: str | None = None) -> datetime | None:
    """Time of a match whose first 19 characters are the stamp."""
    second = _second(m.string[:19])
    if second is None or not fraction:
        return second
    return second.replace(microsecond=micros(fraction))


@dataclass(slots=True)
class _Entry:
    """A record being assembled."""

    line: int
    parts: list[str]
    time: datetime | None
    level: str | None
    component: str | None
    local: bool
    size: int = 0
    blanks: int = 0
    full: bool = False


@dataclass(slots=True)
class _Status:
    line: int
    time: datetime | None
    status: str
    code: int
    text: str


@dataclass
class _Outcome:
    """What the facts are made of, gathered over the whole file."""

    enable: tuple[int, datetime | None] | None = None
    daemon: tuple[int, datetime | None] | None = None
    status: _Status | None = None

    def observe(self, record: Record) -> None:
        msg = record.message
        if msg.startswith("starting enable"):
            self.enable = (record.line, record.time)
        elif msg.startswith("starting daemon initially"):
            self.daemon = (record.line, record.time)

    def publish(self, ctx: ParseContext) -> None:
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
        if text[:1].isdigit():
            m = _PY3.match(text)
            if m:
                self.handler = m["handler"]
                return self._message(number, m["msg"], _time(m, m["f"]), False, None, True)
            m = _BACKUP.match(text)
            if m:
                return self._backup(number, m)
            m = _WAAGENT.match(text)
            if m:
                return self._waagent(number, m)
        return self._bare(number, text)

    def close(self) -> Record | None:
        return self._take()

    def _waagent(self, number: int, m) -> Record | None:
        msg = m["msg"] or ""
        level = _LEVELS.get(m["sev"])
        time = _time(m)
        if m["handler"]:
            self.handler = m["handler"]
            return self._message(number, msg, time, True, level, True)
        cur = self.open
        starts = level is not None and not (
            cur is not None and cur.level == level and cur.time == time)
        return self._message(number, msg, time, True, level, starts)

    def _message(self, number, msg, time, local, level, starts) -> Record | None:
        """A line with its own prefix: ``msg`` may itself be a nested shape."""
        if msg[:1].isdigit():
            m = _BACKUP.match(msg)
            if m:
                return self._backup(number, m)
        if not starts:
            if _HEADER.match(msg):
                return self._start(number, msg, time, level, local)
            self._extend(number, msg)
            return None
        return self._start(number, msg, time, level, local)

    def _backup(self, number: int, m) -> Record | None:
        return self._start(number, m["msg"], _time(m, m["f"]), _LEVELS[m["lvl"]], False)

    def _bare(self, number: int, text: str) -> Record | None:
        if text and text[0] in "=GD" and _HEADER.match(text):
            cur = self.open
            time, local = (cur.time, cur.local) if cur else (None, False)
            return self._start(number, text, time, None, local)
        self._extend(number, text)
        return None

    def _start(self, number, msg, time, level, local) -> Record | None:
        done = self._take()
        component = self.handler
        if self.in_traces:
            m = _BINARY.match(msg)
            if m:
                msg, time, level, local, component = m["msg"].rstrip(), _time(m), None, True, _SAFEFREEZE
        if _TRACES_START in msg:
            self.in_traces = True
        elif _TRACES_END in msg:
            self.in_traces = False
        self.open = _Entry(number, [msg], time, level, component, local, len(msg))
        return done

    def _extend(self, number: int, text: str) -> None:
        cur = self.open
        if cur is None:
            if text:
                self.open = _Entry(number, [text], None, None, None, False, len(text))
            return
        if cur.full:
            return
        if not text:
            cur.blanks += 1
            return
        lines = len(cur.parts) + cur.blanks
        size = cur.size + cur.blanks + len(text) + 1
        if lines > MAX_CONTINUATION_LINES or size > MAX_CONTINUATION_BYTES:
            self._cut(cur)
            return
        if cur.blanks:
            cur.parts.extend([""] * cur.blanks)
            cur.blanks = 0
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
        message = redact("\n".join(cur.parts) if len(cur.parts) > 1 else cur.parts[0])
        level = cur.level
        if message.startswith(_STATUS_OPS):
            level = self._status(cur, message, level)
        record = Record(self.ctx.path, cur.line, message, cur.time, level, cur.component, cur.local)
        self._facts(record)
        return record

    def _status(self, cur: _Entry, message: str, level: str | None) -> str | None:
        m = _STATUS.match(message)
        if m is None:
            return level
        if m["op"] == "Enable":
            self.outcome.status = _Status(cur.line, cur.time, m["status"], int(m["code"]),
                                          m["text"].strip())
        if level is None:
            level = "ERROR" if m["status"] == "error" else "INFO"
        return level

    def _facts(self, record: Record) -> None:
        msg = record.message
        self.outcome.observe(record)
        if msg.startswith("cwd is "):
            m = _CWD.match(msg)
            if m:
                self.ctx.fact("extension_name", m["name"], line=record.line, time=record.time)
                self.ctx.fact("extension_version", m["ver"], line=record.line, time=record.time)
        if "pythonVersion" in msg:
            m = _PYTHON.search(msg)
            if m:
                self.ctx.fact("python_version", m["a"] or m["b"], line=record.line, time=record.time)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per logical entry of extension.log, then set the facts.

    >>> import io; from analyzer.model import Facts
    >>> ctx = ParseContext('extension.log', Facts(), [])
    >>> data = (b'2025-03-04 08:15:09.002231 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Enable,error,123,,False\\n'
    ...         b'2025/03/04 08:15:05.120240  Error  file open failed for some mount \\n')
    >>> [(r.line, r.level, r.message) for r in parse(io.BytesIO(data), ctx)]
    [(1, 'ERROR', 'Enable,error,123,,False'), (2, 'ERROR', 'file open failed for some mount')]
    >>> ctx.facts.value('last_status_code')
    123
    """
    reader = _Reader(ctx)
    for number, text in iter_lines(stream, ctx.max_line):
        done = reader.feed(number, text)
        if done is not None:
            yield done
    done = reader.close()
    if done is not None:
        yield done
    reader.outcome.publish(ctx)
