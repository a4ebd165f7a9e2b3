"""The causes a diagnosis can name (``signatures/causes.yaml``).

An entry::

    - id: no-internet-access
      os: any                     # linux | windows | any (default; 'both' too)
      title: The VM cannot reach the wireserver or Azure Storage
      title_hu: ...
      description: ...
      route: networking           # guest-agent | networking | backup-service | self-help
      evidence: ["/var/log/waagent.log", "curl -v http://168.63.129.16/?comp=versions"]
      error_codes: [ExtensionSnapshotFailedNoNetwork]
      remediation: ["..."]
      remediation_hu: ["..."]     # same steps, same order
      references: ["https://learn.microsoft.com/..."]
      corroborated_by: {agent-unresponsive-linux: 0.5}   # optional: see below

``corroborated_by`` names causes whose evidence also speaks for this one, and how much (0-1): an agent below
the supported minimum that also crashes is, first of all, an agent to update. When both have evidence, this
cause's score takes in that share of the other's score (``ranking``); the other keeps its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from azlog_vmbackup.analyzer.knowledge import steps
from azlog_vmbackup.analyzer.knowledge.mirror import builtin_dir
from azlog_vmbackup.analyzer.knowledge.schema import (
    KnowledgeError,
    check_fields,
    entries,
    one_of,
    opt_str,
    os_field,
    req_str,
    str_list,
)
from azlog_vmbackup.core.model import OS

ROUTES = ("guest-agent", "networking", "backup-service", "self-help")
_FIELDS = {"id", "os", "title", "title_hu", "description", "description_hu", "route", "evidence", "error_codes",
           "remediation", "remediation_hu", "references", "corroborated_by"}


@dataclass(frozen=True)
class Cause:
    """A documented cause of backup failures (``causes.yaml``): its error codes, remediation and references."""

    id: str
    title: str
    error_codes: tuple[str, ...]
    remediation: tuple[str, ...]
    references: tuple[str, ...] = ()
    description: str = ""
    route: str = "guest-agent"
    os: OS = OS.ANY
    evidence: tuple[str, ...] = ()
    title_hu: str = ""
    description_hu: str = ""
    remediation_hu: tuple[str, ...] = ()
    corroborated_by: tuple[tuple[str, float], ...] = ()

    def text(self, lang: str = "en") -> tuple[str, str, tuple[str, ...]]:
        """(title, description, remediation) in ``lang`` ("en" or "hu"; English where a translation is missing)."""
        if lang == "hu":
            return (self.title_hu or self.title, self.description_hu or self.description,
                    self.remediation_hu or self.remediation)
        return self.title, self.description, self.remediation


def _shares(where: str, value) -> tuple[tuple[str, float], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, (int, float)) and 0 < v <= 1
                                              for k, v in value.items()):
        raise KnowledgeError(f"{where}: corroborated_by: give {{cause-id: share}} with shares in (0, 1]")
    return tuple((k, float(v)) for k, v in value.items())


def load_causes(path: Path | None = None) -> dict[str, Cause]:
    path = path or builtin_dir() / "causes.yaml"
    causes: dict[str, Cause] = {}
    for where, e in entries(path):
        check_fields(where, e, _FIELDS, {"id", "title", "remediation"})
        cid = req_str(where, e, "id")
        if cid in causes:
            raise KnowledgeError(f"{where}: id: duplicate cause id {cid!r}")
        remediation, remediation_hu = str_list(where, e, "remediation"), str_list(where, e, "remediation_hu")
        if remediation_hu and len(remediation_hu) != len(remediation):
            raise KnowledgeError(f"{where}: remediation_hu: needs the same number of steps as remediation")
        for problem in steps.check(where, remediation + remediation_hu):
            raise KnowledgeError(problem)
        causes[cid] = Cause(
            id=cid, title=req_str(where, e, "title"), error_codes=str_list(where, e, "error_codes"),
            remediation=remediation, references=str_list(where, e, "references"),
            description=opt_str(where, e, "description"), route=one_of(where, e, "route", ROUTES, "guest-agent"),
            os=os_field(where, e),
            evidence=str_list(where, e, "evidence"), title_hu=opt_str(where, e, "title_hu"),
            description_hu=opt_str(where, e, "description_hu"), remediation_hu=remediation_hu,
            corroborated_by=_shares(where, e.get("corroborated_by")))
    for cause in causes.values():
        unknown = [other for other, _ in cause.corroborated_by if other not in causes]
        if unknown:
            raise KnowledgeError(f"{path}: {cause.id}: corroborated_by: unknown cause {unknown[0]!r}")
    return causes
