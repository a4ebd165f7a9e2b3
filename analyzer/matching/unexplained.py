"""ERROR and exception records that no signature explained: what a report shows when it names no cause.

Records are grouped by their first line with the variable parts masked (``core.masking.mask``, run once per
group of lines equal but for their digits); each group keeps its count and its latest record, shown as the
first line and, for a traceback, the exception that ends it.

>>> from azlog_vmbackup.core.model import Record
>>> seen = Unexplained()
>>> for n in (1, 2):
...     seen.add(Record('var/log/waagent.log', n, f'2026-11-20T01:0{n}:00Z ERROR ExtHandler x failed: {n}',
...                     level='ERROR'))
>>> seen.add(Record('pasted.txt', 9, 'Traceback (most recent call last):\\n  File "a.py"\\nKeyError: 5'))
>>> for count, e in seen.top():
...     print(count, e.line, e.text)
2 2 2026-11-20T01:02:00Z ERROR ExtHandler x failed: 2
1 9 Traceback (most recent call last): ... KeyError: 5
"""
from __future__ import annotations

import regex

from azlog_vmbackup.core.masking import digits_key, mask, redact
from azlog_vmbackup.core.model import Evidence, Record

ERROR_LEVELS = frozenset({"ERROR", "CRITICAL", "FATAL"})
MAX_GROUPS = 2000
MAX_TEXT = 400
# a record of a format without levels counts when it reads like an error: a word ending in Error or Exception
# (a word character before it), error, failed, a traceback; any case
_ERRORISH = regex.compile(r"Traceback \(most recent call last\)|(?<=\w)(?:Error|Exception)\b|\b(?:error|failed)\b",
                          regex.I)
# what such a record holds once lower-cased (or it holds an İ, which lower-cases to two characters): most
# records hold none, and ruling them out so costs a tenth of the search
_ERROR_WORDS = ("error", "exception", "failed", "traceback")


class Unexplained:
    def __init__(self) -> None:
        self._groups: dict[str, list] = {}  # digits_key of the first line -> [count, latest record]

    def add(self, record: Record, count: int = 1) -> None:
        """Count ``record`` (``count`` times: the newest of records equal but for their time stamp) when it is
        an error (by level, or by its words when it has none)."""
        level = record.level
        if level not in ERROR_LEVELS and (level is not None or not _errorish(record.message)):
            return
        key = digits_key(record.message.split("\n", 1)[0][:2000])
        group = self._groups.get(key)
        if group is not None:
            group[0] += count
            group[1] = record
        elif len(self._groups) < MAX_GROUPS:
            self._groups[key] = [count, record]

    def top(self, n: int = 10) -> list[tuple[int, Evidence]]:
        """The ``n`` most frequent groups of lines equal once masked (latest first among equals), as
        ``(count, evidence)``."""
        merged: dict[str, list] = {}
        for count, record in self._groups.values():
            group = merged.setdefault(mask(record.message.split("\n", 1)[0][:2000]), [0, record])
            group[0] += count
            if _when(record) >= _when(group[1]):
                group[1] = record
        ranked = sorted(merged.values(), key=lambda g: (-g[0], -_when(g[1])))
        return [(count, _evidence(record)) for count, record in ranked[:n]]


def _errorish(text: str) -> bool:
    """True when ``text`` reads like an error (``_ERRORISH``).

    >>> _errorish("OSError: x"), _errorish("no ERRORS here"), _errorish("all fine"), _errorish("FA\u0130LED")
    (True, False, False, True)
    """
    low = text.lower()
    if not any(word in low for word in _ERROR_WORDS) and "\u0130" not in text:
        return False
    return _ERRORISH.search(text) is not None


def _when(record: Record) -> float:
    return record.time.timestamp() if record.time else 0.0


def _evidence(record: Record) -> Evidence:
    lines = record.message.split("\n")
    text = lines[0]
    if len(lines) > 1 and "Traceback" in record.message:
        text = f"{text} ... {lines[-1].strip()}"
    return Evidence(record.path, record.line, redact(text[:MAX_TEXT]), "", record.time, record.local_time)
