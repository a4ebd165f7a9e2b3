"""Tests for parsers.waagent_log: every agent log layout, continuation lines, facts, sniffing."""
from __future__ import annotations

import base64
import io
import re
import zlib
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers import waagent_log
from azlog_vmbackup.parsers.base import ParseContext
from tests.helpers import run_parser

VMSNAP = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"


def agent_facts(facts) -> dict:
    """The facts except the agent's last-record time, which test_agent_last_record covers."""
    return {k: v for k, v in facts.as_dict().items() if k != "agent_last_record"}


def test_agent_last_record_skips_the_log_collector():
    log = ("2024-06-01T12:00:00.000001Z INFO ExtHandler ExtHandler ProcessExtensionsGoalState completed\n"
           "2024-06-01T12:30:00.000001Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.13.1.1 is running\n"
           "2024-06-01T18:00:00.000001Z INFO MainThread LogCollector Running log collector mode normal\n"
           "2019/07/01 08:00:00.123456 INFO Daemon local time line\n")
    _, facts, _ = run_parser(waagent_log, log, "var/log/waagent.log")
    fact = facts.get("agent_last_record")
    assert (fact.value.isoformat(), fact.line) == ("2024-06-01T12:30:00.000001+00:00", 2)



def t(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=timezone.utc)


def parse(text: str | bytes, path: str = "var/log/waagent.log"):
    return run_parser(waagent_log, text, path)


def summary(records):
    return [(r.line, r.level, r.component) for r in records]


def lines_of(text: str) -> list[str]:
    return text.split("\n")[:-1]


def encode(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode())).decode()


# --- one sample per agent generation ---------------------------------------------------------

WA20 = (
    "2016/05/03 11:00:00 Windows Azure Linux Agent Version: WALinuxAgent-2.0.16\n"
    "2016/05/03 11:00:02 WARNING:Unable to reach the endpoint\n"
    "2016/05/03 11:00:03 ERROR:Failed to get extension status\n"
    "2016/05/03 11:00:03 ERROR:Traceback (most recent call last):\n"
    f"2016/05/03 11:04:10 [{VMSNAP}-1.0]2016-05-03 11:04:10.739891  Info  freezing the mount: /mnt\n"
    "2016/05/03 11:04:11 [Some.Publisher.Tool-1.7.0] cwd is /var/lib/waagent\n"
    "2016/05/03 11:04:12\n")

OLDEST = (
    "2017/06/13 11:12:33.079019 INFO Azure Linux Agent Version:2.2.13\n"
    "2017/06/13 11:12:34.500000 WARNING Unable to read the lease cache\n"
    "2017/06/13 11:12:35.000001 INFO Event: name=WALinuxAgent, op=ProcessGoalState, message=Incarnation 7, "
    "duration=1890\n")

OLD = (
    "2019/01/13 05:38:17.000100 INFO Daemon Azure Linux Agent Version:2.2.40\n"
    "2019/01/13 05:38:18.085014 INFO [Microsoft.OSTCExtensions.LinuxDiagnostic-2.3.9029] "
    "Target handler state: enabled\n"
    "2019/01/13 05:38:19.000000 ERROR ExtHandler Exception processing extension handlers: boom\n")

ISO_2_2_46 = (
    "2020-04-01T08:00:00.000500Z INFO Daemon Azure Linux Agent Version:2.2.46\n"
    "2020-04-01T08:00:02.250000Z INFO ExtHandler Wire server endpoint:168.63.129.16\n"
    f"2020-04-01T08:00:03.000000Z INFO [{VMSNAP}-1.0.9170.0] Target handler state: enabled\n")

MODERN = (
    "2024-06-01T12:00:00.123456Z INFO Daemon Daemon Run daemon\n"
    "2024-06-01T12:00:01.000000Z WARNING EnvHandler ExtHandler Dhcp client is not running.\n"
    "2024-06-01T12:00:02.000000Z INFO ExtHandler Fetching full goal state from the WireServer [incarnation 5]\n"
    "2024-06-01T12:00:03.000000Z WARNING ExtHandler [ProtocolError] not a prefix\n"
    f"2024-06-01T12:00:04.000000Z INFO ExtHandler [{VMSNAP}-1.0.9225.0] Target handler state: enabled\n"
    "2024-06-01T12:00:05.000000Z INFO MainThread LogCollector Running log collector mode normal\n"
    "2024-06-01T12:00:06.000000Z INFO ExtHandler ExtHandler \n"
    "2024-06-01T12:00:07.000000Z INFO ExtHandler ExtHandler\n"
    "2024-06-01T12:00:08.000000Z VERBOSE Thread-3 ExtHandler Verbose detail\n"
    "2024-06-01T12:00:09.000000Z INFO ExtHandler ExtHandler [CGW] The agent's process is not within a "
    "memory cgroup\n")


def test_wa20_layout():
    records, facts, problems = parse(WA20)
    assert summary(records) == [
        (1, "INFO", None), (2, "WARNING", None), (3, "ERROR", None), (4, "ERROR", None),
        (5, "INFO", f"[{VMSNAP}-1.0]"), (6, "INFO", "[Some.Publisher.Tool-1.7.0]"), (7, "INFO", None),
    ]
    assert [r.message for r in records] == lines_of(WA20)
    assert all(r.local_time for r in records)
    assert records[0].time == t(2016, 5, 3, 11, 0, 0)
    assert records[6].time == t(2016, 5, 3, 11, 4, 12)
    assert facts.value("daemon_version") == "2.0.16"
    assert "extension_version" not in facts  # the handler-library tag is not the handler version
    assert problems == []


def test_oldest_layout_without_prefix():
    records, facts, _ = parse(OLDEST)
    assert summary(records) == [(1, "INFO", None), (2, "WARNING", None), (3, "INFO", None)]
    assert [r.message for r in records] == lines_of(OLDEST)
    assert records[0].time == t(2017, 6, 13, 11, 12, 33, 79019)
    assert all(r.local_time for r in records)
    assert facts.value("daemon_version") == "2.2.13"


def test_old_layout_with_prefix():
    records, _, _ = parse(OLD)
    assert summary(records) == [
        (1, "INFO", "Daemon"), (2, "INFO", "[Microsoft.OSTCExtensions.LinuxDiagnostic-2.3.9029]"),
        (3, "ERROR", "ExtHandler"),
    ]
    assert [r.message for r in records] == lines_of(OLD)
    assert all(r.local_time for r in records)
    assert records[2].time == t(2019, 1, 13, 5, 38, 19)


def test_2_2_46_layout_has_no_thread():
    records, _, _ = parse(ISO_2_2_46)
    assert summary(records) == [(1, "INFO", "Daemon"), (2, "INFO", "ExtHandler"),
                                (3, "INFO", f"[{VMSNAP}-1.0.9170.0]")]
    assert [r.message for r in records] == lines_of(ISO_2_2_46)
    assert records[0].time == t(2020, 4, 1, 8, 0, 0, 500)
    assert not any(r.local_time for r in records)


def test_modern_layout_thread_and_prefix():
    records, _, _ = parse(MODERN)
    assert summary(records) == [
        (1, "INFO", "Daemon"), (2, "WARNING", "ExtHandler"), (3, "INFO", "ExtHandler"),
        (4, "WARNING", "ExtHandler"), (5, "INFO", f"[{VMSNAP}-1.0.9225.0]"), (6, "INFO", "LogCollector"),
        (7, "INFO", "ExtHandler"), (8, "INFO", "ExtHandler"), (9, "VERBOSE", "ExtHandler"),
        (10, "INFO", "ExtHandler"),
    ]
    assert [r.message for r in records] == lines_of(MODERN)
    assert records[0].time == t(2024, 6, 1, 12, 0, 0, 123456)
    assert not any(r.local_time for r in records)


def test_command_execution_log_same_format():
    text = (f"2024-06-01T12:00:04.000000Z INFO ExtHandler [{VMSNAP}-1.0.9225.0] Command: main/handle.sh enable\n"
            "[stdout]\nstarted\n\n[stderr]\n")
    records, _, _ = parse(text, path=f"var/log/azure/{VMSNAP}/CommandExecution.log")
    assert summary(records) == [(1, "INFO", f"[{VMSNAP}-1.0.9225.0]")]
    assert records[0].message == text[:-1]
    assert records[0].path == f"var/log/azure/{VMSNAP}/CommandExecution.log"


# --- continuation lines ------------------------------------------------------------------------

MULTI = (
    "2024-06-01T12:05:00.000001Z ERROR ExtHandler ExtHandler Event: name=X.Y, op=Enable, "
    "message=[ExtensionError] Timeout(300): /var/lib/waagent/X.Y-1.0/run enable\n"
    "[stdout]\n"
    "2024/06/01 12:00:10.500000  Info  job started\n"
    "\n"
    "[stderr]\n"
    ", duration=0\n"
    "2024-06-01T12:05:00.100000Z INFO ExtHandler ExtHandler ProcessExtensionsGoalState completed "
    "[incarnation_5 300100 ms]\n"
    "\n"
    "2024-06-01T12:05:01.000000Z ERROR ExtHandler ExtHandler Error fetching the goal state: "
    "[ProtocolError] Error fetching goal state\n"
    "Inner error: [HttpError] timed out\n"
    "Traceback (most recent call last):\n"
    '  File "wire.py", line 10, in call\n'
    "OSError: timed out\n"
    "2024-06-01T12:05:02.000000Z INFO ExtHandler ExtHandler next\n"
)


def test_multi_line_records_keep_physical_lines():
    records, _, _ = parse(MULTI)
    lines = lines_of(MULTI)
    assert summary(records) == [(1, "ERROR", "ExtHandler"), (7, "INFO", "ExtHandler"),
                                (9, "ERROR", "ExtHandler"), (14, "INFO", "ExtHandler")]
    assert [r.message for r in records] == [
        "\n".join(lines[0:6]), "\n".join(lines[6:8]), "\n".join(lines[8:13]), lines[13]]
    assert records[1].message.endswith("[incarnation_5 300100 ms]\n")
    assert records[2].message.split("\n")[1] == "Inner error: [HttpError] timed out"


def test_crlf_lines():
    records, _, _ = parse(MULTI.replace("\n", "\r\n"))
    assert [(r.line, r.message.count("\n")) for r in records] == [(1, 5), (7, 1), (9, 4), (14, 0)]
    assert "\r" not in "".join(r.message for r in records)


def test_continuation_before_first_record():
    records, _, _ = parse(
        "    self.run()\n"
        "OSError: cut in half\n"
        "2024-06-01T12:05:02.000000Z INFO ExtHandler ExtHandler next\n")
    assert [(r.line, r.level, r.component, r.time, r.local_time, r.message) for r in records] == [
        (1, None, None, None, False, "    self.run()\nOSError: cut in half"),
        (3, "INFO", "ExtHandler", t(2024, 6, 1, 12, 5, 2), False,
         "2024-06-01T12:05:02.000000Z INFO ExtHandler ExtHandler next"),
    ]


def test_lines_that_only_look_stamped_are_continuations():
    records, _, _ = parse(
        "2024-06-01T12:05:02.000000Z INFO ExtHandler ExtHandler start\n"
        "2024-06-01T12:05:03Z  Info  stdout of a script\n"
        "2024-06-01T12:05:03.100000Z DEBUG ExtHandler not a level\n"
        "2024/06/01 12:05:03.100000  Info  two spaces\n"
        "2024/06/01 12:05\n"
        "2024/06/01 12:05:03x\n"
        "2024-06-01 12:05:03.100000 [X.Y-1.0]extension log shape\n")
    assert len(records) == 1
    assert records[0].message.count("\n") == 6


def test_out_of_range_stamp_keeps_the_record_without_time():
    records, _, _ = parse("2024-02-30T10:00:00.000000Z INFO Daemon Daemon odd clock\n"
                          "2019/13/01 10:00:00.000000 INFO Daemon odd month\n"
                          "2019/12/01 25:00:00 odd hour\n")
    assert [(r.line, r.time, r.level, r.component) for r in records] == [
        (1, None, "INFO", "Daemon"), (2, None, "INFO", "Daemon"), (3, None, "INFO", None)]


def test_runaway_record_is_capped():
    many = waagent_log.MAX_CONTINUATION_LINES + 500
    text = ("2024-06-01T12:05:02.000000Z ERROR ExtHandler ExtHandler huge\n"
            + "x\n" * many
            + "2024-06-01T12:05:03.000000Z INFO ExtHandler ExtHandler after\n")
    records, _, problems = parse(text)
    assert [r.line for r in records] == [1, many + 2]
    assert records[0].message.count("\n") == waagent_log.MAX_CONTINUATION_LINES
    assert problems == ["1 record(s) over 2000 continuation lines or 256 KiB (first at line 1): "
                        "500 continuation line(s) not kept"]


def test_record_size_is_capped():
    line = "y" * 1000
    first = "2024-06-01T12:05:02.000000Z ERROR ExtHandler ExtHandler huge"
    records, _, problems = parse(first + "\n" + (line + "\n") * 300)
    assert len(records) == 1
    kept = records[0].message.count("\n")
    assert kept == (waagent_log.MAX_RECORD_CHARS - len(first)) // (len(line) + 1)
    assert len(records[0].message) < waagent_log.MAX_RECORD_CHARS
    assert problems == [f"1 record(s) over 2000 continuation lines or 256 KiB (first at line 1): "
                        f"{300 - kept} continuation line(s) not kept"]


def test_sas_signature_is_masked():
    records, _, _ = parse(
        "2019/09/02 03:19:18.230000 WARNING ExtHandler Fetch failed: GET "
        "https://md-x.blob.core.windows.net/$system/vm.status?sv=2018-03-28&sr=b&sig=AbC%2Bdef%3D&se=1 -- x\n"
        "body sig=second/secret\n")
    assert records[0].message == (
        "2019/09/02 03:19:18.230000 WARNING ExtHandler Fetch failed: GET "
        "https://md-x.blob.core.windows.net/$system/vm.status?sv=2018-03-28&sr=b&sig=***&se=1 -- x\n"
        "body sig=***")


# --- Event: records with encoded messages -----------------------------------------------------

def test_encoded_event_is_decoded_in_place():
    inner = "[ExtensionError] Non-zero exit code: 51, main/handle.sh install\n[stdout]\nsig=abc\n"
    records, _, _ = parse(
        f"2019/09/02 03:19:18.193000 ERROR ExtHandler Event: name={VMSNAP}, op=Install, "
        f"message={encode(inner)}, duration=0\n"
        "2019/09/02 03:19:19.000000 ERROR ExtHandler Event: name=WALinuxAgent, op=Enable, "
        "message=eJ!!notbase64, duration=0\n"
        "2019/09/02 03:19:20.000000 ERROR ExtHandler Event: name=WALinuxAgent, op=Enable, "
        "message=eJxvalidbase64butnotzlib=, duration=0\n")
    assert [r.message for r in records] == [
        f"2019/09/02 03:19:18.193000 ERROR ExtHandler Event: name={VMSNAP}, op=Install, "
        "message=[ExtensionError] Non-zero exit code: 51, main/handle.sh install\\n[stdout]\\nsig=***\\n, "
        "duration=0",
        "2019/09/02 03:19:19.000000 ERROR ExtHandler Event: name=WALinuxAgent, op=Enable, "
        "message=eJ!!notbase64, duration=0",
        "2019/09/02 03:19:20.000000 ERROR ExtHandler Event: name=WALinuxAgent, op=Enable, "
        "message=eJxvalidbase64butnotzlib=, duration=0",
    ]
    assert summary(records) == [(1, "ERROR", "ExtHandler"), (2, "ERROR", "ExtHandler"),
                                (3, "ERROR", "ExtHandler")]


def test_decoded_event_is_bounded():
    big = encode("z" * (waagent_log.MAX_DECODED * 4))
    message = waagent_log.decode_event(f"Event: name=A, op=Enable, message={big}, duration=0")
    assert message == ("Event: name=A, op=Enable, message=" + "z" * waagent_log.MAX_DECODED
                       + " [truncated], duration=0")


def test_event_text_is_only_decoded_after_the_prefix():
    plain = f"Event: name=A, op=Enable, message={encode('x')}, duration=0"
    line = "2024-06-01T12:05:02.000000Z ERROR ExtHandler ExtHandler " + plain
    assert waagent_log.decode_event(line) == line
    assert waagent_log.decode_event(line, len(line) - len(plain)).endswith("message=x, duration=0")


def test_plain_event_is_left_alone():
    text = "Event: name=A, op=Download, message=eJ is not here, duration=0"
    assert waagent_log.decode_event(text) == text


# --- facts -------------------------------------------------------------------------------------

def test_modern_facts():
    records, facts, _ = parse(
        "2024-06-01T12:00:00.000000Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1\n"
        "2024-06-01T12:00:00.100000Z INFO Daemon Daemon OS: rhel 9.4\n"
        "2024-06-01T12:00:00.200000Z INFO Daemon Daemon Python: 3.9.18\n"
        "2024-06-01T12:00:01.000000Z INFO ExtHandler ExtHandler Azure Linux Agent (Goal State Agent version 2.12.0.4)\n"
        "2024-06-01T12:00:02.000000Z INFO ExtHandler ExtHandler Wire server endpoint:168.63.129.16\n"
        "2024-06-01T12:00:03.000000Z INFO ExtHandler ExtHandler ******** AutoUpdate.Enabled is set to False, "
        "not processing the operation ********\n"
        "2024-06-01T12:00:04.000000Z INFO ExtHandler ExtHandler ******** Extensions.Enabled is set to False, "
        "not processing the operation ********\n"
        f"2024-06-01T12:00:05.000000Z INFO ExtHandler [{VMSNAP}-1.0.9225.0] Target handler state: enabled\n"
        "2024-06-01T12:30:00.000000Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.12.0.4 is "
        "running as the goal state agent [DEBUG HeartbeatCounter: 1;HeartbeatId: A-B;DroppedPackets: 0;"
        "UpdateGSErrors: 0;AutoUpdate: 1;UpdateMode: SelfUpdate;]\n")
    assert len(records) == 9
    assert agent_facts(facts) == {
        "agent_version": "2.12.0.4", "auto_update": True, "daemon_version": "2.9.1.1",
        "extension_name": VMSNAP, "extension_version": "1.0.9225.0", "extensions_enabled": False,
        "os_distro": "rhel", "os_version": "9.4", "python_version": "3.9.18",
        "wireserver_endpoint": "168.63.129.16",
    }
    assert (facts.get("agent_version").line, facts.get("agent_version").time) == \
        (9, t(2024, 6, 1, 12, 30))
    assert facts.get("auto_update").line == 9
    assert facts.get("extensions_enabled").line == 7
    assert facts.get("os_distro").path == "var/log/waagent.log"


def test_heartbeat_auto_update_off_and_disabled_processing():
    _, facts, _ = parse(
        "2024-06-01T12:30:00.000000Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.10.0.8 is "
        "running as the goal state agent [DEBUG HeartbeatCounter: 3;HeartbeatId: C;DroppedPackets: 0;"
        "UpdateGSErrors: 2;AutoUpdate: 0]\n"
        "2024-06-01T12:31:00.000000Z ERROR ExtHandler ExtHandler Event: name=Microsoft.Azure.Extensions."
        "CustomScript, op=ExtensionProcessing, message=Extension 'Microsoft.Azure.Extensions.CustomScript' "
        "will not be processed since extension processing is disabled. To enable extension processing, "
        "set Extensions.Enabled=y in '/etc/waagent.conf', duration=0\n")
    assert agent_facts(facts) == {"agent_version": "2.10.0.8", "auto_update": False,
                               "extensions_enabled": False}


def test_old_goal_state_agent_lines():
    _, facts, _ = parse(
        "2019/09/02 03:14:07.157000 INFO Daemon Azure Linux Agent Version:2.2.32\n"
        "2019/09/02 03:14:17.971000 INFO ExtHandler Agent WALinuxAgent-2.2.45 is running as the goal state agent\n"
        "2019/09/02 03:14:18.008000 INFO ExtHandler WALinuxAgent-2.2.45 running as process 1523\n")
    assert facts.value("daemon_version") == "2.2.32"
    assert (facts.value("agent_version"), facts.get("agent_version").line) == ("2.2.45", 3)


def test_old_daemon_alone_gives_a_weak_agent_version():
    _, facts, _ = parse("2019/09/02 03:14:07.157000 INFO Daemon Azure Linux Agent Version:2.2.45\n")
    fact = facts.get("agent_version")
    assert (fact.value, fact.line, fact.time) == ("2.2.45", 1, None)
    facts.set("agent_version", "2.2.53.1", "var/log/waagent.log.1", 8, t(2019, 8, 1))
    assert facts.value("agent_version") == "2.2.53.1"


def test_weak_agent_version_does_not_replace_a_known_one():
    ctx = ParseContext("var/log/waagent.log", Facts(), [])
    ctx.fact("agent_version", "2.2.49", 4, t(2020, 1, 1))
    list(waagent_log.parse(io.BytesIO(b"2016/05/03 11:00:00 Azure Linux Agent Version: WALinuxAgent-2.0.16\n"),
                           ctx))
    assert ctx.facts.value("agent_version") == "2.2.49"
    assert ctx.facts.value("daemon_version") == "2.0.16"


def test_modern_daemon_alone_says_nothing_of_the_goal_state_agent():
    _, facts, _ = parse("2024-06-01T12:00:00.000000Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1\n")
    assert agent_facts(facts) == {"daemon_version": "2.9.1.1"}


def test_wireserver_read_from_file():
    _, facts, _ = parse("2024-06-01T12:00:00.000000Z INFO Daemon Daemon WireServer endpoint 168.63.129.16 "
                        "read from file\n"
                        "2024-06-01T12:00:01.000000Z INFO Daemon Daemon WireServer endpoint is not found. "
                        "Rerun dhcp handler\n")
    assert (facts.value("wireserver_endpoint"), facts.get("wireserver_endpoint").line) == ("168.63.129.16", 1)


def test_extension_version_follows_upgrades():
    """The version of the newest record tagged with the handler (a later record replaces it)."""
    _, facts, _ = parse(
        f"2024-06-01T12:00:05.000000Z INFO ExtHandler [{VMSNAP}-1.0.9223.0] Disable extension\n"
        f"2024-06-01T12:00:06.000000Z INFO ExtHandler [{VMSNAP}-1.0.9225.0] Install extension\n"
        f"2024-06-01T12:00:07.000000Z INFO ExtHandler [{VMSNAP}-1.0.9225.0] Enable extension\n")
    fact = facts.get("extension_version")
    assert (fact.value, fact.line) == ("1.0.9225.0", 3)


def test_message_words_are_not_facts():
    _, facts, _ = parse(
        "2024-06-01T12:00:00.000000Z INFO ExtHandler ExtHandler Checking OS: none here\n"
        "2024-06-01T12:00:01.000000Z INFO ExtHandler ExtHandler Agent WALinuxAgent-2.9.1.1 failed\n"
        "2024-06-01T12:00:02.000000Z INFO ExtHandler [Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.25.2] x\n")
    assert agent_facts(facts) == {}


# --- sniff -------------------------------------------------------------------------------------

def test_sniff_accepts_every_layout():
    assert waagent_log.sniff("2024-06-01T12:00:00.123456Z INFO Daemon Daemon Run daemon\n")
    assert waagent_log.sniff("2020-04-01T08:00:00.000500Z INFO Daemon Azure Linux Agent Version:2.2.46\n")
    assert waagent_log.sniff("2019/01/13 05:38:17.000100 INFO Daemon Run daemon\n")
    assert waagent_log.sniff("2017/06/13 11:12:33.079019 INFO Azure Linux Agent Version:2.2.13\n")
    assert waagent_log.sniff("2016/05/03 11:00:00 Windows Azure Linux Agent Version: WALinuxAgent-2.0.16\n"
                             "2016/05/03 11:00:02 WARNING:Unable to reach the endpoint\n")
    assert waagent_log.sniff("Traceback (most recent call last):\n  File 'x'\n"
                             "2024-06-01T12:00:00.123456Z INFO Daemon Daemon Run daemon\n"
                             "2024-06-01T12:00:00.223456Z INFO Daemon Daemon Run daemon\n"
                             "2024-06-01T12:00:00.3234")


def test_sniff_rejects_other_logs():
    assert not waagent_log.sniff(
        f"2026-11-26 19:34:52.077593 [{VMSNAP}-1.0]Change log file to /var/log/azure/x/extension.log\n"
        f"2026-11-26 19:34:52.077816 [{VMSNAP}-1.0]sequence number based on config file-names is 0\n"
        "2026/11/26 19:34:53.096346  Info  file opened\n")
    assert not waagent_log.sniff(
        f"2026/11/26 19:38:49 [{VMSNAP}-1.0]setting file path is /var/lib/waagent/x/config/0.settings\n"
        "2026/11/26 19:38:49 [MyBackupTestLinuxInt-0.0]try_parse_context : Sequence Number received 0\n")
    assert not waagent_log.sniff("May 14 02:00:01 vm1 python3[1187]: 2024-05-14T02:00:01.042123Z INFO "
                                 "ExtHandler ExtHandler x\nMay 14 02:00:02 vm1 systemd[1]: Started.\n")
    assert not waagent_log.sniff("2024-05-14T02:00:01.123456+00:00 vm1 waagent[99]: hello\n")
    assert not waagent_log.sniff("2024-05-14T02:05:02Z INFO Starting log collection at 2024-05-14T02:05:02Z\n")
    assert not waagent_log.sniff("2024-05-14 02:00:01,123 - util.py[DEBUG]: Running waagent\n")
    assert not waagent_log.sniff("2023/10/19 12:05:34 [monitorCPU] -> sending new metric\n")
    assert not waagent_log.sniff("")
    assert not waagent_log.sniff("plain text\nwithout stamps\n")


# --- the shared reference corpus ---------------------------------------------------------------

def read(reference, name: str) -> str:
    return (reference / "linux-agent" / name).read_text()


def physical(text: str, first: int, last: int) -> str:
    """Lines ``first`` to ``last`` (1-based, inclusive) of ``text``, joined."""
    return "\n".join(text.split("\n")[first - 1:last])


def test_reference_2_2_45(reference):
    text = read(reference, "synthetic/waagent_2.2.45_oldformat.log")
    records, facts, problems = parse(text)
    assert len(records) == 35
    assert problems == []
    assert [r.line for r in records] == list(range(1, 34)) + [38, 39]
    assert all(r.local_time for r in records)
    by_line = {r.line: r for r in records}
    assert by_line[33].message == physical(text, 33, 37)
    assert by_line[33].message.endswith("OSError: [Errno 28] No space left on device\n")
    event = by_line[29]
    assert (event.level, event.component, event.time) == ("ERROR", "ExtHandler", t(2019, 9, 2, 3, 19, 18, 193000))
    assert event.message == (
        f"2019/09/02 03:19:18.193000 ERROR ExtHandler Event: name={VMSNAP}, op=Enable, "
        f"message=[ExtensionError] Timeout(300): /var/lib/waagent/{VMSNAP}-1.0.9164.0/main/handle.sh enable"
        "\\n[stdout]\\n2019/09/02 03:19:08 VMSnapshotLinux started to handle.\\n\\n[stderr]\\n, duration=0")
    assert by_line[39].message == (
        "2019/09/02 04:19:18.415000 ERROR Daemon Event: name=WALinuxAgent, op=Enable, message=Agent "
        "WALinuxAgent-2.2.45 launched with command 'python3 -u /usr/sbin/waagent -run-exthandlers' failed "
        "with return code: 1, duration=0")
    assert [r.message for r in records if r.line not in (29, 33, 39)] == [
        physical(text, r.line, r.line) for r in records if r.line not in (29, 33, 39)]
    assert by_line[25].component == f"[{VMSNAP}-1.0.9164.0]"
    assert agent_facts(facts) == {
        "agent_version": "2.2.45", "daemon_version": "2.2.45", "extension_name": VMSNAP,
        "extension_version": "1.0.9164.0", "os_distro": "ubuntu", "os_version": "18.04",
        "python_version": "3.6.9", "wireserver_endpoint": "168.63.129.16",
    }
    assert facts.get("agent_version").line == 24
    assert facts.get("wireserver_endpoint").line == 18


def test_reference_2_2_46(reference):
    text = read(reference, "synthetic/waagent_2.2.46_isoformat_nothread.log")
    records, facts, _ = parse(text)
    assert [(r.line, r.component) for r in records] == [
        (1, "Daemon"), (2, "Daemon"), (3, "Daemon"), (4, "Daemon"), (5, "Daemon"),
        (6, "ExtHandler"), (7, "ExtHandler"), (8, "ExtHandler")]
    assert [r.message for r in records] == lines_of(text)
    assert records[7].level == "WARNING"
    assert not any(r.local_time for r in records)
    assert agent_facts(facts) == {
        "agent_version": "2.2.46", "daemon_version": "2.2.46", "os_distro": "oracle", "os_version": "7.7",
        "python_version": "2.7.5", "wireserver_endpoint": "168.63.129.16",
    }


def test_reference_modern(reference):
    text = read(reference, "synthetic/waagent_modern_backup_failure.log")
    records, facts, problems = parse(text)
    assert len(records) == 45
    assert problems == []
    spans = {29: 34, 35: 36, 38: 43, 46: 47, 49: 53, 56: 61}
    assert {r.line: r.line + r.message.count("\n") for r in records if "\n" in r.message} == spans
    assert [r.message for r in records] == [physical(text, r.line, spans.get(r.line, r.line)) for r in records]
    by_line = {r.line: r for r in records}
    assert by_line[35].message.endswith("ProcessExtensionsGoalState completed [incarnation_3 300412 ms]\n")
    assert by_line[29].message.splitlines()[1:] == [
        "[stdout]", "2024-05-14T02:00:03Z  Info  snapshot task started", "", "[stderr]", ", duration=0"]
    assert [(by_line[n].level, by_line[n].component) for n in (17, 18, 22, 45, 65)] == [
        ("INFO", "ExtHandler"), ("INFO", "ExtHandler"), ("INFO", f"[{VMSNAP}-1.0.9225.0]"),
        ("WARNING", "ExtHandler"), ("INFO", "LogCollector")]
    assert agent_facts(facts) == {
        "agent_version": "2.15.0.1", "auto_update": False, "daemon_version": "2.9.1.1",
        "extension_name": VMSNAP, "extension_version": "1.0.9225.0", "os_distro": "ubuntu",
        "os_version": "22.04", "python_version": "3.10.12", "wireserver_endpoint": "168.63.129.16",
        "last_backup_attempt": "2024-05-14T02:00:01Z",  # the agent enabling the backup extension
    }
    assert facts.get("auto_update").line == 16
    assert facts.get("agent_version").time == t(2024, 5, 14, 2, 0, 1, 597123)


def test_reference_e2e_lines(reference):
    text = read(reference, "logs/e2e_real_log_lines.txt")
    records, facts, _ = parse(text)
    stamped = [n for n, line in enumerate(text.splitlines(), 1) if line[:4].isdigit()]
    assert len(stamped) == 110
    assert [r.line for r in records] == stamped
    assert [r.message for r in records] == lines_of(text)
    levels = [r.level for r in records]
    assert (levels.count("INFO"), levels.count("WARNING"), levels.count("ERROR")) == (29, 53, 28)
    assert all(r.time is not None for r in records)
    assert [r.line for r in records if r.local_time] == [16]
    assert records[15].component == "[Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.7.0]"
    components = [r.component for r in records]
    assert (components.count("ExtHandler"), components.count("Daemon"), components.count("LogCollector")) == \
        (100, 6, 1)
    assert records[100].component == "ExtHandler"
    assert agent_facts(facts) == {"extensions_enabled": False, "wireserver_endpoint": "168.63.129.16"}
    assert facts.get("extensions_enabled").line == 87


def test_reference_sniff(reference):
    for name in ("synthetic/waagent_2.2.45_oldformat.log", "synthetic/waagent_2.2.46_isoformat_nothread.log",
                 "synthetic/waagent_modern_backup_failure.log", "logs/e2e_real_log_lines.txt"):
        assert waagent_log.sniff(read(reference, name)[:4096]), name
    fixtures = sorted((reference / "vmsnapshot-linux" / "fixtures").glob("*/var/log/azure/*/*.log"))
    assert len(fixtures) >= 20
    for path in fixtures:
        assert not waagent_log.sniff(path.read_bytes()[:4096].decode("utf-8", "replace")), path


def test_agent_launching_the_backup_extension_is_an_attempt():
    data = ("2019/09/02 03:19:18.193000 INFO [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9120.0] "
            "Launch command: [main/handle.sh enable]\n"
            "2026-11-14T02:00:29.601102Z INFO ExtHandler [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0] "
            "Requested extension state: enabled\n"
            "2026-11-14T02:00:29.649320Z INFO ExtHandler [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0] "
            "Enable extension: [main/handle.sh enable]\n"
            "2026-11-14T02:01:29.649320Z INFO ExtHandler [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0] "
            "Disable extension: [main/handle.sh disable]\n")
    _, facts, _ = run_parser(waagent_log, data, "var/log/waagent.log")
    attempt = facts.get("last_backup_attempt")
    assert attempt.line == 3 and attempt.value.isoformat() == "2026-11-14T02:00:29.649320+00:00"


@settings(max_examples=300, deadline=None)
@given(st.from_regex(("(?:" + waagent_log.SKIM.start + ")[ -~]*").encode(), fullmatch=True))
def test_the_skim_start_regex_is_a_record_start(raw):
    """What the skimmer takes for a record start on raw bytes (plain ASCII pieces), without asking, is one by
    the parser's own rule, and the stamp it names is where the record's time comes from."""
    line = raw.decode("ascii")
    found = re.match(waagent_log.SKIM.start.encode(), raw)
    assert found is not None and waagent_log.is_record_start(line)
    stamp = found["stamp"].decode()
    record, _ = waagent_log._start("x", 1, line)
    assert record.time == waagent_log.stamp_time(stamp) and record.message.startswith(stamp)
