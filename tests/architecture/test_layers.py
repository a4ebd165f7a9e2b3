"""The package's layers, bottom to top, as docs/ARCHITECTURE.md draws them: no import goes upward, no cycles.

Every ``import`` statement of every module of the installed package counts,
those inside functions (lazy imports) too.
"""
from __future__ import annotations

import ast
import graphlib
import importlib.util
import tomllib
from pathlib import Path

import pytest

from tests.helpers import ROOT

# bottom first; a module belongs to the first layer whose prefix it starts with
LAYERS = [
    ("core", ("azlog_vmbackup.core",)),
    ("parsers", ("azlog_vmbackup.parsers",)),
    ("knowledge", ("azlog_vmbackup.signatures", "azlog_vmbackup.analyzer.knowledge")),
    ("matching", ("azlog_vmbackup.analyzer.matching",)),
    ("ranking", ("azlog_vmbackup.analyzer.ranking",)),
    ("reports", ("azlog_vmbackup.analyzer.report",)),
    ("applications", ("azlog_vmbackup.analyzer.apps",)),
    ("command line", ("azlog_vmbackup.entry", "azlog_vmbackup.commands", "azlog_vmbackup.actions",
                      "azlog_vmbackup.streams", "azlog_vmbackup.__main__")),
]
# packages whose __init__ holds no code of a layer (docstring, version)
NEUTRAL = {"azlog_vmbackup", "azlog_vmbackup.analyzer"}


def _modules() -> dict[str, Path]:
    """Every module of the packages pyproject.toml installs, by dotted name, wherever their folders sit."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: dict[str, Path] = {}
    for package in config["tool"]["setuptools"]["packages"]:
        for folder in importlib.util.find_spec(package).submodule_search_locations:
            for path in sorted(Path(folder).glob("*.py")):
                found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports (the longest known name each import statement reaches)."""
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


MODULES = _modules()
GRAPH = {name: _imports(name, path, set(MODULES)) for name, path in MODULES.items()}


def layer(module: str) -> int | None:
    if module in NEUTRAL:
        return None
    for i, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and to docs/ARCHITECTURE.md")


def test_every_module_has_a_layer():
    assert len(MODULES) > 50
    for module in MODULES:
        layer(module)


def test_no_import_goes_upward():
    upward = [f"{m} ({LAYERS[layer(m)][0]}) imports {t} ({LAYERS[layer(t)][0]})"
              for m, targets in GRAPH.items() for t in targets
              if layer(m) is not None and layer(t) is not None and layer(t) > layer(m)]
    assert upward == []


def test_no_import_cycles_between_modules():
    # a package's __init__ is imported with each of its submodules: it is not an edge of its own
    edges = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in GRAPH.items()}
    try:
        tuple(graphlib.TopologicalSorter(edges).static_order())
    except graphlib.CycleError as e:
        pytest.fail(f"import cycle: {' -> '.join(e.args[1])}")


def test_layers_match_the_architecture_document():
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    drawn = doc[doc.index("<!-- layers -->"):doc.index("<!-- /layers -->")]
    for name, prefixes in LAYERS:
        assert name in drawn, f"layer {name!r} missing from docs/ARCHITECTURE.md"
        for prefix in prefixes:  # drawn as folders: azlog_vmbackup.analyzer.report is analyzer/report
            assert prefix.removeprefix("azlog_vmbackup.").replace(".", "/") in drawn, prefix


POSIX_ONLY = {"fcntl", "grp", "posix", "pwd", "resource", "termios"}  # standard modules Windows lacks


def test_no_posix_only_module_is_imported_at_a_module_s_top():
    """azlog runs on Windows too: a POSIX-only module is imported only where it is used, inside a function."""
    found = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tops = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        tops += [node for block in tree.body if isinstance(block, ast.If | ast.Try) for node in ast.walk(block)
                 if isinstance(node, ast.Import | ast.ImportFrom)]
        for node in tops:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{name}: {n}" for n in names if n.split(".")[0] in POSIX_ONLY]
    assert found == []
