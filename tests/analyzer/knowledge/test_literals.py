"""What ``literals.leading_literals`` says a regex's matches start with holds for every built-in signature's
matching examples, and for text built around each literal."""
from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.analyzer.knowledge.literals import leading_literals
from azlog_vmbackup.analyzer.knowledge.store import Knowledge

SIGNATURES = [s for s in Knowledge.load().signatures if s.pattern is not None]
LEADING = [(s, found) for s in SIGNATURES if (found := leading_literals(s.pattern.pattern, s.ignore_case))]


def _texts(sig) -> list[str]:
    return [e if isinstance(e, str) else e["text"] for e in sig.examples.get("match", ())
            if isinstance(e, str) or isinstance(e.get("text"), str)]


def test_most_signatures_have_leading_literals():
    assert len(LEADING) > len(SIGNATURES) // 2


@pytest.mark.parametrize(("sig", "found"), LEADING, ids=[s.id for s, _ in LEADING])
def test_every_match_starts_with_a_leading_literal(sig, found):
    leads, folded = found
    for text in _texts(sig):
        for m in sig.pattern.compiled().finditer(text):
            start = text[m.start():].lower() if folded else text[m.start():]
            assert start.startswith(leads), (m.group(), leads)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LEADING), st.text("0123456789-:.TZ []ABCDEFGHIabcdefgh", max_size=12),
       st.text("xyz ()[]-:0123456789ABCDEF", max_size=40))
def test_no_match_starts_inside_text_before_a_leading_literal(pair, before, after):
    """Text placed before anything a pattern matches cannot start a match unless it begins a leading literal."""
    sig, (leads, folded) = pair
    for text in _texts(sig)[:2]:
        joined = before + text + after
        for m in sig.pattern.compiled().finditer(joined):
            start = joined[m.start():].lower() if folded else joined[m.start():]
            assert start.startswith(leads)


def test_patterns_a_match_may_start_otherwise_have_none():
    assert leading_literals(r"(?<=ERROR )boom") is None  # reads what precedes it
    assert leading_literals(r"^boom") is None  # anchored
    assert leading_literals(r"boom|[0-9]+ errors") is None  # one alternative starts with a class
    assert leading_literals(r"(?:a|b)oom") is None  # a group first: not read
    assert leading_literals(r"\bboom(?=!)") == (("boom",), False)
    assert regex.compile(r"\bboom").search("xboom boom").start() == 6
