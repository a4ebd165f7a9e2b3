"""The built-in signature set: it loads, its ids are unique, and every example behaves."""
from __future__ import annotations

import pickle

import pytest

from azlog_vmbackup.analyzer.knowledge.causes import load_causes
from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError
from azlog_vmbackup.analyzer.knowledge.signatures import load_signatures
from azlog_vmbackup.analyzer.matching.examples import failures
from azlog_vmbackup.parsers import registry

CAUSES = load_causes()
SIGNATURES = load_signatures(causes=CAUSES)
SPEC_NAMES = {s.name for s in registry.TABLE} | {"text"}


def test_signature_set_loads_with_unique_ids():
    ids = [s.id for s in SIGNATURES]
    assert len(ids) == len(set(ids))
    assert len(SIGNATURES) >= 60


def test_every_source_is_a_known_spec():
    for sig in SIGNATURES:
        assert set(sig.sources) <= SPEC_NAMES, sig.id


def test_no_pattern_starts_with_a_wildcard():
    for sig in SIGNATURES:
        if sig.pattern is not None:
            assert not sig.pattern.pattern.startswith((".*", ".+")), sig.id


@pytest.mark.parametrize("sig", SIGNATURES, ids=lambda s: s.id)
def test_examples(sig):
    assert failures(sig, SIGNATURES) == []


def test_every_builtin_regex_compiles():
    """Built-in regexes compile at their first search, not at load: each must compile."""
    for sig in SIGNATURES:
        if sig.pattern is not None:
            assert sig.pattern.compiled().pattern == sig.pattern.pattern, sig.id


def test_a_user_regex_is_proven_at_load(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("- id: my-sig\n  title: t\n  cause: fsfreeze-failed\n  weight: 0.5\n  regex: 'unclosed ('\n"
                    "  examples: {match: ['x'], no_match: ['y']}\n")
    with pytest.raises(KnowledgeError, match=r"mine.yaml: entry 1 \(my-sig\): regex: does not compile: "):
        load_signatures([mine], causes=CAUSES)


def test_a_pattern_travels_as_its_source():
    sig = next(s for s in SIGNATURES if s.pattern is not None and s.pattern.flags)
    copy = pickle.loads(pickle.dumps(sig.pattern))
    assert (copy.pattern, copy.flags) == (sig.pattern.pattern, sig.pattern.flags)
    assert copy.compiled().flags == sig.pattern.compiled().flags


def test_every_text_signature_has_a_literal_prefilter():
    for sig in SIGNATURES:
        if sig.pattern is not None:
            assert sig.hints, f"{sig.id}: give a 'hint' or a regex with plain text in every alternative"
