"""The agent's status snapshot ``waagent_status.json`` (root, ``.<incarnation>`` or ``history/``).

Declares ``SPECS`` (waagent_status_json, and Windows aggregate_status).

Four generations share the name:

* about 2.2.35-2.4: a local info file ``{"agent_name", "current_version",
  "goal_state_version", "distro_details": "ubuntu:18.04",
  "last_successful_status_upload_time", "python_version": "Python: 3.6.9",
  "extensions_status": [{"name", "version", "status"}]}``;
* 2.5-2.7: the status blob sent to the host plus ``_metadataNotSentToCRP``
  (``daemonVersion``, ``pythonVersion``...);
* 2.8-2.9: ``{"__comment__", "__status__": <status blob>, "__debug__": {...}}``;
* 2.10 and later: the raw status blob, or ``{}`` (nothing to report: no
  records, no problem).

Status blob: ``{version, timestampUTC, aggregateStatus: {guestAgentStatus,
handlerAggregateStatus: [...], vmArtifactsAggregateStatus:
{goalStateAggregateStatus}}, guestOSInfo, supportedFeatures}``.

Records (line 1, time = the blob's ``timestampUTC`` unless the part has its
own), in this textual shape:

* ``guestAgentStatus version=<v> status=<s> message=<text>``;
* ``updateStatus expectedVersion=<v> status=<s> code=<c> message=<text>``;
* ``handler <name> <version> status=<Ready|NotReady|Unresponsive> code=<n> message=<text>``
  per handler (info file: ``handler <name> <version> status=<s>``);
* ``settings <name> seq=<n> operation=<op> status=<s> code=<c> message=<text>``
  for its runtime settings status;
* ``goalStateAggregateStatus status=<s> code=<c> inSvdSeqNo=<n> message=<text>``;
* ``guestOSInfo computerName=<h> osName=<n> osVersion=<v>``;
* info file: ``agent current_version=<v> goal_state_version=<v> distro_details=<d>``.

Line breaks in texts are written ``\\n``, SAS ``sig=`` values ``sig=***``.
Windows writes the same blob to ``aggregatestatus.json`` (NUL-padded at times,
which ``read_text`` removes). Facts: ``agent_version``, ``agent_status_time``
(Windows aggregate status only: ``lastStatusUploadTime``, else ``timestampUTC``),
``daemon_version``, ``python_version``,
``os_distro``, ``os_version``, ``hostname``; ``handler_status``,
``handler_status_code`` and ``handler_status_message`` from the
VMSnapshotLinux handler entry.

Sample input::

    {"version": "1.1", "timestampUTC": "2024-05-14T02:05:02Z",
     "aggregateStatus": {
         "guestAgentStatus": {"version": "2.13.1.1", "status": "Ready",
                              "formattedMessage": {"lang": "en-US", "message": "Guest Agent is running"}},
         "handlerAggregateStatus": []},
     "guestOSInfo": {"computerName": "vm01", "osName": "ubuntu", "osVersion": "22.04", "version": "2.13.1.1"}}
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO, Iterator

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers import ext_json
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("waagent_status_json", r"waagent_status(?:\.\d+)?\.json", os=OS.LINUX),
    Spec("aggregate_status", r"aggregatestatus[^/]*\.json", os=OS.WINDOWS),
)

AGENT = "WALinuxAgent"
_SETTINGS_LEVELS = {"error": "ERROR", "warning": "WARNING"}
_VERSION = Lazy(r"\d+(?:\.\d+)+")


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield the agent, handler and goal-state records; set the agent facts.

    >>> ctx = context('waagent_status.json')
    >>> list(parse(io.BytesIO(b'{}'), ctx)), ctx.problems
    ([], [])
    """
    doc = ext_json.load(stream, ctx)
    if doc is None:
        return
    if not isinstance(doc, dict):
        ctx.problem("not a JSON object")
        return
    if not doc:
        return
    if "__status__" in doc:
        yield from _blob_with_metadata(doc["__status__"], doc.get("__debug__"), ctx)
    elif "aggregateStatus" in doc:
        yield from _blob_with_metadata(doc, doc.get("_metadataNotSentToCRP"), ctx)
    elif "current_version" in doc or "extensions_status" in doc:
        yield from _info_file(doc, ctx)
    else:
        ctx.problem("unrecognised waagent_status.json layout")


def _blob_with_metadata(blob: Any, metadata: Any, ctx: ParseContext) -> Iterator[Record]:
    if not isinstance(blob, dict):
        ctx.problem("the status blob is not a JSON object")
        return
    time = ext_json.parse_time(blob.get("timestampUTC"))
    yield from _blob(blob, time, ctx)
    if isinstance(metadata, dict):
        _fact(ctx, "daemon_version", _version(metadata.get("daemonVersion")), time)
        _fact(ctx, "python_version", _version(metadata.get("pythonVersion")), time)


def _blob(blob: dict, time: datetime | None, ctx: ParseContext) -> Iterator[Record]:
    aggregate = ext_json.field(blob, "aggregateStatus", dict, ctx, "status") or {}
    agent = ext_json.field(aggregate, "guestAgentStatus", dict, ctx, "aggregateStatus")
    if agent:
        yield from _agent(agent, time, ctx)
    handlers = ext_json.field(aggregate, "handlerAggregateStatus", list, ctx, "aggregateStatus") or []
    for handler in handlers:
        if isinstance(handler, dict):
            yield from _handler(handler, time, ctx)
        else:
            ctx.problem("handlerAggregateStatus holds a non-object entry")
    artifacts = ext_json.field(aggregate, "vmArtifactsAggregateStatus", dict, ctx, "aggregateStatus") or {}
    goal = ext_json.field(artifacts, "goalStateAggregateStatus", dict, ctx, "vmArtifactsAggregateStatus")
    if goal:
        yield _goal_state(goal, time, ctx)
    os_info = ext_json.field(blob, "guestOSInfo", dict, ctx, "status")
    if os_info:
        yield _os_info(os_info, time, ctx)


def _agent(agent: dict, time: datetime | None, ctx: ParseContext) -> Iterator[Record]:
    version = _text(agent.get("version"))
    status = _text(agent.get("status"))
    _fact(ctx, "agent_version", _version(version), time)
    if "aggregatestatus" in ctx.path.lower():
        # Windows keeps only the latest report here: an old one means the agent stopped reporting
        uploaded = ext_json.parse_time(agent.get("lastStatusUploadTime")) or time
        _fact(ctx, "agent_status_time", uploaded, uploaded)
    yield ctx.record(1, f"guestAgentStatus version={version} status={status} "
                        f"message={_message(agent)}",
                     time=time, level="INFO" if status == "Ready" else "ERROR", component=AGENT)
    update = agent.get("updateStatus")
    if isinstance(update, dict):
        update_status = _text(update.get("status"))
        yield ctx.record(1, f"updateStatus expectedVersion={_text(update.get('expectedVersion'))} "
                            f"status={update_status} code={_text(update.get('code'))} message={_message(update)}",
                         time=time, level="ERROR" if update_status == "Error" else "INFO", component=AGENT)


def _handler(handler: dict, time: datetime | None, ctx: ParseContext) -> Iterator[Record]:
    name = _text(handler.get("handlerName"))
    status = _text(handler.get("status"))
    code = handler.get("code")
    message = ext_json.message_of(handler.get("formattedMessage"))
    yield ctx.record(1, f"handler {name} {_text(handler.get('handlerVersion'))} status={status} "
                        f"code={_text(code)} message={ext_json.one_line(message)}",
                     time=time, level="INFO" if status == "Ready" else "ERROR", component=name or None)
    if ext_json.is_vmsnapshot(name):
        _fact(ctx, "handler_status", status or None, time)
        _fact(ctx, "handler_status_code", ext_json.as_int(code), time)
        _fact(ctx, "handler_status_message", redact_sas(message) if message is not None else None, time)
    runtime = handler.get("runtimeSettingsStatus")
    if isinstance(runtime, dict):
        record = _settings(name, runtime, time, ctx)
        if record:
            yield record


def _settings(name: str, runtime: dict, time: datetime | None, ctx: ParseContext) -> Record | None:
    settings = runtime.get("settingsStatus")
    status = settings.get("status") if isinstance(settings, dict) else None
    if not isinstance(status, dict):
        return None
    state = _text(status.get("status"))
    return ctx.record(1, f"settings {name} seq={_text(runtime.get('sequenceNumber'))} "
                         f"operation={_text(status.get('operation'))} status={state} "
                         f"code={_text(status.get('code'))} message={_message(status)}",
                      time=ext_json.parse_time(settings.get("timestampUTC")) or time,
                      level=_SETTINGS_LEVELS.get(state.lower(), "INFO"), component=name or None)


def _goal_state(goal: dict, time: datetime | None, ctx: ParseContext) -> Record:
    status = _text(goal.get("status"))
    return ctx.record(1, f"goalStateAggregateStatus status={status} code={_text(goal.get('code'))} "
                         f"inSvdSeqNo={_text(goal.get('inSvdSeqNo'))} message={_message(goal)}",
                      time=ext_json.parse_time(goal.get("timestampUTC")) or time,
                      level="INFO" if status == "Success" else "ERROR", component=AGENT)


def _os_info(info: dict, time: datetime | None, ctx: ParseContext) -> Record:
    host, name, version = (_text(info.get(k)) for k in ("computerName", "osName", "osVersion"))
    _fact(ctx, "hostname", host or None, time)
    _fact(ctx, "os_distro", name or None, time)
    _fact(ctx, "os_version", version or None, time)
    return ctx.record(1, f"guestOSInfo computerName={host} osName={name} osVersion={version}",
                      time=time, level="INFO", component=AGENT)


def _info_file(doc: dict, ctx: ParseContext) -> Iterator[Record]:
    time = ext_json.parse_time(doc.get("last_successful_status_upload_time"))
    current = _text(doc.get("current_version"))
    distro = _text(doc.get("distro_details"))
    _fact(ctx, "agent_version", _version(current), time)
    _fact(ctx, "python_version", _version(doc.get("python_version")), time)
    if ":" in distro:
        name, version = distro.split(":", 1)
        _fact(ctx, "os_distro", name.strip() or None, time)
        _fact(ctx, "os_version", version.strip() or None, time)
    yield ctx.record(1, f"agent current_version={current} goal_state_version={_text(doc.get('goal_state_version'))} "
                        f"distro_details={distro}", time=time, level="INFO", component=AGENT)
    handlers = ext_json.field(doc, "extensions_status", list, ctx, "info") or []
    for handler in handlers:
        if isinstance(handler, dict):
            yield _info_handler(handler, time, ctx)


def _info_handler(handler: dict, time: datetime | None, ctx: ParseContext) -> Record:
    name = _text(handler.get("name"))
    status = _text(handler.get("status"))
    if ext_json.is_vmsnapshot(name):
        _fact(ctx, "handler_status", status or None, time)
    return ctx.record(1, f"handler {name} {_text(handler.get('version'))} status={status}",
                      time=time, level="INFO" if status == "Ready" else "ERROR", component=name or None)


def _text(value: Any) -> str:
    return ext_json.one_line(ext_json.text_of(value))


def _message(obj: dict) -> str:
    return ext_json.one_line(ext_json.message_of(obj.get("formattedMessage")))


def _version(value: Any) -> str | None:
    """The first dotted version in ``value`` ('Python: 3.6.9' -> '3.6.9').

    >>> _version('Python: 3.6.9'), _version('2.2.45'), _version(None)
    ('3.6.9', '2.2.45', None)
    """
    if not isinstance(value, str):
        return None
    m = _VERSION.search(value)
    return m[0] if m else None


def _fact(ctx: ParseContext, name: str, value: Any, time: datetime | None) -> None:
    if value is not None:
        ctx.fact(name, value, line=1, time=time)
