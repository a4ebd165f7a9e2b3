"""events/*.json of VMSnapshotLinux: one record per packed message, facts from Version."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from azlog_vmbackup.parsers import vmsnapshot_events as mod
from tests.helpers import run_parser

FIXTURES = "vmsnapshot-linux/fixtures"
EVENTS = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/events"


def t(*fields) -> datetime:
    return datetime(*fields, tzinfo=timezone.utc)


def event(message, **extra):
    base = {"Version": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0",
            "Timestamp": "2025-03-04T08:15:20.511116", "TaskName": "Enable", "EventLevel": "Info",
            "Message": message, "EventPid": "4242", "EventTid": "1402", "OperationId": "5d0c7a4e"}
    base.update(extra)
    return base


MESSAGE = (
    "2025-03-04T08:15:03.157324\t[Warning]:\tstarting daemon initially \n"
    "2025-03-04T08:15:03.166674\t[Error]:\tunable to detect disk topology \n"
    "2025-03-04T08:15:08.378618\t[Error]:\tFailed to do the snapshot with error: 'x', "
    "stack trace: Traceback (most recent call last):\n"
    '  File "/var/lib/waagent/x/main/handle.py", line 207, in freeze_snapshot\n'
    "KeyError: 'x'\n"
    " \n"
    "2025-03-04T08:15:09.000001\t[Info]:\tblob https://a.blob.core.windows.net/c/b?sig=SeCrEt%3D&se=1 \n"
    "2025-03-04T08:15:10\t[Verbose]:\tno fraction \n"
    "2025-03-04T08:15:11.5 [1/2] first piece of a long message\n"
    "2025-03-04T08:15:11.5 [2/2] second piece\n"
)


def test_packed_messages():
    data = json.dumps([event(MESSAGE)])
    records, facts, problems = run_parser(mod, data, "events/1.json")
    assert problems == []
    assert [(r.line, r.time, r.level, r.component, r.local_time, r.message) for r in records] == [
        (1, t(2025, 3, 4, 8, 15, 3, 157324), "WARNING", "Enable", False, "starting daemon initially"),
        (1, t(2025, 3, 4, 8, 15, 3, 166674), "ERROR", "Enable", False, "unable to detect disk topology"),
        (1, t(2025, 3, 4, 8, 15, 8, 378618), "ERROR", "Enable", False,
         "Failed to do the snapshot with error: 'x', stack trace: Traceback (most recent call last):\n"
         '  File "/var/lib/waagent/x/main/handle.py", line 207, in freeze_snapshot\n'
         "KeyError: 'x'"),
        (1, t(2025, 3, 4, 8, 15, 9, 1), "INFO", "Enable", False,
         "blob https://a.blob.core.windows.net/c/b?sig=***&se=1"),
        (1, t(2025, 3, 4, 8, 15, 10), "VERBOSE", "Enable", False, "no fraction"),
        (1, t(2025, 3, 4, 8, 15, 11, 500000), None, "Enable", False, "first piece of a long message"),
        (1, t(2025, 3, 4, 8, 15, 11, 500000), None, "Enable", False, "second piece"),
    ]
    assert facts.as_dict() == {"extension_name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux",
                               "extension_version": "1.0.9225.0"}
    assert facts.get("extension_version").time == t(2025, 3, 4, 8, 15, 20, 511116)


def test_event_without_packed_items_and_odd_entries():
    data = json.dumps([
        event("free text only", EventLevel="Error", TaskName="Install"),
        event("", Version=7),
        "not an event",
        event(None, Timestamp=5, TaskName=None),
    ])
    records, facts, problems = run_parser(mod, data)
    assert [(r.time, r.level, r.component, r.message) for r in records] == [
        (t(2025, 3, 4, 8, 15, 20, 511116), "ERROR", "Install", "free text only"),
    ]
    assert problems == ["events file holds an entry that is not an object"]
    assert facts.value("extension_version") == "1.0.9225.0"


@pytest.mark.parametrize("data, problem", [
    (b"[{\"Message\": ", "not a readable events file: Expecting value: line 1 column 14 (char 13)"),
    (b"\"just a string\"", "events file is not a JSON array"),
    (b"[" * 100000 + b"]" * 100000, "not a readable events file: maximum recursion depth exceeded"),
    (b"[" + b" " * (4 << 20) + b"]", "not a readable events file: larger than 4194304 bytes"),
])
def test_malformed_files_report_a_problem(data, problem):
    records, facts, problems = run_parser(mod, data)
    assert (records, facts.as_dict(), len(problems)) == ([], {}, 1)
    assert problems[0].startswith(problem)


def test_single_object_is_accepted():
    records, _, problems = run_parser(mod, json.dumps(event("2025-03-04T08:15:03Z\t[Error]:\tboom \n")))
    assert [(r.time, r.level, r.message) for r in records] == [(t(2025, 3, 4, 8, 15, 3), "ERROR", "boom")]
    assert problems == []


# scenario: number of packed messages (counted as lines starting "<iso>\t[" in Message)
EXPECTED = {
    "s01_host_success": 4, "s02_no_network": 5, "s03_guest_success": 4, "s04_guest_403": 5,
    "s05_host_snapshot_limit": 6, "s06_host_rate_exceeded": 6, "s07_freeze_fail": 3,
    "s08_freeze_timeout": 3, "s09_prescript_fail": 4, "s10_command_too_late": 3, "s11_guest_limit": 6,
    "s12_onlyguest_no_network": 5, "s13_freeze_open_fail": 3, "s14_host_limit_partial": 5,
    "s15_host_rate_partial": 5, "s16_host_dosnapshot_500": 6, "s17_guest_403_one_disk": 5,
    "s18_py2_host_success": 4, "s19_py2_no_network": 5,
}


def fixture_file(reference: Path, scenario: str) -> Path:
    (path,) = sorted((reference / FIXTURES / scenario / EVENTS).glob("*.json"))
    return path


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_reference_fixture(reference, scenario):
    records, facts, problems = run_parser(mod, fixture_file(reference, scenario).read_bytes())
    assert problems == []
    assert len(records) == EXPECTED[scenario]
    assert all(r.time is not None and r.level in ("WARNING", "ERROR") for r in records)
    assert all(r.component == "Enable" and r.line == 1 for r in records)
    assert (records[0].level, records[0].message) == ("WARNING", "starting daemon initially")
    assert facts.value("extension_version") == "1.0.9225.0"


def test_reference_no_network_traceback(reference):
    records, _, _ = run_parser(mod, fixture_file(reference, "s02_no_network").read_bytes())
    failed = records[3]
    assert failed.time == t(2026, 11, 26, 19, 33, 55, 378618)
    assert failed.level == "ERROR"
    assert failed.message.startswith("Failed to do the snapshot with error: 'hostStatusCodeDoSnapshot'")
    assert failed.message.count("\n") == 13
    assert failed.message.endswith("KeyError: 'hostStatusCodeDoSnapshot'")


def test_reference_freeze_fail(reference):
    records, _, _ = run_parser(mod, fixture_file(reference, "s07_freeze_fail").read_bytes())
    assert [(r.time, r.level, r.message) for r in records] == [
        (t(2026, 11, 26, 19, 34, 54, 157324), "WARNING", "starting daemon initially"),
        (t(2026, 11, 26, 19, 34, 54, 166674), "ERROR", "unable to detect disk topology"),
        (t(2026, 11, 26, 19, 34, 54, 388209), "ERROR",
         "Plugin host file does not exist in the location /etc/azure/VMSnapshotScriptPluginConfig.json"),
    ]
