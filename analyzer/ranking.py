"""Turn signature hits and facts into ranked diagnoses.

Each signature contributes its weight times a recency factor of its latest
hit; the signatures of one cause combine as independent evidence
(``1 - prod(1 - w)``), with a small bonus when the evidence comes from more
than one kind of source, and capped by the recency of the freshest evidence.
Remediation steps are filled with the diagnosis's own values (``knowledge.steps``).
A cause that another cause's evidence corroborates (``Cause.corroborated_by``)
takes in a share of that cause's score, and shows its strongest line.
Recency is measured against the last backup attempt (``last_backup_attempt``
fact, else the newest record): what happened around the last job counts
fully, older events count less, and anything before a backup that then
succeeded hardly counts at all.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from azlog_vmbackup.analyzer.knowledge import steps
from azlog_vmbackup.analyzer.knowledge.causes import Cause
from azlog_vmbackup.analyzer.matching.matcher import SignatureHits
from azlog_vmbackup.core.model import Diagnosis, Evidence, Facts, Hit

HIGH = 0.75
MEDIUM = 0.45
CORROBORATION_BONUS = 0.05
MAX_EVIDENCE = 8
CURRENT_WINDOW = timedelta(hours=6)
RECENT_WINDOW = timedelta(days=3)
LOCAL_TIME_SLACK = timedelta(hours=14)
RECENT_FACTOR = 0.6
OLD_FACTOR = 0.3
RESOLVED_FACTOR = 0.25


def reference_time(facts: Facts, latest_record: datetime | None) -> datetime | None:
    """The time of the last backup attempt (its start, else its last status), or failing that the newest record."""
    for name in ("last_backup_attempt", "last_status_time"):
        attempt = facts.value(name)
        if isinstance(attempt, datetime):
            return attempt
    return latest_record


def resolved_before(facts: Facts) -> datetime | None:
    """When the last backup job ended well, its time: older trouble has since been overcome."""
    status = facts.value("last_status")
    code = facts.value("last_status_code")
    health = facts.value("vm_health_status_code")
    when = facts.value("last_status_time")
    if status == "success" and code in (None, 0, 1) and health in (None, 0, 1) and isinstance(when, datetime):
        return when
    return None


def recency(hit: Hit, ref: datetime | None, resolved: datetime | None) -> float:
    t = hit.evidence.time
    if hit.spec == "facts" or t is None:
        # a state (a version, a setting, the last status) holds now, when it was read does not age it;
        # but it did not stop the last backup from succeeding
        return RESOLVED_FACTOR if resolved is not None else 1.0
    slack = LOCAL_TIME_SLACK if hit.evidence.local_time else timedelta(0)
    if resolved is not None and t + slack < resolved:
        return RESOLVED_FACTOR
    if ref is None:
        return 1.0
    age = ref - t - slack
    if age <= CURRENT_WINDOW:
        return 1.0
    if age <= RECENT_WINDOW:
        return RECENT_FACTOR
    return OLD_FACTOR


def confidence(score: float) -> str:
    """The band of a score; a weight at a band's edge is in it (``1 - (1 - 0.45)`` is 0.44999999999999996)."""
    score = round(score, 9)
    return "high" if score >= HIGH else "medium" if score >= MEDIUM else "low"


def rank(found: dict[str, SignatureHits], facts: Facts, causes: dict[str, Cause],
         latest_record: datetime | None) -> list[Diagnosis]:
    ref = reference_time(facts, latest_record)
    resolved = resolved_before(facts)
    by_cause: dict[str, list[tuple[float, Hit, SignatureHits]]] = {}
    freshest: dict[str, float] = {}
    for entry in found.values():
        if not entry.fires():
            continue
        scored = [(recency(h, ref, resolved), h) for h in entry.latest]
        factor, best_hit = max(scored, key=lambda sh: (sh[0], _ts(sh[1])))
        cause = entry.signature.cause
        by_cause.setdefault(cause, []).append((entry.signature.weight * factor, best_hit, entry))
        freshest[cause] = max(freshest.get(cause, 0.0), factor)

    own: dict[str, float] = {}
    for cause_id, items in by_cause.items():
        miss = 1.0
        for score, _, _ in items:
            miss *= 1.0 - score
        score = 1.0 - miss
        if len({h.spec for _, h, _ in items}) > 1:
            score += CORROBORATION_BONUS
        # stale evidence stays weak however much of it there is
        own[cause_id] = min(score, 0.99 * freshest[cause_id])
        items.sort(key=lambda i: (-i[0], -_ts(i[1])))

    diagnoses = []
    plain_facts = {name: facts.value(name) for name in facts.as_dict()}
    for cause_id, items in by_cause.items():
        cause = causes[cause_id]
        score, shared = own[cause_id], []
        why = [{"signature": e.signature.id, "weight": e.signature.weight, "recency": round(w / e.signature.weight, 3)
                if e.signature.weight else 0.0, "contribution": round(w, 3), "hits": e.count, "source": h.spec}
               for w, h, e in items]
        for other, share in cause.corroborated_by:  # another cause's evidence that speaks for this one too
            if other in own:
                score = 1.0 - (1.0 - score) * (1.0 - share * own[other])
                shared += by_cause[other][:1]
                why.append({"corroborated_by": other, "share": share, "contribution": round(share * own[other], 3)})
        evidence = _evidence(items + shared)
        values = steps.values_for([e.values for e in evidence], plain_facts)
        diagnoses.append(Diagnosis(
            cause=cause_id, title=cause.title,
            error_codes=_codes(items, cause), score=score, confidence=confidence(score),
            evidence=evidence, values=values, why=why, remediation=[steps.fill(r, values) for r in _merge(
                [r for _, _, e in items for r in e.signature.remediation] + list(cause.remediation))],
            references=_merge([r for _, _, e in items for r in e.signature.references] + list(cause.references)),
            resolved=resolved if resolved is not None and freshest[cause_id] == RESOLVED_FACTOR else None))
    strongest = {c: max(e.signature.weight for _, _, e in items) for c, items in by_cause.items()}
    diagnoses.sort(key=lambda d: (-d.score, -strongest[d.cause], d.cause))
    return diagnoses


def _ts(hit: Hit) -> float:
    t = hit.evidence.time
    return t.timestamp() if t else 0.0


def _codes(items, cause: Cause) -> list[str]:
    codes = [c for _, _, e in items for c in e.signature.error_codes]
    return _merge(codes or list(cause.error_codes))


def _evidence(items) -> list[Evidence]:
    """The trigger (the strongest signature's best hit) first, then the context in time order: each other
    signature's best hit, then their other recent hits; one entry per line, at most ``MAX_EVIDENCE``."""
    out: dict[tuple[str, int | None, str], Evidence] = {}
    for _, best, _ in items:
        out.setdefault(_where(best.evidence), best.evidence)
    for _, _best, entry in items:
        for hit in reversed(entry.latest):
            if len(out) >= MAX_EVIDENCE:
                break
            out.setdefault(_where(hit.evidence), hit.evidence)
    chosen = list(out.values())[:MAX_EVIDENCE]
    return chosen[:1] + sorted(chosen[1:], key=_chronological)


def _chronological(e: Evidence) -> tuple:
    """Time order; facts and lines without a time last, as they were."""
    return (e.time is None, e.time.timestamp() if e.time else 0.0)


def _where(e: Evidence) -> tuple[str, int | None, str]:
    return e.path, e.line, e.text


def _merge(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)
