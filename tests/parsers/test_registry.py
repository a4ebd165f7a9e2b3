"""The path table: Linux and Windows layouts, consistency of spec names, and what each parser declares."""
from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys
from dataclasses import replace

import pytest

import azlog_vmbackup.parsers
from azlog_vmbackup.parsers import registry
from azlog_vmbackup.parsers.base import Skim
from tests.helpers import ROOT


def test_a_spec_name_says_one_thing_about_the_os():
    for spec in registry.TABLE:
        assert registry.spec_os(spec.name) == spec.os, spec.name


@pytest.mark.parametrize("path, name", [
    ("var/log/waagent.log", "waagent_log"),
    ("waagent.log.1", "waagent_log"),
    ("extension.log", "vmsnapshot_extension_log"),
    ("WindowsAzure/Logs/WaAppAgent.log", "waappagent_log"),
    (r"C:\WindowsAzure\Logs\TransparentInstaller.log", "transparent_installer_log"),
    ("device_0/WindowsAzure/Logs/WaAppAgent.log", "waappagent_log"),
    ("2026-11-20_10.12.33_UTC/F/WindowsAzure/Logs/AggregateStatus/aggregatestatus.json", "aggregate_status"),
    ("WindowsAzure/Logs/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/IaaSBcdrExtension0.log",
     "windows_plugin_log"),
    ("Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/Status/12.status", "extension_status"),
    ("Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/Status/HeartBeat.Json", "heartbeat"),
    ("Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/RuntimeSettings/12.settings",
     "extension_settings"),
    ("Windows/System32/winevt/Logs/System.evtx", "windows_event_log"),
    ("EventLogs/Application.csv", "windows_event_export"),
    ("Windows/Panther/VmAgentInstaller.xml", "vmagent_installer_xml"),
    ("guest.reg", "registry_export"),
])
def test_classify(path, name):
    assert registry.classify(path).name == name


VS = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
VSW = "Microsoft.Azure.RecoveryServices.VMSnapshot"
EXT = f"var/lib/waagent/{VS}-1.0.9225.0"
VLOG = f"var/log/azure/{VS}"
PLUG = rf"C:\Packages\Plugins\{VSW}\1.0.92.0"

# What the path table said for each of these paths when the table was written out by hand in
# registry.py; the table built from the parser modules' SPECS must say the same (None: no spec).
CLASSIFIED = [
    # collector zip (waagent -collect-logs), rotated .1 / -20240514 / .gz
    ("var/log/waagent.log", "waagent_log"),
    ("var/log/waagent.log.1", "waagent_log"),
    ("var/log/waagent.log.2.gz", "waagent_log"),
    ("var/log/waagent.log-20240514", "waagent_log"),
    ("var/log/waagent.log-2024-05-14-1715652000.gz", "waagent_log"),
    ("waagent.log", "waagent_log"),
    (f"{VLOG}/extension.log", "vmsnapshot_extension_log"),
    (f"{VLOG}/extension.log.1", "vmsnapshot_extension_log"),
    (f"{VLOG}/extension.log-20240514.gz", "vmsnapshot_extension_log"),
    (f"{VLOG}/shell.log", "vmsnapshot_shell_log"),
    (f"{VLOG}/shell.log.2", "vmsnapshot_shell_log"),
    (f"{VLOG}/events/1715652581.json", "vmsnapshot_events"),
    (f"{VLOG}/events/1715652581123.tld.json", "vmsnapshot_events"),
    ("var/log/azure/Microsoft.Azure.Extensions.CustomScript/CommandExecution.log", "extension_command_log"),
    ("var/log/azure/Microsoft.Azure.Extensions.CustomScript/CommandExecution.log.1", "extension_command_log"),
    ("var/log/azure/custom-script/handler.log", None),
    (f"{VLOG}/operation.log", None),
    (f"{EXT}/status/3.status", "extension_status"),
    (f"{EXT}/status/3_status", "extension_status"),
    (f"{EXT}/status/HeartBeat.Json", None),
    (f"{EXT}/config/HandlerState", "handler_state"),
    (f"{EXT}/config/{VS}.HandlerState", "handler_state"),
    (f"{EXT}/config/HandlerStatus", "handler_status"),
    (f"{EXT}/config/3.settings", "extension_settings"),
    (f"{EXT}/config/3_settings", "extension_settings"),
    (f"{EXT}/HandlerEnvironment.json", "handler_environment"),
    (f"{EXT}/heartbeat.log", "heartbeat"),
    (f"{EXT}/HandlerManifest.json", None),
    (f"{EXT}/main/handle.sh", None),
    ("var/lib/waagent/Microsoft.OSTCExtensions.VMAccessForLinux-1.5.19/config/0.settings", "extension_settings"),
    ("var/lib/waagent/WALinuxAgent-2.11.1.4/HandlerManifest.json", None),
    ("var/lib/waagent/GoalState.7.xml", "goal_state_xml"),
    ("var/lib/waagent/GoalState.1.xml", "goal_state_xml"),
    ("var/lib/waagent/history/2024-05-14T02-05-02__7/GoalState.xml", "goal_state_xml"),
    ("var/lib/waagent/ExtensionsConfig.7.xml", "extensions_config_xml"),
    ("var/lib/waagent/history/2024-05-14T02-05-02__7/ExtensionsConfig.xml", "extensions_config_xml"),
    ("var/lib/waagent/HostingEnvironmentConfig.xml", "hosting_env_xml"),
    ("var/lib/waagent/SharedConfig.xml", "shared_config_xml"),
    ("var/lib/waagent/ovf-env.xml", "ovf_env_xml"),
    ("var/lib/waagent/waagent_status.json", "waagent_status_json"),
    ("var/lib/waagent/waagent_status.7.json", "waagent_status_json"),
    ("var/lib/waagent/history/2024-05-14T02-05-02__7/waagent_status.json", "waagent_status_json"),
    ("var/lib/waagent/Incarnation", None),
    ("var/lib/waagent/Certificates.pem", None),
    ("var/lib/waagent/provisioned", None),
    ("etc/waagent.conf", "waagent_conf"),
    ("waagent.conf", None),
    ("etc/os-release", "os_release"),
    ("usr/lib/os-release", "os_release"),
    ("os-release", None),
    ("var/lib/dhcp/dhclient.eth0.leases", "dhcp_lease"),
    ("var/lib/dhclient/dhclient--eth0.lease", "dhcp_lease"),
    ("var/lib/dhclient/dhclient6.leases", "dhcp_lease"),
    ("run/systemd/netif/leases/2", "dhcp_lease"),
    ("run/systemd/netif/leases/x", None),
    ("results.txt", "collector_results"),
    ("logs/results.txt", None),
    ("var/log/messages", "syslog"),
    ("var/log/messages-20240514", "syslog"),
    ("var/log/messages.1.gz", "syslog"),
    ("var/log/syslog", "syslog"),
    ("var/log/syslog.1", "syslog"),
    ("var/log/syslog.2.gz", "syslog"),
    ("var/log/kern.log", "syslog"),
    ("var/log/kern", "syslog"),
    ("var/log/auth.log", "syslog"),
    ("var/log/secure", "syslog"),
    ("var/log/secure-20240514", "syslog"),
    ("var/log/boot.log", "syslog"),
    ("var/log/boot.log-20240514", "syslog"),
    ("var/log/dmesg", "dmesg"),
    ("var/log/dmesg.0", "dmesg"),
    ("var/log/dmesg.1.gz", "dmesg"),
    ("var/log/cloud-init.log", "cloud_init_log"),
    ("var/log/cloud-init-output.log", "cloud_init_log"),
    ("var/log/cloud-init.log.1", "cloud_init_log"),
    ("var/log/unknown.log", None),
    ("var/log/audit/audit.log", None),
    # sosreport prefix
    ("sosreport-vm1-2024-05-14-abcdef/var/log/waagent.log", "waagent_log"),
    ("sosreport-vm1/var/log/waagent.log.1", "waagent_log"),
    ("sosreport-vm1/var/log/messages", "syslog"),
    ("sosreport-vm1/sos_commands/kernel/dmesg", "dmesg"),
    ("sosreport-vm1/sos_commands/kernel/dmesg_-T", "dmesg"),
    ("sosreport-vm1/sos_commands/kernel/uname_-a", None),
    ("sosreport-vm1/etc/os-release", "os_release"),
    ("sosreport-vm1/etc/waagent.conf", "waagent_conf"),
    (f"sosreport-vm1/{EXT}/status/0.status", "extension_status"),
    (f"sosreport-vm1/{VLOG}/extension.log", "vmsnapshot_extension_log"),
    # truncated__ copies the collector makes of large files
    ("truncated__var_log_waagent.log", "waagent_log"),
    ("truncated___var_log_waagent.log.1", "waagent_log"),
    ("truncated__var_log_messages", "syslog"),
    ("truncated__var_log_syslog.1", "syslog"),
    ("truncated__var_log_kern.log", "syslog"),
    ("truncated__var_log_secure", None),
    (f"truncated__var_log_azure_{VS}_extension.log", "vmsnapshot_extension_log"),
    (f"truncated__var_log_azure_{VS}_shell.log", None),
    # a file sent on its own
    ("extension.log", "vmsnapshot_extension_log"),
    ("extension.log.1", "vmsnapshot_extension_log"),
    ("extension.log-20240514", "vmsnapshot_extension_log"),
    ("logs/extension.log", None),
    ("shell.log", None),
    # Windows: backslashes, drive letters, CollectGuestLogs, Disk Inspect device_N, az vm repair
    (r"C:\WindowsAzure\Logs\WaAppAgent.log", "waappagent_log"),
    (r"c:\windowsazure\logs\WaAppAgent.000.log", "waappagent_log"),
    ("C:/WindowsAzure/Logs/WaAppAgent.log", "waappagent_log"),
    (r"D:\collect\WindowsAzure\Logs\TransparentInstaller.log", "transparent_installer_log"),
    (r"C:\WindowsAzure\Logs\AppAgentRuntime.log", "appagent_runtime_log"),
    (r"C:\WindowsAzure\Logs\Telemetry.log", "windows_telemetry_log"),
    (r"C:\WindowsAzure\Logs\TelemetryEvents.log", "windows_telemetry_log"),
    (r"C:\WindowsAzure\Logs\WaAppAgent.log.old", None),
    (r"C:\WindowsAzure\Logs\AggregateStatus\aggregatestatus.json", "aggregate_status"),
    (r"C:\WindowsAzure\Logs\AggregateStatus\aggregatestatus_20240514.json", "aggregate_status"),
    (rf"C:\WindowsAzure\Logs\Plugins\{VSW}\1.0.92.0\IaaSBcdrExtension0.log", "windows_plugin_log"),
    (rf"C:\WindowsAzure\Logs\Plugins\{VSW}\1.0.92.0\CommandExecution.log", "windows_plugin_log"),
    (rf"C:\WindowsAzure\Logs\Plugins\{VSW}\1.0.92.0\Heartbeat.log", "windows_plugin_log"),
    (rf"C:\WindowsAzure\Logs\Plugins\{VSW}\1.0.92.0\sub\deep.log", None),
    (rf"{PLUG}\Status\12.status", "extension_status"),
    (rf"{PLUG}\Status\HeartBeat.Json", "heartbeat"),
    (rf"{PLUG}\RuntimeSettings\12.settings", "extension_settings"),
    (rf"{PLUG}\HandlerEnvironment.json", "handler_environment"),
    (rf"{PLUG}\HandlerManifest.json", None),
    (rf"{PLUG}\Status\12.status.bak", None),
    (r"C:\WindowsAzure\config\VmAgentInstaller.xml", "vmagent_installer_xml"),
    (r"C:\Windows\Panther\VmAgentInstaller.xml", "vmagent_installer_xml"),
    (r"C:\WindowsAzure\GuestAgent_2.7.41491.1102\WaAppAgent.log", "waappagent_log"),
    (r"C:\Windows\System32\winevt\Logs\System.evtx", "windows_event_log"),
    (r"C:\Windows\System32\winevt\Logs\Application.evtx", "windows_event_log"),
    (r"C:\Windows\System32\winevt\Logs\Microsoft-WindowsAzure-Diagnostics%4GuestAgent.evtx", "windows_event_log"),
    ("System.evtx", "windows_event_log"),
    ("EventLogs/Application.csv", "windows_event_export"),
    ("EventLogs/System.txt", "windows_event_export"),
    ("eventlog/System.xml", "windows_event_export"),
    ("winevt/Application.txt", "windows_event_export"),
    ("EventLogs/System.evtx", "windows_event_log"),
    ("EventLogs/readme.md", None),
    ("Logs/System.txt", None),
    ("registry/GuestAgent.reg", "registry_export"),
    ("guest.reg", "registry_export"),
    (r"D:\collect\Registry\proxy.reg", "registry_export"),
    ("registry/GuestAgent.txt", None),
    ("device_0/WindowsAzure/Logs/WaAppAgent.log", "waappagent_log"),
    ("device_0/var/log/waagent.log", "waagent_log"),
    ("device_0/Windows/System32/winevt/Logs/Application.evtx", "windows_event_log"),
    (f"device_0/Packages/Plugins/{VSW}/1.0.92.0/Status/0.status", "extension_status"),
    (f"device_1/{EXT}/config/0.settings", "extension_settings"),
    ("device_0/etc/os-release", "os_release"),
    ("2026-11-20_10.12.33_UTC/F/WindowsAzure/Logs/AggregateStatus/aggregatestatus.json", "aggregate_status"),
    ("2026-11-20_10.12.33_UTC/F/WindowsAzure/Logs/WaAppAgent.log", "waappagent_log"),
    # serial console, boot diagnostics
    ("serialconsole.log", "serial_console"),
    ("serial_console.txt", "serial_console"),
    ("SerialConsole-vm1.log", "serial_console"),
    ("vm1-serial-console-output.txt", "serial_console"),
    ("bootdiagnostics-vm1-abc.serialconsole.log", "serial_console"),
    ("BootDiagnostics_vm1.txt", "serial_console"),
    ("bootdiagnostics.log", "serial_console"),
    ("bootdiagnostics-vm1.screenshot.bmp", None),
    ("logs/serial console.txt", "serial_console"),
    # no spec: sniffed by content, then generic text
    ("notes/readme.md", None),
    ("random.txt", None),
    ("ticket.txt", None),
    ("var/log/azure/foo/extension.log", None),
    ("", None),
    ("/", None),
    ("a/", None),
    # where two patterns meet, the one that wins today
    (f"{EXT}/config/waagent.log-1.settings", "waagent_log"),
    (rf"{PLUG}\RuntimeSettings\waagent.log-1.settings", "waagent_log"),
    (f"{EXT}/config/waagent.log-1.handlerstate", "waagent_log"),
    ("windowsazure/logs/plugins/var/log/kern.log", "syslog"),
    ("windowsazure/logs/plugins/var/log/cloud-init.log", "cloud_init_log"),
    ("windowsazure/logs/plugins/sos_commands/kernel/dmesg.log", "dmesg"),
    ("windowsazure/logs/plugins/a/b/waagent.log", "waagent_log"),
    ("windowsazure/logs/plugins/a/b/waappagent.log", "waappagent_log"),
    ("windowsazure/logs/plugins/a/b-1.0/heartbeat.log", "heartbeat"),
    ("windowsazure/logs/plugins/a/b/serialconsole.log", "windows_plugin_log"),
    ("eventlogs/goalstate.xml", "goal_state_xml"),
    ("eventlogs/vmagentinstaller.xml", "vmagent_installer_xml"),
    ("eventlogs/sharedconfig.xml", "shared_config_xml"),
    ("eventlogs/waagent.log-1.txt", "waagent_log"),
    ("var/log/azure/eventlogs/commandexecution.log-1.xml", "extension_command_log"),
    ("eventlogs/serialconsole.txt", "windows_event_export"),
    ("eventlogs/bootdiagnostics.txt", "windows_event_export"),
    (f"{VLOG}/events/waagent_status.json", "vmsnapshot_events"),
    (f"{VLOG}/events/aggregatestatus.json", "vmsnapshot_events"),
    (f"{VLOG}/events/waagent.log-1.json", "waagent_log"),
    (f"{VLOG}/events/serialconsole.json", "vmsnapshot_events"),
    ("var/lib/dhcp/waagent.log-1.leases", "waagent_log"),
    ("serialconsole.evtx", "windows_event_log"),
    ("serialconsole.reg", "registry_export"),
    ("var/log/messages-1.evtx", "syslog"),
    ("extension.log-1.reg", "vmsnapshot_extension_log"),
    ("sos_commands/kernel/dmesg.evtx", "dmesg"),
    (f"{EXT}/config/serialconsole.settings", "extension_settings"),
    (f"{EXT}/config/truncated__var_log_messages-1.settings", "extension_settings"),
    (rf"{PLUG}\RuntimeSettings\truncated__var_log_messages-1.settings", "syslog"),
    (f"windowsazure/logs/plugins/a/b-1.0/truncated__var_log_azure_{VS}_extension.log", "vmsnapshot_extension_log"),
    (f"{VLOG}/shell.log-1.evtx", "vmsnapshot_shell_log"),
    ("eventlog/extensionsconfig.xml", "extensions_config_xml"),
    ("eventlog/hostingenvironmentconfig.xml", "hosting_env_xml"),
    ("eventlog/ovf-env.xml", "ovf_env_xml"),
    (rf"{PLUG}\RuntimeSettings\serialconsole.settings", "extension_settings"),
    ("waagent.log-1serialconsole", "waagent_log"),
]


@pytest.mark.parametrize("path, name", CLASSIFIED)
def test_classification_is_unchanged(path, name):
    spec = registry.classify(path)
    assert (spec.name if spec else None) == name


def _first(table, path):
    norm = registry.normalise(path)
    return next((spec for rx, spec in table if rx.search(norm)), None)


def _re_table():
    """Every row compiled by the re module, none passed over."""
    return [(re.compile(r"(?:^|/)(?:" + s.pattern + r")$"), s) for s in registry.TABLE]


def _member_paths() -> list[str]:
    from azlog_vmbackup.core.bundle import Limits, open_bundle

    bundles = [p for p in sorted((ROOT / "samples" / "bundles").iterdir()) if p.suffix in (".zip", ".gz", ".log")]
    return [entry.path for bundle in bundles for entry in open_bundle(bundle, Limits())]


def test_the_ascii_table_reads_ascii_paths_as_the_regex_table_does():
    """ASCII paths are classified with the re module, which compiles the table faster, trying only the rows whose
    literals the path holds; it must read every pattern as the regex module does."""
    paths = [path for path, _ in CLASSIFIED] + _member_paths()
    variants = [f"{prefix}{path}{suffix}" for path in paths for prefix in ("", "sosreport-vm1/", "X/")
                for suffix in ("", ".1", "-20240514", "-2024-05-14-1715652000", ".gz", "_1", "/", "x", ".txt")]
    assert len(variants) > 3000 and all(v.isascii() for v in variants)
    for path in variants:
        assert registry.classify(path) == _first(registry._table(), path) == _first(_re_table(), path), path


def test_a_path_that_is_not_ascii_is_read_by_the_regex_table():
    path = "var/log/waagent.log-1e\u0301"  # regex's \w takes the combining accent, re's does not
    assert _first(_re_table(), path) is None
    assert registry.classify(path).name == "waagent_log"


# (spec name, parser module) of every row of the path table, and the sniffers in the order they are asked
PAIRS = {
    ("waagent_log", "waagent_log"), ("extension_command_log", "waagent_log"),
    ("vmsnapshot_extension_log", "vmsnapshot_log"), ("vmsnapshot_shell_log", "vmsnapshot_shell_log"),
    ("vmsnapshot_events", "vmsnapshot_events"), ("extension_status", "extension_status"),
    ("handler_state", "handler_state"), ("handler_status", "handler_status"), ("extension_settings", None),
    ("handler_environment", "handler_environment"), ("heartbeat", "heartbeat"),
    ("goal_state_xml", "goal_state_xml"), ("extensions_config_xml", "extensions_config_xml"),
    ("hosting_env_xml", "hosting_env_xml"), ("shared_config_xml", "shared_config_xml"),
    ("ovf_env_xml", "ovf_env_xml"), ("waagent_status_json", "waagent_status"), ("waagent_conf", "waagent_conf"),
    ("os_release", "os_release"), ("dhcp_lease", "dhcp_lease"), ("collector_results", "collector_results"),
    ("syslog", "syslog"), ("journal", "journal"), ("systemctl_status", "systemctl_status"), ("dmesg", "dmesg"),
    ("cloud_init_log", "cloud_init_log"), ("firewall_rules", "iptables"), ("ip_route", "ip_route"),
    ("waappagent_log", "waappagent_log"), ("transparent_installer_log", "waappagent_log"),
    ("appagent_runtime_log", "waappagent_log"), ("windows_telemetry_log", "waappagent_log"),
    ("vmagent_installer_xml", "vmagent_installer_xml"), ("windows_plugin_log", "windows_plugin_log"),
    ("aggregate_status", "waagent_status"), ("windows_event_log", "windows_evtx"),
    ("windows_event_export", "windows_event_export"), ("registry_export", "reg_export"),
    ("serial_console", "serial_console"),
}
SNIFFERS = ("windows_event_export", "waappagent_log", "vmsnapshot_log", "iptables", "ip_route", "serial_console",
            "waagent_log", "vmsnapshot_shell_log", "systemctl_status", "journal", "syslog", "cloud_init_log")


def test_the_table_names_the_same_specs_and_parsers():
    assert {(s.name, s.parser) for s in registry.TABLE} == PAIRS
    assert len(registry.TABLE) == 52
    assert (registry.TEXT.name, registry.TEXT.parser) == ("text", "text_generic")


def test_the_sniffers_are_asked_in_the_same_order():
    assert tuple(registry.SNIFFERS) == SNIFFERS


@pytest.mark.parametrize("head, name", [
    ("Event[0]:\n  Log Name: System\n  Source: Service Control Manager\n", "windows_event_export"),
    ("[00000008] [05/14/2024 02:05:02.17] [INFO]  WindowsAzureGuestAgent starting.\n", "waappagent_log"),
    ("2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler Agent started\n", "waagent_log"),
    ("May 14 02:05:02 vm1 systemd[1]: Started Session 1 of user root.\n", "syslog"),
    ("2024-05-14 02:05:02,117 - util.py[DEBUG]: Cloud-init v. 23.4 running 'init'\n", "cloud_init_log"),
    ("2025-03-04 08:15:02.441017 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting\n",
     "vmsnapshot_extension_log"),
    ("2024/05/14 02:35:40.118207  Info  starting enable \n", "serial_console"),
    ("[    0.000000] Linux version 5.15.0-1064-azure (buildd@x)\n", "serial_console"),
    ("Tue Mar  4 08:15:01 UTC 2025- python3 path exists\n", "vmsnapshot_shell_log"),
    ("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\n", "text"),  # reg_export is not asked
    ("just some words\n", "text"),
])
def test_sniff(head, name):
    assert registry.sniff(head).name == name


# What each parser module declares (SPECS, SNIFF_ORDER with sniff, SKIM), and that the registry takes it from there.

MODULES = sorted(m.name for m in pkgutil.iter_modules(azlog_vmbackup.parsers.__path__))
HELPERS = {"base", "registry", "ext_json", "xml_safe"}  # the contract, the path table, helpers of the parsers


def _module(name):
    return importlib.import_module(f"azlog_vmbackup.parsers.{name}")


def test_every_parser_module_is_in_the_registry_list():
    readers = [m for m in MODULES if callable(getattr(_module(m), "parse", None))]
    assert sorted(set(MODULES) - set(readers)) == sorted(HELPERS)  # a new helper: add it to HELPERS
    assert sorted(registry.PARSERS) == readers  # a new parser: add it to registry.ORDER
    assert len(set(registry.PARSERS)) == len(registry.PARSERS)


@pytest.mark.parametrize("name", registry.PARSERS)
def test_the_declaration_read_from_source_is_the_module_s(name):
    """The registry reads SPECS, SNIFF_ORDER and SNIFF_HINT without importing the parser: what it reads is what the
    module holds."""
    module = _module(name)
    declared = registry._source_declaration(name)  # raises where it would fall back on importing
    assert declared.get("SPECS", ()) == getattr(module, "SPECS", ())
    assert declared.get("SNIFF_ORDER") == getattr(module, "SNIFF_ORDER", None)
    assert declared.get("SNIFF_HINT") == getattr(module, "SNIFF_HINT", None)
    assert all(spec.parser is None for spec in getattr(module, "SPECS", ()))  # the module implies it
    rows = [replace(spec, parser=name) for spec in getattr(module, "SPECS", ())]
    assert [s for s in registry.TABLE if s.parser == name] == rows


@pytest.mark.parametrize("name", registry.PARSERS)
def test_what_a_parser_declares_it_has(name):
    module = _module(name)
    if hasattr(module, "SNIFF_ORDER"):
        assert callable(module.sniff) and name in registry.SNIFFERS
    else:
        assert name not in registry.SNIFFERS
    if hasattr(module, "SKIM"):
        assert isinstance(module.SKIM, Skim)
    for spec in (s for s in registry.TABLE if s.parser == name):
        assert registry.skim_of(spec) is getattr(module, "SKIM", None)
    assert name == registry.TEXT.parser or getattr(module, "SPECS", ())


def test_sniff_orders_are_distinct_and_skimmed_parsers_unchanged():
    orders = [_module(n).SNIFF_ORDER for n in registry.SNIFFERS]
    assert orders == sorted(set(orders))
    skimmed = {s.parser for s in registry.TABLE if s.parser and registry.skim_of(s)}
    assert skimmed == {"waagent_log", "syslog", "journal", "waappagent_log", "windows_plugin_log", "vmsnapshot_log",
                       "vmsnapshot_shell_log"}
    assert registry.skim_of(registry.TEXT) is None


def test_importing_the_registry_imports_no_parser():
    code = ("import sys, azlog_vmbackup.parsers.registry as r; r.classify('var/log/waagent.log'); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('azlog_vmbackup.parsers.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["azlog_vmbackup.parsers.base", "azlog_vmbackup.parsers.registry"]


def test_the_written_table_is_current_and_read():
    """``paths.json`` holds what the sources declare and each row's literals (``literals.derive``); the registry
    reads its rows from it, and, from sources that changed since it was written, the same rows from the sources."""
    from azlog_vmbackup.analyzer.knowledge import mirror

    shipped = json.loads((ROOT / "parsers" / registry.WRITTEN).read_text(encoding="utf-8"))
    assert shipped == mirror.paths_table(), "a parser's declaration changed: run python -m " \
                                            "azlog_vmbackup.analyzer.knowledge.mirror"
    assert registry._WRITTEN == shipped
    assert all(need is not None for need in registry._NEEDS[:10])
    code = ("import json, pathlib, azlog_vmbackup.parsers.registry as r, azlog_vmbackup.core.digest as d; "
            "d.digest = lambda *parts: 'changed'; "
            "import importlib; fresh = importlib.reload(r); "
            "print(json.dumps([fresh._WRITTEN == {}, [vars(s) | {'os': s.os.value} for s in fresh.TABLE], "
            "fresh.SNIFFERS, fresh._NEEDS.count(None) == len(fresh.TABLE)]))")
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert out == [True, [vars(s) | {"os": s.os.value} for s in registry.TABLE], list(registry.SNIFFERS), True]
