"""Ticket intake: error codes and messages in free text, sharpened by bundles when attached.

The text (a portal blade, ``az backup job show`` JSON, PowerShell output, an email)
is searched for documented codes and messages; it is also read as a log excerpt,
so pasted agent lines count as evidence. Each code narrows the causes to its
documented ones; log evidence (from the text or the bundles) picks among them.
The result is the analyze contract plus a routing decision::

    "triage": {"route": "needs-logs", "summary": "...", "missing": ["/var/log/waagent.log", ...]}

Routes: ``self-help`` (a documented fix the customer applies), ``needs-logs`` (the
code has several possible causes and no logs to choose), ``guest-agent``,
``networking``, ``backup-service``, or ``unknown`` (nothing recognised).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from azlog_vmbackup.analyzer.apps.analyze import analyze, analyze_text
from azlog_vmbackup.analyzer.apps.coverage import coverage
from azlog_vmbackup.analyzer.knowledge.codes import CodeInfo, Mention
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.ranking import confidence
from azlog_vmbackup.core.bundle import Limits
from azlog_vmbackup.core.masking import redact
from azlog_vmbackup.core.model import OS, Diagnosis, Evidence, Result

TEXT = "<text>"
SINGLE_CAUSE_PRIOR = 0.8     # a code documented with one cause
FIRST_CAUSE_PRIOR = 0.55     # the most likely of several causes: medium, never high on the code alone
NEXT_CAUSE_STEP = 0.07
MIN_PRIOR = 0.25
ELSEWHERE = 0.8              # log evidence for a cause the code does not list counts a little less
MAX_MISSING = 8
LEAD_MARGIN = 0.1            # candidates this close to the top lead: `missing` asks for their evidence
TIE_MARGIN = 0.005           # scores this close are a tie
_BACKUPISH = regex.compile(r"backup|snapshot|restore|vault|recovery|agent|extension|\bvm\b", regex.I)
_LINUX = regex.compile(r"linux|ubuntu|debian|rhel|red ?hat|centos|suse|sles|oracle linux|waagent|walinuxagent", regex.I)
_WINDOWS = regex.compile(r"windows|waappagent|iaasbcdr|\bvss\b|\bwin\d|"
                         r"\b[a-z]:\\(?:packages|windowsazure|windows)\b", regex.I)


@dataclass
class Triage:
    result: Result
    route: str
    summary: str
    missing: list[str] = field(default_factory=list)
    tie: list[str] = field(default_factory=list)  # the causes tied at the top, when more than one

    def as_dict(self) -> dict:
        doc = self.result.as_dict()
        doc["triage"] = {"route": self.route, "summary": self.summary, "missing": self.missing, "tie": self.tie}
        return doc


def triage(text: str, bundles: list[Path], knowledge: Knowledge, limits: Limits = Limits(),
           engine: str | None = None) -> Triage:
    mentions = knowledge.codes.find(text)
    results = [analyze(b, knowledge, limits, engine=engine) for b in bundles]
    if text.strip():
        results.append(analyze_text(TEXT, text, knowledge, engine))
    result = _merge(results, bundles)
    os_name = _os(text, results)
    result.os = os_name
    result.coverage = coverage(result) if bundles else None  # a ticket alone: `missing` says what to ask for
    result.diagnoses = _combine(mentions, result.diagnoses, os_name, knowledge)
    if not mentions and all(d.confidence == "low" for d in result.diagnoses):
        result.diagnoses = []  # nothing recognised: no guesses
    tie = _tie(result.diagnoses)
    route, summary = _route(mentions, result, bool(bundles), text, knowledge, tie)
    missing = _missing(result, mentions, bool(bundles), os_name, knowledge) if route != "unknown" else []
    return Triage(result, route, summary, missing, tie)


def _tie(diagnoses: list[Diagnosis]) -> list[str]:
    """The causes sharing the top score, when there are several (the OS or the logs must decide)."""
    tied = [d.cause for d in diagnoses if diagnoses and diagnoses[0].score - d.score <= TIE_MARGIN]
    return tied if len(tied) > 1 else []


def _merge(results: list[Result], bundles: list[Path]) -> Result:
    """One result from the bundles' and the text's: facts, inventory, errors, diagnoses combined per cause."""
    merged = Result(source=", ".join(str(b) for b in bundles) or TEXT, engine=results[0].engine if results else "")
    by_cause: dict[str, Diagnosis] = {}
    for r in results:
        for name, fact in r.facts.items():
            merged.facts.set(name, fact.value, fact.path, fact.line, fact.time)
        merged.inventory += r.inventory
        merged.errors += r.errors
        for d in r.diagnoses:
            old = by_cause.get(d.cause)
            if old is None:
                by_cause[d.cause] = d
            else:
                old.score = 1 - (1 - old.score) * (1 - d.score)
                old.evidence += d.evidence
    merged.diagnoses = list(by_cause.values())
    return merged


def _priors(mentions: list[Mention], os_name: OS, knowledge: Knowledge) -> dict[str, tuple[float, list[CodeInfo]]]:
    """For each cause the codes point at (those of the VM's OS when known): its prior and the codes."""
    priors: dict[str, tuple[float, list[CodeInfo]]] = {}
    for info in dict.fromkeys(m.info for m in mentions):
        causes = [c for c in info.causes if knowledge.causes[c].os.applies_to(os_name)] or list(info.causes)
        place = _places(causes, knowledge, os_name)
        for cause in causes:
            i = place[cause]
            p = SINGLE_CAUSE_PRIOR if len(causes) == 1 else max(FIRST_CAUSE_PRIOR - NEXT_CAUSE_STEP * i, MIN_PRIOR)
            old, codes = priors.get(cause, (0.0, []))
            priors[cause] = (max(old, p), codes + [info])
    return priors


def _places(causes: list[str], knowledge: Knowledge, vm_os: OS) -> dict[str, int]:
    """Each cause's place in the code's list; with the OS unknown, its place among the causes of its own
    OS, so that the first Linux cause and the first Windows cause are both first."""
    if vm_os is not OS.ANY:
        return {cause: i for i, cause in enumerate(causes)}
    place: dict[str, int] = {}
    for vm in (OS.LINUX, OS.WINDOWS):
        for i, cause in enumerate(c for c in causes if knowledge.causes[c].os.applies_to(vm)):
            place[cause] = min(place.get(cause, i), i)
    return place


def _combine(mentions: list[Mention], logged: list[Diagnosis], os_name: OS,
             knowledge: Knowledge) -> list[Diagnosis]:
    priors = _priors(mentions, os_name, knowledge)
    logs = {d.cause: d for d in logged if knowledge.causes[d.cause].os.applies_to(os_name)}
    observed = list(dict.fromkeys(m.info.code for m in mentions))  # what the customer saw, on every diagnosis
    out = []
    for cause_id in dict.fromkeys([*priors, *logs]):
        cause = knowledge.causes[cause_id]
        prior, codes = priors.get(cause_id, (0.0, []))
        log = logs.get(cause_id)
        log_score = log.score if log else 0.0
        if codes:
            score = 1 - (1 - prior) * (1 - log_score)
        else:  # evidence the ticket's codes do not explain counts a little less
            score = log_score * ELSEWHERE if priors else log_score
        evidence = [Evidence(TEXT, m.line, redact(m.text[:400]), f"{m.how}:{m.info.code}")
                    for m in mentions if m.info in codes] + (log.evidence if log else [])
        error_codes = list(dict.fromkeys([c.code for c in codes] + (log.error_codes if log else [])
                                         + list(cause.error_codes) + observed))
        remediation = list(dict.fromkeys([s for c in codes for s in c.remediation]
                                         + (log.remediation if log else list(cause.remediation))))
        references = list(dict.fromkeys([c.reference for c in codes]
                                        + (log.references if log else list(cause.references))))
        out.append(Diagnosis(cause_id, cause.title, error_codes, min(score, 0.99), confidence(score),
                             evidence[:10], remediation, references, log.resolved if log else None))
    out.sort(key=lambda d: -d.score)
    return out


def _route(mentions: list[Mention], result: Result, have_logs: bool, text: str,
           knowledge: Knowledge, tie: list[str]) -> tuple[str, str]:
    if not result.diagnoses:
        if _BACKUPISH.search(text) or have_logs:
            return "needs-logs", "No documented error code or message recognised; collect the guest logs."
        return "unknown", "Nothing in the text relates to Azure VM backup."
    top = result.diagnoses[0]
    cause = knowledge.causes[top.cause]
    codes = list(dict.fromkeys(m.info for m in mentions))
    named = ", ".join(c.code for c in codes) or "no code"
    others = len(result.diagnoses) - 1
    if tie:
        tied = " and ".join(knowledge.causes[c].title.lower() for c in tie)
        return "needs-logs", (f"{named}: a tie between {tied} ({top.confidence}); the VM's OS and the guest logs "
                              f"decide.")
    if not have_logs and top.confidence != "high" and codes and any(c.guest_logs != "no" for c in codes) \
            and len({knowledge.causes[d.cause].route for d in result.diagnoses}) > 1:
        return "needs-logs", (f"{named}: most likely {cause.title.lower()} ({top.confidence}), "
                              f"{others} other cause(s) possible; the guest logs decide.")
    return cause.route, f"{named}: {cause.title} ({top.confidence})."


def _os(text: str, results: list[Result]) -> OS:
    for r in results:
        if r.os is not OS.ANY and r.source != TEXT:
            return r.os
    linux, windows = bool(_LINUX.search(text)), bool(_WINDOWS.search(text))
    return OS.LINUX if linux and not windows else OS.WINDOWS if windows and not linux else OS.ANY


def _missing(result: Result, mentions: list[Mention], have_logs: bool, os_name: OS,
             knowledge: Knowledge) -> list[str]:
    """What to ask the customer for: the evidence of the likely causes that the bundles do not hold."""
    held = {Path(i.path.replace("\\", "/")).name.lower() for i in result.inventory if i.path != TEXT}
    wanted: list[str] = []
    leading = [d for d in result.diagnoses if result.diagnoses[0].score - d.score <= LEAD_MARGIN]
    for d in leading:
        for item in knowledge.causes[d.cause].evidence:
            if os_name is OS.LINUX and "\\" in item or os_name is OS.WINDOWS and item.startswith("/"):
                continue
            name = regex.split(r"[\\/]", item.split()[0])[-1].lower() if item.startswith(("/", "C:", "c:")) else None
            if name and name in held:
                continue
            if have_logs and (name is None or "<" in item):
                continue  # with logs at hand, only concrete files they lack are worth asking for
            wanted.append(item)
    return list(dict.fromkeys(wanted))[:MAX_MISSING]
