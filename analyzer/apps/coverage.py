"""What kinds of evidence a bundle holds, which are missing, and what to collect for them.

A bundle without the agent's, the backup extension's or the system's logs cannot show why a backup
failed; the report says so instead of reporting a calm VM. Only members that were parsed count: a log
refused by a limit is as good as missing.

>>> from azlog_vmbackup.core.model import InventoryEntry, OS, Result, Status
>>> result = Result("sosreport-vm.tar.xz", os=OS.LINUX, inventory=[
...     InventoryEntry("sosreport-vm/var/log/waagent.log", "waagent_log", Status.PARSED)])
>>> cov = coverage(result)
>>> cov.present, cov.missing
(['agent-log'], ['extension-log', 'status-files', 'system-log'])
>>> cov.collect[1].startswith('/var/lib/waagent')
True
"""
from __future__ import annotations

from dataclasses import dataclass

from azlog_vmbackup.core.model import OS, Coverage, Result, Status


@dataclass(frozen=True)
class Kind:
    name: str
    os: OS
    specs: frozenset[str]
    collect: str  # what to ask the customer for when it is missing


KINDS: tuple[Kind, ...] = (
    Kind("agent-log", OS.LINUX, frozenset({"waagent_log", "extension_command_log"}),
         "/var/log/waagent.log (and its rotated copies): `sudo waagent -collect-logs` gathers it with the rest"),
    Kind("extension-log", OS.LINUX,
         frozenset({"vmsnapshot_extension_log", "vmsnapshot_shell_log", "vmsnapshot_events"}),
         "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/ (extension.log, shell.log)"),
    Kind("status-files", OS.LINUX,
         frozenset({"extension_status", "handler_state", "handler_status", "heartbeat", "waagent_status_json",
                    "goal_state_xml", "extensions_config_xml"}),
         "/var/lib/waagent (extension status files, goal state): `sudo waagent -collect-logs` copies them"),
    Kind("system-log", OS.LINUX,
         frozenset({"syslog", "dmesg", "cloud_init_log", "serial_console", "journal", "systemctl_status"}),
         "/var/log/messages or /var/log/syslog, or `journalctl -u waagent -u walinuxagent --since -3d`"),
    Kind("agent-log", OS.WINDOWS,
         frozenset({"waappagent_log", "transparent_installer_log", "appagent_runtime_log", "windows_telemetry_log"}),
         r"C:\WindowsAzure\Logs (WaAppAgent.log): the CollectGuestLogs tool gathers it with the rest"),
    Kind("extension-log", OS.WINDOWS, frozenset({"windows_plugin_log"}),
         r"C:\WindowsAzure\Logs\Plugins\Microsoft.Azure.RecoveryServices.VMSnapshot"),
    Kind("status-files", OS.WINDOWS, frozenset({"extension_status", "heartbeat", "aggregate_status"}),
         r"C:\Packages\Plugins\Microsoft.Azure.RecoveryServices.VMSnapshot\<version>\Status"),
    Kind("system-log", OS.WINDOWS, frozenset({"windows_event_log", "windows_event_export"}),
         "the System and Application event logs (.evtx)"),
)
LOGS = ("agent-log", "extension-log", "system-log")
SOSREPORT_STATUS = ("/var/lib/waagent: a sosreport's azure plugin does not copy it; add "
                    "`sudo tar czf waagent-state.tgz --exclude='*.settings' /var/lib/waagent`, or send the "
                    "output of `sudo waagent -collect-logs`")


def coverage(result: Result) -> Coverage:
    """Which evidence kinds of the VM's OS (of both OSes when unknown) the parsed members give."""
    parsed = {e.spec for e in result.inventory if e.status is Status.PARSED}
    kinds = [k for k in KINDS if k.os.applies_to(result.os)]
    names = list(dict.fromkeys(k.name for k in kinds))
    present = [n for n in names if any(parsed & k.specs for k in kinds if k.name == n)]
    missing = [n for n in names if n not in present]
    sosreport = any("sos_commands/" in e.path or e.path.startswith("sosreport") for e in result.inventory)
    collect = []
    for kind in kinds:
        if kind.name in missing:
            collect.append(SOSREPORT_STATUS if sosreport and kind.name == "status-files" and kind.os is OS.LINUX
                           else kind.collect)
    note = None
    if not any(n in present for n in LOGS):
        note = ("This bundle holds no agent, backup-extension or system logs, so it cannot show why a backup "
                "failed; collect what `collect` lists.")
    return Coverage(present, missing, list(dict.fromkeys(collect)), note)
