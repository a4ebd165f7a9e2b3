"""The regex -> Hyperscan translator, byte for byte; it needs no ``hyperscan`` package.

(That a translation never misses what its pattern matches is checked against
Hyperscan itself in ``test_engines.py``.)
"""
from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from azlog_vmbackup.analyzer.matching.hyperscan_pattern import (
    Untranslatable,
    literal_expression,
    signature_entries,
    translate,
    trigger_entries,
)

SPACE = rb"[\x09-\x0d\x20]"
WORD = rb"[\x30-\x39\x41-\x5a\x5f\x61-\x7a]"


@pytest.mark.parametrize("pattern,expected", [
    # character classes are the ASCII bytes ``regex`` itself matches
    (r"\s", SPACE),
    (r"\w", WORD),
    (r"[\s\w]", rb"[\x09-\x0d\x20\x30-\x39\x41-\x5a\x5f\x61-\x7a]"),
    (r"[^a]", rb"[\x00-\x60\x62-\x7f]"),
    (r"a.b", rb"\x61[\x00-\x09\x0b-\x7f]\x62"),
    (r"(?s)a.b", rb"\x61[\x00-\x7f]\x62"),
    # case folding, as ``regex`` folds ASCII (KELVIN SIGN is not ASCII: such text takes the regex path)
    (r"(?i)k", rb"[\x4b\x6b]"),
    (r"(?i)[a-c]x", rb"[\x41-\x43\x61-\x63][\x58\x78]"),
    (r"(?i)ok\s+\d", rb"[\x4f\x6f][\x4b\x6b](?:[\x09-\x0d\x20]){1,}[\x30-\x39]"),
    (r"é", rb"[\x80]"),  # a literal no ASCII text holds
    # anchors and lookarounds are dropped
    (r"^abc$", rb"\x61\x62\x63"),
    (r"\bab\b", rb"\x61\x62"),
    (r"(?=a)b(?!c)", rb"\x62"),
    # a back-reference becomes anything
    (r"(x)y\1z", rb"(?:\x78)\x79[\x00-\x7f]*\x7a"),
    # a bounded repeat longer than the cap becomes open-ended from (at most) the cap
    (r"a{2,16}b", rb"(?:\x61){2,16}\x62"),
    (r"a{2,100}b", rb"(?:\x61){2,}\x62"),
    (r"a{20}b", rb"(?:\x61){16,}\x62"),
    # a trailing repeat keeps its minimum; an optional one goes
    (r"ab+", rb"\x61(?:\x62){1,1}"),
    (r"ab{3,5}$", rb"\x61(?:\x62){3,3}"),
    (r"ab*", rb"\x61"),
    (r"a|b", rb"[\x61-\x62]"),
])
def test_translate(pattern, expected):
    assert translate(pattern) == expected


def test_translate_flags_argument():
    assert translate("k", re.IGNORECASE) == translate("(?i)k") == rb"[\x4b\x6b]"


@pytest.mark.parametrize("pattern", [r"(?:foo){e<=1}", r"a{,x}", r"[[:alpha:]]+ed", r"[a-z--q]x"])
def test_untranslatable(pattern):
    """Fuzzy matching and nested sets: ``regex`` reads them differently from Python's parser."""
    with pytest.raises(Untranslatable):
        translate(pattern)


def test_literal_expression_is_utf8_bytes():
    assert literal_expression("ok: é") == rb"\x6f\x6b\x3a\x20\xc3\xa9"


def _sig(pattern: str, hints: tuple[str, ...] = (), ignore_case: bool = False):
    return SimpleNamespace(hints=hints, ignore_case=ignore_case, pattern=re.compile(pattern))


def test_signature_entries():
    # each hint on its own, caseless as the signature is; its regex is not translated then
    assert signature_entries(_sig(r"ab\d+", ("ab", "cd"), True)) == ((rb"\x61\x62", True), (rb"\x63\x64", True))
    # no hints: the regex translated (its case folding inside the expression)
    assert signature_entries(_sig(r"ab\d", ignore_case=True)) == ((rb"[\x41\x61][\x42\x62][\x30-\x39]", False),)
    # untranslatable: None (the signature is always a candidate)
    assert signature_entries(_sig(r"(?:foo){e<=1}")) is None


def test_trigger_entries():
    assert trigger_entries(r"Started \d+") == ((literal_expression("Started "), False),)  # its required literal
    assert trigger_entries(r"\d+") == ((rb"(?:[\x30-\x39]){1,1}", False),)  # none: the regex translated


def test_works_without_hyperscan():
    code = ("import sys; sys.modules['hyperscan'] = None\n"
            "from azlog_vmbackup.analyzer.matching import engines, hyperscan_pattern\n"
            "assert hyperscan_pattern.translate(r'a\\s') == rb'\\x61[\\x09-\\x0d\\x20]'\n"
            "assert engines.available() == ['regex'] and engines.get().name == 'regex'\n"
            "assert 'hyperscan' not in sys.modules or sys.modules['hyperscan'] is None\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
