"""Knowledge YAML as data: from the mirror of the built-in files (``signatures/knowledge.json``), else parsed.

Parsing the YAML files costs more than analyzing a small bundle (the constructor is Python even over
libyaml), and importing PyYAML more again. The mirror holds what each built-in file parses to, keyed by the
digest of its bytes (``core.digest``); ``schema.entries`` takes a file's data from it when its bytes are
there, and parses the YAML (``load_yaml``) otherwise: a file edited since, a user's own file. So the mirror
speeds loading up and never changes what a file says: a stale one is only slower. After editing a built-in
file, write it again::

    python -m azlog_vmbackup.analyzer.knowledge.mirror

(``tests/analyzer/knowledge/test_mirror.py`` fails while it is due). Only data JSON carries exactly (strings,
numbers, booleans, null, lists, mappings with string keys) goes in; ``build`` refuses anything else.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import azlog_vmbackup.signatures
from azlog_vmbackup.core.digest import digest

NAME = "knowledge.json"
_MISSING = object()
_known: frozenset[str] | None = None  # the digests the mirror holds
_unused: dict[str, Any] = {}  # what was read of it and not handed out yet


def builtin_dir() -> Path:
    """The folder of the built-in YAML files, inside the installed package."""
    return Path(azlog_vmbackup.signatures.__file__).parent


def parsed(data: bytes, default: Any = _MISSING) -> Any:
    """What the YAML file whose bytes are ``data`` parses to, when the mirror holds it; else ``default``.
    Each call hands out objects of its own, as parsing would (the mirror is read again when it must)."""
    global _known, _unused
    key = digest(data)
    if _known is None or key in _known and key not in _unused:
        _unused = _read()
        _known = frozenset(_unused)
    found = _unused.pop(key, _MISSING)
    return default if found is _MISSING else found["data"]


def _read() -> dict[str, Any]:
    """The mirror's files by digest; none when it is missing or unreadable (every file is parsed then)."""
    try:
        files = json.loads((builtin_dir() / NAME).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return files if isinstance(files, dict) else {}


def build(folder: Path, load) -> dict:
    """The mirror of the ``*.yaml`` files in ``folder``, each parsed with ``load(text)``; ValueError when a file
    holds data JSON would not give back exactly."""
    files = {}
    for path in sorted(folder.glob("*.yaml")):
        data = load(path.read_text(encoding="utf-8"))
        try:
            carried = exact(json.loads(json.dumps(data)), data)
        except (TypeError, ValueError):  # not JSON at all (a date)
            carried = False
        if not carried:
            raise ValueError(f"{path.name}: holds data JSON does not carry exactly (keys that are not strings, "
                             "dates...); quote it in the YAML")
        files[digest(path.read_bytes())] = {"file": path.name, "data": data}
    return {"about": "signatures/*.yaml parsed; written by python -m azlog_vmbackup.analyzer.knowledge.mirror",
            "files": files}


def exact(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are equal and of the same types throughout (``1 == 1.0 == True`` is not enough).

    >>> exact({"a": [1, "x"]}, {"a": [1, "x"]}), exact({"a": 1}, {"a": 1.0}), exact({"1": 0}, {1: 0})
    (True, False, False)
    """
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(exact(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(exact(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def load_yaml(text: str) -> Any:
    """What YAML ``text`` holds (PyYAML's safe loader; libyaml's when present: the same rules, faster).

    >>> load_yaml("- id: x\\n  weight: 0.5\\n")
    [{'id': 'x', 'weight': 0.5}]
    """
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def literals_table(folder: Path, load) -> dict:
    """The prefilter literals (``literals.derive``) of every regex in the ``*.yaml`` files of ``folder``, and the
    characters a match of it may start with (``literals.reads_start``), keyed by ``literals.source_key``."""
    from azlog_vmbackup.analyzer.knowledge import literals

    found: dict = {}
    starts: dict = {}
    for path in sorted(folder.glob("*.yaml")):
        for entry in load(path.read_text(encoding="utf-8")) or ():
            if isinstance(entry, dict) and isinstance(entry.get("regex"), str):
                rx, folded = entry["regex"], bool(entry.get("ignore_case", False))
                derived = literals.derive(rx)
                found[rx] = None if derived is None else list(derived)
                starts[literals.start_key(rx, folded)] = literals.reads_start(rx, folded)
    return {"about": "the prefilter literals of each built-in regex, and the characters a match of it may start "
                     "with; written by python -m azlog_vmbackup.analyzer.knowledge.mirror",
            "key": literals.source_key(), "literals": found, "starts": starts}


def words_table(folder: Path, load) -> dict:
    """The words (``words.words``) of the texts of the ``*.yaml`` files in ``folder`` that ``apps.nearest`` reads."""
    from azlog_vmbackup.analyzer.knowledge import words

    return words.table(text for path in sorted(folder.glob("*.yaml"))
                       for text in words.texts_of(load(path.read_text(encoding="utf-8"))))


def paths_table() -> dict:
    """The path table's declarations read from the parsers' sources (``registry.declarations``) and each row's
    literals (``literals.derive``), keyed by ``registry.source_key``."""
    from azlog_vmbackup.analyzer.knowledge import literals
    from azlog_vmbackup.parsers import registry

    declared = registry.declarations()
    patterns = sorted({s["pattern"] for d in declared.values() for s in d["specs"]})
    derived = {p: literals.derive(p) for p in patterns}
    return {"about": "the parsers' path declarations and the literals of each row; written by python -m "
                     "azlog_vmbackup.analyzer.knowledge.mirror",
            "key": registry.source_key(), "declared": declared,
            "literals": {p: None if d is None else list(d) for p, d in derived.items()}}


def _dump(path: Path, table: dict) -> None:
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write(folder: Path | None = None) -> Path:
    """Write the mirror of ``folder`` (the built-in one) into it, and the tables of its regexes' literals and
    its texts' words (and, for the built-in folder, the parsers' path table); returns the mirror's path."""
    from azlog_vmbackup.analyzer.knowledge import literals, words
    from azlog_vmbackup.parsers import registry

    builtin = folder is None
    folder = folder or builtin_dir()
    target = folder / NAME
    text = json.dumps(build(folder, load_yaml), ensure_ascii=False, indent=1) + "\n"
    target.write_text(text, encoding="utf-8")
    for name, table in ((literals.TABLE, literals_table(folder, load_yaml)),
                        (words.TABLE, words_table(folder, load_yaml))):
        _dump(folder / name, table)
    if builtin:
        _dump(Path(registry.__file__).with_name(registry.WRITTEN), paths_table())
    return target


if __name__ == "__main__":
    print(f"wrote {write()}")
