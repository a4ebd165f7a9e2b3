"""Tests for parsers.waappagent_log: header shapes, continuations, health reports, facts, encodings."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from azlog_vmbackup.parsers import waappagent_log
from tests.helpers import run_parser

WAAPP = "C:\\WindowsAzure\\Logs\\WaAppAgent.log"
INSTALLER = "WindowsAzure/Logs/TransparentInstaller.log"


def t(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=timezone.utc)


def parse(text: str | bytes, path: str = WAAPP):
    return run_parser(waappagent_log, text, path)


def summary(records):
    return [(r.line, r.time, r.level, r.component, r.message.count("\n")) for r in records]


# --- header shapes ------------------------------------------------------------------------------

SHAPES = (
    "[0000001C] [02/27/2020 13:05:44.18] [INFO]  Plugin enable started\n"
    "[00000007] 2022-09-30T08:12:03Z [WARN]  Goal state fetch is slow\n"
    "[00000031] 2025-03-11T22:40:19.905Z [ERROR] Upload of the status blob failed\n"
    "[00000044] 2025-03-11T22:40:20.001Z [INFO]NoSpaceAfterTheLevel done\n"
    "[07/01/2016 01:02:03.45] [ERROR] Line pasted without its thread id\n"
    "[TRACE] Line pasted without thread or time\n"
    "[0000abcd] [12/31/2023 23:59:59.1234567] [VERBOSE] seven fraction digits\n"
    "[00000002] [3/9/2021 7:08:09.5] [DEBUG] single digit month and hour\n")


def test_header_shapes():
    records, _, problems = parse(SHAPES)
    assert summary(records) == [
        (1, t(2020, 2, 27, 13, 5, 44, 180000), "INFO", "0000001C", 0),
        (2, t(2022, 9, 30, 8, 12, 3), "WARNING", "00000007", 0),
        (3, t(2025, 3, 11, 22, 40, 19, 905000), "ERROR", "00000031", 0),
        (4, t(2025, 3, 11, 22, 40, 20, 1000), "INFO", "00000044", 0),
        (5, t(2016, 7, 1, 1, 2, 3, 450000), "ERROR", None, 0),
        (6, None, "VERBOSE", None, 0),
        (7, t(2023, 12, 31, 23, 59, 59, 123456), "VERBOSE", "0000abcd", 0),
        (8, t(2021, 3, 9, 7, 8, 9, 500000), "VERBOSE", "00000002", 0),
    ]
    assert [r.message for r in records] == SHAPES.splitlines()
    assert not any(r.local_time for r in records)
    assert problems == []


def test_levels():
    text = "".join(f"[00000001] [01/01/2024 00:00:0{i}.00] [{name}] x\n"
                   for i, name in enumerate(("INFO", "WARN", "WARNING", "ERROR", "FATAL",
                                             "TRACE", "HEART", "VERBOSE", "DEBUG")))
    records, _, _ = parse(text)
    assert [r.level for r in records] == ["INFO", "WARNING", "WARNING", "ERROR", "ERROR",
                                          "VERBOSE", "INFO", "VERBOSE", "VERBOSE"]


def test_out_of_range_time_keeps_the_record():
    records, _, _ = parse("[00000001] [13/45/2024 25:00:00.00] [ERROR] bad clock\n")
    assert summary(records) == [(1, None, "ERROR", "00000001", 0)]


def test_waagent_and_syslog_lines_are_not_headers():
    text = ("2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\n"
            "May 14 02:05:02 vm1 systemd[1]: Started Session 1.\n")
    records, _, _ = parse(text)
    assert summary(records) == [(1, None, None, None, 0), (2, None, None, None, 0)]


# --- continuation lines ---------------------------------------------------------------------------

STACK = (
    "[00000004] [07/18/2019 14:46:28.89] [WARN] Stop failed. Exception: "
    "System.NullReferenceException: Object reference\n"
    "   at Microsoft.WindowsAzure.GuestAgent.Sample.Stop(Boolean wait)\n"
    "   at Microsoft.WindowsAzure.GuestAgent.Sample.OnStop()\n"
    "\n"
    "--- End of inner exception stack trace ---\n"
    "\n"
    "\n"
    "[00000005] [07/18/2019 14:46:29.00] [INFO] next\n"
    '{"json":"continuation",\n'
    '"more":1}\n'
    "\n")


def test_stack_trace_continuations_keep_physical_lines():
    records, _, _ = parse(STACK)
    assert summary(records) == [
        (1, t(2019, 7, 18, 14, 46, 28, 890000), "WARNING", "00000004", 4),
        (8, t(2019, 7, 18, 14, 46, 29), "INFO", "00000005", 2),
    ]
    assert records[0].message.split("\n") == STACK.split("\n")[0:5]
    assert records[1].message.split("\n") == STACK.split("\n")[7:10]


def test_lines_before_the_first_header_are_records_of_their_own():
    text = "pasted note\n\n   at Some.Frame()\n[ERROR] trimmed line\ncontinued\n"
    records, _, _ = parse(text)
    assert summary(records) == [(1, None, None, None, 0), (3, None, None, None, 0),
                                (4, None, "ERROR", None, 1)]


def test_long_continuation_runs_go_on_in_a_new_record(monkeypatch):
    monkeypatch.setattr(waappagent_log, "MAX_RECORD_LINES", 3)
    text = "[00000001] 2024-01-01T00:00:00Z [ERROR] boom\n" + "".join(f"  at F{i}()\n" for i in range(5))
    records, _, _ = parse(text)
    assert summary(records) == [(1, t(2024, 1, 1), "ERROR", "00000001", 2),
                                (4, None, None, None, 2)]
    assert records[1].message == "  at F2()\n  at F3()\n  at F4()"


def test_long_health_report_goes_on_in_a_new_record(monkeypatch):
    monkeypatch.setattr(waappagent_log, "MAX_RECORD_LINES", 2)
    text = ("==== Microsoft Azure VM Health Report - Start 2024-02-01T10:00:00Z ====\n"
            '{"networkAdapters":[{"name":"Ethernet","ipProperties":[{"protocolVersion":4,\n'
            '"address":"10.0.0.4","isDhcpEnabled":false}]}]}\n'
            "==== Microsoft Azure VM Health Report - End 2024-02-01T10:00:00Z ====\n")
    records, facts, _ = parse(text)
    assert summary(records) == [(1, t(2024, 2, 1, 10), "INFO", None, 1), (3, None, None, None, 1)]
    assert "dhcp_disabled_adapters" not in facts


def test_sas_signatures_are_masked():
    text = ("[00000001] 2024-01-01T00:00:00Z [INFO] Uploading to "
            "https://a.blob.core.windows.net/c/s?sv=1&sig=AbC%2F&se=2\n")
    records, _, _ = parse(text)
    assert records[0].message.endswith("?sv=1&sig=***&se=2")


# --- facts from log lines -------------------------------------------------------------------------

FACTS = (
    "[00000006] [05/02/2024 08:00:01.10] [INFO]  WindowsAzureGuestAgent starting. Version 2.7.41491.1083\n"
    "[00000009] [05/02/2024 08:00:05.20] [INFO]  Using fabric address 168.63.129.16 from DHCP.\n"
    "[00000013] [05/02/2024 08:01:00.00] [WARN]  Processing plugin Microsoft.Azure.RecoveryServices.VMSnapshot "
    "version 1.0.75.0, state: enabled, autoupgrade: True, isJson: True\n"
    "[00000020] [05/02/2024 08:02:00.00] [HEART] WindowsAzureGuestAgent Heartbeat.\n"
    "[00000031] 2024-05-02T09:00:00.500Z [WARN] Status file C:\\Packages\\Plugins\\"
    "Microsoft.Azure.RecoveryServices.VMSnapshot\\1.0.92.0\\Status\\12.status is not available yet.\n"
    "[00000020] 2024-05-02T09:02:00.000Z [HEART] WindowsAzureGuestAgent Heartbeat.\n"
    "[00000021] 2024-05-02T09:03:00.000Z [INFO] RdAgent version: 2.7.41491.1102\n"
    "[00000022] 2024-05-02T09:04:00.000Z [INFO] Processing plugin Microsoft.Azure.RecoveryServices.VMSnapshotLinux "
    "version 1.0.9225.0\n")


def test_line_facts():
    _, facts, _ = parse(FACTS)
    assert facts.as_dict() == {
        "agent_version": "2.7.41491.1102",
        "agent_start_time": "2024-05-02T08:00:01Z",
        "wireserver_endpoint": "168.63.129.16",
        "extension_name": "Microsoft.Azure.RecoveryServices.VMSnapshot",
        "extension_version": "1.0.92.0",
        "agent_last_heartbeat": "2024-05-02T09:02:00Z",
        "agent_last_record": "2024-05-02T09:04:00Z",
    }
    assert [facts.get(n).line for n in ("agent_start_time", "wireserver_endpoint", "extension_version",
                                         "agent_last_heartbeat", "agent_last_record", "agent_version")] \
        == [1, 2, 5, 6, 8, 7]


def test_transparent_installer_does_not_set_agent_last_record():
    _, facts, _ = parse(FACTS[:FACTS.index("[00000009]")], INSTALLER)
    assert facts.as_dict() == {"agent_version": "2.7.41491.1083", "agent_start_time": "2024-05-02T08:00:01Z"}


# --- VM health report -----------------------------------------------------------------------------

REPORT = (
    "[00000012] [11/11/2022 06:10:02.80] [TRACE] VmHealthCollectorThread: Writing health report - START\n"
    "======== Microsoft Azure VM Health Report - Start 2022-11-11T06:10:02.8406342Z ========\n"
    '{"reportTime":"2022-11-11T06:10:00.1Z","networkAdapters":[{"name":"Ethernet 3","status":"Up",'
    '"ipProperties":[{"protocolVersion":4,"address":"10.2.0.7","isDhcpEnabled":false},'
    '{"protocolVersion":6,"address":"fe80::1%5","isDhcpEnabled":false}]},'
    '{"name":"Loopback Pseudo-Interface 1","status":"Up","ipProperties":[{"protocolVersion":4,'
    '"address":"127.0.0.1","isDhcpEnabled":false}]},{"name":"Ethernet 4","ipProperties":'
    '[{"protocolVersion":4,"address":"10.2.1.9","isDhcpEnabled":true}]}],"services":[{"name":"RdAgent",'
    '"startMode":"Auto","state":"Stopped"},{"name":"WindowsAzureGuestAgent","startMode":"Auto",'
    '"state":"Running"}],"systemInfo":{"windows":{"osVersion":"Microsoft Windows NT 10.0.17763.0",'
    '"domainRole":"Member'
    "\n"
    'Server"}},"firewallPolicy":{"blockAllInboundCon\nnections":-1}}\n'
    "========= Microsoft Azure VM Health Report - End 2022-11-11T06:10:02.8506342Z =========\n"
    "\n"
    "[00000012] [11/11/2022 06:10:02.85] [TRACE] VmHealthCollectorThread: Opening serial port\n")


def test_health_report_block_is_one_record_with_facts():
    records, facts, _ = parse(REPORT, INSTALLER)
    assert summary(records) == [
        (1, t(2022, 11, 11, 6, 10, 2, 800000), "VERBOSE", "00000012", 0),
        (2, t(2022, 11, 11, 6, 10, 2, 840634), "INFO", None, 4),
        (8, t(2022, 11, 11, 6, 10, 2, 850000), "VERBOSE", "00000012", 0),
    ]
    assert records[1].message.split("\n") == REPORT.split("\n")[1:6]
    assert facts.as_dict() == {
        "dhcp_disabled_adapters": ["Ethernet 3"],
        "agent_services": {"RdAgent": "Stopped", "WindowsAzureGuestAgent": "Running"},
        "os_name": "Microsoft Windows NT 10.0.17763.0",
        "os_version": "10.0.17763.0",
    }
    assert (facts.get("dhcp_disabled_adapters").line, facts.get("os_name").time) \
        == (2, t(2022, 11, 11, 6, 10, 2, 840634))


def test_truncated_health_report_is_read_object_by_object():
    text = ("==== Microsoft Azure VM Health Report - Start 2024-02-01T10:00:00Z ====\n"
            '{"reportTime":"2024-02-01T10:00:00Z","networkAdapters":[{"name":"Ethernet","status":"Up",'
            '"ipProperties":[{"protocolVersion":4,"address":"10.0.0.4","isDhcpEnabled":true}]},'
            '{"name":"Static NIC","ipProperties":[{"protocolVersion":4,"address":"10.0.0.5",'
            '"isDhcpEnabled":false}]}],"systemInfo":{"windows":{"osVersion":"10.0.20348",'
            '"productName":"Windows Server 2022 Datacenter"}},'
            '"services":[{"name":"RdAgent","startMode":"Manual","state":"Running"},'
            '{"name":"WindowsAzureGuestAg\n'
            "[00000005] 2024-02-01T10:00:01Z [INFO] next\n")
    records, facts, _ = parse(text)
    assert summary(records) == [(1, t(2024, 2, 1, 10), "INFO", None, 1),
                                (3, t(2024, 2, 1, 10, 0, 1), "INFO", "00000005", 0)]
    assert facts.value("dhcp_disabled_adapters") == ["Static NIC"]
    assert facts.value("agent_services") == {"RdAgent": "Running"}
    assert (facts.value("os_name"), facts.value("os_version")) == ("Windows Server 2022 Datacenter", "10.0.20348")


def test_health_report_without_ipv4_sets_no_dhcp_fact():
    text = ("==== Microsoft Azure VM Health Report - Start 2024-02-01T10:00:00Z ====\n"
            '{"networkAdapters":[{"name":"Loopback","ipProperties":[{"protocolVersion":4,'
            '"address":"127.0.0.1","isDhcpEnabled":false}]}]}\n'
            "==== Microsoft Azure VM Health Report - End 2024-02-01T10:00:00Z ====\n")
    records, facts, _ = parse(text)
    assert summary(records) == [(1, t(2024, 2, 1, 10), "INFO", None, 2)]
    assert "dhcp_disabled_adapters" not in facts


PRETTY_REPORT = """[00000012] 2026-06-03T10:15:02.118Z [TRACE] VmHealthCollectorThread: Collecting.
======== Microsoft Azure VM Health Report - Start 2026-06-03T10:15:02.4407731Z ========
{
    "reportTime":  "2026-06-03T10:15:02.2217390Z",
    "services":  [
                     {
                         "errorControl":  "Normal",
                         "exitCode":  1067,
                         "name":  "WindowsAzureGuestAgent",
                         "processId":  0,
                         "startMode":  "Auto",
                         "state":  "Stopped",
                         "status":  "OK"
                     },
                     {
                         "state":  "Running",
                         "name":  "RdAgent"
                     }
                 ]
}
======== Microsoft Azure VM Health Report - End 2026-06-03T10:15:02.4507731Z ========
[00000012] 2026-06-03T10:15:03.001Z [TRACE] VmHealthCollectorThread: Done.
"""


def test_pretty_printed_health_report_json_gives_the_service_states():
    """ConvertTo-Json's layout (a key a line, two spaces after the colon, any key order) reads as the one-line form."""
    records, facts, problems = parse(PRETTY_REPORT, INSTALLER)
    assert summary(records) == [(1, t(2026, 6, 3, 10, 15, 2, 118000), "VERBOSE", "00000012", 0),
                                (2, t(2026, 6, 3, 10, 15, 2, 440773), "INFO", None, 19),
                                (22, t(2026, 6, 3, 10, 15, 3, 1000), "VERBOSE", "00000012", 0)]
    assert facts.value("agent_services") == {"WindowsAzureGuestAgent": "Stopped", "RdAgent": "Running"}
    assert facts.get("agent_services").line == 2 and problems == []


def test_health_report_cut_short_still_gives_the_services_read():
    text = PRETTY_REPORT.split("                 ]")[0]  # the report ends after the service list's last object
    _, facts, _ = parse(text, INSTALLER)
    assert facts.value("agent_services") == {"WindowsAzureGuestAgent": "Stopped", "RdAgent": "Running"}

# --- encodings --------------------------------------------------------------------------------------

def test_utf16_le_with_bom_and_crlf():
    data = b"\xff\xfe" + STACK.replace("\n", "\r\n").encode("utf-16-le")
    records, _, _ = parse(data)
    assert summary(records) == summary(parse(STACK)[0])
    assert records[1].message == '[00000005] [07/18/2019 14:46:29.00] [INFO] next\n{"json":"continuation",\n"more":1}'


def test_cp1252_bytes():
    data = ("[00000001] [01/02/2024 03:04:05.00] [ERROR] Zugriff verweigert für Benutzer «SYSTEM»\n"
            .encode("cp1252"))
    records, _, _ = parse(data)
    assert records[0].message.endswith("für Benutzer «SYSTEM»")
    assert summary(records) == [(1, t(2024, 1, 2, 3, 4, 5), "ERROR", "00000001", 0)]


# --- sniffing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("head, expected", [
    ("[00000013] [11/11/2022 06:34:12.06] [INFO]  WriteGAPluginHeartbeat: x\n", True),
    ("noise\n[00000031] 2025-01-08T07:38:01.487Z [WARN] Status file x\n", True),
    ("2021-01-12T16:35:45Z [INFO]  no thread id\n", True),
    ("======== Microsoft Azure VM Health Report - Start 2018-03-06T02:06:40.6256349Z ========\n", True),
    ("2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\n", False),
    ("May 14 02:05:02 vm1 kernel: [    0.000000] Linux version 5.15\n", False),
    ("[INFO] only a trimmed level\n", False),
])
def test_sniff(head, expected):
    assert waappagent_log.sniff(head) is expected


# --- reference excerpts -------------------------------------------------------------------------------

EXCERPTS = {
    "01_waappagent_wireserver_unreachable_mslearn.txt": [(1, 1), (4, 8)],
    "04_waappagent_no_fabric_address_npcap.txt": [(1, 0), (2, 0), (3, 0)],
    "05_waappagent_start_slow_oobe_heartbeat.txt": [(1, 1), (3, 1), (5, 0), (6, 0), (7, 0)],
    "06_waappagent_stuck_stopping.txt": [(1, 0), (2, 0), (3, 6), (11, 0)],
    "07_waappagent_certificate_rdcrypt_pfximport.txt": [(1, 0), (2, 1), (4, 0), (5, 3), (10, 0), (11, 0), (13, 2)],
    "08_waappagent_iso_timestamp_badimageformat.txt": [(1, 0), (2, 2)],
    "10_vm_health_report_block.txt": [(1, 2)],
    "11_vmsnapshot_status_file_not_available_2025.txt": [(1, 0), (3, 0), (5, 0)],
    "12_waappagent_extension_enable_failed_chef_issues.txt": [
        (1, 0), (2, 1), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 3), (13, 0), (14, 0), (15, 0),
        (16, 0), (17, 0), (18, 0), (19, 1)],
    "13_waappagent_extension_autoupgrade_mslearn.txt": [(1, 0), (2, 0)],
    "14_waappagent_fatal_access_rules.txt": [(1, 0)],
    "15_guestagent_dotnet_event_and_transparentinstaller_wcf.txt": [(n, 0) for n in range(1, 20)] + [(21, 2)],
}


def excerpt_lines(reference, name: str) -> list[str]:
    text = (reference / "windows" / "excerpts" / name).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if not line.startswith("#")]


@pytest.mark.parametrize("name", sorted(EXCERPTS))
def test_reference_excerpts_cover_every_line(reference, name):
    lines = excerpt_lines(reference, name)
    records, _, problems = parse("\n".join(lines))
    assert [(r.line, r.message.count("\n")) for r in records] == EXCERPTS[name]
    covered = set()
    for r in records:
        parts = r.message.split("\n")
        assert parts == lines[r.line - 1:r.line - 1 + len(parts)]
        covered.update(range(r.line, r.line + len(parts)))
    assert {n for n, line in enumerate(lines, 1) if line.strip()} <= covered
    assert problems == []


def test_reference_excerpt_facts(reference):
    _, facts, _ = parse("\n".join(excerpt_lines(reference, "05_waappagent_start_slow_oobe_heartbeat.txt")))
    assert facts.as_dict() == {"agent_version": "2.7.41491.949", "agent_start_time": "2019-11-14T05:52:13Z",
                               "agent_last_heartbeat": "2019-11-14T06:02:33Z",
                               "agent_last_record": "2019-11-14T06:02:33Z"}
    records, facts, _ = parse("\n".join(excerpt_lines(reference, "10_vm_health_report_block.txt")), INSTALLER)
    assert (records[0].time, facts.as_dict()) == (t(2018, 3, 6, 2, 6, 40, 625634), {"dhcp_disabled_adapters": []})
    records, facts, _ = parse("\n".join(excerpt_lines(reference, "11_vmsnapshot_status_file_not_available_2025.txt")))
    assert (facts.value("extension_version"), facts.get("extension_version").line) == ("1.0.92.0", 1)
    assert [r.level for r in records] == ["WARNING", "WARNING", "INFO"]
    records, _, _ = parse("\n".join(excerpt_lines(reference, "14_waappagent_fatal_access_rules.txt")))
    assert (records[0].level, records[0].time) == (None, None)
