"""Shared test fixtures: the reference corpus (when present) and small helpers."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from analyzer.model import Facts
from parsers.base import ParseContext

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("AZLOG_REFERENCE", ROOT.parent / "shared" / "reference"))


@pytest.fixture
def reference() -> Path:
    """The shared reference corpus; tests that need it are skipped where it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip("reference corpus not present")
    return REFERENCE


def run_parser(module, data: bytes | str, path: str = "member"):
    """Run ``module.parse`` over ``data``; return (records, facts, problems)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    ctx = ParseContext(path=path, facts=Facts(), problems=[])
    records = list(module.parse(io.BytesIO(data), ctx))
    return records, ctx.facts, ctx.problems
