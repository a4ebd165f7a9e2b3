"""The agent's handler status file: ``<Name>-<ver>/config/HandlerStatus``.

Declares ``SPECS`` (handler_status).

JSON object ``{"name", "version", "status": "Ready"|"NotReady", "code": int,
"message": str, "supports_multi_config", "extension_status"}`` (agents 2.2.x
write ``"extensions": []`` instead of the last two). Handler-level failures
(download, install, enable) land here with codes 1000-1012.

One record ``HandlerStatus=<status> code=<code> message=<text>`` on line 1,
component = the handler name, level ERROR when not ``Ready``. Facts
``handler_status``, ``handler_status_code``, ``handler_status_message`` for
the VMSnapshotLinux handler.

Sample input::

    {"name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "version": "1.0.9225.0",
     "status": "NotReady", "code": 1009, "message": "Enable failed: exit code 1",
     "supports_multi_config": false, "extension_status": null}
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import Record
from azlog_vmbackup.parsers import ext_json
from azlog_vmbackup.parsers.base import EXT_DIR, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("handler_status", EXT_DIR + r"config/handlerstatus"),
)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield the ``HandlerStatus=`` record; set the handler facts for VMSnapshotLinux.

    >>> ctx = context('Foo.Bar-1.2/config/HandlerStatus')
    >>> doc = b'{"name": "Foo.Bar", "status": "Ready", "code": 0, "message": "ok"}'
    >>> [(r.message, r.level, r.component) for r in parse(io.BytesIO(doc), ctx)]
    [('HandlerStatus=Ready code=0 message=ok', 'INFO', 'Foo.Bar')]
    """
    doc = ext_json.load(stream, ctx)
    if doc is None:
        return
    if not isinstance(doc, dict):
        ctx.problem("not a JSON object")
        return
    name = ext_json.field(doc, "name", str, ctx, "HandlerStatus")
    status = ext_json.field(doc, "status", str, ctx, "HandlerStatus")
    code = ext_json.field(doc, "code", (int, str), ctx, "HandlerStatus")
    message = ext_json.field(doc, "message", str, ctx, "HandlerStatus")
    if status is None:
        ctx.problem("HandlerStatus has no status")
    found = ext_json.extension_dir(ctx.path)
    level = "INFO" if status == "Ready" else "ERROR"
    yield ctx.record(1, f"HandlerStatus={ext_json.one_line(status)} code={ext_json.one_line(code)} "
                        f"message={ext_json.one_line(message)}",
                     level=level, component=name or (found[0] if found else None))
    if ext_json.is_vmsnapshot(name) or ext_json.vmsnapshot_dir(ctx.path):
        _facts(ctx, status, ext_json.as_int(code), message)


def _facts(ctx: ParseContext, status: str | None, code: int | None, message: str | None) -> None:
    for name, value in (("handler_status", status), ("handler_status_code", code),
                        ("handler_status_message", redact_sas(message) if message is not None else None)):
        if value is not None:
            ctx.fact(name, value, line=1)
