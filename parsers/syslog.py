"""System logs kept by rsyslog / syslog-ng or printed by journalctl: one record per line.

Declares ``SPECS`` (syslog), ``SNIFF_ORDER`` for ``sniff``, and ``SKIM``.

Reads /var/log/messages, syslog, kern.log, auth.log, secure, boot.log and
their rotated copies. A line starts with a time stamp, the host name and a
tag (``prog[pid]:`` or ``prog:``). Three time stamp shapes are read:

* RFC 3164 (``May 14 02:05:02``, also with a fraction as ``journalctl -o
  short-precise`` writes it). It carries neither year nor zone: the clock is
  the VM's local time (``local_time`` True) and the year is guessed by
  ``YearGuess``.
* ISO 8601 with an offset (rsyslog's high-precision format,
  ``journalctl -o short-iso`` / ``short-iso-precise``), converted to UTC.
* journalctl markers (``-- Boot 3f2a... --``) and any unknown line become
  records without time or component.

A line whose host name is missing (``2021-07-19T14:41:39+00:00  python3[949]:
msg``, as some exports and redacted excerpts print it) is read when a
``prog[pid]:`` tag follows.

A record is one line, or one multi-line message: a Python traceback a
program wrote to syslog or the journal arrives one line at a time, each line
with the ``host prog[pid]:`` prefix, and is joined into one record so a
signature sees the frames and the final exception together. A line continues
the record before it when it comes from the same ``prog[pid]`` and its text
is indented (a frame, a code line), is the exception line that closes a
traceback (``ModuleNotFoundError: ...``, ``azurelinuxagent.common.exception.
ProtocolError: ...``), chains one (``During handling of the above
exception...``) or is empty; a line without a header that starts with a space
continues whatever record is open (journalctl indents the continuation
lines of a multi-line message). ``Traceback (most recent call last):``
always opens a record. At most ``MAX_JOINED_LINES`` lines are joined.

``message`` is the physical line (the record's lines joined with newlines),
so evidence shows it as written; ``component`` is the program name of the
first line's tag. ``level`` is set only when the text after the tag opens
with an upper-case severity word (``ERROR``, ``CRITICAL``/``FATAL``,
``WARNING``/``WARN``, ``INFO``, ``DEBUG``/``VERBOSE``), possibly after an ISO
time stamp as the Azure agent prints it to the journal; otherwise it stays
None. The host name of the last line that names one other than ``localhost``
is the ``hostname`` fact; the agent's version lines (its start-up banner, the
goal-state agent, an egg path in a traceback) give ``daemon_version`` and
``agent_version`` (``text_generic.AgentVersions``).

Sample input::

    May 14 02:05:02 vm-web01 systemd[1]: Started Azure Linux Agent.
    May 14 02:05:03 vm-web01 python3[912]: 2024-05-14T02:05:03.114527Z INFO Daemon Daemon OS: ubuntu 22.04
    2024-05-14T04:06:10.482113+02:00 vm-web01 kernel: [  241.004213] hv_storvsc vmbus_0_11: cmd 0x2a scsi status 0x2
    -- Boot 3f2a9c1e0b7d4a55a2c4d8e6f1b2c3d4 --
    May 14 02:07:11 vm-web01 python3[1301]: Traceback (most recent call last):
    May 14 02:07:11 vm-web01 python3[1301]:   File "/usr/sbin/waagent", line 35, in <module>
    May 14 02:07:11 vm-web01 python3[1301]:     import azurelinuxagent.agent as agent
    May 14 02:07:11 vm-web01 python3[1301]: ModuleNotFoundError: No module named 'azurelinuxagent'
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import BinaryIO, Iterable, Iterator, NamedTuple

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Facts, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import ROT, Lazy, ParseContext, Skim, Spec
from azlog_vmbackup.parsers.text_generic import VERSION_TRIGGERS, AgentVersions

SPECS: tuple[Spec, ...] = (
    Spec("syslog", r"var/log/(?:messages|syslog|kern\.log|kern|auth\.log|secure|boot\.log)" + ROT,
         os=OS.LINUX, log=True),
    Spec("syslog", r"truncated_+var_log_(?:messages|syslog|kern\.log)" + ROT, os=OS.LINUX, log=True),
)
SNIFF_ORDER = 70
SNIFF_HINT = r"\d\d:\d\d:\d\d"

MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}

_BSD_TIME = Lazy(
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(?P<d>\d{1,2}) "
    r"(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))? ")
_ISO_TIME = Lazy(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<f>\d{1,9}))?(?:(?P<utc>Z)|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2})) ")
_HOST_TAG = Lazy(
    r"(?P<host>(?!(?:ERROR|WARNING|WARN|INFO|VERBOSE|DEBUG)\s)[^\s:]+)"
    r"(?: (?P<prog>[^\s\[\]:]+)(?:\[(?P<pid>\d+)\])?:(?= |$))? ?")
_TAG_ONLY = Lazy(r" (?P<prog>[^\s\[\]:]+)\[(?P<pid>\d+)\]:(?= |$) ?")  # no host name: a tag with a pid
# what continues a traceback or multi-line message of the same prog[pid]: an indented line, the exception line
# that closes a traceback, the sentence that chains two, an empty message
_CONTINUATION = Lazy(
    r"[ \t]|$|During handling of the above exception|The above exception was the direct cause"
    r"|(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Warning)(?::|$)")
MAX_JOINED_LINES = 200
_SEVERITY = Lazy(
    r"^(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?\s+)?"
    r"(?P<word>ERROR|CRITICAL|FATAL|WARNING|WARN|INFO|DEBUG|VERBOSE)\b")
_LEVELS = {"ERROR": "ERROR", "CRITICAL": "ERROR", "FATAL": "ERROR", "WARNING": "WARNING",
           "WARN": "WARNING", "INFO": "INFO", "DEBUG": "VERBOSE", "VERBOSE": "VERBOSE"}
_NOT_A_HOST = {"localhost", "localhost.localdomain", "(none)"}


class Header(NamedTuple):
    """What the start of a syslog line says."""

    time: datetime | None
    local_time: bool
    host: str
    program: str | None
    body: str
    pid: str | None = None


class YearGuess:
    """Puts a year on RFC 3164 time stamps, which have none.

    The year is ``hint`` (the bundle's year) or the year of ``now``; a date
    that would fall more than two days after the reference (``now``, or the
    end of the hinted year when that is earlier) belongs to the year before.

    >>> now = datetime(2024, 1, 2, 8, 0, tzinfo=timezone.utc)
    >>> guess = YearGuess(None, now)
    >>> guess.stamp(12, 31, 23, 59, 58).isoformat(), guess.stamp(1, 1, 0, 0, 1).isoformat()
    ('2023-12-31T23:59:58+00:00', '2024-01-01T00:00:01+00:00')
    >>> YearGuess(2022, now).stamp(12, 31).year
    2022
    """

    def __init__(self, hint: int | None, now: datetime):
        self.year = hint or now.year
        end = utc(self.year, 12, 31, 23, 59, 59) or now
        self.limit = min(now, end) + timedelta(days=2)

    def stamp(self, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
              micro: int = 0) -> datetime | None:
        t = utc(self.year, month, day, hour, minute, second, micro)
        if t is None or t > self.limit:
            t = utc(self.year - 1, month, day, hour, minute, second, micro)
        return t


def _now() -> datetime:
    return datetime.now(timezone.utc)


def year_guess(facts: Facts, year: int | None = None) -> YearGuess:
    """A ``YearGuess`` from ``year`` (a year the member itself names), else the ``bundle_year`` fact (an int
    year), if one was set."""
    hint = year if year is not None else facts.value("bundle_year")
    if isinstance(hint, str) and hint.isdigit():
        hint = int(hint)
    if not isinstance(hint, int) or isinstance(hint, bool) or not 1971 <= hint <= 9998:
        hint = None
    return YearGuess(hint, _now())


def _time_of(text: str, years: YearGuess | None) -> tuple[datetime | None, bool, int] | None:
    """(UTC time, local?, end offset) of a leading syslog time stamp, or None."""
    m = _BSD_TIME.match(text)
    if m:
        t = None if years is None else years.stamp(
            MONTHS[m["mon"]], int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]), micros(m["f"]))
        return t, True, m.end()
    iso = read_iso(text)
    return None if iso is None else (iso[0], False, iso[1])


def read_iso(text: str, pos: int = 0) -> tuple[datetime | None, int] | None:
    """(UTC time, end offset) of an ISO 8601 stamp with zone and a space at ``pos``, or None.

    >>> t, end = read_iso('2024-05-14T02:05:02,5-01:30 x')
    >>> t.isoformat(), end
    ('2024-05-14T03:35:02.500000+00:00', 28)
    """
    m = _ISO_TIME.match(text, pos)
    if not m:
        return None
    t = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]),
            micros(m["f"]))
    if not m["utc"]:
        t = to_utc(t, m["sign"], int(m["oh"]), int(m["om"]))
    return t, m.end()


def to_utc(t: datetime | None, sign: str, hours: int, minutes: int) -> datetime | None:
    """Take a ``+hh:mm`` / ``-hh:mm`` offset off a clock time; None when it cannot be done.

    >>> to_utc(datetime(2024, 5, 14, 4, 0, tzinfo=timezone.utc), '+', 2, 0).isoformat()
    '2024-05-14T02:00:00+00:00'
    >>> to_utc(datetime(2024, 5, 14, tzinfo=timezone.utc), '-', 99, 0) is None
    True
    """
    if t is None or hours > 23 or minutes > 59:
        return None
    shift = timedelta(hours=hours, minutes=minutes)
    try:
        return t - shift if sign == "+" else t + shift
    except OverflowError:
        return None


def read_header(text: str, years: YearGuess | None) -> Header | None:
    """Split a syslog line into time, host, program and the text after the tag.

    ``years`` dates RFC 3164 stamps; with None their time is None.

    >>> h = read_header('2024-05-14T04:05:02.5+02:00 vm1 sshd[77]: Accepted key', None)
    >>> h.time.isoformat(), h.local_time, h.host, h.program, h.body
    ('2024-05-14T02:05:02.500000+00:00', False, 'vm1', 'sshd', 'Accepted key')
    >>> read_header('2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x', None) is None
    True
    """
    stamp = _time_of(text, years)
    if stamp is None:
        return None
    time, local, end = stamp
    m = _HOST_TAG.match(text, end)
    if not m:
        m = _TAG_ONLY.match(text, end) if text[end:end + 1] == " " else None
        if not m:
            return None
        return Header(time, local, "", m["prog"], text[m.end():], m["pid"])
    return Header(time, local, m["host"], m["prog"], text[m.end():], m["pid"])


def level_of(body: str) -> str | None:
    """The level named by a severity word opening ``body``, else None.

    >>> level_of('2024-05-14T02:05:03.114527Z WARNING ExtHandler x'), level_of('Started x')
    ('WARNING', None)
    """
    m = _SEVERITY.match(body)
    return _LEVELS[m["word"]] if m else None


def continues(head: Header | None, text: str) -> bool:
    """Whether a line may continue the record before it, judged by the line alone (``Joiner`` also
    asks for the same ``prog[pid]``).

    >>> continues(None, '        File "x.py", line 1, in f'), continues(None, 'plain')
    (True, False)
    >>> h = read_header('May 14 02:05:02 vm1 python3[7]: KeyError: x', None)
    >>> continues(h, h.body), continues(h._replace(pid=None), h.body)
    (True, False)
    """
    if head is None:
        return text[:1] in (" ", "\t")
    return head.pid is not None and _CONTINUATION.match(head.body) is not None


class Joiner:
    """Builds records from a member's lines, joining a multi-line message (a traceback) into one record."""

    def __init__(self, ctx: ParseContext):
        self.ctx = ctx
        self.parts: list[str] = []
        self.first: tuple[int, Header | None, str | None] | None = None
        self.tag: tuple[str | None, str | None] | None = None

    def add(self, number: int, message: str, head: Header | None, level: str | None = None) -> Record | None:
        """Take one line (``message`` as it is to be shown); return the record it closes, if any."""
        if self.first is not None and len(self.parts) < MAX_JOINED_LINES and (
                head is None or (head.pid is not None and self.tag == (head.program, head.pid))) and continues(
                head, head.body if head is not None else message):
            self.parts.append(message)
            return None
        done = self.flush()
        self.first, self.parts = (number, head, level), [message]
        self.tag = (head.program, head.pid) if head is not None else None
        return done

    def flush(self) -> Record | None:
        """The open record, closed; None when there is none."""
        if self.first is None:
            return None
        number, head, level = self.first
        message = "\n".join(self.parts)
        self.first, self.parts, self.tag = None, [], None
        if head is None:
            return self.ctx.record(number, message)
        return self.ctx.record(number, message, time=head.time, component=head.program,
                               level=level if level is not None else level_of(head.body),
                               local_time=head.local_time)


class HostName:
    """The ``hostname`` fact: the host of the last line that names one other than localhost."""

    def __init__(self) -> None:
        self.last: tuple[str, int, datetime | None] | None = None

    def see(self, head: Header, number: int) -> None:
        if head.host and head.host.lower() not in _NOT_A_HOST:
            self.last = (head.host, number, head.time)

    def close(self, ctx: ParseContext) -> None:
        if self.last is not None:  # the name the VM has now: that of the last line
            ctx.fact("hostname", self.last[0], line=self.last[1], time=self.last[2])


def read_lines(ctx: ParseContext, lines: Iterable[tuple[int, str, Header | None, str | None]]) -> Iterator[Record]:
    """Records from ``(number, message, header, level)`` lines, with the host name and agent version facts;
    a None ``message`` is a blank line, which closes the open record."""
    joiner, host, versions = Joiner(ctx), HostName(), AgentVersions()
    for number, message, head, level in lines:
        if message is None:
            done = joiner.flush()
        else:
            if head is not None:
                host.see(head, number)
            versions.see(message, number, head.time if head is not None else None)
            done = joiner.add(number, message, head, level)
        if done is not None:
            yield done
    done = joiner.flush()
    if done is not None:
        yield done
    host.close(ctx)
    versions.close(ctx)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per line or joined multi-line message.

    >>> data = (b'May 14 02:07:11 vm1 python3[1301]: Traceback (most recent call last):\\n'
    ...         b'May 14 02:07:11 vm1 python3[1301]:   File "/usr/sbin/waagent", line 35, in <module>\\n'
    ...         b"May 14 02:07:11 vm1 python3[1301]: ModuleNotFoundError: No module named 'azurelinuxagent'\\n"
    ...         b'May 14 02:07:12 vm1 systemd[1]: walinuxagent.service: Failed with result exit-code.\\n')
    >>> [(r.line, r.component, r.message.count('\\n')) for r in parse(io.BytesIO(data), context('var/log/syslog'))]
    [(1, 'python3', 2), (4, 'systemd', 0)]
    """
    years = year_guess(ctx.facts)

    def lines() -> Iterator[tuple[int, str | None, Header | None, str | None]]:
        for number, text in ctx.lines(stream):
            if not text.strip():
                yield number, None, None, None
                continue
            yield number, redact_sas(text), read_header(text, years), None

    yield from read_lines(ctx, lines())


def is_start(line: str) -> bool:
    """Whether a line opens a record (the parser may still open one where this says no).

    >>> is_start('May 14 02:05:02 vm1 python3[7]:   File "x.py", line 1'), is_start('May 14 02:05:02 vm1 x: y')
    (False, True)
    """
    return not continues(head := read_header(line, None), head.body if head is not None else line)


# The facts come from the last lines (the host name) and from the agent's version lines: a large log is skimmed.
SKIM = Skim(is_start=is_start, latest=VERSION_TRIGGERS)


def sniff(head: str) -> bool:
    """True when most non-empty lines of ``head`` start with a syslog header.

    >>> sniff('May 14 02:05:02 vm1 systemd[1]: Started x.\\nMay 14 02:05:03 vm1 kernel: y\\n')
    True
    >>> sniff('2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\\n')
    False
    """
    lines = [line for line in head.splitlines() if line.strip()]
    hits = sum(1 for line in lines if read_header(line, None) is not None)
    return hits > 0 and hits * 2 >= len(lines)
