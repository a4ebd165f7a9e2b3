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


TABLE: tuple[Spec, ...] = (
    Spec("waagent_log", r"waagent\.log" + _ROT, "waagent_log"),
    Spec("waagent_log", r"truncated_+var_log_waagent\.log" + _ROT, "waagent_log"),
    Spec("extension_command_log", r"var/log/azure/[^/]+/commandexecution\.log" + _ROT, "waagent_log"),
    Spec("vmsnapshot_extension_log", _VMSNAP_LOG + r"extension\.log" + _ROT, "vmsnapshot_log"),
    Spec("vmsnapshot_extension_log", r"truncated_+" + _VMSNAP_LOG.replace("/", "_") + r"extension\.log", "vmsnapshot_log"),
    Spec("vmsnapshot_extension_log", r"^extension\.log" + _ROT, "vmsnapshot_log"),  # sent on its own
    Spec("vmsnapshot_shell_log", _VMSNAP_LOG + r"shell\.log" + _ROT, "vmsnapshot_shell_log"),
    Spec("vmsnapshot_events", _VMSNAP_LOG + r"events/[^/]+\.json", "vmsnapshot_events"),
    Spec("extension_status", _EXT_DIR + r"status/\d+(?:\.status|_status)", "extension_status"),
    Spec("handler_state", _EXT_DIR + r"config/(?:[^/]+\.)?handlerstate", "handler_state"),
    Spec("handler_status", _EXT_DIR + r"config/handlerstatus", "handler_status"),
    Spec("extension_settings", _EXT_DIR + r"config/[^/]*(?:\.settings|_settings)", None,
         "holds the extension's protected settings; not read"),
    Spec("handler_environment", r"[^/]+-\d+(?:\.\d+)+/handlerenvironment\.json", "handler_environment"),
    Spec("heartbeat", r"[^/]+-\d+(?:\.\d+)+/heartbeat\.log", "heartbeat"),
    Spec("goal_state_xml", r"goalstate(?:\.\d+)?\.xml", "goal_state_xml"),
    Spec("extensions_config_xml", r"extensionsconfig(?:\.\d+)?\.xml", "extensions_config_xml"),
    Spec("hosting_env_xml", r"hostingenvironmentconfig\.xml", "hosting_env_xml"),
    Spec("shared_config_xml", r"sharedconfig\.xml", "shared_config_xml"),
    Spec("ovf_env_xml", r"ovf-env\.xml", "ovf_env_xml"),
    Spec("waagent_status_json", r"waagent_status(?:\.\d+)?\.json", "waagent_status"),
    Spec("waagent_conf", r"etc/waagent\.conf", "waagent_conf"),
    Spec("os_release", r"(?:etc|usr/lib)/os-release", "os_release"),
    Spec("dhcp_lease", r"(?:var/lib/dhcp|var/lib/dhclient)/[^/]*\.leases?", "dhcp_lease"),
    Spec("dhcp_lease", r"run/systemd/netif/leases/\d+", "dhcp_lease"),
    Spec("collector_results", r"^results\.txt", "collector_results"),
    Spec("syslog", r"var/log/(?:messages|syslog|kern\.log|kern|auth\.log|secure|boot\.log)" + _ROT, "syslog"),
    Spec("syslog", r"truncated_+var_log_(?:messages|syslog|kern\.log)" + _ROT, "syslog"),
    Spec("dmesg", r"var/log/dmesg" + _ROT, "dmesg"),
    Spec("dmesg", r"sos_commands/kernel/dmesg[^/]*", "dmesg"),
    Spec("cloud_init_log", r"var/log/cloud-init(?:-output)?\.log" + _ROT, "cloud_init_log"),
    Spec("serial_console", r"[^/]*serial[^/]*console[^/]*|[^/]*serialconsole[^/]*|[^/]*bootdiagnostics[^/]*\.(?:log|txt)", "serial_console"),
)

TEXT = Spec("text", "", "text_generic")

# Parsers asked, in this order, whether an unnamed text member is theirs.
SNIFFERS: tuple[str, ...] = ("vmsnapshot_log", "serial_console", "waagent_log", "vmsnapshot_shell_log",
                             "syslog", "cloud_init_log")

_COMPILED = [(regex.compile(r"(?:^|/)(?:" + s.pattern + r")$"), s) for s in TABLE]
_SPEC_OF_PARSER = {s.parser: s for s in reversed(TABLE) if s.parser}


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


def parser_module(spec: Spec) -> ModuleType:
    return importlib.import_module(f"parsers.{spec.parser}")


def sniff(head: str) -> Spec:
    """The spec of an unnamed text member, judged by its first lines."""
    for name in SNIFFERS:
        module = importlib.import_module(f"parsers.{name}")
        if module.sniff(head):
            return _SPEC_OF_PARSER[name]
    return TEXT
