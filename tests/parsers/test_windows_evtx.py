"""windows_evtx: binary event logs built by tests/evtx_writer.py, read back through the evtx package."""
from __future__ import annotations

import io
import json
import os
from datetime import datetime, timezone

from evtx import PyEvtxParser

from azlog_vmbackup.parsers import windows_evtx
from tests.helpers import run_parser
from tests.helpers.evtx_writer import CHUNK_SIZE, FILE_HEADER_SIZE, Event, write_evtx

PATH = "device_0/Windows/System32/winevt/Logs/System.evtx"
UTC = timezone.utc
SCM_BINARY = "WindowsAzureGuestAgent\x00".encode("utf-16-le").hex().upper()
DOTNET_TEXT = ("Application: WindowsAzureGuestAgent.exe\r\n"
               "Framework Version: v4.0.30319\r\n"
               "Description: The process was terminated due to an unhandled exception.\r\n"
               "Exception Info: System.Configuration.ConfigurationErrorsException\r\n"
               "   at System.Configuration.BaseConfigurationRecord.EvaluateOne(System.String[])\r\n")
APP_PATH = r"C:\Packages\Plugins\Microsoft.Azure.RecoveryServices.VMSnapshot\1.0.92.0\IaaSBcdrExtension.exe"

SCM = Event(7031, "Service Control Manager", 2, "System", datetime(2024, 3, 7, 10, 26, 3, 541200, UTC),
            [("param1", "Windows Azure Guest Agent"), ("param2", "1"), ("param3", "60000"),
             ("param4", "1"), ("param5", "Restart the service")], qualifiers=49152, binary=SCM_BINARY)
DOTNET = Event(1026, ".NET Runtime", 2, "Application", datetime(2024, 3, 7, 10, 25, 59, 912000, UTC),
               [(None, DOTNET_TEXT)])
APP_ERROR = Event(1000, "Application Error", 2, "Application", datetime(2024, 3, 8, 1, 14, 27, 30500, UTC),
                  [("AppName", "IaaSBcdrExtension.exe"), ("AppVersion", "1.0.92.0"),
                   ("AppTimeStamp", "65a1f2c4"), ("ModuleName", "ntdll.dll"),
                   ("ModuleVersion", "10.0.17763.5458"), ("ModuleTimeStamp", "1f4d2c8a"),
                   ("ExceptionCode", "c0000005"), ("FaultingOffset", "000000000004a3b1"),
                   ("ProcessId", "0x1b2c"), ("ProcessCreationTime", "0x1da70f1c2e4b8a1"),
                   ("AppPath", APP_PATH), ("ModulePath", r"C:\Windows\SYSTEM32\ntdll.dll"),
                   ("IntegratorReportId", "5e0d6a3b-2f41-4c1e-9d7a-8b3c2a1f0e47"),
                   ("PackageFullName", ""), ("PackageRelativeAppId", "")])
APPLOCKER = Event(8004, "Microsoft-Windows-AppLocker", 2, "Microsoft-Windows-AppLocker/EXE and DLL",
                  datetime(2024, 3, 8, 1, 14, 26, 0, UTC),
                  user_data=("RuleAndFileData",
                             [("xmlns", "http://schemas.microsoft.com/schemas/event/Microsoft.Windows/1.0.0.0")], [
                      ("PolicyName", [], ["EXE"]),
                      ("FilePath", [], [r"%OSDRIVE%\PACKAGES\PLUGINS\MICROSOFT.AZURE.RECOVERYSERVICES.VMSNAPSHOT"
                                        r"\1.0.92.0\IAASBCDREXTENSION.EXE"]),
                      ("Fqbn", [], ["-"]),
                  ]))

SCM_MESSAGE = ("EventID=7031 Provider=Service Control Manager Level=Error Channel=System | "
               "Windows Azure Guest Agent | 1 | 60000 | 1 | Restart the service | WindowsAzureGuestAgent")
DOTNET_MESSAGE = ("EventID=1026 Provider=.NET Runtime Level=Error Channel=Application | "
                  "Application: WindowsAzureGuestAgent.exe | Framework Version: v4.0.30319 | "
                  "Description: The process was terminated due to an unhandled exception. | "
                  "Exception Info: System.Configuration.ConfigurationErrorsException | "
                  "at System.Configuration.BaseConfigurationRecord.EvaluateOne(System.String[])")
APP_ERROR_MESSAGE = ("EventID=1000 Provider=Application Error Level=Error Channel=Application | "
                     "IaaSBcdrExtension.exe | 1.0.92.0 | 65a1f2c4 | ntdll.dll | 10.0.17763.5458 | 1f4d2c8a | "
                     "c0000005 | 000000000004a3b1 | 0x1b2c | 0x1da70f1c2e4b8a1 | " + APP_PATH + " | "
                     r"C:\Windows\SYSTEM32\ntdll.dll | 5e0d6a3b-2f41-4c1e-9d7a-8b3c2a1f0e47")


def _summary(records):
    return [(r.line, r.time, r.level, r.component, r.message) for r in records]


def test_writer_output_reads_back_exactly_with_checksums_validated():
    data = write_evtx([[SCM, APP_ERROR], [DOTNET]])
    assert len(data) == FILE_HEADER_SIZE + 2 * CHUNK_SIZE
    parser = PyEvtxParser(io.BytesIO(data), validate_checksums=True, number_of_threads=1)
    events = [(r["event_record_id"], json.loads(r["data"])["Event"]) for r in parser.records_json()]
    assert [number for number, _ in events] == [1, 2, 3]
    system = events[0][1]["System"]
    assert system == {"Provider": {"#attributes": {"Name": "Service Control Manager"}},
                      "EventID": {"#attributes": {"Qualifiers": "49152"}, "#text": "7031"},
                      "Level": "2", "TimeCreated": {"#attributes": {"SystemTime": "2024-03-07T10:26:03.541200Z"}},
                      "Channel": "System", "Computer": "vm-backup-01"}
    assert events[0][1]["EventData"] == {"param1": "Windows Azure Guest Agent", "param2": "1", "param3": "60000",
                                         "param4": "1", "param5": "Restart the service", "Binary": SCM_BINARY}
    assert events[1][1]["EventData"] == dict(APP_ERROR.data)
    assert events[2][1]["EventData"] == {"Data": {"#text": DOTNET_TEXT}}


def test_guest_agent_events_become_normalised_records():
    records, facts, problems = run_parser(windows_evtx, write_evtx([[SCM, DOTNET], [APP_ERROR, APPLOCKER]]), PATH)
    assert problems == []
    assert facts.as_dict() == {}
    assert _summary(records) == [
        (1, datetime(2024, 3, 7, 10, 26, 3, 541200, UTC), "ERROR", "Service Control Manager", SCM_MESSAGE),
        (2, datetime(2024, 3, 7, 10, 25, 59, 912000, UTC), "ERROR", ".NET Runtime", DOTNET_MESSAGE),
        (3, datetime(2024, 3, 8, 1, 14, 27, 30500, UTC), "ERROR", "Application Error", APP_ERROR_MESSAGE),
        (4, datetime(2024, 3, 8, 1, 14, 26, 0, UTC), "ERROR", "Microsoft-Windows-AppLocker",
         "EventID=8004 Provider=Microsoft-Windows-AppLocker Level=Error "
         "Channel=Microsoft-Windows-AppLocker/EXE and DLL | EXE | "
         r"%OSDRIVE%\PACKAGES\PLUGINS\MICROSOFT.AZURE.RECOVERYSERVICES.VMSNAPSHOT\1.0.92.0\IAASBCDREXTENSION.EXE | -"),
    ]
    assert all(r.path == PATH and not r.local_time and "\n" not in r.message for r in records)


def test_levels_missing_channel_and_empty_event_data():
    when = datetime(2024, 3, 7, 9, 0, 0, 0, UTC)
    events = [Event(8224, "VSS", 4, "Application", when),
              Event(12289, "VSS", 3, "Application", when, [(None, "0x80042302")]),
              Event(41, "Microsoft-Windows-Kernel-Power", 1, "System", when),
              Event(1, "Microsoft-Windows-Kernel-General", 5, "", when),
              Event(7036, "Service Control Manager", 0, "System", when, [("param1", "RdAgent")], binary="0A00FF00")]
    records, _, problems = run_parser(windows_evtx, write_evtx([events]), PATH)
    assert problems == []
    assert [(r.line, r.level, r.message) for r in records] == [
        (1, "INFO", "EventID=8224 Provider=VSS Level=Information Channel=Application"),
        (2, "WARNING", "EventID=12289 Provider=VSS Level=Warning Channel=Application | 0x80042302"),
        (3, "ERROR", "EventID=41 Provider=Microsoft-Windows-Kernel-Power Level=Critical Channel=System"),
        (4, "VERBOSE", "EventID=1 Provider=Microsoft-Windows-Kernel-General Level=Verbose"),
        (5, "INFO", "EventID=7036 Provider=Service Control Manager Level=Information Channel=System | RdAgent"),
    ]


def test_sas_signature_in_event_data_is_redacted():
    event = Event(1000, "WindowsAzureGuestAgent", 2, "Application", datetime(2024, 3, 7, tzinfo=UTC),
                  [(None, "upload to https://a.blob.core.windows.net/c/s.status?sv=2020&sig=AbC%2Bd&se=1 failed")])
    records, _, _ = run_parser(windows_evtx, write_evtx([[event]]), PATH)
    assert records[0].message.endswith("?sv=2020&sig=***&se=1 failed")


def test_truncated_file_keeps_events_before_the_cut():
    data = write_evtx([[SCM, DOTNET], [APP_ERROR, SCM]])
    second_chunk = FILE_HEADER_SIZE + CHUNK_SIZE
    last_record = data.rindex(b"\x2a\x2a\x00\x00", second_chunk, second_chunk + 4096)
    records, _, problems = run_parser(windows_evtx, data[:last_record + 60], PATH)
    assert [(r.line, r.component) for r in records] == [
        (1, "Service Control Manager"), (2, ".NET Runtime"), (3, "Application Error")]
    assert problems[0] == "truncated event log: the file ends inside chunk 2"
    assert len(problems) == 2 and problems[1].startswith(
        "corrupt event log data skipped: Failed to parse record number 4")


def test_corrupt_record_is_skipped_and_the_rest_kept():
    data = bytearray(write_evtx([[SCM, DOTNET, APP_ERROR]]))
    second = data.index(b"\x2a\x2a\x00\x00", FILE_HEADER_SIZE + 512 + 4)
    data[second + 28] = 0xEE  # the Event element's token
    records, _, problems = run_parser(windows_evtx, bytes(data), PATH)
    assert [(r.line, r.component) for r in records] == [(1, "Service Control Manager"), (2, "Application Error")]
    assert len(problems) == 1
    assert problems[0].startswith("corrupt event log data skipped: Failed to parse record number 2")


def test_corrupt_chunk_header_keeps_the_other_chunks():
    data = bytearray(write_evtx([[SCM], [DOTNET], [APP_ERROR]]))
    second_chunk = FILE_HEADER_SIZE + CHUNK_SIZE
    data[second_chunk:second_chunk + 8] = b"XXXXXXXX"
    records, _, problems = run_parser(windows_evtx, bytes(data), PATH)
    assert [(r.line, r.component) for r in records] == [(1, "Service Control Manager"), (2, "Application Error")]
    assert len(problems) == 1 and "chunk number 1" in problems[0]


def test_random_bytes_and_empty_input_give_a_problem_and_no_records():
    for data in (os.urandom(70000), b"", b"Log Name: System\r\nEvent ID: 7031\r\n"):
        records, _, problems = run_parser(windows_evtx, data, PATH)
        assert (records, problems) == ([], ["not an EVTX file (no ElfFile signature)"])


def test_header_cut_short_gives_a_problem():
    records, _, problems = run_parser(windows_evtx, b"ElfFile\x00" + bytes(100), PATH)
    assert records == []
    assert len(problems) == 1 and problems[0].startswith("unreadable event log: ")


def test_oversized_log_is_read_up_to_the_limit(monkeypatch):
    data = write_evtx([[SCM], [DOTNET]])
    monkeypatch.setattr(windows_evtx, "LIMIT", FILE_HEADER_SIZE + CHUNK_SIZE)
    records, _, problems = run_parser(windows_evtx, data, PATH)
    assert [r.component for r in records] == ["Service Control Manager"]
    assert problems == ["event log larger than 69632 bytes; only the first 69632 bytes read"]


def test_evtx_in_a_bundle_is_diagnosed(tmp_path):
    """A bundle holding only binary event logs at their Windows paths: the analyzer finds the agent crash."""
    import zipfile

    from azlog_vmbackup.analyzer.apps.analyze import analyze

    bundle = tmp_path / "VMAgentLogs.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("Windows/System32/winevt/Logs/System.evtx", write_evtx([[SCM]]))
        zf.writestr("Windows/System32/winevt/Logs/Application.evtx", write_evtx([[DOTNET]]))
    result = analyze(bundle)
    assert result.os == "windows"
    assert [e.status for e in result.inventory] == ["parsed", "parsed"]
    top = result.diagnoses[0]
    assert top.cause == "agent-unresponsive-windows" and top.confidence == "high"
    assert {e.signature for e in top.evidence} >= {"win-event-agent-service-crash", "win-event-agent-dotnet-crash"}
