"""shell.log of the Linux backup extension: one line per step of its shell wrappers.

Declares ``SPECS`` (vmsnapshot_shell_log), ``SNIFF_ORDER`` for ``sniff``, and ``SKIM``.

``handle.sh`` stamps each line with ``date -u`` followed by ``- `` (C locale, or
the en_US form with AM/PM); ``handle_host_daemon.sh`` uses a bracketed time with
nanoseconds. Both are UTC. Every non-empty line is a record whose ``message``
is the line as written; a line in neither shape keeps ``time`` None. The
wrapper that wrote a line is the component.

Facts: ``python_version`` (the interpreter the wrapper picked, e.g. ``python3``,
from ``<python> path exists``).

Skimming (``SKIM``): each line is read alone; a skimmed file is also given
every ``path exists`` line (the fact each sets) and every line an error
(``parsers.base.ERROR_WORDS``), and takes its newest time
from its tail (read in full).

Sample input::

    Tue Mar  4 08:15:01 UTC 2025- ConfigSequenceNumber from environment variable seqNo:7
    Tue Mar  4 08:15:01 UTC 2025- python3 path exists
    Tue Mar 04 08:15:12 AM UTC 2025- 0 returned from handle.py
    [2025-03-04 08:20:00:123456789] starting the host based snapshot daemon
"""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import ERROR_WORDS, ROT, VMSNAP_LOG, Lazy, ParseContext, Skim, Spec

SPECS: tuple[Spec, ...] = (
    Spec("vmsnapshot_shell_log", VMSNAP_LOG + r"shell\.log" + ROT, os=OS.LINUX, log=True),
)
SNIFF_ORDER = 60
SNIFF_HINT = r"\d\d:\d\d:\d\d"

_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_DATE_U = Lazy(
    r"[A-Z][a-z]{2} (?P<mon>[A-Z][a-z]{2}) {1,2}(?P<d>\d{1,2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?: (?P<ampm>[AP]M))? [A-Z]{2,5} (?P<y>\d{4})- ?(?P<msg>.*)")
_DAEMON = Lazy(
    r"\[(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2}):(?P<f>\d{9})\] ?(?P<msg>.*)")
_PYTHON = Lazy(r"(?P<py>python[\d.]*) path exists\s*$")

_HANDLE_SH = "handle.sh"
_HOST_DAEMON_SH = "handle_host_daemon.sh"


def sniff(head: str) -> bool:
    """True when the first non-empty line of ``head`` has a shell.log shape.

    >>> sniff('Tue Mar  4 08:15:01 UTC 2025- python3 path exists')
    True
    >>> sniff('2025-03-04 08:15:01 something else')
    False
    """
    for text in head.splitlines():
        if text.strip():
            return bool(_DATE_U.match(text) or _DAEMON.match(text))
    return False


def _hour(hour: int, ampm: str | None) -> int:
    """12-hour clock to 24-hour clock.

    >>> [_hour(12, 'AM'), _hour(7, 'PM'), _hour(12, 'PM'), _hour(19, None)]
    [0, 19, 12, 19]
    """
    if ampm is None:
        return hour
    return hour % 12 + (12 if ampm == "PM" else 0)


def _date_u_time(m) -> datetime | None:
    month = _MONTHS.get(m["mon"])
    if month is None:
        return None
    return utc(int(m["y"]), month, int(m["d"]), _hour(int(m["h"]), m["ampm"]), int(m["mi"]), int(m["s"]))


def _split(text: str) -> tuple[str, datetime | None, str | None]:
    """(text past the time stamp, time, component) of one line."""
    m = _DATE_U.match(text)
    if m:
        return m["msg"], _date_u_time(m), _HANDLE_SH
    m = _DAEMON.match(text)
    if m:
        time = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]),
                   micros(m["f"]))
        return m["msg"], time, _HOST_DAEMON_SH
    return text, None, None


def is_record_start(line: str) -> bool:
    """True when ``line`` is a record (the rule ``parse`` follows): any line that is not blank.

    >>> is_record_start('Tue Mar  4 08:15:01 UTC 2025- python3 path exists'), is_record_start('  ')
    (True, False)
    """
    return bool(line.strip())


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a record per non-empty line and note the python the wrapper found.

    >>> ctx = context('shell.log')
    >>> data = b'Tue Mar  4 08:15:01 UTC 2025- python3 path exists\\n'
    >>> [(r.line, r.time.isoformat(), r.message) for r in parse(io.BytesIO(data), ctx)]
    [(1, '2025-03-04T08:15:01+00:00', 'Tue Mar  4 08:15:01 UTC 2025- python3 path exists')]
    >>> ctx.facts.value('python_version')
    'python3'
    """
    for number, text in ctx.lines(stream):
        if not is_record_start(text):
            continue
        body, time, component = _split(text)
        m = _PYTHON.match(body)
        if m:
            ctx.fact("python_version", m["py"], line=number, time=time)
        yield Record(ctx.path, number, text, time=time, component=component)


SKIM = Skim(is_start=is_record_start, every=(_PYTHON.pattern, *ERROR_WORDS))
