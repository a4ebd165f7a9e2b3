"""Registry .reg exports: one record per value, agent / .NET / OS / proxy facts."""
from __future__ import annotations

import codecs

from azlog_vmbackup.parsers import reg_export
from tests.helpers import run_parser

GUEST_REG = """\
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest]
"GuestAgentStatus"="Running"
"GuestAgentVersion"="2.7.41491.1102"
"GuestAgentStartTime"="05/14/2024 02:05:40"
"DHCPStatus"="Enabled"
"WireServerStatus"="Reachable"
"RequiredDotNetVersionPresent"="True"
"OsVersion"="10.0.17763"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full]
"Release"=dword:00070bf0
"InstallPath"="C:\\\\Windows\\\\Microsoft.NET\\\\Framework64\\\\v4.0.30319\\\\"
@="Default \\"quoted\\""

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]
"ProductName"="Windows Server 2019 Datacenter"
"PathName"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,\\
  74,00,25,00,00,00
"Sources"=hex(7):43,00,3a,00,5c,00,61,00,00,00,44,00,3a,00,5c,00,62,00,00,00,\\
  00,00
"InstallTime"=hex(b):00,e0,8a,2f,5c,a1,d9,01

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
"WinHttpSettings"=hex:18,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,00,\\
  00
"""


def utf16(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")


def test_guest_key_utf16_records_and_facts():
    records, facts, problems = run_parser(reg_export, utf16(GUEST_REG), "guest.reg")
    assert problems == []
    assert [(r.line, r.message) for r in records] == [
        (4, "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\GuestAgentStatus = Running"),
        (5, "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\GuestAgentVersion = 2.7.41491.1102"),
        (6, "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\GuestAgentStartTime = 05/14/2024 02:05:40"),
        (7, "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\DHCPStatus = Enabled"),
        (8, "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\WireServerStatus = Reachable"),
        (9, "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\RequiredDotNetVersionPresent = True"),
        (10, "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\OsVersion = 10.0.17763"),
        (13, "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\\Release = 461808"),
        (14, "HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\\InstallPath = "
             "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\"),
        (15, 'HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\\(Default) = Default "quoted"'),
        (18, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProductName = Windows Server 2019 Datacenter"),
        (19, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\PathName = %SystemRoot%"),
        (21, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Sources = C:\\a | D:\\b"),
        (23, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\InstallTime = 133315081290833920"),
        (26, "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections\\WinHttpSettings = "
             "1800000000000000010000000000000000000000"),
    ]
    assert all(r.time is None and r.level is None and r.path == "guest.reg" for r in records)
    assert facts.as_dict() == {"agent_version": "2.7.41491.1102", "dotnet_release": 461808,
                               "os_name": "Windows Server 2019 Datacenter"}
    assert facts.get("agent_version").line == 5


PROXY_REG4 = """\
REGEDIT4

; exported from an offline hive loaded as BROKENSOFTWARE
[HKEY_LOCAL_MACHINE\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyServer"="http=10.0.0.4:3128;https=10.0.0.4:3129"
"ProxyEnable"=dword:00000001
"ProxyOverride"="<local>"

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyServer"="192.168.1.1:8080"
"ProxyEnable"=dword:00000000

[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]
"Ignored"="x"

[HKEY_LOCAL_MACHINE\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
"WinHttpSettings"=hex:28,00,00,00,05,00,00,00,03,00,00,00,0d,00,00,00,31,30,2e,\\
  30,2e,30,2e,35,3a,38,30,38,30,07,00,00,00,3c,6c,6f,63,61,6c,3e
"Removed"=-
"ExpandAnsi"=hex(2):25,54,45,4d,50,25,00
"""


def test_regedit4_proxy_from_internet_settings_then_winhttp():
    records, facts, problems = run_parser(reg_export, PROXY_REG4, "proxy.reg")
    assert problems == []
    assert [(r.line, r.message) for r in records] == [
        (5, "HKLM\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ProxyServer = "
            "http=10.0.0.4:3128;https=10.0.0.4:3129"),
        (6, "HKLM\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ProxyEnable = 1"),
        (7, "HKLM\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ProxyOverride = <local>"),
        (10, "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ProxyServer = 192.168.1.1:8080"),
        (11, "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ProxyEnable = 0"),
        (17, "HKLM\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections\\"
             "WinHttpSettings = 2800000005000000030000000d000000" "31302e302e302e353a38303830"
             "07000000" "3c6c6f63616c3e"),
        (19, "HKLM\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections\\"
             "Removed = (deleted)"),
        (20, "HKLM\\BROKENSOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections\\"
             "ExpandAnsi = %TEMP%"),
    ]
    proxy = facts.get("proxy")
    assert (proxy.value, proxy.line) == ("10.0.0.5:8080", 17)


def test_internet_settings_proxy_alone():
    text = PROXY_REG4.split("[HKEY_CURRENT_USER")[0]
    _, facts, _ = run_parser(reg_export, text, "ie.reg")
    assert facts.as_dict() == {"proxy": "10.0.0.4:3129"}
    assert facts.get("proxy").line == 5


def test_long_binary_truncated_and_no_header():
    blob = ",".join(["ab"] * 300)
    text = f'[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n"Blob"=hex:{blob}\n"Bad"=dword:zz\n"Raw"=weird\n"Sig"="https://a/b?sv=1&sig=abc"\n'
    records, facts, problems = run_parser(reg_export, text, "x.reg")
    assert problems == ["no registry export header (Windows Registry Editor Version 5.00 or REGEDIT4)"]
    assert records[0].message == "HKLM\\SOFTWARE\\X\\Blob = " + "ab" * 256 + "... (300 bytes)"
    assert [r.message for r in records[1:]] == [
        "HKLM\\SOFTWARE\\X\\Bad = dword:zz", "HKLM\\SOFTWARE\\X\\Raw = weird",
        "HKLM\\SOFTWARE\\X\\Sig = https://a/b?sv=1&sig=***"]
    assert list(facts.items()) == []


def test_unterminated_continuation_and_binary_input():
    records, _, _ = run_parser(reg_export, 'REGEDIT4\n[HKEY_USERS\\S-1-5-18\\K]\n"V"=hex:01,\\\n', "t.reg")
    assert [(r.line, r.message) for r in records] == [(3, "HKU\\S-1-5-18\\K\\V = 01")]
    records, _, problems = run_parser(reg_export, bytes(range(256)) * 4, "b.reg")
    assert records == [] and len(problems) == 1


def test_sniff():
    assert reg_export.sniff(GUEST_REG)
    assert reg_export.sniff("\ufeffWindows Registry Editor Version 5.00\r\n")
    assert reg_export.sniff(PROXY_REG4)
    assert not reg_export.sniff("[HKEY_LOCAL_MACHINE\\SOFTWARE]\n")
    assert not reg_export.sniff("2024-05-14T02:05:02Z INFO Daemon started\n")
