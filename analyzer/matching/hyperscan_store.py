"""Where the Hyperscan databases compiled ahead of time (``precompiled``) are found, and by what name.

Compiling the database of every built-in signature takes some 9 ms, and a
skimmed spec's whole-buffer one 4 ms more: a tenth of a small bundle's
analysis. So the built-in knowledge's are shipped, serialized by Hyperscan, in
``signatures/hyperscan/<key>.db``, ``key`` being the digest of what their
compile is given (expressions, flags, mode). ``hyperscan_engine`` looks a
database up by that key before compiling one: any other set of expressions (a
user's own signatures) is not there, and one Hyperscan will not load (another
version of it, another platform, damaged bytes: it checks them) is compiled
instead. So the store speeds starting up and never changes a result.

Sample: ``signatures/hyperscan/8d5b...42.db``, 135 KB for the 355
expressions of the built-in signatures.
"""
from __future__ import annotations

from pathlib import Path

import azlog_vmbackup.signatures
from azlog_vmbackup.core.digest import digest

FOLDER = "hyperscan"
SUFFIX = ".db"
PLAN = "skimmed.json"  # beside them: what scanning each skimmed spec's log takes (``precompiled.plan``)


def key(expressions: list[bytes], flags: list[int], mode: int) -> str:
    """The store's name for the database a compile of these makes.

    >>> key([b"abc"], [0], 1)[:12], key([b"abc"], [0], 1) == key([b"abc"], [2], 1)
    ('e399f1fe2326', False)
    """
    return digest(repr((expressions, flags, mode)).encode())


def folder() -> Path:
    """Where the stored databases are, inside the installed package."""
    return Path(azlog_vmbackup.signatures.__file__).parent / FOLDER


def stored(name: str) -> bytes | None:
    """The serialized database named ``name`` (``key``), or None when the store has none."""
    try:
        return (folder() / f"{name}{SUFFIX}").read_bytes()
    except OSError:
        return None
