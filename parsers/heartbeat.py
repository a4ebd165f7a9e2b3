"""An extension's heartbeat file: ``<Name>-<ver>/heartbeat.log``.

Declares ``SPECS`` (heartbeat: Linux heartbeat.log, Windows HeartBeat.Json).

Written by extensions that declare ``reportHeartbeat`` in their manifest:
``[{"version": 1.0, "heartbeat": {"status", "code", "formattedMessage":
{"lang", "message"}}}]``. The agent marks a handler Unresponsive when the
file is older than ten minutes; the file itself says what the extension last
reported.

One record per element, on line 1, component = the handler name from the
folder: ``heartbeat status=<status> code=<code> message=<text>``; level INFO
for ``ready``, ERROR for ``error``, WARNING otherwise.

Sample input::

    [{"version": 1.0, "heartbeat": {"status": "ready", "code": 0,
      "formattedMessage": {"lang": "en-US", "message": "Extension is running"}}}]
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import Record
from azlog_vmbackup.parsers import ext_json
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("heartbeat", r"[^/]+-\d+(?:\.\d+)+/heartbeat\.log"),
    Spec("heartbeat", r"packages/plugins/[^/]+/[^/]+/status/heartbeat\.json"),
)

_LEVELS = {"ready": "INFO", "error": "ERROR"}


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a ``heartbeat`` record per entry.

    >>> ctx = context('Foo-1.0/heartbeat.log')
    >>> doc = (b'[{"version": 1.0, "heartbeat": {"status": "notready", "code": 3,'
    ...        b' "formattedMessage": {"message": "busy"}}}]')
    >>> [(r.message, r.level, r.component) for r in parse(io.BytesIO(doc), ctx)]
    [('heartbeat status=notready code=3 message=busy', 'WARNING', 'Foo')]
    """
    doc = ext_json.load(stream, ctx)
    if doc is None:
        return
    entries = doc if isinstance(doc, list) else [doc]
    found = ext_json.extension_dir(ctx.path)
    component = found[0] if found else None
    for entry in entries:
        beat = entry.get("heartbeat") if isinstance(entry, dict) else None
        if not isinstance(beat, dict):
            ctx.problem("heartbeat entry has no heartbeat object")
            continue
        status = ext_json.field(beat, "status", str, ctx, "heartbeat")
        code = ext_json.field(beat, "code", (int, str), ctx, "heartbeat")
        message = ext_json.message_of(beat.get("formattedMessage"))
        yield ctx.record(1, f"heartbeat status={ext_json.one_line(status)} code={ext_json.one_line(code)} "
                            f"message={ext_json.one_line(message)}",
                         level=_LEVELS.get((status or "").lower(), "WARNING"), component=component)
