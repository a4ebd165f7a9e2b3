"""Exports of the systemd journal (``journalctl`` output saved to a file), one record per entry.

Declares ``SPECS`` (journal), ``SNIFF_ORDER`` for ``sniff``, and ``SKIM``.

Read by name: a sosreport's ``sos_commands/logs/journalctl_--no-pager...``
files and any member whose name holds ``journalctl`` (``journalctl.txt``,
``journalctl-u-waagent.log``); by content, text that ``sniff`` recognises.

Output modes read, line by line (a file may mix them):

* ``short`` (the default), ``short-precise``, ``short-iso``,
  ``short-iso-precise``: the syslog layout, read by ``parsers.syslog``'s
  header (RFC 3164 stamps are the VM's local time, ``local_time`` True, the
  year guessed from the bundle's).
* ``short-full`` (``Tue 2017-01-10 07:42:24 UTC host prog[pid]: msg``): UTC
  when the zone is UTC/GMT/Z, else the clock as written with ``local_time``.
* ``short-monotonic`` (``[   12.345678] host prog[pid]: msg``) and
  ``short-unix`` (``1484034144.123456 host prog[pid]: msg``): no time for the
  first, UTC for the second.
* ``json`` (one object per line; ``json-seq``'s leading RS too) and
  ``json-pretty`` (an object over several lines): ``MESSAGE`` (a string, or
  a list of byte values), ``__REALTIME_TIMESTAMP``, ``_HOSTNAME``,
  ``SYSLOG_IDENTIFIER`` (else ``_COMM``), ``_PID`` and ``PRIORITY`` (0-3
  ERROR, 4 WARNING, 5-6 INFO, 7 VERBOSE). Such an entry's ``message`` is
  rendered as ``short-iso`` prints it (``2017-01-10T07:42:24.000000+00:00 host
  prog[pid]: msg``), so evidence reads like the other modes.
* the ``-- Logs begin at ... --``, ``-- Journal begins at ...``, ``-- Boot
  <id> --``, ``-- Reboot --`` and ``-- No entries --`` lines: records
  without time.

Multi-line messages are joined as ``parsers.syslog`` joins them: a Python
traceback logged one line per entry by the same ``prog[pid]``, and the
indented continuation lines journalctl prints under a multi-line message,
become one record with the line that opened it. ``component`` is the
program, ``level`` the priority (json) or a severity word opening the
message. Facts: ``hostname`` (the last host other than localhost) and the
agent's version lines (``daemon_version``, ``agent_version``).

Sample input::

    -- Logs begin at Tue 2017-01-10 07:00:01 UTC, end at Tue 2017-01-10 07:45:00 UTC. --
    Jan 10 07:42:24 vm-web01 systemd[1]: Started Microsoft Azure Linux Agent.
    Jan 10 07:42:24 vm-web01 python[43628]: Traceback (most recent call last):
    Jan 10 07:42:24 vm-web01 python[43628]:   File "/usr/sbin/waagent", line 35, in <module>
    Jan 10 07:42:24 vm-web01 python[43628]: ImportError: No module named azurelinuxagent.agent
    Tue 2017-01-10 07:42:25 UTC vm-web01 systemd[1]: waagent.service: Main process exited, code=exited, status=1/FAILURE
    {"__REALTIME_TIMESTAMP":"1484034146000000","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"Stopped x."}
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import BinaryIO, Iterator

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers import syslog
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Skim, Spec
from azlog_vmbackup.parsers.text_generic import VERSION_TRIGGERS

SPECS: tuple[Spec, ...] = (
    Spec("journal", r"[^/]*journalctl[^/]*", os=OS.LINUX, log=True),
)
SNIFF_ORDER = 66
SNIFF_HINT = r"-- |\{|\d\.\d|\d{9}|\d:\d\d:\d\d"  # markers, json, monotonic, unix, full

MAX_PRETTY_LINES = 200
_MARKER = Lazy(r"-- (?:Logs begin at |Journal begins at |Boot [0-9a-f]{32} --|Reboot --|No entries --)")
_FULL = Lazy(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):"
    r"(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))? (?P<zone>[A-Za-z][\w+-]*) ")
_MONOTONIC = Lazy(r"\[ *\d+\.\d+\] ")
_UNIX = Lazy(r"(?P<sec>\d{9,11})(?:\.(?P<f>\d{1,6}))? ")
_TAG = Lazy(r"(?P<host>[^\s:\[\]]+) (?P<prog>[^\s\[\]:]+)(?:\[(?P<pid>\d+)\])?:(?= |$) ?")
_PRIORITY = {"0": "ERROR", "1": "ERROR", "2": "ERROR", "3": "ERROR", "4": "WARNING", "5": "INFO", "6": "INFO",
             "7": "VERBOSE"}
_UTC_ZONES = frozenset(("UTC", "GMT", "Z", "UCT"))
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _tail(text: str, pos: int, time: datetime | None, local: bool) -> syslog.Header | None:
    m = _TAG.match(text, pos)
    if not m:
        return None
    return syslog.Header(time, local, m["host"], m["prog"], text[m.end():], m["pid"])


def _epoch(seconds: int, fraction: int = 0) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).replace(microsecond=fraction)
    except (OverflowError, OSError, ValueError):
        return None


def read_header(text: str, years: syslog.YearGuess | None) -> syslog.Header | None:
    """The header of a text-mode journal line (any ``short*`` mode), else None.

    >>> h = read_header('Tue 2017-01-10 07:42:24 UTC vm1 systemd[1]: Started x.', None)
    >>> h.time.isoformat(), h.local_time, h.program, h.pid, h.body
    ('2017-01-10T07:42:24+00:00', False, 'systemd', '1', 'Started x.')
    >>> read_header('1484034144.5 vm1 python3[7]: y', None).time.isoformat()
    '2017-01-10T07:42:24.500000+00:00'
    >>> read_header('[   12.345678] vm1 kernel: z', None).time is None
    True
    """
    head = syslog.read_header(text, years)
    if head is not None:
        return head
    c = text[:1]
    if c == "[" and (m := _MONOTONIC.match(text)):
        return _tail(text, m.end(), None, False)
    if c.isdigit() and (m := _UNIX.match(text)):
        return _tail(text, m.end(), _epoch(int(m["sec"]), micros(m["f"])), False)
    if c.isalpha() and (m := _FULL.match(text)):
        t = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]), micros(m["f"]))
        return _tail(text, m.end(), t, m["zone"] not in _UTC_ZONES)
    return None


def _field(entry: dict, name: str) -> str:
    value = entry.get(name)
    if isinstance(value, list):  # a value that is not UTF-8 comes as its byte values
        try:
            return bytes(v for v in value if isinstance(v, int) and 0 <= v < 256).decode("utf-8", "replace")
        except (TypeError, ValueError):
            return ""
    return value if isinstance(value, str) else "" if value is None else str(value)


def read_entry(text: str) -> tuple[str, syslog.Header, str | None] | None:
    """(message as short-iso prints it, header, level) of a JSON journal entry, else None.

    >>> line = ('{"__REALTIME_TIMESTAMP":"1484034144000000","_HOSTNAME":"vm1","SYSLOG_IDENTIFIER":"python3",'
    ...         '"_PID":"7","PRIORITY":"3","MESSAGE":"ModuleNotFoundError: No module named \\'azurelinuxagent\\'"}')
    >>> message, head, level = read_entry(line)
    >>> message
    "2017-01-10T07:42:24.000000+00:00 vm1 python3[7]: ModuleNotFoundError: No module named 'azurelinuxagent'"
    >>> head.pid, level
    ('7', 'ERROR')
    """
    try:
        entry = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or ("MESSAGE" not in entry and "__REALTIME_TIMESTAMP" not in entry):
        return None
    stamp = _field(entry, "__REALTIME_TIMESTAMP")
    time = _epoch(int(stamp) // 1_000_000, int(stamp) % 1_000_000) if stamp.isdigit() else None
    host = _field(entry, "_HOSTNAME") or "localhost"
    prog = _field(entry, "SYSLOG_IDENTIFIER") or _field(entry, "_COMM") or None
    pid = _field(entry, "_PID") or _field(entry, "SYSLOG_PID") or None
    body = _field(entry, "MESSAGE").replace("\r", "")
    when = time.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00") if time is not None else "-"
    tag = f" {prog}[{pid}]:" if prog and pid else f" {prog}:" if prog else ""
    lines = body.split("\n")
    message = "\n".join([f"{when} {host}{tag} {lines[0]}", *(f"    {line}" for line in lines[1:])])
    level = _PRIORITY.get(_field(entry, "PRIORITY")) or syslog.level_of(body)
    return message, syslog.Header(time, False, host, prog, body, pid), level


def _json_start(text: str) -> str | None:
    """The JSON text of a line that holds a whole entry (``json``, ``json-seq``), else None."""
    text = text.lstrip("\x1e")
    return text if text[:1] == "{" and text.rstrip()[-1:] == "}" else None


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per entry (a joined multi-line message is one).

    >>> data = (b'-- Logs begin at Tue 2017-01-10 07:00:01 UTC, end at Tue 2017-01-10 07:45:00 UTC. --\\n'
    ...         b'Jan 10 07:42:24 vm1 python[43628]: Traceback (most recent call last):\\n'
    ...         b'Jan 10 07:42:24 vm1 python[43628]:   File "/usr/sbin/waagent", line 35, in <module>\\n'
    ...         b'Jan 10 07:42:24 vm1 python[43628]: ImportError: No module named azurelinuxagent.agent\\n'
    ...         b'{"__REALTIME_TIMESTAMP":"1484034146000000","_HOSTNAME":"vm1","SYSLOG_IDENTIFIER":"systemd",'
    ...         b'"_PID":"1","PRIORITY":"3","MESSAGE":"Failed to start Microsoft Azure Linux Agent."}\\n')
    >>> records = list(parse(io.BytesIO(data), context('sos_commands/logs/journalctl_--no-pager')))
    >>> [(r.line, r.component, r.level, r.message.count('\\n')) for r in records]
    [(1, None, None, 0), (2, 'python', None, 2), (5, 'systemd', 'ERROR', 0)]
    >>> records[2].message
    '2017-01-10T07:42:26.000000+00:00 vm1 systemd[1]: Failed to start Microsoft Azure Linux Agent.'
    """
    years = syslog.year_guess(ctx.facts)

    def lines() -> Iterator[tuple[int, str | None, syslog.Header | None, str | None]]:
        pretty: list[str] = []
        start = 0
        for number, text in ctx.lines(stream):
            if pretty:  # json-pretty: an object over several lines, up to the closing brace
                pretty.append(text)
                if text.rstrip() == "}" or len(pretty) >= MAX_PRETTY_LINES:
                    entry = read_entry("\n".join(pretty))
                    if entry is not None:
                        yield start, redact_sas(entry[0]), entry[1], entry[2]
                    else:
                        for offset, part in enumerate(pretty):
                            yield start + offset, redact_sas(part), None, None
                    pretty = []
                continue
            if not text.strip():
                yield number, None, None, None
                continue
            if (whole := _json_start(text)) is not None and (entry := read_entry(whole)) is not None:
                yield number, redact_sas(entry[0]), entry[1], entry[2]
                continue
            if text.rstrip() == "{":
                pretty, start = [text], number
                continue
            yield number, redact_sas(text), read_header(text, years), None
        for offset, part in enumerate(pretty):  # an object never closed
            yield start + offset, redact_sas(part), None, None

    yield from syslog.read_lines(ctx, lines())


def is_start(line: str) -> bool:
    """Whether a line opens a record (the parser may still open one where this says no).

    >>> is_start('Jan 10 07:42:24 vm1 python[7]:   File "x.py", line 3, in f'), is_start('-- Reboot --')
    (False, True)
    """
    if (whole := _json_start(line)) is not None and (entry := read_entry(whole)) is not None:
        return not syslog.continues(entry[1], entry[1].body)
    head = read_header(line, None)
    return not syslog.continues(head, head.body if head is not None else line)


# One record per entry or joined message; the facts come from the last lines and the agent's version lines.
# A JSON export is scanned as written: a message's text is there as is except the characters JSON escapes
# (quotes, backslashes), which no signature hint holds (keep it so); the frames of a traceback, which do, are
# always read.
SKIM = Skim(is_start=is_start, every=(r'File \\"',), latest=VERSION_TRIGGERS)


def sniff(head: str) -> bool:
    """True for what only journalctl writes: its ``-- Logs begin at`` style lines, JSON entries, or most lines
    in the ``short-full``, ``short-monotonic`` or ``short-unix`` layout (plain ``short`` lines are syslog's).

    >>> sniff('-- Journal begins at Mon 2024-05-13 01:00:00 UTC, ends at Tue 2024-05-14 02:05:02 UTC. --\\n')
    True
    >>> sniff('{"__REALTIME_TIMESTAMP":"1715652302000000","MESSAGE":"Started x."}\\n')
    True
    >>> sniff('Tue 2024-05-14 02:05:02 UTC vm1 systemd[1]: Started x.\\n')
    True
    >>> sniff('May 14 02:05:02 vm1 systemd[1]: Started x.\\n'), sniff('just words\\n')
    (False, False)
    """
    lines = [line for line in head.splitlines() if line.strip()][:50]
    if not lines:
        return False
    if any(_MARKER.match(line) for line in lines[:5]):
        return True
    if (whole := _json_start(lines[0])) is not None and read_entry(whole) is not None:
        return True
    own = sum(1 for line in lines if syslog.read_header(line, None) is None and read_header(line, None) is not None)
    return own * 2 >= len(lines)
