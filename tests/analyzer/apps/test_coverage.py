"""Coverage: which kinds of evidence a bundle holds; a bundle without logs is said to be one."""
from __future__ import annotations

import json
import zipfile

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze, analyze_files
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from tests.helpers import azlog

KNOWLEDGE = Knowledge.load()
WAAGENT = "2026-11-20T01:00:00.000001Z INFO Daemon Daemon Azure Linux Agent Version: 2.13.1.1\n"
EXT = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"


def test_collector_bundle_lacking_extension_log():
    result = analyze_files("b", {"var/log/waagent.log": WAAGENT, "var/log/syslog": "Nov 20 01:00:00 vm x: y\n"},
                           KNOWLEDGE)
    cov = result.coverage
    assert cov.present == ["agent-log", "system-log"] and cov.missing == ["extension-log", "status-files"]
    assert cov.note is None and [line.split()[0] for line in cov.collect] == [
        "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/", "/var/lib/waagent"]


def test_sosreport_is_told_how_to_add_status_files():
    result = analyze_files("sosreport.tar.xz", {"sosreport-vm1/var/log/waagent.log": WAAGENT,
                                                "sosreport-vm1/sos_commands/kernel/uname_-a": "Linux vm1\n"},
                           KNOWLEDGE)
    status = [line for line in result.coverage.collect if line.startswith("/var/lib/waagent")]
    assert status and "azure plugin does not copy it" in status[0] and "--exclude='*.settings'" in status[0]


@pytest.mark.parametrize("files", [{"README.txt": "notes for the engineer\n"},
                                   {"etc/waagent.conf": "Logs.Verbose=n\n"}])
def test_no_logs_is_said_not_reported_as_calm(files):
    result = analyze_files("b", files, KNOWLEDGE)
    assert result.coverage.note and "no agent, backup-extension or system logs" in result.coverage.note
    assert set(result.coverage.missing) >= {"agent-log", "extension-log", "system-log"}


def test_refused_log_counts_as_missing(tmp_path):
    bundle = tmp_path / "b.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("var/log/waagent.log", WAAGENT * 200)
    from azlog_vmbackup.core.bundle import Limits

    result = analyze(bundle, KNOWLEDGE, Limits(member_bytes=1000))
    assert result.coverage.note is not None and "agent-log" in result.coverage.missing


def test_cli_no_logs_exit_0_with_coverage(tmp_path):
    (tmp_path / "README.txt").write_text("a folder with nothing from the VM\n")
    text = azlog("analyze", tmp_path)
    assert text.returncode == 0 and "cannot show why a backup failed" in text.stdout
    assert "No known failure cause found" not in text.stdout
    doc = json.loads(azlog("analyze", tmp_path, "-f", "json").stdout)
    assert doc["coverage"]["note"] and doc["coverage"]["present"] == []


def test_windows_bundle_kinds():
    result = analyze_files("w", {"WindowsAzure/Logs/WaAppAgent.log":
                                 "[00000006] 11/20/2026 01:00:00.00 [INFO]  WindowsAzureGuestAgent starting.\n"},
                           KNOWLEDGE)
    assert result.os.label == "windows" and result.coverage.present == ["agent-log"]
    assert result.coverage.missing == ["extension-log", "status-files", "system-log"]


def test_os_of_a_pasted_excerpt_from_the_signatures_that_hit():
    line = ("2026-11-20T01:12:20Z ERROR Daemon Daemon Failed to decrypt /var/lib/waagent/Certificates.p7m "
            "(return code: 1)\n")
    result = analyze_files("ticket", {"pasted.txt": line}, KNOWLEDGE)
    assert result.os.label == "linux"
    assert analyze_files("ticket", {"pasted.txt": "nothing to see\n"}, KNOWLEDGE).os.label == "unknown"
