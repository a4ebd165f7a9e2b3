"""Build small, valid Windows XML Event Log (.evtx) files for the tests.

The layout follows the public EVTX format description: a 4 KiB file header
("ElfFile\\0", CRC32 of its first 120 bytes), then 64 KiB chunks ("ElfChnk\\0",
a 512-byte header whose CRC32 covers bytes 0-120 and 128-512, and a CRC32 of
the event records from offset 512 to the free-space offset). Each event record
("**\\0\\0", size, record id, FILETIME, BinXML, size again) holds one BinXML
fragment made of plain elements, attributes and string values, with no
templates: an element start is the token, the data size and a name offset
(no dependency identifier, as the ``evtx`` package reads elements outside
templates), and every name is stored inline right after the offset that
points to it. Values are written as strings, so they read back verbatim.

Sample use::

    data = write_evtx([[Event(7031, "Service Control Manager", 2, "System",
                              datetime(2024, 3, 7, 10, 26, 3, tzinfo=timezone.utc),
                              [("param1", "Windows Azure Guest Agent")])]])
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

FILE_HEADER_SIZE = 4096
CHUNK_SIZE = 65536
CHUNK_HEADER_SIZE = 512
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
_EPOCH_1601 = datetime(1601, 1, 1, tzinfo=timezone.utc)

Node = tuple  # (name, attributes: list[(name, value)], children: list[Node | str])


@dataclass
class Event:
    """One event: System fields plus EventData ``(name or None, value)`` pairs."""

    event_id: int
    provider: str
    level: int
    channel: str
    time: datetime
    data: list[tuple[str | None, str]] = field(default_factory=list)
    computer: str = "vm-backup-01"
    qualifiers: int | None = None
    binary: str | None = None
    user_data: Node | None = None

    def tree(self) -> Node:
        """The event as a node tree, in the element order Windows writes."""
        qualifiers = [("Qualifiers", str(self.qualifiers))] if self.qualifiers is not None else []
        system = ("System", [], [
            ("Provider", [("Name", self.provider)], []),
            ("EventID", qualifiers, [str(self.event_id)]),
            ("Level", [], [str(self.level)]),
            ("TimeCreated", [("SystemTime", _system_time(self.time))], []),
            *([("Channel", [], [self.channel])] if self.channel else []),
            ("Computer", [], [self.computer]),
        ])
        if self.user_data is not None:
            body = ("UserData", [], [self.user_data])
        else:
            items = [("Data", [("Name", n)] if n else [], [v]) for n, v in self.data]
            if self.binary is not None:
                items.append(("Binary", [], [self.binary]))
            body = ("EventData", [], items)
        return ("Event", [("xmlns", EVENT_NS)], [system, body])


def write_evtx(chunks: list[list[Event]]) -> bytes:
    """An .evtx file with one chunk per inner list; record ids count from 1 across chunks."""
    out = []
    record_id = 1
    for events in chunks:
        out.append(chunk_bytes(events, record_id))
        record_id += len(events)
    return file_header(len(chunks), record_id) + b"".join(out)


def file_header(chunk_count: int, next_record_id: int) -> bytes:
    """The 4 KiB file header, checksum included."""
    head = b"ElfFile\x00" + struct.pack("<QQQIHHHH", 0, max(chunk_count - 1, 0), next_record_id,
                                        128, 1, 3, FILE_HEADER_SIZE, chunk_count)
    head = head.ljust(120, b"\x00") + struct.pack("<I", 0)
    head += struct.pack("<I", zlib.crc32(head[:120]))
    return head.ljust(FILE_HEADER_SIZE, b"\x00")


def chunk_bytes(events: list[Event], first_id: int) -> bytes:
    """One 64 KiB chunk holding ``events``, numbered from ``first_id``."""
    records = b""
    last_offset = CHUNK_HEADER_SIZE
    for number, event in enumerate(events):
        last_offset = CHUNK_HEADER_SIZE + len(records)
        records += event_record(event, first_id + number, last_offset)
    free = CHUNK_HEADER_SIZE + len(records)
    if free > CHUNK_SIZE:
        raise ValueError("events do not fit in one chunk")
    last_id = first_id + len(events) - 1
    head = b"ElfChnk\x00" + struct.pack("<QQQQIIII", first_id, last_id, first_id, last_id,
                                        128, last_offset, free, zlib.crc32(records))
    head = head.ljust(120, b"\x00") + struct.pack("<I", 0)
    tables = bytes(CHUNK_HEADER_SIZE - 128)
    checksum = zlib.crc32(head[:120] + tables)
    chunk = head + struct.pack("<I", checksum) + tables + records
    return chunk.ljust(CHUNK_SIZE, b"\x00")


def event_record(event: Event, record_id: int, offset: int) -> bytes:
    """An event record placed at chunk offset ``offset``."""
    body = b"\x0f\x01\x01\x00"
    body += _element(event.tree(), offset + 24 + len(body)) + b"\x00"
    size = 24 + len(body) + 4
    return (b"\x2a\x2a\x00\x00" + struct.pack("<IQQ", size, record_id, _filetime(event.time))
            + body + struct.pack("<I", size))


def _element(node: Node, at: int) -> bytes:
    """BinXML for ``node`` starting at chunk offset ``at``."""
    name, attributes, children = node
    token = 0x41 if attributes else 0x01
    rest = _name(name, at + 5)
    if attributes:
        listed = b""
        start = at + 5 + len(rest) + 4
        for index, (attr, value) in enumerate(attributes):
            more = 0x46 if index < len(attributes) - 1 else 0x06
            item = bytes([more]) + struct.pack("<I", start + len(listed) + 5)
            item += _name_body(attr) + _text(value)
            listed += item
        rest += struct.pack("<I", len(listed)) + listed
    if children:
        rest += b"\x02"
        for child in children:
            if isinstance(child, str):
                rest += _text(child)
            else:
                rest += _element(child, at + 5 + len(rest))
        rest += b"\x04"
    else:
        rest += b"\x03"
    return bytes([token]) + struct.pack("<I", len(rest)) + rest


def _name(name: str, at: int) -> bytes:
    """A name offset (itself at chunk offset ``at``) pointing right after itself, then the name."""
    return struct.pack("<I", at + 4) + _name_body(name)


def _name_body(name: str) -> bytes:
    units = name.encode("utf-16-le")
    return struct.pack("<IHH", 0, _name_hash(units), len(units) // 2) + units + b"\x00\x00"


def _name_hash(units: bytes) -> int:
    value = 0
    for unit in struct.unpack(f"<{len(units) // 2}H", units):
        value = (value * 65599 + unit) & 0xFFFFFFFF
    return value & 0xFFFF


def _text(value: str) -> bytes:
    units = value.encode("utf-16-le")
    return b"\x05\x01" + struct.pack("<H", len(units) // 2) + units


def _filetime(t: datetime) -> int:
    return (t - _EPOCH_1601) // timedelta(microseconds=1) * 10


def _system_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
