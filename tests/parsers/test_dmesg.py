"""Tests for parsers.dmesg."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from azlog_vmbackup.parsers import dmesg, syslog
from tests.helpers import run_parser

SAMPLE = (
    "[    0.000000] Linux version 5.15.0-1064-azure (buildd@lcy02-amd64-040) #73-Ubuntu SMP\n"
    "[    4.118734] hv_vmbus: registering driver hv_netvsc\n"
    "[    5.002114] kernel: EXT4-fs (sda1): re-mounted. Opts: discard\n"
    "[   22.906412] systemd[1]: Started Journal Service.\n"
    "\n"
    "[Tue May 14 02:05:02 2024] EXT4-fs (sda1): mounted filesystem with ordered data mode\n"
    "kern  :err   : [  311.402118] Out of memory: Killed process 2143 (python3)\n"
    "daemon:info  : [Tue May 14 02:06:03 2024] systemd[1]: Started Daily apt upgrade.\n"
    "2024-05-14T04:06:10,482113+02:00 hv_balloon: Max. dynamic memory size: 8192 MB\n"
    "May 14 02:07:00 vm-web01 kernel: [  400.100000] sd 0:0:0:0: [sda] timing out command\n"
    "some other text\n"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(syslog, "_now", lambda: at("2024-06-01T00:00:00"))


def test_records():
    records, facts, problems = run_parser(dmesg, SAMPLE, "var/log/dmesg")
    assert problems == []
    assert [r.line for r in records] == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    assert [r.time for r in records] == [
        None, None, None, None, at("2024-05-14T02:05:02"), None, at("2024-05-14T02:06:03"),
        at("2024-05-14T02:06:10.482113"), at("2024-05-14T02:07:00"), None]
    assert [r.local_time for r in records] == [False] * 4 + [True, False, True, False, True, False]
    assert [r.level for r in records] == [None] * 5 + ["ERROR", "INFO", None, None, None]
    assert [r.component for r in records] == ["kernel", "kernel", "kernel", "systemd", "kernel", "kernel",
                                             "systemd", "kernel", "kernel", None]
    assert records[5].message == "kern  :err   : [  311.402118] Out of memory: Killed process 2143 (python3)"
    assert records[0].message.startswith("[    0.000000] Linux version")
    assert facts.as_dict() == {}


def test_decoded_priorities():
    data = "".join(f"kern  :{p:<6}: [    1.000000] x\n"
                   for p in ("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"))
    records, _, _ = run_parser(dmesg, data)
    assert [r.level for r in records] == ["ERROR"] * 4 + ["WARNING", "INFO", "INFO", "VERBOSE"]


def test_bad_ctime_gives_no_time():
    records, _, _ = run_parser(dmesg, "[Tue Feb 30 02:05:02 2024] x\n")
    assert [(r.line, r.time, r.local_time, r.component) for r in records] == [(1, None, True, "kernel")]
