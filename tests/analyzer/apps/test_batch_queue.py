"""azlog batch on a queue as a support team's drop folder holds it (``tests/helpers/queue.py``): every bundle
gets exactly one row after a clean run, after SIGINT, SIGTERM or SIGKILL and ``--resume``, and after a disk that
filled up; an output that cannot be written stops the batch before any work; workers die with the batch."""
from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import azlog, queue

FORMATS = [".csv", ".jsonl", pytest.param(".parquet", marks=pytest.mark.skipif(
    not __import__("importlib").util.find_spec("pyarrow"), reason="pyarrow is not installed: no parquet output"))]


@pytest.fixture(scope="module")
def drop(tmp_path_factory) -> queue.Queue:
    return queue.build(tmp_path_factory.mktemp("drop") / "queue", n=60)


def _exactly_once(drop: queue.Queue, table: Path) -> dict[str, list[dict]]:
    rows = queue.rows_by_bundle(table)
    assert sorted(rows) == sorted(drop.bundles)                     # every bundle, and nothing else
    assert all(len(found) == 1 for found in rows.values()), [p for p, f in rows.items() if len(f) > 1]
    return rows


def _start(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "azlog_vmbackup", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def _analysis(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("path", "path_raw", "elapsed")}


def _rows_so_far(table: Path) -> int:
    """Rows written so far: lines of the csv (less its header) or jsonl; for parquet, the spill's lines while the
    batch runs (or a killed one left it), the parquet file's rows once it is written."""
    spill = table.with_name(f".{table.name}.rows.jsonl")
    if table.suffix == ".parquet" and not spill.exists() and table.exists():
        import pandas as pd

        return len(pd.read_parquet(table))
    path = spill if table.suffix == ".parquet" else table
    try:
        return path.read_bytes().count(b"\n") - (table.suffix == ".csv")
    except FileNotFoundError:
        return 0


def _wait_for_rows(process: subprocess.Popen, table: Path, rows: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while _rows_so_far(table) < rows:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the batch wrote no rows"
        time.sleep(0.01)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("suffix", FORMATS)
def test_clean_run_gives_every_bundle_one_row(drop, tmp_path, suffix):
    table = tmp_path / f"rows{suffix}"
    run = azlog("batch", drop.root, "--out", table, "--jobs", "2")
    assert run.returncode == 0, run.stderr
    rows = _exactly_once(drop, table)
    for path in drop.broken:
        assert rows[path][0]["status"] == "error" and rows[path][0]["message"].startswith("not a readable archive")
    odd = next(p for p in drop.bundles if "caf" in p)
    assert rows[odd][0]["path"].endswith("caf\\xe9-odd-name.zip")  # shown readable, kept exact in path_raw
    assert rows[odd][0]["path_raw"].endswith("caf%E9-odd-name.zip")
    assert "2 identical to another bundle (analysis reused)" in run.stderr
    for copy, original in drop.copies.items():  # an identical copy: its own row, the same analysis
        assert _analysis(rows[copy][0]) == _analysis(rows[original][0])
    assert "not bundles (2, no row)" in run.stderr and "README.txt" in run.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_stopped_at_a_third_then_resumed(drop, tmp_path, suffix, signum):
    table = tmp_path / f"rows{suffix}"
    process = _start("batch", drop.root, "--out", table, "--jobs", "1")
    _wait_for_rows(process, table, len(drop.bundles) // 3)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    if signum == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 128 + signum, stderr
        assert f"stopped by {signal.Signals(signum).name}" in stderr and "--resume" in stderr
        assert "Traceback" not in stderr
    written = _rows_so_far(table)
    assert 0 < written < len(drop.bundles)
    resumed = azlog("batch", drop.root, "--out", table, "--resume", "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    _exactly_once(drop, table)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_workers_die_with_the_batch(drop, tmp_path):
    process = _start("batch", drop.root, "--out", tmp_path / "rows.csv", "--jobs", "2")
    _wait_for_rows(process, tmp_path / "rows.csv", 3)
    workers = _children(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=5)  # no worker holds the pipes: the reader gets its end of file
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]


def test_output_that_cannot_be_written_stops_before_any_work(drop, tmp_path):
    with _read_only(tmp_path / "ro") as folder:
        for args in (["--out", folder / "rows.parquet"], ["--out", tmp_path / "rows.csv", "--unknown",
                                                           folder / "unknown.csv"]):
            started = time.monotonic()
            run = azlog("batch", drop.root, *args)
            assert run.returncode == 2 and run.stderr.startswith("azlog: cannot write"), run.stderr
            assert "Read-only file system" in run.stderr or "Permission denied" in run.stderr
            assert time.monotonic() - started < 5 and not (tmp_path / "rows.csv").exists()


def test_missing_input_is_a_usage_error(tmp_path):
    run = azlog("batch", tmp_path / "nonexistent", "--out", tmp_path / "o.csv")
    assert run.returncode == 2 and "nonexistent: no such file or folder" in run.stderr
    assert not (tmp_path / "o.csv").exists()


def test_every_bundle_failing_exits_3(drop, tmp_path):
    run = azlog("batch", *drop.broken, "--out", tmp_path / "o.csv")
    assert run.returncode == 3 and "0 ok, 3 errors" in run.stderr


def _limit_file_size(size: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_write_failure_midway_keeps_whole_rows_then_resume_finishes(drop, tmp_path, suffix):
    table = tmp_path / f"rows{suffix}"
    # files may not grow past 6 KiB: the table fills up after ~20 rows, as on a full disk
    run = subprocess.run([sys.executable, "-m", "azlog_vmbackup", "batch", str(drop.root), "--out", str(table)],
                         capture_output=True, text=True, preexec_fn=_limit_file_size(6 << 10))
    assert run.returncode == 1, run.stderr
    assert f"cannot write {table} after" in run.stderr and "--resume" in run.stderr
    data = table.read_bytes()
    assert data.endswith(b"\n") and 0 < _rows_so_far(table) < len(drop.bundles)
    queue.rows_by_bundle(table)  # whole rows only: the table reads back
    resumed = azlog("batch", drop.root, "--out", table, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    _exactly_once(drop, table)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
@pytest.mark.parametrize("suffix", FORMATS)
def test_disk_full_on_a_small_tmpfs(drop, tmp_path, suffix):
    with _tmpfs(tmp_path / "small", "1m") as disk:
        filler = disk / "filler"
        _fill(filler, free=0)
        run = azlog("batch", drop.root, "--out", disk / f"rows{suffix}")
        assert run.returncode == 2 and "No space left on device" in run.stderr  # before any work
        filler.unlink()
        _fill(filler, free=200 << 10)
        table = disk / f"rows{suffix}"
        process = _start("batch", drop.root, "--out", table, "--jobs", "1")
        _wait_for_rows(process, table, 5)
        _fill(filler, free=0)  # the disk fills up while the batch runs
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 1 and "No space left on device" in stderr and "--resume" in stderr, stderr
        filler.unlink()
        resumed = azlog("batch", drop.root, "--out", table, "--resume")
        assert resumed.returncode == 0, resumed.stderr
        _exactly_once(drop, table)


def _fill(filler: Path, free: int) -> None:
    """Grow ``filler`` until its file system has about ``free`` bytes left."""
    with open(filler, "ab") as f:
        while True:
            left = os.statvfs(filler).f_bavail * os.statvfs(filler).f_frsize
            if left <= free:
                return
            try:
                f.write(b"\0" * min(left - free, 1 << 16))
                f.flush()
            except OSError:
                return


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str, *options: str):
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((f"size={size}", *options)), "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextlib.contextmanager
def _read_only(folder: Path):
    """A folder no one can write to: a read-only tmpfs as root (root ignores file modes), else mode 0555."""
    if os.geteuid() == 0:
        with _tmpfs(folder, "1m", "ro") as mounted:
            yield mounted
        return
    folder.mkdir()
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


PLANTED = [  # secrets that must never leave azlog, in lines no signature explains (so they are mined)
    "2026-11-26T19:40:00.000000Z ERROR ExtHandler ExtHandler Upload of the status blob failed: PUT "
    "https://md-x.blob.core.windows.net/c/b?sv=2020-08-04%26sr%3Db%26sig%3DPLANTEDsig0123456789abcdef%26se%3D2026",
    "2026-11-26T19:40:01.000000Z ERROR ExtHandler ExtHandler Proxy login as azureuser with password=PLANTEDpassw0rd "
    "refused",
    "2026-11-26T19:40:02.000000Z WARNING ExtHandler ExtHandler Request to 10.1.2.3 rejected: Authorization: Bearer "
    "PLANTEDtoken.eyJhbGciOi.abcdefgh",
]


def test_unknown_templates_keep_codes_apart_and_leak_no_secret(tmp_path):
    from azlog_vmbackup.core.masking import codes
    from tests.helpers import REFERENCE

    fixtures = REFERENCE / "vmsnapshot-linux" / "fixtures"
    if not fixtures.is_dir():
        pytest.skip("the reference scenarios are not here")
    import shutil

    import pandas as pd

    shutil.copytree(fixtures, tmp_path / "scenarios", symlinks=True)
    with open(tmp_path / "scenarios" / "s01_host_success" / "var" / "log" / "waagent.log", "a") as f:
        f.write("\n".join(PLANTED) + "\n")
    run = azlog("batch", tmp_path / "scenarios", "--out", tmp_path / "rows.csv", "--unknown", tmp_path / "u.csv")
    assert run.returncode == 0, run.stderr
    assert "20 bundles" in run.stderr and "README.md" in run.stderr  # the stray README: no row, said so
    templates = pd.read_csv(tmp_path / "u.csv", keep_default_na=False)
    merged = [t for t, e in zip(templates["template"], templates["example"], strict=True) if codes(t) != codes(e)]
    assert not merged  # a template's codes are its example's: no template covers two different codes
    failures = {c for t in templates["template"] for c in codes(t) if c.startswith("StatusCode.")}
    assert len(failures) >= 4  # the extension's error codes, each in a template of its own
    output = "".join(p.read_text(errors="replace") for p in tmp_path.iterdir() if p.is_file()) + run.stderr
    assert "PLANTED" not in output and "10.1.2.3" not in output
    examples = " ".join(templates["example"])
    assert "sig%3D***" in examples and "password=***" in examples and "Bearer ***" in examples


def test_a_bundle_fixed_and_uploaded_again_replaces_its_row(tmp_path):
    from tests.helpers.queue import SAMPLES

    folder = tmp_path / "queue"
    folder.mkdir()
    (folder / "vm1.zip").write_bytes(b"not yet uploaded in full")
    (folder / "vm2.zip").write_bytes((SAMPLES / "linux-fsfreeze-failed.zip").read_bytes())
    table = folder / "rows.csv"  # the table inside the folder it reads: never an input itself
    first = azlog("batch", folder, "--out", table)
    assert first.returncode == 0 and "1 ok, 1 error" in first.stderr, first.stderr
    (folder / "vm1.zip").write_bytes((SAMPLES / "linux-healthy-modern.zip").read_bytes())
    again = azlog("batch", folder, "--out", table, "--resume")
    assert again.returncode == 0, again.stderr
    assert "1 already in rows.csv" in again.stderr and "1 rows replaced" in again.stderr
    rows = queue.rows_by_bundle(table)
    assert sorted(rows) == [str(folder / "vm1.zip"), str(folder / "vm2.zip")]
    assert [r["status"] for r in rows[str(folder / "vm1.zip")]] == ["ok"]
    assert azlog("batch", folder, "--out", table, "--resume").stderr.startswith("0 bundles")
