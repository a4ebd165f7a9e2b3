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

ROOT = Path(__file__).resolve().parents[1]
EXT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
CAUSES = ("no-internet-access", "snapshot-status-unavailable", "agent-outdated-linux", "agent-unresponsive-linux",
          "agent-config-invalid", "extension-update-or-load-failed", "extension-python-incompatible",
          "fsfreeze-failed", "fsfreeze-timeout", "mount-point-inaccessible", "prepost-script-failed",
          "snapshot-limit-reached", "snapshot-rate-exceeded", "host-snapshot-service-error",
          "command-invoked-too-late", "low-resources", "unsupported-os", "healthy-modern", "healthy-2.2.45")
EXPECTED = sorted([f"linux-{c}.zip" for c in CAUSES]
                  + ["linux-no-internet-access-sosreport.tar.gz", "waagent-outdated.log"])
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
        assert path.stat().st_size < 200_000, path.name


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
    assert "cannot get status report parameters , Exception 556" in text("linux-host-snapshot-service-error.zip", ext_log)
    assert "CRP timeout limit has reached, will not take snapshot." in text("linux-command-invoked-too-late.zip", ext_log)
    assert "Enable,error,85,,False" in text("linux-snapshot-limit-reached.zip", ext_log)
    assert "Prescript for ScriptRunner failed with error code: 1 ." in text("linux-prepost-script-failed.zip", ext_log)
    assert "python version unknown" in text("linux-extension-python-incompatible.zip", f"var/log/azure/{EXT}/shell.log")
    assert "Extensions.Enabled=n" in text("linux-agent-config-invalid.zip", "etc/waagent.conf")
    assert "ID=coreos" in text("linux-unsupported-os.zip", "etc/os-release")
    assert "option unknown-245" not in text("linux-snapshot-status-unavailable.zip", "var/lib/dhcp/dhclient.eth0.leases")
    assert "CPUThrottledTime(" in text("linux-low-resources.zip", "var/log/waagent.log")
    assert "Out of memory: Killed process" in text("linux-low-resources.zip", "var/log/syslog")
    assert "restarted more than 3 times" in text("linux-agent-unresponsive-linux.zip", "var/log/waagent.log")
    assert "-- IOError timed out -- 6 attempts made" in text("linux-no-internet-access.zip", "var/log/waagent.log")
    assert "Enable,error,76,,False" in text("linux-no-internet-access.zip", ext_log)
    assert "Non-zero exit code: 1" in text("linux-extension-update-or-load-failed.zip", "var/log/waagent.log")
