"""Windows extension logs under ``C:\\WindowsAzure\\Logs\\Plugins\\<extension>\\<version>\\``:
CommandExecution*.log, Install.log, Update.log, Heartbeat.log and the backup
extension's IaaSBcdrExtension*.log.

Declares ``SPECS`` (windows_plugin_log) and ``SKIM``.

Their layout is not documented, so each line is tried in turn as:

* a guest-agent header (``[thread] [MM/DD/YYYY HH:MM:SS.ff] [LEVEL]`` or the
  ISO form, see ``parsers.waappagent_log``), UTC, component = thread id;
* a .NET TraceSource line, ``<source> <Critical|Error|Warning|Information|Verbose>:
  <id> : [<time>] <message>`` (time optional), component = source;
* a line starting with a time stamp (``YYYY-MM-DD HH:MM:SS``, ``YYYY/MM/DD``,
  ``M/D/YYYY h:mm:ss AM``, optionally in brackets), with a level word
  right after it when there is one.

TraceSource and generic times without ``Z`` or an offset are the VM's local
time (``local_time``); an offset is applied. A line that matches none of
these continues the record above it; each such line before the first record
is a record of its own. ``message`` holds the physical lines as written,
within the size caps of ``parsers.waappagent_log.Entry``; ``sig=`` values are
masked.

Facts: ``extension_name``/``extension_version`` from the member path when it
lies in a Microsoft.Azure.RecoveryServices.VMSnapshot version folder, dated
by the latest record time of the file.

Skimming (``SKIM``): records are read alone, from their first line on; the
only state kept between records is the latest record time, which a skimmed
file takes from its tail (read in full). A skimmed log is given every error
record (see ``parsers.base.ERROR_WORDS``).

Sample input::

    IaaSBcdrExtension.exe Information: 0 : [5/17/2024 3:02:11 AM] Snapshot request received, task 41c2
    IaaSBcdrExtension.exe Error: 0 : [5/17/2024 3:04:55 AM] VSS snapshot creation failed: 0x80042306
       at Example.Snapshot.Create()
    2024-05-17 03:05:01.224 [Warning] Retrying the snapshot
    [00000008] [05/17/2024 03:05:02.10] [INFO]  Command completed with exit code 0
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import ERROR_WORDS, Lazy, ParseContext, Skim, Spec
from azlog_vmbackup.parsers.waappagent_log import Entry, read_header

SPECS: tuple[Spec, ...] = (
    Spec("windows_plugin_log", r"windowsazure/logs/plugins/[^/]+/[^/]+/[^/]+\.log", os=OS.WINDOWS, log=True),
)

_VMSNAPSHOT = "Microsoft.Azure.RecoveryServices.VMSnapshot"
_PATH_VERSION = Lazy(
    r"(?:^|[\\/])plugins[\\/]microsoft\.azure\.recoveryservices\.vmsnapshot[\\/](\d+(?:\.\d+){1,3})[\\/]", regex.I)
_TRACE_LEVEL = {"Critical": "ERROR", "Error": "ERROR", "Warning": "WARNING",
                "Information": "INFO", "Verbose": "VERBOSE"}
_TRACE = Lazy(
    r"(?P<src>\S+) (?P<level>Critical|Error|Warning|Information|Verbose): -?\d+ : (?:\[(?P<ts>[^\]]{8,40})\])?")
_STAMP = Lazy(
    r"\[?(?:(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})|(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}))"
    r"[T ,]\s?(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:[.,:](?P<f>\d{1,7}))?"
    r"(?:\s?(?P<ampm>[AaPp][Mm]))?(?P<z>Z|[+-]\d{2}:?\d{2})?\]?")
_LEVEL_WORD = Lazy(
    r"[\s\[:|-]*(?P<w>ERROR|Error|FATAL|Fatal|CRITICAL|Critical|WARNING|Warning|WARN|Warn|"
    r"INFORMATION|Information|INFO|Info|VERBOSE|Verbose|DEBUG|Debug|TRACE|Trace)\b")
_WORD_LEVEL = {"ERROR": "ERROR", "FATAL": "ERROR", "CRITICAL": "ERROR", "WARNING": "WARNING",
               "WARN": "WARNING", "INFORMATION": "INFO", "INFO": "INFO", "VERBOSE": "VERBOSE",
               "DEBUG": "VERBOSE", "TRACE": "VERBOSE"}


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per log entry; continuation lines join the entry above.

    >>> ctx = context('Plugins/X.Y/1.0/Install.log')
    >>> data = b'Setup.exe Warning: 0 : [6/1/2023 4:05:06 PM] low disk\\n  detail\\n2023-06-01 16:05:07Z done\\n'
    >>> [(r.line, r.level, r.component, r.local_time, r.message.count('\\n')) for r in parse(io.BytesIO(data), ctx)]
    [(1, 'WARNING', 'Setup.exe', True, 1), (3, None, None, False, 0)]
    """
    entry: Entry | None = None
    local = False
    latest: datetime | None = None
    for number, raw in ctx.lines(stream):
        text = redact_sas(raw)
        start = _start(text)
        if start is not None:
            if entry is not None:
                yield entry.record(ctx.path, local)
            time, level, component, local = start
            entry = Entry(number, text, time, level, component)
            if time is not None and (latest is None or time > latest):
                latest = time
        elif entry is not None and entry.fits(text):
            entry.add(text)
        elif entry is not None:
            yield entry.record(ctx.path, local)
            entry, local = (Entry(number, text) if text.strip() else None), False
        elif text.strip():
            yield Entry(number, text).record(ctx.path)
    if entry is not None:
        yield entry.record(ctx.path, local)
    _path_facts(ctx, latest)


def _start(text: str) -> tuple[datetime | None, str | None, str | None, bool] | None:
    """(time, level, component, local time) of a line that starts a record, else None."""
    head = read_header(text)
    if head is not None:
        return head[0], head[1], head[2], False
    m = _TRACE.match(text) if " : " in text[:200] else None
    if m is not None:
        stamp = _STAMP.fullmatch(m["ts"]) if m["ts"] else None
        time, local = _stamp_time(stamp) if stamp else (None, False)
        return time, _TRACE_LEVEL[m["level"]], m["src"], local
    stamp = _STAMP.match(text) if text[:1].isdigit() or text[:1] == "[" else None
    if stamp is None:
        return None
    time, local = _stamp_time(stamp)
    word = _LEVEL_WORD.match(text, stamp.end(), stamp.end() + 24)
    return time, _WORD_LEVEL[word["w"].upper()] if word else None, None, local


def is_record_start(line: str) -> bool:
    """True when ``line`` opens a record (the rule ``parse`` follows): an agent header, a TraceSource
    line or a leading time stamp.

    >>> is_record_start('IaaSBcdrExtension.exe Error: 0 : [5/17/2024 3:04:55 AM] VSS snapshot creation failed')
    True
    >>> is_record_start('   at Example.Snapshot.Create()')
    False
    """
    return _start(line) is not None


def _stamp_time(m: regex.Match) -> tuple[datetime | None, bool]:
    """The time of a ``_STAMP`` match and whether it is local time.

    >>> _stamp_time(_STAMP.match('12/31/2023 11:59:58 PM'))
    (datetime.datetime(2023, 12, 31, 23, 59, 58, tzinfo=datetime.timezone.utc), True)
    >>> _stamp_time(_STAMP.match('2023-12-31T23:59:58.5+02:00'))[0].isoformat()
    '2023-12-31T21:59:58.500000+00:00'
    """
    month, day, hour = int(m["mo"]), int(m["d"]), int(m["h"])
    if month > 12 >= day:
        month, day = day, month
    if m["ampm"]:
        hour = hour % 12 + (12 if m["ampm"].upper() == "PM" else 0)
    time = utc(int(m["y"]), month, day, hour, int(m["mi"]), int(m["s"]), micros(m["f"]))
    zone = m["z"]
    if not zone:
        return time, True
    if zone == "Z" or time is None:
        return time, False
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        return (time - offset if zone[0] == "+" else time + offset), False
    except OverflowError:
        return None, False


def _path_facts(ctx: ParseContext, latest: datetime | None) -> None:
    m = _PATH_VERSION.search(ctx.path)
    if m is None:
        return
    if latest is None:
        ctx.facts.setdefault("extension_name", _VMSNAPSHOT, ctx.path)
        ctx.facts.setdefault("extension_version", m[1], ctx.path)
        return
    ctx.fact("extension_name", _VMSNAPSHOT, None, latest)
    ctx.fact("extension_version", m[1], None, latest)


SKIM = Skim(is_start=is_record_start, every=("FATAL", "Fatal", "CRITICAL", "Critical", *ERROR_WORDS))
