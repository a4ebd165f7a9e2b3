"""Tests for parsers.cloud_init_log."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from azlog_vmbackup.parsers import cloud_init_log, syslog
from tests.helpers import run_parser

LOG = (
    "2024-05-14 02:05:02,117 - util.py[DEBUG]: Cloud-init v. 23.4.4-0ubuntu0~22.04.1 running 'init' "
    "at Tue, 14 May 2024 02:05:02 +0000. Up 10.52 seconds.\n"
    "2024-05-14 02:05:09,845 - url_helper.py[WARNING]: Calling "
    "'http://168.63.129.16/machine/?comp=goalstate' failed [0/5s]: request error\n"
    "2024-05-14 02:05:11,003 - azure.py[ERROR]: Failed fetching goal state\n"
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/cloudinit/sources/helpers/azure.py", line 412, in get\n'
    "TimeoutError: timed out\n"
    "\n"
    "During handling of the above exception, another exception occurred:\n"
    "\n"
    "Traceback (most recent call last):\n"
    "RuntimeError: no goal state\n"
    "\n"
    "2024-05-14 02:05:12,000 - handlers.py[CRITICAL]: giving up\n"
    "2024-05-14 02:05:13,500 - stages.py[INFO]: Running module ssh\n"
)

OUTPUT = (
    "Cloud-init v. 23.4.4-0ubuntu0~22.04.1 running 'init' at Tue, 14 May 2024 02:05:02 +0000. "
    "Up 10.52 seconds.\n"
    "ci-info: ++++++++++++++++++++++Net device info++++++++++++++++++++++\n"
    "2024-05-14 02:05:30,100 - cc_final_message.py[WARNING]: Used fallback datasource\n"
    "Traceback (most recent call last):\n"
    "\n"
    "Cloud-init v. 23.4.4-0ubuntu0~22.04.1 finished at Tue, 14 May 2024 02:05:31 +0000. "
    "Datasource DataSourceAzure [seed=/dev/sr0].  Up 30.12 seconds\n"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(syslog, "_now", lambda: at("2024-06-01T00:00:00"))


def test_log_entries_with_tracebacks():
    records, facts, problems = run_parser(cloud_init_log, LOG, "var/log/cloud-init.log")
    assert problems == []
    assert [r.line for r in records] == [1, 2, 3, 13, 14]
    assert [r.level for r in records] == ["VERBOSE", "WARNING", "ERROR", "ERROR", "INFO"]
    assert [r.component for r in records] == ["util.py", "url_helper.py", "azure.py", "handlers.py", "stages.py"]
    assert [r.time for r in records] == [at("2024-05-14T02:05:02.117"), at("2024-05-14T02:05:09.845"),
                                        at("2024-05-14T02:05:11.003"), at("2024-05-14T02:05:12"),
                                        at("2024-05-14T02:05:13.5")]
    assert not any(r.local_time for r in records)
    lines = records[2].message.split("\n")
    assert len(lines) == 9
    assert lines[0] == "2024-05-14 02:05:11,003 - azure.py[ERROR]: Failed fetching goal state"
    assert lines[4] == "" and lines[8] == "RuntimeError: no goal state"
    assert facts.as_dict() == {}


def test_lines_before_the_first_entry_form_one_record():
    data = '  File "x.py", line 3, in f\nValueError: bad\n2024-05-14 02:05:13,500 - stages.py[INFO]: ok\n'
    records, _, _ = run_parser(cloud_init_log, data, "var/log/cloud-init.log")
    assert [(r.line, r.time, r.level, r.message.count("\n")) for r in records] == [
        (1, None, None, 1), (3, at("2024-05-14T02:05:13.5"), "INFO", 0)]


def test_rsyslog_wrapped_log():
    data = ("May 14 02:05:02 vm1 [CLOUDINIT] util.py[DEBUG]: Running command ['ip', 'addr']\n"
            "May 14 02:05:03 vm1 cloud-init[812]: cc_set_hostname.py[WARNING]: hostname not set\n"
            "May 14 02:05:04 vm1 cloud-init[812]: ERROR something odd\n")
    records, _, _ = run_parser(cloud_init_log, data, "var/log/cloud-init.log.1")
    assert [(r.line, r.time, r.local_time, r.level, r.component) for r in records] == [
        (1, at("2024-05-14T02:05:02"), True, "VERBOSE", "util.py"),
        (2, at("2024-05-14T02:05:03"), True, "WARNING", "cc_set_hostname.py"),
        (3, at("2024-05-14T02:05:04"), True, "ERROR", "cloud-init")]


def test_output_log_one_record_per_line():
    records, _, problems = run_parser(cloud_init_log, OUTPUT, "var/log/cloud-init-output.log")
    assert problems == []
    assert [r.line for r in records] == [1, 2, 3, 4, 6]
    assert [r.time for r in records] == [at("2024-05-14T02:05:02"), None, at("2024-05-14T02:05:30.1"),
                                        None, at("2024-05-14T02:05:31")]
    assert [r.level for r in records] == [None, None, "WARNING", None, None]
    assert [r.component for r in records] == ["cloud-init", None, "cc_final_message.py", None, "cloud-init"]
    assert all("\n" not in r.message for r in records)


def test_continuation_is_capped(monkeypatch):
    monkeypatch.setattr(cloud_init_log, "MAX_LINES", 3)
    data = "2024-05-14 02:05:13,500 - stages.py[INFO]: dump\n" + "".join(f"row {i}\n" for i in range(5))
    records, _, _ = run_parser(cloud_init_log, data, "var/log/cloud-init.log")
    assert [(r.line, r.message.count("\n") + 1) for r in records] == [(1, 3), (4, 3)]


def test_sniff():
    assert cloud_init_log.sniff(LOG[:4096])
    assert cloud_init_log.sniff(OUTPUT)
    assert not cloud_init_log.sniff("2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\n")
    assert not cloud_init_log.sniff("May 14 02:05:02 vm1 systemd[1]: Started x.\n")
    assert not cloud_init_log.sniff("2024/05/14 02:35:40.118207  Info  starting enable \n")
