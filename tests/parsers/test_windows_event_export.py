"""Exported Windows event logs: wevtutil / Event Viewer text, Format-List, CSV, XML."""
from __future__ import annotations

import codecs
from datetime import datetime, timezone

from azlog_vmbackup.parsers import windows_event_export as wee
from tests.helpers import run_parser


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def utf16(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")


def summary(records):
    return [(r.line, r.message, r.time, r.level, r.component, r.local_time) for r in records]


WEVTUTIL_EN = """\
Event[0]:
  Log Name: System
  Source: Service Control Manager
  Date: 2024-05-14T02:05:02.4170000Z
  Event ID: 7031
  Task: N/A
  Level: Error
  Opcode: N/A
  Keyword: Classic
  User: N/A
  User Name: N/A
  Computer: backup-vm01
  Description:\x20
The Windows Azure Guest Agent service terminated unexpectedly.  It has done this 1 time(s).  \
The following corrective action will be taken in 60000 milliseconds: Restart the service.

Event[1]:
  Log Name: Application
  Source: .NET Runtime
  Date: 2024-05-14T02:04:58.120
  Event ID: 1026
  Task: N/A
  Level: Error
  Opcode: N/A
  Keyword: Classic
  User: N/A
  User Name: N/A
  Computer: backup-vm01
  Description:\x20
Application: WindowsAzureGuestAgent.exe
Framework Version: v4.0.30319
Description: The process was terminated due to an unhandled exception.
Exception Info: System.Configuration.ConfigurationErrorsException
   at System.Configuration.ConfigurationSchemaErrors.ThrowIfErrors(Boolean)

Event[2]:
  Log Name: Application
  Source: Application Error
  Date: 2024-05-14T02:10:11.000Z
  Event ID: 1000
  Task: (100)
  Level: Error
  Opcode: Info
  Keyword: Classic
  User: N/A
  User Name: N/A
  Computer: backup-vm01
  Description:\x20
Faulting application name: IaaSBcdrExtension.exe, version: 1.0.92.0, time stamp: 0x65a1b2c3
Faulting module name: ntdll.dll, version: 10.0.17763.5458, time stamp: 0x1a2b3c4d
Exception code: 0xc0000005
Log Name: this line belongs to the description of a bracketed export
"""


def test_wevtutil_english_utf16():
    records, facts, problems = run_parser(wee, utf16(WEVTUTIL_EN), "System_Application.txt")
    assert problems == []
    assert summary(records) == [
        (1, "EventID=7031 Provider=Service Control Manager Level=Error Channel=System | "
            "The Windows Azure Guest Agent service terminated unexpectedly.  It has done this 1 time(s).  "
            "The following corrective action will be taken in 60000 milliseconds: Restart the service.",
         utc(2024, 5, 14, 2, 5, 2, 417000), "ERROR", "Service Control Manager", False),
        (16, "EventID=1026 Provider=.NET Runtime Level=Error Channel=Application | "
             "Application: WindowsAzureGuestAgent.exe | Framework Version: v4.0.30319 | "
             "Description: The process was terminated due to an unhandled exception. | "
             "Exception Info: System.Configuration.ConfigurationErrorsException | "
             "at System.Configuration.ConfigurationSchemaErrors.ThrowIfErrors(Boolean)",
         utc(2024, 5, 14, 2, 4, 58, 120000), "ERROR", ".NET Runtime", True),
        (35, "EventID=1000 Provider=Application Error Level=Error Channel=Application | "
             "Faulting application name: IaaSBcdrExtension.exe, version: 1.0.92.0, time stamp: 0x65a1b2c3 | "
             "Faulting module name: ntdll.dll, version: 10.0.17763.5458, time stamp: 0x1a2b3c4d | "
             "Exception code: 0xc0000005 | "
             "Log Name: this line belongs to the description of a bracketed export",
         utc(2024, 5, 14, 2, 10, 11), "ERROR", "Application Error", False),
    ]
    assert list(facts.items()) == []


EVENTVIEWER_DE = """\
Protokollname: Application
Quelle:        VSS
Datum:         14.05.2024 04:05:30
Ereignis-ID:   8193
Aufgabenkategorie:Keine
Ebene:         Fehler
Schlüsselwörter:Klassisch
Benutzer:      Nicht zutreffend
Computer:      backup-vm01
Beschreibung:
Volumeschattenkopie-Dienstfehler: Unerwarteter Fehler beim Aufrufen der Routine "RegOpenKeyExW". \
hr = 0x80070005, Zugriff verweigert.
.

Vorgang:
   Initialisieren des Writers
Ereignis-Xml:
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="VSS" />
  </System>
</Event>
Protokollname: Application
Quelle:        Application Error
Datum:         14.05.2024 04:10:11
Ereignis-ID:   1000
Aufgabenkategorie:(100)
Ebene:         Fehler
Schlüsselwörter:Klassisch
Benutzer:      Nicht zutreffend
Computer:      backup-vm01
Beschreibung:
Name der fehlerhaften Anwendung: IaaSBcdrExtension.exe, Version: 1.0.92.0, Zeitstempel: 0x65a1b2c3
Ausnahmecode: 0xc0000005
"""


def test_event_viewer_german_copy():
    records, _, problems = run_parser(wee, EVENTVIEWER_DE, "ereignisse.txt")
    assert problems == []
    assert summary(records) == [
        (1, 'EventID=8193 Provider=VSS Level=Error Channel=Application | Volumeschattenkopie-Dienstfehler: '
            'Unerwarteter Fehler beim Aufrufen der Routine "RegOpenKeyExW". hr = 0x80070005, Zugriff verweigert. '
            '| . | Vorgang: | Initialisieren des Writers',
         utc(2024, 5, 14, 4, 5, 30), "ERROR", "VSS", True),
        (22, "EventID=1000 Provider=Application Error Level=Error Channel=Application | "
             "Name der fehlerhaften Anwendung: IaaSBcdrExtension.exe, Version: 1.0.92.0, Zeitstempel: 0x65a1b2c3 | "
             "Ausnahmecode: 0xc0000005",
         utc(2024, 5, 14, 4, 10, 11), "ERROR", "Application Error", True),
    ]


WEVTUTIL_HU = """\
Esemény[0]:
  Napló neve: System
  Forrás: Service Control Manager
  Dátum: 2024. 05. 14. 4:05:02
  Eseményazonosító: 7031
  Feladat: N/A
  Szint: Hiba
  Műveletkód: N/A
  Kulcsszó: Klasszikus
  Felhasználó: N/A
  Felhasználónév: N/A
  Számítógép: backup-vm01
  Leírás:\x20
A(z) Windows Azure Guest Agent szolgáltatás váratlanul leállt. Ez 1 alkalommal fordult elő.
Esemény[1]:
  Napló neve: Application
  Forrás: VSS
  Dátum: 2024. 05. 14. 4:06:40
  Eseményazonosító: 12289
  Feladat: N/A
  Szint: Figyelmeztetés
  Leírás:\x20
Kötetárnyékmásolat-szolgáltatás hibája: váratlan hiba (DeviceIoControl). hr = 0x8007001f
"""


def test_wevtutil_hungarian_utf16():
    records, _, problems = run_parser(wee, utf16(WEVTUTIL_HU), "rendszer.txt")
    assert problems == []
    assert summary(records) == [
        (1, "EventID=7031 Provider=Service Control Manager Level=Error Channel=System | "
            "A(z) Windows Azure Guest Agent szolgáltatás váratlanul leállt. Ez 1 alkalommal fordult elő.",
         utc(2024, 5, 14, 4, 5, 2), "ERROR", "Service Control Manager", True),
        (15, "EventID=12289 Provider=VSS Level=Warning Channel=Application | "
             "Kötetárnyékmásolat-szolgáltatás hibája: váratlan hiba (DeviceIoControl). hr = 0x8007001f",
         utc(2024, 5, 14, 4, 6, 40), "WARNING", "VSS", True),
    ]


FORMAT_LIST = """\

TimeCreated  : 5/14/2024 2:05:02 AM
ProviderName : Service Control Manager
Id           : 7031
Message      : The Windows Azure Guest Agent service terminated unexpectedly.  It has done this 2
               time(s).

               The following corrective action will be taken in 60000 milliseconds.

TimeCreated  : 5/13/2024 11:59:00 PM
ProviderName : Microsoft-Windows-AppLocker
Id           : 8004
Message      : %OSDRIVE%\\PACKAGES\\PLUGINS\\IAASBCDREXTENSION.EXE was prevented from running.
"""


def test_format_list():
    records, _, problems = run_parser(wee, FORMAT_LIST, "events.txt")
    assert problems == []
    assert summary(records) == [
        (2, "EventID=7031 Provider=Service Control Manager | The Windows Azure Guest Agent service terminated "
            "unexpectedly.  It has done this 2 | time(s). | The following corrective action will be taken in "
            "60000 milliseconds.", utc(2024, 5, 14, 2, 5, 2), None, "Service Control Manager", True),
        (10, "EventID=8004 Provider=Microsoft-Windows-AppLocker | "
             "%OSDRIVE%\\PACKAGES\\PLUGINS\\IAASBCDREXTENSION.EXE was prevented from running.",
         utc(2024, 5, 13, 23, 59), None, "Microsoft-Windows-AppLocker", True),
    ]


EXPORT_CSV = """\
#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord
"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated","ActivityId","RelatedActivityId","ContainerLog","MatchedQueryIds","Bookmark","LevelDisplayName","OpcodeDisplayName","TaskDisplayName","KeywordsDisplayNames","Properties"
"Application: WindowsAzureGuestAgent.exe
Framework Version: v4.0.30319
Exception Info: System.Configuration.ConfigurationErrorsException","1026",,"0","2","0","0",\
"36028797018963968","5521",".NET Runtime",,"Application",,,"backup-vm01",,"5/14/2024 2:04:58 AM",,,\
"Application","System.UInt32[]","System.Diagnostics.Eventing.Reader.EventBookmark","Error",,"None",\
"System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]",\
"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"
"The VSS service is shutting down due to idle timeout.","8224",,"0","4","0","0","36028797018963968","5522",\
"VSS",,"Application",,,"backup-vm01",,"5/14/2024 2:06:12 AM",,,"Application","System.UInt32[]",\
"System.Diagnostics.Eventing.Reader.EventBookmark","Information",,"None",\
"System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]",\
"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"
"""


def test_export_csv_multiline_message():
    records, _, problems = run_parser(wee, EXPORT_CSV, "app.csv")
    assert problems == []
    assert summary(records) == [
        (3, "EventID=1026 Provider=.NET Runtime Level=Error Channel=Application | "
            "Application: WindowsAzureGuestAgent.exe | Framework Version: v4.0.30319 | "
            "Exception Info: System.Configuration.ConfigurationErrorsException",
         utc(2024, 5, 14, 2, 4, 58), "ERROR", ".NET Runtime", True),
        (6, "EventID=8224 Provider=VSS Level=Information Channel=Application | "
            "The VSS service is shutting down due to idle timeout.",
         utc(2024, 5, 14, 2, 6, 12), "INFO", "VSS", True),
    ]


EXPORT_CSV_DE = """\
"Message";"Id";"Level";"ProviderName";"LogName";"TimeCreated";"LevelDisplayName"
"Der Dienst ""Windows Azure Guest Agent"" wurde unerwartet beendet.";"7031";"2";\
"Service Control Manager";"System";"14.05.2024 04:05:02";"Fehler"
"""


def test_export_csv_semicolon_german():
    records, _, _ = run_parser(wee, EXPORT_CSV_DE, "system.csv")
    assert summary(records) == [
        (2, 'EventID=7031 Provider=Service Control Manager Level=Error Channel=System | '
            'Der Dienst "Windows Azure Guest Agent" wurde unerwartet beendet.',
         utc(2024, 5, 14, 4, 5, 2), "ERROR", "Service Control Manager", True),
    ]


EVENTVIEWER_CSV = """\
Level,Date and Time,Source,Event ID,Task Category
Error,5/14/2024 2:10:11 AM,Application Error,1000,(100),\
"Faulting application name: IaaSBcdrExtension.exe, version: 1.0.92.0
Exception code: 0xc0000005"
Warning,5/14/2024 2:06:40 AM,VSS,12289,None,Volume Shadow Copy Service error: Unexpected error DeviceIoControl.
"""

EVENTVIEWER_TAB_FR = (
    "Niveau\tDate et heure\tSource\tID de l’événement\tCatégorie de la tâche\n"
    "Avertissement\t14/05/2024 04:06:40\tVSS\t8193\tAucun\tErreur du service de cliché instantané de volume.\n"
)


def test_event_viewer_csv_and_french_tab():
    records, _, problems = run_parser(wee, EVENTVIEWER_CSV, "app.csv")
    assert problems == []
    assert summary(records) == [
        (2, "EventID=1000 Provider=Application Error Level=Error | Faulting application name: "
            "IaaSBcdrExtension.exe, version: 1.0.92.0 | Exception code: 0xc0000005",
         utc(2024, 5, 14, 2, 10, 11), "ERROR", "Application Error", True),
        (4, "EventID=12289 Provider=VSS Level=Warning | Volume Shadow Copy Service error: Unexpected error "
            "DeviceIoControl.", utc(2024, 5, 14, 2, 6, 40), "WARNING", "VSS", True),
    ]
    records, _, _ = run_parser(wee, utf16(EVENTVIEWER_TAB_FR), "app.txt")
    assert summary(records) == [
        (2, "EventID=8193 Provider=VSS Level=Warning | Erreur du service de cliché instantané de volume.",
         utc(2024, 5, 14, 4, 6, 40), "WARNING", "VSS", True),
    ]


NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'"
SCM_BINARY = "WindowsAzureGuestAgent".encode("utf-16-le").hex().upper() + "0000"
WEVTUTIL_XML = (
    f"<Event {NS}><System><Provider Name='Service Control Manager' Guid='{{555908d1-a6d7-4695-8e1e-26931d2012f4}}' "
    "EventSourceName='Service Control Manager'/><EventID Qualifiers='49152'>7031</EventID><Version>0</Version>"
    "<Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords>"
    "<TimeCreated SystemTime='2024-05-14T02:05:02.4171234Z'/><EventRecordID>9811</EventRecordID>"
    "<Channel>System</Channel><Computer>backup-vm01</Computer></System><EventData>"
    "<Data Name='param1'>Windows Azure Guest Agent</Data><Data Name='param2'>1</Data>"
    f"<Data Name='param3'>60000</Data><Data Name='param4'>1</Data><Binary>{SCM_BINARY}</Binary>"
    f"</EventData></Event><Event {NS}><System><Provider Name='Application Error'/>"
    "<EventID Qualifiers='0'>1000</EventID><Level>2</Level><TimeCreated SystemTime='2024-05-14T02:10:11.000000000Z'/>"
    "<Channel>Application</Channel></System><EventData><Data>IaaSBcdrExtension.exe</Data><Data>1.0.92.0</Data>"
    "<Data>c0000005</Data><Data></Data></EventData></Event>\n"
)

SAVED_XML = f"""\
<?xml version="1.0" encoding="UTF-16"?>
<Events>
<Event {NS}><System><Provider Name='VSS'/><EventID Qualifiers='0'>8193</EventID><Level>2</Level>
<TimeCreated SystemTime='2024-05-14T02:05:30.000Z'/><Channel>Application</Channel></System>
<EventData><Data>Fehler beim Aufrufen der Routine</Data><Data>hr = 0x80070005</Data></EventData>
<RenderingInfo Culture='de-DE'><Message>Volumeschattenkopie-Dienstfehler: Fehler beim Aufrufen der Routine
hr = 0x80070005</Message><Level>Fehler</Level></RenderingInfo></Event>
<Event {NS}><System><Provider Name='VSS'/><EventID>8224</EventID><Level>4</Level>
<TimeCreated SystemTime='2024-05-14T02:06:12.000Z'/><Channel>Application</Channel></System>
<EventData><Data>&amp; idle</Data></EventData></Event>
</Events>
"""


def test_wevtutil_xml_one_line():
    records, _, problems = run_parser(wee, WEVTUTIL_XML, "system.xml")
    assert problems == []
    assert summary(records) == [
        (1, "EventID=7031 Provider=Service Control Manager Level=Error Channel=System | "
            "Windows Azure Guest Agent | 1 | 60000 | 1 | WindowsAzureGuestAgent",
         utc(2024, 5, 14, 2, 5, 2, 417123), "ERROR", "Service Control Manager", False),
        (1, "EventID=1000 Provider=Application Error Level=Error Channel=Application | "
            "IaaSBcdrExtension.exe | 1.0.92.0 | c0000005",
         utc(2024, 5, 14, 2, 10, 11), "ERROR", "Application Error", False),
    ]


def test_saved_xml_utf16_with_rendering():
    records, _, problems = run_parser(wee, utf16(SAVED_XML), "Application.xml")
    assert problems == []
    assert summary(records) == [
        (3, "EventID=8193 Provider=VSS Level=Error Channel=Application | "
            "Volumeschattenkopie-Dienstfehler: Fehler beim Aufrufen der Routine | hr = 0x80070005",
         utc(2024, 5, 14, 2, 5, 30), "ERROR", "VSS", False),
        (8, "EventID=8224 Provider=VSS Level=Information Channel=Application | & idle",
         utc(2024, 5, 14, 2, 6, 12), "INFO", "VSS", False),
    ]


def test_xml_entities_are_not_expanded():
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE Events [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            f"<Events><Event {NS}><System><Provider Name='VSS'/><EventID>1</EventID></System>"
            f"<EventData><Data>&x;</Data></EventData></Event></Events>")
    records, _, problems = run_parser(wee, data, "evil.xml")
    assert records == []
    assert problems[0] == "event XML declares a DTD; its entities are not expanded"
    assert len(problems) == 2 and problems[1].startswith("event at line 3: malformed XML")


def test_sas_signature_redacted_and_garbage_tolerated():
    data = WEVTUTIL_EN.replace("Restart the service.", "https://a.blob.core.windows.net/c?sv=1&sig=SECRET")
    records, _, _ = run_parser(wee, data, "s.txt")
    assert "sig=***" in records[0].message and "SECRET" not in records[0].message
    records, _, problems = run_parser(wee, b"\x00\x01garbage\nmore", "x.txt")
    assert records == [] and problems == ["no exported Windows events recognised"]
    records, _, problems = run_parser(wee, "Level,Date and Time,Source,Event ID\n\"unterminated", "x.csv")
    assert records == []


def test_sniff():
    assert wee.sniff(WEVTUTIL_EN[:4096])
    assert wee.sniff(WEVTUTIL_HU)
    assert wee.sniff(EVENTVIEWER_DE)
    assert wee.sniff(FORMAT_LIST)
    assert wee.sniff(EXPORT_CSV)
    assert wee.sniff(EVENTVIEWER_CSV)
    assert wee.sniff("\ufeff" + EVENTVIEWER_TAB_FR)
    assert wee.sniff(WEVTUTIL_XML)
    assert wee.sniff(SAVED_XML)
    assert not wee.sniff("[00000013] [11/11/2022 06:34:12.06] [INFO]  WriteGAPluginHeartbeat: Set heartbeat\n"
                         "[00000008] 2025-01-08T07:38:01.487Z [WARN] Status file not available\n")
    assert not wee.sniff("2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler Event: name=x, op=y\n"
                         "2024-05-14T02:05:03.123456Z ERROR Daemon Daemon Source: foo\n")
    assert not wee.sniff("May 14 02:05:02 backup-vm01 systemd[1]: Started Azure Linux Agent.\n"
                         "May 14 02:05:03 backup-vm01 kernel: Level: 3\n")


def test_reference_excerpt(reference):
    path = reference / "windows" / "excerpts" / "15_guestagent_dotnet_event_and_transparentinstaller_wcf.txt"
    records, _, _ = run_parser(wee, path.read_bytes(), path.name)
    first = records[0]
    assert (first.line, first.component, first.level, first.time, first.local_time) == (
        7, ".NET Runtime", "ERROR", utc(2023, 3, 7, 10, 25, 59), True)
    assert first.message.startswith("EventID=1026 Provider=.NET Runtime Level=Error Channel=Application | "
                                    "Application: WindowsAzureGuestAgent.exe | ")
    assert "Exception Info: System.Configuration.ConfigurationErrorsException" in first.message
