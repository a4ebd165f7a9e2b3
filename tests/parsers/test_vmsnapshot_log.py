"""extension.log of VMSnapshotLinux: line shapes, freeze blocks, safefreeze lines, facts."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import regex

from azlog_vmbackup.parsers import vmsnapshot_log as mod
from tests.helpers import run_parser

H = "[Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]"
COMPONENT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0"
FIXTURES = "vmsnapshot-linux/fixtures"
LOG = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"


def t(*fields) -> datetime:
    return datetime(*fields, tzinfo=timezone.utc)


def rows(records):
    return [(r.line, r.time, r.level, r.component, r.local_time, r.message) for r in records]


def lines(sample: str, first: int, last: int | None = None) -> str:
    """Physical lines ``first`` to ``last`` (1-based, inclusive) of ``sample``, as a message holds them."""
    return "\n".join(sample.split("\n")[first - 1:last or first])


# --- inline samples -------------------------------------------------------------------------

PY3 = (
    f"2025-03-04 08:15:02.441017 {H}starting enable\n"
    f"2025-03-04 08:15:02 [MyBackupTestLinuxInt-0.0]cwd is "
    "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0\n"
    f"2025-03-04 08:15:03.100000 {H}Enable,success,4,Transitioning state in extension,False\n"
    f"2025-03-04 08:15:04.200300 {H}Failed to call http with error: timed out, "
    "stack trace: Traceback (most recent call last):\n"
    '  File "/var/lib/waagent/x/main/HttpUtil.py", line 130, in HttpCallGetResponse\n'
    "socket.timeout: timed out\n"
    "\n"
    f"2025-03-04 08:15:09.002231 {H}Enable,error,402,CRP timeout limit has reached, will not take snapshot.,False\n"
)


def test_py3_lines_records_and_continuations():
    records, facts, problems = run_parser(mod, PY3, "extension.log")
    assert problems == []
    assert rows(records) == [
        (1, t(2025, 3, 4, 8, 15, 2, 441017), None, COMPONENT, False, lines(PY3, 1)),
        (2, t(2025, 3, 4, 8, 15, 2), None, "MyBackupTestLinuxInt-0.0", False, lines(PY3, 2)),
        (3, t(2025, 3, 4, 8, 15, 3, 100000), "INFO", COMPONENT, False, lines(PY3, 3)),
        (4, t(2025, 3, 4, 8, 15, 4, 200300), None, COMPONENT, False, lines(PY3, 4, 6)),
        (8, t(2025, 3, 4, 8, 15, 9, 2231), "ERROR", COMPONENT, False, lines(PY3, 8)),
    ]
    assert records[0].message == f"2025-03-04 08:15:02.441017 {H}starting enable"
    assert records[3].message == (
        f"2025-03-04 08:15:04.200300 {H}Failed to call http with error: timed out, stack trace: "
        "Traceback (most recent call last):\n"
        '  File "/var/lib/waagent/x/main/HttpUtil.py", line 130, in HttpCallGetResponse\n'
        "socket.timeout: timed out")
    assert facts.as_dict() == {
        "extension_name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux",
        "extension_version": "1.0.9225.0",
        "last_backup_attempt": "2025-03-04T08:15:02Z",
        "last_status": "error",
        "last_status_code": 402,
        "last_status_message": "CRP timeout limit has reached, will not take snapshot.",
        "last_status_time": "2025-03-04T08:15:09Z",
    }
    assert facts.get("last_backup_attempt").value == t(2025, 3, 4, 8, 15, 2, 441017)
    assert facts.get("last_status_code").line == 8
    assert facts.get("last_status_code").time == t(2025, 3, 4, 8, 15, 9, 2231)


FREEZE = (
    f"2025-03-04 08:15:05.000100 {H}proceeded for accepting signals\n"
    f"2025-03-04 08:15:09.002231 {H}Enable,error,121,,False\n"
    f"2025-03-04 08:15:09.310200 {H}Guest Agent Version is :WALinuxAgent-2.0.16\n"
    "Distro Info:Default\n"
    "================== Logs during Freeze Start ==============\n"
    "2025/03/04 08:15:05.120000  Info  Aquiring lock succeeded \n"
    "2025/03/04 08:15:05.120034  Info  ============== Binary output traces start =================  \n"
    "2025/03/04 08:15:05.120050  Info  2025-03-04 09:15:04 Freezing: /data \n"
    "2025/03/04 08:15:05.120101  Info  2025-03-04 09:15:04 Failed to FIFREEZE: /data "
    "with error message: Device or resource busy \n"
    "2025/03/04 08:15:05.120177  Info  ============== Binary output traces end =================  \n"
    "2025/03/04 08:15:05.120240  Error  freeze failed for some mount \n"
    "2025/03/04 08:15:05.120300  Info  T:S freeze result freeze failed for some mount\n"
    ", timedout :False \n"
    "2025/03/04 08:15:05.120400  Warning  T:S Enable failed with error: freeze failed for some mount\n"
    " StatusCode.FailedRetryableFsFreezeFailed, \n"
    "2025/03/04 08:15:05.120500  Critical  something critical \n"
    "2025/03/04 08:15:05.120600  Verbose  something verbose \n"
    "2025-03-04 08:15:05  Info  2025-03-04 09:15:05 not in a trace block \n"
    "================== Logs during Freeze End ==============\n"
    "\n"
    f"2025-03-04 08:15:09.400000 {H}Returning HttpUtil\n"
)


def test_freeze_block_lines_are_records_of_their_own():
    records, facts, problems = run_parser(mod, FREEZE, "extension.log")
    assert problems == []
    header_time = t(2025, 3, 4, 8, 15, 9, 310200)
    assert rows(records) == [
        (1, t(2025, 3, 4, 8, 15, 5, 100), None, COMPONENT, False, lines(FREEZE, 1)),
        (2, t(2025, 3, 4, 8, 15, 9, 2231), "ERROR", COMPONENT, False, lines(FREEZE, 2)),
        (3, header_time, None, COMPONENT, False, lines(FREEZE, 3)),
        (4, header_time, None, COMPONENT, False, "Distro Info:Default"),
        (5, header_time, None, COMPONENT, False, "================== Logs during Freeze Start =============="),
        (6, t(2025, 3, 4, 8, 15, 5, 120000), "INFO", COMPONENT, False, lines(FREEZE, 6)),
        (7, t(2025, 3, 4, 8, 15, 5, 120034), "INFO", COMPONENT, False, lines(FREEZE, 7)),
        (8, t(2025, 3, 4, 9, 15, 4), None, "safefreeze", True, lines(FREEZE, 8)),
        (9, t(2025, 3, 4, 9, 15, 4), None, "safefreeze", True, lines(FREEZE, 9)),
        (10, t(2025, 3, 4, 8, 15, 5, 120177), "INFO", COMPONENT, False, lines(FREEZE, 10)),
        (11, t(2025, 3, 4, 8, 15, 5, 120240), "ERROR", COMPONENT, False, lines(FREEZE, 11)),
        (12, t(2025, 3, 4, 8, 15, 5, 120300), "INFO", COMPONENT, False, lines(FREEZE, 12, 13)),
        (14, t(2025, 3, 4, 8, 15, 5, 120400), "WARNING", COMPONENT, False, lines(FREEZE, 14, 15)),
        (16, t(2025, 3, 4, 8, 15, 5, 120500), "ERROR", COMPONENT, False, lines(FREEZE, 16)),
        (17, t(2025, 3, 4, 8, 15, 5, 120600), "VERBOSE", COMPONENT, False, lines(FREEZE, 17)),
        (18, t(2025, 3, 4, 8, 15, 5), "INFO", COMPONENT, False, lines(FREEZE, 18)),
        (19, t(2025, 3, 4, 8, 15, 5), None, COMPONENT, False,
         "================== Logs during Freeze End =============="),
        (21, t(2025, 3, 4, 8, 15, 9, 400000), None, COMPONENT, False, lines(FREEZE, 21)),
    ]
    by_line = {r.line: r.message for r in records}
    assert by_line[9] == ("2025/03/04 08:15:05.120101  Info  2025-03-04 09:15:04 Failed to FIFREEZE: /data "
                          "with error message: Device or resource busy ")
    assert by_line[12] == ("2025/03/04 08:15:05.120300  Info  T:S freeze result freeze failed for some mount\n"
                           ", timedout :False ")
    assert facts.value("last_status_code") == 121
    assert facts.value("last_status_message") == ""


PY2 = (
    "2025/03/04 09:15:02 [MyBackupTestLinuxInt-0.0]cwd is "
    "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9100.0\n"
    f"2025/03/04 09:15:02 {H}starting enable\n"
    f"2025/03/04 09:15:03 {H}getting the mount info using mount_path /dev/sda1 on / type ext4 (rw)\n"
    "2025/03/04 09:15:03 proc on /proc type proc (rw)\n"
    "2025/03/04 09:15:03 \n"
    "2025/03/04 09:15:03 sysfs on /sys type sysfs (rw)\n"
    f"2025/03/04 09:15:06 {H}Guest Agent Version is :WALinuxAgent-2.0.16\n"
    "2025/03/04 09:15:06 Distro Info:Ubuntu 18.04\n"
    "2025/03/04 09:15:06 ================== Logs during Freeze Start ==============\n"
    "2025/03/04 09:15:06 2025-03-04 08:15:04.117866  Info  Binary subprocess Created \n"
    "2025/03/04 09:15:06 2025-03-04 08:15:04.197059  Info  T:S freeze result , timedout :False \n"
    "2025/03/04 09:15:06 ================== Logs during Freeze End ==============\n"
    "2025/03/04 09:15:06 \n"
    f"2025/03/04 09:15:06 {H}============== Binary output traces start ================= \n"
    f"2025/03/04 09:15:06 {H}2025-03-04 09:15:04 Thawing: /\n"
    f"2025/03/04 09:15:06 {H}============== Binary output traces end ================= \n"
    f"2025/03/04 09:15:07 ERROR:{H}Unable to locate ./HandlerEnvironment.json\n"
    "2025/03/04 09:15:07 ERROR:second line of the same error\n"
    "2025/03/04 09:15:08 WARNING:a library warning\n"
    f"2016/12/16 17:18:09 {H}2016-12-16 17:18:09.739891  Info  old wrapped line \n"
    f"2025/03/04 09:15:09 {H}Enable,success,1,,False\n"
)


def test_py2_lines_local_time_and_nested_backup_lines():
    records, facts, problems = run_parser(mod, PY2, "extension.log")
    assert problems == []
    assert rows(records) == [
        (1, t(2025, 3, 4, 9, 15, 2), None, "MyBackupTestLinuxInt-0.0", True, lines(PY2, 1)),
        (2, t(2025, 3, 4, 9, 15, 2), None, COMPONENT, True, lines(PY2, 2)),
        (3, t(2025, 3, 4, 9, 15, 3), None, COMPONENT, True, lines(PY2, 3, 6)),
        (7, t(2025, 3, 4, 9, 15, 6), None, COMPONENT, True, lines(PY2, 7)),
        (8, t(2025, 3, 4, 9, 15, 6), None, COMPONENT, True, lines(PY2, 8)),
        (9, t(2025, 3, 4, 9, 15, 6), None, COMPONENT, True, lines(PY2, 9)),
        (10, t(2025, 3, 4, 8, 15, 4, 117866), "INFO", COMPONENT, False, lines(PY2, 10)),
        (11, t(2025, 3, 4, 8, 15, 4, 197059), "INFO", COMPONENT, False, lines(PY2, 11)),
        (12, t(2025, 3, 4, 9, 15, 6), None, COMPONENT, True, lines(PY2, 12)),
        (14, t(2025, 3, 4, 9, 15, 6), None, COMPONENT, True, lines(PY2, 14)),
        (15, t(2025, 3, 4, 9, 15, 4), None, "safefreeze", True, lines(PY2, 15)),
        (16, t(2025, 3, 4, 9, 15, 6), None, COMPONENT, True, lines(PY2, 16)),
        (17, t(2025, 3, 4, 9, 15, 7), "ERROR", COMPONENT, True, lines(PY2, 17, 18)),
        (19, t(2025, 3, 4, 9, 15, 8), "WARNING", COMPONENT, True, lines(PY2, 19)),
        (20, t(2016, 12, 16, 17, 18, 9, 739891), "INFO", COMPONENT, False, lines(PY2, 20)),
        (21, t(2025, 3, 4, 9, 15, 9), "INFO", COMPONENT, True, lines(PY2, 21)),
    ]
    by_line = {r.line: r.message for r in records}
    # continuation lines keep their repeated time stamp, a time stamp alone included
    assert by_line[3] == (
        f"2025/03/04 09:15:03 {H}getting the mount info using mount_path /dev/sda1 on / type ext4 (rw)\n"
        "2025/03/04 09:15:03 proc on /proc type proc (rw)\n"
        "2025/03/04 09:15:03 \n"
        "2025/03/04 09:15:03 sysfs on /sys type sysfs (rw)")
    assert by_line[10] == "2025/03/04 09:15:06 2025-03-04 08:15:04.117866  Info  Binary subprocess Created "
    assert by_line[15] == f"2025/03/04 09:15:06 {H}2025-03-04 09:15:04 Thawing: /"
    # a trailing time-stamp-only line is dropped like a trailing blank line
    assert by_line[12] == "2025/03/04 09:15:06 ================== Logs during Freeze End =============="
    assert facts.value("extension_version") == "1.0.9100.0"
    assert facts.value("last_status") == "success"
    assert facts.value("last_status_code") == 1
    assert facts.value("last_backup_attempt") == t(2025, 3, 4, 9, 15, 2)


def test_facts_are_read_past_the_prefixes():
    data = (f"2025/03/04 09:15:08 {H}cwd is "
            "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9300.0\n"
            f"2025/03/04 09:15:09 {H}Enable,error,2,first line\n"
            "2025/03/04 09:15:09 second line,False\n"
            "2025/03/04 09:15:09 \n")
    records, facts, problems = run_parser(mod, data)
    assert problems == []
    assert [(r.line, r.level, r.message) for r in records] == [
        (1, None, lines(data, 1)), (2, "ERROR", lines(data, 2, 3))]
    assert facts.value("extension_version") == "1.0.9300.0"
    # the python 2 continuation line is in the message with its time stamp, not in the status text
    assert facts.value("last_status_message") == "first line\nsecond line"
    assert facts.get("last_status_code").line == 2


def job(day: int, *codes: tuple[str, int]) -> str:
    lines = [f"2025-03-{day:02d} 08:00:00.000001 {H}starting enable\n",
             f"2025-03-{day:02d} 08:00:01.000001 {H}starting daemon initially\n"]
    for second, (status, code) in enumerate(codes, start=2):
        lines.append(f"2025-03-{day:02d} 08:00:{second:02d}.000001 {H}Enable,{status},{code},msg {code},False\n")
    return "".join(lines)


def test_last_status_skips_interim_transitioning_lines():
    data = job(4, ("success", 4), ("success", 4), ("success", 1))
    _, facts, _ = run_parser(mod, data)
    assert (facts.value("last_status"), facts.value("last_status_code"),
            facts.value("last_status_message")) == ("success", 1, "msg 1")
    assert facts.value("last_status_time") == t(2025, 3, 4, 8, 0, 4, 1)
    assert facts.value("last_backup_attempt") == t(2025, 3, 4, 8, 0, 0, 1)


def test_last_job_stuck_in_transitioning():
    data = job(4, ("success", 4), ("error", 121)) + job(5, ("success", 4), ("success", 4))
    _, facts, _ = run_parser(mod, data)
    assert facts.value("last_status") == "transitioning"
    assert facts.value("last_status_code") == 4
    assert facts.value("last_status_message") == "msg 4"
    assert facts.value("last_status_time") == t(2025, 3, 5, 8, 0, 3, 1)
    assert facts.get("last_status").line == 8
    assert facts.value("last_backup_attempt") == t(2025, 3, 5, 8, 0, 0, 1)


def test_log_that_ends_inside_a_freeze():
    data = (f"2024-01-14 22:16:48.796446 {H}T:S freeze, timeout value 60\n"
            f"2024-01-14 22:16:48.800908 {H}fsfreeze mount :/mnt\n"
            f"2024-01-14 22:16:48.803464 {H}fsfreeze mount :/\n"
            f"2024-01-14 22:16:48.805675 {H}skip freeze is : False\n")
    _, facts, _ = run_parser(mod, data, LOG)
    fact = facts.get("vmsnapshot_stopped_in_freeze")
    assert fact.value is True and (fact.line, fact.time) == (3, t(2024, 1, 14, 22, 16, 48, 803464))


def test_freeze_ended_by_its_result_or_the_job_status():
    freeze = f"2024-01-14 22:16:48.796446 {H}T:S freeze, timeout value 60\n"
    for end in (f"2024-01-14 22:16:50.100000 {H}T:S freeze result , timedout :False\n",
                f"2024-01-14 22:17:09.000000 {H}Enable,error,122,,False\n"):
        _, facts, _ = run_parser(mod, freeze + end, LOG)
        fact = facts.get("vmsnapshot_stopped_in_freeze")
        # known to have ended as of the end: a copy of the log that stops earlier does not outweigh it
        assert fact.value is False and fact.time > t(2024, 1, 14, 22, 16, 48, 796446)
    _, facts, _ = run_parser(mod, f"2024-01-14 22:16:40.000000 {H}starting enable\n", LOG)
    assert "vmsnapshot_stopped_in_freeze" not in facts


def test_freeze_watch_ignores_safefreeze_lines_and_lines_without_time():
    watch = mod.FreezeWatch()
    start = mod.Record(LOG, 1, "T:S freeze, timeout value 60", t(2024, 1, 14, 22, 16, 48))
    watch.watch(start)
    watch.watch(mod.Record(LOG, 2, "Thawing: /mnt", t(2024, 1, 14, 22, 16, 49), component="safefreeze"))
    watch.watch(mod.Record(LOG, 3, "T:S thaw result", None))
    assert watch.stuck() is True
    assert mod.FreezeWatch().stuck() is None


def test_daemon_start_is_the_fallback_attempt_time():
    data = f"2025-03-04 08:00:01.5 {H}starting daemon initially\n"
    records, facts, _ = run_parser(mod, data)
    assert records[0].time == t(2025, 3, 4, 8, 0, 1, 500000)
    assert facts.value("last_backup_attempt") == t(2025, 3, 4, 8, 0, 1, 500000)
    assert "last_status" not in facts


def test_python_version_from_logged_status_telemetry():
    plain = f'2025-03-04 08:00:01.000001 {H}[{{"telemetryData": [{{"Key": "pythonVersion", "Value": "3.9.18"}}]}}]\n'
    escaped = (f'2025-03-04 08:00:02.000001 {H}[{{"name": "[{{\\"telemetryData\\": '
               f'[{{\\"Value\\": \\"3.12.1\\", \\"Key\\": \\"pythonVersion\\"}}]}}]"}}]\n')
    _, facts, _ = run_parser(mod, plain)
    assert facts.value("python_version") == "3.9.18"
    _, facts, _ = run_parser(mod, plain + escaped)
    assert facts.value("python_version") == "3.12.1"


def test_continuation_capped_by_lines_and_bytes():
    many = f"2025-03-04 08:00:01.000001 {H}dump\n" + "row\n" * 2500 + f"2025-03-04 08:00:02.000001 {H}next\n"
    records, _, problems = run_parser(mod, many)
    assert [r.line for r in records] == [1, 2502]
    assert records[0].message.count("\n") == 2000
    assert problems == ["entry at line 1 has too many continuation lines; the rest was dropped"]
    wide = f"2025-03-04 08:00:01.000001 {H}dump\n" + ("x" * 1023 + "\n") * 300
    records, _, problems = run_parser(mod, wide)
    assert len(records) == 1
    assert len(records[0].message) <= 256 * 1024
    assert records[0].message.count("\n") == 255
    assert len(problems) == 1


def test_orphan_lines_bad_dates_and_secrets():
    data = ("leftover from a rotated file\n"
            f"2025-13-04 08:00:01.000001 {H}month out of range\n"
            f"2025-03-04 08:00:02.000001 {H}blob https://a.blob.core.windows.net/c/b?sv=2020-08-04&sig=AbC%2F12&se=x\n")
    records, _, problems = run_parser(mod, data)
    assert problems == []
    assert rows(records) == [
        (1, None, None, None, False, "leftover from a rotated file"),
        (2, None, None, COMPONENT, False, f"2025-13-04 08:00:01.000001 {H}month out of range"),
        (3, t(2025, 3, 4, 8, 0, 2, 1), None, COMPONENT, False,
         f"2025-03-04 08:00:02.000001 {H}blob https://a.blob.core.windows.net/c/b?sv=2020-08-04&sig=***&se=x"),
    ]


def test_binary_and_empty_input_do_not_raise():
    records, facts, problems = run_parser(mod, b"")
    assert (records, facts.as_dict(), problems) == ([], {}, [])
    records, facts, problems = run_parser(mod, bytes(range(256)) * 4)
    assert [r.line for r in records] == [1]
    assert records[0].time is None and facts.as_dict() == {} and problems == []


@pytest.mark.parametrize("head, expected", [
    (f"2025-03-04 08:15:02.441017 {H}starting enable\n", True),
    (f"2025/03/04 09:15:02 {H}starting enable\n", True),
    ("2025/03/04 08:15:05.120000  Info  a \n2025/03/04 08:15:05.120001  Error  b \n", False),
    ("2025/03/04 08:15:05.120000  Info  only one \n", False),
    ("2025-03-04T08:15:02.441017Z INFO ExtHandler ExtHandler Agent started\n", False),
    ("2017/11/14 03:06:52 INFO Azure Linux Agent Version:2.2.18\n", False),
    ("Thu Nov 26 19:33:29 UTC 2026- python3 path exists\n", False),
])
def test_sniff(head, expected):
    assert mod.sniff(head) is expected


# --- reference fixtures (real rendered output of the extension) -----------------------------

# scenario: (records, safefreeze records, last_status, last_status_code); the record count equals
# the number of lines in a record shape (py3 handler + backup-logger + header/marker lines, or
# python 2 lines with the handler tag + nested backup-logger + nested header/marker lines).
EXPECTED = {
    "s00_daemon_not_executable": (86, 0, "error", 2),
    "s01_host_success": (401, 5, "success", 1),
    "s02_no_network": (421, 5, "error", 2),
    "s03_guest_success": (395, 6, "success", 1),
    "s04_guest_403": (386, 6, "error", 2),
    "s05_host_snapshot_limit": (402, 5, "error", 76),
    "s06_host_rate_exceeded": (401, 5, "error", 76),
    "s07_freeze_fail": (371, 5, "error", 121),
    "s08_freeze_timeout": (372, 4, "error", 122),
    "s09_prescript_fail": (412, 5, "success", 1),
    "s10_command_too_late": (175, 0, "error", 402),
    "s11_guest_limit": (388, 6, "error", 2),
    "s12_onlyguest_no_network": (413, 5, "error", 2),
    "s13_freeze_open_fail": (367, 1, "error", 123),
    "s14_host_limit_partial": (400, 5, "error", 85),
    "s15_host_rate_partial": (309, 5, "transitioning", 4),
    "s16_host_dosnapshot_500": (371, 5, "success", 556),
    "s17_guest_403_one_disk": (393, 6, "error", 76),
    "s18_py2_host_success": (400, 5, "success", 1),
    "s19_py2_no_network": (422, 5, "error", 2),
}

_ANY_STAMP = regex.compile(r"\d{4}[-/]\d{2}[-/]\d{2} \d{2}:\d{2}:\d{2}")
_BACKUP_LINE = regex.compile(
    r"(?:\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} )?\d{4}[-/]\d{2}[-/]\d{2} \d{2}:\d{2}:\d{2}\.\d+  "
    r"(?:Info|Warning|Error|Verbose|Critical)  ")
# a python 2 line that continues a message: its time stamp, no handler tag, no nested stamp
_PY2_CONTINUATION = regex.compile(
    r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:$| (?:ERROR:|WARNING:)?(?!\[[^\]\s]+-\d)(?!\d{4}[-/]\d{2}[-/]\d{2} ))")


def parse_fixture(reference, scenario):
    path = reference / FIXTURES / scenario / LOG
    data = path.read_bytes()
    records, facts, problems = run_parser(mod, data, LOG)
    return data.decode("utf-8").split("\n"), records, facts, problems


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_reference_fixture(reference, scenario):
    count, safefreeze, status, code = EXPECTED[scenario]
    lines, records, facts, problems = parse_fixture(reference, scenario)
    assert problems == []
    assert len(records) == count
    assert sum(r.component == "safefreeze" for r in records) == safefreeze
    assert all(r.time is not None for r in records)
    assert facts.value("last_status") == status
    assert facts.value("last_status_code") == code
    assert facts.value("extension_version") == "1.0.9225.0"
    starts = {r.line for r in records}
    backup_lines = [n for n, text in enumerate(lines, 1) if _BACKUP_LINE.match(text)]
    assert [n for n in backup_lines if n not in starts] == []
    for record in records:
        parts = record.message.split("\n")
        assert parts == lines[record.line - 1:record.line - 1 + len(parts)], record.line
        for part in parts[1:]:
            assert not _ANY_STAMP.match(part) or _PY2_CONTINUATION.match(part), (record.line, part)


@pytest.mark.parametrize("scenario, attempt, status_line, status_time", [
    ("s02_no_network", t(2026, 11, 26, 19, 33, 45, 610210), 840, t(2026, 11, 26, 19, 33, 56, 384341)),
    ("s07_freeze_fail", t(2026, 11, 26, 19, 34, 52, 80849), 248, t(2026, 11, 26, 19, 34, 58, 401293)),
    ("s08_freeze_timeout", t(2026, 11, 26, 19, 35, 2, 609701), 249, t(2026, 11, 26, 19, 35, 23, 177775)),
    ("s13_freeze_open_fail", t(2026, 11, 26, 19, 36, 13, 920651), 248, t(2026, 11, 26, 19, 36, 25, 462744)),
    ("s15_host_rate_partial", t(2026, 11, 26, 19, 36, 43, 745061), 152, t(2026, 11, 26, 19, 36, 45, 964268)),
    ("s18_py2_host_success", t(2026, 11, 26, 19, 38, 49), 388, t(2026, 11, 26, 19, 38, 56)),
    ("s19_py2_no_network", t(2026, 11, 26, 19, 38, 58), 753, t(2026, 11, 26, 19, 39, 4)),
])
def test_reference_job_facts(reference, scenario, attempt, status_line, status_time):
    _, _, facts, _ = parse_fixture(reference, scenario)
    assert facts.value("last_backup_attempt") == attempt
    assert facts.get("last_status_code").line == status_line
    assert facts.value("last_status_time") == status_time


@pytest.mark.parametrize("scenario, line, time, message", [
    ("s07_freeze_fail", 290, t(2026, 11, 26, 19, 34, 57),
     "Failed to FIFREEZE: / with error message: Device or resource busy"),
    ("s08_freeze_timeout", 292, t(2026, 11, 26, 19, 35, 22),
     "Failed to receive timely Thaw from parent process"),
    ("s13_freeze_open_fail", 288, t(2026, 11, 26, 19, 36, 23),
     "Failed to open: / with error: -1 and error message: Permission denied"),
])
def test_reference_safefreeze_failure(reference, scenario, line, time, message):
    lines, records, _, _ = parse_fixture(reference, scenario)
    hits = [r for r in records if message in r.message]
    assert [(r.line, r.time, r.level, r.component, r.local_time) for r in hits] == [
        (line, time, None, "safefreeze", True)]
    assert hits[0].message == lines[line - 1]
    assert hits[0].message.endswith(f"  Info  {time:%Y-%m-%d %H:%M:%S} {message} ")


def test_reference_freeze_fail_block(reference):
    _, records, _, _ = parse_fixture(reference, "s07_freeze_fail")
    by_line = {r.line: r for r in records}
    assert [(n, by_line[n].message) for n in (269, 270, 271)] == [
        (269, f"2026-11-26 19:34:59.458123 {H}Guest Agent Version is :WALinuxAgent-2.0.16"),
        (270, "Distro Info:Default"),
        (271, "================== Logs during Freeze Start =============="),
    ]
    assert by_line[270].time == by_line[269].time == t(2026, 11, 26, 19, 34, 59, 458123)
    assert (by_line[294].level, by_line[294].time, by_line[294].message) == (
        "ERROR", t(2026, 11, 26, 19, 34, 58, 394632),
        "2026/11/26 19:34:58.394632  Error  freeze failed for some mount ")
    assert by_line[296].message == ("2026/11/26 19:34:58.394685  Info  T:S freeze result freeze failed for some mount\n"
                                    ", timedout :False ")
    # 112 "Info" backup-logger lines, 5 of them safefreeze lines (no level), plus 2 interim status lines
    assert sum(r.level == "INFO" for r in records) == 109
    assert sum(r.level == "ERROR" for r in records) == 3
    assert sum(r.level == "WARNING" for r in records) == 1
    assert not any("Logs during Freeze End" in r.message for r in records)


def test_reference_py2_local_times(reference):
    for scenario, local, nested in (("s18_py2_host_success", 352, 48), ("s19_py2_no_network", 364, 58)):
        _, records, _, _ = parse_fixture(reference, scenario)
        assert sum(r.local_time for r in records) == local
        wrapped = [r for r in records if not r.local_time]
        assert len(wrapped) == nested
        assert all(r.level in ("INFO", "WARNING", "ERROR") for r in wrapped)
