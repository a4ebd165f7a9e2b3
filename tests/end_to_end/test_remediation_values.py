"""The remediation of each sample names the bundle's own values: the mount that failed, the VSS writer, the
process the kernel killed, the distribution's commands for the agent. Each expected value is read from the
bundle's own lines here, independently of the signatures that capture it."""
from __future__ import annotations

import re
import zipfile

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from tests.helpers import ROOT

KNOWLEDGE = Knowledge.load()
SAMPLES = ROOT / "samples" / "bundles"


def _grep(bundle: str, pattern: str) -> str:
    """The first group of ``pattern`` in any member of the sample ``bundle``."""
    with zipfile.ZipFile(SAMPLES / bundle) as zf:
        for name in zf.namelist():
            found = re.search(pattern, zf.read(name).decode("utf-8", "replace"))
            if found:
                return found[1]
    raise AssertionError(f"{pattern} not in {bundle}")


def _service(bundle: str) -> str:
    distro = _grep(bundle, r'(?m)^ID="?([\w.-]+)')
    return "walinuxagent" if distro in ("ubuntu", "debian") else "waagent"


CASES = {  # sample -> (cause, the values its steps must name, read from the bundle)
    "linux-fsfreeze-failed.zip": ("fsfreeze-failed", lambda b: [_grep(b, r"Failed to FIFREEZE: (\S+)")]),
    "linux-mount-point-inaccessible.zip": ("mount-point-inaccessible", lambda b: [_grep(b, r"Failed to open: (\S+)")]),
    "windows-vss-failure.zip": ("vss-failure", lambda b: [_grep(b, r"Writer Name: (\w+)")]),
    "linux-low-resources.zip": ("low-resources", lambda b: [_grep(b, r"Out of memory: Killed process \d+ \((\w+)\)"),
                                                            _grep(b, r"task_memcg=([^,]+)")]),
    "linux-agent-unresponsive-linux.zip": ("agent-unresponsive-linux",
                                           lambda b: [f"systemctl restart {_service(b)}"]),
    "linux-agent-outdated-linux.zip": ("agent-outdated-linux", lambda b: [
        f"systemctl restart {_service(b)}", _grep(b, r"Agent WALinuxAgent-([\d.]+) is running as the goal state")]),
    "linux-agent-config-invalid.zip": ("agent-config-invalid", lambda b: [f"systemctl restart {_service(b)}"]),
}


@pytest.mark.parametrize("bundle", sorted(CASES))
def test_steps_name_the_bundles_own_values(bundle):
    cause, values = CASES[bundle]
    top = analyze(SAMPLES / bundle, KNOWLEDGE).diagnoses[0]
    assert top.cause == cause
    steps = "\n".join(top.remediation)
    for value in values(bundle):
        assert value in steps, (value, steps)
    assert "{" not in steps  # every template filled, by a value or its generic wording


def test_without_values_the_generic_wording_stays():
    from azlog_vmbackup.analyzer.apps.analyze import analyze_text

    line = ("2026-11-20 01:12:39.000000 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]"
            "freeze failed for some mount")
    result = analyze_text("var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log",
                          line + "\n", KNOWLEDGE)
    steps = next(d for d in result.diagnoses if d.cause == "fsfreeze-failed").remediation
    assert "the mount named in the evidence" in steps[0] and "fuser -vm MOUNT" in steps[0]
