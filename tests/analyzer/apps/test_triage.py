"""azlog triage and explain: codes in portal, CLI, PowerShell and email text; bundles; every documented code."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from azlog_vmbackup.analyzer.apps.triage import triage
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from tests.helpers import ROOT, azlog

KNOWLEDGE = Knowledge.load()
SAMPLES = ROOT / "samples" / "bundles"

AZ_CLI = """\
$ az backup job show --resource-group rg-prod --vault-name vault-prod --name 6c2d4e8f-0b1a-4c3d-9e8f-7a6b5c4d3e2f
{
  "properties": {
    "backupManagementType": "AzureIaasVM",
    "entityFriendlyName": "web-01",
    "errorDetails": [
      {
        "errorCode": "ExtensionSnapshotFailedNoNetwork",
        "errorString": "Snapshot operation failed due to no network connectivity on the virtual machine.",
        "errorTitle": "",
        "recommendations": ["Ensure that the VM has network connectivity."]
      }
    ],
    "operation": "Backup",
    "status": "Failed"
  }
}
"""

POWERSHELL = """\
PS C:\\> $job = Get-AzRecoveryServicesBackupJob -Status Failed -VaultId $vault.ID | Select-Object -First 1
PS C:\\> (Get-AzRecoveryServicesBackupJobDetail -Job $job -VaultId $vault.ID).ErrorDetails

ErrorCode       : usererrorrpcollectionlimitreached
ErrorMessage    : The Restore Point collection max limit has reached.
Recommendations : {Remove the lock on the restore point resource group and retry}
"""

EMAIL = """\
From: ops@contoso.example
Subject: RE: nightly backup of sql-vm-07 keeps failing

Hi team,

since Tuesday the nightly backup of our Ubuntu server sql-vm-07 fails. The portal says
"Snapshot operation failed due to no network connectivity on the virtual
machine". Nothing changed on our side except a new firewall appliance.

Thanks, Anna
"""


def run(text, bundles=()):
    return triage(text, [Path(b) for b in bundles], KNOWLEDGE).as_dict()


def test_az_cli_json():
    doc = run(AZ_CLI)
    top = doc["diagnoses"][0]
    assert top["cause"] == "no-internet-access" and top["error_codes"][0] == "ExtensionSnapshotFailedNoNetwork"
    assert {(e["path"], e["line"]) for e in top["evidence"]} >= {("<text>", 8)}
    assert doc["triage"]["route"] in ("needs-logs", "networking")


def test_powershell_output_lower_case_code():
    doc = run(POWERSHELL)
    assert doc["diagnoses"][0]["error_codes"][0] == "UserErrorRpCollectionLimitReached"
    assert doc["diagnoses"][0]["cause"] in ("resource-group-lock", "too-many-backups-per-day")
    assert doc["triage"]["route"] == "self-help"


def test_email_with_a_wrapped_message_and_no_code():
    doc = run(EMAIL)
    top = doc["diagnoses"][0]
    assert top["cause"] == "no-internet-access" and "ExtensionSnapshotFailedNoNetwork" in top["error_codes"]
    assert top["evidence"][0]["signature"] == "message:ExtensionSnapshotFailedNoNetwork"
    assert doc["os"] == "linux"
    assert all(not m.startswith("C:") for m in doc["triage"]["missing"])


def test_nothing_recognised():
    doc = run("Hello, the VM backup did not work last night, please help.")
    assert doc["diagnoses"] == [] and doc["triage"]["route"] == "needs-logs"
    assert doc["triage"]["missing"] == []
    doc = run("Please reset my password for the HR portal.")
    assert doc["diagnoses"] == [] and doc["triage"]["route"] == "unknown"


def test_code_narrows_and_bundle_decides():
    text = "Backup failed. Error Code: UserErrorGuestAgentStatusUnavailable"
    alone = run(text)
    assert alone["diagnoses"][0]["confidence"] != "high" and alone["triage"]["route"] == "needs-logs"
    with_logs = run(text, [SAMPLES / "linux-agent-unresponsive-linux.zip"])
    top = with_logs["diagnoses"][0]
    assert top["cause"] == "agent-unresponsive-linux" and top["confidence"] == "high"
    assert top["error_codes"][0] == "UserErrorGuestAgentStatusUnavailable"
    assert with_logs["triage"]["route"] == "guest-agent"
    paths = {e["path"] for e in top["evidence"]}
    assert "<text>" in paths and "var/log/waagent.log" in paths


def _catalog_codes(reference_dir):
    path = reference_dir / "catalog" / "catalog.yaml" if reference_dir else None
    if path is not None and path.is_file():
        return [c["code"] for c in yaml.safe_load(path.read_text())["codes"]]
    return [c.code for c in KNOWLEDGE.codes.codes]


def test_every_catalog_code_triages_and_explains(request):
    from tests.helpers import REFERENCE
    codes = _catalog_codes(REFERENCE if REFERENCE.is_dir() else None)
    assert len(codes) >= 97
    for code in codes:
        doc = run(f"Error Code: {code}")
        assert code in doc["diagnoses"][0]["error_codes"], code


@pytest.mark.parametrize("code", ["UserErrorRpCollectionLimitReached", "extentionoperationfailedformanageddisks",
                                  "ExtensionFailedVssWriterInBadState"])
def test_cli_triage_and_explain(code, tmp_path):
    ticket = tmp_path / "ticket.txt"
    ticket.write_text(f"Error Code: {code}\n")
    run_ = azlog("triage", "--text-file", ticket, "--format", "json")
    assert run_.returncode == 0, run_.stderr
    canonical = KNOWLEDGE.codes.get(code).code
    assert canonical in json.loads(run_.stdout)["diagnoses"][0]["error_codes"]
    explained = azlog("explain", code)
    assert explained.returncode == 0 and canonical in explained.stdout
    doc = json.loads(azlog("explain", code, "--format", "json").stdout)
    assert doc["code"] == canonical and doc["causes"] and doc["reference"].startswith("https://learn.microsoft.com/")


def test_explain_cause_and_hungarian():
    doc = json.loads(azlog("explain", "no-internet-access", "--format", "json").stdout)
    assert doc["kind"] == "cause" and "ExtensionSnapshotFailedNoNetwork" in doc["error_codes"]
    hu = azlog("explain", "resource-group-lock", "--lang", "hu")
    assert hu.returncode == 0
    assert KNOWLEDGE.causes["resource-group-lock"].title_hu in hu.stdout
    md = azlog("explain", "UserErrorFsFreezeFailed", "--format", "markdown", "--lang", "hu")
    assert md.stdout.startswith("# UserErrorFsFreezeFailed")
    assert KNOWLEDGE.causes["fsfreeze-failed"].title_hu in md.stdout


def test_explain_unknown_suggests_nearest():
    run_ = azlog("explain", "UserErrorGuestAgentStatusUnavailabel")
    assert run_.returncode == 3
    assert "nearest: UserErrorGuestAgentStatusUnavailable" in run_.stderr and "Traceback" not in run_.stderr


def test_triage_stdin_and_hungarian_text_output(tmp_path):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "azlog_vmbackup", "triage", "--text-file", "-", "--lang", "hu"],
                          input=POWERSHELL, capture_output=True, text=True)
    assert done.returncode == 0
    assert "Előszűrés" in done.stdout and "UserErrorRpCollectionLimitReached" in done.stdout


def test_analyze_markdown_and_hungarian():
    md = azlog("analyze", SAMPLES / "linux-fsfreeze-failed.zip", "--format", "markdown", "--lang", "hu")
    assert md.returncode == 0
    assert "## Diagnózis: fsfreeze-failed" in md.stdout
    from azlog_vmbackup.analyzer.knowledge import steps

    filled = steps.fill(KNOWLEDGE.causes["fsfreeze-failed"].remediation_hu[0], {"mount": "/data",
                                                                                "reason": "Device or resource busy"})
    assert filled in md.stdout and "`/data`" in filled  # the Hungarian step, with the bundle's own mount


def test_signatures_commands(tmp_path):
    listed = azlog("signatures", "list")
    assert listed.returncode == 0 and "vmsnapshot-fifreeze-failed" in listed.stdout
    shown = azlog("signatures", "show", "vmsnapshot-fifreeze-failed")
    assert shown.returncode == 0 and yaml.safe_load(shown.stdout)["cause"] == "fsfreeze-failed"
    assert azlog("signatures", "show", "no-such-sig").returncode == 3
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "- id: my-disk-full\n  title: Disk full\n  cause: low-resources\n  weight: 0.5\n"
        "  regex: 'No space left on device'\n"
        "  examples:\n    match: ['x: No space left on device']\n    no_match: ['plenty of space']\n")
    tested = azlog("signatures", "test", "--signatures", mine)
    assert tested.returncode == 0 and "0 failing examples" in tested.stdout
    mine.write_text(mine.read_text().replace("no_match: ['plenty of space']", "no_match: ['No space left on device']"))
    tested = azlog("signatures", "test", "--signatures", mine)
    assert tested.returncode == 1 and "FAIL my-disk-full: no_match example 1 matches" in tested.stdout


def test_os_unknown_keeps_each_os_main_cause_and_flags_the_tie():
    out = triage("Error Code: UserErrorGuestAgentStatusUnavailable", [], KNOWLEDGE)
    top = [(d.cause, d.score) for d in out.result.diagnoses[:2]]
    assert {c for c, _ in top} == {"agent-unresponsive-windows", "agent-outdated-linux"} and top[0][1] == top[1][1]
    assert out.tie == [c for c, _ in top] and out.route == "needs-logs" and "a tie between" in out.summary
    assert out.as_dict()["triage"]["tie"] == out.tie
    assert "/var/log/waagent.log" in out.missing and r"C:\WindowsAzure\Logs\WaAppAgent.log" in out.missing


def test_os_known_no_tie_and_missing_only_for_the_leading_causes():
    out = triage("Error Code: UserErrorGuestAgentStatusUnavailable on my Ubuntu 22.04 VM", [], KNOWLEDGE)
    assert out.result.diagnoses[0].cause == "agent-outdated-linux" and out.tie == []
    leading = {d.cause for d in out.result.diagnoses if out.result.diagnoses[0].score - d.score <= 0.1}
    asked = {item for cause in leading for item in KNOWLEDGE.causes[cause].evidence}
    assert out.missing and set(out.missing) <= asked
    assert not any(item.startswith("C:") for item in out.missing)
