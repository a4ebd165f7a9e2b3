"""How the batch says what went wrong: ``BatchError`` before any work, ``one_line`` in rows and errors."""
from __future__ import annotations


class BatchError(Exception):
    """The batch cannot run (bad output file, missing optional dependency, no scheduler); one line."""


def one_line(text: str) -> str:
    """``text`` on one line, at most 1000 characters."""
    return " ".join(text.split())[:1000]
