"""The Windows guest agent logs under ``C:\\WindowsAzure\\Logs``: WaAppAgent.log,
TransparentInstaller.log, AppAgentRuntime.log and Telemetry.log.

Declares ``SPECS`` (a spec per log: waappagent_log and three more), ``SNIFF_ORDER`` for ``sniff``,
and ``SKIM``.

All four start a record with an optional eight-hex-digit thread id, a UTC time
and a bracketed level. The time is ``[MM/DD/YYYY HH:MM:SS.ff]`` (month first,
one to seven fraction digits) in agents up to about 2022 and
``YYYY-MM-DDTHH:MM:SS[.fff]Z`` in later ones; the level is followed by zero to
two spaces. Lines pasted from documents sometimes keep only the ``[LEVEL]``;
those start records without a time. Any other line continues the record
above it (.NET exception text, stack frames, JSON); each line before the
first record is a record of its own.

A record's ``message`` is its physical lines as written, joined by ``\\n``
(blank lines at its end left out), at most ``MAX_RECORD_LINES`` lines and
``MAX_RECORD_CHARS`` characters: a longer run of continuation lines goes on
in a new record without time or level. Levels: FATAL is ERROR, WARN is
WARNING, TRACE/DEBUG/VERBOSE are VERBOSE, HEART (the heartbeat) is INFO.
``component`` is the thread id. ``sig=`` values are masked.

A ``Microsoft Azure VM Health Report`` block, from its Start banner to its End
banner, is one INFO record timed by the Start banner. Its JSON, which may be
cut over several lines, gives ``dhcp_disabled_adapters`` (adapters with an
IPv4 address, not loopback or link-local, whose ``isDhcpEnabled`` is false),
``agent_services`` (every listed service's state by name), ``os_name``
(``systemInfo.windows.productName``, else ``osVersion``) and ``os_version``
(the dotted number in ``osVersion``). A report
that does not parse as a whole is read object by object.

Other facts: ``agent_version`` and ``agent_start_time`` (``WindowsAzureGuestAgent
starting. Version ...``; other GuestAgent/RdAgent version lines give the
version only), ``agent_last_heartbeat`` (HEART records), ``agent_last_record``
(latest record time of a file not named TransparentInstaller, Telemetry or
AppAgentRuntime), ``wireserver_endpoint`` (``Using fabric address ... from
DHCP``), ``extension_name``/``extension_version`` (lines naming the
Microsoft.Azure.RecoveryServices.VMSnapshot plugin with its version). Facts
are read from a record's first line only.

Skimming (``SKIM``): records are read alone, from their first line on; the
only state kept between records is the newest record time, which a skimmed
file takes from its tail (read in full). A skimmed log is also given every
agent start, fabric address and health report record (their facts matter each
time), every error record (``parsers.base.ERROR_WORDS``), and of each piece
the last heartbeat, agent version and VMSnapshot version record (facts a later
record replaces; a heartbeat with an impossible date is the one line that
could hide an earlier one). An ISO-dated record's stamp is its thread id
(the head, which a folded copy repeats exactly: ``component`` comes from it)
and its time, so a failing agent's thousandth identical error from one thread
is counted, not parsed again (``analyzer.matching.folding``); a month-first
date, which does not sort as its time does, is not folded.

Sample input::

    [00000006] [03/04/2020 09:15:02.31] [INFO]  WindowsAzureGuestAgent starting. Version 2.7.41491.971
    [00000009] [03/04/2020 09:15:14.02] [INFO]  Using fabric address 168.63.129.16 from DHCP.
    [0000001A] [03/04/2020 09:16:40.77] [ERROR] Failed to fetch the goal state: System.Net.WebException: timed out
       at Microsoft.WindowsAzure.GuestAgent.Example.Fetch()
    [00000021] 2024-10-02T17:41:09.532Z [HEART] WindowsAzureGuestAgent Heartbeat.
    ========= Microsoft Azure VM Health Report - Start 2024-10-02T17:45:00.1234567Z =========
    {"reportTime":"2024-10-02T17:44:58Z","networkAdapters":[{"name":"Ethernet","ipProperties":[{"protocolVersion":4,"address":"10.1.0.5","isDhcpEnabled":true}]}]}
    ========= Microsoft Azure VM Health Report - End 2024-10-02T17:45:00.2234567Z =========
"""
from __future__ import annotations

import ipaddress
import json
from datetime import datetime
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import ERROR_WORDS, Lazy, ParseContext, Skim, Spec

SPECS: tuple[Spec, ...] = (
    Spec("waappagent_log", r"waappagent[^/]*\.log", os=OS.WINDOWS, log=True),
    Spec("transparent_installer_log", r"transparentinstaller[^/]*\.log", os=OS.WINDOWS, log=True),
    Spec("appagent_runtime_log", r"appagentruntime[^/]*\.log", os=OS.WINDOWS, log=True),
    Spec("windows_telemetry_log", r"windowsazure/logs/telemetry[^/]*\.log", os=OS.WINDOWS, log=True),
)
SNIFF_ORDER = 20
# a header's time (its seconds, then "]" or "Z"), then "[" and the level; or a health report's banner
SNIFF_HINT = r"\d:\d\d:\d\d(?:\.\d{1,7})?[\]Z][^\S\n]+\[|Microsoft Azure VM Health Report"

MAX_RECORD_LINES = 2000
MAX_RECORD_CHARS = 256 * 1024
MAX_REPORT_CHARS = 2 * 1024 * 1024
MAX_SERVICES = 500

_LEVEL_OF = {"INFO": "INFO", "HEART": "INFO", "WARN": "WARNING", "WARNING": "WARNING",
             "ERROR": "ERROR", "FATAL": "ERROR", "TRACE": "VERBOSE", "DEBUG": "VERBOSE",
             "VERBOSE": "VERBOSE"}
_LEVEL_NAMES = "|".join(_LEVEL_OF)
# a record's stamp: the thread id, then the time (blanks are those of one line: the skim's triggers look back
# from a line's text)
_STAMP = Lazy(
    r"(?:\[(?P<tid>[0-9A-Fa-f]{8})\][^\S\n]+)?"
    r"(?:\[(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}) (?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<f>\d{1,7}))?\]"
    r"|(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<f>\d{1,7}))?Z)")
_HEADER = Lazy(_STAMP.pattern + r"[^\S\n]+\[(?P<level>" + _LEVEL_NAMES + r")\]")
_BARE = Lazy(r"\[(?P<level>" + _LEVEL_NAMES + r")\]")
_REPORT = Lazy(
    r"=+\s*Microsoft Azure VM Health Report - (?P<edge>Start|End)\s+"
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:\.(?P<f>\d+))?")
_STARTING = Lazy(r"WindowsAzureGuestAgent starting\. Version (\d+(?:\.\d+)+)")
_AGENTS = ("GuestAgent", "RdAgent")
_AFTER_AGENT = r"(?:\.exe)?[\s,:(]{0,3}[Vv]ersion\s*:?\s*'?(\d+\.\d+\.\d+\.\d+)\b"
_VERSION = Lazy("(?:" + "|".join(_AGENTS) + ")" + _AFTER_AGENT)
_FABRIC = Lazy(r"Using fabric address (\d{1,3}(?:\.\d{1,3}){3}) from DHCP")
_HEART = "[HEART]"  # a heartbeat: a timed header with this in its first _HEART_WITHIN characters
_HEART_WITHIN = 64
_VMSNAPSHOT = "Microsoft.Azure.RecoveryServices.VMSnapshot"
_VMSNAPSHOT_WORD = "VMSnapshot"  # in every line that names the plugin's version
_VMSNAPSHOT_VERSION = Lazy(
    regex.escape(_VMSNAPSHOT) + r"(?:'?,?\s+version:?\s+'?|[\\/])(\d+(?:\.\d+){1,3})\b", regex.I)
_NOT_AGENT_FILE = Lazy(r"(?:^|[\\/])(?:transparentinstaller|telemetry|appagentruntime)[^\\/]*$", regex.I)
_ADAPTER = Lazy(
    r'\{\s*"name"\s*:\s*"(?P<name>(?:[^"\\]|\\.)*)"(?:[^{}\[\]]|\[[^\[\]]*\])*?'
    r'"ipProperties"\s*:\s*\[(?P<ips>[^\[\]]*)\]')
_FLAT_OBJECT = Lazy(r"\{[^{}\[\]]*\}")
_OS_FIELD = Lazy(r'"(osVersion|productName)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_DOTTED = Lazy(r"\d+(?:\.\d+)+")


def read_header(text: str) -> tuple[datetime | None, str, str | None] | None:
    """(time, level, thread id) of a line that starts a record, else None.

    >>> read_header('[0000000A] [07/04/2021 23:59:01.5] [WARN]  slow')
    (datetime.datetime(2021, 7, 4, 23, 59, 1, 500000, tzinfo=datetime.timezone.utc), 'WARNING', '0000000A')
    >>> read_header('[FATAL] no time here')
    (None, 'ERROR', None)
    >>> read_header('   at Some.Frame()') is None
    True
    """
    if text[:1] != "[" and not text[:1].isdigit():
        return None
    m = _HEADER.match(text)
    if m is not None:
        return _time(m), _LEVEL_OF[m["level"]], m["tid"]
    m = _BARE.match(text)
    if m is not None:
        return None, _LEVEL_OF[m["level"]], None
    return None


def _banner(text: str) -> regex.Match | None:
    """A health report's Start or End banner."""
    return _REPORT.match(text) if text[:1] == "=" else None


def _opens(head, banner: regex.Match | None) -> bool:
    """Whether a line with this header (``read_header``) and banner (``_banner``) opens a record."""
    return head is not None or banner is not None and banner["edge"] == "Start"


def is_record_start(line: str) -> bool:
    """True when ``line`` opens a record (the rule ``parse`` follows): a header or a report's Start banner.

    >>> is_record_start('[00000006] [03/04/2020 09:15:02.31] [INFO]  WindowsAzureGuestAgent starting.')
    True
    >>> is_record_start('========= Microsoft Azure VM Health Report - End 2024-10-02T17:45:00.2234567Z =========')
    False
    >>> is_record_start('   at Microsoft.WindowsAzure.GuestAgent.Example.Fetch()')
    False
    """
    return _opens(read_header(line), _banner(line))


def sniff(head: str) -> bool:
    """True when a line of ``head`` has a timed WaAppAgent header or a health report banner.

    >>> sniff('[00000004] [01/02/2020 03:04:05.06] [INFO]  x')
    True
    >>> sniff('2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x')
    False
    """
    for text in head.splitlines()[:40]:
        if text[:1] in ("[", "2") and _HEADER.match(text) or text[:1] == "=" and _REPORT.match(text):
            return True
    return False


class Entry:
    """A record being gathered: its physical lines within the size caps, blank lines at its end held back."""

    __slots__ = ("line", "time", "level", "component", "parts", "size", "blanks")

    def __init__(self, line: int, text: str, time: datetime | None = None,
                 level: str | None = None, component: str | None = None) -> None:
        self.line, self.time, self.level, self.component = line, time, level, component
        self.parts = [text]
        self.size = len(text)
        self.blanks: list[str] = []

    def fits(self, text: str) -> bool:
        """Whether ``text`` (with the blank lines held back) may still join this record."""
        return (len(self.parts) + len(self.blanks) < MAX_RECORD_LINES
                and self.size + len(text) + len(self.blanks) < MAX_RECORD_CHARS)

    def add(self, text: str) -> None:
        if not text.strip():
            self.blanks.append(text)
            return
        self.parts.extend(self.blanks)
        self.parts.append(text)
        self.size += sum(len(b) + 1 for b in self.blanks) + len(text) + 1
        self.blanks.clear()

    def record(self, path: str, local_time: bool = False) -> Record:
        return Record(path, self.line, "\n".join(self.parts), time=self.time, level=self.level,
                      component=self.component, local_time=local_time)


class _Report:
    """The JSON text of a health report block, kept up to ``MAX_REPORT_CHARS``."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        if self.size < MAX_REPORT_CHARS:
            self.parts.append(text)
            self.size += len(text)


class _State:
    def __init__(self) -> None:
        self.last: tuple[datetime, int] | None = None


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per log entry or health report block and set facts.

    >>> ctx = context('WindowsAzure/Logs/WaAppAgent.log')
    >>> data = (b'[00000013] [11/20/2021 10:00:00.12] [ERROR] boom\\n   at A.B()\\n\\n'
    ...         b'[00000014] 2021-11-20T10:00:01Z [HEART] WindowsAzureGuestAgent Heartbeat.\\n')
    >>> [(r.line, r.level, r.component, r.message.count('\\n')) for r in parse(io.BytesIO(data), ctx)]
    [(1, 'ERROR', '00000013', 1), (4, 'INFO', '00000014', 0)]
    >>> ctx.facts.value('agent_last_heartbeat').isoformat()
    '2021-11-20T10:00:01+00:00'
    """
    state = _State()
    entry: Entry | None = None
    report: _Report | None = None
    for number, raw in ctx.lines(stream):
        text = redact_sas(raw)
        head = read_header(text)
        banner = _banner(text)
        if report is not None:
            joins = head is None and (banner is None or banner["edge"] == "End") and entry.fits(text)
            if joins:
                entry.add(text)
                if banner is None:
                    report.add(text)
                    continue
            yield _close_report(ctx, entry, report)
            entry = report = None
            if joins:
                continue
            if head is None and banner is None:
                entry = Entry(number, text) if text.strip() else None
                continue
        if _opens(head, banner):
            if entry is not None:
                yield entry.record(ctx.path)
            if head is not None:
                entry = Entry(number, text, *head)
                _line_facts(ctx, entry, text, state)
            else:
                entry, report = Entry(number, text, _time(banner), "INFO"), _Report()
            continue
        if entry is not None and entry.fits(text):
            entry.add(text)
            continue
        if entry is not None:
            yield entry.record(ctx.path)
            entry = Entry(number, text) if text.strip() else None
        elif text.strip():
            yield Entry(number, text).record(ctx.path)
    if report is not None:
        yield _close_report(ctx, entry, report)
    elif entry is not None:
        yield entry.record(ctx.path)
    if state.last is not None and _NOT_AGENT_FILE.search(ctx.path) is None:
        ctx.fact("agent_last_record", state.last[0], state.last[1], state.last[0])


def stamp_time(stamp: str) -> datetime | None:
    """The time a record's stamp (its thread id and time, as ``SKIM.start`` finds them) says; None when a field
    is out of range.

    >>> stamp_time('[0000000B] 2026-11-01T00:00:19.436Z').isoformat()
    '2026-11-01T00:00:19.436000+00:00'
    >>> stamp_time('[11/20/2021 10:00:00.12]').minute, stamp_time('2026-13-01T00:00:00Z')
    (0, None)
    """
    m = _STAMP.fullmatch(stamp)
    return None if m is None else _time(m)


def _time(m: regex.Match) -> datetime | None:
    y, mo, d, h, mi, s, f = m.group("y", "mo", "d", "h", "mi", "s", "f")
    return utc(int(y), int(mo), int(d), int(h), int(mi), int(s), micros(f))


def _line_facts(ctx: ParseContext, entry: Entry, text: str, state: _State) -> None:
    time, line = entry.time, entry.line
    if time is not None and (state.last is None or time >= state.last[0]):
        state.last = (time, line)
    if _HEART in text[:_HEART_WITHIN] and time is not None:
        ctx.fact("agent_last_heartbeat", time, line, time)
    if "starting." in text and (m := _STARTING.search(text)):
        ctx.fact("agent_version", m[1], line, time)
        if time is not None:
            ctx.fact("agent_start_time", time, line, time)
    elif "ersion" in text and "Agent" in text and (m := _VERSION.search(text)):
        ctx.fact("agent_version", m[1], line, time)
    if "fabric address" in text and (m := _FABRIC.search(text)):
        ctx.fact("wireserver_endpoint", m[1], line, time)
    if _VMSNAPSHOT_WORD in text and (m := _VMSNAPSHOT_VERSION.search(text)):
        ctx.fact("extension_name", _VMSNAPSHOT, line, time)
        ctx.fact("extension_version", m[1], line, time)


def _close_report(ctx: ParseContext, entry: Entry, report: _Report) -> Record:
    record = entry.record(ctx.path)
    adapters, services, system = _report_content("".join(report.parts))
    line, time = entry.line, entry.time
    if adapters is not None:
        ctx.fact("dhcp_disabled_adapters", adapters, line, time)
    if services:
        ctx.fact("agent_services", services, line, time)
    os_version, product = (v if isinstance(v, str) and v else None
                           for v in (system.get("osVersion"), system.get("productName")))
    if product or os_version:
        ctx.fact("os_name", product or os_version, line, time)
    if os_version and (m := _DOTTED.search(os_version)):
        ctx.fact("os_version", m[0], line, time)
    return record


def _report_content(text: str) -> tuple[list[str] | None, dict[str, str], dict]:
    """(DHCP-disabled adapters or None when no adapter was readable, service states,
    ``systemInfo.windows``)."""
    doc = _json_object(text)
    if doc is not None:
        adapters = [(a.get("name"), a.get("ipProperties")) for a in _list(doc.get("networkAdapters"))
                    if isinstance(a, dict)]
        services = _list(doc.get("services"))
        info = doc.get("systemInfo")
        system = info.get("windows") if isinstance(info, dict) else None
    else:
        adapters = [(_unescape(m["name"]), _flat_objects(m["ips"])) for m in _ADAPTER.finditer(text)]
        services = [o for o in _flat_objects(text) if "state" in o and "name" in o]
        system = {m[1]: _unescape(m[2]) for m in _OS_FIELD.finditer(text)}
    return _dhcp_disabled(adapters), _service_states(services), system if isinstance(system, dict) else {}


def _json_object(text: str) -> dict | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        doc, _ = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _flat_objects(text: str) -> list[dict]:
    found = []
    for m in _FLAT_OBJECT.finditer(text):
        try:
            value = json.loads(m[0])
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def _unescape(text: str) -> str:
    try:
        return json.loads('"' + text + '"')
    except ValueError:
        return text


def _dhcp_disabled(adapters: list[tuple]) -> list[str] | None:
    disabled: list[str] = []
    seen = False
    for name, ips in adapters:
        if not isinstance(name, str):
            continue
        routable = [ip for ip in _list(ips) if isinstance(ip, dict) and _routable_ipv4(ip)]
        seen = seen or bool(routable)
        if any(ip.get("isDhcpEnabled") is False for ip in routable) and name not in disabled:
            disabled.append(name)
    return disabled if seen else None


def _routable_ipv4(ip: dict) -> bool:
    try:
        address = ipaddress.ip_address(str(ip.get("address", "")).split("%")[0])
    except ValueError:
        return False
    return address.version == 4 and not (address.is_loopback or address.is_link_local)


def _service_states(services: list) -> dict[str, str]:
    states: dict[str, str] = {}
    for service in services[:MAX_SERVICES]:
        if isinstance(service, dict) and isinstance(service.get("name"), str) and isinstance(service.get("state"), str):
            states[service["name"]] = service["state"]
    return states


# A line that opens with a header (looked back at from a trigger's literal, so a piece's lines that hold the
# literal but no fact cost one short search each)
_AT_HEADER = r"(?<![^\n])(?:" + _HEADER.pattern + "|" + _BARE.pattern + r")[^\n]*"
SKIM = Skim(
    is_start=is_record_start,
    every=(_STARTING.pattern, _FABRIC.pattern, r"Microsoft Azure VM Health Report - Start", r"\[FATAL\]",
           *ERROR_WORDS),
    latest=(
        r"(?<![^\n])(?=" + _HEADER.pattern + r")[^\n]{0,%d}" % (_HEART_WITHIN - len(_HEART)) + regex.escape(_HEART),
        "|".join(name + _AFTER_AGENT + "(?<=" + _AT_HEADER + ")" for name in _AGENTS),
        _VMSNAPSHOT_WORD + "(?<=(?=[^\\n]*?(?i:" + _VMSNAPSHOT_VERSION.pattern + "))" + _AT_HEADER + ")",
    ),
    # ``_HEADER`` (which opens a record whatever its date holds) for raw bytes and Python's ``re``: ASCII digits
    # only (a sufficient condition: other lines are asked ``is_record_start``). The stamp of an ISO-dated record
    # is its thread id (the head: a folded copy has the same) and its time; a month-first date does not sort as
    # its time does, so such a record has none (it is not folded)
    start=r"(?:(?P<stamp>(?P<head>\[[0-9A-Fa-f]{8}\][^\S\n]+)?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z)"
          r"|(?:\[[0-9A-Fa-f]{8}\][^\S\n]+)?\[\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}(?:\.\d{1,7})?\])"
          r"[^\S\n]+\[(?:" + _LEVEL_NAMES + r")\]",
    time_of=stamp_time,
    stamp_chars="0123456789-:. TZ[]",
)
