"""The path table: which spec (format) a bundle member is, and which parser reads it.

A member path is normalised (lower case, ``/`` separators, no drive letter or
leading ``/``) and matched against ``TABLE`` in order; the first pattern that
matches names the spec. Patterns match a path *suffix* at a ``/`` boundary, so
the same table serves a collector zip (``var/log/waagent.log``), a sosreport
(``sosreport-vm-2024/var/log/waagent.log``) and a bare folder.
A member no pattern names is sniffed by content (``sniff()`` of the parsers
that offer one), then read by the generic text parser if it is text.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

import regex

from azlog_vmbackup.parsers.base import Skim

_VMSNAP_LOG = r"var/log/azure/microsoft\.azure\.recoveryservices\.vmsnapshotlinux/"
_LIB = r"var/lib/waagent/"
_EXT_DIR = _LIB + r"[^/]+-\d+(?:\.\d+)+/"
_ROT = r"(?:\.\d+|-\d[\w.-]*)?"  # rotation suffix: .1 or -20240514 or -2024-05-14-1715652000


@dataclass(frozen=True)
class Spec:
    name: str
    pattern: str
    parser: str | None  # module under parsers/, None = not read
    reason: str | None = None  # why a spec without a parser is skipped
    os: str = "any"  # linux | windows | any: what a parsed member of this spec says about the VM


TABLE: tuple[Spec, ...] = (
    Spec("waagent_log", r"waagent\.log" + _ROT, "waagent_log", os="linux"),
    Spec("waagent_log", r"truncated_+var_log_waagent\.log" + _ROT, "waagent_log", os="linux"),
    Spec("extension_command_log", r"var/log/azure/[^/]+/commandexecution\.log" + _ROT, "waagent_log", os="linux"),
    Spec("vmsnapshot_extension_log", _VMSNAP_LOG + r"extension\.log" + _ROT, "vmsnapshot_log", os="linux"),
    Spec("vmsnapshot_extension_log", r"truncated_+" + _VMSNAP_LOG.replace("/", "_") + r"extension\.log", "vmsnapshot_log", os="linux"),
    Spec("vmsnapshot_extension_log", r"^extension\.log" + _ROT, "vmsnapshot_log", os="linux"),  # sent on its own
    Spec("vmsnapshot_shell_log", _VMSNAP_LOG + r"shell\.log" + _ROT, "vmsnapshot_shell_log", os="linux"),
    Spec("vmsnapshot_events", _VMSNAP_LOG + r"events/[^/]+\.json", "vmsnapshot_events", os="linux"),
    Spec("extension_status", _EXT_DIR + r"status/\d+(?:\.status|_status)", "extension_status"),
    Spec("handler_state", _EXT_DIR + r"config/(?:[^/]+\.)?handlerstate", "handler_state"),
    Spec("handler_status", _EXT_DIR + r"config/handlerstatus", "handler_status"),
    Spec("extension_settings", _EXT_DIR + r"config/[^/]*(?:\.settings|_settings)", None,
         "holds the extension's protected settings; not read"),
    Spec("handler_environment", r"[^/]+-\d+(?:\.\d+)+/handlerenvironment\.json", "handler_environment"),
    Spec("heartbeat", r"[^/]+-\d+(?:\.\d+)+/heartbeat\.log", "heartbeat"),
    Spec("goal_state_xml", r"goalstate(?:\.\d+)?\.xml", "goal_state_xml", os="linux"),
    Spec("extensions_config_xml", r"extensionsconfig(?:\.\d+)?\.xml", "extensions_config_xml", os="linux"),
    Spec("hosting_env_xml", r"hostingenvironmentconfig\.xml", "hosting_env_xml", os="linux"),
    Spec("shared_config_xml", r"sharedconfig\.xml", "shared_config_xml", os="linux"),
    Spec("ovf_env_xml", r"ovf-env\.xml", "ovf_env_xml", os="linux"),
    Spec("waagent_status_json", r"waagent_status(?:\.\d+)?\.json", "waagent_status", os="linux"),
    Spec("waagent_conf", r"etc/waagent\.conf", "waagent_conf", os="linux"),
    Spec("os_release", r"(?:etc|usr/lib)/os-release", "os_release", os="linux"),
    Spec("dhcp_lease", r"(?:var/lib/dhcp|var/lib/dhclient)/[^/]*\.leases?", "dhcp_lease", os="linux"),
    Spec("dhcp_lease", r"run/systemd/netif/leases/\d+", "dhcp_lease", os="linux"),
    Spec("collector_results", r"^results\.txt", "collector_results", os="linux"),
    Spec("syslog", r"var/log/(?:messages|syslog|kern\.log|kern|auth\.log|secure|boot\.log)" + _ROT, "syslog", os="linux"),
    Spec("syslog", r"truncated_+var_log_(?:messages|syslog|kern\.log)" + _ROT, "syslog", os="linux"),
    Spec("dmesg", r"var/log/dmesg" + _ROT, "dmesg", os="linux"),
    Spec("dmesg", r"sos_commands/kernel/dmesg[^/]*", "dmesg", os="linux"),
    Spec("cloud_init_log", r"var/log/cloud-init(?:-output)?\.log" + _ROT, "cloud_init_log", os="linux"),
    # Windows: C:\WindowsAzure, C:\Packages, C:\Windows wherever they sit (CollectGuestLogs, Disk Inspect, az vm repair)
    Spec("waappagent_log", r"waappagent[^/]*\.log", "waappagent_log", os="windows"),
    Spec("transparent_installer_log", r"transparentinstaller[^/]*\.log", "waappagent_log", os="windows"),
    Spec("appagent_runtime_log", r"appagentruntime[^/]*\.log", "waappagent_log", os="windows"),
    Spec("windows_telemetry_log", r"windowsazure/logs/telemetry[^/]*\.log", "waappagent_log", os="windows"),
    Spec("vmagent_installer_xml", r"vmagentinstaller\.xml", "vmagent_installer_xml", os="windows"),
    Spec("windows_plugin_log", r"windowsazure/logs/plugins/[^/]+/[^/]+/[^/]+\.log", "windows_plugin_log", os="windows"),
    Spec("extension_status", r"packages/plugins/[^/]+/[^/]+/status/\d+\.status", "extension_status"),
    Spec("heartbeat", r"packages/plugins/[^/]+/[^/]+/status/heartbeat\.json", "heartbeat"),
    Spec("extension_settings", r"packages/plugins/[^/]+/[^/]+/runtimesettings/[^/]*\.settings", None,
         "holds the extension's protected settings; not read"),
    Spec("handler_environment", r"packages/plugins/[^/]+/[^/]+/handlerenvironment\.json", "handler_environment"),
    Spec("aggregate_status", r"aggregatestatus[^/]*\.json", "waagent_status", os="windows"),
    Spec("windows_event_log", r"[^/]+\.evtx", "windows_evtx", os="windows"),
    Spec("windows_event_export", r"(?:eventlogs?|winevt)/[^/]+\.(?:txt|csv|xml)", "windows_event_export", os="windows"),
    Spec("registry_export", r"[^/]+\.reg", "reg_export", os="windows"),
    Spec("serial_console", r"[^/]*serial[^/]*console[^/]*|[^/]*serialconsole[^/]*|[^/]*bootdiagnostics[^/]*\.(?:log|txt)", "serial_console"),
)

TEXT = Spec("text", "", "text_generic")

# Parsers asked, in this order, whether an unnamed text member is theirs.
SNIFFERS: tuple[str, ...] = ("windows_event_export", "waappagent_log", "vmsnapshot_log", "serial_console",
                             "waagent_log", "vmsnapshot_shell_log", "syslog", "cloud_init_log")

_COMPILED = [(regex.compile(r"(?:^|/)(?:" + s.pattern + r")$"), s) for s in TABLE]
_SPEC_OF_PARSER = {s.parser: s for s in reversed(TABLE) if s.parser}
_OS_OF_SPEC = {s.name: s.os for s in TABLE if s.os != "any"}


def normalise(path: str) -> str:
    r"""Lower-case, forward slashes, no drive letter, no leading slash, no ``.gz``.

    >>> normalise('C:\\WindowsAzure\\Logs\\WaAppAgent.log')
    'windowsazure/logs/waappagent.log'
    >>> normalise('/var/log/waagent.log')
    'var/log/waagent.log'
    """
    p = path.replace("\\", "/")
    if p[-3:].lower() == ".gz":
        p = p[:-3]
    if len(p) > 1 and p[1] == ":" and p[0].isalpha():
        p = p[2:]
    return p.lstrip("/").lower()


def classify(path: str) -> Spec | None:
    """The spec whose pattern matches ``path``, or None.

    >>> classify('var/log/waagent.log-2024-05-14-1715652000.gz'[:-3]).name
    'waagent_log'
    >>> classify('sosreport-vm1/var/log/waagent.log.1').name
    'waagent_log'
    >>> classify('var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/status/3.status').name
    'extension_status'
    >>> classify('notes/readme.md') is None
    True
    """
    norm = normalise(path)
    for rx, spec in _COMPILED:
        if rx.search(norm):
            return spec
    return None


def spec_os(name: str | None) -> str:
    """What a parsed member of spec ``name`` says about the VM's OS: linux, windows or any."""
    return _OS_OF_SPEC.get(name, "any")


def parser_module(spec: Spec) -> ModuleType:
    return importlib.import_module(f"azlog_vmbackup.parsers.{spec.parser}")


SKIMMED = ("waagent_log", "syslog")  # parsers offering a ``SKIM`` (analyzer.skim): large logs read by scanning


def skim_of(spec: Spec) -> Skim | None:
    """How a member of ``spec`` may be skimmed; None when its parser reads every line."""
    return parser_module(spec).SKIM if spec.parser in SKIMMED else None


def sniff(head: str) -> Spec:
    """The spec of an unnamed text member, judged by its first lines."""
    for name in SNIFFERS:
        module = importlib.import_module(f"azlog_vmbackup.parsers.{name}")
        if module.sniff(head):
            return _SPEC_OF_PARSER[name]
    return TEXT
