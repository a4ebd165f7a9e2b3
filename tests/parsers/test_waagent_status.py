"""Tests for parsers.waagent_status: the four generations of waagent_status.json."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from azlog_vmbackup.parsers import waagent_status
from tests.helpers import run_parser

VMSNAP = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
T = datetime(2024, 5, 14, 2, 5, 2, tzinfo=timezone.utc)
T_SETTINGS = datetime(2024, 5, 14, 2, 4, 40, tzinfo=timezone.utc)


def blob() -> dict:
    return {
        "version": "1.1", "timestampUTC": "2024-05-14T02:05:02Z",
        "aggregateStatus": {
            "guestAgentStatus": {"version": "2.9.1.1", "status": "Ready",
                                 "formattedMessage": {"lang": "en-US", "message": "Guest Agent is running"}},
            "handlerAggregateStatus": [{
                "handlerName": VMSNAP, "handlerVersion": "1.0.9225.0", "status": "Ready", "code": 0,
                "useExactVersion": True, "formattedMessage": {"lang": "en-US", "message": "Plugin enabled"},
                "runtimeSettingsStatus": {"sequenceNumber": 12, "settingsStatus": {
                    "version": 1.0, "timestampUTC": "2024-05-14T02:04:40Z",
                    "status": {"name": VMSNAP, "operation": "Enable", "status": "error", "code": 121,
                               "formattedMessage": {"lang": "en-US", "message": "freeze failed"},
                               "substatus": []}}}}],
            "vmArtifactsAggregateStatus": {"goalStateAggregateStatus": {
                "inSvdSeqNo": "12", "status": "Success", "code": 0, "timestampUTC": "2024-05-14T02:03:00Z",
                "formattedMessage": {"lang": "en-US", "message": "GoalState executed successfully"}}}},
        "guestOSInfo": {"computerName": "db-vm02", "osName": "rhel", "osVersion": "8.9", "version": "2.9.1.1"},
        "supportedFeatures": [{"Key": "MultipleExtensionsPerHandler", "Value": "1.0"}],
    }


BLOB_MESSAGES = [
    "guestAgentStatus version=2.9.1.1 status=Ready message=Guest Agent is running",
    f"handler {VMSNAP} 1.0.9225.0 status=Ready code=0 message=Plugin enabled",
    f"settings {VMSNAP} seq=12 operation=Enable status=error code=121 message=freeze failed",
    "goalStateAggregateStatus status=Success code=0 inSvdSeqNo=12 message=GoalState executed successfully",
    "guestOSInfo computerName=db-vm02 osName=rhel osVersion=8.9",
]
BLOB_FACTS = {"agent_version": "2.9.1.1", "handler_status": "Ready", "handler_status_code": 0,
              "handler_status_message": "Plugin enabled", "hostname": "db-vm02", "os_distro": "rhel",
              "os_version": "8.9"}


def test_raw_blob_generation():
    records, facts, problems = run_parser(waagent_status, json.dumps(blob()), "history/2024__12/waagent_status.json")
    assert problems == []
    assert [r.message for r in records] == BLOB_MESSAGES
    assert [(r.line, r.level, r.component, r.time) for r in records] == [
        (1, "INFO", "WALinuxAgent", T), (1, "INFO", VMSNAP, T), (1, "ERROR", VMSNAP, T_SETTINGS),
        (1, "INFO", "WALinuxAgent", datetime(2024, 5, 14, 2, 3, tzinfo=timezone.utc)), (1, "INFO", "WALinuxAgent", T)]
    assert facts.as_dict() == BLOB_FACTS
    assert facts.get("agent_version").time == T


def test_debug_wrapper_generation():
    doc = {"__comment__": "The __status__ property is the actual status reported to CRP", "__status__": blob(),
           "__debug__": {"agentName": "WALinuxAgent", "daemonVersion": "2.2.49.2", "pythonVersion": "Python: 3.6.8",
                         "extensionSupportedFeatures": [], "supportsMultiConfig": {VMSNAP: False}}}
    records, facts, problems = run_parser(waagent_status, json.dumps(doc), "history/2024__12/waagent_status.json")
    assert problems == [] and [r.message for r in records] == BLOB_MESSAGES
    assert facts.as_dict() == {**BLOB_FACTS, "daemon_version": "2.2.49.2", "python_version": "3.6.8"}


def test_metadata_generation():
    doc = blob()
    doc["aggregateStatus"]["handlerAggregateStatus"][0].update(
        status="NotReady", code=1009, formattedMessage={"lang": "en-US", "message": "Enable failed\n[stderr]\nboom"})
    doc["aggregateStatus"]["guestAgentStatus"]["updateStatus"] = {
        "expectedVersion": "2.10.0.8", "status": "Error", "code": 1,
        "formattedMessage": {"lang": "en-US", "message": "download failed"}}
    doc["_metadataNotSentToCRP"] = {"agentName": "WALinuxAgent", "daemonVersion": "2.2.45",
                                    "pythonVersion": "Python: 3.6.9", "extensionSupportedFeatures": []}
    records, facts, problems = run_parser(waagent_status, json.dumps(doc), "waagent_status.12.json")
    assert problems == []
    assert [(r.level, r.message) for r in records[1:3]] == [
        ("ERROR", "updateStatus expectedVersion=2.10.0.8 status=Error code=1 message=download failed"),
        ("ERROR", f"handler {VMSNAP} 1.0.9225.0 status=NotReady code=1009 message=Enable failed\\n[stderr]\\nboom"),
    ]
    assert (facts.value("handler_status"), facts.value("handler_status_code"), facts.value("daemon_version"),
            facts.value("python_version")) == ("NotReady", 1009, "2.2.45", "3.6.9")


def test_info_file_generation():
    doc = {"agent_name": "WALinuxAgent", "current_version": "2.2.53.1", "goal_state_version": "2.2.53.1",
           "distro_details": "ubuntu:18.04", "last_successful_status_upload_time": "2021-03-02T10:11:12Z",
           "python_version": "Python: 3.6.9",
           "extensions_status": [{"name": VMSNAP, "version": "1.0.9172.0", "status": "NotReady"},
                                 {"name": "Microsoft.Azure.Extensions.CustomScript", "version": "2.1.6",
                                  "status": "Ready"}]}
    records, facts, problems = run_parser(waagent_status, json.dumps(doc), "waagent_status.json")
    t = datetime(2021, 3, 2, 10, 11, 12, tzinfo=timezone.utc)
    assert problems == []
    assert [(r.line, r.level, r.time, r.component, r.message) for r in records] == [
        (1, "INFO", t, "WALinuxAgent", "agent current_version=2.2.53.1 goal_state_version=2.2.53.1 "
                                       "distro_details=ubuntu:18.04"),
        (1, "ERROR", t, VMSNAP, f"handler {VMSNAP} 1.0.9172.0 status=NotReady"),
        (1, "INFO", t, "Microsoft.Azure.Extensions.CustomScript",
         "handler Microsoft.Azure.Extensions.CustomScript 2.1.6 status=Ready"),
    ]
    assert facts.as_dict() == {"agent_version": "2.2.53.1", "python_version": "3.6.9", "os_distro": "ubuntu",
                               "os_version": "18.04", "handler_status": "NotReady"}


def test_empty_object_is_nothing():
    records, facts, problems = run_parser(waagent_status, "{}", "waagent_status.json")
    assert records == [] and facts.as_dict() == {} and problems == []


def test_malformed_documents():
    records, facts, problems = run_parser(waagent_status, '{"version": "1.1", ', "waagent_status.json")
    assert records == [] and len(problems) == 1 and problems[0].startswith("not valid JSON")
    records, _, problems = run_parser(waagent_status, "[]", "waagent_status.json")
    assert records == [] and problems == ["not a JSON object"]
    records, _, problems = run_parser(waagent_status, '{"something": 1}', "waagent_status.json")
    assert records == [] and problems == ["unrecognised waagent_status.json layout"]
    records, _, problems = run_parser(waagent_status, '{"__status__": "x"}', "waagent_status.json")
    assert records == [] and problems == ["the status blob is not a JSON object"]
    doc = {"timestampUTC": "2024-05-14T02:05:02Z",
           "aggregateStatus": {"handlerAggregateStatus": [7, {"handlerName": "H", "status": "Unresponsive",
                                                              "code": -1}],
                               "vmArtifactsAggregateStatus": []}}
    records, facts, problems = run_parser(waagent_status, json.dumps(doc), "waagent_status.json")
    assert problems == ["handlerAggregateStatus holds a non-object entry",
                        "aggregateStatus.vmArtifactsAggregateStatus has the wrong type (list)"]
    assert [(r.level, r.message) for r in records] == [("ERROR", "handler H  status=Unresponsive code=-1 message=")]
    assert facts.as_dict() == {}


def test_synthetic_reference(reference):
    data = (reference / "linux-agent" / "synthetic" / "waagent_status.json").read_bytes()
    records, facts, problems = run_parser(waagent_status, data, "var/lib/waagent/history/x/waagent_status.json")
    assert problems == []
    assert facts.value("agent_version") == "2.15.0.1"
    assert (facts.value("handler_status"), facts.value("handler_status_code"), facts.value("hostname"),
            facts.value("os_distro"), facts.value("os_version")) == ("NotReady", 1011, "backup-vm01", "ubuntu", "22.04")
    assert len(records) == 8
    assert records[2].message.startswith(
        f"handler {VMSNAP} 1.0.9225.0 status=NotReady code=1011 message=[ExtensionError] Timeout(300);")
    assert records[3].message.startswith(f"settings {VMSNAP} seq=3 operation= status=transitioning code=0 ")
    assert all("\n" not in r.message for r in records)
