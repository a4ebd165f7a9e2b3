"""Binary Windows event logs (.evtx: System, Application, Windows Azure and friends).

Declares ``SPECS`` (windows_event_log).

The file is decoded with the ``evtx`` package (pyevtx-rs) into one XML document
per event; each event becomes one record in the normalised Windows event shape
shared with the event-export parser::

    EventID=<id> Provider=<name> Level=<level name> Channel=<log> | <values>

An .evtx file stores no rendered message text, so ``<values>`` are the
EventData (or UserData) values in document order, joined with `` | ``; line
breaks inside a value become `` | `` as well. A ``Binary`` value is kept only
when it is UTF-16 text (Service Control Manager stores the service key name
there). ``time`` is TimeCreated (UTC), ``line`` the event's ordinal in the file
(1, 2, 3...) and ``component`` the provider name.

A file that is not EVTX gives a problem and no records; a truncated file or a
corrupt chunk or record gives a problem and the events that could be read.

Sample input (one event as the library renders it)::

    <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
      <System>
        <Provider Name="Service Control Manager"/>
        <EventID Qualifiers="49152">7031</EventID>
        <Level>2</Level>
        <TimeCreated SystemTime="2024-03-07T10:26:03.541200Z"/>
        <Channel>System</Channel>
        <Computer>vm-backup-01</Computer>
      </System>
      <EventData>
        <Data Name="param1">Windows Azure Guest Agent</Data>
        <Data Name="param2">1</Data>
        <Data Name="param5">Restart the service</Data>
      </EventData>
    </Event>
"""
from __future__ import annotations

import io
import warnings
from datetime import datetime
from typing import BinaryIO, Iterator

from evtx import PyEvtxParser
from lxml import etree

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("windows_event_log", r"[^/]+\.evtx", os=OS.WINDOWS),
)

LIMIT = 256 << 20
FILE_HEADER = 4096
CHUNK = 65536
MAGIC = b"ElfFile\x00"
MAX_PROBLEMS = 10
LEVELS = {"0": ("Information", "INFO"), "1": ("Critical", "ERROR"), "2": ("Error", "ERROR"),
          "3": ("Warning", "WARNING"), "4": ("Information", "INFO"), "5": ("Verbose", "VERBOSE")}
_TIME = Lazy(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?")
_NEWLINES = Lazy(r"\r\n|\r|\n")
_HEX = Lazy(r"(?:[0-9A-Fa-f]{4})+")
_LIBRARY_PREFIX = Lazy(r"^(?:Skipping EVTX data: )?(?:RuntimeError: )?")
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                       huge_tree=False, dtd_validation=False)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per event in the file.

    >>> ctx = context('System.evtx')
    >>> list(parse(io.BytesIO(b'MZ not an event log'), ctx)), ctx.problems
    ([], ['not an EVTX file (no ElfFile signature)'])
    """
    data = _load(stream, ctx)
    if data is None:
        return
    for ordinal, (xml, written) in enumerate(_documents(data, ctx), 1):
        record = _record(ctx, ordinal, xml, written)
        if record is None:
            ctx.problem(f"event {ordinal}: unreadable event XML; skipped")
        else:
            yield record


def _load(stream: BinaryIO, ctx: ParseContext) -> bytes | None:
    """The file's bytes, a partial last chunk padded to full size; None when not EVTX."""
    data = stream.read(LIMIT + 1)
    if len(data) > LIMIT:
        ctx.problem(f"event log larger than {LIMIT} bytes; only the first {LIMIT} bytes read")
        data = data[:LIMIT]
    if not data.startswith(MAGIC):
        ctx.problem("not an EVTX file (no ElfFile signature)")
        return None
    partial = (len(data) - FILE_HEADER) % CHUNK if len(data) > FILE_HEADER else 0
    if partial:
        ctx.problem(f"truncated event log: the file ends inside chunk {(len(data) - FILE_HEADER) // CHUNK + 1}")
        data += bytes(CHUNK - partial)
    return data


def _documents(data: bytes, ctx: ParseContext) -> Iterator[tuple[str, str]]:
    """(event XML, written time) per record the library can decode; its complaints become problems."""
    reported = 0
    try:
        records = PyEvtxParser(io.BytesIO(data), number_of_threads=1, skip_errors=True).records()
    except (RuntimeError, OSError, ValueError) as e:
        ctx.problem(f"unreadable event log: {_reason(str(e))}")
        return
    while True:
        failure = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                item = next(records, None)
            except (RuntimeError, OSError, ValueError) as e:
                item, failure = None, e
        complaints = [str(w.message) for w in caught] + ([str(failure)] if failure else [])
        for complaint in complaints:
            reported += 1
            if reported <= MAX_PROBLEMS:
                ctx.problem(f"corrupt event log data skipped: {_reason(complaint)}")
        if item is None:
            break
        yield item.get("data") or "", item.get("timestamp") or ""
    if reported > MAX_PROBLEMS:
        ctx.problem(f"{reported - MAX_PROBLEMS} more corrupt parts of the event log skipped")


def _reason(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return _LIBRARY_PREFIX.sub("", first)[:300]


def _record(ctx: ParseContext, ordinal: int, xml: str, written: str) -> Record | None:
    try:
        root = etree.fromstring(xml.encode("utf-8"), _XML)
    except (etree.XMLSyntaxError, ValueError):
        return None
    system = _child(root, "System")
    if system is None:
        return None
    provider_element = _child(system, "Provider")
    provider = ""
    if provider_element is not None:
        provider = provider_element.get("Name") or provider_element.get("EventSourceName") or ""
    level_name, level = _level(_text(_child(system, "Level")))
    created = _child(system, "TimeCreated")
    stamp = created.get("SystemTime", "") if created is not None else ""
    message = summary(_text(_child(system, "EventID")), provider, level_name,
                      _text(_child(system, "Channel")), _values(root))
    return Record(ctx.path, ordinal, redact_sas(message), time=_time(stamp) or _time(written),
                  level=level, component=provider or None)


def summary(event_id: str, provider: str, level: str, channel: str, values: list[str]) -> str:
    """The one-line normalised event text.

    >>> summary('7031', 'Service Control Manager', 'Error', 'System', ['Windows Azure Guest Agent', '1'])
    'EventID=7031 Provider=Service Control Manager Level=Error Channel=System | Windows Azure Guest Agent | 1'
    >>> summary('1000', 'Application Error', 'Error', '', [])
    'EventID=1000 Provider=Application Error Level=Error'
    """
    head = f"EventID={event_id} Provider={provider} Level={level}"
    if channel:
        head += f" Channel={channel}"
    return " | ".join([head, *values])


def _level(value: str) -> tuple[str, str | None]:
    """(level name, record level) for the numeric event level.

    >>> _level('2'), _level('4'), _level('17')
    (('Error', 'ERROR'), ('Information', 'INFO'), ('17', None))
    """
    return LEVELS.get(value, (value, None))


def _values(root: etree._Element) -> list[str]:
    """Text of each leaf element under EventData or UserData, lines split apart, in document order."""
    body = _child(root, "EventData")
    if body is None:
        body = _child(root, "UserData")
    if body is None:
        return []
    values = []
    for element in body.iter(etree.Element):
        if element is body or len(element):
            continue
        text = "".join(element.itertext()).strip()
        if etree.QName(element).localname == "Binary":
            text = _binary_text(text)
        values.extend(line.strip() for line in _NEWLINES.split(text) if line.strip())
    return values


def _binary_text(value: str) -> str:
    """Hex event data decoded as UTF-16 text, or '' when it is not text.

    >>> _binary_text('570061004700750065007300740000000000'), _binary_text('0A00FF00')
    ('WaGuest', '')
    """
    if not _HEX.fullmatch(value):
        return ""
    text = bytes.fromhex(value).decode("utf-16-le", errors="replace").rstrip("\x00")
    return text if text.isprintable() else ""


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    for child in element.iterchildren(etree.Element):
        if etree.QName(child).localname == name:
            return child
    return None


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _time(value: str) -> datetime | None:
    m = _TIME.search(value)
    if m is None:
        return None
    return utc(*(int(g) for g in m.groups()[:6]), micros(m[7]))
