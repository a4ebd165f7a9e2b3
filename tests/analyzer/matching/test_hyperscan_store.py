"""The Hyperscan databases written ahead (signatures/hyperscan/): current, loaded instead of compiled, and only
ever a speed-up."""
from __future__ import annotations

import json

import pytest

from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import hyperscan_engine, hyperscan_store, precompiled

hyperscan = pytest.importorskip("hyperscan", reason="the store is Hyperscan's")  # installed with azlog on x86-64
SIGNATURES = [s for s in Knowledge.load().signatures if s.pattern is not None or s.hints]  # those it holds
TEXTS = [text for sig in SIGNATURES for kind in ("match", "no_match") for text in sig.examples.get(kind, ())
         if isinstance(text, str)]


def _matches(db) -> list[tuple[int, int, int]]:
    """Each (text, expression, end) the database reports over every signature's examples."""
    found = []
    for n, text in enumerate(TEXTS):
        hyperscan_engine._scan(db, text.encode("utf-8"), lambda i, _s, end, _f, c, n=n: c.append((n, i, end)), found)
    return found


def test_the_store_is_current():
    shipped = {path.stem for path in hyperscan_store.folder().glob(f"*{hyperscan_store.SUFFIX}")}
    assert shipped == set(precompiled.builtin()), (
        "a built-in signature or hyperscan_pattern changed: run python -m azlog_vmbackup.analyzer.matching.precompiled")


def test_the_plan_is_current():
    written = json.loads((hyperscan_store.folder() / hyperscan_store.PLAN).read_text(encoding="utf-8"))
    assert written == precompiled.plan(), (
        "a built-in signature or a skimmed parser changed: run python -m azlog_vmbackup.analyzer.matching.precompiled")
    assert {spec["name"] for spec in written["specs"]} >= {"waagent_log", "waappagent_log"}
    assert all(hyperscan_engine.stored_buffer_scan(spec["key"]) is not None for spec in written["specs"])


def test_the_built_in_databases_are_loaded_not_compiled(monkeypatch):
    compiled = hyperscan_engine._HyperscanSet(SIGNATURES).db  # as the store holds it, or compiled
    monkeypatch.setattr(hyperscan_engine, "_compiled", {})

    def refused(*args, **kwargs):
        raise AssertionError("compiled, not loaded")

    monkeypatch.setattr(hyperscan, "Database", refused)
    loaded = hyperscan_engine._HyperscanSet(SIGNATURES).db
    assert loaded is not compiled and _matches(loaded) == _matches(compiled) and len(_matches(loaded)) > 500


@pytest.mark.parametrize("data", [b"", b"\xdb" * 64, "damaged"])
def test_a_database_hyperscan_will_not_load_is_compiled(monkeypatch, data):
    name = hyperscan_store.key(*_compile_arguments())
    stored = hyperscan_store.stored(name)
    assert stored is not None
    bad = stored[:100] + bytes([stored[100] ^ 0xFF]) + stored[101:] if data == "damaged" else data
    monkeypatch.setattr(hyperscan_engine, "_compiled", {})
    monkeypatch.setattr(hyperscan_store, "stored", lambda key: bad if key == name else None)
    rebuilt = hyperscan_engine._HyperscanSet(SIGNATURES).db
    monkeypatch.undo()
    assert _matches(rebuilt) == _matches(hyperscan_engine._HyperscanSet(SIGNATURES).db)


def test_a_set_it_does_not_hold_is_compiled(monkeypatch):
    monkeypatch.setattr(hyperscan_engine, "_compiled", {})
    asked = []
    monkeypatch.setattr(hyperscan_store, "stored", lambda key: asked.append(key))
    db = hyperscan_engine._HyperscanSet(SIGNATURES[:3]).db
    assert len(asked) == 1 and not (hyperscan_store.folder() / f"{asked[0]}{hyperscan_store.SUFFIX}").exists()
    assert db is not None


def test_write_keeps_only_what_it_is_given(tmp_path):
    (tmp_path / f"stale{hyperscan_store.SUFFIX}").write_bytes(b"old")
    (tmp_path / "README").write_text("not a database")
    precompiled.write({"a" * 64: b"new"}, {"specs": []}, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README", f"{'a' * 64}{hyperscan_store.SUFFIX}",
                                                          hyperscan_store.PLAN]


def _compile_arguments() -> tuple[list[bytes], list[int], int]:
    """What the compile of the built-in signature set's database is given (as ``hyperscan_engine._database``
    gives it), caught on its way to the store."""
    seen = []
    original = hyperscan_store.key

    def catching(expressions, flags, mode):
        seen.append((expressions, flags, mode))
        return original(expressions, flags, mode)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hyperscan_engine, "_compiled", {})
        patch.setattr(hyperscan_store, "key", catching)
        hyperscan_engine._HyperscanSet(SIGNATURES)
    (arguments,) = seen
    return arguments
