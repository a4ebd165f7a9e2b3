"""End to end over the bundled samples: every sample has a scenario, and reads cleanly.

What each sample must diagnose lives in its scenario file (``tests/scenarios/<cause>/sample-*.yaml``, with
``bundle: samples/bundles/<file>``), which ``test_scenarios.py`` runs. Here: no sample goes without a
scenario, and each reads without errors, every member parsed or skipped with a reason.
"""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.core.model import Status
from tests.helpers import ROOT, scenarios

BUNDLES = ROOT / "samples" / "bundles"
KNOWLEDGE = Knowledge.load()
# scenarios that do not validate are left out here: test_scenarios.py fails them by name
SAMPLE_SCENARIOS = [s for s in scenarios.load_valid(scenarios.SCENARIOS, KNOWLEDGE.causes) if s.bundle is not None]


def test_every_sample_has_a_scenario():
    covered = sorted({s.bundle.name for s in SAMPLE_SCENARIOS if s.bundle.parent == BUNDLES})
    assert covered == sorted(p.name for p in BUNDLES.iterdir())


@pytest.mark.parametrize("scenario", SAMPLE_SCENARIOS, ids=[s.id for s in SAMPLE_SCENARIOS])
def test_sample(scenario):
    result = analyze(scenario.bundle, KNOWLEDGE)
    assert result.errors == []
    assert all(e.status is Status.PARSED or e.reason for e in result.inventory)
    if scenario.expect.cause is not None:
        assert result.facts.value("agent_version") or result.facts.value("daemon_version")
