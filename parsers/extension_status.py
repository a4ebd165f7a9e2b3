"""Extension status files: ``<Name>-<ver>/status/<N>.status`` and the rotated ``<N>_status``.

Declares ``SPECS`` (extension_status: Linux and Windows extension directories).

The file is a JSON array whose first element the agent reads:
``{version, timestampUTC, status: {name, operation, status, code, formattedMessage,
substatus, ...}}``. The backup extension (VMSnapshotLinux) always writes the
top-level ``status`` as ``success`` for VMs; its real outcome is a second,
JSON-encoded status held in ``substatus[0].name`` (time stamp ``/Date(<ms>)/``,
``formattedMessage.message`` itself JSON with a ``messageStr``, plus
``telemetryData``, ``snapshotInfo`` and ``vmHealthInfo``). That inner status is
decoded and used; the top level is used when there is none.

Records (all on line 1, time = status time, component = status name), in
this order and textual shape:

* ``status=<status> code=<code> operation=<op>[ taskId=<id>] message=<text>``
  where text is ``messageStr`` when the message is JSON, else the message;
* ``[extErrorCode=<name> ][vmHealthStatusCode=<n> ][vmHealthState=<n>]``
  (whichever are present; VMSnapshotLinux only);
* ``telemetry key=value ...`` for the diagnostic telemetry keys, in a fixed
  order, values holding spaces in double quotes;
* ``snapshot isSuccessful=false errorMessage=<text>`` per failed disk snapshot;
* for other extensions, ``substatus name=<n> status=<s> code=<c> message=<text>``
  per substatus entry.

Level: ERROR for ``error``, WARNING for ``warning``, INFO otherwise; the health
record is WARNING when a successful run still reports a non-green
vmHealthState, a failed snapshot is at least WARNING. Line breaks in texts are
written as ``\\n`` and SAS ``sig=`` values as ``sig=***``.

Facts (VMSnapshotLinux only, stamped with the status time plus N
microseconds so a higher sequence number wins a tie): ``last_status``,
``last_status_code``, ``last_status_message``, ``last_status_time``,
``vm_health_status_code``, ``ext_error_code``, ``snapshot_creator``,
``host_status_code_presnapshot``, ``host_status_code_dosnapshot``,
``status_blob_upload_error``, ``telemetry_agent_version`` (telemetry
``guestAgentVersion``), ``extension_name`` and ``extension_version`` (from
the folder name).

Sample input::

    [{"version": "1.0", "timestampUTC": "2024-05-14T02:09:41Z",
      "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "operation": "Enable",
                 "status": "success", "code": "121",
                 "substatus": [{"code": "0", "status": "success", "formattedMessage": null,
                                "name": "[{\\"version\\": \\"1.0\\",
                                          \\"timestampUTC\\": \\"\\\\/Date(1715652581250)\\\\/\\",
                                          \\"status\\": {\\"status\\": \\"error\\", \\"code\\": \\"121\\", ...}}]"}]}}]
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timedelta
from typing import Any, BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import Record
from azlog_vmbackup.parsers import ext_json
from azlog_vmbackup.parsers.base import EXT_DIR, Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("extension_status", EXT_DIR + r"status/\d+(?:\.status|_status)"),
    Spec("extension_status", r"packages/plugins/[^/]+/[^/]+/status/\d+\.status"),
)

TELEMETRY_KEYS = (
    "snapshotCreator", "hostStatusCodePreSnapshot", "hostStatusCodeDoSnapshot", "statusBlobUploadError",
    "guestAgentVersion", "extensionVersion", "pythonVersion", "osVersion", "kernelVersion",
    "workloads", "prePostEnabled", "isPrePostEnabled", "FreezeTime", "ThawTime", "snapshotTimeTaken",
)
_LEVELS = {"error": "ERROR", "warning": "WARNING"}

_SEQ = Lazy(r"(?:^|[/\\])(\d+)(?:\.status|_status)$", regex.I)
_PAIR = Lazy(r"\b(\w+)=([^,\s]+)")
_VERSION = Lazy(r"\d+(?:\.\d+)+")
_GOAL_STATE_AGENT = Lazy(r"Goal state agent:\s*(\d+(?:\.\d+)+)", regex.I)
_SPACE = Lazy(r"\s")


@dataclass
class _Status:
    """One status entry, read leniently."""

    name: str | None = None
    operation: str | None = None
    status: str | None = None
    code: Any = None
    message: str | None = None
    task_id: str | None = None
    time: datetime | None = None
    telemetry: dict[str, str] | None = None
    snapshots: list[dict] = dc_field(default_factory=list)
    health: dict = dc_field(default_factory=dict)
    substatus: list[dict] = dc_field(default_factory=list)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield the status records; set the backup-outcome facts for VMSnapshotLinux.

    >>> ctx = context('CustomScript-2.1.10/status/0.status')
    >>> doc = (b'[{"timestampUTC": "2024-05-14T02:05:02Z", "status": {"name": "CustomScript", "status": "error",'
    ...        b' "code": 1, "operation": "Enable", "formattedMessage": {"message": "exit 1"}}}]')
    >>> [(r.level, r.message) for r in parse(io.BytesIO(doc), ctx)]
    [('ERROR', 'status=error code=1 operation=Enable message=exit 1')]
    >>> ctx.facts.value('failed_extension')
    'CustomScript'
    """
    doc = ext_json.load(stream, ctx)
    entry = _first_entry(doc, ctx) if doc is not None else None
    if entry is None:
        return
    if not isinstance(entry.get("status"), dict):
        ctx.problem("status is missing or not an object")
        return
    outer = _read_entry(entry, ctx, "status")
    if outer.status is None:
        ctx.problem("status.status is missing")
    inner = _inner_status(outer, ctx)
    vmsnap = any(ext_json.is_vmsnapshot(s.name) for s in (outer, inner) if s) \
        or ext_json.vmsnapshot_dir(ctx.path) is not None
    current = inner or outer
    if current.time is None:
        current.time = outer.time
    current.name = current.name or outer.name
    yield from _records(current, ctx, vmsnap)
    if vmsnap:
        _facts(current, ctx)
    elif current.status == "error":
        # another extension in error leaves the VM in a failed provisioning state
        ctx.fact("failed_extension", current.name or ctx.path.split("/status/")[0].rsplit("/", 1)[-1],
                 line=1, time=current.time)


def _first_entry(doc: Any, ctx: ParseContext) -> dict | None:
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        return doc[0]
    if isinstance(doc, dict):
        return doc
    ctx.problem("not a JSON array of status objects")
    return None


def _read_entry(entry: dict, ctx: ParseContext, where: str) -> _Status:
    result = _Status(time=ext_json.parse_time(entry.get("timestampUTC")))
    status = entry.get("status")
    if not isinstance(status, dict):
        ctx.problem(f"{where} is missing or not an object")
        return result

    def get(key: str, kind: type | tuple[type, ...]) -> Any:
        return ext_json.field(status, key, kind, ctx, where)

    result.name = get("name", str)
    result.operation = get("operation", str)
    result.status = get("status", str)
    result.code = get("code", (int, str))
    result.task_id = get("taskId", str)
    result.message = _message(status.get("formattedMessage"))
    result.telemetry = _telemetry(get("telemetryData", list))
    result.snapshots = [s for s in get("snapshotInfo", list) or [] if isinstance(s, dict)]
    result.health = get("vmHealthInfo", dict) or {}
    result.substatus = [s for s in get("substatus", list) or [] if isinstance(s, dict)]
    return result


def _message(formatted: Any) -> str | None:
    """The message text; ``messageStr`` when the message is itself a JSON object."""
    text = ext_json.message_of(formatted)
    if text is None or not text.lstrip().startswith("{"):
        return text
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    if isinstance(decoded, dict) and isinstance(decoded.get("messageStr"), str):
        return decoded["messageStr"]
    return text


def _telemetry(items: list | None) -> dict[str, str] | None:
    if items is None:
        return None
    pairs = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            pairs[item["Key"]] = ext_json.text_of(item.get("Value"))
    return pairs


def _inner_status(outer: _Status, ctx: ParseContext) -> _Status | None:
    """The status encoded as JSON in ``substatus[0].name``, when there is one."""
    if not outer.substatus:
        return None
    text = outer.substatus[0].get("name")
    if not isinstance(text, str) or not text.lstrip().startswith(("[", "{")):
        return None
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError) as exc:
        ctx.problem(f"substatus[0].name is not valid JSON: {exc}")
        return None
    if isinstance(decoded, list) and decoded and isinstance(decoded[0], dict):
        decoded = decoded[0]
    if not isinstance(decoded, dict):
        ctx.problem("substatus[0].name does not hold a status object")
        return None
    if not isinstance(decoded.get("status"), dict):
        # the report's fields sit at the top, not under "status" (seen in Windows reports)
        decoded = {"timestampUTC": decoded.get("timestampUTC"), "status": decoded}
    return _read_entry(decoded, ctx, "substatus[0].name.status")


def _records(s: _Status, ctx: ParseContext, vmsnap: bool) -> Iterator[Record]:
    level = _LEVELS.get((s.status or "").lower(), "INFO")

    def rec(message: str, lvl: str = level) -> Record:
        return ctx.record(1, message, time=s.time, level=lvl, component=s.name)

    task = f" taskId={ext_json.one_line(s.task_id)}" if s.task_id else ""
    yield rec(f"status={ext_json.text_of(s.status)} code={ext_json.one_line(s.code)} "
              f"operation={ext_json.text_of(s.operation)}{task} message={ext_json.one_line(s.message)}")
    health = _health_text(s)
    if vmsnap and health:
        state = ext_json.as_int(s.health.get("vmHealthState"))
        yield rec(health, "WARNING" if level == "INFO" and state else level)
    telemetry = _telemetry_text(s.telemetry or {})
    if telemetry:
        yield rec(telemetry)
    for snap in s.snapshots:
        ok = ext_json.text_of(snap.get("isSuccessful")).lower()
        if ok != "true":
            yield rec(f"snapshot isSuccessful={ok or 'false'} "
                      f"errorMessage={ext_json.one_line(snap.get('errorMessage'))}",
                      "ERROR" if level == "ERROR" else "WARNING")
    if not vmsnap:
        for sub in s.substatus:
            sub_level = _LEVELS.get(ext_json.text_of(sub.get("status")).lower(), "INFO")
            yield rec(f"substatus name={ext_json.one_line(sub.get('name'))} "
                      f"status={ext_json.one_line(sub.get('status'))} code={ext_json.one_line(sub.get('code'))} "
                      f"message={ext_json.one_line(ext_json.message_of(sub.get('formattedMessage')))}", sub_level)


def _health_text(s: _Status) -> str:
    parts = []
    ext_error = (s.telemetry or {}).get("extErrorCode")
    if ext_error:
        parts.append(f"extErrorCode={ext_json.one_line(ext_error)}")
    for key in ("vmHealthStatusCode", "vmHealthState"):
        if s.health.get(key) is not None:
            parts.append(f"{key}={ext_json.one_line(ext_json.text_of(s.health[key]))}")
    return " ".join(parts)


def _telemetry_text(pairs: dict[str, str]) -> str:
    """``telemetry k=v ...`` over the diagnostic keys present.

    >>> _telemetry_text({'osVersion': 'Debian GNU/Linux-12 (bookworm)', 'hostStatusCodePreSnapshot': '555',
    ...                  'totalsdSize': '9'})
    'telemetry hostStatusCodePreSnapshot=555 osVersion="Debian GNU/Linux-12 (bookworm)"'
    """
    parts = []
    for key in TELEMETRY_KEYS:
        if key in pairs:
            value = ext_json.one_line(pairs[key])
            parts.append(f'{key}="{value}"' if _SPACE.search(value) or not value else f"{key}={value}")
    return "telemetry " + " ".join(parts) if parts else ""


def _facts(s: _Status, ctx: ParseContext) -> None:
    when = _fact_time(s.time, ctx.path)

    def fact(name: str, value: Any) -> None:
        if value is not None:
            ctx.fact(name, value, line=1, time=when)

    found = ext_json.vmsnapshot_dir(ctx.path)
    if found:
        fact("extension_name", found[0])
        fact("extension_version", found[1])
    fact("last_status", s.status)
    fact("last_status_code", ext_json.as_int(s.code))
    fact("last_status_message", redact_sas(s.message) if s.message is not None else None)
    fact("last_status_time", s.time)
    fact("vm_health_status_code", ext_json.as_int(s.health.get("vmHealthStatusCode")))
    values = _diagnostic_values(s)
    fact("ext_error_code", values.get("extErrorCode"))
    fact("snapshot_creator", values.get("snapshotCreator"))
    fact("host_status_code_presnapshot", ext_json.as_int(values.get("hostStatusCodePreSnapshot")))
    fact("host_status_code_dosnapshot", ext_json.as_int(values.get("hostStatusCodeDoSnapshot")))
    fact("status_blob_upload_error", _upload_error(s, values))
    fact("telemetry_agent_version", agent_version_of(values.get("guestAgentVersion")))


def _diagnostic_values(s: _Status) -> dict[str, str]:
    """Telemetry pairs, completed by the ``key=value`` pairs of the message."""
    values = {k: v for k, v in _PAIR.findall(s.message or "")}
    values.update({k: v for k, v in (s.telemetry or {}).items() if v})
    return values


def _upload_error(s: _Status, values: dict[str, str]) -> bool | None:
    if "statusBlobUploadError" in values:
        return values["statusBlobUploadError"].lower() == "true"
    return False if s.telemetry else None


def agent_version_of(value: str | None) -> str | None:
    """The agent version in telemetry ``guestAgentVersion``.

    >>> agent_version_of('Goal state agent: 2.13.1.1'), agent_version_of('2.2.32.2'), agent_version_of('')
    ('2.13.1.1', '2.2.32.2', None)
    """
    if not value:
        return None
    m = _GOAL_STATE_AGENT.search(value)
    if m:
        return m[1]
    m = _VERSION.search(value)
    return m[0] if m else value.strip()


def _fact_time(time: datetime | None, path: str) -> datetime | None:
    m = _SEQ.search(path)
    if time is None or not m:
        return time
    return time + timedelta(microseconds=min(int(m[1]), 999_999))
