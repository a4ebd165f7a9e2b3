"""shell.log of VMSnapshotLinux: date -u lines (C and en_US locales), host-daemon lines, python fact."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from azlog_vmbackup.parsers import vmsnapshot_shell_log as mod
from tests.helpers import run_parser

FIXTURES = "vmsnapshot-linux/fixtures"
LOG = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/shell.log"


def t(*fields) -> datetime:
    return datetime(*fields, tzinfo=timezone.utc)


SAMPLE = (
    "Tue Mar  4 08:15:01 UTC 2025- The command is install, exiting with conf file copy\n"
    "Tue Mar  4 08:15:01 UTC 2025- ConfigSequenceNumber from environment variable seqNo:7\n"
    "Tue Mar 04 08:15:02 UTC 2025- python3 path exists\n"
    "\n"
    "Tue Mar 04 12:15:03 AM UTC 2025- python version unknown\n"
    "Tue Mar 04 07:15:04 PM UTC 2025- python2.7 path exists\n"
    "Tue Mar 04 12:15:05 PM UTC 2025- 3 returned from handle.py\n"
    "[2025-03-04 20:00:00:123456789] host based snapshot daemon started\n"
    "stray text without a time\n"
    "Sun Foo 04 07:15:04 UTC 2025- month name not known\n"
    "Sat Feb 31 07:15:04 UTC 2025- day out of range\n"
)


def test_sample_lines():
    records, facts, problems = run_parser(mod, SAMPLE, "shell.log")
    assert problems == []
    assert [(r.line, r.time, r.level, r.component, r.local_time) for r in records] == [
        (1, t(2025, 3, 4, 8, 15, 1), None, "handle.sh", False),
        (2, t(2025, 3, 4, 8, 15, 1), None, "handle.sh", False),
        (3, t(2025, 3, 4, 8, 15, 2), None, "handle.sh", False),
        (5, t(2025, 3, 4, 0, 15, 3), None, "handle.sh", False),
        (6, t(2025, 3, 4, 19, 15, 4), None, "handle.sh", False),
        (7, t(2025, 3, 4, 12, 15, 5), None, "handle.sh", False),
        (8, t(2025, 3, 4, 20, 0, 0, 123456), None, "handle_host_daemon.sh", False),
        (9, None, None, None, False),
        (10, None, None, "handle.sh", False),
        (11, None, None, "handle.sh", False),
    ]
    physical = SAMPLE.split("\n")
    assert [r.message for r in records] == [physical[r.line - 1] for r in records]
    assert records[5].message == "Tue Mar 04 12:15:05 PM UTC 2025- 3 returned from handle.py"
    assert records[6].message == "[2025-03-04 20:00:00:123456789] host based snapshot daemon started"
    assert facts.value("python_version") == "python2.7"
    assert facts.get("python_version").line == 6


def test_later_python_wins_by_time_not_order():
    data = ("Tue Mar  4 09:00:00 UTC 2025- python path exists\n"
            "Tue Mar  4 08:00:00 UTC 2025- python3 path exists\n")
    _, facts, _ = run_parser(mod, data)
    assert facts.value("python_version") == "python"


def test_empty_and_binary_input():
    records, facts, problems = run_parser(mod, b"")
    assert (records, facts.as_dict(), problems) == ([], {}, [])
    records, _, problems = run_parser(mod, b"\x00\x01\x02\xff\xfe\n\n")
    assert [(r.line, r.time) for r in records] == [(1, None)]
    assert problems == []


@pytest.mark.parametrize("head, expected", [
    ("Thu Nov 26 19:33:29 UTC 2026- python3 path exists\n", True),
    ("\nThu Nov 26 07:33:29 PM UTC 2026- python3 path exists\n", True),
    ("[2026-11-26 19:33:29:000000001] daemon\n", True),
    ("2026-11-26 19:33:29.1 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting enable\n", False),
    ("", False),
])
def test_sniff(head, expected):
    assert mod.sniff(head) is expected


@pytest.mark.parametrize("scenario, count, python", [
    ("s00_daemon_not_executable", 4, "python3"),
    ("s07_freeze_fail", 7, "python3"),
    ("s13_freeze_open_fail", 7, "python3"),
    ("s18_py2_host_success", 7, "python2.7"),
    ("s19_py2_no_network", 7, "python2.7"),
])
def test_reference_fixture(reference, scenario, count, python):
    data = (reference / FIXTURES / scenario / LOG).read_bytes()
    records, facts, problems = run_parser(mod, data, LOG)
    assert problems == []
    assert len(records) == count
    assert all(r.time is not None and r.component == "handle.sh" for r in records)
    assert facts.value("python_version") == python


def test_reference_freeze_fail_lines(reference):
    data = (reference / FIXTURES / "s07_freeze_fail" / LOG).read_bytes()
    records, facts, _ = run_parser(mod, data, LOG)
    assert [(r.line, r.time, r.message) for r in records] == [
        (1, t(2026, 11, 26, 19, 34, 51),
         "Thu Nov 26 19:34:51 UTC 2026- The command is install, exiting with conf file copy"),
        (2, t(2026, 11, 26, 19, 34, 51),
         "Thu Nov 26 19:34:51 UTC 2026- ConfigSequenceNumber from environment variable seqNo:0"),
        (3, t(2026, 11, 26, 19, 34, 51), "Thu Nov 26 19:34:51 UTC 2026- python3 path exists"),
        (4, t(2026, 11, 26, 19, 34, 53),
         "Thu Nov 26 19:34:53 UTC 2026- ConfigSequenceNumber from environment variable seqNo:0"),
        (5, t(2026, 11, 26, 19, 34, 53), "Thu Nov 26 19:34:53 UTC 2026- python3 path exists"),
        (6, t(2026, 11, 26, 19, 34, 53), "Thu Nov 26 19:34:53 UTC 2026- 0 returned from handle.py"),
        (7, t(2026, 11, 26, 19, 34, 59), "Thu Nov 26 19:34:59 UTC 2026- 0 returned from handle.py"),
    ]
    assert facts.get("python_version").line == 5
