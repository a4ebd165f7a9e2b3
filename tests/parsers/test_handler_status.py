"""Tests for parsers.handler_status."""
from __future__ import annotations

import json

from azlog_vmbackup.parsers import handler_status
from tests.helpers import run_parser

VMSNAP = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
PATH = f"var/lib/waagent/{VMSNAP}-1.0.9225.0/config/HandlerStatus"


def test_not_ready_handler():
    data = json.dumps({"name": VMSNAP, "version": "1.0.9225.0", "status": "NotReady", "code": 1009,
                       "message": "Non-zero exit code: 1, main/handle.sh enable\n[stdout]\nfailed",
                       "supports_multi_config": False, "extension_status": None})
    records, facts, problems = run_parser(handler_status, data, PATH)
    assert problems == []
    assert [(r.line, r.level, r.component, r.time, r.message) for r in records] == [
        (1, "ERROR", VMSNAP, None,
         "HandlerStatus=NotReady code=1009 message=Non-zero exit code: 1, main/handle.sh enable\\n[stdout]\\nfailed")]
    assert facts.as_dict() == {
        "handler_status": "NotReady", "handler_status_code": 1009,
        "handler_status_message": "Non-zero exit code: 1, main/handle.sh enable\n[stdout]\nfailed"}


def test_ready_old_agent_layout():
    data = ('{"name": "%s", "version": "1.0.9150.0", "status": "Ready", "code": 0, "message": "Plugin enabled", '
            '"extensions": []}' % VMSNAP)
    records, facts, problems = run_parser(handler_status, data, PATH)
    assert [(r.level, r.message) for r in records] == [("INFO", "HandlerStatus=Ready code=0 message=Plugin enabled")]
    assert (facts.value("handler_status"), facts.value("handler_status_code")) == ("Ready", 0)


def test_other_handler_sets_no_facts():
    data = json.dumps({"name": "Microsoft.OSTCExtensions.VMAccessForLinux", "status": "NotReady", "code": 1007,
                       "message": "download from https://x.blob.core.windows.net/p?sv=1&sig=abc%3D failed"})
    records, facts, problems = run_parser(
        handler_status, data, "var/lib/waagent/Microsoft.OSTCExtensions.VMAccessForLinux-1.5.18/config/HandlerStatus")
    assert [(r.component, r.message) for r in records] == [
        ("Microsoft.OSTCExtensions.VMAccessForLinux",
         "HandlerStatus=NotReady code=1007 "
         "message=download from https://x.blob.core.windows.net/p?sv=1&sig=*** failed")]
    assert facts.as_dict() == {} and problems == []


def test_malformed():
    records, facts, problems = run_parser(handler_status, '{"name": ', PATH)
    assert records == [] and len(problems) == 1 and problems[0].startswith("not valid JSON")
    records, facts, problems = run_parser(handler_status, "[1]", PATH)
    assert records == [] and problems == ["not a JSON object"]
    records, facts, problems = run_parser(handler_status, '{"name": "%s", "code": "x1"}' % VMSNAP, PATH)
    assert problems == ["HandlerStatus has no status"]
    assert [(r.level, r.message) for r in records] == [("ERROR", "HandlerStatus= code=x1 message=")]
    assert facts.as_dict() == {}
    records, facts, problems = run_parser(handler_status, '{"status": 5, "code": 0}', PATH)
    assert problems == ["HandlerStatus.status has the wrong type (int)", "HandlerStatus has no status"]
    assert facts.value("handler_status_code") == 0
