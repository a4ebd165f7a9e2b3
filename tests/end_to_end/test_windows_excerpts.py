"""The public Windows excerpts of the reference corpus, each placed at its Windows path, diagnosed end to end."""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge

KNOWLEDGE = Knowledge.load()
LOG = "WindowsAzure/Logs/WaAppAgent.log"

CASES = {  # excerpt -> (where it sits on the VM, the top cause its README gives; None = healthy[, its confidence])
    "01_waappagent_wireserver_unreachable_mslearn.txt": (LOG, "no-internet-access"),
    "02_waappagent_wireserver_blocked_vmassist_notes.txt": (LOG, "no-internet-access"),
    "04_waappagent_no_fabric_address_npcap.txt": (LOG, "snapshot-status-unavailable"),
    "05_waappagent_start_slow_oobe_heartbeat.txt": (LOG, None),
    "06_waappagent_stuck_stopping.txt": (LOG, "agent-unresponsive-windows"),
    "07_waappagent_certificate_rdcrypt_pfximport.txt": (LOG, "guest-certificate-missing"),
    "08_waappagent_iso_timestamp_badimageformat.txt": (LOG, "extension-update-or-load-failed"),
    "10_vm_health_report_block.txt": ("WindowsAzure/Logs/TransparentInstaller.log", None),
    "11_vmsnapshot_status_file_not_available_2025.txt": (LOG, "extension-update-or-load-failed"),
    # another extension (Chef) failing: the plugin handler's trouble is a hint for a backup ticket, not its cause
    "12_waappagent_extension_enable_failed_chef_issues.txt": (LOG, "extension-update-or-load-failed", "low"),
    "13_waappagent_extension_autoupgrade_mslearn.txt": (LOG, None),
    "14_waappagent_fatal_access_rules.txt": (LOG, "agent-unresponsive-windows"),
    "15_guestagent_dotnet_event_and_transparentinstaller_wcf.txt": ("WindowsAzure/Logs/TransparentInstaller.log",
                                                                    "agent-unresponsive-windows"),
    "16_agent_msi_install_failure_wmi.txt": ("Windows/Panther/msiexec.log", "agent-unresponsive-windows"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_excerpt(name, reference, tmp_path):
    where, expected, *level = CASES[name]
    text = (reference / "windows" / "excerpts" / name).read_text(encoding="utf-8")
    content = "\n".join(line for line in text.splitlines() if not line.startswith("#"))  # drop annotations
    target = tmp_path / "bundle" / where
    target.parent.mkdir(parents=True)
    target.write_text(content, encoding="utf-8")
    result = analyze(tmp_path / "bundle", KNOWLEDGE)
    confident = [d for d in result.diagnoses if d.confident]
    if level:
        assert confident == [] and (result.diagnoses[0].cause, result.diagnoses[0].confidence) == (expected, level[0])
    elif expected is None:
        assert confident == [], [(d.cause, round(d.score, 2)) for d in confident]
    else:
        assert confident and confident[0].cause == expected, [(d.cause, round(d.score, 2)) for d in result.diagnoses]
    assert result.os == "windows" or where.endswith("msiexec.log")
