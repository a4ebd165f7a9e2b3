"""Write ``analyzer/knowledge/routine.txt``: one line of each kind that healthy VMs' logs hold.

    python bench/routine_corpus.py [--check]

The lines come from the healthy sample bundles (Linux agents old and new, the backup extension's logs,
Windows guest-agent logs) and from this folder's benchmark traffic, one per template (their variable
parts masked), sorted. ``analyzer.knowledge.literals`` measures on them how rare a literal is when it
picks what a signature's regex cannot match without. With ``--check`` nothing is written: the exit
status says whether the file is up to date (the test suite runs it).
"""
from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import bench  # noqa: E402
from azlog_vmbackup.core.masking import mask  # noqa: E402

BUNDLES = ("linux-healthy-modern.zip", "linux-healthy-2.2.45.zip", "windows-healthy.zip")
TARGET = ROOT / "analyzer" / "knowledge" / "routine.txt"
MAX_LINE = 300


def lines() -> list[str]:
    """One line per masked template, sorted by template."""
    seen: dict[str, str] = {}
    texts = []
    for name in BUNDLES:
        with zipfile.ZipFile(ROOT / "samples" / "bundles" / name) as zf:
            for member in sorted(zf.namelist()):
                if not member.endswith(".zip"):
                    texts.append(zf.read(member).decode("utf-8", "replace"))
    texts.append("".join(f"2026-11-01T00:00:00.000000Z {level} {who} {text}\n".format(
        agent=bench.AGENT, n=1, inc=1, ms=5, ext=bench.EXT) for level, who, text in bench.ROUTINE))
    for text in texts:
        for line in text.splitlines():
            line = line.strip()[:MAX_LINE]
            if line:
                seen.setdefault(mask(line), line)
    return [seen[key] for key in sorted(seen)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only say whether the file is up to date")
    text = "\n".join(lines()) + "\n"
    if ap.parse_args().check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        print("up to date" if current == text else f"{TARGET} is out of date: run python bench/routine_corpus.py")
        return 0 if current == text else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
