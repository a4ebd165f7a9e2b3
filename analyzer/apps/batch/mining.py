"""Unknown-error mining: the ERROR and WARNING records no signature (evidence or noise) explained are masked
in the worker (``unknown_sink``, ``mask``), sent back per bundle, and grouped into templates across the
batch by ``Miner`` (Drain3 when installed, else by the masked text).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from azlog_vmbackup.core.text import mask

UNKNOWN_LEVELS = frozenset({"ERROR", "WARNING"})
MAX_TEMPLATES_PER_BUNDLE = 2000  # distinct masked lines a worker sends back for one bundle
EXAMPLE_CHARS = 300
EXAMPLE_BUNDLES = 3
TEMPLATE_COLUMNS = ["template", "count", "bundles", "example", "example_bundles"]

def unknown_sink(knowledge, found: dict[str, list]) -> Callable:
    """analyze()'s ``on_record``: ERROR/WARNING records with no hit and no noise signature, masked, into
    ``found`` as ``{masked: [count, example]}``."""
    from azlog_vmbackup.analyzer.matching.matcher import reads
    from azlog_vmbackup.core.text import redact

    noise_by_spec: dict[str, list] = {}

    def noise(spec: str) -> list:
        sigs = noise_by_spec.get(spec)
        if sigs is None:
            sigs = noise_by_spec[spec] = [s for s in knowledge.signatures if s.kind == "noise"
                                          and (s.pattern is not None or s.hints)
                                          and reads(s, spec)]
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
