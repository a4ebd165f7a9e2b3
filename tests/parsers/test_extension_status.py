"""Tests for parsers.extension_status."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest

from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import extension_status
from azlog_vmbackup.parsers.base import ParseContext
from tests.helpers import run_parser

VMSNAP = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
DIR = f"var/lib/waagent/{VMSNAP}-1.0.9225.0"
T_INNER = datetime(2024, 5, 14, 2, 9, 41, 250000, tzinfo=timezone.utc)


def inner_status(**changes) -> dict:
    status = {
        "name": VMSNAP, "operation": "Enable", "status": "error", "code": "121", "substatus": [],
        "taskId": "9f1c2d3e-0000-4000-8000-00000000beef",
        "formattedMessage": {"lang": "en-US", "message": json.dumps(
            {"messageStr": "snapshotCreator=backupHostService, hostStatusCodePreSnapshot=200, ",
             "snapshotConsistency": 0})},
        "telemetryData": [
            {"Key": "pythonVersion", "Value": "3.10.12"},
            {"Key": "guestAgentVersion", "Value": "Goal state agent: 2.11.1.4"},
            {"Key": "hostStatusCodePreSnapshot", "Value": "200"},
            {"Key": "snapshotCreator", "Value": "backupHostService"},
            {"Key": "totalsdSize", "Value": "1024"},
            {"Key": "osVersion", "Value": "Ubuntu 22.04.4 LTS"},
            {"Key": "extErrorCode", "Value": "FailedRetryableFsFreezeFailed"},
        ],
        "snapshotInfo": [
            {"isSuccessful": "true", "errorMessage": "", "snapshotUri": "https://md-x.blob.core.windows.net/a/b"},
            {"isSuccessful": False, "errorMessage": "denied for https://s.blob.core.windows.net/c?sv=2&sig=SECRET%2B",
             "snapshotUri": None},
        ],
        "vmHealthInfo": {"vmHealthState": 128, "vmHealthStatusCode": 121},
    }
    status.update(changes)
    return {"version": "1.0", "timestampUTC": "\\/Date(1715652581250)\\/", "status": status}


def status_file(inner: dict | str | None = None, outer_time: str = "2024-05-14T02:09:41Z", **outer) -> str:
    body = {"name": VMSNAP, "operation": "Enable", "status": "success", "code": "121",
            "formattedMessage": {"lang": "en-US", "message": "{}"},
            "telemetryData": None, "snapshotInfo": None, "vmHealthInfo": None}
    if inner is not None:
        name = inner if isinstance(inner, str) else json.dumps([inner])
        body["substatus"] = [{"code": "0", "name": name, "status": "success", "formattedMessage": None}]
    body.update(outer)
    return json.dumps([{"version": "1.0", "timestampUTC": outer_time, "status": body}])


def test_vmsnapshot_records_from_inner_status():
    records, facts, problems = run_parser(extension_status, status_file(inner_status()), f"{DIR}/status/3.status")
    assert problems == []
    assert [(r.line, r.level, r.component, r.time) for r in records] == [(1, "ERROR", VMSNAP, T_INNER)] * 4
    assert [r.message for r in records] == [
        "status=error code=121 operation=Enable taskId=9f1c2d3e-0000-4000-8000-00000000beef "
        "message=snapshotCreator=backupHostService, hostStatusCodePreSnapshot=200, ",
        "extErrorCode=FailedRetryableFsFreezeFailed vmHealthStatusCode=121 vmHealthState=128",
        'telemetry snapshotCreator=backupHostService hostStatusCodePreSnapshot=200 '
        'guestAgentVersion="Goal state agent: 2.11.1.4" pythonVersion=3.10.12 osVersion="Ubuntu 22.04.4 LTS"',
        "snapshot isSuccessful=false errorMessage=denied for https://s.blob.core.windows.net/c?sv=2&sig=***",
    ]
    assert all("SECRET" not in r.message for r in records)


def test_vmsnapshot_facts():
    _, facts, _ = run_parser(extension_status, status_file(inner_status()), f"{DIR}/status/3.status")
    assert facts.as_dict() == {
        "extension_name": VMSNAP, "extension_version": "1.0.9225.0",
        "last_status": "error", "last_status_code": 121,
        "last_status_message": "snapshotCreator=backupHostService, hostStatusCodePreSnapshot=200, ",
        "last_status_time": "2024-05-14T02:09:41Z", "vm_health_status_code": 121,
        "ext_error_code": "FailedRetryableFsFreezeFailed", "snapshot_creator": "backupHostService",
        "host_status_code_presnapshot": 200, "status_blob_upload_error": False,
        "telemetry_agent_version": "2.11.1.4",
    }
    assert facts.get("last_status_time").value == T_INNER
    assert facts.get("last_status").line == 1


def test_message_pairs_fill_missing_telemetry():
    message = json.dumps({"messageStr": "Enable failed  statusBlobUploadError=true, snapshotCreator=guestExtension, "
                                        "hostStatusCodePreSnapshot=555, hostStatusCodeDoSnapshot=556, "})
    inner = inner_status(telemetryData=None, snapshotInfo=None, code=2,
                         formattedMessage={"lang": "en-US", "message": message})
    records, facts, problems = run_parser(extension_status, status_file(inner), f"{DIR}/status/0.status")
    assert problems == []
    assert [r.message.split(" message=")[0] for r in records] == [
        "status=error code=2 operation=Enable taskId=9f1c2d3e-0000-4000-8000-00000000beef",
        "vmHealthStatusCode=121 vmHealthState=128",
    ]
    assert (facts.value("status_blob_upload_error"), facts.value("snapshot_creator"),
            facts.value("host_status_code_presnapshot"), facts.value("host_status_code_dosnapshot"),
            facts.value("last_status_code"), "ext_error_code" in facts) == (True, "guestExtension", 555, 556, 2, False)


def test_success_with_unhealthy_state_warns():
    inner = inner_status(status="success", code="1", telemetryData=[], snapshotInfo=[],
                         vmHealthInfo={"vmHealthState": 128, "vmHealthStatusCode": 300})
    records, facts, _ = run_parser(extension_status, status_file(inner), f"{DIR}/status/0.status")
    assert [(r.level, r.message.split(" taskId")[0]) for r in records] == [
        ("INFO", "status=success code=1 operation=Enable"),
        ("WARNING", "vmHealthStatusCode=300 vmHealthState=128"),
    ]
    assert (facts.value("last_status"), facts.value("vm_health_status_code")) == ("success", 300)


def test_outer_status_used_without_substatus():
    data = status_file(None, status="transitioning", code=4,
                       formattedMessage={"lang": "en-US", "message": "Transitioning state in extension"})
    records, facts, problems = run_parser(extension_status, data, f"{DIR}/status/5_status")
    assert problems == []
    assert [(r.message, r.level, r.time) for r in records] == [
        ("status=transitioning code=4 operation=Enable message=Transitioning state in extension", "INFO",
         datetime(2024, 5, 14, 2, 9, 41, tzinfo=timezone.utc))]
    assert (facts.value("last_status"), facts.value("last_status_code")) == ("transitioning", 4)
    assert facts.get("last_status").time == datetime(2024, 5, 14, 2, 9, 41, 5, tzinfo=timezone.utc)


def test_higher_sequence_number_wins_a_tie():
    facts = Facts()
    for seq, code in ((7, "1"), (6, "121")):
        ctx = ParseContext(f"{DIR}/status/{seq}_status", facts, [])
        list(extension_status.parse(io.BytesIO(status_file(inner_status(code=code)).encode()), ctx))
    assert facts.value("last_status_code") == 1


def test_other_extension_gives_records_and_the_failed_extension_fact():
    data = json.dumps([{"version": 1.0, "timestampUTC": "2024-05-14T02:00:10Z", "status": {
        "name": "Microsoft.Azure.Extensions.CustomScript", "operation": "Enable", "status": "error", "code": 1,
        "formattedMessage": {"lang": "en-US", "message": "script failed\nexit 3"},
        "substatus": [{"name": "StdErr", "status": "error", "code": 0,
                       "formattedMessage": {"lang": "en-US", "message": "curl: (6) Could not resolve host"}}]}}])
    records, facts, problems = run_parser(
        extension_status, data, "var/lib/waagent/Microsoft.Azure.Extensions.CustomScript-2.1.10/status/0.status")
    assert problems == [] and facts.as_dict() == {"failed_extension": "Microsoft.Azure.Extensions.CustomScript"}
    assert [(r.line, r.level, r.component, r.message) for r in records] == [
        (1, "ERROR", "Microsoft.Azure.Extensions.CustomScript",
         "status=error code=1 operation=Enable message=script failed\\nexit 3"),
        (1, "ERROR", "Microsoft.Azure.Extensions.CustomScript",
         "substatus name=StdErr status=error code=0 message=curl: (6) Could not resolve host"),
    ]


@pytest.mark.parametrize("data, problem", [
    ("[{\"status\": ", "not valid JSON"),
    ("", "empty file"),
    ("\"text\"", "not a JSON array of status objects"),
    ("[{\"timestampUTC\": \"2024-05-14T02:09:41Z\", \"status\": []}]", "status is missing or not an object"),
])
def test_malformed_documents(data, problem):
    records, facts, problems = run_parser(extension_status, data, f"{DIR}/status/0.status")
    assert len(problems) == 1 and problems[0].startswith(problem)
    assert records == [] and facts.as_dict() == {}


def test_wrong_types_and_bad_inner_json_give_partial_result():
    data = status_file("[{\"status\": ", telemetryData="oops", code=["x"])
    records, facts, problems = run_parser(extension_status, data, f"{DIR}/status/0.status")
    assert problems == ["status.code has the wrong type (list)", "status.telemetryData has the wrong type (str)",
                        "substatus[0].name is not valid JSON: Expecting value: line 1 column 13 (char 12)"]
    assert [r.message for r in records] == ["status=success code= operation=Enable message={}"]
    assert facts.value("last_status") == "success" and "last_status_code" not in facts


def test_missing_status_key_is_reported():
    outer = json.loads(status_file(inner_status()))
    del outer[0]["status"]["status"]
    records, facts, problems = run_parser(extension_status, json.dumps(outer), f"{DIR}/status/0.status")
    assert problems == ["status.status is missing"]
    assert len(records) == 4 and facts.value("last_status") == "error"


def test_oversized_file_is_refused():
    records, _, problems = run_parser(extension_status, b"[" + b" " * (2 << 20) + b"]", f"{DIR}/status/0.status")
    assert records == [] and problems == ["not read: larger than 1048576 bytes"]


def test_every_fixture_matches_expected(reference):
    fixtures = sorted((reference / "vmsnapshot-linux" / "fixtures").glob("s*"))
    assert len(fixtures) == 20
    for fixture in fixtures:
        expected = json.loads((fixture / "expected.json").read_text())
        (path,) = fixture.glob("var/lib/waagent/*/status/0.status")
        records, facts, problems = run_parser(extension_status, path.read_bytes(), str(path.relative_to(fixture)))
        assert problems == [], fixture.name
        assert facts.value("last_status") == expected["inner_status"], fixture.name
        assert facts.value("last_status_code") == int(expected["inner_code"]), fixture.name
        assert facts.value("vm_health_status_code") == expected["vmHealthStatusCode"], fixture.name
        assert facts.value("ext_error_code") == expected["telemetry_extErrorCode"], fixture.name
        assert facts.value("extension_version") == "1.0.9225.0"
        assert records[0].message.startswith(f"status={expected['inner_status']} code={expected['inner_code']} ")
        failed = [s for s in expected["snapshotInfo_isSuccessful"] if str(s).lower() != "true"]
        assert sum(r.message.startswith("snapshot isSuccessful=false") for r in records) == len(failed)


def test_fixture_records_s17(reference):
    path = next((reference / "vmsnapshot-linux" / "fixtures" / "s17_guest_403_one_disk").glob(
        "var/lib/waagent/*/status/0.status"))
    records, facts, _ = run_parser(extension_status, path.read_bytes(), f"{DIR}/status/0.status")
    assert [r.message[:60] for r in records[1:2]] == [
        "extErrorCode=FailedRetryableSnapshotFailedRestrictedNetwork "]
    assert "vmHealthStatusCode=761 vmHealthState=256" in records[1].message
    assert records[3].message.startswith("snapshot isSuccessful=false errorMessage=<?xml")
    assert records[0].time == datetime(2026, 11, 26, 19, 37, 18, 286000, tzinfo=timezone.utc)
    assert (facts.value("snapshot_creator"), facts.value("host_status_code_presnapshot"),
            facts.value("telemetry_agent_version")) == ("guestExtension", 555, "2.13.1.1")


def test_agent_malformed_samples(reference):
    ext = reference / "linux-agent" / "ext"
    records, facts, problems = run_parser(extension_status, (ext / "status_invalid_json.status.json").read_bytes(),
                                          "status_invalid_json.status.json")
    assert records == [] and len(problems) == 1 and problems[0].startswith("not valid JSON")
    records, facts, problems = run_parser(extension_status,
                                          (ext / "status_missing_status_key.status.json").read_bytes(),
                                          "status_missing_status_key.status.json")
    assert problems == ["status.status is missing"]
    assert records[0].message.startswith("status=success code=1 operation=Enable")
    records, facts, problems = run_parser(extension_status,
                                          (ext / "status_sample_vmsnapshot_like.status.json").read_bytes(),
                                          "status_sample_vmsnapshot_like.status.json")
    assert problems == []
    assert (facts.value("status_blob_upload_error"), facts.value("telemetry_agent_version"),
            facts.value("host_status_code_dosnapshot")) == (True, "2.2.32.2", 200)
