"""Start-up time of one small ``azlog`` command, each run in a fresh process, as a user sees it.

    python bench/startup.py [--runs 10] [--against PYTHON] [--importtime 15] [-- ARGS...]

Runs ``python -m azlog_vmbackup ARGS`` (default: ``analyze samples/bundles/linux-healthy-modern.zip
--format json``) ``--runs`` times with the bytecode cache on (``bench.installed_env``: the cost of the
work, not of compiling azlog's sources again at every start), after one run that fills the cache, and
prints the median and the best wall time. ``--against PYTHON`` (the interpreter of another install, say
one of the previous release) runs the same command with it too, interleaved with this one's runs, so a
busy spell of the machine slows both alike. With ``--importtime N`` it also runs the command once under
``python -X importtime`` and lists the N imports that took longest, themselves included (cumulative),
and the N that took longest on their own (self).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import installed_env  # noqa: E402 - the sibling script

DEFAULT = ["analyze", "samples/bundles/linux-healthy-modern.zip", "--format", "json"]


def once(args: list[str], python: str = sys.executable) -> float:
    """Wall seconds of one ``azlog ARGS`` in a fresh process of ``python`` (its output discarded; a failure ends
    the bench)."""
    start = time.perf_counter()
    run = subprocess.run([python, "-m", "azlog_vmbackup", *args], cwd=ROOT, env=installed_env(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if run.returncode not in (0, 1):
        sys.exit(f"azlog {' '.join(args)} failed ({run.returncode}): {run.stderr.decode(errors='replace')}")
    return elapsed


def import_times(args: list[str]) -> list[tuple[str, int, int]]:
    """``(module, self µs, cumulative µs)`` of every import of one run, from ``-X importtime``.

    A line of its output: ``import time:       403 |      10312 |   azlog_vmbackup.parsers.registry``.
    """
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "azlog_vmbackup", *args], cwd=ROOT,
                         env=installed_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows = []
    for line in run.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((parts[2].strip(), int(parts[0]), int(parts[1])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--against", metavar="PYTHON", help="also time the command with this interpreter's azlog")
    parser.add_argument("--importtime", type=int, default=0, metavar="N",
                        help="also list the N slowest imports (cumulative and self) of one run")
    parser.add_argument("args", nargs="*", help="the azlog command line (after --)")
    opts = parser.parse_args()
    args = opts.args or DEFAULT
    pythons = [sys.executable] + ([opts.against] if opts.against else [])
    times: dict[str, list[float]] = {python: [] for python in pythons}
    for python in pythons:
        once(args, python)  # fill the bytecode cache
    for _ in range(opts.runs):
        for python in pythons:
            times[python].append(once(args, python))
    for python, taken in times.items():
        label = "" if python == sys.executable else f" ({python})"
        print(f"azlog {' '.join(args)}{label}: median {statistics.median(taken) * 1000:.0f} ms, "
              f"best {min(taken) * 1000:.0f} ms ({opts.runs} runs)")
    if opts.importtime:
        rows = import_times(args)
        print(f"{len(rows)} modules imported, {sum(r[1] for r in rows) / 1000:.0f} ms in all")
        for title, column in (("cumulative", 2), ("self", 1)):
            print(f"slowest imports ({title}, ms):")
            for name, own, total in sorted(rows, key=lambda r: -r[column])[:opts.importtime]:
                print(f"  {(own if column == 1 else total) / 1000:6.1f}  {name}")


if __name__ == "__main__":
    main()
