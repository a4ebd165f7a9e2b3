"""The built-in knowledge's Hyperscan databases, compiled ahead of time into ``hyperscan_store``.

After editing a built-in signature, or what ``hyperscan_pattern`` makes of one,
write them again::

    python -m azlog_vmbackup.analyzer.matching.precompiled

(``tests/analyzer/matching/test_hyperscan_store.py`` fails while it is due).
That compiles what the built-in knowledge needs (the signature set's database
and each skimmed spec's whole-buffer one) and writes each, as Hyperscan
serializes it, under its ``hyperscan_store.key``; the files of any other go.

Sample: eight databases of 100-135 KB each (1 MB in all, 0.1 MB compressed).
"""
from __future__ import annotations

from pathlib import Path

from azlog_vmbackup.analyzer.matching import hyperscan_store


def write(databases: dict[str, bytes], target: Path | None = None) -> Path:
    """Write ``databases`` (serialized, by ``key``) as the store's whole content: any other file in it goes."""
    target = target or hyperscan_store.folder()
    target.mkdir(exist_ok=True)
    for old in target.glob(f"*{hyperscan_store.SUFFIX}"):
        if old.stem not in databases:
            old.unlink()
    for name, data in sorted(databases.items()):
        (target / f"{name}{hyperscan_store.SUFFIX}").write_bytes(data)
    return target


def builtin() -> dict[str, bytes]:
    """The databases the built-in knowledge compiles (its signature set's and each skimmed spec's whole-buffer
    one), serialized, by ``key``: compiled here, whatever the store holds."""
    import hyperscan

    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.matching import engines, hyperscan_engine
    from azlog_vmbackup.analyzer.matching.matcher import Matcher
    from azlog_vmbackup.parsers import registry

    made: dict[str, bytes] = {}
    with hyperscan_engine.recording(made, hyperscan.dumpb):
        matcher = Matcher(Knowledge.load().signatures, engines.get("hyperscan"))
        for spec in (*registry.TABLE, registry.TEXT):
            skim = registry.skim_of(spec)
            if skim is not None:
                matcher.buffer_scan(spec.name, skim)
    return made


if __name__ == "__main__":
    print(f"wrote {write(builtin())}")
