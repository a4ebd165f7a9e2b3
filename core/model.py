"""The records, facts and results that flow from parsers to the report.

A parser turns one bundle member into ``Record`` objects (log records, one per
logical entry, continuation lines included) and sets ``Facts`` (agent version,
extension state, status codes...). The matcher turns both into ``Hit`` objects,
the ranker into ``Diagnosis`` objects, all gathered in a ``Result``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Callable


class OS(str, Enum):
    """The operating system a VM runs, or that a spec, signature or cause is about.

    ``ANY``: not tied to one OS (a signature or cause), or not known (a VM).
    Knowledge files may spell it ``any``, ``both`` or ``unknown``.

    >>> OS.parse("both") is OS.ANY, OS.LINUX.applies_to(OS.ANY), OS.LINUX.applies_to(OS.WINDOWS)
    (True, True, False)
    """

    LINUX = "linux"
    WINDOWS = "windows"
    ANY = "any"

    @classmethod
    def parse(cls, text: str) -> OS:
        """The OS a knowledge file or a user names; ValueError for anything else."""
        name = text.strip().lower()
        return cls.ANY if name in ("both", "unknown") else cls(name)

    def applies_to(self, vm: OS) -> bool:
        """Whether something about this OS holds on a VM running ``vm`` (either side ANY: it may)."""
        return self is OS.ANY or vm is OS.ANY or self is vm

    @property
    def label(self) -> str:
        """How a report names a VM's OS: linux, windows, or unknown."""
        return "unknown" if self is OS.ANY else self.value


class Status(str, Enum):
    """What became of a bundle member: read, not read (with a reason), or refused by a limit."""

    PARSED = "parsed"
    SKIPPED = "skipped"
    REFUSED = "refused"


@dataclass(slots=True)
class Record:
    """One logical log entry.

    ``message`` holds the whole entry, continuation lines included, joined by
    ``\\n``; ``line`` is the 1-based line number of its first physical line.
    ``time`` is timezone-aware UTC; when the source wrote local time of an
    unknown zone the clock value is kept as if UTC and ``local_time`` is True.
    """

    path: str
    line: int
    message: str
    time: datetime | None = None
    level: str | None = None
    component: str | None = None
    local_time: bool = False


@dataclass(slots=True)
class Fact:
    """A value learned about the VM, with where it was read."""

    value: Any
    path: str
    line: int | None = None
    time: datetime | None = None


class Facts:
    """Named facts; a later observation (by time, else by order) replaces an earlier one.

    >>> f = Facts()
    >>> f.set("agent_version", "2.2.45", "var/log/waagent.log", 3)
    >>> f.set("agent_version", "2.13.1.1", "var/log/waagent.log", 90)
    >>> f.value("agent_version")
    '2.13.1.1'
    """

    def __init__(self) -> None:
        self._facts: dict[str, Fact] = {}
        self.writes = 0  # calls of set and setdefault so far, kept or not: has a parser set a fact since?

    def set(self, name: str, value: Any, path: str, line: int | None = None,
            time: datetime | None = None) -> None:
        self.writes += 1
        old = self._facts.get(name)
        if old is not None and old.time is not None and time is not None and time < old.time:
            return
        self._facts[name] = Fact(value, path, line, time)

    def setdefault(self, name: str, value: Any, path: str, line: int | None = None,
                   time: datetime | None = None) -> None:
        """Set ``name`` only when no source has set it yet."""
        self.writes += 1
        if name not in self._facts:
            self._facts[name] = Fact(value, path, line, time)

    def get(self, name: str) -> Fact | None:
        return self._facts.get(name)

    def value(self, name: str, default: Any = None) -> Any:
        fact = self._facts.get(name)
        return default if fact is None else fact.value

    def items(self):
        return sorted(self._facts.items())

    def __contains__(self, name: str) -> bool:
        return name in self._facts

    def as_dict(self) -> dict[str, Any]:
        return {name: _plain(f.value) for name, f in self.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    return value


def iso(t: datetime | None) -> str | None:
    """ISO-8601 UTC with a ``Z``, seconds precision."""
    if t is None:
        return None
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(t: datetime | None, local: bool = False) -> str | None:
    """``iso(t)``, or for a time the VM wrote on its local clock (zone unknown) the same without the ``Z``.

    >>> from datetime import timezone
    >>> t = datetime(2026, 11, 20, 2, 0, 26, tzinfo=timezone.utc)
    >>> stamp(t), stamp(t, local=True)
    ('2026-11-20T02:00:26Z', '2026-11-20T02:00:26')
    """
    if t is None:
        return None
    return t.strftime("%Y-%m-%dT%H:%M:%S") if local else iso(t)


@dataclass(slots=True)
class Evidence:
    """A line that speaks for a diagnosis: where it is, its text (windowed around the match when long), the
    signature that found it; ``fact`` when it shows a fact read from that line rather than the line itself;
    ``values`` the named parts the signature captured (a mount, a writer), for the remediation."""

    path: str
    line: int | None
    text: str
    signature: str
    time: datetime | None = None
    local_time: bool = False
    fact: bool = False
    values: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "time": stamp(self.time, self.local_time),
                "local_time": self.local_time, "kind": "fact" if self.fact else "line",
                "text": self.text, "signature": self.signature}


class Hit:
    """A signature matched a record (or a fact condition held).

    ``evidence`` may be given as a function that builds it: a log with thousands of hits of one
    signature keeps only the latest few, and only those are ever shown.
    """

    __slots__ = ("signature", "spec", "_evidence", "_build")

    def __init__(self, signature: Any, evidence: Evidence | Callable[[], Evidence], spec: str):
        self.signature, self.spec = signature, spec  # signature: analyzer.signatures.Signature
        built = isinstance(evidence, Evidence)
        self._evidence, self._build = (evidence, None) if built else (None, evidence)

    @property
    def evidence(self) -> Evidence:
        if self._evidence is None:
            self._evidence, self._build = self._build(), None
        return self._evidence


@dataclass(slots=True)
class Diagnosis:
    """A ranked cause of the failure, with the evidence lines that name it and what to do."""

    cause: str
    title: str
    error_codes: list[str]
    score: float
    confidence: str
    evidence: list[Evidence]
    remediation: list[str]
    references: list[str]
    resolved: datetime | None = None  # when a later backup succeeded, all this evidence being older
    values: dict[str, Any] = field(default_factory=dict)  # what fills its remediation templates (steps)
    # how the score came about: per signature its weight, the recency factor of its best hit, the hits seen;
    # and the causes whose evidence corroborated it (``ranking``)
    why: list[dict[str, Any]] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        """Medium or high: a cause the report names; a low one is only a weak sign."""
        return self.confidence in ("high", "medium")

    def as_dict(self) -> dict[str, Any]:
        return {"cause": self.cause, "title": self.title, "resolved": iso(self.resolved),
                "error_codes": self.error_codes, "score": round(self.score, 3),
                "confidence": self.confidence,
                "evidence": [e.as_dict() for e in self.evidence],
                "remediation": self.remediation, "references": self.references, "why": self.why}


@dataclass(slots=True)
class InventoryEntry:
    """What became of one member of the bundle: the parser that read it (its spec), parsed or skipped and why."""

    path: str
    spec: str | None
    status: Status
    reason: str | None = None
    records: int = 0  # records parsed (of a skimmed log: those read in full)
    lines: int = 0  # lines in the member, for line-based formats

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "spec": self.spec, "status": self.status.value,
                "reason": self.reason, "records": self.records, "lines": self.lines}


@dataclass(slots=True)
class Coverage:
    """The kinds of evidence (agent log, extension log, status files, system log) a bundle holds and lacks."""

    present: list[str]
    missing: list[str]
    collect: list[str]  # what to ask for, one line per missing kind
    note: str | None = None  # said first when the bundle cannot show a cause at all

    def as_dict(self) -> dict[str, Any]:
        return {"present": self.present, "missing": self.missing, "collect": self.collect, "note": self.note}


@dataclass(slots=True)
class Nearest:
    """A known cause that unexplained lines resemble: offered, never asserted (always low confidence)."""

    cause: str
    title: str
    similarity: float  # 0..1
    resembles: str  # what the knowledge base says that the lines resemble
    evidence: list[Evidence]

    def as_dict(self) -> dict[str, Any]:
        return {"cause": self.cause, "title": self.title, "confidence": "low", "similarity": self.similarity,
                "resembles": self.resembles, "evidence": [e.as_dict() for e in self.evidence]}


@dataclass(slots=True)
class Problem:
    """Something a member could not give (unreadable, cut by a limit): said in the report, never raised."""

    path: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "message": self.message}


@dataclass
class Result:
    """Everything an analysis of one bundle found: facts, ranked diagnoses, the inventory and the problems."""

    source: str
    os: OS = OS.ANY
    facts: Facts = field(default_factory=Facts)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    inventory: list[InventoryEntry] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    engine: str = ""  # the matching engine that read the bundle: regex or hyperscan
    coverage: Coverage | None = None
    # when no cause is named at medium or high: the error records nothing explained, and what they resemble
    unexplained: list[tuple[int, Evidence]] = field(default_factory=list)
    nearest: list[Nearest] = field(default_factory=list)
    # signatures that almost fired: a burst not reached, a fact condition only partly met
    near_misses: list[dict[str, Any]] = field(default_factory=list)

    SCHEMA_VERSION = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.SCHEMA_VERSION,
            "source": self.source,
            "os": self.os.label,
            "engine": self.engine,
            "facts": self.facts.as_dict(),
            "diagnoses": [{"rank": rank, **d.as_dict()} for rank, d in enumerate(self.diagnoses, 1)],
            "inventory": [i.as_dict() for i in self.inventory],
            "errors": [e.as_dict() for e in self.errors],
            "coverage": self.coverage.as_dict() if self.coverage else None,
            "unexplained": [{"count": count, **e.as_dict()} for count, e in self.unexplained],
            "nearest": [n.as_dict() for n in self.nearest],
            "near_misses": self.near_misses,
        }
