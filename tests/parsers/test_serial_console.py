"""Tests for parsers.serial_console."""
from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.parsers import serial_console
from tests.helpers import context, run_parser

SAMPLE = (
    "[    0.000000] Linux version 5.15.0-1064-azure (buildd@lcy02-amd64-040) #73-Ubuntu SMP\n"
    "[\x1b[0;32m  OK  \x1b[0m] Started Azure Linux Agent.\r\n"
    "[\x1b[0;1;31mFAILED\x1b[0m] Failed to start Load Kernel Modules.\n"
    "[   25.118094] cloud-init[812]: Cloud-init v. 23.4.4 running 'init' at Tue, 14 May 2024 "
    "02:05:02 +0000. Up 10.52 seconds.\n"
    "ci-info: +++++++++++++++++++Net device info+++++++++++++++++++\n"
    "2024/05/14 02:35:40.118207  Info  T:S freeze, timeout value 60 \n"
    "2024/05/14 02:35:40.120001  Info  getting the mount info using mount_path /dev/sda1 on / type ext4 (rw)\n"
    "/dev/sda15 on /boot/efi type vfat (rw,relatime)\n"
    " \n"
    "2024/05/14 02:35:41.502913  Error  T:S freeze result freeze failed for some mount \n"
    "2024/05/14 02:35:41.600000  Critical  unexpected \n"
    "2024/05/14 02:35:41.700000  Verbose  detail \n"
    "2024/05/14 02:35:42 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting enable\n"
    "2024/05/14 02:35:43 ERROR:[Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Enable failed\n"
    "2024-05-14 02:35:44.000001  Warning  starting daemon initially \n"
    "vm-web01 login:\n"
    "2024/05/14 02:35:45.000000  Info  index: 0 blobUri: https://md-x.blob.core.windows.net/d/abcd"
    "?sv=2020&sig=Zm9vYmFy%3D \n"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_records():
    records, facts, problems = run_parser(serial_console, SAMPLE, "bootdiagnostics.serialconsole.log")
    assert problems == []
    assert [r.line for r in records] == [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17]
    assert [r.component for r in records] == (
        ["kernel", "systemd", "systemd", "cloud-init", "cloud-init"]
        + ["VMSnapshotLinux"] * 8 + [None, "VMSnapshotLinux"])
    assert [r.level for r in records] == [
        None, "INFO", "ERROR", None, None, "INFO", "INFO", "ERROR", "ERROR", "VERBOSE", None, "ERROR",
        "WARNING", None, "INFO"]
    assert [r.time for r in records] == [
        None, None, None, at("2024-05-14T02:05:02"), None, at("2024-05-14T02:35:40.118207"),
        at("2024-05-14T02:35:40.120001"), at("2024-05-14T02:35:41.502913"), at("2024-05-14T02:35:41.6"),
        at("2024-05-14T02:35:41.7"), at("2024-05-14T02:35:42"), at("2024-05-14T02:35:43"),
        at("2024-05-14T02:35:44.000001"), None, at("2024-05-14T02:35:45")]
    assert [r.line for r in records if r.local_time] == [13, 14]
    assert records[1].message == "[  OK  ] Started Azure Linux Agent."
    assert records[6].message == ("2024/05/14 02:35:40.120001  Info  getting the mount info using mount_path "
                                  "/dev/sda1 on / type ext4 (rw)\n/dev/sda15 on /boot/efi type vfat (rw,relatime)")
    assert records[-1].message.endswith("?sv=2020&sig=*** ")
    # the freeze started at 02:35:40 has its result at 02:35:41
    assert facts.as_dict() == {"vmsnapshot_stopped_in_freeze": False}


def test_console_that_stops_inside_a_freeze():
    data = ("2023-08-02 04:10:11.210004  Info  Taking Snapshot through Host \n"
            "2023-08-02 04:10:11.214470  Info  T:S freeze, timeout value 60 \n"
            "2023-08-02 04:10:11.218113  Info  fsfreeze mount :/var/lib/mysql \n"
            "2023-08-02 04:10:11.219006  Info  fsfreeze mount :/ \n"
            "2023-08-02 04:11:14.700211  Info  Binary output for signal handled: 0 \n"
            "2023-08-02 04:11:14.700870  Info  ============== Binary output traces start =================  \n"
            "[ 1352.617001] INFO: task kworker/u4:2:8712 blocked for more than 120 seconds.\n"
            "[ 1352.617532] Freezing user space processes ... (elapsed 0.001 seconds) done.\n"
            "vm-db02 login:\n")
    records, facts, _ = run_parser(serial_console, data, "serialconsole.log")
    assert len(records) == 9
    assert facts.value("vmsnapshot_stopped_in_freeze") is True
    fact = facts.get("vmsnapshot_stopped_in_freeze")
    assert (fact.line, fact.time) == (4, at("2023-08-02T04:10:11.219006"))


def test_console_freeze_then_thaw():
    data = ("2023-08-02 04:10:11.214470  Info  T:S freeze, timeout value 60 \n"
            "2023-08-02 04:10:11.218113  Info  fsfreeze mount :/ \n"
            "2023-08-02 04:10:13.401522  Info  T:S freeze result , timedout :False \n"
            "2023-08-02 04:10:17.022918  Info  T:S thaw result \n")
    _, facts, _ = run_parser(serial_console, data, "serialconsole.log")
    assert facts.value("vmsnapshot_stopped_in_freeze") is False


def test_console_without_extension_freeze_has_no_freeze_fact():
    data = ("[    0.000000] Linux version 5.15.0-1064-azure (buildd@lcy02-amd64-040) #73-Ubuntu SMP\n"
            "[  212.617532] Freezing user space processes ... (elapsed 0.001 seconds) done.\n"
            "[  OK  ] Started Azure Linux Agent.\n")
    _, facts, _ = run_parser(serial_console, data, "serialconsole.log")
    assert "vmsnapshot_stopped_in_freeze" not in facts


def test_known_line_ends_an_open_message():
    data = ("2024/05/14 02:35:40.118207  Info  first \n"
            "2024/05/14 02:35:40.120001  Info  Traceback (most recent call last):\n"
            '  File "x.py", line 1, in f\n'
            "[  500.100000] hv_storvsc vmbus_0_11: cmd 0x2a\n"
            "tail text\n")
    records, _, _ = run_parser(serial_console, data)
    assert [(r.line, r.component, r.message.count("\n")) for r in records] == [
        (1, "VMSnapshotLinux", 0), (2, "VMSnapshotLinux", 1), (4, "kernel", 0), (5, None, 0)]


def test_without_end_spaces_each_line_stands_alone():
    data = ("2024/05/14 02:35:40.118207  Info  starting enable\n"
            "vm-web01 login:\n"
            "2024/05/14 02:35:41.000000  Error  unable to detect disk topology\n")
    records, _, _ = run_parser(serial_console, data)
    assert [(r.line, r.level, r.message.count("\n")) for r in records] == [
        (1, "INFO", 0), (2, None, 0), (3, "ERROR", 0)]


PIECES = ["2024/13/45 25:61:61.1  Error  ", "2024-05-14 02:35:44.000001  Warning  ", "[ 1.0] ", "[FAILED] ",
          "cloud-init[1]: ", "Cloud-init v. 1 finished at Fri, 31 Dec 9999 23:59:59 -2359",
          "[Tue Feb 31 99:99:99 2024] ", "2024/05/14 02:35:42 ERROR:[a-1.0]", "\x1b[0;32m", "\x1b[",
          " ", "\n", " \n", "\x00", "sig=x ", "kern  :err   : "]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES)).map("".join))
def test_never_raises(text):
    records, _, _ = run_parser(serial_console, text)
    assert all("sig=x" not in r.message for r in records)
    assert all(r.time is None or r.time.tzinfo is not None for r in records)
    serial_console.sniff(text)


def test_sniff():
    assert serial_console.sniff(SAMPLE)
    assert serial_console.sniff("UEFI boot\n[    0.000000] Linux version 5.15.0-1064-azure (x)\n")
    assert not serial_console.sniff("2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\n")
    assert not serial_console.sniff("[   12.000000] hv_vmbus: registering driver hv_netvsc\n")
    assert not serial_console.sniff("May 14 02:05:02 vm1 systemd[1]: Started x.\n")


def test_reference_freeze_fail_console(reference):
    path = reference / "vmsnapshot-linux/fixtures/s07_freeze_fail/serial_console_dev_console.log"
    records, _, problems = run_parser(serial_console, path.read_bytes(), "serial_console.log")
    assert problems == []
    assert len(records) == 138
    assert Counter(r.level for r in records) == {"INFO": 135, "WARNING": 1, "ERROR": 2}
    assert {r.component for r in records} == {"VMSnapshotLinux"}
    assert all(r.time is not None and not r.local_time for r in records)
    assert records[0].time == at("2026-11-26T19:34:52.077984")
    assert [r.line for r in records if r.level == "ERROR"] == [82, 140]
    assert [r.line for r in records if r.level == "WARNING"] == [12]
    multi = {r.line: r.message.count("\n") + 1 for r in records if "\n" in r.message}
    assert multi == {21: 24, 102: 7}
    assert records[-1].line == 169


def test_reference_py2_console(reference):
    path = reference / "vmsnapshot-linux/fixtures/s18_py2_host_success/serial_console_dev_console.log"
    records, _, _ = run_parser(serial_console, path.read_bytes(), "serial_console.log")
    assert len(records) == 238
    assert sum(r.local_time for r in records) == 6
    assert {r.component for r in records} == {"VMSnapshotLinux"}
    assert sorted(r.line for r in records if "\n" in r.message) == [26, 107]


def test_freebsd_and_firewall_banners_name_the_distribution():
    data = ("Copyright (c) 1992-2021 The FreeBSD Project.\n"
            "FreeBSD 12.3-STABLE RELENG_2_6_0-n226742-1285d6d205f pfSense amd64\n"
            "*** Welcome to pfSense 2.6.0-RELEASE (amd64) on fw-hub01 ***\n")
    records, facts, _ = run_parser(serial_console, data, "serialconsole.log")
    assert len(records) == 3
    assert (facts.value("os_distro"), facts.value("os_version")) == ("pfsense", "2.6.0")
    assert facts.get("os_distro").line == 3


def test_os_banner_never_overrides_what_another_member_said():
    ctx = context("serialconsole.log")
    ctx.facts.set("os_distro", "ubuntu", "etc/os-release", 3)
    list(serial_console.parse(io.BytesIO(b"FreeBSD 13.2-RELEASE releng/13.2-n254617 GENERIC amd64\n"), ctx))
    assert ctx.facts.value("os_distro") == "ubuntu" and "os_version" not in ctx.facts
