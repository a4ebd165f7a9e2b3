"""Skimming a log gives the result of reading every record: samples, reference logs and awkward shapes.

Pieces are made tiny and the always-read tail empty, so record boundaries, piece boundaries and the
choice of records are all exercised; each engine installed is run.
"""
from __future__ import annotations

import base64
import io
import json
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import engines, folding, pieces, skim
from azlog_vmbackup.analyzer.matching.skim import Skimmer
from azlog_vmbackup.analyzer.matching.unexplained import _ERRORISH
from azlog_vmbackup.core.bundle import Budget, Limits, Member
from azlog_vmbackup.core.text import iter_lines
from azlog_vmbackup.parsers import registry, waagent_log
from azlog_vmbackup.parsers.base import ERROR_WORDS, Spec
from tests.helpers import REFERENCE, ROOT, context, run_parser

BUNDLES = sorted((ROOT / "samples" / "bundles").iterdir())
KNOWLEDGE = Knowledge.load()
pytestmark = pytest.mark.usefixtures("scans")  # on threads and by processes (``conftest``)
ENGINES = engines.available()


def _without_counts(result: dict) -> dict:
    """The result without how many records were parsed (a skimmed log parses fewer: that is the point)."""
    return {**result, "inventory": [{k: v for k, v in e.items() if k != "records"} for e in result["inventory"]]}


def _results(path: Path, engine: str, monkeypatch, piece: int = 700) -> tuple[dict, dict]:
    """The results of a full read and of a skim with ``piece``-byte pieces and no tail, where a record folded
    twice in a piece is looked for in bulk in the next ones."""
    monkeypatch.setattr(skim, "PIECE", piece)
    monkeypatch.setattr(skim, "TAIL", 0)
    monkeypatch.setattr(folding, "HOT", 2)
    with engines.using(engine):
        return analyze(path, KNOWLEDGE, skim=False).as_dict(), analyze(path, KNOWLEDGE).as_dict()


def _both(path: Path, engine: str, monkeypatch, piece: int = 700) -> tuple[dict, dict]:
    full, skimmed = _results(path, engine, monkeypatch, piece)
    return _without_counts(full), _without_counts(skimmed)


def _records(result: dict, name: str) -> int:
    """How many records of the member named ``name`` were read in full."""
    (records,) = [e["records"] for e in result["inventory"] if e["path"].endswith(name)]
    return records


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_samples_same_skimmed(bundle, engine, monkeypatch):
    full, skimmed = _both(bundle, engine, monkeypatch)
    assert skimmed == full


def _reference_inputs() -> list[Path]:
    """The corpus's agent logs, its extension scenarios (folders laid out as bundles) and its Windows excerpts
    (placed at their Windows path by ``_as_bundle``), when present."""
    if not REFERENCE.is_dir():
        return []
    logs = sorted((REFERENCE / "linux-agent").rglob("waagent*.log"))
    scenarios = sorted(p for p in (REFERENCE / "vmsnapshot-linux" / "fixtures").iterdir() if p.is_dir())
    return logs + scenarios + sorted(p for p in (REFERENCE / "windows" / "excerpts").glob("*.txt") if _windows_path(p))


def _windows_path(excerpt: Path) -> str | None:
    """Where an excerpt of the Windows agent's logs sits on the VM (None: another kind of text)."""
    name = excerpt.name
    if "transparentinstaller" in name or "health_report" in name:
        return "WindowsAzure/Logs/TransparentInstaller.log"
    return "WindowsAzure/Logs/WaAppAgent.log" if "waappagent" in name or "vmsnapshot" in name else None


def _as_bundle(source: Path, tmp_path: Path) -> Path:
    """``source`` itself, or for a Windows excerpt a folder holding its log lines (annotations dropped) in CRLF."""
    where = _windows_path(source) if source.suffix == ".txt" else None
    if where is None:
        return source
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    target = tmp_path / "bundle" / where
    target.parent.mkdir(parents=True)
    target.write_bytes("\r\n".join(lines).encode("utf-8"))
    return tmp_path / "bundle"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("source", _reference_inputs(), ids=lambda p: p.name)
def test_reference_same_skimmed(source, engine, monkeypatch, tmp_path):
    full, skimmed = _both(_as_bundle(source, tmp_path), engine, monkeypatch)
    assert skimmed == full


def _reference_jobs(name: str) -> bytes:
    """The extension scenarios' ``name`` logs one after another: one log of many jobs and outcomes."""
    logs = sorted((REFERENCE / "vmsnapshot-linux" / "fixtures").glob(
        f"*/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/{name}"))
    return b"".join(log.read_bytes() for log in logs)


@pytest.mark.parametrize("engine", ENGINES)
def test_reference_jobs_in_one_log_same_skimmed(reference, engine, monkeypatch, tmp_path):
    folder = tmp_path / "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
    folder.mkdir(parents=True)
    for name in ("extension.log", "shell.log"):
        (folder / name).write_bytes(_reference_jobs(name))
    full, skimmed = _results(tmp_path, engine, monkeypatch, 2000)
    assert _without_counts(skimmed) == _without_counts(full)
    assert (full["facts"]["last_status_code"], full["facts"]["python_version"]) == (2, "2.7.18")
    assert _records(skimmed, "extension.log") * 2 < _records(full, "extension.log")


def _event(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode())).decode()


def _awkward_log() -> bytes:
    """Routine lines around every shape a skimmer could get wrong."""
    routine = "{t}.{n:06d}Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.13.1.{v} is running as the " \
              "goal state agent [DEBUG HeartbeatCounter: {n};HeartbeatId: X;AutoUpdate: {u};]\n"
    lines = ["Daemon started before the clock was set: Error fetching the goal state: [ProtocolError] timed out\n",
             "2026-11-01T00:00:00.000001Z INFO Daemon Daemon OS: ubuntu 22.04\n",
             "2026-11-01T00:00:00.000002Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1\n"]
    for n in range(1, 400):
        t = f"2026-11-01T{n // 60 % 24:02d}:{n % 60:02d}:00"
        lines.append(routine.format(t=t, n=n, v=n // 100, u=n // 150 % 2))
        if n % 37 == 0:  # a traceback whose hit is in a continuation line, across piece ends
            lines.append(f"{t}.5Z ERROR ExtHandler ExtHandler Unexpected error\nTraceback (most recent call last):\n"
                         + "  File \"x.py\", line 1\n" * (n % 5) + "OSError: [Errno 28] No space left on device\n")
        if n == 100:
            lines.append(f"{t}.6Z INFO ExtHandler [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9200.0] "
                         "Target handler state: enabled\n")
        if n == 120:  # decoded before signatures see it
            lines.append(f"{t}.7Z ERROR ExtHandler ExtHandler Event: name=Microsoft.Azure.RecoveryServices."
                         "VMSnapshotLinux, op=Enable, "
                         f"message={_event('[ExtensionError] Timeout(300): handle.sh enable')}, "
                         "duration=0\n")
        if n == 200:  # a piece that is not ASCII
            lines.append(f"{t}.8Z WARNING ExtHandler ExtHandler Zürich: Error fetching the goal state: timed out\n")
        if n == 250:  # CRLF and NUL bytes, some in a UTF-16-like run
            lines.append(f"{t}.9Z ERROR ExtHandler ExtHandler Fetching the goal state is still failing\r\n\x00\x00")
        if n == 300:  # a hit past the line cut, and one before it
            lines.append(f"{t}.1Z ERROR ExtHandler ExtHandler " + "x" * 70_000 + " No route exists to 168.63.129.16\n")
            lines.append(f"{t}.2Z ERROR ExtHandler ExtHandler No route exists to 168.63.129.16 " + "y" * 70_000 + "\n")
        if n == 350:
            lines.append(f"{t}.3Z INFO ExtHandler [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0] "
                         "Target handler state: enabled\n")
    lines.append("2026-11-02T00:00:00.000001Z ERROR ExtHandler ExtHandler Error fetching the goal state: "
                 "[ProtocolError] [HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out -- "
                 "6 attempts made")
    return "".join(lines).encode("utf-8")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("piece", [300, 4096, 1 << 20])
@pytest.mark.parametrize("dense", [0, skim.DENSE], ids=["scanned-in-line", "scanned-ahead"])
def test_awkward_log_same_skimmed(tmp_path, engine, piece, dense, monkeypatch):
    monkeypatch.setattr(skim, "DENSE", dense)
    log = tmp_path / "waagent.log"
    log.write_bytes(_awkward_log())
    full, skimmed = _both(log, engine, monkeypatch, piece)
    assert skimmed == full
    assert full["facts"]["extension_version"] == "1.0.9225.0"
    assert full["facts"]["auto_update"] is False and full["facts"]["agent_version"] == "2.13.1.3"
    assert full["inventory"][0]["lines"] == _awkward_log().count(b"\n") + 1


UTC = timezone.utc
PLUGIN = "Microsoft.Azure.RecoveryServices.VMSnapshot"
WIRE = "168.63.129.16"


class _AgentLog:
    """Records in the WaAppAgent.log layout, month-first times until ``iso_from``, ISO ones after (an update)."""

    def __init__(self, iso_from: int = 0, day: int = 1):
        self.lines: list[str] = []
        self.t = datetime(2026, 11, day, tzinfo=UTC)
        self.n, self.iso_from = 0, iso_from

    def rec(self, level: str, msg: str) -> None:
        self.n += 1
        self.t += timedelta(seconds=97, microseconds=7919 * self.n)
        t = self.t
        stamp = (f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z" if self.n >= self.iso_from
                 else f"[{t:%m/%d/%Y %H:%M:%S}.{t.microsecond // 10000:02d}]")
        self.lines.append(f"[{self.n % 9 + 10:08X}] {stamp} [{level}]{' ' * max(1, 7 - len(level))}{msg}")

    def report(self, services: dict[str, str] | None, dhcp: bool, split: bool, end: bool = True,
               build: int = 20348) -> None:
        """A VM Health Report block: its JSON on one line or cut over three, the End banner unless not ``end``;
        without ``services``, the system's part only."""
        system = {"windows": {"osVersion": f"10.0.{build}", "productName": "Windows Server 2022 Datacenter"}}
        doc = {"reportTime": f"{self.t:%Y-%m-%dT%H:%M:%S}Z", "systemInfo": system}
        if services is not None:
            ip = {"protocolVersion": 4, "address": "10.1.0.5", "isDhcpEnabled": dhcp}
            doc |= {"networkAdapters": [{"name": "Ethernet", "ipProperties": [ip]}],
                    "services": [{"name": k, "state": v} for k, v in services.items()]}
        text = json.dumps(doc)
        stamp = f"{self.t:%Y-%m-%dT%H:%M:%S}.1234567Z"
        self.lines.append(f"======== Microsoft Azure VM Health Report - Start {stamp} ========")
        self.lines += [text[:40], text[40:90], text[90:]] if split else [text]
        if end:
            self.lines.append(f"======== Microsoft Azure VM Health Report - End {stamp} ========")


def _waappagent_log(failure: bool) -> str:
    """WaAppAgent.log: a line before the first record, both time shapes, stack traces (a hit in one), bare levels,
    agent restarts and versions that change, heartbeats, a record past the line cap, a report block with a line
    after it, non-ASCII text and NUL bytes; with ``failure`` the wireserver lost near the end."""
    w = _AgentLog(iso_from=200)
    w.lines.append("Log opened after a crash: Exception while reading the previous log")
    for n in range(1, 400):
        w.rec("HEART", "WindowsAzureGuestAgent Heartbeat.")
        if n % 90 == 1:
            w.rec("INFO", f"WindowsAzureGuestAgent starting. Version 2.7.41491.{1000 + n}")
            w.rec("INFO", f"Using fabric address 168.63.129.{16 + n // 90} from DHCP.")
        if n % 40 == 5:
            w.rec("WARN", f"Processing plugin {PLUGIN} version 1.0.{70 + n // 40}.0, state: enabled, autoupgrade: "
                          "True, isJson: True")
            w.rec("INFO", f"Getting plugin locations for plugin '{PLUGIN}'. Current Version: '1.0.{70 + n // 40}.0', "
                          "Requested Version: '1.0'")
        if n % 60 == 7:
            w.rec("INFO", f"RdAgent version: 2.7.41491.{1100 + n}")
        if n % 37 == 0:
            w.rec("WARN", "(Ignoring) Exception while fetching supported versions from HostGAPlugin: "
                          "System.Net.WebException: Unable to connect to the remote server \n---> System.Net.Sockets."
                          f"SocketException: A connection attempt failed {WIRE}:32526\n   at System.Net.Sockets.Socket."
                          "DoConnect(EndPoint endPointSnapshot, SocketAddress socketAddress)")
        if n == 100:
            w.lines.append("[ERROR] pasted without its time: Failed to read the agent configuration")
        if n == 120:
            w.rec("INFO", "[HEART] heartbeat written by another thread")
        if n == 150:
            w.rec("INFO", "Zugriff für den Dienst geprüft")
        if n == 170:
            w.rec("INFO", "status written with padding\x00\x00\x00")
        if n == 250:
            w.rec("ERROR", "Unhandled exception, the dump follows" + "\n   at Agent.Frame.Method()" * 2100
                  + "\n   --- End of the dump: Error 0x80004005 ---")
        if n == 300:
            w.report({"WindowsAzureGuestAgent": "Running", "RdAgent": "Running"}, dhcp=True, split=True)
            w.lines.append("text written after the report: the collection failed")
    if failure:
        w.rec("ERROR", f"GetVersions() failed with exception: System.AggregateException: One or more errors occurred. "
                       f"---> System.Net.WebException: Unable to connect to the remote server {WIRE}:80")
    w.rec("INFO", "Goal state processing completed.")
    w.rec("INFO", "StateExecutor waiting for the next goal state.")
    return "\n".join(w.lines)


def _installer_log(failure: bool) -> str:
    """TransparentInstaller.log: reports (JSON on one line or cut over three, some of the system only), DHCP,
    services and OS builds that change (with ``failure`` the agent stopped a while), some ended by a header instead of
    their End banner, lines between them."""
    w = _AgentLog(day=2)
    for n in range(1, 60):
        for _ in range(3):
            w.rec("INFO", "GuestAgent package is up to date; no update needed.")
        w.rec("INFO", "Collecting VM health signals.")
        stopped = failure and 20 <= n < 25
        services = None if n % 8 == 3 else {"WindowsAzureGuestAgent": "Stopped" if stopped else "Running",
                                             "RdAgent": "Running"}
        w.report(services, dhcp=n % 13 != 0, split=n % 3 == 0, end=n % 7 != 0, build=20300 + n)
        if n % 11 == 0:
            w.lines.append("trailing text after the report")
    w.rec("INFO", "GuestAgent package is up to date; no update needed.")
    return "\n".join(w.lines)


def _plugin_log(failure: bool) -> str:
    """IaaSBcdrExtension0.log: TraceSource lines with and without a time, agent headers, generic time stamps with
    level words, stack traces, lines without a stamp; errors (with ``failure`` a VSS writer's veto)."""
    lines = ["Loaded configuration from HandlerEnvironment.json"]
    t = datetime(2026, 10, 31, 1, 0, tzinfo=UTC)
    for n in range(1, 150):
        t += timedelta(minutes=7, seconds=n)
        us = f"{t.month}/{t.day}/{t.year} {t.hour % 12 or 12}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"
        lines.append(f"IaaSBcdrExtension.exe Information: 0 : [{us}] Snapshot request received, task {n}")
        lines.append(f"[{n % 5 + 1:08X}] [{t:%m/%d/%Y %H:%M:%S}.10] [INFO]  Command started: enable.cmd")
        lines.append(f"{t:%Y-%m-%d %H:%M:%S}.224 [Warning] Retrying the snapshot")
        if n % 30 == 0:
            why = "writer vetoed the shadow copy" if failure else "the request timed out"
            lines += [f"IaaSBcdrExtension.exe Error: 7 : [{us}] VSS snapshot creation failed: {why}",
                      "   at Example.Snapshot.Create()", "", "   at Example.Snapshot.Run()"]
        if n % 45 == 0:
            lines += ["SnapshotHost Critical: 1 : snapshot host stopped", "{\"json\": \"continues\"}"]
        lines.append(f"{t + timedelta(hours=2):%Y-%m-%dT%H:%M:%S}.5+02:00 Info offset stamp")
    return "\n".join(lines)


def _windows_bundle(folder: Path, failure: bool, encoding: str) -> Path:
    """The Windows agent's logs in CRLF, WaAppAgent.log in ``encoding``."""
    members = {"WaAppAgent.log": (_waappagent_log(failure), encoding),
               "TransparentInstaller.log": (_installer_log(failure), "utf-8"),
               f"Plugins/{PLUGIN}/1.0.92.0/IaaSBcdrExtension0.log": (_plugin_log(failure), "utf-8"),
               "Telemetry.log": ("[00000001] 2026-11-01T00:00:00.000Z [INFO] Telemetry event sent.", "utf-8")}
    for name, (text, codec) in members.items():
        target = folder / "WindowsAzure/Logs" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.replace("\n", "\r\n").encode(codec))
    return folder


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("piece", [300, 4096, 1 << 20])
@pytest.mark.parametrize("failure", [True, False], ids=["failure", "routine"])
def test_windows_logs_same_skimmed(tmp_path, engine, piece, failure, monkeypatch):
    full, skimmed = _results(_windows_bundle(tmp_path, failure, "utf-8"), engine, monkeypatch, piece)
    assert _without_counts(skimmed) == _without_counts(full)
    facts = full["facts"]
    assert (facts["agent_version"], facts["extension_version"], facts["wireserver_endpoint"]) \
        == ("2.7.41491.1467", "1.0.79.0", "168.63.129.20")
    assert facts["agent_last_heartbeat"] < facts["agent_last_record"]
    assert facts["agent_services"] == {"WindowsAzureGuestAgent": "Running", "RdAgent": "Running"}
    assert (facts["os_version"], facts["dhcp_disabled_adapters"]) == ("10.0.20359", [])
    causes = {d["cause"] for d in full["diagnoses"] if d["confidence"] != "low"}
    assert causes == ({"no-internet-access", "agent-unresponsive-windows"} if failure else set())
    assert bool(full["unexplained"]) is not failure
    if piece < 1 << 20:
        for name in ("WaAppAgent.log", "TransparentInstaller.log", "IaaSBcdrExtension0.log"):
            assert _records(skimmed, name) * 2 < _records(full, name)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_windows_log_with_a_byte_order_mark_same_skimmed(tmp_path, engine, encoding, monkeypatch):
    full, skimmed = _both(_windows_bundle(tmp_path, True, encoding), engine, monkeypatch, 4096)
    assert skimmed == full
    assert full["facts"]["agent_version"] == "2.7.41491.1467"


TAG = "[Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]"


class _ExtLog:
    """extension.log lines of one job, by the py3 handler or (``py2``) the python 2 one, in VM local time."""

    def __init__(self, t: datetime, py2: bool):
        self.t, self.py2, self.lines = t, py2, []

    def stamp(self, seconds: int = 0) -> str:
        return f"{self.t + timedelta(hours=1, seconds=seconds):%Y/%m/%d %H:%M:%S}"

    def say(self, msg: str, tag: str = TAG) -> None:
        self.t += timedelta(milliseconds=731)
        first, *rest = msg.split("\n")
        if self.py2:
            self.lines += [f"{self.stamp()} {tag}{first}", *(f"{self.stamp()} {r}" for r in rest)]
        else:
            self.lines += [f"{self.t:%Y-%m-%d %H:%M:%S.%f} {tag}{first}", *rest]

    def backup(self, level: str, msg: str) -> str:
        return f"{self.t:%Y/%m/%d %H:%M:%S.%f}  {level}  {msg} "


def _extension_job(x: _ExtLog, job: int) -> None:
    """One job: its start, the freeze (block and safefreeze traces written both ways), its status and telemetry."""
    local = f"{x.t + timedelta(hours=1):%Y-%m-%d %H:%M:%S}"
    x.say("starting daemon initially" if job % 5 == 0 else "starting enable")
    x.say(f"cwd is /var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.{9200 + job // 10}.0",
          "[MyBackupTestLinuxInt-0.0]")
    x.say("setting file path is/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/config/"
          "0.settings")
    x.say("Enable,success,4,Transitioning state in extension,False")
    for n in range(30):  # the routine part of a job
        x.say(f"mount command, adding mount :/data{n}: device :/dev/sdc{n}: fstype :xfs:")
    x.say("T:S freeze, timeout value 60")
    x.say("fsfreeze mount :/data")
    if job == 41:  # the log stops inside the freeze
        return
    if x.py2:  # an error over two lines, then one on its own
        x.lines += [f"{x.stamp()} ERROR:{TAG}Unable to locate ./HandlerEnvironment.json", f"{x.stamp()} ERROR:more",
                    f"{x.stamp(1)} ERROR:an error on its own"]
    block = ["Guest Agent Version is :WALinuxAgent-2.0.16", "Distro Info:Default",
             "=" * 18 + " Logs during Freeze Start " + "=" * 14, x.backup("Info", "Aquiring lock succeeded"),
             x.backup("Info", "============== Binary output traces start ================="),
             x.backup("Info", f"{local} Freezing: /data")]
    if job % 6 == 0:
        block += [x.backup("Info", f"{local} Failed to FIFREEZE: /data with error message: Device or resource busy"),
                  x.backup("Error", "freeze failed for some mount")]
    block += [x.backup("Info", "============== Binary output traces end ================="),
              x.backup("Info", "T:S freeze result , timedout :False"), x.backup("Critical", "a critical line"),
              "=" * 18 + " Logs during Freeze End " + "=" * 14]
    x.say("\n".join(block))
    x.say("============== Binary output traces start ================= ")
    x.say(f"{local} Thawing: /data")
    x.say("============== Binary output traces end ================= ")
    x.say("T:S thaw result , thawed: True")
    if job == 17:  # past the size cap
        x.say("mount failed, the mounts follow:\n" + "\n".join(f"/dev/sd{i} on /mnt/{i} ext4" for i in range(2100)))
    if job == 20:
        x.say("From Host- IsSuccessful:false, SnapshotUri:None, ErrorMessage:The rate of snapshot blob calls is "
              "exceeded., StatusCode:409")
    if job == 30:
        x.say("Größe der Partition gelesen")
    x.say('file status report message:\n[{"telemetryData": [{"Key": "pythonVersion", "Value": "3.%d.2"}]}]'
          % (8 + job // 15))
    x.say("Enable,error,121,freeze failed for some mount,False" if job % 6 == 0 else "Enable,success,1,,False")


def _extension_log() -> bytes:
    """extension.log over 41 jobs, every fourth by python 2 and the 25th in CRLF, after a line before any record."""
    out = ["leftover line before the first record"]
    t = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    for job in range(1, 42):
        x = _ExtLog(t, py2=job % 4 == 0)
        _extension_job(x, job)
        out += ["\r\n".join(x.lines)] if job == 25 else x.lines
        t = x.t + timedelta(hours=4)
    return "\n".join(out).encode("utf-8")


def _shell_log() -> bytes:
    """shell.log: the ``date -u`` shapes (C and en_US) and the daemon's bracketed time, blank lines, a line without a
    stamp, and the python the wrapper found changing."""
    lines = []
    t = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    for n in range(1, 120):
        t += timedelta(minutes=13)
        c = f"{t:%a %b %e %H:%M:%S} UTC {t:%Y}- "
        lines += [c + f"ConfigSequenceNumber from environment variable seqNo:{n}",
                  c + ("python2.7" if n // 40 == 1 else "python3") + " path exists", ""]
        if n % 9 == 0:
            lines += [f"{t:%a %b %d %I:%M:%S %p} UTC {t:%Y}- 1 returned from handle.py", "Traceback: handle.py failed"]
        lines.append(f"[{t:%Y-%m-%d %H:%M:%S}:123456789] starting the host based snapshot daemon")
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("piece", [300, 4096, 1 << 20])
def test_extension_logs_same_skimmed(tmp_path, engine, piece, monkeypatch):
    folder = tmp_path / "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
    folder.mkdir(parents=True)
    (folder / "extension.log").write_bytes(_extension_log())
    (folder / "shell.log").write_bytes(_shell_log())
    full, skimmed = _results(tmp_path, engine, monkeypatch, piece)
    assert _without_counts(skimmed) == _without_counts(full)
    facts = full["facts"]
    assert (facts["extension_version"], facts["python_version"], facts["last_status_code"]) \
        == ("1.0.9204.0", "3.10.2", 4)
    assert facts["vmsnapshot_stopped_in_freeze"] is True
    assert full["errors"]
    if piece < 1 << 20:
        assert _records(skimmed, "extension.log") * 2 < _records(full, "extension.log")
        assert _records(skimmed, "shell.log") * 2 < _records(full, "shell.log")


@pytest.mark.parametrize("text", ["error", "Error", "ERROR", "KeyError", "OSERROR", "failed", "Failed", "FAILED",
                                  "System.Net.WebException", "SYSTEM.IOEXCEPTION",
                                  "Traceback (most recent call last):"])
def test_error_words_find_the_errors_the_unexplained_list_counts(text):
    assert _ERRORISH.search(text) and any(regex.search(word, text) for word in ERROR_WORDS)


_WORDS = ["error", "Error", "ERROR", "errors", "ErrorMessage", "failed", "Failed", "FAILED", "failedOver",
          "exception", "Exception", "EXCEPTION", "Exceptions", "IO", "OS", "x", "_", "1", " ", ":", ".", "\n"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=8))
def test_every_text_the_unexplained_list_counts_holds_an_error_word(words):
    """In the three casings, whatever the words around them: where ``_ERRORISH`` finds an error, so does one of
    the triggers."""
    text = "".join(words)
    if _ERRORISH.search(text):
        assert any(regex.search(word, text) for word in ERROR_WORDS), text


@pytest.mark.parametrize("path", [
    "WindowsAzure/Logs/WaAppAgent.log", "WindowsAzure/Logs/TransparentInstaller.log",
    "WindowsAzure/Logs/AppAgentRuntime.log", "WindowsAzure/Logs/Telemetry.log",
    f"WindowsAzure/Logs/Plugins/{PLUGIN}/1.0.92.0/IaaSBcdrExtension0.log",
    "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log",
    "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/shell.log"])
def test_windows_agent_and_extension_logs_are_skimmed(path):
    parser = registry.parser_module(spec := registry.classify(path))
    assert registry.skim_of(spec) is parser.SKIM and parser.SKIM.is_start is parser.is_record_start


@pytest.mark.parametrize("piece", [300, 4096])
@pytest.mark.parametrize("module, path, data, literal", [
    ("waappagent_log", "WindowsAzure/Logs/WaAppAgent.log", _waappagent_log(True), b"Exception"),
    ("waappagent_log", "WindowsAzure/Logs/TransparentInstaller.log", _installer_log(True), b"Stopped"),
    ("windows_plugin_log", f"WindowsAzure/Logs/Plugins/{PLUGIN}/1.0.92.0/IaaSBcdrExtension0.log", _plugin_log(True),
     b"continues"),
    ("vmsnapshot_log", "extension.log", _extension_log().decode(), b"Critical"),
    ("vmsnapshot_log", "extension.log", _extension_log().decode(), b"/data7"),
    ("vmsnapshot_shell_log", "shell.log", _shell_log().decode(), b"returned"),
], ids=lambda v: v if isinstance(v, bytes) else None)
def test_a_skimmed_record_is_that_of_a_full_read(module, path, data, literal, piece):
    """Down to what no diagnosis reads (component, level), in CRLF."""
    parser = registry.parser_module(Spec("x", "", module))
    data = data.replace("\n", "\r\n").encode("utf-8")
    full = {r.line: r for r in run_parser(parser, data, path)[0]}
    ctx = context(path)
    ctx.reader = Skimmer(parser.SKIM, lambda: _Finds(literal), piece=piece, tail=0)
    skimmed = list(parser.parse(io.BytesIO(data), ctx))
    assert [r for r in skimmed if r != full.get(r.line)] == []
    assert any(literal.decode() in r.message for r in skimmed) and len(skimmed) * 2 < len(full)


class _Finds:
    """A scan that reports where a literal occurs."""

    def __init__(self, literal: bytes):
        self.literal = literal

    def scan(self, data: bytes) -> list[int]:
        return [i + len(self.literal) for i in range(len(data)) if data.startswith(self.literal, i)]

    def occurrences(self, data: bytes, literals: tuple[bytes, ...]) -> dict[bytes, list[int]]:
        return {x: [i for i in range(len(data)) if data.startswith(x, i)] for x in literals}


def _routine(count: int) -> list[bytes]:
    """Log collector lines: none is the agent's own last record, which each piece would read."""
    return [b"2026-11-01T00:%02d:%02d.000000Z INFO Daemon LogCollector line %d\n" % (i // 60, i % 60, i)
            for i in range(count)]


def test_reads_only_the_chosen_records():
    records = _routine(200)
    records[120] += b"Traceback (most recent call last):\nOSError: boom\n"  # record of lines 121-123
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"OSError"), piece=1000, tail=0)
    got = [n for n, _ in skimmer(io.BytesIO(b"".join(records)), 1000)]
    assert got == [121, 122, 123, 202]  # the record around the hit, then the last record
    assert skimmer.lines == 202


def test_each_piece_reads_its_last_agent_record():
    """The agent's last UTC record (not the log collector's) is a fact: each piece reads its last one."""
    records = _routine(200)
    records[:150] = [r.replace(b"Daemon LogCollector", b"Daemon Daemon") for r in records[:150]]
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"nothing"), piece=1000, tail=0)
    got = [n for n, _ in skimmer(io.BytesIO(b"".join(records)), 1000)]
    assert 150 in got and not any(150 < n < 200 for n in got) and got[-1] == 200


def test_the_tail_spans_pieces():
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"nothing"), piece=1000, tail=3000)
    lines = _routine(200)
    got = [n for n, _ in skimmer(io.BytesIO(b"".join(lines)), 1000)]
    assert got == list(range(200 - len(got) + 1, 201)) and len(got) >= 3000 // max(map(len, lines))


def test_small_files_and_other_encodings_are_read_in_full():
    asked = []
    skimmer = Skimmer(waagent_log.SKIM, lambda: asked.append(1), piece=1 << 20, tail=0)
    assert len(list(skimmer(io.BytesIO(b"".join(_routine(200))), 1000))) == 200
    data = ("2026-11-01T00:00:00.000000Z INFO Daemon Daemon a\n" * 100).encode("utf-16")
    skimmer = Skimmer(waagent_log.SKIM, lambda: asked.append(1), piece=100, tail=0)
    assert list(skimmer(io.BytesIO(data), 1000))[-1] == (100, "2026-11-01T00:00:00.000000Z INFO Daemon Daemon a")
    assert asked == []  # no scan was even asked for


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "one piece"])
def test_small_plain_files_and_other_encodings_are_read_in_full(tmp_path, encoding):
    """A plain file's start alone says it is read in full (another encoding, a byte order mark, one piece): its
    lines are those of a stream, and no scan is asked for."""
    text = "".join(line.decode() for line in _routine(200))
    data = text.encode("utf-8" if encoding == "one piece" else encoding)
    path = tmp_path / "waagent.log"
    path.write_bytes(data)
    asked = []

    def skimmer() -> Skimmer:
        return Skimmer(waagent_log.SKIM, lambda: asked.append(1), piece=len(data) if encoding == "one piece" else 1000,
                       tail=0)

    with Member(path.name, len(data), lambda: open(path, "rb")).open(Budget(Limits())) as placed:
        assert placed.placed() is not None
        got = _lines_of(skimmer(), placed)
    assert got == _lines_of(skimmer(), io.BytesIO(data)) and len(got[0]) == got[1] == 200
    assert asked == []


def test_meanwhile_is_done_once_while_the_first_pieces_are_scanned():
    """The caller's work is done once, after the first pieces are handed to the scans and before any line is read
    from them; a member read in one piece never calls it."""
    data = b"".join(_routine(400))
    events = []
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"line 3"), piece=1000, tail=0, processes=0,
                      meanwhile=lambda: events.append(("meanwhile", skimmer.scan is not None)))
    events += [("line", n) for n, _ in skimmer(io.BytesIO(data), 1000)]
    assert events[0] == ("meanwhile", True) and [e for e, _ in events].count("meanwhile") == 1
    assert len(events) > 10  # "line 3", "line 30" to "line 39", "line 300"...: lines of several pieces
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"nothing"), piece=len(data), tail=0,
                      meanwhile=lambda: events.append(("meanwhile", False)))
    assert len(list(skimmer(io.BytesIO(data), 1000))) == 400 and ("meanwhile", False) not in events


def test_the_callers_preparation_is_done_once_while_a_large_log_is_scanned(tmp_path, monkeypatch):
    """``analyze``'s ``prepare`` is done once for a bundle of two large logs, and not at all for a small one."""
    monkeypatch.setattr(skim, "PIECE", 1000)
    monkeypatch.setattr(skim, "TAIL", 200)
    (tmp_path / "var" / "log").mkdir(parents=True)
    for name in ("waagent.log.1", "waagent.log"):
        (tmp_path / "var" / "log" / name).write_bytes(b"".join(_routine(400)))
    prepared = []
    result = analyze(tmp_path, KNOWLEDGE, prepare=lambda: prepared.append(1))
    assert prepared == [1] and [e.lines for e in result.inventory] == [400, 400]
    small = tmp_path / "small"
    (small / "var" / "log").mkdir(parents=True)
    (small / "var" / "log" / "waagent.log").write_bytes(b"".join(_routine(10)))
    analyze(small, KNOWLEDGE, prepare=lambda: prepared.append(2))
    assert prepared == [1]


def test_no_scan_from_the_engine_means_a_full_read():
    skimmer = Skimmer(waagent_log.SKIM, lambda: None, piece=1000, tail=0)
    assert len(list(skimmer(io.BytesIO(b"".join(_routine(200))), 1000))) == 200


def test_inventory_counts_lines_of_every_line_log():
    bundle = ROOT / "samples" / "bundles" / "linux-fsfreeze-failed.zip"
    import zipfile

    with zipfile.ZipFile(bundle) as zf:
        expected = {name: zf.read(name).count(b"\n") + (0 if zf.read(name).endswith(b"\n") else 1)
                    for name in zf.namelist() if name.endswith((".log", "waagent.conf"))}
    got = {e.path: e.lines for e in analyze(bundle, KNOWLEDGE).inventory if e.path in expected}
    assert got == expected and len(got) >= 4


def test_a_piece_with_nul_bytes_is_decoded_as_the_file_is():
    """A record whose text looks like UTF-16 (NUL every other byte) is still read as the UTF-8 file it is in."""
    records = _routine(100)
    records[50] = b"2026-11-01T00:00:50.000000Z INFO Daemon Daemon special\n" + b"N\x00o\x00 \x00" * 600 + b"\n"
    data = b"".join(records)
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"special"), piece=1000, tail=0)
    got = dict(skimmer(io.BytesIO(data), 100_000))
    full = dict(iter_lines(io.BytesIO(data), 100_000))
    assert got[51] == full[51] and got[52] == full[52] == "No " * 600


def test_no_line_past_the_end_when_every_line_is_a_record():
    from azlog_vmbackup.parsers import syslog

    data = b"".join(b"May 14 02:%02d:%02d vm1 systemd[1]: line %d\n" % (i // 60, i % 60, i) for i in range(100))
    for tail in (0, 64, 1 << 16):
        skimmer = Skimmer(syslog.SKIM, lambda: _Finds(b"line 99"), piece=1000, tail=tail)
        got = [n for n, _ in skimmer(io.BytesIO(data), 1000)]
        assert got[-1] == 100 and got == sorted(set(got)) and skimmer.lines == 100


def test_the_tail_is_read_after_a_record_that_reaches_into_it():
    """A hit's record may run past where the always-read tail starts: the tail is still read to the end."""
    records = _routine(300)
    records.append(b"2026-11-01T01:00:00.000000Z ERROR ExtHandler ExtHandler Unexpected error\n"
                   b"Traceback (most recent call last):\n" + b'  File "x.py", line 1, in f\n' * 10)
    records += _routine(25)
    records.append(b"2026-11-01T02:00:00.000000Z ERROR ExtHandler ExtHandler the last word\n")
    data = b"".join(records)
    tail = len(data) - (data.index(b"Traceback") + 100)  # the tail starts inside the traceback's record
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"Traceback"), piece=4096, tail=tail)
    got = dict(skimmer(io.BytesIO(data), 1000))
    assert got[max(got)].endswith("the last word") and max(got) == skimmer.lines == data.count(b"\n")
    assert list(got) == list(range(min(got), max(got) + 1))[-len(got):]


def _lines_of(skimmer: Skimmer, stream) -> tuple[list[tuple[int, str]], int]:
    return list(skimmer(stream, 1000)), skimmer.lines


@pytest.mark.parametrize("shape", ["records", "a record longer than the probe", "no record boundary"])
def test_a_plain_file_read_at_its_places_gives_the_lines_of_a_stream(tmp_path, shape, monkeypatch):
    """A plain file's pieces are read where they lie (by the scanning processes too) and cut where a record starts
    in their last bytes, else farther back; they give the lines a stream's pieces give."""
    records = _routine(400)
    records[150] += b"Traceback (most recent call last):\nOSError: boom\n"
    if shape == "a record longer than the probe":
        monkeypatch.setattr(pieces, "_PROBE", 256)
        records[10] += b"".join(b'  File "x.py", line %d, in f\n' % i for i in range(40))  # 1.2 KB of one record
    if shape == "no record boundary":
        monkeypatch.setattr(skim, "MAX_CARRY", 3000)  # a stream's carry
        monkeypatch.setattr(pieces, "MAX_CARRY", 3000)  # a plain file's
        records[10] += b"".join(b"  continued %d\n" % i for i in range(400))  # more than a carry may hold
    data = b"".join(records)
    path = tmp_path / "waagent.log"
    path.write_bytes(data)

    def skimmer() -> Skimmer:
        return Skimmer(waagent_log.SKIM, lambda: _Finds(b"OSError"), piece=1000, tail=0)

    with Member(path.name, len(data), lambda: open(path, "rb")).open(Budget(Limits())) as placed:
        assert placed.placed() is not None
        got = _lines_of(skimmer(), placed)
    assert got == _lines_of(skimmer(), io.BytesIO(data))
    boom = data[:data.index(b"OSError: boom")].count(b"\n") + 1
    assert got[1] == data.count(b"\n") and (boom, "OSError: boom") in got[0]


def test_a_plain_files_first_piece_is_short(tmp_path, monkeypatch):
    """A plain file's first piece ends at a record start within its first ``FIRST`` bytes (its records are parsed,
    and what repeats is learnt, while the next pieces are scanned); the others are cut as before, and the lines
    are a stream's."""
    monkeypatch.setattr(pieces, "FIRST", 300)
    data = b"".join(_routine(400))
    path = tmp_path / "waagent.log"
    path.write_bytes(data)

    def skimmer() -> Skimmer:
        return Skimmer(waagent_log.SKIM, lambda: _Finds(b"line 3"), piece=1000, tail=0)

    with Member(path.name, len(data), lambda: open(path, "rb")).open(Budget(Limits())) as placed:
        cut = [(len(piece), at) for piece, _, at in skimmer()._placed(placed, len(data))]
        got = _lines_of(skimmer(), placed)
    assert got == _lines_of(skimmer(), io.BytesIO(data))
    assert cut[0][0] <= 300 < min(size for size, _ in cut[1:-1]) and max(size for size, _ in cut) < 2000
    assert [at for _, at in cut] == [sum(size for size, _ in cut[:i]) for i in range(len(cut))]
    assert all(data[at - 1:at] == b"\n" and data[at:at + 4] == b"2026" for _, at in cut[1:])


def test_a_plain_file_that_shrinks_while_it_is_read_is_said(tmp_path):
    data = b"".join(_routine(400))
    path = tmp_path / "waagent.log"
    path.write_bytes(data)
    cut = []

    def shrink():
        if not cut:
            cut.append(path.stat().st_size)
            with open(path, "r+b") as f:
                f.truncate(len(data) // 2)

    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"nothing"), piece=1000, tail=0, check=shrink)
    with Member(path.name, len(data), lambda: open(path, "rb")).open(Budget(Limits())) as placed:
        with pytest.raises(OSError, match="it changed while it was read"):
            list(skimmer(placed, 1000))
