"""The ``hyperscan`` engine (the ``fast`` extra): one Hyperscan scan names a record's candidate signatures.

Every signature of a matcher goes into one Hyperscan database (compiled once
per signature set, for all specs), scanned once per record; only the spec's
signatures it reports (and those it cannot take) are candidates. A skimmed
spec gets its own database reporting every match, scanned once per buffer.
What a database holds for a signature or a trigger (its hints, else its
regex translated) comes from ``hyperscan_pattern``; text that is not pure
ASCII, where those byte patterns would not say the same as the signatures,
takes the regex engine's search instead. A database the built-in knowledge
needs is loaded from ``hyperscan_store`` (compiled ahead by ``precompiled``)
rather than compiled. ``HyperscanEngine`` is an
``engines.Engine`` (this module does not import ``engines``, which picks an
engine and imports this one); the ``hyperscan`` package itself is imported
only when an engine is made.
"""
from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from azlog_vmbackup.analyzer.matching import hyperscan_store
from azlog_vmbackup.analyzer.matching.hyperscan_pattern import (
    Entry,
    literal_expression,
    signature_entries,
    trigger_entries,
)

if TYPE_CHECKING:  # neither is needed to scan a buffer (``stored_buffer_scan``: a process forked early)
    from azlog_vmbackup.analyzer.knowledge.signatures import Signature
    from azlog_vmbackup.analyzer.matching.regex_engine import RegexSearch

_rejected: set[Entry] = set()  # expressions Hyperscan would not compile
_compiled: dict = {}  # (entries, every_match) -> database; a database is read-only, shared by all threads
_compiling = threading.Lock()
_local = threading.local()  # each thread's scratch space per database: scans drop the GIL, threads scan at once
_CACHE_SIZE = 256
_recorder: Callable[[str, object], None] | None = None  # ``recording``: where each database compiled goes


def _database(entries: tuple[Entry, ...], every_match: bool = False):
    """A compiled database of ``entries`` (ids = positions), cached; loaded from ``hyperscan_store`` when it
    holds one. A record scan needs one report per expression; a whole-buffer scan (``every_match``) needs each
    place it matches."""
    import hyperscan

    db = _compiled.get((entries, every_match))
    if db is None:
        with _compiling:
            db = _compiled.get((entries, every_match))
            if db is None:
                mode, expressions, flags = _compile_args(entries, every_match)
                name = hyperscan_store.key(expressions, flags, mode)
                db = _stored(name, mode) if _recorder is None else None
                if db is None:
                    db = hyperscan.Database(mode=mode)
                    db.compile(expressions=expressions, ids=list(range(len(entries))), elements=len(entries),
                               flags=flags)
                    if _recorder is not None:
                        _recorder(name, db)
                if len(_compiled) >= _CACHE_SIZE:
                    _compiled.pop(next(iter(_compiled)))
                _compiled[(entries, every_match)] = db
    return db


def _compile_args(entries: tuple[Entry, ...], every_match: bool) -> tuple[int, list[bytes], list[int]]:
    """The mode, expressions and flags a database of ``entries`` is compiled with (see ``_database``)."""
    import hyperscan

    flag = hyperscan.HS_FLAG_PREFILTER | (0 if every_match else hyperscan.HS_FLAG_SINGLEMATCH)
    return (hyperscan.HS_MODE_BLOCK, [e for e, _ in entries],
            [flag | (hyperscan.HS_FLAG_CASELESS if caseless else 0) for _, caseless in entries])


def _key(entries: tuple[Entry, ...], every_match: bool) -> str:
    """The name in ``hyperscan_store`` of the database of ``entries``."""
    mode, expressions, flags = _compile_args(entries, every_match)
    return hyperscan_store.key(expressions, flags, mode)


def stored_buffer_scan(name: str) -> _HyperscanBufferScan | None:
    """The whole-buffer scan whose database ``hyperscan_store`` holds by ``name`` (a ``BufferScan``'s ``key``),
    made without the signatures it was compiled from; None when the store has none this Hyperscan loads."""
    import hyperscan

    db = _stored(name, hyperscan.HS_MODE_BLOCK)
    return None if db is None else _HyperscanBufferScan(db, name)


def _stored(name: str, mode: int):
    """The database ``hyperscan_store`` holds by ``name``, loaded; None when it holds none, or one this
    Hyperscan will not load (another version, another platform, damaged bytes)."""
    import hyperscan

    data = hyperscan_store.stored(name)
    if data is None:
        return None
    try:
        return hyperscan.loadb(data, mode)
    except hyperscan.error:
        return None


@contextlib.contextmanager
def recording(into: dict[str, bytes], dump: Callable[[object], bytes]) -> Iterator[None]:
    """Inside, each database is compiled afresh (neither the store nor this process's cache is read) and put
    into ``into`` by its ``hyperscan_store.key``, serialized with ``dump``."""
    global _recorder, _compiled
    saved = _compiled
    _compiled, _recorder = {}, lambda name, db: into.__setitem__(name, dump(db))
    try:
        yield
    finally:
        _compiled, _recorder = saved, None


def _scan(db, data: bytes, handler, context) -> None:
    """Scan ``data`` with ``db`` in this thread's scratch space."""
    scratches = _local.__dict__.setdefault("scratch", {})
    found = scratches.get(id(db))
    if found is None or found[0] is not db:
        import hyperscan

        if len(scratches) >= _CACHE_SIZE:
            scratches.pop(next(iter(scratches)))
        found = scratches[id(db)] = (db, hyperscan.Scratch(db))
    db.scan(data, match_event_handler=handler, context=context, scratch=found[1])


def _accepted(entry: Entry) -> bool:
    import hyperscan

    if entry in _rejected:
        return False
    try:
        _database((entry,))
        return True
    except hyperscan.error:
        _rejected.add(entry)
        return False


def _on_match(index, _start, _end, _flags, found):
    found.append(index)


class _HyperscanSet:
    """One database of all of a matcher's signatures; each spec picks its own from what a scan reports."""

    def __init__(self, signatures: list[Signature]):
        import hyperscan

        self.signatures = list(signatures)
        entries: list[Entry] = []
        ids: list[int] = []
        always: list[int] = []
        for i, sig in enumerate(self.signatures):
            found = signature_entries(sig)
            if found is None:
                always.append(i)
            else:
                entries.extend(found)
                ids.extend([i] * len(found))
        try:
            db = _database(tuple(entries)) if entries else None
        except hyperscan.error:  # some expression it will not take: leave its signature to regex
            refused = {i for e, i in zip(entries, ids, strict=True) if not _accepted(e)}
            always = sorted(set(always) | refused)
            keep = [(e, i) for e, i in zip(entries, ids, strict=True) if i not in refused]
            entries, ids = [e for e, _ in keep], [i for _, i in keep]
            db = _database(tuple(entries)) if entries else None
        self.db = db
        self.ids = ids  # database id -> position in self.signatures
        self.always = always  # positions of the signatures the database does not hold

    def search(self, noise: list[Signature], evidence: list[Signature]) -> _HyperscanSearch:
        return _HyperscanSearch(self, noise, evidence)

    def buffer_scan(self, signatures: list[Signature], every: Sequence[str]) -> _HyperscanBufferScan | None:
        """A database of just these signatures and triggers (a skimmed spec has a fraction of them)."""
        import hyperscan

        entries: list[Entry] = []
        for found in [signature_entries(sig) for sig in signatures] + [trigger_entries(t) for t in every]:
            if found is None or any(e in _rejected for e in found):
                return None
            entries.extend(found)
        if not entries:
            return None
        entries = list(dict.fromkeys(entries))
        try:
            db = _database(tuple(entries), every_match=True)
        except hyperscan.error:
            return None
        return _HyperscanBufferScan(db, _key(tuple(entries), every_match=True))


class _HyperscanBufferScan:
    """A ``BufferScan``; ``key``: its database's name in ``hyperscan_store`` (``stored_buffer_scan``)."""

    __slots__ = ("db", "key")

    def __init__(self, db, key: str):
        self.db, self.key = db, key

    def scan(self, data: bytes) -> list[int]:
        ends: list[int] = []
        _scan(self.db, data, _on_end, ends)
        ends.sort()
        return ends

    def occurrences(self, data: bytes, literals: tuple[bytes, ...]) -> dict[bytes, list[int]]:
        """One scan for all of them (the interpreter is let go meanwhile)."""
        found: list[tuple[int, int]] = []
        db = _database(tuple((literal_expression(x.decode("ascii")), False) for x in literals), every_match=True)
        _scan(db, data, _on_literal, found)
        out: dict[bytes, list[int]] = {literal: [] for literal in literals}
        for index, end in sorted(found, key=lambda f: f[1]):
            out[literals[index]].append(end - len(literals[index]))
        return out


def _on_literal(index, _start, end, _flags, found):
    found.append((index, end))


def _on_end(_index, _start, end, _flags, ends):
    ends.append(end)


class _HyperscanSearch:
    __slots__ = ("noise", "evidence", "db", "slot", "always", "_fallback", "split")

    def __init__(self, compiled: _HyperscanSet, noise: list[Signature], evidence: list[Signature]):
        self.noise, self.evidence = noise, evidence
        self.split = len(noise)
        self._fallback: RegexSearch | None = None  # for text that is not ASCII, made at the first
        position = {id(sig): i for i, sig in enumerate(noise + evidence)}
        pool = compiled.signatures
        if len(position) != len(noise) + len(evidence) or not position.keys() <= {id(p) for p in pool}:
            raise ValueError("a spec's signatures must all be in the compiled set, once each")
        self.db = compiled.db
        # database id -> position in noise + evidence, or -1 for a signature of other specs
        self.slot = [position.get(id(pool[i]), -1) for i in compiled.ids]
        self.always = sorted(position[id(pool[i])] for i in compiled.always if id(pool[i]) in position)

    def candidates(self, text: str):
        if not text.isascii():
            if self._fallback is None:
                from azlog_vmbackup.analyzer.matching.regex_engine import RegexSearch

                self._fallback = RegexSearch(self.noise, self.evidence)
            return self._fallback.candidates(text)
        found = set(self.always)
        if self.db is not None:
            hits: list[int] = []
            _scan(self.db, text.encode("ascii"), _on_match, hits)
            slot = self.slot
            for h in hits:
                if slot[h] >= 0:
                    found.add(slot[h])
        if not found:
            return None
        found = sorted(found)
        split = self.split
        if found[0] >= split:
            return (), [self.evidence[i - split] for i in found]
        return ([self.noise[i] for i in found if i < split],
                [self.evidence[i - split] for i in found if i >= split])


class HyperscanEngine:
    name = "hyperscan"

    def __init__(self):
        import hyperscan  # noqa: F401 - fail here, not at the first record

    def compile(self, signatures: list[Signature]) -> _HyperscanSet:
        return _HyperscanSet(signatures)

