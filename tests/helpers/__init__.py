"""Helpers the tests share: where the reference corpus is, and running one parser over bytes."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from azlog_vmbackup.core.model import Facts
from azlog_vmbackup.parsers.base import ParseContext

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(os.environ.get("AZLOG_REFERENCE", ROOT.parent / "shared" / "reference"))


def context(path: str = "member") -> ParseContext:
    """A fresh parse context for a member at ``path``: no facts, no problems yet."""
    return ParseContext(path=path, facts=Facts(), problems=[])


def run_parser(module, data: bytes | str, path: str = "member"):
    """Run ``module.parse`` over ``data``; return (records, facts, problems)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    ctx = context(path)
    records = list(module.parse(io.BytesIO(data), ctx))
    return records, ctx.facts, ctx.problems


def azlog(*args, cwd=None, input=None) -> subprocess.CompletedProcess:
    """Run ``python -m azlog_vmbackup ARGS`` (the installed command) and capture its output."""
    return subprocess.run([sys.executable, "-m", "azlog_vmbackup", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, input=input)
