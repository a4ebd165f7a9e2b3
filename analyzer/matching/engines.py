"""Matcher engines: which signatures of a spec may match a record's message, or a whole buffer.

An engine compiles a matcher's signatures once (``Engine.compile``), then
turns each spec's noise and evidence signatures into a ``SpecSearch`` whose
``candidates(text)`` returns the noise and the evidence signatures that may
match ``text`` (a subset of each list, in its order), or None when none can.
The matcher then confirms every candidate with the signature's own search
(hints, then its ``regex``), so the engine decides speed only: match
positions, evidence and results are the same whichever engine runs.

For a skimmed log (``analyzer.skim``) ``buffer_scan`` gives the end offsets,
in a whole buffer of many lines, where a spec's signature or a parser's
trigger may match; the skimmer parses only the records around them.

- ``regex`` (always available): one combined pattern of the spec's literal
  hints dismisses most records; the rest get every signature. Buffers are
  searched with one ``bytes.find`` pass per literal.
- ``hyperscan`` (the ``fast`` extra): every signature in one
  Hyperscan database (compiled once per signature set, for all specs),
  scanned once per record; only the spec's signatures it reports (and those
  it cannot take) are candidates. A skimmed spec gets its own database
  reporting every match, scanned once per buffer.

The engine is Hyperscan when the ``hyperscan`` package imports, else regex;
``AZLOG_ENGINE=regex|hyperscan`` forces one.

What Hyperscan scans for a signature is its literal hints, each one an
expression of its own (Hyperscan's literal matcher compiles hundreds in
milliseconds and scans at GB/s). A signature without hints (a user's) is
scanned as a translation of its parse tree (Python's own parser; a pattern
that parser would read differently from ``regex`` - fuzzy matching, nested
sets - stays on the regex path) into byte classes over ASCII: each character
class is evaluated by the ``regex`` module itself on the 128 ASCII
characters, so ``\\s``, ``\\w``, case folding and ``.`` mean exactly what they
mean to the signature; anchors and lookarounds are dropped, back-references
become "anything", very long repeats become open-ended and a trailing repeat
keeps its minimum, all of which only widen what the database reports. A
record that is not pure ASCII goes through the regex engine's path instead
(and a buffer that is not is read line by line), so nothing is lost where a
byte class over ASCII would not say the same thing.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
import warnings
from typing import Protocol, Sequence

from azlog_vmbackup.analyzer.knowledge.signatures import Signature
from azlog_vmbackup.core.extras import install_hint

ENV = "AZLOG_ENGINE"
NAMES = ("regex", "hyperscan")


class SpecSearch(Protocol):
    def candidates(self, text: str) -> tuple[Sequence[Signature], Sequence[Signature]] | None:
        """The (noise, evidence) signatures that may match ``text``; None when none may."""


class BufferScan(Protocol):
    def scan(self, data: bytes) -> list[int]:
        """In ASCII ``data`` (many lines): the end offsets where one of the spec's signatures or a
        skimmed parser's ``every`` triggers may match, in order."""


class Compiled(Protocol):
    def search(self, noise: list[Signature], evidence: list[Signature]) -> SpecSearch:
        """The search for one spec's signatures (noise first: they take priority), all of the compiled set."""

    def buffer_scan(self, signatures: list[Signature], every: Sequence[str]) -> BufferScan | None:
        """A whole-buffer scan for a spec's signatures (all of the compiled set) and a skimmed parser's
        ``every`` trigger regexes; None when this engine cannot tell where all of them may match."""


class Engine(Protocol):
    name: str

    def compile(self, signatures: list[Signature]) -> Compiled:
        """Prepare a matcher's text signatures (those with a regex or hints) once, for every spec."""


# ---------------------------------------------------------------- regex


def literal_prefilter(sigs: list[Signature]) -> re.Pattern | None:
    """One pattern of all the signatures' literal hints; None when some signature has none."""
    if not sigs or any(not s.hints for s in sigs):
        return None
    exact = sorted({h for s in sigs if not s.ignore_case for h in s.hints}, key=len, reverse=True)
    folded = sorted({h for s in sigs if s.ignore_case for h in s.hints}, key=len, reverse=True)
    parts = [re.escape(h) for h in exact]
    if folded:
        parts.append("(?i:" + "|".join(re.escape(h) for h in folded) + ")")
    return re.compile("|".join(parts))


class _RegexSearch:
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


class RegexEngine:
    name = "regex"

    def compile(self, signatures: list[Signature]) -> Compiled:
        return self

    def search(self, noise: list[Signature], evidence: list[Signature]) -> SpecSearch:
        return _RegexSearch(noise, evidence)

    def buffer_scan(self, signatures: list[Signature], every: Sequence[str]) -> BufferScan | None:
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


# ---------------------------------------------------------------- hyperscan

_REPEAT_CAP = 16  # longer bounded repeats are scanned as open-ended ones
_NEVER = rb"[\x80]"  # a byte no ASCII text holds
_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


_FUZZY = re.compile(r"(?<!\\)\{(?![\d,]*\})")  # '{' where re reads a literal and regex may not


class Untranslatable(Exception):
    pass


@functools.lru_cache(maxsize=4096)
def _ascii_set(cls: str, flags: int) -> frozenset[int]:
    """The ASCII code points the one-character ``regex`` pattern ``cls`` matches under ``flags``."""
    import regex

    rx = regex.compile(cls, flags)
    return frozenset(c for c in range(128) if rx.fullmatch(chr(c)))


def _byte_class(codes: frozenset[int]) -> bytes:
    if not codes:
        return _NEVER
    if len(codes) == 1:
        return b"\\x%02x" % next(iter(codes))
    out, run = [], sorted(codes)
    start = prev = run[0]
    for c in run[1:] + [None]:
        if c is not None and c == prev + 1:
            prev = c
            continue
        out.append(b"\\x%02x" % start if start == prev else b"\\x%02x-\\x%02x" % (start, prev))
        if c is not None:
            start = prev = c
    return b"[" + b"".join(out) + b"]"


def translate(pattern: str, flags: int = 0) -> bytes:
    r"""A Hyperscan expression matching (on ASCII bytes) at least wherever ``pattern`` matches.

    >>> translate(r'(?i)ok\s+\d')
    b'[\\x4f\\x6f][\\x4b\\x6b](?:[\\x09-\\x0d\\x20]){1,}[\\x30-\\x39]'
    """
    import regex
    from re import _constants as C, _parser

    if _FUZZY.search(pattern):
        raise Untranslatable("a brace that is not a repeat (regex fuzzy matching?)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nested sets and set operations: regex and re read them differently
        try:
            tree = _parser.parse(pattern, flags)
        except Warning as w:
            raise Untranslatable(str(w)) from None

    def rflags(f: int) -> int:
        out = 0
        for name in ("IGNORECASE", "DOTALL", "ASCII"):
            if f & getattr(re, name):
                out |= getattr(regex, name)
        return out

    def charset(items, f: int) -> bytes:
        parts = []
        for op, av in items:
            if op is C.NEGATE:
                parts.insert(0, "^")
            elif op is C.LITERAL:
                parts.append("\\U%08x" % av)
            elif op is C.RANGE:
                parts.append("\\U%08x-\\U%08x" % av)
            elif op is C.CATEGORY and str(av) in _CATEGORIES:
                parts.append(_CATEGORIES[str(av)])
            else:
                raise Untranslatable(f"{op} in a character class")
        return _byte_class(_ascii_set("[" + "".join(parts) + "]", rflags(f)))

    def emit(sub, f: int) -> bytes:
        out = []
        for op, av in sub:
            if op is C.LITERAL and not f & re.IGNORECASE:
                out.append(b"\\x%02x" % av if av < 128 else _NEVER)
            elif op is C.LITERAL:
                out.append(_byte_class(_ascii_set("\\U%08x" % av, rflags(f))))
            elif op is C.NOT_LITERAL:
                out.append(_byte_class(_ascii_set("[^\\U%08x]" % av, rflags(f))))
            elif op is C.ANY:
                out.append(_byte_class(_ascii_set(".", rflags(f))))
            elif op is C.IN:
                out.append(charset(av, f))
            elif op is C.BRANCH:
                out.append(b"(?:" + b"|".join(emit(alt, f) for alt in av[1]) + b")")
            elif op is C.SUBPATTERN:
                _group, add, drop, body = av
                out.append(b"(?:" + emit(body, (f | add) & ~drop) + b")")
            elif op is C.ATOMIC_GROUP:
                out.append(b"(?:" + emit(av, f) + b")")
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                low, high, body = av
                if high is C.MAXREPEAT or high > _REPEAT_CAP:
                    count = b"{%d,}" % min(low, _REPEAT_CAP)
                else:
                    count = b"{%d,%d}" % (low, high)
                out.append(b"(?:" + emit(body, f) + b")" + count)
            elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
                continue  # zero-width: leaving it out only widens the match
            elif op is C.GROUPREF:
                out.append(rb"[\x00-\x7f]*")
            elif op is C.GROUPREF_EXISTS:
                _group, yes, no = av
                out.append(b"(?:" + emit(yes, f) + b"|" + (emit(no, f) if no is not None else b"") + b")")
            else:
                raise Untranslatable(str(op))
        return b"".join(out)

    return emit(_trimmed(list(tree)), tree.state.flags)


def _trimmed(items: list) -> list:
    """``items`` without what may follow a match's required part: trailing anchors and lookarounds
    go, a trailing repeat keeps its minimum (``x.*`` matches where ``x`` does, ``x\\d+`` where ``x\\d``
    does), so a whole-buffer scan reports one end per occurrence instead of one per character."""
    from re import _constants as C

    while items:
        op, av = items[-1]
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            items.pop()
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] == 0:
            items.pop()
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            items[-1] = (op, (av[0], av[0], av[2]))
            break
        else:
            break
    return items


Entry = tuple[bytes, bool]  # a Hyperscan expression, and whether it is compiled ASCII-caseless


def _entries(sig: Signature) -> tuple[Entry, ...] | None:
    """What Hyperscan scans for ``sig``: each literal hint on its own (Hyperscan's literal matcher compiles
    them in milliseconds and scans fast; ASCII case folding is what ``regex`` folding does on the ASCII
    text Hyperscan sees), else its translated regex; None when it cannot say (always a candidate)."""
    return _entries_of(sig.hints, sig.ignore_case, None if sig.hints else sig.pattern.pattern)


@functools.lru_cache(maxsize=4096)
def _entries_of(hints: tuple[str, ...], caseless: bool, pattern: str | None) -> tuple[Entry, ...] | None:
    if hints:
        return tuple((literal_expression(h), caseless) for h in hints)
    expr = _translation(pattern, re.IGNORECASE if caseless else 0)
    return None if expr is None else ((expr, False),)


def literal_expression(literal: str) -> bytes:
    r"""A Hyperscan expression matching ``literal`` (its UTF-8 bytes).

    >>> literal_expression('ok: é')
    b'\\x6f\\x6b\\x3a\\x20\\xc3\\xa9'
    """
    return b"".join(b"\\x%02x" % c for c in literal.encode("utf-8"))


def _trigger_entries(pattern: str) -> tuple[Entry, ...] | None:
    """What Hyperscan scans for a skimmed parser's trigger regex: its required literals when it has some."""
    from azlog_vmbackup.analyzer.knowledge.literals import required_literals

    return _entries_of(required_literals(pattern) or (), False, pattern)


def _translation(source: str, flags: int = 0) -> bytes | None:
    key = (source, flags)
    if key not in _translated:
        try:
            _translated[key] = translate(source, flags)
        except (Untranslatable, re.error, RecursionError, ValueError, TypeError):
            _translated[key] = None
    return _translated[key]


_translated: dict[tuple[str, int], bytes | None] = {}
_rejected: set[Entry] = set()  # expressions Hyperscan would not compile
_local = threading.local()  # compiled databases (and their scratch) per thread: scans drop the GIL
_CACHE_SIZE = 256


def _database(entries: tuple[Entry, ...], every_match: bool = False):
    """A compiled database of ``entries`` (ids = positions), cached per thread. A record scan needs
    one report per expression; a whole-buffer scan (``every_match``) needs each place it matches."""
    import hyperscan

    cache = _local.__dict__.setdefault("dbs", {})
    db = cache.get((entries, every_match))
    if db is None:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        flag = hyperscan.HS_FLAG_PREFILTER | (0 if every_match else hyperscan.HS_FLAG_SINGLEMATCH)
        db.compile(expressions=[e for e, _ in entries], ids=list(range(len(entries))), elements=len(entries),
                   flags=[flag | (hyperscan.HS_FLAG_CASELESS if caseless else 0) for _, caseless in entries])
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[(entries, every_match)] = db
    return db


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
            found = _entries(sig)
            if found is None:
                always.append(i)
            else:
                entries.extend(found)
                ids.extend([i] * len(found))
        try:
            db = _database(tuple(entries)) if entries else None
        except hyperscan.error:  # some expression it will not take: leave its signature to regex
            refused = {i for e, i in zip(entries, ids) if not _accepted(e)}
            always = sorted(set(always) | refused)
            keep = [(e, i) for e, i in zip(entries, ids) if i not in refused]
            entries, ids = [e for e, _ in keep], [i for _, i in keep]
            db = _database(tuple(entries)) if entries else None
        self.db = db
        self.ids = ids  # database id -> position in self.signatures
        self.always = always  # positions of the signatures the database does not hold

    def search(self, noise: list[Signature], evidence: list[Signature]) -> SpecSearch:
        return _HyperscanSearch(self, noise, evidence)

    def buffer_scan(self, signatures: list[Signature], every: Sequence[str]) -> BufferScan | None:
        """A database of just these signatures and triggers (a skimmed spec has a fraction of them)."""
        import hyperscan

        entries: list[Entry] = []
        for found in [_entries(sig) for sig in signatures] + [_trigger_entries(t) for t in every]:
            if found is None or any(e in _rejected for e in found):
                return None
            entries.extend(found)
        if not entries:
            return None
        try:
            return _HyperscanBufferScan(_database(tuple(dict.fromkeys(entries)), every_match=True))
        except hyperscan.error:
            return None


class _HyperscanBufferScan:
    __slots__ = ("db",)

    def __init__(self, db):
        self.db = db

    def scan(self, data: bytes) -> list[int]:
        ends: list[int] = []
        self.db.scan(data, match_event_handler=_on_end, context=ends)
        ends.sort()
        return ends


def _on_end(_index, _start, end, _flags, ends):
    ends.append(end)


class _HyperscanSearch:
    __slots__ = ("noise", "evidence", "db", "slot", "always", "fallback", "split")

    def __init__(self, compiled: _HyperscanSet, noise: list[Signature], evidence: list[Signature]):
        self.noise, self.evidence = noise, evidence
        self.split = len(noise)
        self.fallback = _RegexSearch(noise, evidence)
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
            return self.fallback.candidates(text)
        found = set(self.always)
        if self.db is not None:
            hits: list[int] = []
            self.db.scan(text.encode("ascii"), match_event_handler=_on_match, context=hits)
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

    def compile(self, signatures: list[Signature]) -> Compiled:
        return _HyperscanSet(signatures)


# ---------------------------------------------------------------- choice

_default: Engine | None = None


def available() -> list[str]:
    """The engines this installation can run."""
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return ["regex"]
    return ["regex", "hyperscan"]


def get(name: str | None = None) -> Engine:
    """The engine ``name``; by default $AZLOG_ENGINE, else Hyperscan when installed, else regex."""
    global _default
    if name is None and _default is not None:
        return _default
    chosen = name or os.environ.get(ENV, "").strip().lower() or None
    if chosen not in (None,) + NAMES:
        raise ValueError(f"{ENV}={chosen!r}: use one of {', '.join(NAMES)}")
    if chosen == "regex":
        engine: Engine = RegexEngine()
    elif chosen == "hyperscan":
        try:
            engine = HyperscanEngine()
        except ImportError:
            raise RuntimeError(f"the hyperscan engine needs the hyperscan package: {install_hint('fast')}") from None
    else:
        try:
            engine = HyperscanEngine()
        except ImportError:
            engine = RegexEngine()
    if name is None:
        _default = engine
    return engine


@contextlib.contextmanager
def using(name: str):
    """Make ``name`` the default engine inside the block (tests, benchmarks)."""
    global _default
    saved, _default = _default, get(name)
    try:
        yield _default
    finally:
        _default = saved
