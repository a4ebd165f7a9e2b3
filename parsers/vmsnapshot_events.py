"""events/*.json of the Linux backup extension: telemetry events the agent has not collected yet.

Declares ``SPECS`` (vmsnapshot_events).

Each file is a JSON array of events (``Version``, ``Timestamp``, ``TaskName``,
``EventLevel``, ``Message``, ``OperationId``...). ``Message`` packs several log
messages, each ``<UTC iso time>\\t[<Level>]:\\t<text> \\n``; a text may span
lines (tracebacks). A message too long for one event is cut into pieces
written as ``<UTC iso time> [i/n] <piece>``. Every message becomes a record
with its own time and level, ``line`` 1, the event's ``TaskName`` as component.
An event whose ``Message`` holds no such item gives one record with the
event's own time and level.

Facts: ``extension_name`` and ``extension_version`` (from ``Version``).

Sample input::

    [{"Version": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0",
      "Timestamp": "2025-03-04T08:15:20.511116", "TaskName": "Enable", "EventLevel": "Info",
      "Message": "2025-03-04T08:15:03.166674\\t[Error]:\\tunable to detect disk topology \\n",
      "EventPid": "4242", "EventTid": "140197037039680", "OperationId": "5d0c7a4e-3f0b-4a55-9d8e-0b7f5b1f2c11"}]
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, read_text, utc
from azlog_vmbackup.parsers.base import VMSNAP_LOG, Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("vmsnapshot_events", VMSNAP_LOG + r"events/[^/]+\.json", os=OS.LINUX),
)

_ISO = (r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
        r"(?:\.(?P<f>\d{1,9}))?(?:Z|[+-]00:?00)?")
_ITEM = Lazy(r"^" + _ISO + r"(?:\t\[(?P<lvl>[A-Za-z]+)\]:\t| \[\d+/\d+\] )", regex.M)
_STAMP = Lazy(_ISO + r"\s*$")
_VERSION = Lazy(r"(?P<name>.+)-(?P<ver>\d+(?:\.\d+)+)$")
_LEVELS = {"info": "INFO", "informational": "INFO", "warning": "WARNING", "error": "ERROR",
           "critical": "ERROR", "verbose": "VERBOSE"}


def _time(m) -> datetime | None:
    return utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]),
               micros(m["f"]))


def _level(name) -> str | None:
    return _LEVELS.get(name.lower()) if isinstance(name, str) else None


def _stamp(value) -> datetime | None:
    """The event's own ``Timestamp``.

    >>> _stamp('2025-03-04T08:15:20.511116').isoformat()
    '2025-03-04T08:15:20.511116+00:00'
    >>> _stamp(12) is None
    True
    """
    if not isinstance(value, str):
        return None
    m = _STAMP.match(value)
    return _time(m) if m else None


def _items(event: dict, ctx: ParseContext) -> Iterator[Record]:
    message = event.get("Message")
    component = event.get("TaskName") if isinstance(event.get("TaskName"), str) else None
    if not isinstance(message, str):
        return
    starts = list(_ITEM.finditer(message))
    if not starts:
        text = message.strip()
        if text:
            yield Record(ctx.path, 1, redact_sas(text), _stamp(event.get("Timestamp")),
                         _level(event.get("EventLevel")), component)
        return
    for m, following in zip(starts, starts[1:] + [None], strict=True):
        end = following.start() if following else len(message)
        text = message[m.end():end].rstrip()
        yield Record(ctx.path, 1, redact_sas(text), _time(m), _level(m["lvl"]), component)


def _version_facts(event: dict, ctx: ParseContext) -> None:
    version = event.get("Version")
    m = _VERSION.match(version) if isinstance(version, str) else None
    if m:
        time = _stamp(event.get("Timestamp"))
        ctx.fact("extension_name", m["name"], line=1, time=time)
        ctx.fact("extension_version", m["ver"], line=1, time=time)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per message packed in the events of the file.

    >>> ctx = context('events/1.json')
    >>> data = (b'[{"TaskName": "Enable",'
    ...         b' "Message": "2025-03-04T08:15:03.166674\\\\t[Error]:\\\\tunable to detect disk topology \\\\n"}]')
    >>> [(r.time.isoformat(), r.level, r.component, r.message) for r in parse(io.BytesIO(data), ctx)]
    [('2025-03-04T08:15:03.166674+00:00', 'ERROR', 'Enable', 'unable to detect disk topology')]
    """
    try:
        events = json.loads(read_text(stream))
    except (ValueError, RecursionError) as exc:
        ctx.problem(f"not a readable events file: {str(exc)[:200]}")
        return
    if isinstance(events, dict):
        events = [events]
    if not isinstance(events, list):
        ctx.problem("events file is not a JSON array")
        return
    for event in events:
        if not isinstance(event, dict):
            ctx.problem("events file holds an entry that is not an object")
            continue
        _version_facts(event, ctx)
        yield from _items(event, ctx)
