"""The words of a text that tell one failure from another: what ``apps.nearest`` compares.

Variable parts (``core.masking.mask``: times, numbers, paths...) and the words every log line has (levels,
component names) are dropped. Masking every text of the knowledge base costs more than reading a small
bundle, so the mirror command (``knowledge.mirror``) also writes the words of the built-in texts (``texts_of``:
signatures' examples, codes' messages, causes' titles and descriptions) to ``signatures/words.json``, keyed by
the digest of this module and ``core/masking.py``: a table written by other rules is not used, and a text it
does not hold is masked, so it is only ever a speed-up.

>>> words("2026-01-01T00:00:00Z ERROR ExtHandler Failed to freeze /data: Device busy")
'freeze device busy'
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

import azlog_vmbackup.signatures
from azlog_vmbackup.core import masking
from azlog_vmbackup.core.digest import digest

TABLE = "words.json"
_WORD = re.compile(r"<[A-Z]+>|[A-Za-z][A-Za-z_.-]{2,}")
_COMMON = frozenset("error errors info warning warn verbose exthandler daemon failed failure the and with for from "
                    "was were has have not this that into been are".split())


def words(text: str) -> str:
    """The words of ``text`` that tell one failure from another, lower case, in order."""
    found = (w.lower() for w in _WORD.findall(masking.mask(text)) if not w.startswith("<"))
    return " ".join(w for w in found if w not in _COMMON)


def said(text: str) -> str:
    """``words(text)``, from the written table when it holds ``text``."""
    known = _written().get(text)
    return words(text) if known is None else known


def source_key() -> str:
    """What the written table must be keyed by to be used: the digest of the rules (this module, the masks)."""
    return digest(Path(__file__).read_bytes(), Path(masking.__file__).read_bytes())


@functools.lru_cache(maxsize=1)
def _written() -> dict[str, str]:
    """The written table's words by text, when it was written by these rules; else nothing."""
    try:
        table = json.loads((Path(azlog_vmbackup.signatures.__file__).parent / TABLE).read_text(encoding="utf-8"))
        key = source_key()
    except (OSError, ValueError):
        return {}
    found = table.get("words") if isinstance(table, dict) and table.get("key") == key else None
    return found if isinstance(found, dict) else {}


def texts_of(data: Any) -> Iterator[str]:
    """The texts of a parsed knowledge file that ``apps.nearest`` compares lines with (and a few more): each
    entry's ``title``, ``description``, ``messages`` and matching ``examples``."""
    for entry in data if isinstance(data, list) else ():
        if not isinstance(entry, dict):
            continue
        examples = entry.get("examples")
        for value in (entry.get("title"), entry.get("description"), entry.get("messages"),
                      examples.get("match") if isinstance(examples, dict) else None):
            yield from (t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str))


def table(texts: Iterable[str]) -> dict:
    """The table of the words of ``texts``, as the mirror command writes it."""
    return {"about": "the words of the built-in knowledge's texts (apps.nearest); written by python -m "
                     "azlog_vmbackup.analyzer.knowledge.mirror",
            "key": source_key(), "words": {text: words(text) for text in sorted(set(texts))}}
