"""Opening bundles: zip, nested zip, tar.gz, directory, single file, rotated logs, limits."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile

import pytest

from azlog_vmbackup.core.bundle import Budget, BundleError, LimitExceeded, Limits, Member, Skipped, open_bundle

LOG = b"2026-11-20T01:00:00.000001Z INFO Daemon Daemon Azure Linux Agent Version: 2.13.1.1\n"


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _nested_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _read(entry: Member, limits=Limits()) -> bytes:
    with entry.open(Budget(limits)) as f:
        return f.read()


def test_collector_zip_with_nested_history_and_rotated_logs(tmp_path):
    bundle = _zip(tmp_path / "logs.zip", {
        "results.txt": b"2026-11-20T01:00:00Z INFO Starting log collection\n",
        "var/log/waagent.log": LOG,
        "var/log/waagent.log.1": b"older\n",
        "var/log/waagent.log-20261101.gz": gzip.compress(b"oldest\n"),
        "var/lib/waagent/history/2026-11-20T01-00-00__3.zip": _nested_zip({"GoalState.xml": b"<GoalState/>"}),
    })
    entries = list(open_bundle(bundle))
    paths = [e.path for e in entries]
    assert all(isinstance(e, Member) for e in entries)
    assert "var/lib/waagent/history/2026-11-20T01-00-00__3.zip/GoalState.xml" in paths
    logs = [p for p in paths if p.startswith("var/log/waagent")]
    assert logs == ["var/log/waagent.log-20261101.gz", "var/log/waagent.log.1", "var/log/waagent.log"]
    by_path = {e.path: e for e in entries}
    assert _read(by_path["var/log/waagent.log-20261101.gz"]) == b"oldest\n"
    assert _read(by_path["var/lib/waagent/history/2026-11-20T01-00-00__3.zip/GoalState.xml"]) == b"<GoalState/>"


def test_sosreport_tar_gz_skips_links(tmp_path):
    path = tmp_path / "sosreport-vm1.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo("sosreport-vm1/var/log/waagent.log")
        info.size = len(LOG)
        tf.addfile(info, io.BytesIO(LOG))
        link = tarfile.TarInfo("sosreport-vm1/etc/passwd-link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    entries = list(open_bundle(path))
    member = next(e for e in entries if isinstance(e, Member))
    assert member.path == "sosreport-vm1/var/log/waagent.log"
    assert _read(member) == LOG
    skipped = next(e for e in entries if isinstance(e, Skipped))
    assert skipped.path == "sosreport-vm1/etc/passwd-link" and "not followed" in skipped.reason


def test_directory_and_single_file(tmp_path):
    (tmp_path / "b" / "var" / "log").mkdir(parents=True)
    (tmp_path / "b" / "var" / "log" / "waagent.log").write_bytes(LOG)
    (tmp_path / "b" / "link").symlink_to("/etc/passwd")
    entries = list(open_bundle(tmp_path / "b"))
    assert [(type(e).__name__, e.path) for e in entries] == [("Skipped", "link"), ("Member", "var/log/waagent.log")]
    single = list(open_bundle(tmp_path / "b" / "var" / "log" / "waagent.log"))
    assert [e.path for e in single] == ["waagent.log"]
    gz = tmp_path / "waagent.log.1.gz"
    gz.write_bytes(gzip.compress(LOG))
    (entry,) = open_bundle(gz)
    assert entry.path == "waagent.log.1.gz" and _read(entry) == LOG


def test_member_byte_limit_stops_reading(tmp_path):
    bundle = _zip(tmp_path / "big.zip", {"var/log/waagent.log": LOG * 100})
    (entry,) = open_bundle(bundle)
    with pytest.raises(LimitExceeded, match="member_bytes"):
        _read(entry, Limits(member_bytes=1000))


def test_nesting_depth_and_member_count_limits(tmp_path):
    inner = _nested_zip({"a.txt": b"a"})
    for _ in range(4):
        inner = _nested_zip({"n.zip": inner})
    bundle = _zip(tmp_path / "deep.zip", {"n.zip": inner})
    reasons = [e.reason for e in open_bundle(bundle) if isinstance(e, Skipped)]
    assert reasons and "depth limit" in reasons[0]
    many = _zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(30)})
    entries = list(open_bundle(many, Limits(members=10)))
    assert sum(isinstance(e, Member) for e in entries) == 10
    assert any(isinstance(e, Skipped) and "members limit" in e.reason for e in entries)


@pytest.mark.parametrize("name, content, message", [
    ("bundle.zip", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, r"bundle.zip: not a readable archive \(not a zip, tar"),
    ("bundle.zip", b"PK\x03\x04broken", "bundle.zip: not a readable archive"),
    ("bundle.zip", b"", r"bundle.zip: not a readable archive \(an empty file\)"),
    ("logs.tar.xz", b"2024/01/01 INFO plain text\n", "logs.tar.xz: not a readable archive"),
    ("picture.bin", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "picture.bin: neither an archive"),
])
def test_not_an_archive_or_broken(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BundleError, match=message):
        list(open_bundle(path))


@pytest.mark.parametrize("mode, suffix", [("w:xz", ".tar.xz"), ("w:bz2", ".tar.bz2"), ("w:gz", ".tgz")])
def test_compressed_tar_bundle(tmp_path, mode, suffix):
    """A sosreport is a .tar.xz by default; every compressed tar opens the same way."""
    path = tmp_path / f"sosreport-vm{suffix}"
    with tarfile.open(path, mode) as tf:
        info = tarfile.TarInfo("sosreport-vm/var/log/waagent.log")
        info.size = len(LOG)
        tf.addfile(info, io.BytesIO(LOG))
    [entry] = list(open_bundle(path))
    assert entry.path == "sosreport-vm/var/log/waagent.log" and _read(entry) == LOG


@pytest.mark.parametrize("suffix, pack", [(".xz", lzma.compress), (".bz2", bz2.compress), (".gz", gzip.compress)])
def test_compressed_members_and_single_files(tmp_path, suffix, pack):
    bundle = _zip(tmp_path / "logs.zip",
                  {"var/log/waagent.log.1" + suffix: pack(b"older\n"), "var/log/waagent.log": LOG})
    entries = list(open_bundle(bundle))
    assert [e.path for e in entries] == ["var/log/waagent.log.1" + suffix, "var/log/waagent.log"]
    assert _read(entries[0]) == b"older\n"
    single = tmp_path / ("waagent.log" + suffix)
    single.write_bytes(pack(LOG))
    [entry] = list(open_bundle(single))
    assert _read(entry) == LOG


@pytest.mark.parametrize("suffix, pack", [(".xz", lzma.compress), (".bz2", bz2.compress)])
def test_compressed_member_bomb_is_refused_by_ratio(tmp_path, suffix, pack):
    bundle = _zip(tmp_path / "bomb.zip", {"var/log/syslog" + suffix: pack(b"a" * (8 << 20))})
    [entry] = list(open_bundle(bundle))
    with pytest.raises(LimitExceeded, match="ratio limit"):
        _read(entry, Limits(ratio=10))


def test_missing_path(tmp_path):
    with pytest.raises(BundleError, match="does not exist"):
        open_bundle(tmp_path / "nope.zip")


def test_empty_zip_is_rejected(tmp_path):
    from azlog_vmbackup.analyzer.apps.analyze import analyze
    path = _zip(tmp_path / "empty.zip", {})
    with pytest.raises(BundleError, match="holds no files"):
        analyze(path)


def test_a_plain_file_is_read_at_its_place_under_the_same_limits(tmp_path):
    """Only a plain file's stream offers reads at a place (a skimmed log's pieces); they count towards the member's
    and the bundle's limits as far as they reach past what was read before."""
    (tmp_path / "var" / "log").mkdir(parents=True)
    (tmp_path / "var" / "log" / "waagent.log").write_bytes(LOG * 100)
    (tmp_path / "waagent.log.1.gz").write_bytes(gzip.compress(LOG))
    bundle = _zip(tmp_path / "logs.zip", {"var/log/waagent.log": LOG})
    (entry,) = open_bundle(tmp_path / "var")
    with entry.open(Budget(Limits())) as f:
        assert f.placed()[1] == len(LOG) * 100 and f.read_at(len(LOG), len(LOG)) == LOG and f.count == 2 * len(LOG)
        assert f.read(10) == LOG[:10] and f.count == 2 * len(LOG)  # a read from where the stream is: counted once
    budget = Budget(Limits(member_bytes=len(LOG) * 50, total_bytes=len(LOG) * 60))
    with entry.open(budget) as f, pytest.raises(LimitExceeded, match="member_bytes"):
        f.read_at(len(LOG) * 49, len(LOG) * 2)
    with entry.open(budget) as f, pytest.raises(LimitExceeded, match="total_bytes"):  # the bundle's count goes on
        f.read_at(len(LOG) * 10, len(LOG))
    for other in (*open_bundle(bundle), *open_bundle(tmp_path / "waagent.log.1.gz")):
        with other.open(Budget(Limits())) as f:
            assert f.placed() is None
