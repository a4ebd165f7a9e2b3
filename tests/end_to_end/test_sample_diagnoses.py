"""End to end over the bundled samples: each failure sample's top cause, and calm on the healthy ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from tests.helpers import ROOT

BUNDLES = ROOT / "samples" / "bundles"
KNOWLEDGE = Knowledge.load()

EXPECTED = {
    "linux-agent-config-invalid.zip": "agent-config-invalid",
    "linux-agent-outdated-linux.zip": "agent-outdated-linux",
    "linux-agent-unresponsive-linux.zip": "agent-unresponsive-linux",
    "linux-command-invoked-too-late.zip": "command-invoked-too-late",
    "linux-extension-python-incompatible.zip": "extension-python-incompatible",
    "linux-extension-update-or-load-failed.zip": "extension-update-or-load-failed",
    "linux-fsfreeze-failed.zip": "fsfreeze-failed",
    "linux-fsfreeze-timeout.zip": "fsfreeze-failed",
    "linux-host-snapshot-service-error.zip": "host-snapshot-service-error",
    "linux-low-resources.zip": "low-resources",
    "linux-mount-point-inaccessible.zip": "mount-point-inaccessible",
    "linux-no-internet-access-sosreport.tar.gz": "no-internet-access",
    "linux-no-internet-access.zip": "no-internet-access",
    "linux-prepost-script-failed.zip": "prepost-script-failed",
    "linux-snapshot-limit-reached.zip": "snapshot-limit-reached",
    "linux-snapshot-rate-exceeded.zip": "snapshot-rate-exceeded",
    "linux-snapshot-status-unavailable.zip": "snapshot-status-unavailable",
    "linux-unsupported-os.zip": "unsupported-os",
    "waagent-outdated.log": "agent-outdated-linux",
    "linux-healthy-modern.zip": None,
    "linux-healthy-2.2.45.zip": None,
    "windows-agent-unresponsive-windows.zip": "agent-unresponsive-windows",
    "windows-application-control-blocking.zip": "application-control-blocking",
    "windows-com-plus-failure.zip": "com-plus-failure",
    "windows-extension-update-or-load-failed.zip": "extension-update-or-load-failed",
    "windows-guest-certificate-missing.zip": "guest-certificate-missing",
    "windows-low-resources.zip": "low-resources",
    "windows-no-internet-access.zip": "no-internet-access",
    "windows-no-internet-access-diskinspect.zip": "no-internet-access",
    "windows-no-internet-access-vmrepair.zip": "no-internet-access",
    "windows-snapshot-status-unavailable.zip": "snapshot-status-unavailable",
    "windows-vss-failure.zip": "vss-failure",
    "windows-healthy.zip": None,
}


def test_every_sample_is_covered():
    assert sorted(p.name for p in BUNDLES.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample(name):
    result = analyze(BUNDLES / name, KNOWLEDGE)
    assert result.errors == []
    assert all(e.status == "parsed" or e.reason for e in result.inventory)
    confident = [d for d in result.diagnoses if d.confidence in ("high", "medium")]
    expected = EXPECTED[name]
    if expected is None:
        assert confident == [], [(d.cause, round(d.score, 2)) for d in confident]
    else:
        assert confident and confident[0].cause == expected, [(d.cause, round(d.score, 2)) for d in result.diagnoses]
        assert result.facts.value("agent_version") or result.facts.value("daemon_version")
    assert result.os == ("windows" if name.startswith("windows-") else "linux")
