"""How often azlog names the right cause on the real, publicly posted cases in ``tests/corpus``.

    python bench/accuracy.py                   # every case: top-1, top-3, healthy-clean; misses listed
    python bench/accuracy.py --part tuned      # only the two thirds fixes may be tuned on
    python bench/accuracy.py --json out.json   # the per-case answers too, to compare two runs
    python bench/accuracy.py --bury [N]        # again with each log member between N+N routine lines (1000)

top-1: the top diagnosis is the thread's cause, at medium or high confidence; top-3: the cause is
among the first three diagnoses, at any confidence; healthy-clean: a healthy case gets nothing at medium
or high; os: the VM's OS as the case says it. The held-out third is fixed by a rule on each case's
source URL (``tests/corpus/README.md``). ``--bury``: every member in a log format ``bench/bury.py`` knows gets N
healthy routine lines of its own format before its lines and N after; the corpus is scored again and each case's
buried answer (top cause and confidence) is compared with its plain one.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bury  # noqa: E402 - the sibling module

from azlog_vmbackup.analyzer.knowledge.store import Knowledge  # noqa: E402
from tests.helpers import scenarios as sc  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"




def grade(scenario: sc.Scenario, knowledge: Knowledge) -> dict:
    result = sc.run(scenario, knowledge)
    want = scenario.expect.cause
    causes = [d.cause for d in result.diagnoses]
    confident = [d.cause for d in result.diagnoses if d.confident]
    row = {"id": scenario.id, "source": scenario.source, "evidence": scenario.evidence or "-",
           "os": scenario.expect.os or result.os.label, "part": "held-out" if sc.held_out(scenario.source) else "tuned",
           "expected": want, "answer": sc.answer(result).replace("\n", " |"), "top": top(result)}
    if want is None:
        row["healthy_clean"] = not confident
    else:
        row["top1"] = confident[:1] == [want] and causes[0] == want
        row["top3"] = want in causes[:3]
    if scenario.expect.os is not None:
        row["os_named"] = result.os.label == scenario.expect.os
    return row


def top(result) -> str:
    """The answer ``--bury`` compares: the top diagnosis's cause and confidence."""
    return f"{result.diagnoses[0].cause} {result.diagnoses[0].confidence}" if result.diagnoses else "no diagnosis"


def graded_buried(scenario: sc.Scenario, knowledge: Knowledge, n: int) -> tuple[dict | None, str]:
    """The case's row with its members buried (``bury.bury_files``), or None; and why members were not buried."""
    if scenario.files is None:
        return None, "a ticket" if scenario.ticket is not None else "a sample bundle"
    files, why_not = bury.bury_files(scenario.files, n)
    note = "; ".join(f"{path}: {why}" for path, why in why_not.items())
    return (None if len(why_not) == len(files) else grade(replace(scenario, files=files), knowledge)), note


def report_buried(rows: list[dict], buried: list[dict | None], notes: list[str], n: int, out=sys.stdout) -> None:
    """The buried run's scores, each case's plain and buried answers, and how many stayed the same."""
    out.write(f"\nburied in {n} routine lines before and {n} after each log member (a case not buried as it was):\n")
    report([b or r for r, b in zip(rows, buried, strict=True)], out)
    out.write("\nper case (plain -> buried):\n")
    for r, b, note in zip(rows, buried, notes, strict=True):
        if b is None:
            out.write(f"  not buried [{r['part']}] {r['id']}: {r['top']} ({note})\n")
        else:
            out.write(f"  {'same' if b['top'] == r['top'] else 'CHANGED':10} [{r['part']}] {r['id']}: {r['top']}"
                      + ("" if b["top"] == r["top"] else f" -> {b['top']}") + (f" (partly: {note})" if note else "")
                      + "\n")
    done = [(r, b) for r, b in zip(rows, buried, strict=True) if b is not None]
    out.write(f"\nburied: {sum(r['top'] == b['top'] for r, b in done)}/{len(done)} cases give the same answer"
              f" ({len(rows) - len(done)} not buried: tickets, or no member in a log format with time stamps)\n")


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
    parser.add_argument("--bury", type=int, nargs="?", const=1000, metavar="N",
                        help="score again with N routine lines before and N after each log member (N: 1000)")
    args = parser.parse_args(argv)
    knowledge = Knowledge.load()
    cases = sc.load_all(args.corpus, knowledge.causes)
    if args.list:
        for c in cases:
            if args.part == "all" or (args.part == "held-out") == sc.held_out(c.source):
                print(c.path.relative_to(ROOT))
        return 0
    if args.bury is not None and args.bury < 1:
        parser.error("--bury takes a number of lines of at least 1")
    cases = [c for c in cases if args.part == "all" or (args.part == "held-out") == sc.held_out(c.source)]
    rows = [grade(c, knowledge) for c in cases]
    report(rows)
    if args.bury is not None:
        pairs = [graded_buried(c, knowledge, args.bury) for c in cases]
        buried, notes = [b for b, _ in pairs], [note for _, note in pairs]
        report_buried(rows, buried, notes, args.bury)
        for r, b, note in zip(rows, buried, notes, strict=True):
            r["buried"] = {"top": b["top"], "same": b["top"] == r["top"], "answer": b["answer"]} if b else note
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
