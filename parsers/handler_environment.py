"""The agent's handler environment file: ``<Name>-<ver>/HandlerEnvironment.json``.

Declares ``SPECS`` (handler_environment: Linux and Windows extension directories).

A JSON array, one element per handler: ``{"name", "version": 1.0 (schema
version), "handlerEnvironment": {"logFolder", "configFolder",
"statusFolder", "heartbeatFile", "eventsFolder", "eventsFolder_preview"}}``.
The extension reads its log and status folders from it.

One record per element, on line 1, component = the handler name:
``HandlerEnvironment name=<name> logFolder=<dir> configFolder=<dir>
statusFolder=<dir> heartbeatFile=<file> eventsFolder=<dir>`` (keys absent
from the file are left out). Facts ``extension_name`` and
``extension_version`` from the folder name when it is the VMSnapshotLinux
handler's.

Sample input::

    [{"name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "version": 1.0,
      "handlerEnvironment": {
          "logFolder": "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux",
          "statusFolder": "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/status"}}]
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import Record
from azlog_vmbackup.parsers import ext_json
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("handler_environment", r"[^/]+-\d+(?:\.\d+)+/handlerenvironment\.json"),
    Spec("handler_environment", r"packages/plugins/[^/]+/[^/]+/handlerenvironment\.json"),
)

KEYS = ("logFolder", "configFolder", "statusFolder", "heartbeatFile", "eventsFolder")


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a ``HandlerEnvironment`` record per handler entry.

    >>> ctx = context('Foo-1.0/HandlerEnvironment.json')
    >>> doc = b'[{"name": "Foo", "handlerEnvironment": {"logFolder": "/var/log/azure/Foo"}}]'
    >>> [r.message for r in parse(io.BytesIO(doc), ctx)]
    ['HandlerEnvironment name=Foo logFolder=/var/log/azure/Foo']
    """
    doc = ext_json.load(stream, ctx)
    if doc is None:
        return
    entries = doc if isinstance(doc, list) else [doc]
    if not entries or not all(isinstance(e, dict) for e in entries):
        ctx.problem("not a JSON array of handler environment objects")
        entries = [e for e in entries if isinstance(e, dict)]
    for entry in entries:
        yield _record(entry, ctx)
    found = ext_json.vmsnapshot_dir(ctx.path)
    if found:
        ctx.fact("extension_name", found[0], line=1)
        ctx.fact("extension_version", found[1], line=1)


def _record(entry: dict, ctx: ParseContext) -> Record:
    name = ext_json.field(entry, "name", str, ctx, "HandlerEnvironment")
    env = ext_json.field(entry, "handlerEnvironment", dict, ctx, "HandlerEnvironment")
    if env is None:
        ctx.problem("HandlerEnvironment entry has no handlerEnvironment object")
        env = {}
    parts = [f"name={ext_json.one_line(name)}"]
    parts += [f"{key}={ext_json.one_line(env[key])}" for key in KEYS if env.get(key) is not None]
    return ctx.record(1, "HandlerEnvironment " + " ".join(parts), level="INFO", component=name)
