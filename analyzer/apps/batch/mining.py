"""Unknown-error mining: the ERROR and WARNING records no signature (evidence or noise) explained are masked
in the worker (``unknown_sink``, ``mask``), sent back per bundle, and grouped into templates across the
batch by ``Miner`` (Drain3 when installed, else by the masked text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

UNKNOWN_LEVELS = frozenset({"ERROR", "WARNING"})
MAX_TEMPLATES_PER_BUNDLE = 2000  # distinct masked lines a worker sends back for one bundle
EXAMPLE_CHARS = 300
EXAMPLE_BUNDLES = 3
TEMPLATE_COLUMNS = ["template", "count", "bundles", "example", "example_bundles"]

_MASKS = [
    (re.compile(r"\b\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<TIME>"),
    (re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2}\b"), "<TIME>"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?[AP]M)?"), "<TIME>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<GUID>"),
    (re.compile(r"https?://\S+"), "<URL>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<IP>"),
    (re.compile(r"\"[^\"\n]*\"|'[^'\n]*'"), "<STR>"),
    (re.compile(r"(?:\b[A-Za-z]:\\|\\\\)[^\s,;:'\"]*|(?<![\w.<>])/[^\s,;:'\"]+"), "<PATH>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<HEX>"),
    (re.compile(r"(?<![\w<])[-+]?\d+(?:\.\d+)*\b"), "<NUM>"),
]


def mask(text: str) -> str:
    """The text with its variable parts masked.

    >>> mask('2026-11-20 01:12:19 ERROR connect to 168.63.129.16:80 failed for "x y" at /var/lib/a.b '
    ...      'code 0x80070005 id 5f0c0a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6 retry 12')
    '<TIME> ERROR connect to <IP> failed for <STR> at <PATH> code <HEX> id <GUID> retry <NUM>'
    """
    for pattern, token in _MASKS:
        text = pattern.sub(token, text)
    return " ".join(text.split())


def unknown_sink(knowledge, found: dict[str, list]) -> Callable:
    """analyze()'s ``on_record``: ERROR/WARNING records with no hit and no noise signature, masked, into
    ``found`` as ``{masked: [count, example]}``."""
    from azlog_vmbackup.analyzer.matching.matcher import GENERIC_TEXT
    from azlog_vmbackup.core.text import redact

    noise_by_spec: dict[str, list] = {}

    def noise(spec: str) -> list:
        sigs = noise_by_spec.get(spec)
        if sigs is None:
            sigs = noise_by_spec[spec] = [s for s in knowledge.signatures if s.kind == "noise"
                                          and (s.pattern is not None or s.hints)
                                          and (spec == GENERIC_TEXT or s.applies_to(spec))]
        return sigs

    def sink(record, spec: str, hits: list[str] | None) -> None:
        if hits or record.level not in UNKNOWN_LEVELS:
            return
        text = record.message
        if any((not s.levels or record.level in s.levels) and s.search(text) for s in noise(spec)):
            return
        first = text.split("\n", 1)[0][:2000]
        key = mask(first)
        entry = found.get(key)
        if entry is not None:
            entry[0] += 1
        elif len(found) < MAX_TEMPLATES_PER_BUNDLE:
            found[key] = [1, redact(first[:EXAMPLE_CHARS])]

    return sink


@dataclass
class _Template:
    count: int = 0
    example: str = ""
    bundles: list[str] = field(default_factory=list)
    bundle_count: int = 0


class Miner:
    """Groups masked lines into templates across bundles; ``method`` says how: ``drain3`` when installed
    (and ``use_drain``), else ``masking`` (by the masked text). Feed bundles in a fixed order (the input
    order) for the same templates run after run."""

    def __init__(self, use_drain: bool = True):
        self.drain = None
        if use_drain:
            try:
                from drain3 import TemplateMiner
                from drain3.template_miner_config import TemplateMinerConfig
            except ImportError:
                pass
            else:
                config = TemplateMinerConfig()
                config.profiling_enabled = False
                self.drain = TemplateMiner(config=config)
        self.method = "drain3" if self.drain is not None else "masking"
        self._groups: dict[Any, _Template] = {}

    def add(self, bundle: str, lines: dict[str, list]) -> None:
        touched = set()
        for masked, (count, example) in lines.items():
            key = self.drain.add_log_message(masked)["cluster_id"] if self.drain is not None else masked
            group = self._groups.setdefault(key, _Template(example=example))
            group.count += count
            if key not in touched:
                touched.add(key)
                group.bundle_count += 1
                if len(group.bundles) < EXAMPLE_BUNDLES:
                    group.bundles.append(bundle)

    def rows(self) -> list[dict]:
        """One row per template (``TEMPLATE_COLUMNS``), most frequent first."""
        templates = {}
        if self.drain is not None:
            templates = {c.cluster_id: c.get_template() for c in self.drain.drain.clusters}
        rows = [{"template": templates.get(key, key), "count": g.count, "bundles": g.bundle_count,
                 "example": g.example, "example_bundles": ";".join(g.bundles)} for key, g in self._groups.items()]
        return sorted(rows, key=lambda r: (-r["count"], r["template"]))
