"""Compare each signature's prefilter hits with its confirmed hits on routine and failing logs.

    python bench/hints.py [--mb 5] [--work DIR] [--max-share 0.01] [--min-records 1000]

A signature's hints (literals one of which its every match holds) decide which records are handed to its
regex, and which records a skimmed log parses at all: a hint that routine traffic holds makes azlog parse
that traffic. For the benchmark's waagent.log (routine, and failing: every tenth line a goal-state error)
and the healthy sample bundles' agent logs, this prints, per signature whose hints let through records it
does not confirm, the records its hints hit and the records it confirms, and exits 1 when one of them lets
through more than ``--max-share`` of the records of a log of at least ``--min-records`` records without
confirming them (a few lines of a small log cannot make a skim slow: a healthy Windows VM's installer log
holds one service report every few hours, and every report names the agent's services).
"""
from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402
from azlog_vmbackup.analyzer.knowledge.store import Knowledge  # noqa: E402
from azlog_vmbackup.analyzer.matching.matcher import reads  # noqa: E402
from azlog_vmbackup.core.model import Facts  # noqa: E402
from azlog_vmbackup.parsers import registry  # noqa: E402
from azlog_vmbackup.parsers.base import ParseContext  # noqa: E402

HEALTHY = ("linux-healthy-modern.zip", "linux-healthy-2.2.45.zip", "windows-healthy.zip")


def records(path: str, data: bytes) -> tuple[str, list[str]]:
    """The spec of member ``path`` and its records' messages, every one parsed."""
    spec = registry.classify(path)
    ctx = ParseContext(path, Facts(), [])
    return spec.name, [r.message for r in registry.parser_module(spec).parse(io.BytesIO(data), ctx)]


def counts(spec: str, messages: list[str], knowledge: Knowledge) -> list[tuple[str, int, int]]:
    """(signature id, records its hints hit, records it confirms) for each evidence signature with hints that
    reads ``spec``."""
    out = []
    for sig in knowledge.signatures:
        if sig.kind != "evidence" or not sig.hints or not reads(sig, spec):
            continue
        hinted = [m for m in messages if any(h in (m.lower() if sig.ignore_case else m) for h in sig.hints)]
        out.append((sig.id, len(hinted), sum(1 for m in hinted if sig.search(m) is not None)))
    return out


def logs(mb: float, work: Path) -> list[tuple[str, str, bytes]]:
    """(name, member path, content) of the logs measured."""
    out = []
    for name, every in (("routine", 0), ("failing", bench.FAILING_EVERY)):
        log = work / f"hints-{mb:g}MB-{name}.log"
        if not log.exists():
            bench.write_log(log, mb, failure=False, failing_every=every)
        out.append((f"bench {name} {mb:g} MB", "var/log/waagent.log", log.read_bytes()))
    for bundle in HEALTHY:
        with zipfile.ZipFile(HERE.parent / "samples" / "bundles" / bundle) as zf:
            for member in zf.namelist():
                spec = registry.classify(member)
                if spec is not None and registry.skim_of(spec) is not None:  # the logs a skim reads
                    out.append((f"{bundle}:{member}", member, zf.read(member)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=5.0, help="size of each benchmark log")
    ap.add_argument("--work", type=Path, default=HERE / "out")
    ap.add_argument("--max-share", type=float, default=0.01)
    ap.add_argument("--min-records", type=int, default=1000)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    knowledge = Knowledge.load()
    worst = 0.0
    print("| log | records | signature | hints hit | confirmed |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, path, data in logs(args.mb, args.work):
        spec, messages = records(path, data)
        for sid, hinted, confirmed in counts(spec, messages, knowledge):
            if hinted > confirmed:
                print(f"| {name} | {len(messages)} | {sid} | {hinted} | {confirmed} |")
                if len(messages) >= args.min_records:
                    worst = max(worst, (hinted - confirmed) / len(messages))
    print(f"\nworst share of a log's records let through unconfirmed: {worst:.4f} (limit {args.max_share}, logs of "
          f"{args.min_records} records or more)")
    return 0 if worst <= args.max_share else 1


if __name__ == "__main__":
    sys.exit(main())
