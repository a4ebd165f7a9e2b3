"""The built-in knowledge's Hyperscan databases, compiled ahead of time into ``hyperscan_store``, and the plan of
each skimmed spec's whole-buffer scan (``hyperscan_store.PLAN``, read by ``head_start``).

After editing a built-in signature, what ``hyperscan_pattern`` makes of one, or a
skimmed parser's ``Skim``, write them again::

    python -m azlog_vmbackup.analyzer.matching.precompiled

(``tests/analyzer/matching/test_hyperscan_store.py`` fails while it is due).
That compiles what the built-in knowledge needs (the signature set's database
and each skimmed spec's whole-buffer one) and writes each, as Hyperscan
serializes it, under its ``hyperscan_store.key``; the files of any other go.

Sample: eight databases of 100-135 KB each (1 MB in all, 0.1 MB compressed),
and ``skimmed.json``: ``{"specs": [{"name": "waagent_log", "path": "(?:^|/)(?:...)$", "start": "...",
"latest": ["..."], "triggers": [["[HEARTBEAT] "], ...], "key": "8d5b..."}, ...]}``.
"""
from __future__ import annotations

import json
from pathlib import Path

from azlog_vmbackup.analyzer.matching import hyperscan_store


def write(databases: dict[str, bytes], plan: dict, target: Path | None = None) -> Path:
    """Write ``databases`` (serialized, by ``key``) as the store's whole content (any other file in it goes) and
    ``plan`` beside them."""
    target = target or hyperscan_store.folder()
    target.mkdir(exist_ok=True)
    for old in target.glob(f"*{hyperscan_store.SUFFIX}"):
        if old.stem not in databases:
            old.unlink()
    for name, data in sorted(databases.items()):
        (target / f"{name}{hyperscan_store.SUFFIX}").write_bytes(data)
    (target / hyperscan_store.PLAN).write_text(json.dumps(plan, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def builtin() -> dict[str, bytes]:
    """The databases the built-in knowledge compiles (its signature set's and each skimmed spec's whole-buffer
    one), serialized, by ``key``: compiled here, whatever the store holds."""
    import hyperscan

    from azlog_vmbackup.analyzer.matching import hyperscan_engine

    made: dict[str, bytes] = {}
    with hyperscan_engine.recording(made, hyperscan.dumpb):
        list(_skimmed())  # each database is recorded as it is made
    return made


def plan() -> dict:
    """For each skimmed spec whose parser declares a record ``start`` and whose records the built-in knowledge
    scans for in a whole buffer, in the path table's order: its name, the regex of its paths, its ``start``
    regex, its ``latest`` triggers and their literals, and its whole-buffer database's ``key``."""
    from azlog_vmbackup.analyzer.matching.skim import latest_literals
    from azlog_vmbackup.parsers import registry

    return {"specs": [{"name": spec.name, "path": registry.path_regex(spec), "start": skim.start,
                       "latest": list(skim.latest),
                       "triggers": [[x.decode("ascii") for x in literals] for literals in latest_literals(skim)],
                       "key": scan.key}
                      for spec, skim, scan in _skimmed() if scan is not None and skim.start is not None]}


def _skimmed():
    """``(spec, skim, buffer scan)`` of each skimmed spec of the path table (then the generic text), with the
    Hyperscan engine and the built-in knowledge."""
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.matching import engines
    from azlog_vmbackup.analyzer.matching.matcher import Matcher
    from azlog_vmbackup.parsers import registry

    matcher = Matcher(Knowledge.load().signatures, engines.get("hyperscan"))
    for spec in (*registry.TABLE, registry.TEXT):
        skim = registry.skim_of(spec)
        if skim is not None:
            yield spec, skim, matcher.buffer_scan(spec.name, skim)


if __name__ == "__main__":
    print(f"wrote {write(builtin(), plan())}")
