"""Built-in signature regexes stay fast on hostile lines: no catastrophic backtracking."""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.knowledge.signatures import load_signatures

SIGNATURES = [s for s in load_signatures() if s.pattern is not None]
LIMIT = 1.0  # seconds a single search may take on a 64 KiB line (the longest line azlog keeps)


def adversarial(sig) -> list[str]:
    """Long lines made of the signature's own literals, example text and separators, cut short of a match."""
    pieces = list(sig.hints) + [str(e)[:200] for e in sig.examples.get("match", [])]
    lines = []
    for piece in pieces:
        stem = piece[:-1] if len(piece) > 1 else piece
        lines.append((stem + " ") * (65536 // (len(stem) + 1)))
        lines.append(stem + "x" * 65000)
        lines.append(stem + " " * 65000 + "!")
    lines += ["a" * 65536, " " * 65536, "\\" * 65536, "0" * 65536, ". " * 32768, ("x," * 32768)]
    return lines


@pytest.mark.parametrize("sig", SIGNATURES, ids=lambda s: s.id)
def test_no_catastrophic_backtracking(sig):
    for line in adversarial(sig):
        try:
            sig.pattern.search(line, timeout=LIMIT)
        except TimeoutError:
            pytest.fail(f"{sig.id}: search took over {LIMIT}s on a {len(line)}-character line starting {line[:60]!r}")
