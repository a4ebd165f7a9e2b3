"""The least time a Python program on azlog's stack needs to skim a log, beside ripgrep and azlog itself.

    python bench/floor.py [--log bench/out/100MB/waagent.log] [--spec waagent_log] [--runs 10]

The floor is a fresh interpreter that imports the libraries azlog's ``analyze`` cannot do without (regex,
Hyperscan, dataclasses, pathlib, json, zipfile, pickle, datetime), compiles the Hyperscan database of the
spec's whole-buffer scan (the same expressions azlog's skimmer scans for: the evidence signatures' hints and
the parser's ``every`` triggers), forks two processes that each read every other 2 MiB piece of the log
themselves, scan it and count its lines (a record's line number needs them), and adds up what they found.
It parses nothing, loads no knowledge, writes no report: what azlog does beyond it is azlog's own cost.
Each command runs ``--runs`` times in turn with the others; the medians are printed.

Sample (2 cores): the floor on the 100 MB routine waagent.log is what is left for azlog's own work under a
target set as a multiple of ripgrep's time.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import installed_env  # noqa: E402 - the sibling script

# the program timed: its only argument is the JSON file of (expression, caseless) pairs, then the log
FLOOR = r"""
import sys, os, json, pickle, dataclasses, pathlib, zipfile, datetime, regex, hyperscan
entries, log = json.load(open(sys.argv[1])), sys.argv[2]
db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
db.compile(expressions=[e.encode() for e, _ in entries], ids=list(range(len(entries))), elements=len(entries),
           flags=[hyperscan.HS_FLAG_PREFILTER | (hyperscan.HS_FLAG_CASELESS if c else 0) for _, c in entries])
PIECE, size = 2 << 20, os.path.getsize(log)
def work(k):
    scratch, fd, ends, lines = hyperscan.Scratch(db), os.open(log, os.O_RDONLY), [], 0
    for at in range(k * PIECE, size, 2 * PIECE):
        piece = os.pread(fd, PIECE, at)
        db.scan(piece, match_event_handler=lambda i, s, e, f, c: ends.append(e), scratch=scratch)
        lines += piece.count(b"\n")
    return lines, len(ends)
pipes = []
for k in range(2):
    read, write = os.pipe()
    if os.fork() == 0:
        os.write(write, pickle.dumps(work(k)))
        os._exit(0)
    os.close(write)
    pipes.append(read)
found = [pickle.loads(os.read(r, 1 << 16)) for r in pipes]
os.wait(), os.wait()
print(sum(f[0] for f in found), "lines,", sum(f[1] for f in found), "matches")
"""


def entries(spec: str) -> list[tuple[str, bool]]:
    """The Hyperscan expressions of ``spec``'s whole-buffer scan, as azlog's skimmer compiles them."""
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.matching import engines
    from azlog_vmbackup.analyzer.matching.hyperscan_pattern import signature_entries, trigger_entries
    from azlog_vmbackup.analyzer.matching.matcher import Matcher
    from azlog_vmbackup.parsers import registry

    skim = registry.skim_of(registry.classify({"waagent_log": "var/log/waagent.log",
                                               "waappagent_log": "WindowsAzure/Logs/WaAppAgent.log"}[spec]))
    matcher = Matcher(Knowledge.load().signatures, engines.get("hyperscan"))
    evidence = [s for s in matcher.reading(spec) if s.kind == "evidence"]
    found = [e for s in evidence for e in signature_entries(s)] + [e for t in skim.every for e in trigger_entries(t)]
    return [(e.decode("ascii"), caseless) for e, caseless in dict.fromkeys(found)]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    run = subprocess.run(command, env=installed_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if run.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({run.returncode}): {run.stderr.decode(errors='replace')[:300]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--log", type=Path, default=HERE / "out" / "100MB" / "waagent.log")
    parser.add_argument("--spec", default="waagent_log", choices=("waagent_log", "waappagent_log"))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not args.log.is_file():
        sys.exit(f"{args.log}: no such log (python bench/bench.py --sizes 100 writes it)")
    with tempfile.TemporaryDirectory(prefix="azlog-floor-") as work:
        expressions = Path(work) / "entries.json"
        expressions.write_text(json.dumps(entries(args.spec)), encoding="utf-8")
        commands = {"floor (Python, no azlog)": [sys.executable, "-c", FLOOR, str(expressions), str(args.log)],
                    "azlog analyze --format json": [sys.executable, "-m", "azlog_vmbackup", "analyze",
                                                    str(args.log), "--format", "json"]}
        if shutil.which("rg"):
            patterns = HERE / "out" / "patterns.txt"
            commands = {"rg -j1 -c (100 patterns)": ["rg", "-j1", "-c", "-f", str(patterns), str(args.log)],
                        **commands}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command))
    print(f"{args.log} ({args.log.stat().st_size / 1e6:.0f} MB), median of {args.runs}:")
    for name, values in times.items():
        print(f"  {name:32} {statistics.median(values):6.3f} s")


if __name__ == "__main__":
    main()
