#!/usr/bin/env python3
"""Write sample support bundles of Windows VMs whose Azure backup failed.

``samples/generate.py`` calls :func:`generate` after the Linux set;
``python samples/windows.py [--out DIR]`` writes only the Windows set.

Each bundle is laid out like a CollectGuestLogs (VMAgentLogs.zip) archive:
``WindowsAzure/Logs/`` (WaAppAgent.log, TransparentInstaller.log with VM
Health Report blocks, AggregateStatus/aggregatestatus.json, the VMSnapshot
plugin log), ``Packages/Plugins/<ext>/<ver>/`` (RuntimeSettings, Status,
HeartBeat.Json) and ``EventLogs/`` holding the System log as a
``wevtutil qe /f:text`` export and the Application log as a
``Get-WinEvent | Export-Csv`` export. Two variants of one failure use the
Disk Inspect (``device_0/``) and ``az vm repair`` (``<time>_UTC/F/``)
layouts. Content is synthetic; the line shapes, paths, message strings and
codes follow the public Windows guest-agent material. Nothing is random at
run time: each bundle draws from its own seeded ``random.Random`` and every
archive entry has a fixed timestamp. Only the standard library is used.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # samples/ is no package: common.py sits here
import common  # noqa: E402
from common import WIRE, Rand, iso_s, t_, ticks, zip_bytes  # noqa: E402

EXT = "Microsoft.Azure.RecoveryServices.VMSnapshot"
EXT_VER = "1.0.92.0"
PLUGIN_DIR = f"C:\\Packages\\Plugins\\{EXT}\\{EXT_VER}"
ENABLE_CMD = f"{PLUGIN_DIR}\\enable.cmd"
BCDR_EXE = f"{PLUGIN_DIR}\\IaaSBcdrExtension.exe"
LOGS = "WindowsAzure/Logs/"
EXT_LOG = f"{LOGS}Plugins/{EXT}/{EXT_VER}/IaaSBcdrExtension0.log"
PKG = f"Packages/Plugins/{EXT}/{EXT_VER}/"
CRLF = "\r\n"

# thread ids of the agent's workers (printed as 8 hex digits)
T_MAIN, T_NET, T_GS, T_PLUGIN, T_HEART, T_STOP, T_TI = 0x06, 0x0B, 0x0E, 0x1A, 0x14, 0x04, 0x05


def enable_failed(how: str) -> str:
    """The agent's word when enable.cmd fails; ``how``: ``has exited with Exit code: 1, Code: 1009`` and the like."""
    return (f"Enable failed for plugin (name: {EXT}, version {EXT_VER}) with exception Command {ENABLE_CMD} "
            f"of {EXT} {how}")




def iso7(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


@dataclass
class Vm:
    """One Windows VM: agent, OS, network, how its logs stamp time."""
    host: str
    agent: str
    os_name: str
    build: str
    stamp: str                 # "us": [MM/DD/YYYY HH:MM:SS.ff]; "iso": ...Z; "iso-ms": ....fffZ
    ip: str = "10.0.0.4"
    nic: str = "Ethernet"
    lang: str = "en"
    volumes: tuple[str, ...] = ("C:\\", "F:\\")
    mac: str = "00-0D-3A-4F-21-9C"


# ---------------------------------------------------------------- WaAppAgent-shaped logs

class AgentLog:
    """A log in the WaAppAgent.log header shape: ``[tid] <time> [LEVEL] message``."""

    def __init__(self, vm: Vm, rnd: Rand, start: datetime):
        self.vm, self.rnd, self.t, self.lines = vm, rnd, start, []

    def at(self, t: datetime) -> None:
        self.t = t

    def step(self, lo: float = 2.0, hi: float = 180.0) -> datetime:
        self.t += self.rnd.us(lo, hi)
        return self.t

    def stamp(self, t: datetime) -> str:
        if self.vm.stamp == "us":
            return f"[{t:%m/%d/%Y %H:%M:%S}.{t.microsecond // 10000:02d}]"
        if self.vm.stamp == "iso":
            return f"{t:%Y-%m-%dT%H:%M:%S}Z"
        return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"

    def emit(self, level: str, msg: str, tid: int, tight: bool = False) -> None:
        """One record; lines after the first in ``msg`` are written without a header."""
        tag = f"[{level}]"
        if tight:
            sep = ""
        elif self.vm.stamp == "iso-ms":
            sep = " "
        else:
            sep = " " * max(1, 8 - len(tag))
        first, *rest = msg.split("\n")
        self.lines.append(f"[{tid:08X}] {self.stamp(self.step())} {tag}{sep}{first}")
        self.lines.extend(rest)

    def info(self, msg: str, tid: int = T_MAIN, tight: bool = False) -> None:
        self.emit("INFO", msg, tid, tight)

    def warn(self, msg: str, tid: int = T_MAIN) -> None:
        self.emit("WARN", msg, tid)

    def error(self, msg: str, tid: int = T_MAIN) -> None:
        self.emit("ERROR", msg, tid)

    def raw(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> bytes:
        return (CRLF.join(self.lines) + CRLF).encode("utf-8")


def enable_exited(w: AgentLog, exit_code: int, stack: str = "") -> None:
    """The agent's two records when enable.cmd exits ``exit_code``; ``stack`` follows the error's first line."""
    w.warn(enable_failed(f"has exited with Exit code: {exit_code}, Code: 1009"), T_PLUGIN)
    w.error(f"Error while processing plugin {EXT} version {EXT_VER}, state: enabled, error: System.Exception: Command "
            f"{ENABLE_CMD} of {EXT} has exited with Exit code: {exit_code}{stack}", T_PLUGIN)


# ---------------------------------------------------------------- event log exports

@dataclass
class Event:
    time: datetime
    log: str
    provider: str
    eid: int
    level: str                 # Error | Warning | Information | Critical
    message: str
    qualifiers: int | None = 0
    task: int = 0
    task_name: str = "None"
    user: str = "N/A"
    classic: bool = True


LEVEL_NUM = {"Critical": 1, "Error": 2, "Warning": 3, "Information": 4}
DE_LEVEL = {"Critical": "Kritisch", "Error": "Fehler", "Warning": "Warnung", "Information": "Informationen"}
TEXT_LABELS = {
    "en": ("Event", "Log Name", "Source", "Date", "Event ID", "Task", "Level", "Opcode", "Keyword", "User",
           "User Name", "Computer", "Description"),
    "de": ("Ereignis", "Protokollname", "Quelle", "Datum", "Ereignis-ID", "Aufgabe", "Ebene", "Opcode",
           "Schlüsselwort", "Benutzer", "Benutzername", "Computer", "Beschreibung"),
}
CSV_COLUMNS = ("Message", "Id", "Version", "Qualifiers", "Level", "Task", "Opcode", "Keywords", "RecordId",
               "ProviderName", "ProviderId", "LogName", "ProcessId", "ThreadId", "MachineName", "UserId",
               "TimeCreated", "ActivityId", "RelatedActivityId", "ContainerLog", "MatchedQueryIds", "Bookmark",
               "LevelDisplayName", "OpcodeDisplayName", "TaskDisplayName", "KeywordsDisplayNames", "Properties")


def wevtutil_text(events: list[Event], host: str, lang: str) -> bytes:
    """``wevtutil qe <log> /f:text`` output, oldest event first."""
    lab = TEXT_LABELS[lang]
    out = []
    for i, e in enumerate(sorted(events, key=lambda e: e.time)):
        level = DE_LEVEL[e.level] if lang == "de" else e.level
        keyword = ("Klassisch" if lang == "de" else "Classic") if e.classic else "N/A"
        task = "N/A" if e.task_name == "None" else e.task_name
        user_name = "NT-AUTORITÄT\\SYSTEM" if lang == "de" else "NT AUTHORITY\\SYSTEM"
        out += [f"{lab[0]}[{i}]:", f"  {lab[1]}: {e.log}", f"  {lab[2]}: {e.provider}", f"  {lab[3]}: {iso7(e.time)}",
                f"  {lab[4]}: {e.eid}", f"  {lab[5]}: {task}", f"  {lab[6]}: {level}", f"  {lab[7]}: Info",
                f"  {lab[8]}: {keyword}", f"  {lab[9]}: {e.user}",
                f"  {lab[10]}: {user_name if e.user.startswith('S-1-5-18') else 'N/A'}",
                f"  {lab[11]}: {host}", f"  {lab[12]}: ", *e.message.split("\n"), ""]
    body = CRLF.join(out) + CRLF
    return ("\ufeff" + body).encode("utf-8") if lang == "de" else body.encode("utf-8")


def csv_time(t: datetime, lang: str) -> str:
    if lang == "de":
        return t.strftime("%d.%m.%Y %H:%M:%S")
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def export_csv(events: list[Event], host: str, lang: str, rnd: Rand) -> bytes:
    """``Get-WinEvent -LogName Application | Export-Csv`` (Windows PowerShell 5.1), newest event first."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator=CRLF)
    buf.write("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord" + CRLF)
    writer.writerow(CSV_COLUMNS)
    ordered = sorted(events, key=lambda e: e.time)
    record0 = rnd.int(20000, 90000)
    for n, e in reversed(list(enumerate(ordered))):
        level = DE_LEVEL[e.level] if lang == "de" else e.level
        keywords = "36028797018963968" if e.classic else "-9223372036854775808"
        writer.writerow([e.message.replace("\n", CRLF), e.eid, 0, "" if e.qualifiers is None else e.qualifiers,
                         LEVEL_NUM[e.level], e.task, 0, keywords, record0 + n, e.provider,
                         "" if e.classic else "{" + rnd.guid() + "}", e.log, 0 if e.classic else rnd.int(900, 9000),
                         0 if e.classic else rnd.int(900, 9000), host, "" if e.user == "N/A" else e.user,
                         csv_time(e.time, lang), "", "", e.log, "System.UInt32[]",
                         "System.Diagnostics.Eventing.Reader.EventBookmark", level, "Info",
                         "" if e.task_name == "None" else e.task_name,
                         "System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]",
                         "System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"])
    return buf.getvalue().encode("utf-8")


EVENT_TEXT = {
    "en": {
        "uptime": "The system uptime is {0} seconds.",
        "svc": "The {0} service entered the {1} state.",
        "running": "running", "stopped": "stopped",
        "spp": "Successfully scheduled Software Protection service for re-start at {0}. Reason: RulesEngine.",
        "vss_idle": "The VSS service is shutting down due to idle timeout. ",
        "crash": "The Windows Azure Guest Agent service terminated unexpectedly.  It has done this {0} time(s).  "
                 "The following corrective action will be taken in 60000 milliseconds: Restart the service.",
        "dotnet": "Application: WindowsAzureGuestAgent.exe\nFramework Version: v4.0.30319\n"
                  "Description: The process was terminated due to an unhandled exception.\n"
                  "Exception Info: System.Configuration.ConfigurationErrorsException\n"
                  "   at System.Configuration.ConfigurationSchemaErrors.ThrowIfErrors(Boolean)\n"
                  "   at System.Configuration.BaseConfigurationRecord.ThrowIfInitErrors()\n\n"
                  "Exception Info: System.TypeInitializationException\n"
                  "   at Microsoft.WindowsAzure.GuestAgent.Prime.TraceManager.Write(System.String, System.Object[])\n"
                  "   at Microsoft.WindowsAzure.GuestAgent.AgentCore.AgentCore.Start()",
    },
    "de": {
        "uptime": "Die Systembetriebszeit beträgt {0} Sekunden.",
        "svc": "Der Dienst \"{0}\" befindet sich jetzt im Status \"{1}\".",
        "running": "Ausgeführt", "stopped": "Beendet",
        "spp": "Der Neustart des Software Protection-Diensts wurde erfolgreich für {0} geplant. Grund: RulesEngine.",
        "vss_idle": "Der VSS-Dienst wird aufgrund eines Leerlauftimeouts heruntergefahren. ",
        "crash": "Der Dienst \"Windows Azure Guest Agent\" wurde unerwartet beendet. Dies ist bereits {0} Mal "
                 "passiert. Folgende Korrekturmaßnahme wird in 60000 Millisekunden durchgeführt: Neustart des Diensts.",
        "dotnet": "Anwendung: WindowsAzureGuestAgent.exe\nFrameworkversion: v4.0.30319\n"
                  "Beschreibung: Der Prozess wurde aufgrund einer unbehandelten Ausnahme beendet.\n"
                  "Ausnahmeinformationen: System.Configuration.ConfigurationErrorsException\n"
                  "   bei System.Configuration.ConfigurationSchemaErrors.ThrowIfErrors(Boolean)\n"
                  "   bei System.Configuration.BaseConfigurationRecord.ThrowIfInitErrors()\n\n"
                  "Ausnahmeinformationen: System.TypeInitializationException\n"
                  "   bei Microsoft.WindowsAzure.GuestAgent.Prime.TraceManager.Write(System.String, System.Object[])\n"
                  "   bei Microsoft.WindowsAzure.GuestAgent.AgentCore.AgentCore.Start()",
    },
}


# ---------------------------------------------------------------- JSON documents

def health_report(vm: Vm, t: datetime, dhcp: bool = True, services: dict[str, str] | None = None) -> str:
    """One VM Health Report payload (single-line JSON)."""
    states = {"RdAgent": "Running", "WindowsAzureGuestAgent": "Running", "TermService": "Running", "VSS": "Stopped",
              "COMSysApp": "Running", "MSDTC": "Running", "Dhcp": "Running", **(services or {})}
    doc = {"reportTime": iso7(t),
           "networkAdapters": [
               {"name": vm.nic, "status": "Up", "macAddress": vm.mac,
                "ipProperties": [{"protocolVersion": 4, "address": vm.ip, "isDhcpEnabled": dhcp},
                                 {"protocolVersion": 6, "address": "fe80::5d1c:9a2e:7b41:c3f0%6",
                                  "isDhcpEnabled": False}]},
               {"name": "Loopback Pseudo-Interface 1", "status": "Up", "macAddress": "",
                "ipProperties": [{"protocolVersion": 4, "address": "127.0.0.1", "isDhcpEnabled": False},
                                 {"protocolVersion": 6, "address": "::1", "isDhcpEnabled": False}]}],
           "services": [{"name": name, "state": state,
                         "startMode": "Manual" if name in ("VSS", "MSDTC", "COMSysApp") else "Automatic"}
                        for name, state in states.items()],
           "systemInfo": {"windows": {"osVersion": vm.build, "productName": vm.os_name, "domainRole": "MemberServer"}},
           "firewallPolicy": {"domain": {"enabled": True}, "private": {"enabled": True}, "public": {"enabled": True}},
           "remoteAccess": {"windows": {"rdpEnabled": True, "rdpPort": 3389}},
           "accounts": {"windows": {"localAdminEnabled": True}}}
    return json.dumps(doc, separators=(",", ":"))


def write_health(ti: AgentLog, vm: Vm, t: datetime, dhcp: bool = True, services: dict[str, str] | None = None) -> str:
    """Append a health-report block to TransparentInstaller.log; return the payload."""
    ti.at(t)
    ti.info("Collecting VM health signals.", T_TI)
    stamp = iso7(ti.step(300, 900))
    payload = health_report(vm, t, dhcp, services)
    ti.raw(f"======== Microsoft Azure VM Health Report - Start {stamp} ========")
    ti.raw(payload)
    ti.raw(f"======== Microsoft Azure VM Health Report - End {stamp} ========")
    return payload


@dataclass
class Job:
    seq: int
    inc: int
    task: str
    start: datetime
    cmd_start: datetime


@dataclass
class Outcome:
    status: str               # success | error | transitioning
    code: int
    message: str
    error_name: str = ""
    health: tuple[int, int] = (0, 1)
    snaps_ok: bool = True


def status_doc(vm: Vm, job: Job, t: datetime, o: Outcome) -> bytes:
    """Status/<seq>.status: a one-element array; the serialized status report sits in substatus[0].name."""
    telemetry = [("guestAgentVersion", vm.agent), ("extensionVersion", EXT_VER), ("osVersion", vm.build),
                 ("snapshotMethod", "firstHostThenGuest"), ("volumeCount", str(len(vm.volumes)))]
    if o.error_name:
        telemetry.append(("extErrorCode", o.error_name))
    fmt = {"lang": "en-US", "message": json.dumps({"messageStr": o.message,
                                                   "snapshotConsistency": 2 if o.snaps_ok else 0,
                                                   "jobMessage": "", "isSizeComputationFailed": False})}
    report = {"taskId": job.task, "commandStartTimeUTCTicks": ticks(job.cmd_start), "status": o.status,
              "code": o.code, "telemetryData": [{"Key": k, "Value": v} for k, v in telemetry],
              "vmHealthInfo": {"vmHealthState": o.health[0], "vmHealthStatusCode": o.health[1]},
              "snapshotInfo": [{"isSuccessful": o.snaps_ok, "snapshotUri": None,
                                "errorMessage": "" if o.snaps_ok else o.message,
                                "blobUri": f"https://md-{job.task[:12]}.z{job.seq % 40}.blob.storage.azure.net/disk{i}"}
                               for i in range(len(vm.volumes))],
              "storageDetails": {"partitionCount": len(vm.volumes), "totalUsedSizeInBytes": 91_234_467_840 + job.seq,
                                 "isStoragespacePresent": False},
              "uniqueMachineId": job.task[::-1]}
    doc = [{"version": "1.0", "timestampUTC": iso_s(t),
            "status": {"name": EXT, "operation": "Enable", "status": o.status, "code": o.code,
                       "configurationAppliedTime": iso_s(job.start), "formattedMessage": fmt,
                       "substatus": [{"name": json.dumps(report), "status": o.status, "code": o.code,
                                      "formattedMessage": {"lang": "en-US", "message": o.message}}]}}]
    return json.dumps(doc).encode("utf-8")


def settings_doc(rnd: Rand, job: Job, thumb: str) -> bytes:
    public = {"locale": "en-us", "taskId": job.task, "commandToExecute": "snapshot",
              "commandStartTimeUTCTicks": ticks(job.cmd_start), "vmType": "microsoft.compute/virtualmachines"}
    doc = {"runtimeSettings": [{"handlerSettings": {"protectedSettingsCertThumbprint": thumb,
                                                    "protectedSettings": "MIIC" + rnd.blob(540),
                                                    "publicSettings": public}}]}
    return json.dumps(doc).encode("utf-8")


def heartbeat_json(ready: bool = True) -> bytes:
    hb = {"status": "ready" if ready else "notReady", "code": 0 if ready else 1,
          "formattedMessage": {"lang": "en-US", "message": "IaaSBcdrExtension is running" if ready
                               else "IaaSBcdrExtension did not report"}}
    return json.dumps([{"version": "1.0", "heartbeat": hb}]).encode("utf-8")


@dataclass
class Agg:
    """What the last uploaded aggregate status said."""
    uploaded: datetime
    handler_status: str = "Ready"
    handler_code: int = 0
    handler_message: str = "Plugin enabled"
    agent_status: str = "Ready"
    encoding: str = "utf-8"
    nul_pad: int = 0


def aggregate_status(vm: Vm, a: Agg, seq: int, status_bytes: bytes | None, inc: int) -> bytes:
    last = json.loads(status_bytes)[0] if status_bytes else {"timestampUTC": iso_s(a.uploaded), "status": None}
    upload = f"{a.uploaded.month}/{a.uploaded.day}/{a.uploaded.year} {a.uploaded.hour % 12 or 12}:{a.uploaded:%M:%S} " \
             f"{'AM' if a.uploaded.hour < 12 else 'PM'}"
    handler = {"handlerName": EXT, "handlerVersion": EXT_VER, "status": a.handler_status, "code": a.handler_code,
               "formattedMessage": {"lang": "en-US", "message": a.handler_message},
               "runtimeSettingsStatus": {"sequenceNumber": str(seq),
                                         "settingsStatus": {"timestampUTC": last["timestampUTC"],
                                                            "status": last["status"]}}}
    doc = {"version": "1.1", "timestampUTC": iso_s(a.uploaded),
           "aggregateStatus": {
               "guestAgentStatus": {"version": vm.agent, "status": a.agent_status,
                                    "formattedMessage": {"lang": "en-US",
                                                         "message": "GuestAgent is running and processing the "
                                                                    "extensions."},
                                    "lastStatusUploadMethod": "HostGA Plugin - Default",
                                    "lastStatusUploadTime": upload},
               "handlerAggregateStatus": [handler],
               "vmArtifactsAggregateStatus": {"goalStateAggregateStatus": {"inSvdSeqNo": str(inc), "status": "Success",
                                                                           "code": 0,
                                                                           "timestampUTC": iso_s(a.uploaded)}}},
           "guestOSInfo": {"computerName": vm.host, "osName": vm.os_name, "osVersion": vm.build, "version": vm.agent},
           "supportedFeatures": [{"Key": "MultipleExtensionsPerHandler", "Value": "1.0"},
                                 {"Key": "VersioningGovernance", "Value": "1.0"}]}
    text = json.dumps(doc, indent=2).replace("\n", CRLF) + "\x00" * a.nul_pad
    if a.encoding == "utf-16-le":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode("utf-8")


# ---------------------------------------------------------------- one VM over several days

class Sim:
    """Routine life of one VM (start-up, heartbeats, daily backups) that a cause then breaks."""

    def __init__(self, name: str, vm: Vm, last_job: datetime, days: int = 4, seq0: int = 800, inc0: int = 60):
        self.name, self.vm, self.last_job = name, vm, last_job
        self.rnd = Rand(name)
        self.start = last_job - timedelta(days=days, hours=5)
        self.wa = AgentLog(vm, self.rnd, self.start)
        self.ti = AgentLog(vm, self.rnd, self.start)
        self.xl = AgentLog(vm, self.rnd, self.start)
        self.seq, self.inc = seq0, inc0
        self.thumb = self.rnd.hexs(40).upper()
        self.system: list[Event] = []
        self.app: list[Event] = []
        self.extra_logs: dict[str, bytes] = {}
        self.extra_events: list[Event] = []
        self.statuses: dict[int, bytes] = {}
        self.settings: dict[int, bytes] = {}
        self.health_last = ""
        self.next_health = self.start
        self.next_daily = self.start.replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=1)
        self.heart_every = timedelta(minutes=30)
        self.alive = True
        self.dhcp = True
        self.services: dict[str, str] = {}
        self.txt = EVENT_TEXT[vm.lang]
        self.next_job = last_job - timedelta(days=days)

    # ---- agent lines
    def boot(self, fabric: bool = True) -> None:
        w, vm = self.wa, self.vm
        self.system.append(Event(w.t, "System", "EventLog", 6005, "Information",
                                 "Der Ereignisprotokolldienst wurde gestartet." if vm.lang == "de"
                                 else "The Event log service was started.", qualifiers=32768))
        self.service_event("Windows Azure Guest Agent", True, w.t + timedelta(seconds=40))
        self.service_event("RdAgent", True, w.t + timedelta(seconds=38))
        w.at(w.t + timedelta(seconds=41))
        w.info(f"WindowsAzureGuestAgent starting. Version {vm.agent}")
        self.ti.at(w.t)
        self.ti.info(f"TransparentInstaller starting. Installed GuestAgent version {vm.agent}", T_TI)
        self.ti.info("GuestAgent package is up to date; no update needed.", T_TI)
        w.info(f"Attempting to discover fabric address on interface {vm.nic}.", T_NET)
        if not fabric:
            w.warn("Empty DHCP option data returned", T_NET + 0x13)
            w.error(f"Did not discover fabric address on interface {vm.nic}", T_NET)
            return
        w.info(f"Discovered fabric address on interface {vm.nic}.", T_NET)
        w.info(f"Using fabric address {WIRE} from DHCP.", T_NET)
        w.info(f"Using fabric URI http://{WIRE}/.", T_NET)
        w.info("ControlSystem initialized with version 2012-11-30.")
        w.info("StateExecutor initialization completed.")
        w.emit("HEART", "WindowsAzureGuestAgent Heartbeat.", T_HEART)

    def service_event(self, name: str, running: bool, t: datetime) -> None:
        state = self.txt["running" if running else "stopped"]
        self.system.append(Event(t, "System", "Service Control Manager", 7036, "Information",
                                 self.txt["svc"].format(name, state), qualifiers=16384))

    def daily_events(self, t: datetime) -> None:
        uptime = int((t - self.start).total_seconds())
        self.system.append(Event(t, "System", "EventLog", 6013, "Information", self.txt["uptime"].format(uptime),
                                 qualifiers=32768))
        restart = t + timedelta(hours=23, minutes=self.rnd.int(0, 50))
        self.app.append(Event(t + timedelta(minutes=self.rnd.int(3, 40)), "Application",
                              "Microsoft-Windows-Security-SPP", 16384, "Information",
                              self.txt["spp"].format(iso_s(restart)), qualifiers=16384))

    def quiet(self, until: datetime, extra: Callable[["Sim", datetime], None] | None = None) -> None:
        """Heartbeats, health reports and daily events up to ``until``."""
        t = self.wa.t
        while True:
            t = t + self.heart_every + self.rnd.us(0, 900)
            if t >= until:
                break
            self.wa.at(t)
            if self.alive:
                self.wa.emit("HEART", "WindowsAzureGuestAgent Heartbeat.", T_HEART)
            if t >= self.next_health:
                self.health_last = write_health(self.ti, self.vm, t + timedelta(seconds=7), self.dhcp, self.services)
                self.next_health = t + timedelta(hours=6)
            if t >= self.next_daily:
                self.daily_events(t)
                self.next_daily += timedelta(days=1)
            if extra:
                extra(self, t)
        self.wa.at(until)

    def wind_down(self, hours: float, minutes: float,
                  extra: Callable[["Sim", datetime], None] | None = None) -> datetime:
        """Routine traffic for ``hours`` after the last job; return the collection time, ``minutes`` later."""
        self.quiet(self.last_job + timedelta(hours=hours), extra)
        return self.last_job + timedelta(hours=hours, minutes=minutes)

    # ---- backup jobs
    def job(self, when: datetime, body: Callable[["Sim", Job], Outcome | None] | None = None) -> Job:
        """Goal state with a new VMSnapshot sequence number, then the plugin's run."""
        self.quiet(when)
        self.seq += 1
        self.inc += 1
        w, rnd = self.wa, self.rnd
        job = Job(self.seq, self.inc, rnd.guid(), when + timedelta(seconds=rnd.int(4, 9)),
                  when - timedelta(seconds=rnd.int(25, 80)))
        self.settings[job.seq] = settings_doc(rnd, job, self.thumb)
        if self.vm.stamp == "iso-ms":
            w.warn(f"Trying to download VMSettingsProfile with etag {rnd.int(10**18, 10**19 - 1)}", T_GS + 0x18)
            w.info("VMSettingsConsistenceCheckIfFabricSource Passed.", T_GS + 0x18, tight=True)
        w.info("Start Workflow.", T_GS)
        w.info(f"Starting installation/update of plugins. Incarnation: {job.inc}, extension count: 2", T_GS)
        for handler in (EXT, "Microsoft.Azure.Monitor.AzureMonitorWindowsAgent"):
            w.warn(f"Start the root task for Plugin handler '{handler}' Runtime Settings of extension ''.", T_GS)
        w.info(f"Starting extension processing for extension 'HandlerName: '{EXT}', ExtensionName: '''", T_PLUGIN)
        w.warn(f"Processing plugin {EXT} version {EXT_VER}, state: enabled, autoupgrade: True, isJson: True", T_PLUGIN)
        w.info(f"Getting plugin locations for plugin '{EXT}'. Current Version: '{EXT_VER}', "
               "Requested Version: '1.0'", T_PLUGIN)
        w.info(f"Auto-Upgrade mode. Highest public version for plugin '{EXT}' with requested version: '1.0', "
               f"is: '{EXT_VER}'", T_PLUGIN)
        w.info(f"Waiting for command {ENABLE_CMD}", T_PLUGIN)
        outcome = (body or ok_run)(self, job)
        if outcome is not None:
            end = self.xl.t + rnd.us(200, 900)
            self.statuses[job.seq] = status_doc(self.vm, job, end, outcome)
            if outcome.status in ("success", "error"):
                self.wa.at(max(self.wa.t, end))
                w.info(f"Enable command of {EXT} has exited with Exit code: 0", T_PLUGIN)
                w.info(f"Plugin {EXT} version {EXT_VER} reported status '{outcome.status}' "
                       f"for sequence number {job.seq}", T_PLUGIN)
        return job

    def daily_jobs(self, upto: datetime) -> None:
        """Successful scheduled backups, one a day at the policy time, that start before ``upto``."""
        t = self.next_job
        while t < upto - timedelta(hours=1):
            self.job(t + self.rnd.us(0, 90_000))
            t += timedelta(days=1)
        self.next_job = t

    # ---- bundle
    def members(self, agg: Agg, hb_ready: bool = True, keep: int = 3) -> dict[str, bytes]:
        seqs = sorted(self.statuses)
        last_seq = max(self.settings) if self.settings else 0
        m = {f"{LOGS}WaAppAgent.log": self.wa.text(),
             f"{LOGS}TransparentInstaller.log": self.ti.text(),
             f"{LOGS}AggregateStatus/aggregatestatus.json":
                 aggregate_status(self.vm, agg, seqs[-1] if seqs else last_seq,
                                  self.statuses[seqs[-1]] if seqs else None, self.inc),
             EXT_LOG: self.xl.text()}
        for s in sorted(self.settings)[-2:]:
            m[f"{PKG}RuntimeSettings/{s}.settings"] = self.settings[s]
        for s in seqs[-keep:]:
            m[f"{PKG}Status/{s}.status"] = self.statuses[s]
        m[f"{PKG}Status/HeartBeat.Json"] = heartbeat_json(hb_ready)
        m["EventLogs/System.txt"] = wevtutil_text(self.system, self.vm.host, self.vm.lang)
        m["EventLogs/Application.csv"] = export_csv(self.app, self.vm.host, self.vm.lang, self.rnd)
        m.update(self.extra_logs)
        return m

    def zipped(self, agg: Agg, collected: datetime, hb_ready: bool = True) -> tuple[str, bytes]:
        """``<name>.zip``: the collection as of ``collected``."""
        return f"{self.name}.zip", write_zip(self.members(agg, hb_ready), collected)


# ---------------------------------------------------------------- the extension's side of a job

def ext_start(s: Sim, job: Job) -> AgentLog:
    x, vm = s.xl, s.vm
    x.at(job.start + s.rnd.us(300, 1500))
    pid = s.rnd.int(1200, 9800)
    x.info(f"IaaSBcdrExtension starting. Version {EXT_VER}, operation enable, sequence number {job.seq}, "
           f"process id {pid}", 0x01)
    x.info(f"Reading runtime settings {PLUGIN_DIR}\\RuntimeSettings\\{job.seq}.settings", 0x01)
    x.info(f"TaskId: {job.task}, commandToExecute: snapshot, commandStartTimeUTCTicks: {ticks(job.cmd_start)}, "
           "locale: en-us", 0x01)
    x.info(f"Protected settings decrypted with certificate {s.thumb}", 0x01)
    x.info(f"Guest agent version {vm.agent}, OS version {vm.build}", 0x01)
    return x


def vss_ok(s: Sim, x: AgentLog) -> str:
    set_id = "{" + s.rnd.guid() + "}"
    x.info("IaaSVmProvider service is running", 0x09)
    x.info(f"Snapshot consistency requested: ApplicationConsistent, volumes: {', '.join(s.vm.volumes)}", 0x09)
    x.info(f"VSS writers before snapshot: {s.rnd.int(11, 14)} stable, 0 waiting for completion, 0 failed", 0x09)
    x.info(f"Creating shadow copy set {set_id}", 0x09)
    x.at(x.t + timedelta(seconds=s.rnd.int(5, 14)))
    x.info(f"Shadow copy set {set_id} created in {s.rnd.int(4, 12)}.{s.rnd.int(10, 99)} s", 0x09)
    return set_id


def host_ok(s: Sim, x: AgentLog, set_id: str) -> None:
    n = len(s.vm.volumes)
    x.info(f"Requesting host snapshot for {n} disks via {WIRE}:32526", 0x0C)
    x.at(x.t + timedelta(seconds=s.rnd.int(6, 20)))
    x.info(f"Host snapshot completed: isSuccessful true for {n} of {n} blobs", 0x0C)
    x.info(f"Deleting shadow copy set {set_id}", 0x09)


def service_cycle(s: Sim, job: Job, end: datetime) -> None:
    """VSS starts for the snapshot and shuts down idle three minutes after it."""
    s.service_event("Volume Shadow Copy", True, job.start + timedelta(seconds=9))
    s.app.append(Event(end + timedelta(minutes=3), "Application", "VSS", 8224, "Information", s.txt["vss_idle"]))
    s.service_event("Volume Shadow Copy", False, end + timedelta(minutes=3, seconds=1))


def ext_finish(x: AgentLog, job: Job, o: Outcome) -> Outcome:
    lvl = x.info if o.status == "success" else x.error
    lvl(f"Writing status file {PLUGIN_DIR}\\Status\\{job.seq}.status: {o.status}, code {o.code}", 0x01)
    x.info("IaaSBcdrExtension exiting with code 0", 0x01)
    return o


def ok_run(s: Sim, job: Job) -> Outcome:
    x = ext_start(s, job)
    set_id = vss_ok(s, x)
    host_ok(s, x, set_id)
    service_cycle(s, job, x.t)
    return ext_finish(x, job, Outcome("success", 1, "Snapshot taken and status reported"))


def write_zip(members: dict[str, bytes], when: datetime) -> bytes:
    """The bundle as Windows writes it: DOS entries with the archive bit."""
    return zip_bytes(members, when, dos=True)


# ---------------------------------------------------------------- causes

def build_healthy() -> list[tuple[str, bytes]]:
    vm = Vm("win-app-01", "2.7.41491.1102", "Windows Server 2022 Datacenter", "10.0.20348", "iso-ms", ip="10.2.0.5")
    s = Sim("windows-healthy", vm, t_("2026-11-20 01:30:14"))
    s.boot()
    blip = s.last_job - timedelta(days=3, hours=-9)
    s.daily_jobs(blip)
    s.quiet(blip)
    s.wa.warn(f"(Ignoring) Exception while fetching supported versions from HostGAPlugin: System.Net.WebException: "
              "Unable to connect to the remote server \n---> System.Net.Sockets.SocketException: "
              "A connection attempt failed because the connected party did not properly respond after a period of "
              f"time {WIRE}:32526\n"
              "   at System.Net.Sockets.Socket.DoConnect(EndPoint endPointSnapshot, SocketAddress socketAddress)\n"
              "   --- End of inner exception stack trace ---\n"
              "   at Microsoft.GuestAgentHostPlugin.Client.GuestInformationServiceClient.GetVersions()", T_NET)
    s.wa.at(s.wa.t + timedelta(minutes=5))
    s.wa.info(f"HostGAPlugin is available again at {WIRE}:32526", T_NET)
    s.daily_jobs(s.last_job + timedelta(hours=2))
    collected = s.wind_down(6, 4)
    agg = Agg(collected - timedelta(minutes=3), nul_pad=211)
    return [s.zipped(agg, collected)]


def build_agent_unresponsive() -> list[tuple[str, bytes]]:
    vm = Vm("sap-app-de-02", "2.7.41491.1083", "Windows Server 2019 Datacenter", "10.0.17763", "us", ip="10.40.1.12",
            lang="de", nic="Ethernet 2")
    s = Sim("windows-agent-unresponsive-windows", vm, t_("2023-03-07 21:00:26"))
    s.boot()
    stop = s.last_job - timedelta(hours=33)
    s.daily_jobs(stop)
    s.quiet(stop)
    w = s.wa
    w.warn("WindowsAzureGuestAgent stopping.", T_STOP + 3)
    w.info("Uninitializing StateExecutor with WaitForTerminalStateReachedOnEnd : True", T_STOP + 3)
    w.warn("WindowsAzureGuestAgent could not be stopped. Exception: System.NullReferenceException: Object reference "
           "not set to an instance of an object.\n"
           "at Microsoft.WindowsAzure.GuestAgent.ContainerStateMachine.GoalStateExecutorBase."
           "WaitForExtensionWorkflowComplete(Boolean WaitForTerminalStateReachedOnEnd)\n"
           "at Microsoft.WindowsAzure.GuestAgent.ContainerStateMachine.GoalStateExecutorBase.Uninitialize(Boolean "
           "WaitForTerminalStateReachedOnEnd)\n"
           "at Microsoft.WindowsAzure.GuestAgent.AgentCore.AgentCore.Stop(Boolean waitForTerminalState)\n"
           "at Microsoft.WindowsAzure.GuestAgent.AgentCore.AgentService.DoStopService()", T_STOP)
    s.service_event("Windows Azure Guest Agent", False, w.t + timedelta(seconds=2))
    s.alive = False
    s.services = {"WindowsAzureGuestAgent": "Stopped"}
    ti = s.ti
    crash_t = w.t + timedelta(minutes=4)
    for n in range(1, 4):
        t = crash_t + timedelta(minutes=(n - 1) * 1, seconds=n * 3)
        w.at(t)
        w.info(f"WindowsAzureGuestAgent starting. Version {vm.agent}")
        ti.at(t + timedelta(seconds=1))
        ti.error("System.Configuration.ConfigurationErrorsException: The type 'Microsoft.VisualStudio.Diagnostics."
                 "ServiceModelSink.Behavior, Microsoft.VisualStudio.Diagnostics.ServiceModelSink, Version=4.0.0.0, "
                 "Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a' registered for extension 'Microsoft.VisualStudio."
                 "Diagnostics.ServiceModelSink.Behavior' could not be loaded.\n\n"
                 "(C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config line 242)", T_TI)
        s.app.append(Event(t + timedelta(seconds=2), "Application", ".NET Runtime", 1026, "Error", s.txt["dotnet"]))
        s.system.append(Event(t + timedelta(seconds=3), "System", "Service Control Manager", 7031, "Error",
                              s.txt["crash"].format(n), qualifiers=49152))
    collected = s.wind_down(12.5, 11)
    agg = Agg(stop - timedelta(minutes=12))
    return [s.zipped(agg, collected, hb_ready=False)]


NO_NET_HOSTGA = (f"(Ignoring) Exception while fetching supported versions from HostGAPlugin: System.Net.WebException: "
                 f"Unable to connect to the remote server \n---> System.Net.Sockets.SocketException: An attempt was "
                 f"made to access a socket in a way forbidden by its access permissions {WIRE}:32526\n"
                 "at System.Net.Sockets.Socket.DoConnect(EndPoint endPointSnapshot, SocketAddress socketAddress)\n"
                 "at System.Net.ServicePoint.ConnectSocketInternal(Boolean connectFailure, Socket s4, Socket s6, "
                 "Socket& socket, IPAddress& address, ConnectSocketState status, IAsyncResult asyncResult, "
                 "Exception& exception)\n"
                 "--- End of inner exception stack trace ---\n"
                 "at System.Net.WebClient.DownloadString(Uri address)\n"
                 "at Microsoft.GuestAgentHostPlugin.Client.GuestInformationServiceClient.GetVersions()")
NO_NET_WIRE = ("GetVersions() failed with exception: System.AggregateException: One or more errors occurred. ---> "
               "System.Net.Http.HttpRequestException: An error occurred while sending the request. ---> "
               "System.Net.WebException: Unable to connect to the remote server ---> "
               "System.Net.Sockets.SocketException: "
               f"An attempt was made to access a socket in a way forbidden by its access permissions {WIRE}:80")


def blocked_wire(s: Sim, t: datetime) -> None:
    """What the agent logs every half hour once the wireserver is firewalled off."""
    w = s.wa
    w.error("ControlSystem not initialized. Skip getting goal state", T_GS)
    w.error(NO_NET_WIRE, T_NET)
    w.error("There was no match for protocol version. ControlSystem not initialized.", T_NET)
    if t.minute < 30 and t.hour % 3 == 0:
        w.warn(NO_NET_HOSTGA, T_NET)


def no_internet_sim() -> tuple[Sim, datetime]:
    vm = Vm("sql-win-07", "2.7.41491.1102", "Windows Server 2019 Datacenter", "10.0.17763", "iso", ip="10.8.2.7")
    s = Sim("windows-no-internet-access", vm, t_("2026-11-20 02:00:18"))
    s.boot()
    block = s.last_job - timedelta(days=1, hours=12)
    s.daily_jobs(block)
    s.quiet(block)
    w = s.wa
    w.error("GetVersions() failed with exception: Microsoft.ServiceModel.Web.WebProtocolException: Server Error: "
            "Service Unavailable (ServiceUnavailable) ---> \nSystem.Net.WebException: The remote server returned an "
            "error: (503) Server Unavailable.", T_NET)
    w.warn(NO_NET_HOSTGA, T_NET)
    w.warn(f"Fetching certificate blob from the cert URI: http://{WIRE}/machine/{s.rnd.guid()}/{s.rnd.guid()}."
           f"_{vm.host}?comp=certificates&incarnation={s.inc + 1} failed with exception: System.Net.WebException: "
           "Unable to connect to the remote server", T_GS)
    blocked_wire(s, w.t)
    collected = t_("2026-11-20 10:12:33")
    s.quiet(collected - timedelta(minutes=2), extra=blocked_wire)
    return s, collected


def build_no_internet() -> list[tuple[str, bytes]]:
    s, collected = no_internet_sim()
    agg = Agg(s.last_job - timedelta(days=1, hours=12, minutes=3))
    members = s.members(agg)
    out = [(f"{s.name}.zip", write_zip(members, collected))]
    disk = {k: v for k, v in members.items() if not k.startswith("EventLogs/")}
    inspect = {"results.txt": diskinspect_results(disk, collected), "diskinfo.txt": DISKINFO.encode()}
    inspect.update({f"device_0/{k}": v for k, v in disk.items()})
    out.append((f"{s.name}-diskinspect.zip", write_zip(inspect, collected)))
    root = f"{collected:%Y-%m-%d_%H.%M.%S}_UTC/"
    repair = {f"{root}F/{k}": v for k, v in disk.items() if k.startswith("WindowsAzure/")}
    repair[f"{root}collectedLogFiles.csv"] = repair_csv(repair, root)
    repair[f"{root}F/healthSignals_latest.json"] = s.health_last.encode()
    repair[f"{root}failedLogFiles.log"] = CRLF.join(
        f"NOT FOUND: F:\\{p}" for p in ("WindowsAzure\\Logs\\Telemetry.log", "WindowsAzure\\Logs\\AppAgentRuntime.log",
                                        "Windows\\Panther\\WaSetup.xml")).encode() + CRLF.encode()
    out.append((f"{s.name}-vmrepair.zip", write_zip(repair, collected)))
    return out


DISKINFO = ("Windows drive letter mappings:\nC: /dev/sdc2\n\nFilesystem      Size  Used Avail Use% Mounted on\n"
            "/dev/root       4.0G  431M  3.4G  12% /\n/dev/sdc2       127G   86G   41G  68% /sysroot\n\n"
            "[Device: /dev/sdc2, mountpoint: /sysroot ]\nbsize: 4096\nfrsize: 4096\nblocks: 33291775\n"
            "bfree: 10748211\nbavail: 10748211\nfiles: 42991616\nffree: 42704133\nnamemax: 255\n")


def diskinspect_results(members: dict[str, bytes], when: datetime) -> bytes:
    t = when - timedelta(seconds=40)
    out = [f"{t:%H:%M:%S}  Listing contents of /WindowsAzure:", "", "total 24",
           "drwxrwxrwx 1 0 0 4096 Nov 18 09:12 GuestAgent_2.7.41491.1102_2026-10-02_021455",
           "drwxrwxrwx 1 0 0    0 Nov 20 02:00 Logs", "drwxrwxrwx 1 0 0 4096 Oct  2 02:16 Packages", ""]
    for name, data in members.items():
        t += timedelta(milliseconds=420)
        out.append(f"{t:%H:%M:%S}  Copied /{name} ({len(data)} bytes)")
    for missing in ("/WindowsAzure/Logs/Telemetry.log", "/Windows/Panther/WaSetup.xml",
                    f"/Packages/Plugins/{EXT}/{EXT_VER}/SeqNumber.txt"):
        out.append(f"{t:%H:%M:%S}  FAILED to copy {missing}: file not found")
    return ("\n".join(out) + "\n").encode()


def repair_csv(members: dict[str, bytes], root: str) -> bytes:
    rows = ["sep=,", '"Source Log File","Type","Destination Log File","Number of Destination Files","Size (Bytes)"']
    for name, data in members.items():
        rel = name[len(root):]
        rows.append(f'"F:\\{rel[2:].replace("/", chr(92))}","File","{rel.replace("/", chr(92))}","1","{len(data)}"')
    return (CRLF.join(rows) + CRLF).encode()


def build_status_unavailable() -> list[tuple[str, bytes]]:
    vm = Vm("file-srv-03", "2.7.41491.1083", "Windows Server 2016 Datacenter", "10.0.14393", "us", ip="10.1.3.20",
            nic="Ethernet 3")
    s = Sim("windows-snapshot-status-unavailable", vm, t_("2024-06-12 23:30:40"))
    s.boot()
    reboot = s.last_job - timedelta(hours=19)
    s.daily_jobs(reboot)
    s.quiet(reboot)
    w = s.wa
    w.warn("WindowsAzureGuestAgent stopping.", T_STOP)
    w.info("WindowsAzureGuestAgent stopped.", T_STOP)
    w.at(w.t + timedelta(minutes=3, seconds=12))
    s.dhcp = False
    s.alive = False
    s.next_health = w.t
    s.boot(fabric=False)

    def retry(sim: Sim, t: datetime) -> None:
        sim.wa.info(f"Attempting to discover fabric address on interface {sim.vm.nic}.", T_NET)
        sim.wa.warn("Empty DHCP option data returned", T_NET + 0x13)
        sim.wa.error(f"Did not discover fabric address on interface {sim.vm.nic}", T_NET)

    collected = s.wind_down(2, 6, retry)
    agg = Agg(reboot - timedelta(minutes=20))
    return [s.zipped(agg, collected)]


def stuck_enable(s: Sim, job: Job) -> Outcome | None:
    """enable.cmd never returns: the agent kills it and the status file never appears."""
    x = ext_start(s, job)
    x.info("IaaSVmProvider service is running", 0x09)
    x.info("Loading iaasvmprovider.dll", 0x09)
    w = s.wa
    for n in range(4):
        w.at(job.start + timedelta(minutes=4 * n + 3, seconds=s.rnd.int(0, 50)))
        w.warn(f"Status file {PLUGIN_DIR}\\Status\\{job.seq}.status is not available for the Extension '' yet.",
               T_PLUGIN + 0x17)
    w.at(job.start + timedelta(minutes=20, seconds=1))
    w.error(f"Command {ENABLE_CMD} of {EXT} has not exited on time! Killing it...", T_PLUGIN)
    w.error(f"Enable command of {EXT} has exited with Exit code: -2", T_PLUGIN)
    w.warn(enable_failed("has not exited on time! Killing it..., Code: 1009"), T_PLUGIN)
    s.service_event("Volume Shadow Copy", True, job.start + timedelta(seconds=11))
    return None


def exit1_enable(s: Sim, job: Job) -> Outcome | None:
    """The handler process fails to load and enable.cmd exits 1."""
    x = ext_start(s, job)
    x.error("Could not load file or assembly 'Microsoft.WindowsAzure.Storage, Version=9.3.2.0' or one of its "
            "dependencies. The located assembly's manifest definition does not match the assembly reference. "
            "(Exception from HRESULT: 0x80131040)", 0x01)
    w = s.wa
    w.at(x.t + timedelta(seconds=2))
    enable_exited(w, 1, "\n   at Microsoft.WindowsAzure.GuestAgent.ContainerStateMachine.HandlerStateMachine."
                        "InvokeCommand(String command, PluginArtifacts pluginArtifact, String pluginVersion, "
                        "String pluginFolder, "
                        "String pluginLogFolder, Int32 processWaitTimeout, PluginEventType startType, "
                        "PluginEventType endType, CancellationToken ct)")
    return None


def build_ext_load_failed() -> list[tuple[str, bytes]]:
    vm = Vm("rds-host-11", "2.7.41491.1102", "Windows Server 2022 Datacenter", "10.0.20348", "iso-ms", ip="10.5.0.11")
    s = Sim("windows-extension-update-or-load-failed", vm, t_("2026-11-20 03:00:09"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=20))
    s.job(s.last_job - timedelta(hours=18), exit1_enable)
    s.job(s.last_job, stuck_enable)
    collected = s.wind_down(4, 2)
    agg = Agg(s.last_job + timedelta(minutes=21), handler_status="NotReady", handler_code=1009,
              handler_message=enable_failed("has not exited on time! Killing it..."))
    return [s.zipped(agg, collected, hb_ready=False)]


def vss_fail(s: Sim, job: Job) -> Outcome:
    x = ext_start(s, job)
    set_id = "{" + s.rnd.guid() + "}"
    x.info("IaaSVmProvider service is running", 0x09)
    x.info(f"Snapshot consistency requested: ApplicationConsistent, volumes: {', '.join(s.vm.volumes)}", 0x09)
    x.info(f"Creating shadow copy set {set_id}", 0x09)
    x.at(x.t + timedelta(seconds=62))
    x.error("DoSnapshotSet failed with hr = 0x80042314, The shadow copy provider timed out while holding writes to the "
            "volume being shadow copied. This is probably due to excessive activity on the volume by an application or "
            "a system service. Try again later when activity on the volume is reduced.", 0x09)
    x.warn("Writer 'SqlServerWriter' state: [8] Failed, last error: Retryable error", 0x09)
    x.warn("Writer 'System Writer' state: [1] Stable, last error: No error", 0x09)
    x.error("Snapshot operation failed because VSS writers were in a bad state. (ExtensionFailedVssWriterInBadState)",
            0x09)
    end = x.t
    vol = "\\\\?\\Volume{" + s.rnd.guid() + "}\\"
    s.service_event("Volume Shadow Copy", True, job.start + timedelta(seconds=9))
    s.app.append(Event(end - timedelta(seconds=3), "Application", "VSS", 12289, "Error",
                       f"Volume Shadow Copy Service error: Unexpected error DeviceIoControl({vol} - 0000000000000A64,"
                       "0x0053c008,0000000000000000,0,00000000000B2130,4096,[0]).  hr = 0x80042314, The shadow copy "
                       "provider timed out while holding writes to the volume being shadow copied. This is probably "
                       "due to excessive activity on the volume by an application or a system service. Try again later "
                       "when activity on the volume is reduced.\n\nOperation:\n   Processing EndPrepareSnapshots\n\n"
                       "Context:\n"
                       f"   Execution Context: System Provider\n   Snapshot Set ID: {set_id}"))
    s.app.append(Event(end - timedelta(seconds=2), "Application", "VSS", 8193, "Error",
                       "Volume Shadow Copy Service error: Unexpected error calling routine IVssWriterCallback::Freeze. "
                       "hr = 0x800423f2, The writer's timeout expired between the Freeze and Thaw events.\n\n"
                       "Operation:\n"
                       "   Freeze Event\n\nContext:\n   Execution Context: Writer\n"
                       "   Writer Class Id: {a65faa63-5ea8-4ebc-9dbd-a0c4db26912a}\n   Writer Name: SqlServerWriter"))
    s.system.append(Event(end - timedelta(seconds=4), "System", "volsnap", 8, "Error",
                          "The flush and hold writes operation on volume F: timed out while waiting for a release "
                          "writes command.", qualifiers=49152))
    s.app.append(Event(end + timedelta(minutes=3), "Application", "VSS", 8224, "Information", s.txt["vss_idle"]))
    return ext_finish(x, job, Outcome("error", 2, "Snapshot operation failed because VSS writers were in a bad state.",
                                      "ExtensionFailedVssWriterInBadState", (128, 2), False))


def build_vss() -> list[tuple[str, bytes]]:
    vm = Vm("sql-win-12", "2.7.41491.1102", "Windows Server 2019 Datacenter", "10.0.17763", "iso-ms", ip="10.8.2.12",
            volumes=("C:\\", "F:\\", "G:\\"))
    s = Sim("windows-vss-failure", vm, t_("2026-11-20 22:00:12"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=2))
    s.job(s.last_job, vss_fail)
    collected = s.wind_down(3, 5)
    agg = Agg(s.last_job + timedelta(minutes=2), handler_message="Plugin enabled")
    return [s.zipped(agg, collected)]


def com_fail(s: Sim, job: Job) -> Outcome:
    x = ext_start(s, job)
    x.warn("IaaSVmProvider is not registered; installing the VSS provider", 0x09)
    x.error("Failed to register IaaSVmProvider with the COM+ catalog: System.Runtime.InteropServices.COMException "
            "(0x8004E00F): COM+ was unable to talk to the Microsoft Distributed Transaction Coordinator\n"
            "   at System.EnterpriseServices.Admin.ICatalogCollection.SaveChanges()", 0x09)
    x.error("Extension installation/operation failed due to a COM+ error (ExtensionInstallationFailedMDTC)", 0x09)
    end = x.t
    s.system.append(Event(end - timedelta(seconds=30), "System", "Service Control Manager", 7023, "Error",
                          "The Distributed Transaction Coordinator service terminated with the following error: \n"
                          "Access is denied.", qualifiers=49152))
    s.app.append(Event(end - timedelta(seconds=29), "Application", "MSDTC", 4163, "Error",
                       "MS DTC Transaction Manager start failed. LogInit returned error 0x5.", qualifiers=49152,
                       task=2, task_name="TM"))
    s.app.append(Event(end - timedelta(seconds=1), "Application", "COM+", 4689, "Error",
                       "The run-time environment has detected an inconsistency in its internal state. Please contact "
                       "Microsoft Product Support Services to report this error. Error Code = 0x8004e00f : COM+ was "
                       "unable to talk to the Microsoft Distributed Transaction Coordinator\n"
                       "COM+ Services Internals Information:\n"
                       "File: d:\\com\\complus\\src\\comsvcs\\admin\\catalog.cpp, "
                       "Line: 1612", qualifiers=49152, task=1, task_name="SVC"))
    return ext_finish(x, job, Outcome("error", 2, "Extension installation/operation failed due to a COM+ error",
                                      "ExtensionInstallationFailedMDTC", (128, 2), False))


def build_com() -> list[tuple[str, bytes]]:
    vm = Vm("erp-win-04", "2.7.41491.1102", "Windows Server 2016 Datacenter", "10.0.14393", "iso-ms", ip="10.3.0.4")
    s = Sim("windows-com-plus-failure", vm, t_("2026-11-20 01:00:44"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=2))
    s.job(s.last_job, com_fail)
    collected = s.wind_down(5, 1)
    agg = Agg(s.last_job + timedelta(minutes=1), encoding="utf-16-le", nul_pad=384)
    return [s.zipped(agg, collected)]


def applocker_event(s: Sim, t: datetime) -> Event:
    path = BCDR_EXE.replace("C:", "%OSDRIVE%").upper()
    return Event(t, "Microsoft-Windows-AppLocker/EXE and DLL", "Microsoft-Windows-AppLocker", 8004, "Error",
                 f"{path} was prevented from running.", qualifiers=None, user="S-1-5-18", classic=False)


def crash_run(s: Sim, job: Job) -> Outcome | None:
    x = ext_start(s, job)
    x.info("IaaSVmProvider service is running", 0x09)
    s.app.append(Event(x.t + timedelta(seconds=1), "Application", "Application Error", 1000, "Error",
                       f"Faulting application name: IaaSBcdrExtension.exe, version: {EXT_VER}, time stamp: 0x64f1c2a9\n"
                       "Faulting module name: KERNELBASE.dll, version: 10.0.17763.5696, time stamp: 0x3f4c0e71\n"
                       "Exception code: 0xe0434352\nFault offset: 0x0000000000040ab9\n"
                       f"Faulting process id: 0x{s.rnd.int(0x800, 0x2fff):x}\n"
                       f"Faulting application start time: 0x01db{s.rnd.hexs(12)}\n"
                       f"Faulting application path: {BCDR_EXE}\n"
                       "Faulting module path: C:\\Windows\\System32\\KERNELBASE.dll\n"
                       f"Report Id: {s.rnd.guid()}\nFaulting package full name: \n"
                       "Faulting package-relative application ID: ", task=100, task_name="Application Crashing Events"))
    s.wa.at(x.t + timedelta(seconds=3))
    s.wa.warn(enable_failed("has exited with Exit code: -532462766, Code: 1009"), T_PLUGIN)
    return None


def blocked_run(s: Sim, job: Job) -> Outcome | None:
    t = job.start + timedelta(seconds=1)
    s.extra_events.append(applocker_event(s, t))
    s.wa.at(t + timedelta(seconds=1))
    enable_exited(s.wa, 1)
    return None


def build_app_control() -> list[tuple[str, bytes]]:
    vm = Vm("hr-win-09", "2.7.41491.1083", "Windows Server 2019 Datacenter", "10.0.17763", "us", ip="10.6.1.9")
    s = Sim("windows-application-control-blocking", vm, t_("2025-09-17 20:30:05"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=26))
    s.job(s.last_job - timedelta(days=1), crash_run)
    s.job(s.last_job, blocked_run)
    collected = s.wind_down(14, 9)
    s.extra_logs["EventLogs/Microsoft-Windows-AppLocker-EXE and DLL.txt"] = wevtutil_text(s.extra_events, vm.host, "en")
    agg = Agg(s.last_job + timedelta(minutes=1), handler_status="NotReady", handler_code=1009,
              handler_message=enable_failed("has exited with Exit code: 1"))
    return [s.zipped(agg, collected, hb_ready=False)]


def cert_fail(s: Sim, job: Job) -> Outcome:
    x = s.xl
    x.at(job.start + s.rnd.us(300, 1500))
    x.info(f"IaaSBcdrExtension starting. Version {EXT_VER}, operation enable, sequence number {job.seq}, process id "
           f"{s.rnd.int(1200, 9800)}", 0x01)
    x.info(f"Reading runtime settings {PLUGIN_DIR}\\RuntimeSettings\\{job.seq}.settings", 0x01)
    x.error(f"Failed to decode, decrypt, and deserialize the protected settings string. Error Message: Keyset does not "
            f"exist (certificate {s.thumb})", 0x01)
    x.error("FailedToDecryptProtectedSettings", 0x01)
    return ext_finish(x, job, Outcome("error", 2, "FailedToDecryptProtectedSettings: the protected settings could not "
                                      "be decrypted with the guest agent certificate", "GuestAgentCertificateNotFound",
                                      (256, 16), False))


def build_cert() -> list[tuple[str, bytes]]:
    vm = Vm("dc-win-01", "2.7.41491.1083", "Windows Server 2019 Datacenter", "10.0.17763", "us", ip="10.0.0.10")
    s = Sim("windows-guest-certificate-missing", vm, t_("2025-03-02 19:00:51"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=2))
    s.quiet(s.last_job - timedelta(minutes=1))
    w = s.wa
    sub = s.rnd.guid()
    w.error("RdCrypt Initialization failed. Error Code: -2147023143.", T_STOP)
    w.error("Failed to get TransportCertificate. Error: System.AccessViolationException\n"
            "Microsoft.Cis.Fabric.CertificateServices.RdCertificateFactory.Shutdown()", T_STOP)
    w.warn(f"Could not get transport certificate from agent runtime for subject name: {sub}. Installing certificates "
           "in the LocalMachine store failed.", T_STOP)
    w.error("Installing certificates in the LocalMachine store failed with exception: "
            "Microsoft.WindowsAzure.GuestAgent.CertificateManager.CryptographyNative+PInvokeException: "
            "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86.", T_STOP)
    s.job(s.last_job, cert_fail)
    collected = s.wind_down(15, 3)
    agg = Agg(s.last_job + timedelta(minutes=1))
    return [s.zipped(agg, collected)]


def starving(s: Sim, job: Job) -> Outcome:
    x = ext_start(s, job)
    x.info("IaaSVmProvider service is running", 0x09)
    x.at(x.t + timedelta(seconds=95))
    x.error("Failed to install the VSS provider: There is insufficient memory available in COM+ memory quota. "
            "(ExtensionInstallProviderCOMMemoryQuotaReached)", 0x09)
    x.error("System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.\n"
            "   at System.Collections.Generic.List`1.set_Capacity(Int32 value)", 0x09)
    end = x.t
    s.system.append(Event(end - timedelta(minutes=7), "System", "Microsoft-Windows-Resource-Exhaustion-Detector", 2004,
                          "Warning", "Windows successfully diagnosed a low virtual memory condition. The following "
                          "programs consumed the most virtual memory: sqlservr.exe (3948) consumed 29843165184 bytes, "
                          "MsMpEng.exe (2712) consumed 431259648 bytes, and WindowsAzureGuestAgent.exe (1904) consumed "
                          "187301888 bytes.", qualifiers=None, task=3, task_name="Resource Exhaustion Diagnosis Events",
                          user="S-1-5-18", classic=False))
    return ext_finish(x, job, Outcome("error", 2, "Snapshot operation failed due to inadequate VM resources.",
                                      "ExtensionFailedOutOfMemoryError", (256, 2), False))


def build_low_resources() -> list[tuple[str, bytes]]:
    vm = Vm("sql-win-21", "2.7.41491.1102", "Windows Server 2022 Datacenter", "10.0.20348", "iso-ms", ip="10.8.4.21")
    s = Sim("windows-low-resources", vm, t_("2026-11-20 00:30:27"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=8))
    s.heart_every = timedelta(minutes=47)
    s.quiet(s.last_job - timedelta(minutes=1))
    s.job(s.last_job, starving)
    collected = s.wind_down(9, 2)
    agg = Agg(s.last_job + timedelta(minutes=4))
    return [s.zipped(agg, collected)]


BUILDERS = (build_healthy, build_agent_unresponsive, build_no_internet, build_status_unavailable, build_ext_load_failed,
            build_vss, build_com, build_app_control, build_cert, build_low_resources)


def generate(out: Path) -> list[Path]:
    """Write every Windows sample into ``out``; return the paths written."""
    return common.write_bundles(BUILDERS, out)


def main(argv: list[str] | None = None) -> int:
    return common.main(generate, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
