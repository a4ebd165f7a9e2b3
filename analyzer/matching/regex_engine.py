"""The ``regex`` engine (always available): literal hints dismiss records, the rest get every signature.

For a record, one combined pattern of the spec's literal hints
(``literal_prefilter``) dismisses most records; the rest get every
signature, which the matcher then confirms. A buffer is searched with one
``bytes.find`` pass per literal (over the lower-cased text for the
case-folded ones). ``RegexEngine`` is an ``engines.Engine`` (and its own
``engines.Compiled``: there is nothing to prepare); this module does not
import ``engines``, which picks an engine and imports this one.
"""
from __future__ import annotations

import functools
import re
from typing import Sequence

from azlog_vmbackup.analyzer.knowledge.signatures import Signature


def literal_prefilter(sigs: list[Signature]) -> re.Pattern | None:
    """One pattern of all the signatures' literal hints; None when some signature has none."""
    if not sigs or any(not s.hints for s in sigs):
        return None
    return _combined(frozenset(h for s in sigs if not s.ignore_case for h in s.hints),
                     frozenset(h for s in sigs if s.ignore_case for h in s.hints))


@functools.lru_cache(maxsize=64)
def _combined(exact: frozenset[str], folded: frozenset[str]) -> re.Pattern:
    """The pattern of these literals (specs that read the same signatures share it: compiling is slow)."""
    parts = [re.escape(h) for h in sorted(exact, key=lambda h: (-len(h), h))]
    if folded:
        parts.append("(?i:" + "|".join(re.escape(h) for h in sorted(folded, key=lambda h: (-len(h), h))) + ")")
    return re.compile("|".join(parts))


class RegexSearch:
    """A spec's search: every signature, unless the text holds none of their hints (also the Hyperscan
    engine's search for text that is not ASCII)."""

    __slots__ = ("noise", "evidence", "prefilter")

    def __init__(self, noise: list[Signature], evidence: list[Signature]):
        self.noise, self.evidence = noise, evidence
        self.prefilter = literal_prefilter(noise + evidence)

    def candidates(self, text: str):
        if self.prefilter is not None and self.prefilter.search(text) is None:
            return None
        return self.noise, self.evidence


class _RegexBufferScan:
    """Every place one of the literals occurs (a record holding none cannot match): one ``bytes.find``
    pass per literal, over the lower-cased text for the case-folded ones."""

    def __init__(self, literals: list[str], folded: list[str]):
        self.exact = sorted({h.encode() for h in literals})
        self.folded = sorted({h.lower().encode() for h in folded})

    def scan(self, data: bytes) -> list[int]:
        ends: list[int] = []
        for text, literals in ((data, self.exact), (data.lower() if self.folded else b"", self.folded)):
            for literal in literals:
                at = text.find(literal)
                while at >= 0:
                    ends.append(at + len(literal))
                    at = text.find(literal, at + 1)
        ends.sort()
        return ends

    def occurrences(self, data: bytes, literals: tuple[bytes, ...]) -> dict[bytes, list[int]]:
        return {literal: _starts(data, literal) for literal in literals}


def _starts(data: bytes, literal: bytes) -> list[int]:
    out, at = [], data.find(literal)
    while at >= 0:
        out.append(at)
        at = data.find(literal, at + 1)
    return out


class RegexEngine:
    name = "regex"

    def compile(self, signatures: list[Signature]) -> RegexEngine:
        return self

    def search(self, noise: list[Signature], evidence: list[Signature]) -> RegexSearch:
        return RegexSearch(noise, evidence)

    def buffer_scan(self, signatures: list[Signature], every: Sequence[str]) -> _RegexBufferScan | None:
        from azlog_vmbackup.analyzer.knowledge.literals import required_literals

        if any(not s.hints for s in signatures):
            return None
        literals = [h for s in signatures if not s.ignore_case for h in s.hints]
        for trigger in every:
            found = required_literals(trigger)
            if not found:
                return None
            literals.extend(found)
        return _RegexBufferScan(literals, [h for s in signatures if s.ignore_case for h in s.hints])
