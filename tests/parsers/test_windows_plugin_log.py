"""Tests for parsers.windows_plugin_log: agent headers, TraceSource lines, generic stamps, continuations."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from azlog_vmbackup.parsers import windows_plugin_log
from tests.helpers import run_parser

BCDR = ("WindowsAzure/Logs/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/"
        "IaaSBcdrExtension3.log")
OTHER = "C:\\WindowsAzure\\Logs\\Plugins\\Microsoft.Compute.CustomScriptExtension\\1.10.15\\CommandExecution.log"


def t(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=timezone.utc)


def parse(text: str | bytes, path: str = BCDR):
    return run_parser(windows_plugin_log, text, path)


def summary(records):
    return [(r.line, r.time, r.level, r.component, r.local_time, r.message.count("\n")) for r in records]


MIXED = (
    "Loaded configuration from HandlerEnvironment.json\n"
    "second line before any stamp\n"
    "[00000008] [05/17/2024 03:01:59.40] [INFO]  Command started: enable.cmd\n"
    "IaaSBcdrExtension.exe Information: 0 : [5/17/2024 3:02:11 AM] Snapshot request received\n"
    "IaaSBcdrExtension.exe Error: 7 : [5/17/2024 3:04:55 PM] VSS snapshot creation failed: 0x80042306\n"
    "   at Example.Snapshot.Create()\n"
    "\n"
    "   at Example.Snapshot.Run()\n"
    "\n"
    "SnapshotHost Warning: 0 : retry without a time\n"
    "IaaSBcdrExtension.exe Critical: 1 : [not a time at all] stopped\n"
    "2024-05-17 03:05:01.224 [Warning] Retrying the snapshot\n"
    "2024-05-17T03:05:02.5+02:00 ERROR offset stamp\n"
    "2024/05/17 03:05:03Z Info utc stamp\n"
    "[2024-05-17 03:05:04] plain text without a level\n"
    "5/17/2024 12:05:05 AM Debug midnight hour\n"
    "{\"json\": \"continues\"}\n"
    "2024-05-17T03:05:06.0000000Z [VERBOSE] agent style without thread\n")


def test_every_line_shape():
    records, facts, problems = parse(MIXED)
    assert summary(records) == [
        (1, None, None, None, False, 0),
        (2, None, None, None, False, 0),
        (3, t(2024, 5, 17, 3, 1, 59, 400000), "INFO", "00000008", False, 0),
        (4, t(2024, 5, 17, 3, 2, 11), "INFO", "IaaSBcdrExtension.exe", True, 0),
        (5, t(2024, 5, 17, 15, 4, 55), "ERROR", "IaaSBcdrExtension.exe", True, 3),
        (10, None, "WARNING", "SnapshotHost", False, 0),
        (11, None, "ERROR", "IaaSBcdrExtension.exe", False, 0),
        (12, t(2024, 5, 17, 3, 5, 1, 224000), "WARNING", None, True, 0),
        (13, t(2024, 5, 17, 1, 5, 2, 500000), "ERROR", None, False, 0),
        (14, t(2024, 5, 17, 3, 5, 3), "INFO", None, False, 0),
        (15, t(2024, 5, 17, 3, 5, 4), None, None, True, 0),
        (16, t(2024, 5, 17, 0, 5, 5), "VERBOSE", None, True, 1),
        (18, t(2024, 5, 17, 3, 5, 6), "VERBOSE", None, False, 0),
    ]
    assert records[4].message.split("\n") == MIXED.split("\n")[4:8]
    assert facts.as_dict() == {"extension_name": "Microsoft.Azure.RecoveryServices.VMSnapshot",
                               "extension_version": "1.0.92.0"}
    assert facts.get("extension_version").time == t(2024, 5, 17, 15, 4, 55)
    assert problems == []


def test_day_first_dates_are_swapped_when_the_month_cannot_be_first():
    records, _, _ = parse("25/12/2023 10:00:00 Error: x\n")
    assert summary(records) == [(1, t(2023, 12, 25, 10), "ERROR", None, True, 0)]


def test_other_extensions_set_no_facts_and_files_without_stamps_keep_every_line():
    records, facts, _ = parse("Running script\nexit code 0\n\nDone\n", OTHER)
    assert summary(records) == [(1, None, None, None, False, 0), (2, None, None, None, False, 0),
                                (4, None, None, None, False, 0)]
    assert facts.as_dict() == {}


def test_undated_vmsnapshot_log_sets_version_by_default():
    _, facts, _ = parse("no stamps here\n")
    assert facts.as_dict() == {"extension_name": "Microsoft.Azure.RecoveryServices.VMSnapshot",
                               "extension_version": "1.0.92.0"}
    assert facts.get("extension_version").time is None


def test_sas_signatures_are_masked():
    records, _, _ = parse("2024-01-01 00:00:00 INFO blob https://s.blob.core.windows.net/c/b?sp=r&sig=QWx%3D\n")
    assert records[0].message.endswith("?sp=r&sig=***")


def test_utf16_le_with_bom_and_crlf():
    data = b"\xff\xfe" + MIXED.replace("\n", "\r\n").encode("utf-16-le")
    records, _, _ = parse(data)
    assert summary(records) == summary(parse(MIXED)[0])
    assert records[4].message == (MIXED.split("\n")[4]
                                  + "\n   at Example.Snapshot.Create()\n\n   at Example.Snapshot.Run()")


def test_cp1252_bytes():
    data = ("IaaSBcdrExtension.exe Warning: 0 : [1/2/2024 1:02:03 PM] Volume « D: » est verrouillé\n"
            .encode("cp1252"))
    records, _, _ = parse(data)
    assert records[0].message.endswith("Volume « D: » est verrouillé")
    assert summary(records) == [(1, t(2024, 1, 2, 13, 2, 3), "WARNING", "IaaSBcdrExtension.exe", True, 0)]


def test_long_continuation_runs_go_on_in_a_new_record(monkeypatch):
    from azlog_vmbackup.parsers import waappagent_log
    monkeypatch.setattr(waappagent_log, "MAX_RECORD_LINES", 2)
    records, _, _ = parse("2024-01-01 00:00:00 Error boom\n a\n b\n c\n")
    assert summary(records) == [(1, t(2024, 1, 1), "ERROR", None, True, 1), (3, None, None, None, False, 1)]


@pytest.mark.parametrize("name", ["12_waappagent_extension_enable_failed_chef_issues.txt",
                                  "08_waappagent_iso_timestamp_badimageformat.txt"])
def test_agent_style_reference_excerpts_read_like_the_agent_parser(reference, name):
    from azlog_vmbackup.parsers import waappagent_log
    text = (reference / "windows" / "excerpts" / name).read_text(encoding="utf-8")
    stripped = "\n".join(line for line in text.split("\n") if not line.startswith("#"))
    records, _, _ = parse(stripped, OTHER)
    expected, _, _ = run_parser(waappagent_log, stripped, OTHER)
    assert summary(records) == summary(expected)
    assert [r.message for r in records] == [r.message for r in expected]
