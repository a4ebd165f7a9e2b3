"""Wall time of ``azlog batch`` over 40 small bundles with --jobs 1 and --jobs 2 (and more, if asked).

    python bench/batch.py [--jobs 1,2] [--repeat 3] [--bundles 40] [--history-mb 2]
    python bench/batch.py --fixtures [DIR] --bundles 200 [--jobs 1,2] [--repeat 3] [--against PYTHON]

Builds the bundles in a temporary folder (every sample of samples/bundles, then copies of the zips
with another zip comment, so each has its own sha256; each Linux bundle also gets the rotated
``waagent.log.1`` a real one carries: ``--history-mb`` MB (default 2) of routine agent traffic from the
days before; 0 leaves the 30 KB samples as they are), runs ``azlog batch FOLDER --out rows.csv``
in a fresh process per run, and prints the best and median wall time per job count, bundles per
second, and the speed-up over the first job count (runs interleaved). Wall time includes the process start, imports
and each worker's Knowledge load, as a user sees it. With ``--fixtures``, the bundles are the scenario folders
of the reference VMSnapshotLinux fixtures (default ``$AZLOG_REFERENCE/vmsnapshot-linux/fixtures``, else
``../shared/reference/vmsnapshot-linux/fixtures``) zipped, round after round until there are ``--bundles``, each
zip with its own comment (so no two share a sha256, and the batch analyzes every one).

``--against PYTHON`` (the interpreter of another install) times that install's batch too, interleaved.
The machine's own speed-up (pure-Python CPU work in that many processes) is measured before and after: on a
machine other work keeps busy it falls below the job count, and the batch's speed-up means little then.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import installed_env, write_log  # noqa: E402 - the sibling script

SAMPLES = ROOT / "samples" / "bundles"
REFERENCE = Path(os.environ.get("AZLOG_REFERENCE", ROOT.parent / "shared" / "reference"))
FIXTURES = REFERENCE / "vmsnapshot-linux" / "fixtures"


def build(folder: Path, count: int, history_mb: float = 0) -> None:
    samples = sorted(SAMPLES.iterdir())
    zips = [s for s in samples if s.suffix == ".zip"]
    for sample in samples[:count]:
        shutil.copy(sample, folder / sample.name)
    for i in range(max(0, count - len(samples))):
        source = zips[i % len(zips)]
        copy = folder / f"copy-{i}-{source.name}"
        shutil.copy(source, copy)
        with zipfile.ZipFile(copy, "a") as zf:
            zf.comment = f"copy {i}".encode()
    if history_mb:
        add_history(folder, history_mb)


def build_from_fixtures(folder: Path, count: int, fixtures: Path) -> None:
    """``count`` zips of the scenario folders of ``fixtures`` (round after round), each with its own comment."""
    scenarios = sorted(p for p in fixtures.iterdir() if p.is_dir())
    if not scenarios:
        sys.exit(f"no scenario folders in {fixtures}")
    for i in range(count):
        scenario = scenarios[i % len(scenarios)]
        with zipfile.ZipFile(folder / f"{scenario.name}-{i // len(scenarios)}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(scenario.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(scenario).as_posix())
            zf.comment = f"round {i // len(scenarios)}".encode()


def add_history(folder: Path, megabytes: float) -> None:
    """Give every zip that holds var/log/waagent.log a rotated waagent.log.1 of routine traffic."""
    from datetime import datetime, timezone

    history = folder.parent / "waagent.log.1"
    write_log(history, megabytes, failure=False, start=datetime(2026, 10, 20, tzinfo=timezone.utc))
    for bundle in folder.glob("*.zip"):
        with zipfile.ZipFile(bundle, "a", zipfile.ZIP_DEFLATED) as zf:
            logs = [n for n in zf.namelist() if n.endswith("var/log/waagent.log")]
            if logs:
                zf.write(history, logs[0] + ".1")


def once(folder: Path, jobs: int, work: Path, python: str = sys.executable) -> float:
    out = work / f"rows-{jobs}.csv"
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    run = subprocess.run([python, "-m", "azlog_vmbackup", "batch", str(folder), "--out", str(out),
                          "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True, env=installed_env())
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"azlog batch failed: {run.stderr.strip()}")
    return elapsed


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(jobs: int, tasks: int = 8, n: int = 3_000_000) -> float:
    """What the machine gives: the speed-up of ``jobs`` processes over one on pure-Python CPU work."""
    from concurrent.futures import ProcessPoolExecutor

    def timed(workers: int) -> float:
        start = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_burn, [n] * tasks))
        return time.perf_counter() - start

    return timed(1) / timed(jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1,2", help="job counts to compare, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bundles", type=int, default=40)
    parser.add_argument("--history-mb", type=float, default=2,
                        help="MB of rotated waagent.log.1 added to each Linux bundle, as real ones carry "
                             "(0: the 30 KB samples as they are)")
    parser.add_argument("--against", metavar="PYTHON", help="also time the batch with this interpreter's azlog")
    parser.add_argument("--fixtures", nargs="?", type=Path, const=FIXTURES, metavar="DIR",
                        help=f"zip the scenario folders of DIR (default {FIXTURES}) instead of using the samples")
    args = parser.parse_args()
    counts = list(dict.fromkeys(int(j) for j in args.jobs.split(",")))
    with tempfile.TemporaryDirectory(prefix="azlog-batch-bench-") as tmp:
        work = Path(tmp)
        folder = work / "bundles"
        folder.mkdir()
        if args.fixtures:
            build_from_fixtures(folder, args.bundles, args.fixtures)
        else:
            build(folder, args.bundles, args.history_mb)
        n = len(list(folder.iterdir()))
        print(f"{n} bundles, {sum(p.stat().st_size for p in folder.iterdir()) / 1e6:.1f} MB, "
              f"{os.cpu_count()} CPUs, best and median of {args.repeat} runs")
        before = {jobs: machine_speedup(jobs) for jobs in counts[1:]}
        pythons = [sys.executable] + ([args.against] if args.against else [])
        for python in pythons:
            once(folder, counts[0], work, python)  # warm the page cache and the bytecode
        times = {(python, jobs): [] for python in pythons for jobs in counts}
        for _ in range(args.repeat):  # interleaved, so a slow spell of the machine hits every job count
            for python, jobs in times:
                times[python, jobs].append(once(folder, jobs, work, python))
        for python in pythons:
            if args.against:
                print(f"{python}:")
            results = {jobs: (min(times[python, jobs]), statistics.median(times[python, jobs])) for jobs in counts}
            base = results[counts[0]][1]
            for jobs, (best, median) in results.items():
                print(f"--jobs {jobs}: best {best:.2f} s, median {median:.2f} s, {n / median:.1f} bundles/s, "
                      f"speed-up {base / median:.2f}x")
        for jobs in counts[1:]:
            print(f"for reference, this machine's pure-CPU speed-up with {jobs} processes: "
                  f"{before[jobs]:.2f}x before the runs, {machine_speedup(jobs):.2f}x after")


if __name__ == "__main__":
    main()
