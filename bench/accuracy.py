"""How often azlog names the right cause on the real, publicly posted cases in ``tests/corpus``.

    python bench/accuracy.py                   # every case: top-1, top-3, healthy-clean; misses listed
    python bench/accuracy.py --part tuned      # only the two thirds fixes may be tuned on
    python bench/accuracy.py --json out.json   # the per-case answers too, to compare two runs

top-1: the top diagnosis is the thread's cause, at medium or high confidence; top-3: the cause is
among the first three diagnoses, at any confidence; healthy-clean: a healthy case gets nothing at medium
or high; os: the VM's OS as the case says it. The held-out third is fixed by a rule on each case's
source URL (``tests/corpus/README.md``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from azlog_vmbackup.analyzer.knowledge.store import Knowledge  # noqa: E402
from tests.helpers import scenarios as sc  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


def held_out(source: str) -> bool:
    """The rule that puts a third of the threads aside: decided by the URL alone."""
    return int(hashlib.sha256(source.encode()).hexdigest(), 16) % 3 == 0


def grade(scenario: sc.Scenario, knowledge: Knowledge) -> dict:
    result = sc.run(scenario, knowledge)
    want = scenario.expect.cause
    causes = [d.cause for d in result.diagnoses]
    confident = [d.cause for d in result.diagnoses if d.confidence in sc.CONFIDENT]
    row = {"id": scenario.id, "source": scenario.source, "evidence": scenario.evidence or "-",
           "os": scenario.expect.os or sc._os(result), "part": "held-out" if held_out(scenario.source) else "tuned",
           "expected": want, "answer": sc.answer(result).replace("\n", " |")}
    if want is None:
        row["healthy_clean"] = not confident
    else:
        row["top1"] = confident[:1] == [want] and causes[0] == want
        row["top3"] = want in causes[:3]
    if scenario.expect.os is not None:
        row["os_named"] = sc._os(result) == scenario.expect.os
    return row


def _rate(rows: list[dict], key: str) -> str:
    graded = [r[key] for r in rows if key in r]
    return f"{sum(graded)}/{len(graded)} ({100 * sum(graded) / len(graded):.0f} %)" if graded else "-"


def report(rows: list[dict], out=sys.stdout) -> None:
    def line(label: str, group: list[dict]) -> None:
        out.write(f"{label:32} {len(group):4}  top-1 {_rate(group, 'top1'):16} top-3 {_rate(group, 'top3'):16}"
                  f" healthy-clean {_rate(group, 'healthy_clean'):14} os {_rate(group, 'os_named')}\n")

    line("all", rows)
    for field in ("part", "os", "evidence"):
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            groups[r[field]].append(r)
        for name in sorted(groups):
            line(f"{field}: {name}", groups[name])
    misses = [r for r in rows if not r.get("top1", r.get("healthy_clean"))]
    if misses:
        out.write("\nmisses:\n")
        for r in misses:
            out.write(f"  [{r['part']}] {r['id']}: expected {r['expected'] or 'nothing confident'}; "
                      f"azlog: {r['answer']}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of scenario files")
    parser.add_argument("--part", choices=("all", "tuned", "held-out"), default="all")
    parser.add_argument("--json", type=Path, help="also write every case's row to this file")
    parser.add_argument("--list", action="store_true", help="list the part's case files, run nothing")
    args = parser.parse_args(argv)
    knowledge = Knowledge.load()
    cases = sc.load_all(args.corpus, knowledge.causes)
    if args.list:
        for c in cases:
            if args.part == "all" or (args.part == "held-out") == held_out(c.source):
                print(c.path.relative_to(ROOT))
        return 0
    rows = [grade(c, knowledge) for c in cases
            if args.part == "all" or (args.part == "held-out") == held_out(c.source)]
    report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
