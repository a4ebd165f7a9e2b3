"""Unknown-error mining: the ERROR and WARNING records no signature (evidence or noise) explained are masked
in the worker (``unknown_sink``, ``core.masking.mask``), sent back per bundle, and grouped into templates
across the batch by ``Miner`` (Drain3 when installed, else by the masked text).

Lines whose codes differ (``core.masking.codes``: error and exit codes, extension status codes, VSS writer
states) are never grouped together: each set of codes has a template miner of its own. Examples are redacted
(``core.masking.redact``) and their IP addresses masked, like the templates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from azlog_vmbackup.core.masking import codes, digits_key, mask, mask_addresses, redact

UNKNOWN_LEVELS = frozenset({"ERROR", "WARNING"})
MAX_TEMPLATES_PER_BUNDLE = 2000  # distinct masked lines a worker sends back for one bundle
EXAMPLE_CHARS = 300
EXAMPLE_BUNDLES = 3
TEMPLATE_COLUMNS = ["template", "count", "bundles", "example", "example_bundles"]

def unknown_sink(knowledge, found: dict[str, list]) -> Callable:
    """analyze()'s ``on_record``: ERROR/WARNING records with no hit and no noise signature, masked, into
    ``found`` as ``{masked: [count, example]}``."""
    from azlog_vmbackup.analyzer.matching.matcher import reads

    noise_by_spec: dict[str, list] = {}
    masked: dict[str, str] = {}  # digits_key -> mask: masked once per group of lines equal but for digits

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
        quick = digits_key(first)
        key = masked.get(quick)
        if key is None:
            key = masked[quick] = mask(redact(first))
        entry = found.get(key)
        if entry is not None:
            entry[0] += 1
        elif len(found) < MAX_TEMPLATES_PER_BUNDLE:
            found[key] = [1, mask_addresses(redact(first))[:EXAMPLE_CHARS]]

    return sink


@dataclass
class _Template:
    count: int = 0
    example: str = ""
    bundles: list[str] = field(default_factory=list)
    bundle_count: int = 0


class Miner:
    """Groups masked lines into templates across bundles; ``method`` says how: ``drain3`` when installed
    (and ``use_drain``), else ``masking`` (by the masked text). Each set of codes in a line (``codes``) has its
    own Drain3 miner, so lines with different codes never merge. Feed bundles in a fixed order (the input
    order) for the same templates run after run."""

    def __init__(self, use_drain: bool = True):
        self._drain_class = None
        if use_drain:
            try:
                from drain3 import TemplateMiner
                from drain3.template_miner_config import TemplateMinerConfig
            except ImportError:
                pass
            else:
                self._drain_class, self._config = TemplateMiner, TemplateMinerConfig()
                self._config.profiling_enabled = False
        self.method = "drain3" if self._drain_class is not None else "masking"
        self._drains: dict[tuple[str, ...], Any] = {}
        self._groups: dict[Any, _Template] = {}

    def _key(self, masked: str) -> Any:
        if self._drain_class is None:
            return masked
        split = codes(masked)
        drain = self._drains.get(split)
        if drain is None:
            drain = self._drains[split] = self._drain_class(config=self._config)
        return split, drain.add_log_message(masked)["cluster_id"]

    def add(self, bundle: str, lines: dict[str, list]) -> None:
        touched = set()
        for masked, (count, example) in lines.items():
            key = self._key(masked)
            group = self._groups.setdefault(key, _Template(example=example))
            group.count += count
            if key not in touched:
                touched.add(key)
                group.bundle_count += 1
                if len(group.bundles) < EXAMPLE_BUNDLES:
                    group.bundles.append(bundle)

    def rows(self) -> list[dict]:
        """One row per template (``TEMPLATE_COLUMNS``), most frequent first."""
        templates = {(split, c.cluster_id): c.get_template()
                     for split, drain in self._drains.items() for c in drain.drain.clusters}
        rows = [{"template": templates.get(key, key), "count": g.count, "bundles": g.bundle_count,
                 "example": g.example, "example_bundles": ";".join(g.bundles)} for key, g in self._groups.items()]
        return sorted(rows, key=lambda r: (-r["count"], r["template"]))
