"""The built-in signature set: it loads, its ids are unique, and every example behaves."""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.knowledge.causes import load_causes
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


def test_every_text_signature_has_a_literal_prefilter():
    for sig in SIGNATURES:
        if sig.pattern is not None:
            assert sig.hints, f"{sig.id}: give a 'hint' or a regex with plain text in every alternative"
