"""Property tests: every parser survives any input and yields well-formed records.

One test per parser module (those the path table names, plus ``text_generic``), fed
(a) arbitrary bytes and (b) structured junk: lines assembled from fragments of the
real formats (timestamps of every shape, brackets, levels, JSON, XML, NULs, BOMs,
CRLF) in UTF-8, UTF-16 or cp1252. A parser must never raise on bad content
(parsers/base.py); every record it yields names the member it read, has a ``str``
message, a line >= 1 and an aware (or no) time.
"""
from __future__ import annotations

import codecs
import importlib
import json
import textwrap
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from azlog_vmbackup.core.model import Record
from azlog_vmbackup.parsers import registry
from tests.helpers import run_parser

PARSERS = sorted({s.parser for s in registry.TABLE if s.parser} | {registry.TEXT.parser})

# A member path each parser really gets (some parsers read the extension name or
# the interface index out of the path); anything else reads "member".
PATHS = {
    "waagent_log": "var/log/waagent.log",
    "vmsnapshot_log": "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log",
    "vmsnapshot_shell_log": "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/shell.log",
    "vmsnapshot_events": "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/events/1715652581.json",
    "extension_status": "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/status/3.status",
    "handler_state": "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/config/HandlerState",
    "handler_status":
        "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/config/HandlerStatus",
    "handler_environment":
        "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/HandlerEnvironment.json",
    "heartbeat": "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/heartbeat.log",
    "goal_state_xml": "var/lib/waagent/GoalState.7.xml",
    "extensions_config_xml": "var/lib/waagent/ExtensionsConfig.7.xml",
    "hosting_env_xml": "var/lib/waagent/HostingEnvironmentConfig.xml",
    "shared_config_xml": "var/lib/waagent/SharedConfig.xml",
    "ovf_env_xml": "var/lib/waagent/ovf-env.xml",
    "waagent_status": "var/lib/waagent/history/2024-05-14T02-05-02__7/waagent_status.json",
    "waagent_conf": "etc/waagent.conf",
    "os_release": "etc/os-release",
    "dhcp_lease": "run/systemd/netif/leases/2",
    "collector_results": "results.txt",
    "syslog": "var/log/syslog",
    "journal": "sos_commands/logs/journalctl_--no-pager",
    "systemctl_status": "sos_commands/systemd/systemctl_status_--all",
    "dmesg": "var/log/dmesg",
    "cloud_init_log": "var/log/cloud-init.log",
    "iptables": "sos_commands/networking/iptables_-t_filter_-nvL",
    "ip_route": "sos_commands/networking/ip_route_show_table_all",
    "waappagent_log": "WindowsAzure/Logs/WaAppAgent.log",
    "vmagent_installer_xml": "Windows/Panther/VmAgentInstaller.xml",
    "windows_plugin_log":
        "WindowsAzure/Logs/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.0/IaaSBcdrExtension.log",
    "windows_evtx": "Windows/System32/winevt/Logs/System.evtx",
    "windows_event_export": "EventLogs/System.txt",
    "reg_export": "registry/GuestAgent.reg",
    "serial_console": "serialconsole.log",
    "text_generic": "notes/ticket.txt",
}

SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- structured junk --------------------------------------------------------------------------

TIMESTAMPS = [
    "2024-03-02T10:15:20.100200Z", "2024-05-14T04:06:10.482113+02:00", "2024-05-14 02:05:02,117",
    "2025-03-04 08:15:02.441017", "2019/07/01 08:00:00.123456", "2016/05/03 11:00:01", "May 14 02:05:02",
    "Feb 29 23:59:59", "[03/04/2020 09:15:02.31]", "[5/17/2024 3:02:11 AM]", "[    4.118734]",
    "[Tue May 14 02:05:02 2024]", "Tue Mar  4 08:15:01 UTC 2025-", "Tue Mar 04 08:15:12 AM UTC 2025-",
    "[2025-03-04 08:20:00:123456789]", "2024-10-02T17:41:09.532Z", "2024-10-02T17:45:00.1234567Z",
    "\\/Date(1715652581250)\\/", "/Date(-99999999999999999)/", "/Date(99999999999999999999)/",
    # out of range or odd
    "2024-13-45T25:61:61Z", "0000-00-00 00:00:00", "9999-12-31T23:59:59.9999999+14:00",
    "0001-01-01T00:00:00-23:59", "2024-02-30 24:00:00.000", "[13/45/2020 99:99:99.99]",
    "[0/0/0 0:00:00 PM]", "Foo 99 99:99:99", "[99999999999999999999.0]", "2024/05/15 02:05:02;",
    "expire 3 2024/05/15 02:05:02;", "expire never;", "epoch 99999999999999999;",
]
LEVELS = ["INFO", "ERROR", "WARNING", "WARN", "VERBOSE", "DEBUG", "[INFO]", "[ERROR]", "[WARN]", "[HEART]",
          "Info", "Error", "[Warning]:", "[Error]:", "ERROR:", "Information: 0 :", "Error: 0 :", "util.py[DEBUG]:",
          "kern  :err   :", "<3>", "T:S", "Daemon Daemon", "ExtHandler ExtHandler", "Level: Error"]
WORDS = [
    "[00000006]", "[0000001A]", "[Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]", "starting enable",
    "Enable,error,121,,False", "Guest Agent Version is :WALinuxAgent-2.0.16", "Distro Info:Default",
    "================== Logs during Freeze Start ==============", "============== Binary output traces start",
    "Failed to FIFREEZE: /data", "freeze result", "Azure Linux Agent Version: 2.9.1.1",
    "Goal State Agent version 2.11.1.4", "Event: eJzLSM3JyVcozy/KSQEAGgQEXQ==", "Event: !!!notbase64",
    "Traceback (most recent call last):", '  File "x.py", line 1, in f', "   at Example.Fetch()",
    "OSError: timed out", "vm-web01 systemd[1]:", "python3[912]:", "kernel:", "-- Boot 3f2a --",
    "========= Microsoft Azure VM Health Report - Start 2024-10-02T17:45:00.1234567Z =========",
    "========= Microsoft Azure VM Health Report - End", "Event[0]:", "  Log Name: System",
    "  Source: Service Control Manager", "  Event ID: 7031", "  Date:", "Description:", "Ereignis-ID:",
    "Windows Registry Editor Version 5.00", "REGEDIT4",
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest]",
    '"GuestAgentVersion"="2.7.41491.1102"', '"ProxyServer"=hex(2):41,00,', '@=dword:ffffffff', "\\",
    "lease {", "}", 'interface "eth0";', "fixed-address 10.20.0.5;", "option unknown-245 a8:3f:81:10;",
    "ADDRESS=10.0.0.4", "SERVER_ADDRESS=168.63.129.16", "OPTION_245=a83f8110", "NAME=\"Ubuntu\"", "VERSION_ID=",
    "Extensions.Enabled=y", "HttpProxy.Host=proxy", "HttpProxy.Port=notaport", "OS.EnableFirewall=",
    "Output of command [ls -alF /var/lib/waagent]:", "total 64", "drwx------  7 root root 4096 Jun  3 11:15 ./",
    "Cloud-init v. 23.4.4 running 'init' at Tue, 14 May 2024 02:05:02 +0000. Up 10.52 seconds.",
    "[  OK  ] Started Azure Linux Agent.", "login:", "Enabled", "Failed", "NotReady",
    "sig=AbCdEf%2F123", "https://a.blob.core.windows.net/c/b?sv=2020&sig=Ab%2Fc&se=1", "168.63.129.16",
    "EventID=7031 Provider=Service Control Manager Level=Error Channel=System |", "exit code 1", "0x80042306",
    "WindowsAzureGuestAgent", "RdAgent", "IaaSBcdrExtension.exe", "é", "ő", "\u202e", "\ufffd", "\x7f", "\t", " ",
]
JSON_KEYS = [
    "version", "timestampUTC", "status", "code", "name", "operation", "substatus", "formattedMessage", "message",
    "lang", "aggregateStatus", "guestAgentStatus", "handlerAggregateStatus", "vmArtifactsAggregateStatus",
    "goalStateAggregateStatus", "guestOSInfo", "heartbeat", "handlerEnvironment", "logFolder", "statusFolder",
    "Version", "Timestamp", "TaskName", "EventLevel", "Message", "OperationId", "runtimeSettings",
    "extensions_status", "supports_multi_config", "extension_status", "statusBlobUploadError", "telemetryData",
    "Key", "Value", "seqNo", "inProgress", "networkAdapters", "ipProperties", "isDhcpEnabled", "services",
    "computerName", "osName", "osVersion", "state", "startMode", "reportTime", "id",
]
XML_TAGS = ["GoalState", "Incarnation", "Version", "Machine", "Container", "ContainerId", "RoleInstanceList",
            "RoleInstance", "Configuration", "Extensions", "GuestAgentExtension", "GAFamilies", "GAFamily", "Name",
            "Uris", "Uri", "Location", "Plugins", "Plugin", "PluginSettings", "RuntimeSettings",
            "ExtensionRuntimeSettings", "StatusUploadBlob", "InVMArtifactsProfileBlob", "HostingEnvironmentConfig",
            "Deployment", "Role", "SharedConfig", "Instances", "Instance", "Environment", "wa:ProvisioningSection",
            "LinuxProvisioningConfigurationSet", "HostName", "UserName", "Event", "StopService", "UnhandledError",
            "Message", "Number", "Events", "System", "Provider", "EventID", "Level", "TimeCreated", "Channel",
            "EventData", "Data", "UserData", "RenderingInfo", "InVMGoalStateMetaData"]
XML_ATTRS = [' xmlns="http://schemas.microsoft.com/win/2004/08/events/event"', ' version="1.0.0.0"',
             ' goalStateIncarnation="5"', ' time="2023-02-07T09:14:51.480Z"', ' category="ERROR"',
             ' SystemTime="2024-03-07T10:26:03.541200Z"', ' name="Microsoft.Azure.RecoveryServices.VMSnapshotLinux"',
             ' number="x"', ' state="enabled"', ' Name="param1"', ' a="<&"', " b='"]
XML_BITS = ['<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="utf-16"?>',
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;", "&amp;", "&quot;", "&#0;",
            "&#xFFFF;", '<![CDATA[ {"a": 1} ]]>', "<!-- c -->", "</", "/>", ">", "<"]
PUNCT = ["[", "]", "{", "}", "(", ")", "<", ">", ":", "=", '"', ",", ";", "|", "\\", "\x00", "\r", "\ufeff",
         "\ufffe", "\ud800"]
STRINGS = TIMESTAMPS + LEVELS + WORDS + ["success", "error", "transitioning", "Ready", "121", "-1", "1e999", ""]
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-16", "cp1252"]
PREFIXES = [b"", b"", b"", b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"ElfFile\x00",
            b"PK\x03\x04", b"\x1f\x8b"]
DAMAGE = [b"", b"\x00" * 3, b"\xff", b"\xc3", b"\xed\xa0\x80", b"\r", b"\xff\xfe", b"\xef\xbb\xbf"]


class _Seed:
    """Reads choices out of hypothesis' bytes: one cheap draw builds a whole document, and
    shrinking the bytes (to zeros, or shorter) shrinks the document."""

    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            return 0
        self.at += 1
        return self.data[self.at - 1]

    def upto(self, n: int) -> int:
        return self.byte() % (n + 1)

    def pick(self, items):
        return items[self.byte() % len(items)]

    def text(self) -> str:
        n = self.upto(12)
        raw = bytes(self.byte() for _ in range(n))
        return raw.decode(self.pick(["utf-8", "latin-1", "utf-16-le"]), errors="replace")

    def fragment(self) -> str:
        kind = self.upto(4)
        return [lambda: self.pick(TIMESTAMPS), lambda: self.pick(LEVELS), lambda: self.pick(WORDS),
                lambda: self.pick(PUNCT), self.text][kind]()


def _json_value(seed: _Seed, depth: int = 0):
    kind = seed.upto(7) if depth < 3 else seed.upto(5)
    if kind == 0:
        return seed.pick([None, True, False])
    if kind == 1:
        return seed.pick([0, 1, -1, 121, 2 ** 63, -2 ** 70, 10 ** 30])
    if kind == 2:
        return seed.pick([0.5, 1e308, -0.0, float("nan"), float("inf"), float("-inf")])
    if kind in (3, 4, 5):
        return seed.pick(STRINGS) if kind != 5 else seed.text()
    if kind == 6:
        return [_json_value(seed, depth + 1) for _ in range(seed.upto(3))]
    return {seed.pick(JSON_KEYS): _json_value(seed, depth + 1) for _ in range(seed.upto(5))}


def _json_doc(seed: _Seed) -> str:
    value = _json_value(seed)
    if seed.upto(1):
        value = [value]
    if seed.upto(1):  # a JSON document nested as a string (the VMSnapshot substatus "name")
        inner = json.dumps(_json_value(seed))
        value = [{"status": {"status": "success", "substatus": [{"name": inner, "code": "0"}]}}, value]
    text = json.dumps(value, allow_nan=True)
    return text if seed.upto(3) else text[:seed.byte() * len(text) // 256]  # sometimes truncated


def _xml(seed: _Seed) -> str:
    parts = []
    for _ in range(1 + seed.upto(11)):
        kind, tag = seed.upto(3), seed.pick(XML_TAGS)
        if kind == 0:
            parts.append(f"<{tag}" + "".join(seed.pick(XML_ATTRS) for _ in range(seed.upto(2))) + ">")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(seed.pick(XML_BITS))
        else:
            parts.append(seed.fragment())
    return "".join(parts)


def _line(seed: _Seed) -> str:
    shape = seed.upto(9)
    if shape == 0:
        return _json_doc(seed)
    if shape == 1:
        return _xml(seed)
    if shape <= 5:  # header-like: time, maybe a level, then text
        head = [seed.pick(TIMESTAMPS)] + ([seed.pick(LEVELS)] if seed.upto(1) else [])
        return " ".join(head + [seed.fragment() for _ in range(seed.upto(5))])
    return seed.pick(["", " ", "\t"]).join(seed.fragment() for _ in range(seed.upto(6)))


LABELS = ["Log Name", "Source", "Date", "Event ID", "Task", "Level", "Opcode", "Keyword", "User", "Computer",
          "Description", "Protokollname", "Quelle", "Datum", "Ereignis-ID", "Ebene", "Beschreibung",
          "ID de l'événement", "Eseményazonosító", "TimeCreated ", "ProviderName", "Id          ", "LevelDisplayName",
          "Message     ", "LogName     ", "Event Xml"]
TABLE_HEAD = ["Level,Date and Time,Source,Event ID,Task Category",
              "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord",
              '"TimeCreated","Id","LevelDisplayName","ProviderName","Message"',
              "Ebene;Datum und Uhrzeit;Quelle;Ereignis-ID;Aufgabenkategorie",
              "Level\tDate and Time\tSource\tEvent ID\tTask Category"]


def _xml_tree(seed: _Seed, depth: int = 0) -> str:
    tag = seed.pick(XML_TAGS)
    attrs = "".join(seed.pick(XML_ATTRS[:10]) for _ in range(seed.upto(2)))
    if depth >= 4 or not seed.upto(3):
        body = seed.pick([seed.pick(STRINGS), seed.fragment(), seed.pick(XML_BITS[3:10]), ""])
        body = body.replace("<", "&lt;") if seed.upto(3) else body
    else:
        body = "".join(_xml_tree(seed, depth + 1) for _ in range(seed.upto(4)))
    return f"<{tag}{attrs}>{body}</{tag}>" if body or seed.upto(1) else f"<{tag}{attrs}/>"


def _labelled(seed: _Seed) -> list[str]:
    """Event export shapes: wevtutil text blocks, Format-List, a table."""
    lines = []
    if seed.upto(2) == 0:
        lines.append(seed.pick(TABLE_HEAD))
        for _ in range(seed.upto(6)):
            lines.append(seed.pick([",", ";", "\t"]).join(seed.pick(STRINGS) for _ in range(seed.upto(6))))
        return lines
    for n in range(seed.upto(4)):
        lines.append(seed.pick([f"Event[{n}]:", f"Ereignis[{n}]:", "", "Log Name: System"]))
        for _ in range(seed.upto(10)):
            lines.append(f"  {seed.pick(LABELS)}{seed.pick([': ', ':', ' : '])}"
                         f"{seed.pick([seed.pick(STRINGS), seed.fragment()])}")
        lines.extend(seed.fragment() for _ in range(seed.upto(2)))
    return lines


def _sample(module) -> str | None:
    """The ``Sample input::`` block of a parser's docstring, dedented."""
    doc = module.__doc__ or ""
    at = doc.find("Sample input")
    if at < 0:
        return None
    block = doc[doc.index("::", at) + 2:].split("\n")[1:]
    lines = []
    for line in block:
        if line.strip() and not line.startswith("    "):
            break
        lines.append(line[4:])
    return textwrap.dedent("\n".join(lines)).strip("\n") or None


SAMPLE_OF = {name: _sample(importlib.import_module(f"azlog_vmbackup.parsers.{name}")) for name in PARSERS}
# the docstring abbreviates this one ("..."): a whole VMSnapshot status, its inner status as a JSON string
SAMPLE_OF["extension_status"] = json.dumps([{
    "version": "1.0", "timestampUTC": "2024-05-14T02:09:41Z",
    "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "operation": "Enable",
               "status": "success", "code": "121", "formattedMessage": {"lang": "en-US", "message": "Enable failed"},
               "substatus": [{"code": "0", "status": "success", "formattedMessage": None, "name": json.dumps([{
                   "version": "1.0", "timestampUTC": "\\/Date(1715652581250)\\/",
                   "status": {"status": "error", "code": "121", "operation": "Enable",
                              "formattedMessage": {"message": "freeze failed"},
                              "substatus": [{"name": "VmHealthState", "code": "0", "status": "success"}]}}])}]}}])
SAMPLES = [text for text in SAMPLE_OF.values() if text]


def _mutate_json(seed: _Seed, value):
    """The same document with some leaves replaced and some keys dropped or added."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            choice = seed.upto(11)
            if choice == 1:
                continue
            out[key] = _json_value(seed) if choice == 2 else _mutate_json(seed, item)
        if seed.upto(5) == 5:
            out[seed.pick(JSON_KEYS)] = _json_value(seed)
        return out
    if isinstance(value, list):
        return [_mutate_json(seed, item) for item in value for _ in range(seed.pick([1, 1, 1, 0, 2]))]
    return _json_value(seed) if seed.upto(3) == 3 else value


def _mutated_sample(seed: _Seed, own: str | None) -> str:
    """A real sample (``own``, else any parser's), its JSON leaves or its lines and tokens mangled."""
    text = own if own and seed.upto(3) != 3 else seed.pick(SAMPLES)
    try:
        doc = json.loads(text.replace("\\\\", "\\"))
    except ValueError:
        doc = None
    if doc is not None and seed.upto(3) != 3:
        return json.dumps(_mutate_json(seed, doc), allow_nan=True)
    lines = []
    for line in text.split("\n"):
        choice = seed.upto(63)
        if choice == 1:
            continue  # dropped
        if choice == 2:
            lines.append(line)  # doubled
        if choice == 3:  # a token replaced
            words = line.split(" ")
            words[seed.byte() % len(words)] = seed.pick([seed.fragment(), seed.pick(STRINGS), ""])
            line = " ".join(words)
        if choice == 4:
            line = line[:seed.byte() * len(line) // 256] + seed.fragment()
        lines.append(line)
    return "\n".join(lines)


def _evtx(seed: _Seed) -> bytes:
    """A valid .evtx of a few events, then some of its bytes overwritten or the file cut."""
    from tests.helpers.evtx_writer import Event, write_evtx
    when = datetime(2024, 3, 7, 10, 26, 3, tzinfo=timezone.utc)
    events = [Event(seed.pick([7031, 7034, 0, 65535]), seed.pick(STRINGS) or "Service Control Manager",
                    seed.upto(5), seed.pick(["System", "Application", ""]), when,
                    [(seed.pick(["param1", "param2", None]), seed.pick(STRINGS)) for _ in range(seed.upto(3))])
              for _ in range(1 + seed.upto(3))]
    data = bytearray(write_evtx([events]))
    for _ in range(seed.upto(8)):
        at = (seed.byte() << 8 | seed.byte()) * 7 % len(data)
        data[at] = seed.byte()
    if seed.upto(1):
        data = data[:(seed.byte() << 10 | seed.byte() << 2) % len(data)]
    return bytes(data)


def assemble(data: bytes, own: str | None = None) -> bytes:
    """A junk document in the shape of the real formats, built from the choices in ``data``;
    ``own`` is the sample of the parser under test, mutated more often than the others."""
    seed = _Seed(data)
    newline = seed.pick(["\n", "\r\n", "\r", "\n\n"])
    shape = seed.upto(9)
    if shape == 6:  # a mutated .evtx (binary, no text layer)
        return _evtx(seed)
    if shape in (5, 7, 8, 9):  # a parser's own sample, mangled
        text = newline.join(_mutated_sample(seed, own) for _ in range(1 + (seed.upto(7) == 0)))
    elif shape == 1:  # one JSON document (status files, events, heartbeat)
        text = _json_doc(seed)
    elif shape == 2:  # one XML document (goal state and friends, installer events, XML exports)
        text = seed.pick(["", XML_BITS[0], XML_BITS[1], XML_BITS[2]]) + newline.join(
            _xml_tree(seed) for _ in range(1 + seed.upto(2)))
    elif shape == 3:
        text = newline.join(_labelled(seed))
    else:
        text = newline.join(_line(seed) for _ in range(seed.upto(16)))
    if seed.upto(1):
        text += newline
    out = seed.pick(PREFIXES) + text.encode(seed.pick(ENCODINGS), errors="replace")
    if seed.upto(1):  # damage: splice NULs, a stray byte or a BOM in, or cut the rest off
        at = seed.byte() * len(out) // 256
        out = out[:at] + seed.pick(DAMAGE) + (out[at:] if seed.upto(1) else b"")
    return out[:8192]


# --- the properties ---------------------------------------------------------------------------

def _check(name: str, data: bytes) -> None:
    module = importlib.import_module(f"azlog_vmbackup.parsers.{name}")
    path = PATHS.get(name, "member")
    records, _facts, problems = run_parser(module, data, path=path)  # must not raise
    assert isinstance(records, list)
    for record in records:
        assert isinstance(record, Record), record
        assert record.path == path, record
        assert isinstance(record.message, str), record
        assert isinstance(record.line, int) and record.line >= 1, record
        assert record.time is None or (isinstance(record.time, datetime) and record.time.tzinfo is not None
                                       and record.time.utcoffset() is not None), record
    assert all(isinstance(p, str) for p in problems)


@pytest.mark.parametrize("name", PARSERS)
@SETTINGS
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes(name: str, data: bytes) -> None:
    _check(name, data)


@pytest.mark.parametrize("name", PARSERS)
@SETTINGS
@given(seed=st.binary(max_size=600))
def test_structured_junk(name: str, seed: bytes) -> None:
    data = assemble(seed, SAMPLE_OF[name])
    note(f"input: {data!r}")
    _check(name, data)


def test_every_parser_has_a_path() -> None:
    assert set(PARSERS) <= set(PATHS), set(PARSERS) - set(PATHS)
