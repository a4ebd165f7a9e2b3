"""The kernel ring buffer: /var/log/dmesg and saved ``dmesg`` output, one record per line.

Declares ``SPECS`` (dmesg).

Line shapes read:

* ``[   12.345678] msg``: seconds since boot. There is no wall-clock time,
  so ``time`` is None and the offset stays in the message.
* ``dmesg -T``: ``[Tue May 14 02:05:02 2024] msg``, the VM's local time
  (``local_time`` True).
* ``dmesg --time-format iso``: ``2024-05-14T02:05:02,123456+00:00 msg``,
  converted to UTC.
* ``dmesg -x`` puts ``facility:level :`` before any of the above; the level
  maps emerg/alert/crit/err to ERROR, warn to WARNING, notice/info to INFO
  and debug to VERBOSE. Without it ``level`` is None.
* kernel lines in syslog form (``May 14 02:05:02 vm1 kernel: ...``), read as
  ``parsers.syslog`` reads them.

``component`` is "kernel", or the program of a ``prog[pid]:`` tag that opens
the text (systemd and friends also write to the ring buffer; Ubuntu's
/var/log/dmesg writes ``kernel:`` before kernel lines). Lines of no known
shape are records without time or component. ``message`` is the whole line.

Sample input::

    [    0.000000] Linux version 5.15.0-1064-azure (buildd@lcy02-amd64-040) #73-Ubuntu SMP
    [    4.118734] hv_vmbus: registering driver hv_netvsc
    [   22.906412] systemd[1]: Started Journal Service.
    [Tue May 14 02:05:02 2024] EXT4-fs (sda1): mounted filesystem with ordered data mode
    kern  :err   : [  311.402118] Out of memory: Killed process 2143 (python3)
"""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Iterator, NamedTuple

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import utc
from azlog_vmbackup.parsers import syslog
from azlog_vmbackup.parsers.base import ROT, Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("dmesg", r"var/log/dmesg" + ROT, os=OS.LINUX, log=True),
    Spec("dmesg", r"sos_commands/kernel/dmesg[^/]*", os=OS.LINUX, log=True),
)

_DECODED = Lazy(
    r"(?P<fac>kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7]) *:"
    r"(?P<pri>emerg|alert|crit|err|warn|notice|info|debug) *: ")
_UPTIME = Lazy(r"\[ *\d+\.\d+\] ?")
_CTIME = Lazy(
    r"\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +"
    r"(?P<d>\d{1,2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2}) (?P<y>\d{4})\] ?")
_TAG = Lazy(r"(?P<prog>[\w.@-]+)(?:\[\d+\])?: ")
_PRIORITY = {"emerg": "ERROR", "alert": "ERROR", "crit": "ERROR", "err": "ERROR",
             "warn": "WARNING", "notice": "INFO", "info": "INFO", "debug": "VERBOSE"}


class Line(NamedTuple):
    """What a ring-buffer line says besides its text."""

    time: datetime | None
    local_time: bool
    level: str | None
    component: str | None
    body: str


def _component(body: str) -> str:
    m = _TAG.match(body)
    if m and (m["prog"] == "kernel" or "[" in m.group()):
        return m["prog"]
    return "kernel"


def read_line(text: str) -> Line | None:
    """Read a ring-buffer line (uptime, ``-T`` or iso stamp, optional ``-x`` prefix), else None.

    >>> read_line('[   22.906412] systemd[1]: Started Journal Service.')
    Line(time=None, local_time=False, level=None, component='systemd', body='systemd[1]: Started Journal Service.')
    >>> line = read_line('kern  :warn  : [Tue May 14 02:05:02 2024] hv_balloon: x')
    >>> line.time.isoformat(), line.local_time, line.level, line.component
    ('2024-05-14T02:05:02+00:00', True, 'WARNING', 'kernel')
    >>> read_line('May 14 02:05:02 vm1 kernel: x') is None
    True
    """
    pos, level = 0, None
    m = _DECODED.match(text)
    if m:
        pos, level = m.end(), _PRIORITY[m["pri"]]
    if m := _UPTIME.match(text, pos):
        return Line(None, False, level, _component(text[m.end():]), text[m.end():])
    if m := _CTIME.match(text, pos):
        t = utc(int(m["y"]), syslog.MONTHS[m["mon"]], int(m["d"]), int(m["h"]), int(m["mi"]),
                int(m["s"]))
        return Line(t, True, level, _component(text[m.end():]), text[m.end():])
    if iso := syslog.read_iso(text, pos):
        return Line(iso[0], False, level, _component(text[iso[1]:]), text[iso[1]:])
    if pos:
        return Line(None, False, level, _component(text[pos:]), text[pos:])
    return None


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per non-empty line."""
    years = syslog.year_guess(ctx.facts)
    for number, text in ctx.lines(stream):
        if not text.strip():
            continue
        message = redact_sas(text)
        line = read_line(text)
        if line is not None:
            yield ctx.record(number, message, time=line.time, level=line.level,
                             component=line.component, local_time=line.local_time)
            continue
        head = syslog.read_header(text, years)
        if head is None:
            yield ctx.record(number, message)
        else:
            yield ctx.record(number, message, time=head.time, level=syslog.level_of(head.body),
                             component=head.program, local_time=head.local_time)
