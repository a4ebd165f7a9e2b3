#!/usr/bin/env python3
"""Write sample support bundles of Linux VMs whose Azure backup failed.

Usage::

    python samples/generate.py [--out DIR]      # default: samples/bundles/

Every bundle is built from a small library of line templates (waagent.log in
each agent generation's layout, VMSnapshotLinux extension.log / shell.log,
status and handler files, goal-state XML, collector results.txt). Nothing is
random at run time: each bundle draws from its own seeded ``random.Random``
and every archive entry carries a fixed timestamp, so two runs write
byte-identical files. Only the standard library is used. The Windows bundles
come from ``windows.py`` beside this file and are written in the same run.
"""
from __future__ import annotations

import base64
import json
import sys
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # samples/ is no package: common.py and windows.py sit here
import common  # noqa: E402
import windows  # noqa: E402
from common import UTC, WIRE, Rand, iso_s, t_, tar_gz_bytes, ticks, zip_bytes  # noqa: E402

EXT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
EXT_TAG = f"[{EXT}-1.0]"
EXT_LOG_DIR = f"var/log/azure/{EXT}/"


# ---------------------------------------------------------------- helpers

def vt(version: str) -> tuple[int, ...]:
    """Version string to a comparable tuple."""
    return tuple(int(p) for p in version.split("."))


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def shell_date(t: datetime) -> str:
    """``date -u`` in the C locale: ``Thu Nov  5 02:00:04 UTC 2026``."""
    return t.strftime("%a %b ") + f"{t.day:2d}" + t.strftime(" %H:%M:%S UTC %Y")


def syslog_date(t: datetime) -> str:
    return t.strftime("%b ") + f"{t.day:2d}" + t.strftime(" %H:%M:%S")


# ---------------------------------------------------------------- profiles

OS_RELEASE = {
    "ubuntu-22.04": ('ubuntu', '22.04', 'Ubuntu 22.04.5 LTS',
                     'NAME="Ubuntu"\nVERSION="22.04.5 LTS (Jammy Jellyfish)"\nID=ubuntu\n'
                     'ID_LIKE=debian\nPRETTY_NAME="Ubuntu 22.04.5 LTS"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n'),
    "ubuntu-20.04": ('ubuntu', '20.04', 'Ubuntu 20.04.6 LTS',
                     'NAME="Ubuntu"\nVERSION="20.04.6 LTS (Focal Fossa)"\nID=ubuntu\n'
                     'ID_LIKE=debian\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\nVERSION_ID="20.04"\nVERSION_CODENAME=focal\n'),
    "ubuntu-20.04.1": ('ubuntu', '20.04', 'Ubuntu 20.04.1 LTS',
                       'NAME="Ubuntu"\nVERSION="20.04.1 LTS (Focal Fossa)"\nID=ubuntu\n'
                       'ID_LIKE=debian\nPRETTY_NAME="Ubuntu 20.04.1 LTS"\nVERSION_ID="20.04"\n'
                       'VERSION_CODENAME=focal\n'),
    "ubuntu-24.04": ('ubuntu', '24.04', 'Ubuntu 24.04.1 LTS',
                     'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\n'
                     'VERSION="24.04.1 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n'),
    "debian-11": ('debian', '11', 'Debian GNU/Linux 11 (bullseye)',
                  'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\n'
                  'VERSION_ID="11"\nVERSION="11 (bullseye)"\nVERSION_CODENAME=bullseye\nID=debian\n'),
    "debian-12": ('debian', '12', 'Debian GNU/Linux 12 (bookworm)',
                  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
                  'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'),
    "rhel-8.4": ('rhel', '8.4', 'Red Hat Enterprise Linux 8.4 (Ootpa)',
                 'NAME="Red Hat Enterprise Linux"\nVERSION="8.4 (Ootpa)"\nID="rhel"\n'
                 'ID_LIKE="fedora"\nVERSION_ID="8.4"\nPLATFORM_ID="platform:el8"\n'
                 'PRETTY_NAME="Red Hat Enterprise Linux 8.4 (Ootpa)"\n'),
    "rhel-8.8": ('rhel', '8.8', 'Red Hat Enterprise Linux 8.8 (Ootpa)',
                 'NAME="Red Hat Enterprise Linux"\nVERSION="8.8 (Ootpa)"\nID="rhel"\n'
                 'ID_LIKE="fedora"\nVERSION_ID="8.8"\nPLATFORM_ID="platform:el8"\n'
                 'PRETTY_NAME="Red Hat Enterprise Linux 8.8 (Ootpa)"\n'),
    "centos-7": ('centos', '7.9.2009', 'CentOS Linux 7 (Core)',
                 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\n'
                 'VERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\nCPE_NAME="cpe:/o:centos:centos:7"\n'),
    "centos-8": ('centos', '8.3.2011', 'CentOS Linux 8',
                 'NAME="CentOS Linux"\nVERSION="8"\nID="centos"\nID_LIKE="rhel fedora"\n'
                 'VERSION_ID="8"\nPLATFORM_ID="platform:el8"\nPRETTY_NAME="CentOS Linux 8"\n'),
    "oracle-7.9": ('ol', '7.9', 'Oracle Linux Server 7.9',
                   'NAME="Oracle Linux Server"\nVERSION="7.9"\nID="ol"\nID_LIKE="fedora"\n'
                   'VERSION_ID="7.9"\nPRETTY_NAME="Oracle Linux Server 7.9"\n'),
    "sles-12.5": ('sles', '12.5', 'SUSE Linux Enterprise Server 12 SP5',
                  'NAME="SLES"\nVERSION="12-SP5"\nVERSION_ID="12.5"\n'
                  'PRETTY_NAME="SUSE Linux Enterprise Server 12 SP5"\nID="sles"\nANSI_COLOR="0;32"\n'
                  'CPE_NAME="cpe:/o:suse:sles:12:sp5"\n'),
    "sles-15.4": ('sles', '15.4', 'SUSE Linux Enterprise Server 15 SP4',
                  'NAME="SLES"\nVERSION="15-SP4"\nVERSION_ID="15.4"\n'
                  'PRETTY_NAME="SUSE Linux Enterprise Server 15 SP4"\nID="sles"\nID_LIKE="suse"\n'
                  'CPE_NAME="cpe:/o:suse:sles:15:sp4"\n'),
    "alma-9.4": ('almalinux', '9.4', 'AlmaLinux 9.4 (Seafoam Ocelot)',
                 'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\n'
                 'ID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\n'
                 'PRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n'),
    "coreos": ('coreos', '2303.3.0', 'Container Linux by CoreOS 2303.3.0 (Rhyolite)',
               'NAME="Container Linux by CoreOS"\nID=coreos\n'
               'VERSION=2303.3.0\nVERSION_ID=2303.3.0\nBUILD_ID=2019-12-02-2049\n'
               'PRETTY_NAME="Container Linux by CoreOS 2303.3.0 (Rhyolite)"\nANSI_COLOR="38;5;75"\n'
               'HOME_URL="https://coreos.com/"\n'),
}


@dataclass
class Profile:
    """One VM: agent, distro, extension, time zone."""
    host: str
    agent: str            # goal-state agent (extension handling)
    daemon: str
    gen: str              # "2.0" | "old" | "2.2.46" | "modern"
    distro: str           # key of OS_RELEASE
    python: str
    kernel: str
    ext_ver: str          # VMSnapshotLinux handler version
    tz_hours: int = 0     # VM local time offset (old formats only)
    auto_update: bool = True
    ext_enabled: bool = True
    python_bin: str = "/usr/bin/python3"
    service: str = "walinuxagent.service"
    other_ext: str = "Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.28.11"
    disks: int = 2
    mounts: tuple[str, ...] = ("/data", "/")

    @property
    def os(self):
        return OS_RELEASE[self.distro]

    @property
    def ext_dir(self) -> str:
        return f"var/lib/waagent/{EXT}-{self.ext_ver}/"

    @property
    def ext_prefix(self) -> str:
        return f"[{EXT}-{self.ext_ver}]"

    @property
    def egg(self) -> str:
        tag = "py3.12" if vt(self.agent) >= (2, 12) else "py3.8" if vt(self.agent) >= (2, 3) else "py2.7"
        return f"bin/WALinuxAgent-{self.agent}-{tag}.egg"

    def local(self, t: datetime) -> datetime:
        return t + timedelta(hours=self.tz_hours)


# ---------------------------------------------------------------- waagent.log

class WaLog:
    """waagent.log writer that renders each agent generation's line layout."""

    def __init__(self, prof: Profile, rnd: Rand, start: datetime):
        self.p, self.rnd, self.t, self.lines = prof, rnd, start, []

    def at(self, t: datetime) -> None:
        self.t = t

    def step(self, lo=1.0, hi=40.0) -> datetime:
        self.t += self.rnd.us(lo, hi)
        return self.t

    def _prefix(self, who: str | None) -> str | None:
        return self.p.ext_prefix if who == "EXT" else who

    def emit(self, level: str, who: str | None, msg: str, thread: str | None = None) -> None:
        """Append one record; ``who`` is Daemon, ExtHandler, LogCollector, EXT or None."""
        t = self.step()
        gen, prefix = self.p.gen, self._prefix(who)
        if gen == "2.0":
            stamp = self.p.local(t).strftime("%Y/%m/%d %H:%M:%S")
            mark = f"{level}:" if level in ("WARNING", "ERROR") else ""
            for part in msg.split("\n"):
                self.lines.append(f"{stamp} {mark}{part}")
            return
        if gen == "modern":
            if thread is None:
                thread = {"Daemon": "Daemon", "LogCollector": "MainThread"}.get(who, "ExtHandler")
            head = f"{iso(t)} {level} {thread}"
        elif gen == "2.2.46":
            head = f"{iso(t)} {level}"
        else:
            head = f"{self.p.local(t).strftime('%Y/%m/%d %H:%M:%S.%f')} {level}"
        if prefix:
            head += f" {prefix}"
        self.lines.append(f"{head} {msg}")

    def info(self, who, msg, thread=None):
        self.emit("INFO", who, msg, thread)

    def warn(self, who, msg, thread=None):
        self.emit("WARNING", who, msg, thread)

    def error(self, who, msg, thread=None):
        self.emit("ERROR", who, msg, thread)

    def event(self, name: str, op: str, message: str, thread=None) -> None:
        """A failed telemetry event as the agent echoes it into the log."""
        encode = op in ("Enable", "Install", "Disable", "UnInstall") and (2, 2, 27) <= vt(self.p.agent) < (2, 3)
        if encode:
            message = base64.b64encode(zlib.compress(message.encode())).decode()
        self.error("ExtHandler", f"Event: name={name}, op={op}, message={message}, duration=0", thread)

    def text(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode()


def daemon_start(w: WaLog, lease_ok: bool = True) -> None:
    p = w.p
    distro = f"{p.os[0]} {p.os[1]}"
    if p.gen == "2.0":
        for m in (f"Azure Linux Agent Version: WALinuxAgent-{p.agent}", f"Linux Distribution Detected      : {p.os[0]}",
                  "Module loaded: hv_storvsc", "Module loaded: hv_netvsc", "Module loaded: hv_vmbus",
                  f"Wire server endpoint:{WIRE}", "Fabric preferred wire protocol version:2015-04-05",
                  "Negotiated wire protocol version:2012-11-30", "Provisioning image started",
                  "Provisioning image completed"):
            w.info(None, m)
        return
    ver = (f"Azure Linux Agent Version: {p.daemon}" if vt(p.daemon) >= (2, 8)
           else f"Azure Linux Agent Version:{p.daemon}")
    for m in (ver, f"OS: {distro}", f"Python: {p.python}", "Run daemon"):
        w.info("Daemon", m)
    if vt(p.daemon) >= (2, 8):
        w.info("Daemon", "Clean protocol and wireserver endpoint")
    w.info("Daemon", "WireServer endpoint is not found. Rerun dhcp handler")
    w.info("Daemon", f"Test for route to {WIRE}")
    if not lease_ok:
        return
    w.info("Daemon", f"Route to {WIRE} exists")
    w.info("Daemon", f"Wire server endpoint:{WIRE}")
    w.info("Daemon", "Fabric preferred wire protocol version:2015-04-05")
    w.info("Daemon", "Wire protocol version:2012-11-30")
    w.info("Daemon", "Server preferred version:2015-04-05")


def launch_exthandler(w: WaLog, pid: int) -> None:
    p = w.p
    if p.gen == "2.0":
        return
    if p.agent == p.daemon:
        w.info("Daemon", f"Installed Agent WALinuxAgent-{p.agent} is the most current agent")
    else:
        w.info("Daemon", f"Determined Agent WALinuxAgent-{p.agent} to be the latest agent")
    cmd = (f"{p.python_bin} -u {p.egg} -run-exthandlers" if p.agent != p.daemon
           else f"{p.python_bin} -u /usr/sbin/waagent -run-exthandlers")
    w.info("Daemon", f"Agent WALinuxAgent-{p.agent} launched with command '{cmd}' is successfully running")
    if vt(p.agent) >= (2, 8):
        w.info("ExtHandler", f"Azure Linux Agent (Goal State Agent version {p.agent})")
    else:
        w.info("ExtHandler", f"Agent WALinuxAgent-{p.agent} is running as the goal state agent")
    w.info("ExtHandler", f"OS: {p.os[0]} {p.os[1]}")
    w.info("ExtHandler", f"Python: {p.python}")
    if vt(p.agent) >= (2, 3):
        w.info("ExtHandler", "CPU Arch: x86_64")
    w.info("ExtHandler", f"WALinuxAgent-{p.agent} running as process {pid}")
    if not p.auto_update:
        w.info("ExtHandler", "******** AutoUpdate.Enabled is set to False, not processing the operation ********")
    if not p.ext_enabled:
        w.info("ExtHandler", "******** Extensions.Enabled is set to False, not processing the operation ********")
    w.info("ExtHandler", f"Wire server endpoint:{WIRE}")
    if vt(p.agent) >= (2, 2, 47):
        w.info("ExtHandler", "Successfully added Azure fabric firewall rules")


def heartbeat(w: WaLog, n: int, hb_id: str, gs_errors: int = 0) -> None:
    p = w.p
    if vt(p.agent) < (2, 2, 47) or p.gen == "2.0":
        return
    base = f"[HEARTBEAT] Agent WALinuxAgent-{p.agent} is running as the goal state agent"
    if vt(p.agent) < (2, 2, 53):
        w.info("ExtHandler", base)
        return
    dbg = (f"HeartbeatCounter: {n};HeartbeatId: {hb_id};DroppedPackets: 0;UpdateGSErrors: {gs_errors};"
           f"AutoUpdate: {int(p.auto_update)}")
    if vt(p.agent) >= (2, 12):
        dbg += ";UpdateMode: SelfUpdate;"
    w.info("ExtHandler", f"{base} [DEBUG {dbg}]")


def env_command(p: Profile, seq: int) -> str:
    path = f"/{p.ext_dir.rstrip('/')}"
    env = {"AZURE_GUEST_AGENT_EXTENSION_PATH": path, "AZURE_GUEST_AGENT_EXTENSION_VERSION": p.ext_ver,
           "AZURE_GUEST_AGENT_WIRE_PROTOCOL_ADDRESS": WIRE, "ConfigSequenceNumber": str(seq)}
    return f"Executing command: {path}/main/handle.sh enable with environment variables: {json.dumps(env)}"


def agent_job_start(w: WaLog, inc: int, seq: int, rnd: Rand) -> None:
    """Goal state with a new VMSnapshotLinux sequence number, up to the launch of handle.sh enable."""
    p = w.p
    if p.gen == "2.0":
        w.info(None, f"Goal state incarnation {inc} received")
        w.info(None, f"Processing Plugin {EXT} version {p.ext_ver} state enabled")
        w.info(None, f"Spawned main/handle.sh enable PID {rnd.int(2000, 30000)}")
        return
    if vt(p.agent) >= (2, 8):
        w.info(None, f"Fetching full goal state from the WireServer [incarnation {inc}]")
        w.info(None, "Fetch goal state from WireServer completed")
    if vt(p.agent) >= (2, 5):
        created = iso(w.t - timedelta(seconds=rnd.int(2, 9)))[:-4] + "Z"
        w.info("ExtHandler", f"ProcessExtensionsGoalState started [incarnation_{inc} channel: WireServer "
                             f"source: Fabric activity: {rnd.guid()} correlation {rnd.guid()} created: {created}]")
        tag = f" [incarnation_{inc}]"
    else:
        tag = ""
    modern = p.gen == "modern" and vt(p.agent) >= (2, 3)
    w.info("EXT", f"Target handler state: enabled{tag}")
    w.info("EXT", "[Enable] current handler state is: enabled")
    if modern:
        w.info("EXT", "Requested extension state: enabled")
    w.info("EXT", f"Update settings file: {seq}.settings")
    w.info("EXT", "Enable extension: [main/handle.sh enable]" if modern else "Enable extension [main/handle.sh enable]")
    if modern:
        w.info("EXT", env_command(p, seq))
        if vt(p.agent) >= (2, 5):
            w.info("ExtHandler", f"[CGI] Started extension in unit 'enable_{rnd.guid()}.scope'")


def agent_job_end(w: WaLog, inc: int, rnd: Rand, stdout: str = "") -> None:
    """Command output and the end of goal-state processing."""
    p = w.p
    if p.gen == "2.0":
        w.info(None, "Finished processing ExtensionsConfig.xml")
        return
    if p.gen == "modern" and vt(p.agent) >= (2, 3):
        out = stdout or "Information: Space available in event directory : 39980544B\nClearing the temp directory"
        w.info("EXT", f"Command: main/handle.sh enable\n[stdout]\n{out}\n[stderr]")
    ms = rnd.int(1800, 9000)
    if vt(p.agent) >= (2, 5):
        w.info("ExtHandler", f"ProcessExtensionsGoalState completed [incarnation_{inc} {ms} ms]\n")
    else:
        w.info("ExtHandler", f"ProcessGoalState completed [incarnation {inc}; {ms} ms]")


def agent_terminal(w: WaLog, state: str = "success") -> None:
    if w.p.gen == "modern" and vt(w.p.agent) >= (2, 5):
        w.info("ExtHandler", f"All extensions in the goal state have reached a terminal state: [('{EXT}', '{state}')]")


def other_extension(w: WaLog, inc: int) -> None:
    """The routine lines a second, unrelated extension adds to a goal state."""
    name = w.p.other_ext
    if w.p.gen == "2.0":
        w.info(None, f"Processing Plugin {name.rsplit('-', 1)[0]} version {name.rsplit('-', 1)[1]} state enabled")
        return
    tag = f" [incarnation_{inc}]" if vt(w.p.agent) >= (2, 5) else ""
    prefix = f"[{name}]"
    for msg in (f"Target handler state: enabled{tag}", "[Enable] current handler state is: enabled"):
        if w.p.gen == "modern":
            w.lines.append(f"{iso(w.step())} INFO ExtHandler {prefix} {msg}")
        elif w.p.gen == "2.2.46":
            w.lines.append(f"{iso(w.step())} INFO {prefix} {msg}")
        else:
            w.lines.append(f"{w.p.local(w.step()).strftime('%Y/%m/%d %H:%M:%S.%f')} INFO {prefix} {msg}")


def quiet_period(w: WaLog, until: datetime, hb: list, gs_errors: int = 0, extra=None) -> None:
    """Heartbeats (or, for old agents, update checks) every 30 minutes up to ``until``."""
    p = w.p
    t = w.t
    while True:
        t = t + timedelta(minutes=30) + w.rnd.us(0, 900)
        if t >= until:
            break
        w.at(t)
        if p.gen == "modern" and vt(p.agent) >= (2, 2, 47):
            hb[0] += 1
            heartbeat(w, hb[0], hb[1], gs_errors)
        elif p.gen in ("old", "2.2.46") and p.auto_update and t.minute < 30:
            w.info("ExtHandler", "Checking for agent updates (family: Prod)")
        elif p.gen == "2.0" and t.hour % 2 == 0 and t.minute < 30:
            w.info(None, "Sent heartbeat to fabric")
        if p.gen in ("old", "2.2.46") and t.hour == 14 and t.minute < 30:
            other_extension(w, 0)
            w.info("ExtHandler", f"ProcessGoalState completed [incarnation {t.day + 100}; {w.rnd.int(300, 2000)} ms]")
        if extra:
            extra(w, t)
    w.at(until)


# ---------------------------------------------------------------- extension logs

class ExtLog:
    """VMSnapshotLinux extension.log (shapes A, B, C, D) plus shell.log."""

    def __init__(self, prof: Profile, rnd: Rand):
        self.p, self.rnd, self.lines, self.shell = prof, rnd, [], []
        self.t = datetime(2000, 1, 1, tzinfo=UTC)
        self.py2 = prof.python.startswith("2")

    def step(self, lo=0.02, hi=2.0) -> datetime:
        self.t += self.rnd.us(lo, hi)
        return self.t

    def a(self, msg: str) -> None:
        t = self.step()
        if self.py2:
            stamp = self.p.local(t).strftime("%Y/%m/%d %H:%M:%S")
            first, *rest = msg.split("\n")
            self.lines.append(f"{stamp} {EXT_TAG}{first}")
            self.lines.extend(f"{stamp} {r}" for r in rest)
        else:
            self.lines.append(f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')} {EXT_TAG}{msg}")

    def err(self, msg: str) -> None:
        """hutil.error: shape B with ``ERROR:`` on every Python."""
        stamp = self.p.local(self.step()).strftime("%Y/%m/%d %H:%M:%S")
        self.lines.append(f"{stamp} ERROR:{EXT_TAG}{msg}")

    def sh(self, msg: str, t: datetime | None = None) -> None:
        self.shell.append(f"{shell_date(t or self.t)}- {msg}")


def c_line(t: datetime, level: str, msg: str, py2: bool) -> str:
    stamp = str(t.replace(tzinfo=None)) if py2 else t.strftime("%Y/%m/%d %H:%M:%S.%f")
    return f"{stamp}  {level}  {msg} "


def header_lines(x: ExtLog, seq: int, from_env: bool) -> None:
    x.a(f"Change log file to /{EXT_LOG_DIR}extension.log")
    if from_env:
        x.a(f"sequence number from environment variable is {seq}")
    else:
        x.a(f"sequence number based on config file-names is {seq}")
    x.a(f"setting file path is/{x.p.ext_dir}config/{seq}.settings")
    x.a("waagent new path is used")


SETTINGS_SENT = ("settings to be sent {'isSnapshotTtlEnabled': False, 'useMccfToFetchDsasForAllDisks': False, "
                 "'useMccfForLad': False, 'EnableVMSnapshotExtensionPolling': False}")


def py_trace(lines: list[tuple[str, int, str, str]], exc: str, pyver: str) -> str:
    out = ["Traceback (most recent call last):"]
    for f, n, fn, code in lines:
        out.append(f'  File "{f}", line {n}, in {fn}')
        out.append(f"    {code}")
    out.append(exc)
    return "\n".join(out)


@dataclass
class Job:
    """One backup job as the extension sees it."""
    seq: int
    start: datetime               # when handle.sh enable starts
    outcome: str = "success"
    task: str = ""
    cmd_start: datetime | None = None   # CRP command start (commandStartTimeUTCTicks)
    extra: dict = field(default_factory=dict)


@dataclass
class JobResult:
    status_json: bytes | None
    end: datetime
    top_code: str
    inner_status: str


def status_doc(p: Profile, job: Job, t: datetime, code: str, inner_status: str, message: str,
               health: tuple[int, int] | None, telemetry: list[tuple[str, str]] | None, snaps: list | None,
               used: int) -> bytes:
    """A status/N.status file: the real outcome is JSON-encoded inside substatus[0].name."""
    storage = {"partitionCount": len(p.mounts), "totalUsedSizeInBytes": used, "isStoragespacePresent": False,
               "isSizeComputationFailed": False}
    fmt = {"lang": "en-US", "message": json.dumps({"messageStr": message, "snapshotConsistency": 0, "jobMessage": "",
                                                   "isSizeComputationFailed": False})}
    inner = [{"version": "1.0", "timestampUTC": f"/Date({epoch_ms(t)})/",
              "status": {"name": EXT, "operation": "Enable", "status": inner_status, "substatus": [], "code": code,
                         "taskId": job.task, "formattedMessage": fmt, "storageDetails": storage,
                         "commandStartTimeUTCTicks": ticks(job.cmd_start or job.start),
                         "telemetryData": [{"Value": v, "Key": k} for k, v in telemetry] if telemetry else None,
                         "uniqueMachineId": "", "snapshotInfo": snaps,
                         "vmHealthInfo": ({"vmHealthState": health[0], "vmHealthStatusCode": health[1]}
                                          if health else None)}}]
    inner_text = json.dumps(inner).replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')
    outer = [{"version": "1.0", "timestampUTC": iso_s(t),
              "status": {"name": EXT, "operation": "Enable", "status": "success",
                         "substatus": [{"code": "0", "name": inner_text, "status": "success",
                                        "formattedMessage": None}],
                         "code": code, "taskId": job.task, "formattedMessage": fmt, "storageDetails": storage,
                         "commandStartTimeUTCTicks": ticks(job.cmd_start or job.start), "telemetryData": None,
                         "uniqueMachineId": "", "snapshotInfo": None, "vmHealthInfo": None}}]
    return json.dumps(outer).encode()


def base_telemetry(p: Profile) -> list[tuple[str, str]]:
    return [("pythonVersion", p.python), ("platformArchitecture", "64bit"), ("guestAgentVersion", p.agent),
            ("extensionVersion", p.ext_ver), ("osVersion", f"{p.os[2]}"), ("kernelVersion", p.kernel),
            ("workloads", "[]"), ("prePostEnabled", "False"), ("consistencyType", "none")]


HEALTH = {"1": (0, 1), "76": (256, 76), "85": (256, 85), "121": (128, 121), "122": (128, 122), "123": (128, 123),
          "402": (256, 402), "2": (0, 2)}
ERR_NAME = {"1": "success", "76": "FailedRetryableSnapshotFailedNoNetwork", "85": "FailedSnapshotLimitReached",
            "121": "FailedRetryableFsFreezeFailed", "122": "FailedRetryableFsFreezeTimeout",
            "123": "FailedRetryableUnableToOpenMount", "402": "FailedGuestAgentInvokedCommandTooLate", "2": "error"}


def blob_upload(x: ExtLog, kind: str, job: Job, ok: bool = True) -> None:
    host = x.p.host.replace("-", "") + "bkp"
    x.a("Returning HttpUtil")
    x.a("Entered HttpCallGetResponse, isHostCall: False")
    x.a(f"Details of sas uri object  hostname: {host}.blob.core.windows.net "
        f"path: /iaasvmcontainerv2/{kind}-{job.task}.txt")
    if ok:
        x.a("GetBlobProperties: HttpCallGetResponse : result :1, errMsg :None")
        x.a("httpresponse_get_blob_properties: Blob-properties response status:200")
        x.a(" resp status: 201")
        x.a("blob written succesfully")
        x.a("retry times is 0")
        return
    stamp = str(x.step(9000, 10500).replace(tzinfo=None))
    trace = urlopen_trace(x.p)
    x.a(f"GetBlobProperties: HttpCallGetResponse : result :15, errMsg :{stamp} Failed to call http with error: "
        f"<urlopen error timed out>, stack trace: {trace}")
    x.a("ClearPageBlob: Failed to clear to page-blob with error: 'NoneType' object has no attribute 'contentLength', "
        "stack trace: Traceback (most recent call last):\n"
        f'  File "/{x.p.ext_dir}main/blobwriter.py", line 112, in ClearPageBlob\n'
        "    blobSize = blobProperties.contentLength\n"
        "AttributeError: 'NoneType' object has no attribute 'contentLength'")
    x.a("blob failed to write")


def urlopen_trace(p: Profile) -> str:
    pyd = f"/usr/lib/python{'.'.join(p.python.split('.')[:2])}"
    return py_trace([(f"/{p.ext_dir}main/HttpUtil.py", 136, "HttpCallGetResponse",
                      "connection.request(method=method, url=(sasuri_obj.path + '?' + sasuri_obj.query), "
                      "body=data, headers = headers)"),
                     (f"{pyd}/http/client.py", 1283, "request",
                      "self._send_request(method, url, body, headers, encode_chunked)"),
                     (f"{pyd}/socket.py", 845, "create_connection", "sock.connect(sa)")],
                    "urllib.error.URLError: <urlopen error timed out>", p.python)


def enable_phase(x: ExtLog, job: Job, pre_host: str = "200") -> bytes:
    """handle.sh enable -> handle.py -enable: writes the interim (code 4) status."""
    p = x.p
    x.t = job.start
    x.sh(f"ConfigSequenceNumber from environment variable seqNo:{job.seq}")
    if job.outcome == "nopython":
        x.sh("python version unknown")
        x.sh("3 returned from handle.py")
        return b""
    x.sh(f"{'python2.7' if x.py2 else 'python3'} path exists")
    header_lines(x, job.seq, True)
    x.a("starting enable")
    x.a(f"patch_class_name: DefaultPatching and orig_distro: {p.os[0] if p.distro == 'coreos' else 'Default'}")
    x.a(f"set most recent sequence number to {job.seq}")
    x.a("Reading customSettings from public_settings")
    x.a("LUN list - [0, -1]" if p.disks == 2 else "LUN list - [-1]")
    x.a(SETTINGS_SENT)
    x.a(f"taskId: {job.task}")
    if job.outcome == "hang_enable":
        return b""
    x.a(f"Sleeping for milliseconds: {x.rnd.int(500, 5000)}")
    x.step(500, 5000)
    x.a("Enable,success,4,Transitioning state in extension,False")
    doc = status_doc(p, job, x.t, "4", "success", "Transitioning state in extension", (0, 1), base_telemetry(p),
                     None, 0)
    x.a("file status report message:")
    x.a(doc.decode())
    x.sh("0 returned from handle.py", x.step(50, 300))
    return doc


def daemon_phase_start(x: ExtLog, job: Job) -> None:
    p = x.p
    x.step(400, 1200)
    x.sh(f"ConfigSequenceNumber from environment variable seqNo:{job.seq}")
    x.sh(f"{'python2.7' if x.py2 else 'python3'} path exists")
    header_lines(x, job.seq, False)
    x.a("starting daemon initially")
    x.a("platformMachine : x86_64 architectureFromUname : x86_64")
    x.a("isArm64Machine : False Using x64 safefreeze binary")
    x.a(f"path of the file/{p.ext_dir}main/safefreeze/bin/safefreeze")
    x.a("file path exists True")
    for _, mp in enumerate(p.mounts):
        dev = f"sd{'c' if mp != '/' else 'a'}1"
        x.a(f"mount command, adding mount :{mp}:  device :/dev/{dev}: fstype :{'xfs' if mp != '/' else 'ext4'}:")
    for mp in p.mounts:
        dev = f"sd{'c' if mp != '/' else 'a'}1"
        x.a(f"mounts list item added, mount point {mp}, device-name {dev}, "
            f"fs-type {'xfs' if mp != '/' else 'ext4'}, unique-name {mp}_{dev}")
    x.a("Resource disk  is mounted /mnt")
    x.a("safeFreezeBinary exists True")
    x.a(" configfile /etc/azure/vmbackup.conf")
    x.a("final thread timeout60")
    x.a("starting daemon for freezing the file system")
    x.a("Reading customSettings from public_settings")
    x.a("removing the protected settings")
    x.a(f"snapshotTaskToken : {x.rnd.guid()}")
    x.a(f"hostIp : {WIRE}")
    x.a('customSettings : {"isManagedVm": true, "takeSnapshotFrom": "firstHostThenGuest", '
        f'"canTakeCrashConsistentSnapshot": false, "backupRetryCount": 0, "backupTaskId": "{job.task}"}}')
    x.a("snapshotMethodConfigValue : firstHostThenGuest")


def presnapshot(x: ExtLog, job: Job, reachable: bool = True) -> None:
    x.a("start calling the presnapshot rest api")
    x.a("Entered HttpCallGetResponse, isHostCall: True")
    x.a(f"Details of sas uri object  hostname: {WIRE} path: /metadata/recsvc/snapshot/presnapshot")
    if not reachable:
        stamp = str(x.step(39000, 40500).replace(tzinfo=None))
        x.a(f"{stamp} Failed to call http with error: timed out, stack trace: "
            + py_trace([(f"/{x.p.ext_dir}main/HttpUtil.py", 136, "HttpCallGetResponse",
                         "connection.request(method=method, url=(sasuri_obj.path + '?' + sasuri_obj.query), "
                         "body=data, headers = headers)")],
                       "TimeoutError: timed out", x.p.python))
        x.a("presnapshot Hitting wrong WireServer IP")
        return
    x.a("PreSnapshotResponse: bhsVersion: 1.0.0.0")
    x.a("PreSnapshotResponse: result: Success")
    x.a("PreSnapshot: Status Code: 200")
    now = x.t.replace(microsecond=0)
    cmd = job.cmd_start or job.start
    span = now - cmd.replace(tzinfo=UTC)
    x.a(f"Date and time extracted from pre-snapshot request: {now.replace(tzinfo=None)}")
    x.a(f"command start time is {cmd.replace(tzinfo=None)} and utcNow is {now.replace(tzinfo=None)}")
    x.a(f"timespan: {span}, total_span_in_seconds: {span.total_seconds()}, MAX_TIMESPAN: 8400")


def plugin_host(x: ExtLog, prescript: bool) -> None:
    x.a("commandToExecute after commiting the blob is snapshot")
    x.a("WorkloadPatch: Entering workload config parsing")
    x.a("Loading script modules now...")
    if not prescript:
        x.a("Plugin host Config file does not exist in the location /etc/azure/VMSnapshotPluginHost.conf")
        x.a("config file: ./main/VMSnapshotPluginHost.conf")
        x.a("Plugin config path is /etc/azure/VMSnapshotScriptPluginConfig.json")
        x.a("Plugin host file does not exist in the location /etc/azure/VMSnapshotScriptPluginConfig.json")
        x.a("Triggering File System Consistent Backup because of error code "
            "StatusCode.FailedPrepostPluginConfigNotFound,")
        return
    x.a("config file: /etc/azure/VMSnapshotPluginHost.conf")
    x.a("timeoutInSeconds: 1800")
    x.a("numberOfPlugins: 1")
    x.a("Name of the Plugin is ScriptRunner")
    x.a("Plugin config path is /etc/azure/VMSnapshotScriptPluginConfig.json")
    x.a("Validate Scripts output: errorCode - 0 dobackup - True fsFreeze_on - True pollTime - 3")
    x.a("App Consistent Consistent Backup Enabled")
    x.a("Running prescript for ScriptRunner module...")
    x.a("Prescript for ScriptRunner failed. Retrying...")
    x.a("Prescript for ScriptRunner failed with error code: 1 .")
    x.step(2500, 3500)
    x.a("Finished prescript execution from PluginHost side. Continue Backup: True")
    x.a("PreScript failed for the plugin ScriptRunner StatusCode.FailedPrepostPreScriptFailed,")


def freeze_start(x: ExtLog) -> None:
    p = x.p
    x.a("Taking Snapshot through Host")
    x.a("T:S freeze, timeout value 60")
    x.a("skipped mount :")
    for mp in p.mounts:
        x.a(f"fsfreeze mount :{mp}")
    x.a("skip freeze is : False")
    x.a(f"arg : ['/{p.ext_dir}main/safefreeze/bin/safefreeze', '60', " + ", ".join(f"'{m}'" for m in p.mounts) + "]")
    x.a("proceeded for accepting signals")


def freeze_block(x: ExtLog, body: list[tuple[str, str]], t0: datetime, closed: bool) -> None:
    """The buffered freeze-window record: A prefix + header + C lines (+ end marker when thawed normally)."""
    t = t0
    lines = []
    for level, msg in body:
        t += x.rnd.us(0.005, 3)
        if msg.startswith("@+"):
            t += timedelta(seconds=float(msg[2:msg.index(" ")]))
            msg = msg[msg.index(" ") + 1:]
        lines.append(c_line(t, level, msg, x.py2))
    ga = "Guest Agent Version is :WALinuxAgent-2.0.16"
    text = "\n".join([ga, "Distro Info:Default", "=" * 18 + " Logs during Freeze Start " + "=" * 14] + lines)
    if closed:
        text += "\n" + "=" * 18 + " Logs during Freeze End " + "=" * 14 + "\n"
    x.a(text)


def binary_local(x: ExtLog, t: datetime) -> str:
    return x.p.local(t).strftime("%Y-%m-%d %H:%M:%S")


def freeze_ok_body(x: ExtLog, t: datetime) -> list[tuple[str, str]]:
    return [("Info", "/etc/azure/MicrosoftRecoverySvcsSafeFreezeLock/SafeFreezeLockFile file opened Sucessfully"),
            ("Info", "Aquiring lock succeeded"), ("Info", "Thread for binary is called"),
            ("Info", "@+3 Waited in thread for 3 seconds"), ("Info", "****** 1. Starting Freeze Binary "),
            ("Info", "Binary subprocess Created"), ("Info", "freezed"),
            ("Info", "****** 4. Freeze Completed (Signal=1 received)"),
            ("Info", "@+1 Binary output for signal handled: 1"),
            ("Info", "freeze_safe after returning from startproc : sig_handle=1"),
            ("Info", "T:S freeze result , timedout :False"),
            ("Info", "****** 5. Snaphotting (Host) Started"), ("Info", "start calling the snapshot rest api"),
            ("Info", "****** 6. Snaphotting (Host) Completed"),
            ("Info", "****** 7. Sending Thaw Signal to Binary"), ("Info", "child still running sigusr1 sent")]


def binary_traces(x: ExtLog, t: datetime, extra: list[str]) -> None:
    x.a("============== Binary output traces start ================= ")
    x.a(f"{binary_local(x, t)} ****** 2. Binary Freeze Started")
    for mp in x.p.mounts:
        x.a(f"{binary_local(x, t)} Freezing: {mp}")
    for line in extra:
        x.a(f"{binary_local(x, t)} {line}")
    x.a("============== Binary output traces end ================= ")


def host_results(x: ExtLog, t: datetime, fail: dict[int, str]) -> list:
    acct = "md-" + x.rnd.hexs(12)
    snaps = []
    for i in range(x.p.disks):
        blob = f"https://{acct}.z{x.rnd.int(10, 49)}.blob.storage.azure.net/{x.rnd.hexs(32)}/abcd"
        if i in fail:
            x.a(f"From Host- IsSuccessful:false, SnapshotUri:None, ErrorMessage:{fail[i]}, StatusCode:409")
            snaps.append({"isSuccessful": "false", "snapshotUri": None, "errorMessage": fail[i], "blobUri": blob,
                          "directDriveSnapshotIdentifier": None})
        else:
            uri = f"{blob}?snapshot={t.strftime('%Y-%m-%dT%H:%M:%S.%f')}0Z"
            x.a(f"From Host- IsSuccessful:true, SnapshotUri:{uri}, ErrorMessage:None, StatusCode:201")
            snaps.append({"isSuccessful": "true", "snapshotUri": uri, "errorMessage": None, "blobUri": blob,
                          "directDriveSnapshotIdentifier": None})
    return snaps


def used_bytes(x: ExtLog) -> int:
    return 24_000_000_000 + x.rnd.int(0, 9_000_000_000)


def finish(x: ExtLog, job: Job, code: str, inner: str, msg: str, snaps, tel_extra, health=None,
           upload_ok: bool = True, enable_msg: str = "") -> JobResult:
    p = x.p
    x.a(f"Enable,{inner},{code},{enable_msg},False")
    tel = base_telemetry(p) + tel_extra + [("extErrorCode", ERR_NAME.get(code, "error"))]
    doc = status_doc(p, job, x.t, code, inner, msg, health or HEALTH.get(code, (0, int(code))), tel, snaps,
                     used_bytes(x))
    x.a("file status report message:")
    x.a(doc.decode())
    blob_upload(x, "status", job, upload_ok)
    blob_upload(x, "logs", job, upload_ok)
    x.sh("0 returned from handle.py", x.step(100, 400))
    return JobResult(doc, x.t, code, inner)


HOST_MSG = "snapshotCreator=backupHostService, hostStatusCodePreSnapshot=200, hostStatusCodeDoSnapshot=200, "


def run_job(x: ExtLog, job: Job) -> JobResult:
    """Render one backup job into extension.log / shell.log and return its final status."""
    p, o = x.p, job.outcome
    interim = enable_phase(x, job)
    if o in ("nopython", "hang_enable"):
        return JobResult(None, x.t, "", "")
    daemon_phase_start(x, job)
    if o == "toolate":
        presnapshot(x, job)
        x.a("CRP timeout limit has reached, should abort.")
        x.a("CRP timeout limit has reached, will not take snapshot.")
        return finish(x, job, "402", "error", "CRP timeout limit has reached, will not take snapshot. ", None,
                      [("hostStatusCodePreSnapshot", "200")],
                      enable_msg="CRP timeout limit has reached, will not take snapshot.")
    if o == "nonet":
        presnapshot(x, job, reachable=False)
    else:
        presnapshot(x, job)
    x.a("The command snapshot is being validated")
    x.a("commandToExecute for backup is snapshot")
    x.a("Enable,success,4,Transitioning state in extension,False")
    x.a("file status report message:")
    x.a(interim.decode())
    blob_upload(x, "status", job, o != "nonet")
    plugin_host(x, o == "prescript")
    x.a("Calling do snapshot method")
    if o == "killed":
        x.a("Taking Snapshot through Host")
        x.a("T:S freeze, timeout value 60")
        return JobResult(interim, x.t, "4", "success")
    if o == "nonet":
        return nonet_job(x, job)
    x.a("Headers : {'Backup': 'true', 'Content-type': 'application/json', 'UserAgent': 'VMSnapshot'}")
    presnapshot(x, job)
    freeze_start(x)
    t_freeze = x.t
    if o in ("freeze121", "freeze122", "mount123"):
        return freeze_fail_job(x, job, t_freeze)
    x.t += timedelta(seconds=5) + x.rnd.us(0, 900)
    freeze_block(x, freeze_ok_body(x, t_freeze), t_freeze, closed=True)
    binary_traces(x, t_freeze + timedelta(seconds=3),
                  ["****** 3. Binary Freeze Completed", "****** 8. Binary Thaw Signal Received"]
                  + [f"Thawing: {m}" for m in p.mounts])
    x.a("T:S thaw result ")
    fail = {}
    if o == "limit85":
        fail = {0: "The snapshot count against this blob has been exceeded."}
    elif o == "rate173":
        fail = {0: "The rate of snapshot blob calls is exceeded."}
    if o == "host556":
        x.a("dosnapshot responseBody: Internal Server Error")
        x.a("T:S Enable failed with FailedHostSnapshotRemoteServerError error "
            "StatusCode.FailedHostSnapshotRemoteServerError,")
        x.a("Enable,success,556,,False")
        trace = py_trace([(f"/{p.ext_dir}main/handle.py", 154, "get_status_to_report",
                           "blob_report_msg, file_report_msg = "
                           "hutil.do_status_report(operation='Enable',status=status,\\"),
                          (f"/{p.ext_dir}main/Utils/HandlerUtil.py", 696, "do_status_report",
                           "vm_health_obj = Utils.Status.VmHealthInfoObj("
                           "ExtensionErrorCodeHelper.ExtensionErrorCodeHelper."
                           "ExtensionErrorCodeDict[self.ExtErrorCode], int(self.ExtErrorCode))")],
                         "KeyError: 556", p.python)
        x.a(f"cannot get status report parameters , Exception 556, stack trace: {trace}")
        return JobResult(interim, x.t, "4", "success")
    snaps = host_results(x, t_freeze + timedelta(seconds=4), fail)
    x.a(f"T:S takeSnapshotFromHost, time_before_snapshot={(t_freeze + timedelta(seconds=4)).replace(tzinfo=None)}, "
        f"time_after_snapshot={x.t.replace(tzinfo=None)}, snapshotTimeTaken=0:00:01.00{x.rnd.int(1000, 9999)}")
    x.a("T:S snapshotall ends...")
    tel = [("hostStatusCodePreSnapshot", "200"), ("snapshotCreator", "backupHostService"),
           ("hostStatusCodeDoSnapshot", "200")]
    if o == "limit85":
        x.a("T:S Enable failed with FailedSnapshotLimitReached errror StatusCode.FailedSnapshotLimitReached,")
        x.a("doFreezeSnapshot : run_result - 85 run_status - error all_failed - False unable_to_sleep - False "
            "is_inconsistent - False values post snapshot")
        return finish(x, job, "85", "error", HOST_MSG, snaps, tel)
    if o == "rate173":
        x.a("Retrying when snapshot failed with SnapshotRateExceeded")
        x.a("doFreezeSnapshot : run_result - 173 run_status - error all_failed - False unable_to_sleep - False "
            "is_inconsistent - False values post snapshot")
        x.a("updating snapshot info array from blob snapshot info")
        x.a("Failed to log status in extension173")
        return JobResult(interim, x.t, "4", "success")
    x.a("doFreezeSnapshot : run_result - 1 run_status - success all_failed - False unable_to_sleep - False "
        "is_inconsistent - False values post snapshot")
    if o == "prescript":
        tel.append(("isPrePostEnabled", "true"))
        return finish(x, job, "1", "success", HOST_MSG, snaps, tel, health=(128, 300))
    return finish(x, job, "1", "success", HOST_MSG, snaps, tel)


def nonet_job(x: ExtLog, job: Job) -> JobResult:
    p = x.p
    x.a("Headers : {'Backup': 'true', 'Content-type': 'application/json', 'UserAgent': 'VMSnapshot'}")
    presnapshot(x, job, reachable=False)
    x.a("doing snapshotall now in sequence...")
    t_freeze = x.t
    freeze_start(x)
    acct = "md-" + x.rnd.hexs(12)
    body = freeze_ok_body(x, t_freeze)[:10] + [("Info", "****** 5. Snaphotting (Guest-seq) Started")]
    for i in range(p.disks):
        body.append(("Info", f"index: {i} blobUri: https://{acct}.blob.core.windows.net/{x.rnd.hexs(32)}/abcd"))
        body.append(("Info", "start calling the snapshot rest api"))
        body.append(("Info", "@+10 snapshot HttpCallGetResponse failed"))
    body += [("Info", "****** 6. Snaphotting (Guest-seq) Completed"), ("Info", "Setting all_snapshots_failed to True"),
             ("Info", "****** 7. Sending Thaw Signal to Binary")]
    x.t += timedelta(seconds=26)
    freeze_block(x, body, t_freeze, closed=True)
    for i in range(p.disks):
        stamp = str((t_freeze + timedelta(seconds=5 + 10 * i)).replace(tzinfo=None))
        x.a(f"{stamp} Failed to call http with error: <urlopen error timed out>, stack trace: {urlopen_trace(p)}")
    x.a("T:S thaw result ")
    x.a("T:S Enable failed with FailedRetryableSnapshotFailedNoNetwork error "
        "StatusCode.FailedRetryableSnapshotFailedNoNetwork,")
    x.a("doFreezeSnapshot : run_result - 76 run_status - error all_failed - True unable_to_sleep - False "
        "is_inconsistent - False values post snapshot")
    snaps = [{"isSuccessful": False, "snapshotUri": None, "errorMessage": "<urlopen error timed out>",
              "blobUri": f"https://{acct}.blob.core.windows.net/disk{i}", "directDriveSnapshotIdentifier": None}
             for i in range(p.disks)]
    tel = [("hostStatusCodePreSnapshot", "555"), ("statusBlobUploadError", "true"),
           ("snapshotCreator", "guestExtension")]
    msg = " statusBlobUploadError=true, snapshotCreator=guestExtension, hostStatusCodePreSnapshot=555, "
    return finish(x, job, "76", "error", msg, snaps, tel, upload_ok=False)


def freeze_fail_job(x: ExtLog, job: Job, t_freeze: datetime) -> JobResult:
    p, o = x.p, job.outcome
    bad = job.extra.get("mount", p.mounts[0])
    t_bin = t_freeze + timedelta(seconds=3)
    body = freeze_ok_body(x, t_freeze)[:6]
    if o == "freeze122":
        body += [("Info", "freezed"), ("Info", "@+66 Binary output for signal handled: 0"),
                 ("Info", "freeze_safe after returning from startproc : sig_handle=0"),
                 ("Info", "============== Binary output traces start ================= "),
                 ("Info", f"{binary_local(x, t_bin)} ****** 2. Binary Freeze Started"),
                 ("Info", f"{binary_local(x, t_bin)} Freezing: {bad}"),
                 ("Info", f"{binary_local(x, t_bin + timedelta(seconds=60))} "
                          "Failed to receive timely Thaw from parent process"),
                 ("Info", "============== Binary output traces end ================= "),
                 ("Error", "freeze timed-out"), ("Info", "T:S freeze result freeze timed-out\n, timedout :True"),
                 ("Error", "T:S ###### Enable failed with error: freeze took longer than timeout "
                           "StatusCode.FailedRetryableFsFreezeTimeout,")]
        code, wait = "122", 70
    else:
        failure = (f"Failed to FIFREEZE: {bad} with error message: {job.extra.get('errno', 'Operation not supported')}"
                   if o == "freeze121" else
                   f"Failed to open: {bad} with error: -1 and error message: "
                   f"{job.extra.get('errno', 'No such file or directory')}")
        verdict = "freeze failed for some mount" if o == "freeze121" else "file open failed for some mount"
        name = "FailedRetryableFsFreezeFailed" if o == "freeze121" else "FailedRetryableUnableToOpenMount"
        body += [("Info", "****** 9. Binary Process completed (Signal=2 received)"),
                 ("Info", "@+1 Binary output for signal handled: 2"),
                 ("Info", "freeze_safe after returning from startproc : sig_handle=2"),
                 ("Info", "============== Binary output traces start ================= "),
                 ("Info", f"{binary_local(x, t_bin)} ****** 2. Binary Freeze Started"),
                 ("Info", f"{binary_local(x, t_bin)} Freezing: {bad}"),
                 ("Info", f"{binary_local(x, t_bin)} {failure}"),
                 ("Info", "============== Binary output traces end ================= "),
                 ("Error", verdict), ("Info", f"T:S freeze result {verdict}\n, timedout :False"),
                 ("Warning", f"T:S Enable failed with error: {verdict}\n StatusCode.{name},")]
        code, wait = ("121" if o == "freeze121" else "123"), 5
    x.t = t_freeze + timedelta(seconds=wait) + x.rnd.us(0, 900)
    x.a(f"doFreezeSnapshot : run_result - {code} run_status - error all_failed - False unable_to_sleep - False "
        "is_inconsistent - False values post snapshot")
    res = finish(x, job, code, "error", "snapshotCreator=backupHostService, hostStatusCodePreSnapshot=200, ", [],
                 [("hostStatusCodePreSnapshot", "200"), ("snapshotCreator", "backupHostService")])
    freeze_block(x, body, t_freeze, closed=False)
    return res


# ---------------------------------------------------------------- files around the logs

def waagent_conf(p: Profile) -> bytes:
    lines = ["#", "# Microsoft Azure Linux Agent Configuration", "#", "",
             "# Enable extension handling. Do not disable this unless you do not need password reset,",
             "# backup, monitoring, or any extension handling whatsoever.",
             f"Extensions.Enabled={'y' if p.ext_enabled else 'n'}", "",
             "# Which provisioning agent to use. Supported values are \"auto\" (default), \"waagent\",",
             "# \"cloud-init\", or \"disabled\".", "Provisioning.Agent=auto", "",
             "# Format if unformatted. If 'n', resource disk will not be mounted.", "ResourceDisk.Format=y",
             "ResourceDisk.Filesystem=ext4", "ResourceDisk.MountPoint=/mnt/resource", "ResourceDisk.EnableSwap=n", "",
             "# Enable verbose logging (y|n)", "Logs.Verbose=n", "",
             "# Enable periodic log collection, default is y", "Logs.Collect=y", "",
             "# Allow fallback to HTTP if HTTPS is unavailable", "OS.AllowHTTP=n", "",
             "# Add firewall rules to protect access to Azure host node services", "OS.EnableFirewall=y", "",
             "# Enable RDMA management and set up, should only be used in HPC images", "# OS.EnableRDMA=y", "",
             "# Enable or disable goal state processing auto-update, default is enabled",
             f"AutoUpdate.Enabled={'y' if p.auto_update else 'n'}", "",
             "# Determine the update family, this should not be changed", "AutoUpdate.GAFamily=Prod", "",
             "# Determine if the overprovisioning feature is enabled. If yes, hold extension",
             "# handling until inVMArtifactsProfile.OnHold is false.", "EnableOverProvisioning=y", "",
             "# The http proxy to use for outgoing requests", "# HttpProxy.Host=None", "# HttpProxy.Port=None", ""]
    return "\n".join(lines).encode()


def handler_status(p: Profile, status="Ready", code=0, message="Plugin enabled") -> bytes:
    doc = {"name": EXT, "version": p.ext_ver, "status": status, "code": code, "message": message}
    if vt(p.agent) >= (2, 3):
        doc.update({"supports_multi_config": False, "extension_status": None})
    else:
        doc["extensions"] = []
    return json.dumps(doc).encode()


def goal_state_xml(inc: int, rnd: Rand, host: str) -> bytes:
    cid, role = rnd.guid(), rnd.guid()
    base = f"http://{WIRE}:80/machine/{cid}/{role.replace('-', '%2D')}.%5F{host}?comp=config&amp;"
    conf = "\n".join(f"          <{tag}>{base}type={typ}&amp;incarnation={inc}</{tag}>" for tag, typ in (
        ("HostingEnvironmentConfig", "hostingEnvironmentConfig"), ("SharedConfig", "sharedConfig"),
        ("ExtensionsConfig", "extensionsConfig"), ("FullConfig", "fullConfig")))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="goalstate10.xsd">
  <Version>2012-11-30</Version>
  <Incarnation>{inc}</Incarnation>
  <Machine>
    <ExpectedState>Started</ExpectedState>
    <StopRolesDeadlineHint>300000</StopRolesDeadlineHint>
    <ExpectHealthReport>FALSE</ExpectHealthReport>
  </Machine>
  <Container>
    <ContainerId>{cid}</ContainerId>
    <RoleInstanceList>
      <RoleInstance>
        <InstanceId>{role}._{host}</InstanceId>
        <State>Started</State>
        <Configuration>
{conf}
          <ConfigName>{role}.0.{role}.0._{host}.{inc}.xml</ConfigName>
        </Configuration>
      </RoleInstance>
    </RoleInstanceList>
  </Container>
</GoalState>
""".encode()


def extensions_config_xml(p: Profile, inc: int, seq: int, rnd: Rand, requested: str, plugin_state: str = "enabled",
                          plugin_ver: str | None = None) -> bytes:
    plugin_ver = plugin_ver or p.ext_ver
    other, other_ver = p.other_ext.rsplit("-", 1)

    def uri() -> str:
        return f"https://umsa{rnd.hexs(16)}.blob.core.windows.net/{rnd.guid()}/{rnd.guid()}_manifest.xml"

    settings = json.dumps({"runtimeSettings": [{"handlerSettings": {
        "protectedSettingsCertThumbprint": rnd.hexs(40).upper(), "protectedSettings": "***REDACTED***",
        "publicSettings": {"locale": "en-us", "taskId": rnd.guid(), "commandToExecute": "snapshot",
                           "commandStartTimeUTCTicks": "0", "vmType": "microsoft.compute/virtualmachines"}}}]})
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Extensions version="1.0.0.0" goalStateIncarnation="{inc}">\
<GuestAgentExtension xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <GAFamilies>
    <GAFamily>
      <Name>Prod</Name>
      <Version>{requested}</Version>
      <IsVersionFromRSM>false</IsVersionFromRSM>
      <IsVMEnabledForRSMUpgrades>false</IsVMEnabledForRSMUpgrades>
      <Uris>
        <Uri>{uri()}</Uri>
      </Uris>
    </GAFamily>
  </GAFamilies>
  <Location>westeurope</Location>
  <ServiceName>CRP</ServiceName>
</GuestAgentExtension>
<StatusUploadBlob statusBlobType="PageBlob">\
https://md-{rnd.hexs(12)}.z7.blob.storage.azure.net/$system/{p.host}.{rnd.guid()}.status?***REDACTED***\
</StatusUploadBlob>
<Plugins>
  <Plugin name="{EXT}" version="{plugin_ver}" location="{uri()}" state="{plugin_state}" autoUpgrade="true" \
runAsStartupTask="false" isJson="true" useExactVersion="true" />
  <Plugin name="{other}" version="{other_ver}" location="{uri()}" state="enabled" autoUpgrade="true" \
runAsStartupTask="false" isJson="true" useExactVersion="true" />
</Plugins>
<PluginSettings>
  <Plugin name="{EXT}" version="{plugin_ver}">
    <RuntimeSettings seqNo="{seq}">{settings}</RuntimeSettings>
  </Plugin>
  <Plugin name="{other}" version="{other_ver}">
    <RuntimeSettings seqNo="0">{{"runtimeSettings":[{{"handlerSettings":{{"publicSettings":{{}}}}}}]}}</RuntimeSettings>
  </Plugin>
</PluginSettings>
</Extensions>
""".encode()


def agent_status_blob(p: Profile, t: datetime, handler: dict, requested: str) -> dict:
    return {"version": "1.1", "timestampUTC": iso_s(t),
            "aggregateStatus": {"guestAgentStatus": {"version": p.agent, "status": "Ready",
                                                     "formattedMessage": {"lang": "en-US",
                                                                          "message": "Guest Agent is running"},
                                                     "updateStatus": {"expectedVersion": requested, "status": "Success",
                                                                      "code": 0,
                                                                      "formattedMessage": {"lang": "en-US",
                                                                                           "message": ""}}},
                                "handlerAggregateStatus": [handler],
                                "vmArtifactsAggregateStatus": {"goalStateAggregateStatus": {
                                    "inSvdSeqNo": "1", "status": "Success", "code": 0, "timestampUTC": iso_s(t)}}},
            "guestOSInfo": {"computerName": p.host, "osName": p.os[0], "osVersion": p.os[1], "version": p.agent},
            "supportedFeatures": [{"Key": "MultipleExtensionsPerHandler", "Value": "1.0"},
                                  {"Key": "VersioningGovernance", "Value": "1.0"},
                                  {"Key": "FastTrack", "Value": "1.0"}]}


def handler_entry(p: Profile, seq: int, t: datetime, status="success", code=1, msg="") -> dict:
    return {"handlerVersion": p.ext_ver, "handlerName": EXT, "status": "Ready", "code": 0, "useExactVersion": True,
            "formattedMessage": {"lang": "en-US", "message": "Plugin enabled"},
            "runtimeSettingsStatus": {"settingsStatus": {"status": {
                "name": EXT, "configurationAppliedTime": None, "operation": "Enable", "status": status, "code": code,
                "formattedMessage": {"lang": "en-US", "message": msg}}, "version": 1.0, "timestampUTC": iso_s(t)},
                "sequenceNumber": seq}}


def waagent_status_json(p: Profile, t: datetime, seq: int, requested: str) -> bytes:
    """The shape the given agent generation writes (see the history/root placement in build_goal_state_files)."""
    blob = agent_status_blob(p, t, handler_entry(p, seq, t), requested)
    if vt(p.agent) >= (2, 10):
        return json.dumps(blob).encode()
    if vt(p.agent) >= (2, 8):
        return json.dumps({"__comment__": "The __status__ property is the actual status reported to CRP",
                           "__status__": blob,
                           "__debug__": {"agentName": f"WALinuxAgent-{p.agent}", "daemonVersion": p.daemon,
                                         "pythonVersion": f"Python: {p.python}", "extensionSupportedFeatures": [],
                                         "supportsMultiConfig": {EXT: False}}}).encode()
    if vt(p.agent) >= (2, 5):
        blob["_metadataNotSentToCRP"] = {"agentName": f"WALinuxAgent-{p.agent}", "daemonVersion": p.daemon,
                                         "pythonVersion": f"Python: {p.python}", "extensionSupportedFeatures": []}
        return json.dumps(blob).encode()
    return json.dumps({"agent_name": "WALinuxAgent", "current_version": p.agent, "goal_state_version": "2.2.18",
                       "distro_details": f"{p.os[0]}:{p.os[1]}", "last_successful_status_upload_time": iso_s(t),
                       "python_version": f"Python: {p.python}",
                       "extensions_status": [{"name": EXT, "version": p.ext_ver, "status": "Ready"}]}).encode()


def dhclient_lease(with_245: bool, ip: str, renew: datetime) -> bytes:
    opts = ['  interface "eth0";', f"  fixed-address {ip};", '  server-name "RD0003FF1C2A7B";',
            "  option subnet-mask 255.255.255.0;", "  option dhcp-lease-time 4294967295;", "  option routers 10.1.0.1;",
            "  option dhcp-message-type 5;", f"  option dhcp-server-identifier {WIRE};",
            f"  option domain-name-servers {WIRE};"]
    if with_245:
        opts.append("  option unknown-245 a8:3f:81:10;")
    opts += ["  option dhcp-rebinding-time 4294967295;", '  option domain-name "reddog.microsoft.com";',
             f"  renew {renew.isoweekday() % 7} {renew.strftime('%Y/%m/%d %H:%M:%S')};",
             f"  rebind {renew.isoweekday() % 7} {renew.strftime('%Y/%m/%d %H:%M:%S')};", "  expire 0 never;"]
    return ("lease {\n" + "\n".join(opts) + "\n}\n").encode()


def networkd_lease(ip: str) -> bytes:
    return (f"# This is private data. Do not parse.\nADDRESS={ip}\nNETMASK=255.255.255.0\nROUTER=10.1.0.1\n"
            f"SERVER_ADDRESS={WIRE}\nT1=4294967295\nT2=4294967295\nLIFETIME=4294967295\nDNS={WIRE}\n"
            "DOMAINNAME=reddog.microsoft.com\nOPTION_245=a83f8110\n").encode()


def results_txt(members: dict[str, bytes], start: datetime, mode: str, p: Profile) -> bytes:
    t = start
    out = []

    def log(msg, level="INFO", step=0.4):
        nonlocal t
        t += timedelta(seconds=step)
        out.append(f"{iso_s(t)} {level} {msg}")

    log(f"Starting log collection at {iso_s(t)}", step=0)
    log(f"Using log collection mode {mode}")
    log("Using /var/lib/waagent as $LIB_DIR")
    log("Using /var/log/azure as $LOG_DIR")
    log("Using /var/log/waagent.log as $AGENT_LOG")
    log("### Probing Directories ###")
    log("Output of command [ls -alF /var/lib/waagent]:")
    dirs = sorted({m.split("/")[3] for m in members if m.startswith("var/lib/waagent/") and m.count("/") > 4})
    ls = ["total 96", "drwx------  9 root root 4096 ./", "drwxr-xr-x 45 root root 4096 ../"]
    ls += [f"drwxr-xr-x  6 root root 4096 {d}/" for d in dirs + [f"WALinuxAgent-{p.agent}"]]
    out.extend(ls + [""])
    log("### Gathering Configuration Files ###")
    for m in members:
        if m.startswith("etc/"):
            log(f"/{m}", step=0.1)
    log("### Preparing list of files to add to archive ###")
    total = 0
    for m, data in members.items():
        total += len(data)
        log(f"Adding file /{m}, size {len(data)} b", step=0.05)
    log(f"Uncompressed archive size is {total} b")
    log("### Creating compressed archive ###")
    log(f"Successfully compressed files. Compressed archive size is {total // 4} b")
    log(f"Finishing log collection at {iso_s(t + timedelta(seconds=1))}")
    log(f"Elapsed time: {int((t - start).total_seconds() * 1000) + 1000} ms")
    return ("\n".join(out) + "\n").encode()


# ---------------------------------------------------------------- bundle assembly

@dataclass
class Bundle:
    name: str
    prof: Profile
    collected: datetime
    members: dict = field(default_factory=dict)
    results: str | None = "normal"   # None: no collector run (agent predates -collect-logs)

    def add(self, path: str, data: bytes) -> None:
        self.members[path] = data


class Scenario:
    """Shared simulation of one VM over several days; causes customise the last job."""

    def __init__(self, name: str, prof: Profile, last_job: datetime, days: int = 6, seq0: int = 20, inc0: int = 40):
        self.name, self.p = name, prof
        self.rnd = Rand(name)
        self.last_job = last_job
        self.days = days
        self.start = last_job - timedelta(days=days, hours=9)
        self.w = WaLog(prof, self.rnd, self.start)
        self.x = ExtLog(prof, self.rnd)
        self.seq, self.inc = seq0, inc0
        self.hb = [0, self.rnd.guid().upper()]
        self.statuses: dict[int, bytes] = {}
        self.history: list[tuple[datetime, int, int]] = []
        self.last_result: JobResult | None = None

    def boot(self, lease_ok: bool = True) -> None:
        daemon_start(self.w, lease_ok)
        if lease_ok:
            launch_exthandler(self.w, self.rnd.int(900, 2400))
            heartbeat(self.w, 0, self.hb[1])

    def job(self, when: datetime, outcome: str = "success", cmd_start: datetime | None = None, **extra) -> JobResult:
        """Goal state + extension run for one backup job."""
        self.quiet(when)
        self.inc += 1
        self.seq += 1
        rnd = self.rnd
        agent_job_start(self.w, self.inc, self.seq, rnd)
        if self.inc % 3 == 0:
            other_extension(self.w, self.inc)
        job = Job(self.seq, self.w.t + rnd.us(200, 900), outcome, rnd.guid(),
                  cmd_start or when - timedelta(seconds=rnd.int(20, 90)), extra)
        res = run_job(self.x, job)
        self.w.at(max(self.w.t, job.start + timedelta(seconds=2)))
        agent_job_end(self.w, self.inc, rnd)
        if res.status_json:
            self.statuses[self.seq] = res.status_json
            self.w.at(max(self.w.t, res.end + rnd.us(1000, 20000)))
            if outcome not in ("rate173", "host556", "killed"):
                agent_terminal(self.w, "success")
        self.history.append((when, self.inc, self.seq))
        self.last_result = res
        return res

    def quiet(self, until: datetime, gs_errors: int = 0, extra=None) -> None:
        quiet_period(self.w, until, self.hb, gs_errors, extra)

    def daily_jobs(self, upto: datetime, outcomes: dict[int, str] | None = None) -> None:
        """One successful backup per day at about 02:00 before ``upto``; ``outcomes`` overrides by day index."""
        outcomes = outcomes or {}
        day = 0
        t = self.last_job - timedelta(days=self.days)
        while t < upto - timedelta(hours=1):
            self.job(t + self.rnd.us(0, 240_000), outcomes.get(day, "success"))
            day += 1
            t += timedelta(days=1)

    # ---- files
    def bundle(self, collected: datetime, results: str | None = "normal") -> Bundle:
        b = Bundle(self.name, self.p, collected, results=results)
        return b

    def add_common(self, b: Bundle, status_keep: int = 3, handler=("Enabled", None)) -> None:
        p = self.p
        b.add("var/log/waagent.log", self.w.text())
        b.add(EXT_LOG_DIR + "extension.log", ("\n".join(self.x.lines) + "\n").encode())
        b.add(EXT_LOG_DIR + "shell.log", ("\n".join(self.x.shell) + "\n").encode())
        seqs = sorted(self.statuses)
        for s in seqs[-status_keep:-1]:
            b.add(f"{p.ext_dir}status/{s}_status", self.statuses[s])
        if seqs:
            b.add(f"{p.ext_dir}status/{seqs[-1]}.status", self.statuses[seqs[-1]])
        b.add(f"{p.ext_dir}config/HandlerState", handler[0].encode())
        b.add(f"{p.ext_dir}config/HandlerStatus", handler[1] or handler_status(p))
        b.add("etc/waagent.conf", waagent_conf(p))
        b.add("etc/os-release", p.os[3].encode())
        b.add("etc/hostname", (p.host + "\n").encode())

    def add_goal_states(self, b: Bundle, requested: str, plugin_state: str = "enabled") -> None:
        """Goal-state documents where this agent generation keeps them."""
        p, rnd = self.p, self.rnd
        recent = self.history[-3:]
        if vt(p.agent) >= (2, 8) and p.gen == "modern":
            for when, inc, seq in recent[:-1]:
                inner = {"GoalState.xml": goal_state_xml(inc, rnd, p.host),
                         "ExtensionsConfig.xml": extensions_config_xml(p, inc, seq, rnd, requested, plugin_state),
                         "waagent_status.json": waagent_status_json(p, when + timedelta(minutes=2), seq, requested)}
                name = f"var/lib/waagent/history/{when.strftime('%Y-%m-%dT%H-%M-%S')}__{inc}.zip"
                b.add(name, zip_bytes(inner, when))
            b.add("var/lib/waagent/GoalState.1.xml", b"<xml>empty placeholder file</xml>")
            return
        when, inc, seq = recent[-1]
        b.add(f"var/lib/waagent/GoalState.{inc}.xml", goal_state_xml(inc, rnd, p.host))
        b.add(f"var/lib/waagent/ExtensionsConfig.{inc}.xml",
              extensions_config_xml(p, inc, seq, rnd, requested, plugin_state))
        if p.gen == "2.0":
            return
        if vt(p.agent) >= (2, 5):
            b.add(f"var/lib/waagent/waagent_status.{inc}.json",
                  waagent_status_json(p, when + timedelta(minutes=2), seq, requested))
        elif vt(p.agent) >= (2, 2, 35):
            b.add("var/lib/waagent/waagent_status.json",
                  waagent_status_json(p, when + timedelta(minutes=2), seq, requested))

    def collect_lines(self, when: datetime, mode: str = "normal") -> None:
        """The -collect-logs run announced in waagent.log."""
        self.w.at(when)
        self.w.info("LogCollector", f"Running log collector mode {mode}")
        self.w.at(when + timedelta(seconds=9))
        self.w.info("LogCollector", "Log collection successfully completed. Archive can be found at "
                                    "/var/lib/waagent/logcollector/logs.zip and detailed log output can be found at "
                                    "/var/lib/waagent/logcollector/results.txt")

    def wind_down(self, hours: float, minutes: float, lead: float = 0, results: str | None = "normal",
                  gs_errors: int = 0) -> Bundle:
        """Routine traffic for ``hours`` after the last job, then (``minutes`` later) the collection: the collector's
        lines ``lead`` seconds before it unless ``results`` is None; return the bundle to fill."""
        self.quiet(self.last_job + timedelta(hours=hours), gs_errors=gs_errors)
        collected = self.last_job + timedelta(hours=hours, minutes=minutes)
        if results:
            self.collect_lines(collected - timedelta(seconds=lead), results)
        return self.bundle(collected, results)


def finalize(b: Bundle) -> dict[str, bytes]:
    """Member dict with results.txt (when the agent had a collector) at the archive root."""
    members = dict(b.members)
    if b.results:
        members = {"results.txt": results_txt(members, b.collected, b.results, b.prof), **members}
    return members


def zipped(b: Bundle) -> tuple[str, bytes]:
    """``<name>.zip`` and the finished bundle, stamped with its collection time."""
    return f"{b.name}.zip", zip_bytes(finalize(b), b.collected)


# ---------------------------------------------------------------- causes

def modern_profile(host, agent, distro, python, kernel, **kw) -> Profile:
    return Profile(host=host, agent=agent, daemon=kw.pop("daemon", agent), gen="modern", distro=distro, python=python,
                   kernel=kernel, ext_ver=kw.pop("ext_ver", "1.0.9225.0"), **kw)


def build_healthy_modern() -> list[tuple[str, bytes]]:
    p = modern_profile("web-prod-01", "2.13.1.1", "ubuntu-22.04", "3.10.12", "6.8.0-1017-azure", daemon="2.4.0.2")
    s = Scenario("linux-healthy-modern", p, t_("2026-11-20 02:01:12"))
    s.boot()
    old_fail = s.last_job - timedelta(days=4)
    s.daily_jobs(old_fail - timedelta(hours=3))
    s.quiet(old_fail - timedelta(minutes=4))
    outage(s.w, "IOError timed out", 3)
    s.w.info(None, f"Fetching full goal state from the WireServer [incarnation {s.inc + 1}]")
    s.w.info("ExtHandler", "Fetching the goal state recovered from previous errors. "
                           f"Fetched {'incarnation_' + str(s.inc + 1)} (certificates: 1)")
    s.job(old_fail + timedelta(minutes=2), "nonet")
    s.w.info(None, "Fetch goal state from WireServer completed")
    s.daily_jobs(s.last_job + timedelta(hours=2))
    b = s.wind_down(7, 3, 20, "full")
    s.add_common(b, status_keep=6)
    s.add_goal_states(b, p.agent)
    b.add("run/systemd/netif/leases/2", networkd_lease("10.1.0.4"))
    return [zipped(b)]


def outage(w: WaLog, err: str, n: int) -> None:
    """Repeated goal-state fetch failures against the wireserver."""
    for i in range(n):
        msg = (f"[ProtocolError] [Wireserver Exception] [HttpError] [HTTP Failed] GET http://{WIRE}/machine/ -- {err} "
               "-- 6 attempts made")
        if i < 3:
            w.error("ExtHandler", f"Error fetching the goal state: {msg}")
        w.warn("ExtHandler", f"Fetch failed: [HttpError] [HTTP Failed] GET http://{WIRE}/machine/?comp=goalstate "
                             f"-- {err} -- 6 attempts made")
        w.at(w.t + timedelta(seconds=60 + 6 * 40))
    if n > 3:
        w.error("ExtHandler", "Fetching the goal state is still failing: [ProtocolError] [Wireserver Exception] "
                              f"[HttpError] [HTTP Failed] GET http://{WIRE}/machine/ -- {err} -- 6 attempts made")


def build_healthy_old() -> list[tuple[str, bytes]]:
    p = Profile(host="erp-app-02", agent="2.2.45", daemon="2.2.45", gen="old", distro="ubuntu-20.04.1", python="3.8.5",
                kernel="5.4.0-1026-azure", ext_ver="1.0.9172.0", tz_hours=0, python_bin="/usr/bin/python3")
    s = Scenario("linux-healthy-2.2.45", p, t_("2020-09-21 01:32:40"), days=10, seq0=5, inc0=11)
    s.boot()
    platform_dist_noise(s.w)
    old_fail = s.last_job - timedelta(days=6)
    s.daily_jobs(old_fail - timedelta(hours=2))
    s.quiet(old_fail - timedelta(minutes=2))
    s.w.warn("ExtHandler", "Exception retrieving extension handlers: [ProtocolError] [Wireserver Exception] "
                           f"[HttpError] [HTTP Failed] GET http://{WIRE}/machine/?comp=goalstate -- IOError timed out "
                           "-- 6 attempts made")
    s.job(old_fail + timedelta(minutes=3), "freeze121", mount="/data", errno="Device or resource busy")
    s.quiet(old_fail + timedelta(hours=5))
    other_ext_failure(s.w)
    s.daily_jobs(s.last_job + timedelta(hours=2))
    b = s.wind_down(5, 6, results=None)
    s.add_common(b, status_keep=8)
    s.add_goal_states(b, p.agent)
    b.add("var/lib/dhcp/dhclient.eth0.leases", dhclient_lease(True, "10.4.0.5", s.last_job - timedelta(days=20)))
    return [zipped(b)]


def other_ext_failure(w: WaLog) -> None:
    """An unrelated extension's failed enable, echoed as an Event line."""
    name, ver = w.p.other_ext.rsplit("-", 1)
    path = f"/var/lib/waagent/{name}-{ver}/diagnostic.py -enable"
    w.event(name, "Enable", f"[ExtensionError] Non-zero exit code: 1, {path}")


def platform_dist_noise(w: WaLog) -> None:
    w.warn("ExtHandler", "Unable to read distribution details: module 'platform' has no attribute 'dist'\n"
                         "Traceback (most recent call last):\n"
                         '  File "/usr/lib/python3/dist-packages/azurelinuxagent/common/version.py", line 93, '
                         'in get_distro\n'
                         "    osinfo = list(platform.dist())\n"
                         "AttributeError: module 'platform' has no attribute 'dist'")


def build_no_internet() -> list[tuple[str, bytes]]:
    p = modern_profile("sql-vm-07", "2.13.1.1", "ubuntu-22.04", "3.10.12", "6.5.0-1025-azure", daemon="2.2.53.1")
    s = Scenario("linux-no-internet-access", p, t_("2026-11-20 02:00:31"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(days=1, hours=-2))
    outage_start = s.last_job - timedelta(hours=14)
    s.quiet(outage_start)
    s.w.warn("ExtHandler", "Error in SendHostPluginHeartbeat: [HttpError] [HTTP Failed] "
                           f"GET http://{WIRE}:32526/health -- IOError timed out -- 1 attempts made --- "
                           "[NOTE: Will not log the same error for the next hour]", "MonitorHandler")
    outage(s.w, "IOError timed out", 5)
    s.w.info("ExtHandler", "Fetching the goal state recovered from previous errors. "
                           f"Fetched incarnation_{s.inc} (certificates: 1)")
    s.quiet(s.last_job - timedelta(minutes=1))
    s.job(s.last_job, "nonet")
    s.w.error("ExtHandler", "Event: name=WALinuxAgent, op=ReportStatus, message=Exception uploading status blob: "
                            "[HttpError] [HTTP Failed] PUT "
                            "https://md-2kqz0vbx3c1m.z7.blob.storage.azure.net/$system/sql-vm-07.status -- "
                            "IOError timed out -- 1 attempts made, duration=0")
    s.w.error("ExtHandler", "Event: name=WALinuxAgent, op=ExtensionProcessing, message=Failed to report vm agent "
                            "status: [ProtocolError] Failed to upload status blob via either channel, duration=0")
    outage(s.w, "IOError timed out", 4)
    b = s.wind_down(6, 10, 15, gs_errors=6)
    s.add_common(b)
    s.add_goal_states(b, p.agent)
    return [zipped(b), (f"{s.name}-sosreport.tar.gz", sosreport(b, s))]


def sosreport(b: Bundle, s: Scenario) -> bytes:
    root = f"sosreport-{s.p.host}-{b.collected.strftime('%Y-%m-%d')}-{s.rnd.hexs(6)}/"
    members = {root + k: v for k, v in b.members.items() if not k.startswith("var/lib/waagent/history/")}
    members[root + "sos_commands/networking/ip_-4_route_show_table_all"] = (
        "default via 10.1.0.1 dev eth0 proto dhcp src 10.1.0.9 metric 100\n"
        "10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.9 metric 100\n"
        f"{WIRE} via 10.1.0.1 dev eth0 proto dhcp src 10.1.0.9 metric 100\n"
        "169.254.169.254 via 10.1.0.1 dev eth0 proto dhcp src 10.1.0.9 metric 100\n").encode()
    members[root + "sos_commands/firewall_tables/iptables_-vnxL"] = (
        "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
        " pkts bytes target     prot opt in     out     source               destination\n\n"
        "Chain OUTPUT (policy DROP 1893 packets, 113580 bytes)\n"
        " pkts bytes target     prot opt in     out     source               destination\n"
        "  8812 1204311 ACCEPT     all  --  *      lo      0.0.0.0/0            0.0.0.0/0\n"
        "   412  61822 ACCEPT     tcp  --  *      eth0    0.0.0.0/0            10.0.0.0/8           tcp dpt:1433\n"
        "  2210 190311 ACCEPT     tcp  --  *      eth0    0.0.0.0/0            168.63.129.16        tcp dpt:80 "
        "limit: avg 20/min burst 5\n"
        "    96   5760 ACCEPT     udp  --  *      eth0    0.0.0.0/0            168.63.129.16        udp dpt:53\n"
    ).encode()
    members[root + "sos_commands/general/date"] = (b.collected.strftime("%a %b %d %H:%M:%S UTC %Y") + "\n").encode()
    members[root + "sos_commands/host/hostname"] = (s.p.host + "\n").encode()
    members[root + "version.txt"] = b"sosreport: 4.5.6\n"
    return tar_gz_bytes(members, b.collected)


def build_status_unavailable() -> list[tuple[str, bytes]]:
    p = modern_profile("app-db-03", "2.9.1.1", "debian-11", "3.9.2", "5.10.0-32-cloud-amd64", daemon="2.2.49.2",
                       other_ext="Microsoft.Azure.Extensions.CustomScript-2.1.10")
    s = Scenario("linux-snapshot-status-unavailable", p, t_("2026-11-19 23:30:05"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=2))
    s.job(s.last_job, "killed")
    s.w.info("ExtHandler", f"Extension status: [('{EXT}', 'transitioning')]")
    reboot = s.last_job + timedelta(seconds=51)
    s.w.at(reboot)
    s.w.info("ExtHandler", "Agent WALinuxAgent-2.9.1.1 forwarding signal 15 to WALinuxAgent-2.9.1.1\n")
    s.w.at(reboot + timedelta(minutes=2, seconds=14))
    daemon_start(s.w, lease_ok=False)
    for retry in range(24):
        s.w.warn("Daemon", f"No route exists to {WIRE}")
        s.w.info("Daemon", "Checking for dhcp lease cache")
        s.w.info("Daemon", "looking for leases in path [/var/lib/dhcp/dhclient.*.leases]")
        s.w.info("Daemon", "cached endpoint not found")
        s.w.info("Daemon", "Protocol endpoint not found: [ProtocolError] WireProtocol endpoint is None")
        s.w.info("Daemon", f"Retry detect protocol: retry={retry}")
        s.w.at(s.w.t + timedelta(seconds=10 + 0.4 * retry) if retry % 6 else s.w.t + timedelta(minutes=7))
    collected = s.w.t + timedelta(minutes=3)
    s.collect_lines(collected - timedelta(seconds=18), "full")
    b = s.bundle(collected, "full")
    s.add_common(b)
    s.add_goal_states(b, p.agent)
    b.add("var/lib/dhcp/dhclient.eth0.leases", dhclient_lease(False, "10.20.3.14", s.last_job + timedelta(minutes=4)))
    return [zipped(b)]


def build_outdated() -> list[tuple[str, bytes]]:
    p = Profile(host="legacy-ftp-01", agent="2.2.41", daemon="2.2.41", gen="old", distro="centos-7", python="2.7.5",
                kernel="3.10.0-1160.45.1.el7.x86_64", ext_ver="1.0.9180.0", tz_hours=1, auto_update=False,
                python_bin="/usr/bin/python", service="waagent.service",
                other_ext="Microsoft.OSTCExtensions.LinuxDiagnostic-2.3.9029")
    s = Scenario("linux-agent-outdated-linux", p, t_("2022-03-14 21:30:22"), days=24, seq0=31, inc0=77)
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=2))
    s.quiet(s.last_job - timedelta(days=3))
    other_ext_failure(s.w)
    s.job(s.last_job, "killed")
    s.quiet(s.last_job + timedelta(minutes=95))
    s.w.warn("ExtHandler", f"[PERIODIC] Extension {EXT} is still transitioning, status file not updated since "
                           f"{(s.last_job + timedelta(seconds=8)).strftime('%Y-%m-%d %H:%M:%S')}")
    b = s.wind_down(11, 4, results=None)
    s.add_common(b)
    s.add_goal_states(b, "2.7.1.0")
    waagent_only = s.w.text()
    return [zipped(b), ("waagent-outdated.log", waagent_only)]


def build_unresponsive() -> list[tuple[str, bytes]]:
    p = modern_profile("sap-hana-01", "2.10.0.8", "sles-15.4", "3.6.15", "5.14.21-150400.14.75-azure",
                       daemon="2.8.0.11", service="waagent.service")
    s = Scenario("linux-agent-unresponsive-linux", p, t_("2026-11-20 03:00:09"))
    s.boot()
    crash = s.last_job - timedelta(days=1, hours=17)
    s.daily_jobs(crash - timedelta(hours=1))
    s.quiet(crash)
    err = "[Errno 13] Permission denied: '/var/lib/waagent/history/2026-11-18T10-02-11__47'"
    egg = p.egg
    for _ in range(5):
        s.w.warn("ExtHandler", f"Agent WALinuxAgent-{p.agent} failed with exception: {err}")
        s.w.warn("ExtHandler", err + "\nTraceback (most recent call last):\n"
                 f'  File "{egg}/azurelinuxagent/ga/update.py", line 435, in run\n'
                 "    self._process_goal_state(exthandlers_handler, remote_access_handler, agent_update_handler)\n"
                 f'  File "{egg}/azurelinuxagent/common/utils/archive.py", line 224, in archive\n'
                 "    os.mkdir(self._state_dir)\n"
                 f"PermissionError: {err}")
        cmd = f"{p.python_bin} -u {egg} -run-exthandlers"
        s.w.warn("Daemon", f"Agent WALinuxAgent-{p.agent} launched with command '{cmd}' failed with return code: 1")
        s.w.error("Daemon", f"Event: name=WALinuxAgent, op=Enable, message=Agent WALinuxAgent-{p.agent} launched with "
                            f"command '{cmd}' failed with return code: 1, duration=0")
        s.w.at(s.w.t + timedelta(seconds=15))
        s.w.info("Daemon", f"Agent did not terminate cleanly: {err}")
        s.w.info("Daemon", f"Agent WALinuxAgent-{p.agent} launched with command '{cmd}' is successfully running")
        s.w.info("ExtHandler", f"Azure Linux Agent (Goal State Agent version {p.agent})")
    s.w.error("Daemon", f"Agent WALinuxAgent-{p.agent} restarted more than 3 times in 300 seconds")
    s.w.warn("Daemon", "Daemon ended with exception -- Sleep 15 seconds and restart daemon")
    crash_end = s.w.t
    collected = s.last_job + timedelta(hours=6, minutes=30)
    s.collect_lines(collected - timedelta(seconds=25))
    b = s.bundle(collected)
    s.add_common(b)
    s.add_goal_states(b, p.agent)
    msgs = []
    for i in range(5):
        tt = crash + timedelta(seconds=20 * i + 2)
        msgs += [f"{syslog_date(tt)} {p.host} systemd[1]: waagent.service: Main process exited, code=exited, "
                 "status=1/FAILURE",
                 f"{syslog_date(tt)} {p.host} systemd[1]: waagent.service: Failed with result 'exit-code'.",
                 f"{syslog_date(tt + timedelta(seconds=5))} {p.host} systemd[1]: Started Azure Linux Agent."]
    tt = crash_end + timedelta(seconds=16)
    msgs += [f"{syslog_date(tt)} {p.host} systemd[1]: waagent.service: Start request repeated too quickly.",
             f"{syslog_date(tt)} {p.host} systemd[1]: waagent.service: Failed with result 'exit-code'.",
             f"{syslog_date(tt)} {p.host} systemd[1]: Failed to start Azure Linux Agent."]
    for h in range(0, 40, 4):
        tt = crash_end + timedelta(hours=h, minutes=17)
        msgs.append(f"{syslog_date(tt)} {p.host} systemd[1]: Starting Cleanup of Temporary Directories...")
        msgs.append(f"{syslog_date(tt + timedelta(seconds=1))} {p.host} systemd[1]: "
                    "Finished Cleanup of Temporary Directories.")
    b.add("var/log/messages", ("\n".join(msgs) + "\n").encode())
    return [zipped(b)]


def build_config_invalid() -> list[tuple[str, bytes]]:
    p = modern_profile("batch-worker-12", "2.12.0.4", "debian-12", "3.11.2", "6.1.0-26-cloud-amd64", daemon="2.9.1.1")
    s = Scenario("linux-agent-config-invalid", p, t_("2026-11-20 02:30:44"))
    s.boot()
    change = s.last_job - timedelta(days=2, hours=6)
    s.daily_jobs(change - timedelta(hours=1))
    s.quiet(change)
    s.w.info("ExtHandler", f"Agent WALinuxAgent-{p.agent} forwarding signal 15 to WALinuxAgent-{p.agent}\n")
    s.p.ext_enabled = False
    daemon_start(s.w)
    launch_exthandler(s.w, 3811)
    t = s.last_job - timedelta(days=2)
    while t <= s.last_job:
        s.quiet(t)
        s.inc += 1
        s.seq += 1
        s.w.info(None, f"Fetching full goal state from the WireServer [incarnation {s.inc}]")
        s.w.info("ExtHandler", f"ProcessExtensionsGoalState started [incarnation_{s.inc} channel: WireServer "
                               f"source: Fabric activity: {s.rnd.guid()} correlation {s.rnd.guid()} "
                               f"created: {iso_s(t)}]")
        s.w.event(EXT, "ExtensionProcessing", f"Extension '{EXT}' will not be processed since extension processing is "
                                              "disabled. To enable extension processing, set Extensions.Enabled=y in "
                                              "'/etc/waagent.conf'")
        s.w.info("ExtHandler", f"ProcessExtensionsGoalState completed [incarnation_{s.inc} 12 ms]\n")
        s.history.append((t, s.inc, s.seq))
        t += timedelta(days=1)
    b = s.wind_down(5, 2, 12)
    s.add_common(b)
    s.add_goal_states(b, p.agent)
    return [zipped(b)]


def build_ext_load_failed() -> list[tuple[str, bytes]]:
    p = modern_profile("web-api-04", "2.11.1.12", "ubuntu-20.04", "3.8.10", "5.15.0-1074-azure", daemon="2.2.45",
                       ext_ver="1.0.9223.0")
    s = Scenario("linux-extension-update-or-load-failed", p, t_("2026-11-20 02:05:19"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(days=1, hours=2))
    old_dir_statuses = dict(s.statuses)
    old_ver = p.ext_ver
    # the handler is upgraded; the new package never gets through enable
    s.quiet(s.last_job - timedelta(days=1))
    new_ver = "1.0.9225.0"
    s.inc += 1
    s.seq += 1
    w = s.w
    w.info(None, f"Fetching full goal state from the WireServer [incarnation {s.inc}]")
    w.info(None, "Fetch goal state from WireServer completed")
    w.info("ExtHandler", f"ProcessExtensionsGoalState started [incarnation_{s.inc} channel: WireServer source: Fabric "
                         f"activity: {s.rnd.guid()} correlation {s.rnd.guid()} created: {iso_s(w.t)}]")
    w.info("ExtHandler", f"Downloading extension package: https://umsa{s.rnd.hexs(16)}.blob.core.windows.net/"
                         f"{s.rnd.guid()}/{EXT}_{new_ver}.zip")
    w.info("ExtHandler", f"Unzipping extension package: /var/lib/waagent/{EXT}__{new_ver}.zip")
    w.info("ExtHandler", f"Initializing extension {EXT}-{new_ver}")
    p.ext_ver = new_ver
    w.info("EXT", "Update settings file: {0}.settings".format(s.seq))
    w.info("EXT", "Install extension [main/handle.sh install]")
    w.info("EXT", "Enable extension: [main/handle.sh enable]")
    w.info("EXT", env_command(p, s.seq))
    w.at(w.t + timedelta(seconds=300))
    path = f"/{p.ext_dir}main/handle.sh enable"
    w.event(EXT, "Enable", f"[ExtensionError] Timeout(300): {path}\n[stdout]\n\n[stderr]\n")
    w.info("ExtHandler", f"ProcessExtensionsGoalState completed [incarnation_{s.inc} 301884 ms]\n")
    x = s.x
    x.t = w.t - timedelta(seconds=299)
    x.sh(f"ConfigSequenceNumber from environment variable seqNo:{s.seq}")
    x.sh("python3 path exists")
    header_lines(x, s.seq, True)
    x.a("starting enable")
    s.quiet(s.last_job)
    s.inc += 1
    s.seq += 1
    w.info(None, f"Fetching full goal state from the WireServer [incarnation {s.inc}]")
    w.info("ExtHandler", f"ProcessExtensionsGoalState started [incarnation_{s.inc} channel: WireServer source: Fabric "
                         f"activity: {s.rnd.guid()} correlation {s.rnd.guid()} created: {iso_s(w.t)}]")
    w.info("EXT", f"Target handler state: enabled [incarnation_{s.inc}]")
    w.info("EXT", "[Enable] current handler state is: installed")
    w.info("EXT", f"Update settings file: {s.seq}.settings")
    w.info("EXT", "Enable extension: [main/handle.sh enable]")
    w.info("EXT", env_command(p, s.seq))
    x.t = w.t + timedelta(seconds=1)
    x.sh(f"ConfigSequenceNumber from environment variable seqNo:{s.seq}")
    x.sh("python3 path exists")
    x.t += timedelta(seconds=2)
    x.sh("1 returned from handle.py")
    w.at(x.t + timedelta(seconds=1))
    stderr = ("Traceback (most recent call last):\n"
              f'  File "/{p.ext_dir}main/handle.py", line 41, in <module>\n'
              "    from Utils import HandlerUtil\n"
              f'  File "/{p.ext_dir}main/Utils/HandlerUtil.py", line 66, in <module>\n'
              "    from Utils.WAAgentUtil import waagent\n"
              "ImportError: cannot import name 'waagent' from partially initialized module 'Utils.WAAgentUtil'")
    msg = f"[ExtensionOperationError] Non-zero exit code: 1, {path}\n[stdout]\n\n[stderr]\n{stderr}"
    w.event(EXT, "Enable", msg)
    w.info("ExtHandler", f"ProcessExtensionsGoalState completed [incarnation_{s.inc} 3312 ms]\n")
    s.history.append((s.last_job, s.inc, s.seq))
    b = s.wind_down(6, 1, 14)
    s.statuses = {}
    s.add_common(b, handler=("Installed", handler_status(p, "NotReady", 1009, msg)))
    old_dir = f"var/lib/waagent/{EXT}-{old_ver}/"
    last = max(old_dir_statuses)
    b.add(f"{old_dir}status/{last}.status", old_dir_statuses[last])
    b.add(f"{old_dir}config/HandlerState", b"NotInstalled")
    s.add_goal_states(b, p.agent)
    return [zipped(b)]


def build_python_incompatible() -> list[tuple[str, bytes]]:
    p = modern_profile("rhel-jump-02", "2.9.1.1", "rhel-8.4", "3.6.8", "4.18.0-305.88.1.el8_4.x86_64", daemon="2.3.0.2",
                       python_bin="/usr/libexec/platform-python", service="waagent.service")
    s = Scenario("linux-extension-python-incompatible", p, t_("2026-11-20 01:45:52"))
    s.boot()
    removal = s.last_job - timedelta(days=2, hours=5)
    s.daily_jobs(removal)
    s.quiet(s.last_job - timedelta(days=1, hours=-1))
    for when in (s.last_job - timedelta(days=1), s.last_job):
        s.quiet(when)
        s.inc += 1
        s.seq += 1
        agent_job_start(s.w, s.inc, s.seq, s.rnd)
        job = Job(s.seq, s.w.t + timedelta(seconds=1), "nopython", s.rnd.guid())
        run_job(s.x, job)
        s.w.at(job.start + timedelta(seconds=1))
        path = f"/{p.ext_dir}main/handle.sh enable"
        msg = f"[ExtensionOperationError] Non-zero exit code: 3, {path}\n[stdout]\n\n[stderr]\n"
        s.w.event(EXT, "Enable", msg)
        s.w.info("ExtHandler", f"ProcessExtensionsGoalState completed [incarnation_{s.inc} 1204 ms]\n")
        s.history.append((when, s.inc, s.seq))
    b = s.wind_down(7, 9, 10)
    s.add_common(b, handler=("Enabled", handler_status(p, "NotReady", 1009, msg)))
    s.add_goal_states(b, p.agent)
    return [zipped(b)]


def simple_ext_failure(name: str, prof: Profile, last: datetime, outcome: str, results="normal", syslog=None,
                       before=None, **extra) -> list[tuple[str, bytes]]:
    """A VM whose earlier backups succeeded and whose last job ended with ``outcome``."""
    s = Scenario(name, prof, last, days=8 if prof.gen != "modern" else 6)
    s.boot()
    if prof.gen == "old" or prof.gen == "2.2.46":
        platform_dist_noise(s.w) if prof.python.startswith("3.8") else None
    s.daily_jobs(s.last_job - timedelta(hours=2))
    if before:
        before(s)
    s.job(s.last_job, outcome, **extra)
    b = s.wind_down(4, 12, 11, results)
    s.add_common(b)
    s.add_goal_states(b, prof.agent)
    if syslog:
        b.add(*syslog(s))
    return [zipped(b)]


def build_low_resources() -> list[tuple[str, bytes]]:
    p = modern_profile("etl-node-09", "2.13.1.1", "ubuntu-20.04", "3.8.10", "5.15.0-1075-azure", daemon="2.2.45")
    s = Scenario("linux-low-resources", p, t_("2026-11-20 02:00:48"))
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=3))
    s.quiet(s.last_job - timedelta(minutes=40))
    w = s.w
    w.info("ExtHandler", "[CGW] Disabling resource usage monitoring. Reason: Check on cgroups failed:\n"
                         "[CGroupsException] The agent has been throttled for 187.42 seconds", "MonitorHandler")
    w.warn("ExtHandler", "Error in SendHostPluginHeartbeat: [HttpError] [HTTP Failed] "
                         f"GET http://{WIRE}:32526/health -- IOError timed out -- 1 attempts made --- "
                         "[NOTE: Will not log the same error for the next hour]",
           "MonitorHandler")
    s.quiet(s.last_job)
    s.inc += 1
    s.seq += 1
    agent_job_start(w, s.inc, s.seq, s.rnd)
    job = Job(s.seq, w.t + timedelta(seconds=3), "killed", s.rnd.guid(), s.last_job - timedelta(seconds=40))
    s.x.rnd = Rand(s.name + "-slow")
    res = run_job(s.x, job)
    s.statuses[s.seq] = res.status_json
    w.at(job.start + timedelta(seconds=300))
    path = f"/{p.ext_dir}main/handle.sh enable"
    w.event(EXT, "Enable", f"[ExtensionError] Timeout(300);CPUThrottledTime(142.61secs): {path}\n[stdout]\n"
                           "Information: Space available in event directory : 39980544B\n\n[stderr]\n")
    w.info("ExtHandler", f"ProcessExtensionsGoalState completed [incarnation_{s.inc} 300517 ms]\n")
    s.history.append((s.last_job, s.inc, s.seq))
    b = s.wind_down(5, 5, 40)
    s.add_common(b, handler=("Enabled", handler_status(p, "NotReady", 1011,
                                                       "[ExtensionError] Timeout(300);CPUThrottledTime(142.61secs): "
                                                       f"{path}")))
    s.add_goal_states(b, p.agent)
    oom = res.end + timedelta(seconds=95)
    h = p.host

    def k(t: datetime, m: str) -> str:
        return (f"{syslog_date(t)} {h} kernel: "
                f"[{int((t - s.start).total_seconds()) + 7}.{s.rnd.int(100000, 999999)}] {m}")

    lines = []
    for mins in range(-300, 0, 17):
        t = s.last_job + timedelta(minutes=mins)
        lines.append(f"{syslog_date(t)} {h} CRON[{s.rnd.int(2000, 60000)}]: "
                     "(root) CMD (/opt/etl/bin/run-batch.sh >/dev/null 2>&1)")
    lines += [k(oom, "python3 invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, "
                     "oom_score_adj=0"),
              k(oom, "Mem-Info:"),
              k(oom, "active_anon:1961324 inactive_anon:10022 isolated_anon:0 active_file:92 inactive_file:31 "
                     "free:21374"),
              k(oom, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                     "task_memcg=/azure.slice/azure-vmextensions.slice/azure-vmextensions-" + EXT
                     + ".slice,task=python3,pid=28814,uid=0"),
              k(oom, "Out of memory: Killed process 28814 (python3) total-vm:1146424kB, anon-rss:512084kB, "
                     "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1312kB oom_score_adj:0"),
              k(oom + timedelta(seconds=1), "oom_reaper: reaped process 28814 (python3), now anon-rss:0kB, "
                                            "file-rss:0kB, shmem-rss:0kB"),
              k(oom + timedelta(seconds=40), "java invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), "
                                             "order=0, oom_score_adj=0"),
              k(oom + timedelta(seconds=40), "Out of memory: Killed process 4102 (java) total-vm:9822404kB, "
                                             "anon-rss:6801220kB, file-rss:0kB, shmem-rss:0kB, UID:1001 "
                                             "pgtables:14120kB oom_score_adj:0")]
    b.add("var/log/syslog", ("\n".join(lines) + "\n").encode())
    return [zipped(b)]


def build_too_late() -> list[tuple[str, bytes]]:
    p = modern_profile("ora-db-05", "2.9.1.1", "rhel-8.8", "3.6.8", "4.18.0-477.27.1.el8_8.x86_64", daemon="2.7.0.6",
                       python_bin="/usr/libexec/platform-python", service="waagent.service",
                       other_ext="Microsoft.Azure.Extensions.CustomScript-2.1.10")

    def busy(s: Scenario) -> None:
        s.quiet(s.last_job - timedelta(hours=3))
        w = s.w
        name = "Microsoft.Azure.Extensions.CustomScript-2.1.10"
        w.info(None, f"Fetching full goal state from the WireServer [incarnation {s.inc + 1}]")
        w.info("ExtHandler", f"ProcessExtensionsGoalState started [incarnation_{s.inc + 1} channel: WireServer "
                             f"source: Fabric activity: {s.rnd.guid()} correlation {s.rnd.guid()} "
                             f"created: {iso_s(w.t)}]")
        w.lines.append(f"{iso(w.step())} INFO ExtHandler [{name}] Target handler state: enabled "
                       f"[incarnation_{s.inc + 1}]")
        w.lines.append(f"{iso(w.step())} INFO ExtHandler [{name}] Enable extension: [bin/custom-script-shim enable]")
        s.inc += 1
        t = w.t
        for i in range(9):
            t += timedelta(minutes=16, seconds=s.rnd.int(0, 40))
            w.at(t)
            if i == 2:
                w.warn("ExtHandler", "A new goal state was received, but not all the extensions in the previous goal "
                                     "state have completed: "
                                     "[('Microsoft.Azure.Extensions.CustomScript', 'transitioning')]")
            heartbeat(w, s.hb[0] + i, s.hb[1])
        s.hb[0] += 9
        w.info("ExtHandler", f"ProcessExtensionsGoalState completed [incarnation_{s.inc} 8712431 ms]\n")

    s_last = t_("2026-11-20 02:00:03")
    return simple_ext_failure("linux-command-invoked-too-late", p, s_last + timedelta(minutes=145), "toolate",
                              before=busy, cmd_start=s_last)


def build_unsupported_os() -> list[tuple[str, bytes]]:
    p = Profile(host="coreos-node-3", agent="2.0.16", daemon="2.0.16", gen="2.0", distro="coreos", python="2.7.10",
                kernel="4.19.86-coreos", ext_ver="1.0.9164.0", tz_hours=-8,
                python_bin="/usr/share/oem/python/bin/python")
    s = Scenario("linux-unsupported-os", p, t_("2019-12-11 10:02:37"), days=7, seq0=2, inc0=5)
    s.boot()
    s.daily_jobs(s.last_job - timedelta(hours=2), outcomes={d: "freeze121" for d in range(7)})
    s.job(s.last_job, "freeze121", mount="/usr", errno="Operation not supported")
    b = s.wind_down(3, 20, results=None)
    s.add_common(b)
    s.add_goal_states(b, p.agent)
    return [zipped(b)]


def build_simple_causes() -> list[tuple[str, bytes]]:
    out = []
    p = modern_profile("files-srv-02", "2.13.1.1", "ubuntu-24.04", "3.12.3", "6.8.0-1015-azure", daemon="2.9.1.1",
                       mounts=("/data", "/var/lib/docker", "/"))
    out += simple_ext_failure("linux-fsfreeze-failed", p, t_("2026-11-20 02:00:17"), "freeze121", mount="/data",
                              errno="Device or resource busy")
    p = Profile(host="ol7-report-01", agent="2.2.46", daemon="2.2.46", gen="2.2.46", distro="oracle-7.9",
                python="2.7.5", kernel="5.4.17-2011.7.4.el7uek.x86_64", ext_ver="1.0.9172.0",
                python_bin="/usr/bin/python", service="waagent.service", mounts=("/u01", "/"),
                other_ext="Microsoft.Azure.Extensions.CustomScript-2.1.3")
    out += simple_ext_failure("linux-fsfreeze-timeout", p, t_("2020-04-22 19:30:55"), "freeze122", results=None,
                              mount="/u01")
    p = modern_profile("centos-nfs-gw", "2.2.53.1", "centos-8", "3.6.8", "4.18.0-240.15.1.el8_3.x86_64",
                       daemon="2.2.45", ext_ver="1.0.9180.0", python_bin="/usr/libexec/platform-python",
                       service="waagent.service", mounts=("/mnt/export", "/"),
                       other_ext="Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-1.13.35")
    out += simple_ext_failure("linux-mount-point-inaccessible", p, t_("2021-03-09 23:00:21"), "mount123",
                              mount="/mnt/export")
    p = modern_profile("sles-oracle-01", "2.7.3.0", "sles-12.5", "3.4.10", "4.12.14-16.112-azure", daemon="2.2.52",
                       ext_ver="1.0.9188.0", service="waagent.service", mounts=("/oradata", "/"))
    out += simple_ext_failure("linux-prepost-script-failed", p, t_("2022-06-15 22:00:09"), "prescript")
    p = modern_profile("k8s-node-17", "2.11.1.4", "ubuntu-22.04", "3.10.12", "6.5.0-1024-azure", daemon="2.2.53.1")
    out += simple_ext_failure("linux-snapshot-limit-reached", p, t_("2026-11-20 04:00:33"), "limit85")
    p = modern_profile("alma-web-08", "2.12.0.2", "alma-9.4", "3.9.18", "5.14.0-427.13.1.el9_4.x86_64",
                       daemon="2.7.0.6", service="waagent.service")
    out += simple_ext_failure("linux-snapshot-rate-exceeded", p, t_("2026-11-20 02:30:11"), "rate173")
    p = modern_profile("deb-app-06", "2.10.0.8", "debian-12", "3.11.2", "6.1.0-25-cloud-amd64", daemon="2.9.1.1")
    out += simple_ext_failure("linux-host-snapshot-service-error", p, t_("2026-11-20 01:30:48"), "host556")
    return out


BUILDERS = (build_healthy_modern, build_healthy_old, build_no_internet, build_status_unavailable, build_outdated,
            build_unresponsive, build_config_invalid, build_ext_load_failed, build_python_incompatible,
            build_low_resources, build_too_late, build_unsupported_os, build_simple_causes)


def generate(out: Path) -> list[Path]:
    """Write every sample, Linux and Windows, into ``out``; return the paths written."""
    return common.write_bundles(BUILDERS, out) + windows.generate(out)


def main(argv: list[str] | None = None) -> int:
    return common.main(generate, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
