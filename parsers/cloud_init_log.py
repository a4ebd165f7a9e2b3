"""cloud-init's logs: /var/log/cloud-init.log and /var/log/cloud-init-output.log.

Declares ``SPECS`` (cloud_init_log) and ``SNIFF_ORDER`` for ``sniff``.

cloud-init.log lines read ``2024-05-14 02:05:02,123 - util.py[DEBUG]: msg``,
in UTC (cloud-init's default). The bracket gives the level (DEBUG to
VERBOSE, INFO, WARNING, ERROR and CRITICAL to ERROR) and ``component`` is the
module file name. Lines that start no entry (tracebacks, command output) are
continuation lines of the entry above (at the top of the file they make
an entry of their own). Older images wrote the log through
rsyslog (``May 14 02:05:02 vm1 [CLOUDINIT] util.py[DEBUG]: msg``); those lines
are read with ``parsers.syslog``'s header, one record each.

cloud-init-output.log (picked by its name) holds what the stages and user
scripts printed: every line is a record of its own. It has no time stamps
except the stage banners (``Cloud-init v. 23.4 running 'init' at Tue, 14 May
2024 02:05:02 +0000. Up 10.52 seconds.``, ``... finished at ...``), which get
their time and ``component`` "cloud-init"; log-shaped lines printed there are
read as above. Other lines have neither time nor level.

Sample input::

    2024-05-14 02:05:02,117 - util.py[DEBUG]: Cloud-init v. 23.4.4 running 'init' at Tue, 14 May 2024 02:05:02 +0000.
    2024-05-14 02:05:09,845 - url_helper.py[WARNING]: Calling 'http://168.63.129.16/machine/?comp=goalstate' failed
    2024-05-14 02:05:11,003 - util.py[WARNING]: Failed fetching goal state
    Traceback (most recent call last):
      File "/usr/lib/python3/dist-packages/cloudinit/sources/helpers/azure.py", line 412, in _get_goal_state
    TimeoutError: timed out
"""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Iterator, NamedTuple

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import utc
from azlog_vmbackup.parsers import syslog
from azlog_vmbackup.parsers.base import ROT, Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("cloud_init_log", r"var/log/cloud-init(?:-output)?\.log" + ROT, os=OS.LINUX, log=True),
)
SNIFF_ORDER = 80
SNIFF_HINT = r"\d\d:\d\d:\d\d,\d{3} - |Cloud-init v\. "

MAX_LINES = 1000

_LOG = Lazy(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2}),(?P<ms>\d{3})"
    r" - (?P<mod>[^\s\[\]]+)\[(?P<lvl>[A-Z]+)\]:")
_WRAPPED = Lazy(r"(?:\[CLOUDINIT\] )?(?P<mod>[^\s\[\]]+\.py)\[(?P<lvl>[A-Z]+)\]:")
_BANNER = Lazy(
    r"Cloud-init v\. \S+ (?:running '[^']+' at|finished at) (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), "
    r"(?P<d>\d{1,2}) (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<y>\d{4}) "
    r"(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2}) (?P<sign>[+-])(?P<oh>\d{2})(?P<om>\d{2})")
_LEVELS = {"DEBUG": "VERBOSE", "INFO": "INFO", "WARNING": "WARNING", "WARN": "WARNING",
           "ERROR": "ERROR", "CRITICAL": "ERROR"}


class Entry(NamedTuple):
    """What the first line of an entry says besides its text."""

    time: datetime | None
    local_time: bool
    level: str | None
    component: str | None


class Draft:
    """A record in the making: a first line and its continuation lines.

    Blank lines are kept only when more text follows them.
    """

    def __init__(self, line: int, text: str, **fields):
        self.line, self.lines, self.blanks, self.fields = line, [text], [], fields

    def add(self, text: str) -> bool:
        """Append a continuation line; False (nothing added) when the record is full."""
        if len(self.lines) + len(self.blanks) >= MAX_LINES:
            return False
        if text.strip():
            self.lines += self.blanks + [text]
            self.blanks = []
        else:
            self.blanks.append(text)
        return True

    def record(self, ctx: ParseContext) -> Record:
        return ctx.record(self.line, redact_sas("\n".join(self.lines)), **self.fields)


def _banner_time(m: regex.Match) -> datetime | None:
    t = utc(int(m["y"]), syslog.MONTHS[m["mon"]], int(m["d"]), int(m["h"]), int(m["mi"]),
            int(m["s"]))
    return syslog.to_utc(t, m["sign"], int(m["oh"]), int(m["om"]))


def read_line(text: str, years: syslog.YearGuess | None = None) -> Entry | None:
    """Read the first line of a cloud-init entry (log line, rsyslog-wrapped line or stage banner).

    The rsyslog-wrapped shape is read only when ``years`` (see ``parsers.syslog``) is given.

    >>> read_line('2024-05-14 02:05:09,845 - url_helper.py[WARNING]: x failed')  # doctest: +NORMALIZE_WHITESPACE
    Entry(time=datetime.datetime(2024, 5, 14, 2, 5, 9, 845000, tzinfo=datetime.timezone.utc), local_time=False,
          level='WARNING', component='url_helper.py')
    >>> read_line("Cloud-init v. 23.4 finished at Tue, 14 May 2024 04:05:30 +0200. Up 30.12 seconds").time.isoformat()
    '2024-05-14T02:05:30+00:00'
    >>> read_line('Traceback (most recent call last):') is None
    True
    """
    m = _LOG.match(text)
    if m:
        t = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]),
                int(m["ms"]) * 1000)
        return Entry(t, False, _LEVELS.get(m["lvl"]), m["mod"])
    m = _BANNER.match(text)
    if m:
        return Entry(_banner_time(m), False, None, "cloud-init")
    head = None if years is None else syslog.read_header(text, years)
    if head is None:
        return None
    m = _WRAPPED.match(head.body)
    if m:
        return Entry(head.time, head.local_time, _LEVELS.get(m["lvl"]), m["mod"])
    return Entry(head.time, head.local_time, syslog.level_of(head.body), head.program)


def _fields(entry: Entry | None) -> dict:
    return {} if entry is None else entry._asdict()


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield entries of cloud-init.log, or one record per line of cloud-init-output.log."""
    years = syslog.year_guess(ctx.facts)
    joins = "cloud-init-output" not in ctx.path.lower()
    draft = None
    for number, text in ctx.lines(stream):
        entry = read_line(text, years)
        if entry is None and draft is not None and draft.add(text):
            continue
        if draft is not None:
            yield draft.record(ctx)
            draft = None
        if not text.strip():
            continue
        if joins:
            draft = Draft(number, text, **_fields(entry))
        else:
            yield ctx.record(number, redact_sas(text), **_fields(entry))
    if draft is not None:
        yield draft.record(ctx)


def sniff(head: str) -> bool:
    """True when a line of ``head`` is a cloud-init.log line or a stage banner.

    >>> sniff("2024-05-14 02:05:02,117 - stages.py[DEBUG]: Using distro class\\n")
    True
    >>> sniff('2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\\n')
    False
    """
    return any(_LOG.match(line) or _BANNER.match(line) for line in head.splitlines())
