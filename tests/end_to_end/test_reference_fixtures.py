"""The 20 VMSnapshotLinux scenarios of the reference corpus, zipped as a collector would, diagnosed end to end."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge

EXPECTED = {
    "s00_daemon_not_executable": "extension-update-or-load-failed",
    "s01_host_success": None,
    "s02_no_network": "no-internet-access",
    "s03_guest_success": None,
    "s04_guest_403": "no-internet-access",
    "s05_host_snapshot_limit": "snapshot-limit-reached",
    "s06_host_rate_exceeded": "snapshot-rate-exceeded",
    "s07_freeze_fail": "fsfreeze-failed",
    "s08_freeze_timeout": "fsfreeze-failed",
    "s09_prescript_fail": "prepost-script-failed",
    "s10_command_too_late": "command-invoked-too-late",
    "s11_guest_limit": "snapshot-limit-reached",
    "s12_onlyguest_no_network": "no-internet-access",
    "s13_freeze_open_fail": "mount-point-inaccessible",
    "s14_host_limit_partial": "snapshot-limit-reached",
    "s15_host_rate_partial": "snapshot-rate-exceeded",
    "s16_host_dosnapshot_500": "host-snapshot-service-error",
    "s17_guest_403_one_disk": "no-internet-access",
    "s18_py2_host_success": None,
    "s19_py2_no_network": "no-internet-access",
}
KNOWLEDGE = Knowledge.load()


def zip_scenario(folder: Path, out: Path) -> Path:
    """Zip the scenario's var/ and etc/ trees with collector-style member names."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for top in ("var", "etc"):
            for path in sorted((folder / top).rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(folder).as_posix())
    return out


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_scenario_top_cause(scenario, reference, tmp_path):
    folder = reference / "vmsnapshot-linux" / "fixtures" / scenario
    result = analyze(zip_scenario(folder, tmp_path / f"{scenario}.zip"), KNOWLEDGE)
    assert result.os == "linux"
    assert all(entry.status == "parsed" or entry.reason for entry in result.inventory)
    expected = EXPECTED[scenario]
    confident = [d for d in result.diagnoses if d.confident]
    if expected is None:
        assert confident == [], [(d.cause, d.score) for d in confident]
    else:
        assert confident and confident[0].cause == expected, [(d.cause, round(d.score, 2)) for d in result.diagnoses]
        assert confident[0].evidence


def test_scenario_as_a_folder_and_as_a_tar_gz(reference, tmp_path):
    """The same scenario read from its folder and from a sosreport-style tar.gz gives the same diagnosis."""
    import tarfile

    folder = reference / "vmsnapshot-linux" / "fixtures" / "s13_freeze_open_fail"
    tar = tmp_path / "sosreport-vm1.tar.gz"
    with tarfile.open(tar, "w:gz") as tf:
        for top in ("var", "etc"):
            tf.add(folder / top, f"sosreport-vm1/{top}")
    for source in (folder, tar):
        result = analyze(source, KNOWLEDGE)
        assert result.diagnoses[0].cause == "mount-point-inaccessible"
        assert result.facts.value("last_status_code") == 123
