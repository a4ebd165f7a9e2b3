"""The sample generator: deterministic output, readable archives, safe member names."""
from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

EXT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
CAUSES = ("no-internet-access", "snapshot-status-unavailable", "agent-outdated-linux", "agent-unresponsive-linux",
          "agent-config-invalid", "extension-update-or-load-failed", "extension-python-incompatible",
          "fsfreeze-failed", "fsfreeze-timeout", "mount-point-inaccessible", "prepost-script-failed",
          "snapshot-limit-reached", "snapshot-rate-exceeded", "host-snapshot-service-error",
          "command-invoked-too-late", "low-resources", "unsupported-os", "healthy-modern", "healthy-2.2.45")
WIN_CAUSES = ("agent-unresponsive-windows", "no-internet-access", "snapshot-status-unavailable",
              "extension-update-or-load-failed", "vss-failure", "com-plus-failure", "application-control-blocking",
              "guest-certificate-missing", "low-resources", "healthy")
WIN_VARIANTS = {"windows-no-internet-access-diskinspect.zip": "device_0/",
                "windows-no-internet-access-vmrepair.zip": "2026-11-20_10.12.33_UTC/F/"}
EXPECTED = sorted([f"linux-{c}.zip" for c in CAUSES] + [f"windows-{c}.zip" for c in WIN_CAUSES] + list(WIN_VARIANTS)
                  + ["linux-no-internet-access-sosreport.tar.gz", "waagent-outdated.log"])
WIN_EXT = "Microsoft.Azure.RecoveryServices.VMSnapshot"
WIN_PKG = f"Packages/Plugins/{WIN_EXT}/1.0.92.0/"
WIN_LOGS = "WindowsAzure/Logs/"
# the collector (-collect-logs, and so results.txt) exists from agent 2.2.49 on
NO_COLLECTOR = {"linux-agent-outdated-linux.zip", "linux-healthy-2.2.45.zip", "linux-fsfreeze-timeout.zip",
                "linux-unsupported-os.zip"}


def _load_generator():
    spec = importlib.util.spec_from_file_location("samples_generate", ROOT / "samples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    gen = _load_generator()
    first, second = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    gen.generate(first)
    gen.generate(second)
    return first, second


def test_expected_files(generated):
    first, _ = generated
    assert sorted(p.name for p in first.iterdir()) == EXPECTED


def test_byte_identical_runs(generated):
    first, second = generated
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_small(generated):
    first, _ = generated
    for path in first.iterdir():
        limit = 100_000 if path.name.startswith("windows-") else 200_000
        assert path.stat().st_size < limit, path.name


def _zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _safe(name: str) -> bool:
    return not name.startswith("/") and ".." not in name.split("/")


@pytest.mark.parametrize("cause", CAUSES)
def test_zip_bundle_layout(generated, cause):
    first, _ = generated
    name = f"linux-{cause}.zip"
    members = _zip_members(first / name)
    assert all(_safe(n) for n in members)
    for required in ("var/log/waagent.log", "etc/waagent.conf", "etc/os-release",
                     f"var/log/azure/{EXT}/extension.log", f"var/log/azure/{EXT}/shell.log"):
        assert required in members, required
    assert any(n.endswith("/config/HandlerState") for n in members)
    assert any(n.endswith("/config/HandlerStatus") for n in members)
    assert ("results.txt" in members) == (name not in NO_COLLECTOR)
    for member, data in members.items():
        if member.startswith("var/lib/waagent/history/"):
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                assert {"GoalState.xml", "ExtensionsConfig.xml", "waagent_status.json"} <= set(inner.namelist())


@pytest.mark.parametrize("cause", [c for c in CAUSES if c not in ("agent-config-invalid",
                                                                  "extension-update-or-load-failed")])
def test_status_file_carries_inner_report(generated, cause):
    members = _zip_members(generated[0] / f"linux-{cause}.zip")
    current = [n for n in members if n.endswith(".status")]
    for name in current:
        outer = json.loads(members[name])
        inner = json.loads(outer[0]["status"]["substatus"][0]["name"])
        assert inner[0]["status"]["code"] == outer[0]["status"]["code"]


def test_sosreport_layout(generated):
    with tarfile.open(generated[0] / "linux-no-internet-access-sosreport.tar.gz") as tar:
        names = tar.getnames()
    assert all(_safe(n) for n in names)
    roots = {n.split("/")[0] for n in names}
    assert len(roots) == 1 and next(iter(roots)).startswith("sosreport-sql-vm-07-")
    root = next(iter(roots))
    assert f"{root}/var/log/waagent.log" in names
    assert any("/sos_commands/" in n for n in names)


def test_plain_log_is_old_format(generated):
    text = (generated[0] / "waagent-outdated.log").read_text()
    assert text.startswith("20")
    assert "INFO ExtHandler Agent WALinuxAgent-2.2.41 is running as the goal state agent" in text
    assert "AutoUpdate.Enabled is set to False" in text


def test_cause_evidence(generated):
    """A key line of each cause is present where a diagnosis would look for it."""
    first = generated[0]

    def text(bundle, member):
        return _zip_members(first / bundle)[member].decode()

    ext_log = f"var/log/azure/{EXT}/extension.log"
    assert "Enable,error,121,,False" in text("linux-fsfreeze-failed.zip", ext_log)
    assert "Failed to FIFREEZE: /data" in text("linux-fsfreeze-failed.zip", ext_log)
    assert "Enable,error,122,,False" in text("linux-fsfreeze-timeout.zip", ext_log)
    assert "Failed to open: /mnt/export" in text("linux-mount-point-inaccessible.zip", ext_log)
    assert "Failed to log status in extension173" in text("linux-snapshot-rate-exceeded.zip", ext_log)
    assert ("cannot get status report parameters , Exception 556"
            in text("linux-host-snapshot-service-error.zip", ext_log))
    assert ("CRP timeout limit has reached, will not take snapshot."
            in text("linux-command-invoked-too-late.zip", ext_log))
    assert "Enable,error,85,,False" in text("linux-snapshot-limit-reached.zip", ext_log)
    assert "Prescript for ScriptRunner failed with error code: 1 ." in text("linux-prepost-script-failed.zip", ext_log)
    assert "python version unknown" in text("linux-extension-python-incompatible.zip", f"var/log/azure/{EXT}/shell.log")
    assert "Extensions.Enabled=n" in text("linux-agent-config-invalid.zip", "etc/waagent.conf")
    assert "ID=coreos" in text("linux-unsupported-os.zip", "etc/os-release")
    assert ("option unknown-245"
            not in text("linux-snapshot-status-unavailable.zip", "var/lib/dhcp/dhclient.eth0.leases"))
    assert "CPUThrottledTime(" in text("linux-low-resources.zip", "var/log/waagent.log")
    assert "Out of memory: Killed process" in text("linux-low-resources.zip", "var/log/syslog")
    assert "restarted more than 3 times" in text("linux-agent-unresponsive-linux.zip", "var/log/waagent.log")
    assert "-- IOError timed out -- 6 attempts made" in text("linux-no-internet-access.zip", "var/log/waagent.log")
    assert "Enable,error,76,,False" in text("linux-no-internet-access.zip", ext_log)
    assert "Non-zero exit code: 1" in text("linux-extension-update-or-load-failed.zip", "var/log/waagent.log")


@pytest.mark.parametrize("cause", WIN_CAUSES)
def test_windows_bundle_layout(generated, cause):
    members = _zip_members(generated[0] / f"windows-{cause}.zip")
    assert all(_safe(n) for n in members)
    for required in (f"{WIN_LOGS}WaAppAgent.log", f"{WIN_LOGS}TransparentInstaller.log",
                     f"{WIN_LOGS}AggregateStatus/aggregatestatus.json",
                     f"{WIN_LOGS}Plugins/{WIN_EXT}/1.0.92.0/IaaSBcdrExtension0.log",
                     f"{WIN_PKG}Status/HeartBeat.Json", "EventLogs/System.txt", "EventLogs/Application.csv"):
        assert required in members, required
    assert any(n.startswith(f"{WIN_PKG}Status/") and n.endswith(".status") for n in members)
    assert any(n.startswith(f"{WIN_PKG}RuntimeSettings/") and n.endswith(".settings") for n in members)
    assert "Microsoft Azure VM Health Report - Start" in members[f"{WIN_LOGS}TransparentInstaller.log"].decode()
    for name, data in members.items():
        if name.endswith((".status", ".settings", "HeartBeat.Json")):
            json.loads(data)


def _agg(data: bytes) -> dict:
    text = data[2:].decode("utf-16-le") if data.startswith(b"\xff\xfe") else data.decode()
    return json.loads(text.replace("\x00", ""))


def test_windows_aggregate_status_encodings(generated):
    first = generated[0]
    raws = {c: _zip_members(first / f"windows-{c}.zip")[f"{WIN_LOGS}AggregateStatus/aggregatestatus.json"]
            for c in WIN_CAUSES}
    assert raws["com-plus-failure"].startswith(b"\xff\xfe") and raws["com-plus-failure"].endswith(b"\x00\x00")
    assert raws["healthy"].endswith(b"\x00") and not raws["healthy"].startswith(b"\xff\xfe")
    for cause, raw in raws.items():
        handler = _agg(raw)["aggregateStatus"]["handlerAggregateStatus"][0]
        assert handler["handlerName"] == WIN_EXT, cause


@pytest.mark.parametrize("name", sorted(WIN_VARIANTS))
def test_windows_layout_variants(generated, name):
    prefix = WIN_VARIANTS[name]
    members = _zip_members(generated[0] / name)
    assert all(_safe(n) for n in members)
    assert f"{prefix}WindowsAzure/Logs/WaAppAgent.log" in members
    plain = _zip_members(generated[0] / "windows-no-internet-access.zip")
    assert members[f"{prefix}WindowsAzure/Logs/WaAppAgent.log"] == plain[f"{WIN_LOGS}WaAppAgent.log"]
    if prefix == "device_0/":
        assert {"results.txt", "diskinfo.txt"} <= set(members)
        assert f"device_0/{WIN_PKG}Status/HeartBeat.Json" in members
    else:
        assert "2026-11-20_10.12.33_UTC/collectedLogFiles.csv" in members


def test_windows_protected_settings_stay_in_settings(generated):
    """The fake protectedSettings blob appears only in RuntimeSettings files."""
    for cause in WIN_CAUSES:
        members = _zip_members(generated[0] / f"windows-{cause}.zip")
        blobs = set()
        for name, data in members.items():
            if "/RuntimeSettings/" in name:
                blobs.add(json.loads(data)["runtimeSettings"][0]["handlerSettings"]["protectedSettings"])
        assert blobs, cause
        for name, data in members.items():
            if "/RuntimeSettings/" not in name:
                assert not any(b.encode() in data for b in blobs), (cause, name)


def test_windows_cause_evidence(generated):
    """The key lines of each Windows cause, in the shapes the public material documents."""
    first = generated[0]

    def text(cause, member):
        data = _zip_members(first / f"windows-{cause}.zip")[member]
        return data.decode("utf-8-sig")

    wa, ti, ext = f"{WIN_LOGS}WaAppAgent.log", f"{WIN_LOGS}TransparentInstaller.log", \
        f"{WIN_LOGS}Plugins/{WIN_EXT}/1.0.92.0/IaaSBcdrExtension0.log"
    system, app = "EventLogs/System.txt", "EventLogs/Application.csv"
    log = text("agent-unresponsive-windows", wa)
    assert "] [WARN]  WindowsAzureGuestAgent could not be stopped. Exception: System.NullReferenceException" in log
    assert log.rstrip().endswith("[INFO]  WindowsAzureGuestAgent starting. Version 2.7.41491.1083")
    assert "Ereignis-ID: 7031" in text("agent-unresponsive-windows", system)
    assert ('Der Dienst "Windows Azure Guest Agent" wurde unerwartet beendet'
            in text("agent-unresponsive-windows", system))
    assert "ConfigurationErrorsException" in text("agent-unresponsive-windows", app)
    assert "machine.config line 242" in text("agent-unresponsive-windows", ti)
    log = text("no-internet-access", wa)
    assert "(503) Server Unavailable." in log
    assert "forbidden by its access permissions 168.63.129.16:32526" in log
    assert "[ERROR] ControlSystem not initialized. Skip getting goal state" in log
    log = text("snapshot-status-unavailable", wa)
    assert "[WARN]  Empty DHCP option data returned" in log
    assert "[ERROR] Did not discover fabric address on interface Ethernet 3" in log
    assert '"address":"10.1.3.20","isDhcpEnabled":false' in text("snapshot-status-unavailable", ti)
    log = text("extension-update-or-load-failed", wa)
    assert "has not exited on time! Killing it..., Code: 1009" in log
    assert "has exited with Exit code: 1, Code: 1009" in log
    assert "is not available for the Extension '' yet." in log
    assert "[INFO]VMSettingsConsistenceCheckIfFabricSource Passed." in log
    assert "The shadow copy provider timed out while holding writes" in text("vss-failure", app)
    assert '"8193"' in text("vss-failure", app) and '"12289"' in text("vss-failure", app)
    assert "ExtensionFailedVssWriterInBadState" in text("vss-failure", ext)
    assert ("COM+ was unable to talk to the Microsoft Distributed Transaction Coordinator"
            in text("com-plus-failure", app))
    assert "Faulting application name: IaaSBcdrExtension.exe" in text("application-control-blocking", app)
    applocker = text("application-control-blocking", "EventLogs/Microsoft-Windows-AppLocker-EXE and DLL.txt")
    assert "Event ID: 8004" in applocker and "IAASBCDREXTENSION.EXE was prevented from running." in applocker
    log = text("guest-certificate-missing", wa)
    assert "[ERROR] RdCrypt Initialization failed. Error Code: -2147023143." in log
    assert "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86." in log
    assert "FailedToDecryptProtectedSettings" in text("guest-certificate-missing", ext)
    assert "Source: Microsoft-Windows-Resource-Exhaustion-Detector" in text("low-resources", system)
    assert "COM+ memory quota" in text("low-resources", ext)
    assert "[HEART] WindowsAzureGuestAgent Heartbeat." in text("healthy", wa)
