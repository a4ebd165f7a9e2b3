"""Run azlog over the hostile corpus (tests/hostile_corpus.py) and print a markdown table.

    python bench/hostile.py [--work DIR] [--case NAME]... [--kill-after SECONDS]

The corpus is built into a temporary directory (or --work, kept afterwards); the big cases
(3 GiB zip bomb, 2 GiB gzip bomb, 300 MiB line, 1 GiB log flood) are built just before their
run and deleted after it. Each case runs ``python -m azlog_vmbackup analyze CASE --format json``
in a fresh process with an empty working directory; the table gives its exit code, wall time,
peak RSS (``os.wait4``), how many inventory entries were refused and by which limits.
A run is killed past --kill-after seconds (default 120) or 4 GiB of RSS.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.helpers import hostile_corpus as hc  # noqa: E402


def _notes(run: hc.Run) -> str:
    if run.killed:
        return run.killed
    if run.returncode != 0:
        lines = run.stderr.strip().splitlines()
        return (lines[-1][:90] if lines else "") + (f" ({len(lines)} stderr lines)" if len(lines) != 1 else "")
    limits = Counter(m for e in run.refused() for m in re.findall(r"\((\w+) limit\)", e.get("reason") or ""))
    facts = (run.doc or {}).get("facts") or {}
    parts = [", ".join(f"{name}×{n}" for name, n in sorted(limits.items()))]
    if "agent_version" in facts:
        parts.append(f"agent_version {facts['agent_version']}")
    parts.append(f"os {(run.doc or {}).get('os')}")
    return "; ".join(p for p in parts if p)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, help="build the corpus here and keep it (default: a temporary directory)")
    ap.add_argument("--case", action="append", choices=sorted(hc.BY_NAME), help="run only these cases")
    ap.add_argument("--kill-after", type=float, default=120.0, help="kill a run after this many seconds")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="azlog-hostile-") as tmp:
        corpus = args.work or Path(tmp) / "corpus"
        built = hc.build_corpus(corpus)
        print("| case | exit | seconds | peak RSS MiB | refused | notes |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        for case in hc.CASES:
            if args.case and case.name not in args.case:
                continue
            path = case.build(corpus) if case.lazy else built[case.name]
            cwd = Path(tmp) / f"cwd-{case.name}"
            cwd.mkdir()
            try:
                run = hc.run_azlog(path, cwd, Path(tmp) / "io", kill_after=args.kill_after)
            finally:
                if case.lazy:
                    hc.remove(path)
            code = str(run.returncode) if run.returncode is not None else "-"
            print(f"| {case.name} | {code} | {run.seconds:.1f} | {run.peak_rss_mib:.0f} | {len(run.refused())} | "
                  f"{_notes(run).replace('|', '/')} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
