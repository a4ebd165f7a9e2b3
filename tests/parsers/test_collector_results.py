"""results.txt of the waagent log collector."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import collector_results
from azlog_vmbackup.parsers.base import ParseContext
from tests.helpers import run_parser

PATH = "results.txt"

SAMPLE = """2024-06-03T11:20:40Z INFO Starting log collection at 2024-06-03T11:20:40Z
2024-06-03T11:20:41Z INFO Using log collection mode full
2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/log]:
total 12
drwxrwxr-x  9 root syslog 4096 Jun  3 11:00 ./
drwxr-xr-x  4 root root   4096 Jun  1 09:02 WALinuxAgent-1.0.0/

2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/lib/waagent]:
total 64
drwx------  7 root root 4096 Jun  3 11:15 ./
drwxr-xr-x  5 root root 4096 Jun  3 11:10 Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9226.0/
drwxr-xr-x  5 root root 4096 May 20 07:45 Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/
drwxr-xr-x  6 root root 4096 Jun  1 09:02 WALinuxAgent-2.10.0.8/
drwxr-xr-x  6 root root 4096 May  2 16:30 WALinuxAgent-2.9.1.1/
-rw-r--r--  1 root root   44 May  2 16:30 WALinuxAgent-2.9.1.1.zip

2024-06-03T11:20:43Z INFO\x20
2024-06-03T11:20:44Z WARNING Archive too big, done with adding files.
2024-06-03T11:20:45Z ERROR Failed to add file /var/log/syslog.1
2024-06-03T11:20:46Z CRITICAL Unexpected failure
2024-06-03T11:20:47Z DEBUG detail
"""


def at(second):
    return datetime(2024, 6, 3, 11, 20, second, tzinfo=timezone.utc)


def test_sample_records():
    records, _, problems = run_parser(collector_results, SAMPLE, PATH)
    assert problems == []
    assert [(r.line, r.time, r.level) for r in records] == [
        (1, at(40), "INFO"), (2, at(41), "INFO"), (3, at(42), "INFO"), (8, at(42), "INFO"),
        (17, at(43), "INFO"), (18, at(44), "WARNING"), (19, at(45), "ERROR"), (20, at(46), "ERROR"),
        (21, at(47), "VERBOSE"),
    ]
    assert records[0].message == "2024-06-03T11:20:40Z INFO Starting log collection at 2024-06-03T11:20:40Z"
    assert records[2].message == ("2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/log]:\ntotal 12\n"
                                  "drwxrwxr-x  9 root syslog 4096 Jun  3 11:00 ./\n"
                                  "drwxr-xr-x  4 root root   4096 Jun  1 09:02 WALinuxAgent-1.0.0/")
    assert records[3].message.count("\n") == 7
    assert records[3].message.endswith("WALinuxAgent-2.9.1.1.zip")
    assert records[4].message == "2024-06-03T11:20:43Z INFO "
    assert records[5].message == "2024-06-03T11:20:44Z WARNING Archive too big, done with adding files."
    assert records[7].message == "2024-06-03T11:20:46Z CRITICAL Unexpected failure"
    physical = SAMPLE.split("\n")
    for r in records:
        parts = r.message.split("\n")
        assert parts == physical[r.line - 1:r.line - 1 + len(parts)]
    assert all(r.component is None and r.local_time is False for r in records)


def test_sample_facts():
    _, facts, _ = run_parser(collector_results, SAMPLE, PATH)
    assert facts.as_dict() == {
        "collector_mode": "full",
        "extension_version": "1.0.9226.0",
        "installed_agent_versions": ["2.9.1.1", "2.10.0.8"],
    }
    mode = facts.get("collector_mode")
    assert (mode.line, mode.time) == (2, at(41))
    versions = facts.get("installed_agent_versions")
    assert (versions.line, versions.time) == (13, at(42))
    assert facts.get("extension_version").line == 11


def test_status_file_version_is_not_overridden():
    facts = Facts()
    facts.set("extension_version", "1.0.9230.0", "var/lib/waagent/x/status/3.status", 1)
    ctx = ParseContext(PATH, facts, [])
    list(collector_results.parse(io.BytesIO(SAMPLE.encode()), ctx))
    assert facts.value("extension_version") == "1.0.9230.0"
    assert facts.get("extension_version").path == "var/lib/waagent/x/status/3.status"


def test_listing_without_agent_dirs_gives_empty_list():
    doc = ("2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/lib/waagent]:\n"
           "drwx------  7 root root 4096 Jun  3 11:15 ./\n")
    _, facts, _ = run_parser(collector_results, doc, PATH)
    assert facts.as_dict() == {"installed_agent_versions": []}
    assert facts.get("installed_agent_versions").line is None


def test_failed_listing_sets_nothing():
    doc = ("2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/lib/waagent]:\n"
           "ls: cannot access '/var/lib/waagent': No such file or directory\n")
    records, facts, _ = run_parser(collector_results, doc, PATH)
    assert len(records) == 1
    assert facts.as_dict() == {}


def test_leading_orphan_lines_and_bad_times():
    doc = "garbage before any entry\n  more\n2024-13-40T99:00:00Z INFO impossible time\n"
    records, facts, problems = run_parser(collector_results, doc, PATH)
    assert [(r.line, r.time, r.level, r.message) for r in records] == [
        (1, None, None, "garbage before any entry\n  more"),
        (3, None, "INFO", "2024-13-40T99:00:00Z INFO impossible time"),
    ]
    assert (facts.as_dict(), problems) == ({}, [])


def test_reference_synthetic_results(reference):
    path = reference / "linux-agent" / "synthetic" / "results.txt"
    records, facts, problems = run_parser(collector_results, path.read_bytes(), PATH)
    assert problems == []
    assert len(records) == 50
    assert (records[0].line, records[0].time, records[0].message) == (
        1, datetime(2024, 5, 14, 2, 5, 2, tzinfo=timezone.utc),
        "2024-05-14T02:05:02Z INFO Starting log collection at 2024-05-14T02:05:02Z")
    listing = next(r for r in records if r.line == 14)
    assert listing.message.count("\n") == 8
    assert (records[-1].line, records[-1].message) == (65, "2024-05-14T02:05:22Z INFO Elapsed time: 7121 ms")
    assert facts.as_dict() == {"collector_mode": "normal", "extension_version": "1.0.9225.0",
                               "installed_agent_versions": ["2.15.0.1"]}
    assert (facts.get("collector_mode").line, facts.get("extension_version").line,
            facts.get("installed_agent_versions").line) == (2, 20, 22)
