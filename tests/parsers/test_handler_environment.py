"""Tests for parsers.handler_environment."""
from __future__ import annotations

import json

from azlog_vmbackup.parsers import handler_environment
from tests.helpers import run_parser

VMSNAP = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
DIR = f"var/lib/waagent/{VMSNAP}-1.0.9225.0"


def sample(**env) -> str:
    folders = {"logFolder": f"/var/log/azure/{VMSNAP}", "configFolder": f"/{DIR}/config",
               "statusFolder": f"/{DIR}/status", "heartbeatFile": f"/{DIR}/heartbeat.log"}
    folders.update(env)
    return json.dumps([{"name": VMSNAP, "version": 1.0, "handlerEnvironment": folders}])


def test_vmsnapshot_environment():
    records, facts, problems = run_parser(handler_environment, sample(), f"{DIR}/HandlerEnvironment.json")
    assert problems == []
    assert [(r.line, r.level, r.component, r.time, r.message) for r in records] == [
        (1, "INFO", VMSNAP, None,
         f"HandlerEnvironment name={VMSNAP} logFolder=/var/log/azure/{VMSNAP} configFolder=/{DIR}/config "
         f"statusFolder=/{DIR}/status heartbeatFile=/{DIR}/heartbeat.log")]
    assert facts.as_dict() == {"extension_name": VMSNAP, "extension_version": "1.0.9225.0"}


def test_other_handler_sets_no_facts():
    data = json.dumps([{"name": "Microsoft.Azure.Extensions.CustomScript", "version": 1.0,
                        "handlerEnvironment": {"logFolder": "/var/log/azure/custom-script",
                                               "eventsFolder": "/var/log/azure/custom-script/events"}}])
    records, facts, problems = run_parser(
        handler_environment, data,
        "var/lib/waagent/Microsoft.Azure.Extensions.CustomScript-2.1.10/HandlerEnvironment.json")
    assert [r.message for r in records] == [
        "HandlerEnvironment name=Microsoft.Azure.Extensions.CustomScript logFolder=/var/log/azure/custom-script "
        "eventsFolder=/var/log/azure/custom-script/events"]
    assert facts.as_dict() == {} and problems == []


def test_malformed():
    records, facts, problems = run_parser(handler_environment, "[{", f"{DIR}/HandlerEnvironment.json")
    assert records == [] and facts.as_dict() == {} and problems[0].startswith("not valid JSON")
    records, facts, problems = run_parser(handler_environment, '[{"name": "X"}, 3]', f"{DIR}/HandlerEnvironment.json")
    assert problems == ["not a JSON array of handler environment objects",
                        "HandlerEnvironment entry has no handlerEnvironment object"]
    assert [r.message for r in records] == ["HandlerEnvironment name=X"]
    assert facts.value("extension_version") == "1.0.9225.0"


def test_reference_sample(reference):
    data = (reference / "linux-agent" / "synthetic" / "HandlerEnvironment.json").read_bytes()
    records, facts, problems = run_parser(handler_environment, data, f"{DIR}/HandlerEnvironment.json")
    assert problems == [] and len(records) == 1
    assert records[0].message.endswith(f"eventsFolder=/var/log/azure/{VMSNAP}/events")
    assert facts.value("extension_name") == VMSNAP


def test_fixture_files(reference):
    paths = sorted((reference / "vmsnapshot-linux" / "fixtures").glob("s*/var/lib/waagent/*/HandlerEnvironment.json"))
    assert len(paths) == 20
    for path in paths:
        records, facts, problems = run_parser(handler_environment, path.read_bytes(), str(path))
        assert problems == [] and len(records) == 1
        assert facts.value("extension_version") == "1.0.9225.0"
