"""Throughput and memory of ``azlog batch`` over a support queue of ~1,000 bundles, with and without --unknown.

    python bench/batch_queue.py [--bundles 1000] [--jobs 2] [--history-mb 0]

Builds the queue ``tests/helpers/queue.py`` describes (the sample bundles and re-commented copies of them,
a name that is not UTF-8, identical copies, broken archives, an extracted bundle, symbolic links, stray files)
in a temporary folder, runs ``azlog batch QUEUE --out rows.csv --jobs N`` once without and once with
``--unknown``, and prints wall time, bundles per second and the peak memory of the whole process tree (the
batch and its workers, sampled every 50 ms from /proc).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from batch import add_history  # noqa: E402

from bench import installed_env, tree_rss  # noqa: E402 - the sibling script
from tests.helpers import queue  # noqa: E402


def run(args: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "azlog_vmbackup", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=installed_env())
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read()
    if process.returncode != 0:
        sys.exit(f"azlog batch failed ({process.returncode}): {stderr.strip()[-500:]}")
    return elapsed, peak, stderr.splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundles", type=int, default=1000, help="archives in the queue (default 1000)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--history-mb", type=float, default=0, help="a rotated waagent.log.1 of this many MB in "
                        "every Linux zip (default 0: the small samples as they are)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="azlog-queue-") as tmp:
        work = Path(tmp)
        drop = queue.build(work / "queue", n=args.bundles)
        if args.history_mb:
            add_history(drop.root, args.history_mb)
        size = sum(p.stat().st_size for p in drop.root.rglob("*") if p.is_file() and not p.is_symlink())
        print(f"queue: {len(drop.bundles)} bundles, {len(drop.strays)} stray files, {size / 2**20:.0f} MB; "
              f"--jobs {args.jobs}")
        print(f"{'run':24} {'seconds':>8} {'bundles/s':>10} {'peak MiB':>9}  summary")
        for name, extra in (("rows only", []), ("rows + --unknown", ["--unknown", str(work / "unknown.csv")])):
            out = work / f"rows-{len(extra)}.csv"
            elapsed, peak, summary = run(["batch", str(drop.root), "--out", str(out), "--jobs", str(args.jobs),
                                          *extra])
            print(f"{name:24} {elapsed:8.1f} {len(drop.bundles) / elapsed:10.0f} {peak / 2**20:9.0f}  {summary}")


if __name__ == "__main__":
    main()
