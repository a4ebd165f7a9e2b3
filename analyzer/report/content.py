"""What every report says, in the order it says it: one model (``Report``) that the text, Markdown and HTML
renderers draw, and whose summary and tie flag the JSON carries too.

``build(result)`` gives: a summary header (host, OS, agent and extension versions, the last backup attempt and
its result, which kinds of evidence the bundle holds), the verdict (a named cause, weak signs only, nothing, or
a bundle without logs), the diagnoses (each with its evidence, trigger first, its filled steps and its
references; a tie at the top flagged), the facts grouped (agent, extension, network, OS, status, other; empty
ones left out), the inventory (what was read as what, what was skipped and why) and the problems.

>>> from azlog_vmbackup.core.model import Facts, Result
>>> facts = Facts()
>>> facts.set("agent_version", "2.2.45", "var/log/waagent.log", 3)
>>> facts.set("hostname", "vm-db01", "etc/hostname", 1)
>>> report = build(Result("bundle.zip", facts=facts))
>>> report.summary.host, report.summary.agent, report.verdict
('vm-db01', '2.2.45', 'none')
>>> [(group, [f.name for f in items]) for group, items in report.facts]
[('agent', ['agent_version']), ('os', ['hostname'])]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from azlog_vmbackup.core.model import Diagnosis, InventoryEntry, Result, Status, stamp

TIE_MARGIN = 0.05  # two confident candidates this close at the top: the report says it cannot tell them apart
MAX_INVENTORY = 500

# fact name -> group, by prefix (first match wins); anything else is "other"
_GROUPS = (
    ("status", ("last_", "vm_health", "host_status", "snapshot_creator", "status_blob", "ext_error", "handler_status",
                "handler_state", "vmsnapshot_stopped")),
    ("extension", ("extension_", "vmsnapshot_", "python_version", "extensions_enabled", "telemetry_")),
    ("network", ("wireserver", "dhcp", "proxy", "os_enable_firewall", "dns", "iptables", "route")),
    ("agent", ("agent_", "auto_update", "daemon_version", "goal_state", "installed_agent", "requested_agent",
               "provisioning_agent")),
    ("os", ("os_", "hostname", "kernel", "bundle_year", "collector_")),
)
GROUP_ORDER = ("agent", "extension", "network", "os", "status", "other")


@dataclass
class Summary:
    host: str = ""
    os: str = ""
    distro: str = ""
    agent: str = ""
    extension: str = ""
    last_attempt: str = ""        # ISO time (UTC: status files and the extension's status lines record it so)
    last_result: str = ""         # success / error, with its code
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"host": self.host or None, "os": self.os, "distro": self.distro or None,
                "agent_version": self.agent or None, "extension_version": self.extension or None,
                "last_backup_attempt": self.last_attempt or None,
                "last_result": self.last_result or None, "evidence_present": self.present,
                "evidence_missing": self.missing}


@dataclass
class FactLine:
    name: str
    value: str
    path: str
    line: int | None


@dataclass
class Report:
    source: str
    summary: Summary
    verdict: str                                   # named | weak | none | no_logs
    top: Diagnosis | None
    others: list[Diagnosis]
    tie: bool
    facts: list[tuple[str, list[FactLine]]]
    inventory: list[InventoryEntry]
    parsed: int
    skipped: int
    result: Result

    @property
    def diagnoses(self) -> list[Diagnosis]:
        return ([self.top] if self.top else []) + self.others


def build(result: Result) -> Report:
    """The report's content for ``result``."""
    strong = [d for d in result.diagnoses if d.confident]
    if result.coverage and result.coverage.note:
        verdict = "no_logs"
    elif strong:
        verdict = "named"
    elif result.diagnoses:
        verdict = "weak"
    else:
        verdict = "none"
    top = strong[0] if strong else None
    others = [d for d in result.diagnoses if d is not top]
    skipped = sum(1 for e in result.inventory if e.status is not Status.PARSED)
    return Report(result.source, summary(result), verdict, top, others, tied(result.diagnoses), grouped_facts(result),
                  result.inventory[:MAX_INVENTORY], len(result.inventory) - skipped, skipped, result)


def tied(diagnoses: list[Diagnosis]) -> bool:
    """True when the first two diagnoses are both confident and within ``TIE_MARGIN`` of each other."""
    return (len(diagnoses) > 1 and diagnoses[0].confident and diagnoses[1].confident
            and diagnoses[0].score - diagnoses[1].score <= TIE_MARGIN)


def summary(result: Result) -> Summary:
    f = result.facts

    def value(*names: str) -> str:
        """The first of these facts that has a value, as text."""
        return next((str(f.value(n)) for n in names if f.value(n) not in (None, "")), "")

    attempt = next((f.value(n) for n in ("last_backup_attempt", "last_status_time")
                    if isinstance(f.value(n), datetime)), None)
    status, code = f.value("last_status"), f.value("last_status_code")
    result_text = "" if status is None else str(status) + (f" (code {code})" if code not in (None, "") else "")
    name, version = value("os_name", "os_distro"), value("os_version")
    distro = name if version and version in name else " ".join(x for x in (name, version) if x)
    cov = result.coverage
    return Summary(host=value("hostname"), os=result.os.label, distro=distro,
                   agent=value("agent_version", "telemetry_agent_version", "daemon_version"),
                   extension=value("extension_version", "vmsnapshot_plugin_version"),
                   last_attempt=stamp(attempt) or "", last_result=result_text,
                   present=list(cov.present) if cov else [], missing=list(cov.missing) if cov else [])


def grouped_facts(result: Result) -> list[tuple[str, list[FactLine]]]:
    """The facts with a value, by group (``GROUP_ORDER``), each with the line it was read from."""
    groups: dict[str, list[FactLine]] = {}
    for name, shown in result.facts.as_dict().items():
        if shown in (None, "", [], {}):
            continue
        fact = result.facts.get(name)
        group = next((g for g, prefixes in _GROUPS if name.startswith(prefixes)), "other")
        groups.setdefault(group, []).append(FactLine(name, _text(shown), fact.path if fact else "",
                                                     fact.line if fact else None))
    return [(g, groups[g]) for g in GROUP_ORDER if g in groups]


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)
