"""Bury a case's log members in healthy routine lines of their own format: does azlog still give the same answer?

    >>> text = "2019/07/01 08:00:00.123456 ERROR ExtHandler Event: name=x, op=Enable, message=boom\\n"
    >>> buried, why = bury("var/log/waagent.log", text, 2)
    >>> why is None, len(buried.splitlines())
    (True, 5)
    >>> print(buried)  # doctest: +ELLIPSIS
    2019/07/01 07:00:00.123456 INFO ...
    2019/07/01 07:30:00.123456 INFO ...
    2019/07/01 08:00:00.123456 ERROR ExtHandler Event: name=x, op=Enable, message=boom
    2019/07/01 08:30:00.123456 INFO ...
    2019/07/01 09:00:00.123456 INFO ...
    <BLANKLINE>

A member azlog reads as one of the formats of ``STAMPS`` (waagent.log, the VMSnapshotLinux extension.log, syslog,
WaAppAgent.log), by its path or, for an unnamed member such as ``pasted.txt``, by its content
(``registry.sniff``), gets ``n`` routine lines before its own lines and ``n`` after them. The lines before end just
before the member's earliest time stamp and those after start just after its latest one, evenly spread over an hour
each side, each written in the time stamp style of the case line they border (``restamp``). Any other member, and a
member with no time stamp azlog's format would read, stays as it is, with the reason.

Routine lines come from the healthy sample bundles (``SOURCES``: the member of the same path, the sample whose
stamps are in the case's style first), cycled when more are needed. A sample line is kept only when it starts with a
time stamp, is neither a warning nor an error, and states nothing about the VM when azlog's parser reads it alone
(no agent, OS or Python version, no backup status or freeze: those would describe the sample's VM, not the case's;
the time of the agent's last record or heartbeat may change), and is not evidence of any diagnosis, even at low
confidence, when the kept lines are read alone (``check_routine``, which also refuses a sample whose member alone
azlog diagnoses at medium or high confidence). No healthy sample holds a syslog, so syslog routine lines are the
agent's kept lines as the journal carries them (``<host> python3[1042]: <agent line>``, the host of the case's line).
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from azlog_vmbackup.analyzer.apps.analyze import SNIFF_BYTES, analyze_files
from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import registry
from azlog_vmbackup.parsers.base import ParseContext

BUNDLES = Path(__file__).resolve().parents[1] / "samples" / "bundles"
WAAGENT = "var/log/waagent.log"
EXTENSION = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"
WAAPPAGENT = "WindowsAzure/Logs/WaAppAgent.log"
SYSLOG = "var/log/messages"
SPAN = timedelta(hours=1)  # the routine lines on each side of a member's own lines fit in this
AGENT_PID = 1042  # the agent's process id in syslog routine lines
NEUTRAL_FACTS = frozenset({"agent_last_record", "agent_last_heartbeat"})  # facts a routine line may set
# a freeze's steps belong to one job: a thaw from the sample would end the case's own freeze
_FREEZE = re.compile(r"freez|thaw", re.I)
REPEATS = 3  # copies of the routine lines read together when checking them (burst signatures count repeats)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_DASHED = r"(?P<y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d)"
_SLASHED = r"(?P<y>\d{4})/(?P<mo>\d\d)/(?P<d>\d\d)"
_CLOCK = r"(?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)"
_FRACTION = r"(?:[.,](?P<f>\d{1,9}))?"
_THREAD = r"(?:\[[0-9A-Fa-f]{8}\]\s+)?"
# Where a line's time stamp is, per format (the group ``stamp``), in each style its writers use; a match starts
# at the start of the line.
STAMPS: dict[str, tuple[re.Pattern, ...]] = {
    "waagent_log": (
        re.compile(r"(?P<stamp>" + _DASHED + "T" + _CLOCK + _FRACTION + "Z) "),  # 2.2.46 on, UTC
        re.compile(r"(?P<stamp>" + _SLASHED + " " + _CLOCK + _FRACTION + ") "),  # up to 2.2.45 (2.0: no fraction)
    ),
    "vmsnapshot_extension_log": (
        re.compile(r"(?P<stamp>" + _DASHED + " " + _CLOCK + _FRACTION + r") \["),  # python 3 handler line
        re.compile(r"(?P<stamp>" + _SLASHED + " " + _CLOCK + ")(?: |$)"),  # waagent-library line (python 2)
    ),
    "syslog": (
        re.compile(r"(?P<stamp>(?P<mo>" + "|".join(MONTHS) + r") (?P<d>[ \d]?\d) " + _CLOCK + _FRACTION + ") "),
        re.compile(r"(?P<stamp>" + _DASHED + "T" + _CLOCK + _FRACTION + r"(?:Z|[+-]\d\d:?\d\d)) "),
    ),
    "waappagent_log": (
        re.compile(_THREAD + r"(?P<stamp>\[(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}) (?P<h>\d{1,2}):(?P<mi>\d\d)"
                   r":(?P<s>\d\d)" + _FRACTION + r"\])\s+\["),
        re.compile(_THREAD + r"(?P<stamp>" + _DASHED + "T" + _CLOCK + _FRACTION + r"Z)\s+\["),
    ),
}
# A date and time inside a line's text (a wrapped line's own stamp, a job's start time): moved with the line.
_EMBEDDED = re.compile(r"(?P<stamp>(?P<y>\d{4})(?P<sep>[-/])(?P<mo>\d\d)(?P=sep)(?P<d>\d\d)[T ]" + _CLOCK
                       + r"(?:\.(?P<f>\d{1,9}))?)")
# Healthy sample members that routine lines come from, per format: (bundle, member).
SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "waagent_log": (("linux-healthy-modern.zip", WAAGENT), ("linux-healthy-2.2.45.zip", WAAGENT)),
    "vmsnapshot_extension_log": (("linux-healthy-modern.zip", EXTENSION), ("linux-healthy-2.2.45.zip", EXTENSION)),
    "waappagent_log": (("windows-healthy.zip", WAAPPAGENT),),
    "syslog": (("linux-healthy-modern.zip", WAAGENT),),  # the agent's lines, wrapped as the journal writes them
}


def read_stamp(line: str, fmt: str) -> re.Match | None:
    """The time stamp that starts ``line`` in format ``fmt`` (a name of ``STAMPS``), or None.

    >>> read_stamp("2024-03-02T10:20:05.000100Z INFO ExtHandler x", "waagent_log")["stamp"]
    '2024-03-02T10:20:05.000100Z'
    >>> read_stamp("Traceback (most recent call last):", "waagent_log") is None
    True
    """
    for rx in STAMPS[fmt]:
        m = rx.match(line)
        if m is not None and time_of(m) is not None:
            return m
    return None


def time_of(m: re.Match) -> datetime | None:
    """The clock a stamp shows (naive; a stamp with no year gets 2000, a leap year), None if it is no date."""
    g = m.groupdict()
    month = MONTHS.index(g["mo"]) + 1 if g["mo"].isalpha() else int(g["mo"])
    try:
        return datetime(int(g.get("y") or 2000), month, int(g["d"]), int(g["h"]), int(g["mi"]), int(g["s"]),
                        int((g.get("f") or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None


def render(template: re.Match, when: datetime) -> str:
    """``when`` written as the stamp ``template`` is: same fields, separators, padding and fraction digits.

    >>> render(read_stamp("Jul  6 13:18:04 vm1 x", "syslog"), datetime(2018, 7, 12, 9, 5, 1))
    'Jul 12 09:05:01'
    >>> render(read_stamp("[3/4/2020 9:15:02.31] [INFO] x", "waappagent_log"), datetime(2020, 3, 4, 8, 59, 1, 987654))
    '[3/4/2020 8:59:01.98]'
    """
    stamp, base = template["stamp"], template.start("stamp")
    fields = sorted((template.start(k), k) for k, v in template.groupdict().items()
                    if v is not None and k in ("y", "mo", "d", "h", "mi", "s", "f"))
    for start, key in reversed(fields):
        old = template[key]
        if key == "f":
            new = (f"{when.microsecond:06d}" + "000")[:len(old)]
        elif key == "mo" and old.isalpha():
            new = MONTHS[when.month - 1]
        else:
            value = {"y": when.year, "mo": when.month, "d": when.day, "h": when.hour, "mi": when.minute,
                     "s": when.second}[key]
            new = f"{value:2d}" if old[0] == " " else f"{value:0{len(old)}d}" if len(old) > 1 else str(value)
        stamp = stamp[:start - base] + new + stamp[start - base + len(old):]
    return stamp


def restamp(line: str, fmt: str, template: re.Match, when: datetime) -> str:
    """``line`` with its time stamp replaced by ``when``, written as the stamp ``template`` (a case's line) is;
    a date and time in its text (``_EMBEDDED``) becomes ``when`` too, written as it was.

    >>> case = read_stamp("2019/07/01 08:00:00.123456 INFO ExtHandler x", "waagent_log")
    >>> restamp("2026-11-13T17:01:12.089582Z INFO Daemon Daemon Run daemon", "waagent_log", case,
    ...         datetime(2019, 7, 1, 7, 59, 58, 5))
    '2019/07/01 07:59:58.000005 INFO Daemon Daemon Run daemon'
    >>> case = read_stamp("2017/11/14 03:06:52 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]x",
    ...                   "vmsnapshot_extension_log")
    >>> restamp("2026-11-14 02:02:59.326707 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]taskId: 28",
    ...         "vmsnapshot_extension_log", case, datetime(2017, 11, 14, 3, 6, 50, 400000))
    '2017/11/14 03:06:50 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]taskId: 28'
    >>> restamp("2026-11-14 02:03:01.103 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]2026-11-14 02:03:01 "
    ...         "Freezing: /data", "vmsnapshot_extension_log", case, datetime(2017, 11, 14, 3, 6, 50, 400000))
    '2017/11/14 03:06:50 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]2017-11-14 03:06:50 Freezing: /data'
    >>> case = read_stamp("[00000006] [03/04/2020 09:15:02.31] [INFO]  x", "waappagent_log")
    >>> restamp("[0000000B] 2026-11-15T20:30:55.292Z [INFO] Using fabric address 168.63.129.16 from DHCP.",
    ...         "waappagent_log", case, datetime(2020, 3, 4, 10, 0, 3, 456789))
    '[0000000B] [03/04/2020 10:00:03.45] [INFO] Using fabric address 168.63.129.16 from DHCP.'
    >>> restamp("   at Some.Frame()", "waappagent_log", case, datetime(2020, 3, 4))  # no stamp: as it is
    '   at Some.Frame()'
    """
    m = read_stamp(line, fmt)
    if m is None:
        return line
    return (line[:m.start("stamp")] + render(template, when)
            + _EMBEDDED.sub(lambda e: render(e, when), line[m.end("stamp"):]))


def _states_nothing(line: str, member: str) -> bool:
    """True when azlog's parser reads ``line`` alone as neither a warning nor an error, with no fact about the VM."""
    ctx = ParseContext(member, Facts(), [])
    records = list(registry.parser_module(registry.classify(member)).parse(io.BytesIO(line.encode() + b"\n"), ctx))
    return (all(r.level not in ("WARNING", "ERROR") for r in records)
            and {name for name, _ in ctx.facts.items()} <= NEUTRAL_FACTS)


@lru_cache(maxsize=None)
def _sample(bundle: str, member: str) -> str:
    with zipfile.ZipFile(BUNDLES / bundle) as z:
        return z.read(member).decode("utf-8")


@lru_cache(maxsize=None)
def routine(fmt: str, style: int = 0) -> tuple[str, ...]:
    """The kept routine lines for format ``fmt``, from the first sample written in style ``style`` (an index
    of ``STAMPS[fmt]``; the first sample when none is); syslog's are agent lines, wrapped by ``_line``."""
    sources = SOURCES[fmt]
    source_fmt = "waagent_log" if fmt == "syslog" else fmt

    def style_of(text: str) -> int | None:
        first = next((line for line in text.splitlines() if read_stamp(line, source_fmt)), "")
        return next((i for i, rx in enumerate(STAMPS[source_fmt]) if rx.match(first)), None)

    bundle, member = next((s for s in sources if fmt == "syslog" or style_of(_sample(*s)) == style), sources[0])
    lines = [line for line in _sample(bundle, member).splitlines()
             if read_stamp(line, source_fmt) and _states_nothing(line, member) and not _FREEZE.search(line)]
    return check_routine(fmt, bundle, member, lines)


def check_routine(fmt: str, bundle: str, member: str, lines: list[str], rounds: int = 5) -> tuple[str, ...]:
    """``lines`` less those azlog takes as evidence of anything, at any confidence, when they are read alone
    (three times over) as a ``fmt`` member. Raises ``ValueError`` when the sample member alone gives a
    diagnosis at medium or high confidence, or when no diagnosis-free set of lines is left after ``rounds``
    rounds."""
    result = analyze_files(f"{bundle}:{member}", {member: _sample(bundle, member)})
    confident = [f"{d.cause} {d.confidence}" for d in result.diagnoses if d.confident]
    if confident:
        raise ValueError(f"{bundle}:{member} is not routine: azlog says {confident}")
    path = SYSLOG if fmt == "syslog" else member
    journal = read_stamp("Jan  1 00:00:00 vm x", "syslog")
    for _ in range(rounds):
        written = lines if fmt != "syslog" else [
            _line(fmt, raw, journal, time_of(read_stamp(raw, "waagent_log")), "vm") for raw in lines]
        # read three times over, as burying repeats them: a line that is evidence only when repeated goes too
        result = analyze_files(f"routine {fmt} lines", {path: "\n".join(written * REPEATS) + "\n"})
        if not result.diagnoses and lines:
            return tuple(lines)
        evidence = {(e.line - 1) % len(lines) + 1 for d in result.diagnoses for e in d.evidence if e.path == path}
        lines = [line for number, line in enumerate(lines, 1) if number not in evidence]
    raise ValueError(f"{bundle}:{member} has no routine lines for {fmt} that azlog reads as no evidence")


def _line(fmt: str, raw: str, template: re.Match, when: datetime, host: str) -> str:
    """Routine line ``raw`` at ``when`` in the style of ``template``; syslog's wraps an agent line stamped alike."""
    if fmt != "syslog":
        return restamp(raw, fmt, template, when)
    agent = restamp(raw, "waagent_log", read_stamp(raw, "waagent_log"), when)
    return f"{render(template, when)} {host} python3[{AGENT_PID}]: {agent}"


def format_of(path: str, text: str) -> str:
    """The name of the spec azlog reads the member as: by its path, else by its first bytes (as ``analyze``)."""
    spec = registry.classify(path)
    return (spec or registry.sniff(text.encode()[:SNIFF_BYTES].decode("utf-8", errors="replace"))).name


def bury(path: str, text: str, n: int, year: int | None = None) -> tuple[str, str | None]:
    """``text`` (member ``path``) between ``n`` routine lines before and ``n`` after, and None; or ``text`` as it
    is and why it was not buried. ``year``: the year of stamps that give none (syslog's), for the agent lines in
    syslog routine lines; this year when not given."""
    fmt = format_of(path, text)
    if fmt not in STAMPS:
        return text, f"{fmt} is not buried"
    stamps = [(time_of(m), m) for m in (read_stamp(line, fmt) for line in text.splitlines()) if m is not None]
    if not stamps:
        return text, f"no {fmt} time stamps"
    (first, before_style), (last, after_style) = (min(stamps, key=lambda s: s[0]), max(stamps, key=lambda s: s[0]))
    first, last = _in_year(first, before_style, year), _in_year(last, after_style, year)
    host = "localhost"
    if fmt == "syslog":
        after = before_style.string[before_style.end():]
        host = m[1] if (m := re.match(r"([^\s:\[\]]+) ", after)) else host

    def lines(template: re.Match, times: list[datetime], start: int) -> list[str]:
        pool = routine(fmt, STAMPS[fmt].index(template.re))
        return [_line(fmt, pool[(start + i) % len(pool)], template, t, host) for i, t in enumerate(times)]

    step = SPAN / n
    body = text if text.endswith("\n") else text + "\n"
    buried = ("\n".join(lines(before_style, [first - (n - i) * step for i in range(n)], 0)) + "\n" + body
              + "\n".join(lines(after_style, [last + (i + 1) * step for i in range(n)], n)) + "\n")
    if format_of(path, buried) != fmt:
        return text, f"routine lines would make azlog read it as {format_of(path, buried)}"
    return buried, None


def _in_year(when: datetime, stamp: re.Match, year: int | None) -> datetime:
    """``when`` read from ``stamp``, in ``year`` (this year when None) if the stamp gives no year."""
    if stamp.groupdict().get("y") is not None:
        return when
    year = year or datetime.now().year
    try:
        return when.replace(year=year)
    except ValueError:  # 29 February
        return when.replace(year=year, day=28)


def bury_files(files: dict[str, str], n: int) -> tuple[dict[str, str], dict[str, str]]:
    """Every member of ``files`` buried where it can be (``bury``); and why the others were not, by path.
    Syslog's stamps take the year of the newest dated stamp of any member, as azlog's guess does."""
    now = datetime.now().year
    year = max((int(m["y"]) for text in files.values() for m in _EMBEDDED.finditer(text) if int(m["y"]) <= now),
               default=None)
    out, why_not = {}, {}
    for path, text in files.items():
        out[path], reason = bury(path, text, n, year)
        if reason is not None:
            why_not[path] = reason
    return out, why_not
