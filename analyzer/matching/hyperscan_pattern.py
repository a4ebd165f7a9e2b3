"""Regex to Hyperscan: the byte pattern Hyperscan scans for a signature (or a skimmed parser's trigger).

Pure functions of a pattern: nothing here needs the ``hyperscan`` package;
``hyperscan_engine`` compiles what they give.

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

import functools
import re
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azlog_vmbackup.analyzer.knowledge.signatures import Signature

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
    from re import _constants as C
    from re import _parser

    import regex

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


def signature_entries(sig: Signature) -> tuple[Entry, ...] | None:
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


def trigger_entries(pattern: str) -> tuple[Entry, ...] | None:
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
