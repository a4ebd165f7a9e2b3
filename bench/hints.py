"""Compare each signature's prefilter hits with its confirmed hits on routine and failing logs.

    python bench/hints.py [--mb 5] [--work DIR] [--max-share 0.01] [--min-records 1000]

A signature's hints (literals one of which its every match holds) decide which records are handed to its
regex, and which records a skimmed log parses at all: a hint that routine traffic holds makes azlog parse
that traffic. For each of the benchmark's logs (``bench.KINDS``: a Linux agent's waagent.log, a Windows
agent's WaAppAgent.log and the backup extension's extension.log; routine, and failing: a recurring error)
and the healthy sample bundles' agent logs, this prints, per signature whose hints let through records it
does not confirm, the records its hints hit, the records it confirms and, of the others, those no signature
confirms (a skim parses them for nothing; a record another signature confirms is parsed anyway). It exits 1
when one signature lets through more than ``--max-share`` of the records of a log of at least
``--min-records`` records that no signature confirms (a few lines of a small log cannot make a skim slow: a
healthy Windows VM's installer log holds one service report every few hours, and every report names the
agent's services).
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
MEMBERS = {"waagent": "var/log/", "windows": "WindowsAzure/Logs/",  # where each kind of log sits in a bundle
           "extension": "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/"}


def records(path: str, data: bytes) -> tuple[str, list[str]]:
    """The spec of member ``path`` and its records' messages, every one parsed."""
    spec = registry.classify(path)
    ctx = ParseContext(path, Facts(), [])
    return spec.name, [r.message for r in registry.parser_module(spec).parse(io.BytesIO(data), ctx)]


def counts(spec: str, messages: list[str], knowledge: Knowledge) -> list[tuple[str, int, int, int]]:
    """(signature id, records its hints hit, records it confirms, records it hints that no signature confirms)
    for each evidence signature with hints that reads ``spec``."""
    found = []
    for sig in knowledge.signatures:
        if sig.kind != "evidence" or not sig.hints or not reads(sig, spec):
            continue
        hinted = [i for i, m in enumerate(messages)
                  if any(h in (m.lower() if sig.ignore_case else m) for h in sig.hints)]
        found.append((sig.id, hinted, {i for i in hinted if sig.search(messages[i]) is not None}))
    confirmed = set().union(*(c for _, _, c in found))
    return [(sid, len(hinted), len(mine), sum(1 for i in hinted if i not in confirmed))
            for sid, hinted, mine in found]


def logs(mb: float, work: Path) -> list[tuple[str, str, bytes]]:
    """(name, member path, content) of the logs measured."""
    out = []
    for kind, (file_name, write) in bench.KINDS.items():
        member = MEMBERS[kind] + file_name
        for name, every in (("routine", 0), ("failing", bench.FAILING_EVERY)):
            log = work / f"hints-{kind}-{mb:g}MB-{name}.log"
            if not log.exists():
                write(log, mb, failure=False, failing_every=every)
            out.append((f"bench {kind} {name} {mb:g} MB", member, log.read_bytes()))
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
    print("| log | records | signature | hints hit | confirmed | confirmed by none |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for name, path, data in logs(args.mb, args.work):
        spec, messages = records(path, data)
        for sid, hinted, confirmed, idle in counts(spec, messages, knowledge):
            if hinted > confirmed:
                print(f"| {name} | {len(messages)} | {sid} | {hinted} | {confirmed} | {idle} |")
                if len(messages) >= args.min_records:
                    worst = max(worst, idle / len(messages))
    print(f"\nworst share of a log's records let through that no signature confirms: {worst:.4f} (limit "
          f"{args.max_share}, logs of {args.min_records} records or more)")
    return 0 if worst <= args.max_share else 1


if __name__ == "__main__":
    sys.exit(main())
