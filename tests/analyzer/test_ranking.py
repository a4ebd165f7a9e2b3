"""Ranking: recency against the last backup attempt, corroboration, the stale-evidence cap, resolution by success."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from azlog_vmbackup.analyzer.knowledge.causes import Cause
from azlog_vmbackup.analyzer.knowledge.signatures import Signature
from azlog_vmbackup.analyzer.matching.matcher import SignatureHits
from azlog_vmbackup.analyzer.ranking import rank
from azlog_vmbackup.core.model import Evidence, Facts, Hit

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
CAUSES = {c: Cause(c, c.title(), (f"Code{c}",), (f"fix {c}",), ()) for c in ("a", "b")}


def found(*specs):
    """specs: (sig_id, cause, weight, hours_before_T0 or None, spec)."""
    out = {}
    for sig_id, cause, weight, hours, spec in specs:
        sig = Signature(id=sig_id, title=sig_id, cause=cause, weight=weight, file="t.yaml")
        when = None if hours is None else T0 - timedelta(hours=hours)
        entry = out.setdefault(sig_id, SignatureHits(sig))
        entry.count += 1
        entry.latest.append(Hit(sig, Evidence("p", 1, f"line of {sig_id}", sig_id, when), spec))
    return out


def attempt_facts(**extra):
    facts = Facts()
    facts.set("last_backup_attempt", T0, "ext.log", 1)
    for name, value in extra.items():
        facts.set(name, value, "status", 1)
    return facts


def test_current_failure_outranks_old_warning():
    diags = rank(found(("old", "a", 0.9, 24 * 5, "waagent_log"), ("new", "b", 0.6, 0.1, "ext")),
                 attempt_facts(), CAUSES, None)
    assert [(d.cause, d.confidence) for d in diags] == [("b", "medium"), ("a", "low")]
    assert diags[0].error_codes == ["Codeb"] and diags[0].remediation == ["fix b"]


def test_independent_evidence_combines_and_sources_corroborate():
    (d,) = rank(found(("s1", "a", 0.6, 0.5, "waagent_log"), ("s2", "a", 0.5, 0.2, "ext")),
                attempt_facts(), CAUSES, None)
    assert round(d.score, 3) == round(1 - 0.4 * 0.5 + 0.05, 3) and d.confidence == "high"


def test_stale_evidence_is_capped_however_much_there_is():
    (d,) = rank(found(*[(f"s{i}", "a", 0.8, 24 * 10, "waagent_log") for i in range(6)]),
                attempt_facts(), CAUSES, None)
    assert d.score <= 0.3 and d.confidence == "low"


def test_success_after_the_trouble_resolves_it():
    facts = attempt_facts(last_status="success", last_status_code=1, last_status_time=T0)
    (d,) = rank(found(("s1", "a", 0.9, 1, "ext"), ("fact", "a", 0.9, None, "facts")), facts, CAUSES, None)
    assert d.confidence == "low"


def test_success_with_unhealthy_vm_health_is_not_resolution():
    facts = attempt_facts(last_status="success", last_status_code=1, vm_health_status_code=300,
                          last_status_time=T0)
    (d,) = rank(found(("s1", "a", 0.8, 0.1, "ext")), facts, CAUSES, None)
    assert d.confidence == "high"


def test_corroborating_cause_lends_a_share_of_its_score():
    causes = dict(CAUSES, a=Cause("a", "A", ("Codea",), ("fix a",), (), corroborated_by=(("b", 0.5),)))
    diags = rank(found(("fact", "a", 0.4, None, "facts"), ("crash", "b", 0.35, 0.1, "waagent_log")),
                 attempt_facts(), causes, None)
    assert [(d.cause, round(d.score, 3)) for d in diags] == [("a", round(1 - 0.6 * (1 - 0.5 * 0.35), 3)), ("b", 0.35)]
    assert [e.signature for e in diags[0].evidence] == ["fact", "crash"]  # the shared line is shown too
    assert diags[0].remediation == ["fix a"]                               # but not the other cause's steps
    alone = rank(found(("fact", "a", 0.4, None, "facts")), attempt_facts(), causes, None)
    assert round(alone[0].score, 3) == 0.4                                 # nothing to share: its own score


def test_a_weight_at_a_bands_edge_is_in_the_band():
    from azlog_vmbackup.analyzer.ranking import confidence

    assert 1 - (1 - 0.45) < 0.45 and confidence(1 - (1 - 0.45)) == "medium"
    assert confidence(1 - (1 - 0.75)) == "high" and confidence(0.4499) == "low"
