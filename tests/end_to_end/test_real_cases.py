"""The tuned part of the real-case corpus (tests/corpus) as regression tests: each keeps its right answer.

The held-out third (tests/corpus/README.md) is left to ``bench/accuracy.py``: a test failing on one would
invite tuning on it.
"""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from tests.helpers import ROOT
from tests.helpers import scenarios as sc

CORPUS = ROOT / "tests" / "corpus"
KNOWLEDGE = Knowledge.load()


TUNED = [c for c in sc.load_valid(CORPUS, KNOWLEDGE.causes) if not sc.held_out(c.source)]


def test_the_corpus_loads_and_splits():
    cases = sc.load_all(CORPUS, KNOWLEDGE.causes)
    assert len(cases) >= 80 and sum(c.expect.cause is None for c in cases) >= 20
    assert 0.25 < 1 - len(TUNED) / len(cases) < 0.42


@pytest.mark.parametrize("case", TUNED, ids=lambda c: c.id)
def test_real_case(case):
    result = sc.run(case, KNOWLEDGE)
    confident = [d.cause for d in result.diagnoses if d.confident]
    if case.expect.cause is None:
        assert confident == [], f"{case.id} ({case.source}): false alarm\n{sc.answer(result)}"
    else:
        assert confident[:1] == [case.expect.cause], f"{case.id} ({case.source})\n{sc.answer(result)}"
