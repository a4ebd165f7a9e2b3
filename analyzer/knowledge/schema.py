"""Reading the knowledge YAML files (causes, codes, signatures) with field-level error messages.

Every error names the file, the entry (number and id) and the field:
``signatures/mine.yaml: entry 3 (my-sig): weight: must be a number in (0, 1]``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from azlog_vmbackup.analyzer.knowledge import mirror
from azlog_vmbackup.core.model import OS

KNOWLEDGE_FILES = ("causes.yaml", "codes.yaml")  # the other *.yaml files in signatures/ are signatures
_UNPARSED = object()


class KnowledgeError(ValueError):
    """A knowledge file is invalid; the message names the file, the entry and the field."""


def entries(path: Path) -> Iterator[tuple[str, dict]]:
    """(where, mapping) for each entry of the YAML list in ``path`` (its data from ``mirror`` when it has it)."""
    try:
        data = mirror.parsed(path.read_bytes(), _UNPARSED)
        if data is _UNPARSED:
            data = _parse(path)
    except OSError as e:
        raise KnowledgeError(f"{path}: cannot read: {e.strerror}") from None
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}: must be a list of entries")
    for i, entry in enumerate(data):
        name = entry.get("id") or entry.get("code") if isinstance(entry, dict) else None
        where = f"{path}: entry {i + 1}" + (f" ({name})" if name else "")
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{where}: must be a mapping")
        yield where, entry


def _parse(path: Path) -> Any:
    """The YAML in ``path``; KnowledgeError when it is not valid (OSError when it cannot be read)."""
    import yaml

    try:
        return mirror.load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise KnowledgeError(f"{path}: not valid YAML: {str(e).splitlines()[0]}") from None


def check_fields(where: str, entry: dict, allowed: set, required: set) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise KnowledgeError(f"{where}: {sorted(unknown)[0]}: unknown field")
    for name in sorted(required):
        if entry.get(name) in (None, "", []):
            raise KnowledgeError(f"{where}: {name}: required")


def req_str(where: str, entry: dict, name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(f"{where}: {name}: must be a non-empty string")
    return value


def opt_str(where: str, entry: dict, name: str) -> str:
    value = entry.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise KnowledgeError(f"{where}: {name}: must be a string")
    return value


def str_list(where: str, entry: dict, name: str) -> tuple[str, ...]:
    value = entry.get(name) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise KnowledgeError(f"{where}: {name}: must be a list of strings")
    return tuple(value)


def os_field(where: str, entry: dict, default: str | None = "any") -> OS:
    """The entry's ``os``: linux, windows or any (``both`` and ``unknown`` read as any); required when no default."""
    value = entry.get("os", default)
    try:
        return OS.parse(value)
    except (ValueError, AttributeError):
        raise KnowledgeError(f"{where}: os: must be one of linux, windows, any (got {value!r})") from None


def one_of(where: str, entry: dict, name: str, allowed: tuple[str, ...], default: Any = None) -> str:
    value = entry.get(name, default)
    if value not in allowed:
        raise KnowledgeError(f"{where}: {name}: must be one of {', '.join(allowed)} (got {value!r})")
    return value
