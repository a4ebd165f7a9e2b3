"""Helpers for the small JSON files the agent and extensions keep under /var/lib/waagent.

Loads a bounded JSON document (reporting, never raising), finds the
``<Name>-<version>`` extension directory in a member path, reads the agent's
time stamps, and flattens free text for a one-line record with SAS
signatures masked.

Sample input::

    [{"version": 1.0, "timestampUTC": "2024-05-14T02:05:02Z",
      "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "status": "success", "code": "1"}}]
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.text import micros, read_text, utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext

VMSNAPSHOT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
VMSNAPSHOT_NAMES = frozenset({VMSNAPSHOT.lower(), "microsoft.azure.recoveryservices.vmsnapshot"})  # Linux, Windows
LIMIT = 1 << 20
TEXT_LIMIT = 4000

_EXT_DIR = Lazy(r"(?:^|[/\\])(?P<name>[^/\\]+?)-(?P<ver>\d+(?:\.\d+)+)(?=[/\\])")
# Windows: Packages/Plugins/<Name>/<version>/...
_WIN_EXT_DIR = Lazy(r"(?i)(?:^|[/\\])plugins[/\\](?P<name>[^/\\]+)[/\\](?P<ver>\d+(?:\.\d+)+)(?=[/\\])")
_ISO = Lazy(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$")
_MS_DATE = Lazy(r"^\\?/Date\((-?\d{1,15})\)\\?/$")
_NEWLINE = Lazy(r"\r?\n|\r")


def load(stream: BinaryIO, ctx: ParseContext, limit: int = LIMIT) -> Any:
    """The decoded JSON document, or None after reporting why it can't be read.

    >>> ctx = context('x.json')
    >>> load(io.BytesIO(b'[{"a": 1}]'), ctx)
    [{'a': 1}]
    >>> load(io.BytesIO(b'[{"a": 1}'), ctx) is None, ctx.problems[0][:19]
    (True, 'not valid JSON: Exp')
    """
    try:
        text = read_text(stream, limit)
    except ValueError as exc:
        ctx.problem(f"not read: {exc}")
        return None
    if not text.strip():
        ctx.problem("empty file")
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        ctx.problem(f"not valid JSON: {exc}")
        return None


def extension_dir(path: str) -> tuple[str, str] | None:
    """(name, version) of the nearest ``<Name>-<version>/`` folder in ``path``.

    >>> extension_dir('var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/status/0.status')
    ('Microsoft.Azure.RecoveryServices.VMSnapshotLinux', '1.0.9225.0')
    >>> extension_dir('Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.92.0/Status/792.status')
    ('Microsoft.Azure.RecoveryServices.VMSnapshot', '1.0.92.0')
    >>> extension_dir('var/lib/waagent/waagent_status.json') is None
    True
    """
    found = None
    for m in _EXT_DIR.finditer(path):
        found = (m["name"], m["ver"])
    for m in _WIN_EXT_DIR.finditer(path):
        found = (m["name"], m["ver"])
    return found


def is_vmsnapshot(name: Any) -> bool:
    """True for the backup extension's handler name, Linux or Windows (any letter case)."""
    return isinstance(name, str) and name.strip().lower() in VMSNAPSHOT_NAMES


def vmsnapshot_dir(path: str) -> tuple[str, str] | None:
    """(name, version) when ``path`` lies in the backup extension's handler folder (Linux or Windows)."""
    found = extension_dir(path)
    return found if found and is_vmsnapshot(found[0]) else None


def parse_time(value: Any) -> datetime | None:
    """An agent time stamp (``2024-05-14T02:05:02Z`` or ``/Date(<ms>)/``) as UTC.

    >>> parse_time('2024-05-14T02:05:02Z').isoformat()
    '2024-05-14T02:05:02+00:00'
    >>> parse_time('/Date(1795721699404)/').isoformat()
    '2026-11-26T19:34:59.404000+00:00'
    >>> parse_time('yesterday') is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _ISO.match(text)
    if m:
        return utc(*(int(g) for g in m.groups()[:6]), micros(m[7]))
    m = _MS_DATE.match(text)
    if m:
        try:
            return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(m[1]))
        except OverflowError:
            return None
    return None


def one_line(value: Any) -> str:
    r"""Free text for a record: line breaks written as ``\n``, signatures masked, length capped.

    >>> one_line('Timeout(300)\n[stdout]\n')
    'Timeout(300)\\n[stdout]\\n'
    >>> one_line(None)
    ''
    """
    if value is None:
        return ""
    text = redact_sas(_NEWLINE.sub(r"\\n", str(value)))
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + " [truncated]"


def as_int(value: Any) -> int | None:
    """An integer code given as a number or a decimal string, else None.

    >>> as_int('121'), as_int(76), as_int(' -1 '), as_int('n/a'), as_int(True)
    (121, 76, -1, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def text_of(value: Any) -> str:
    """A scalar as record text: ``None`` -> empty, booleans in JSON spelling."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field(obj: dict, key: str, kind: type | tuple[type, ...], ctx: ParseContext, where: str) -> Any:
    """``obj[key]`` when it has the expected type; None (and a problem when present but wrong)."""
    value = obj.get(key)
    if value is None or isinstance(value, kind):
        return value
    ctx.problem(f"{where}.{key} has the wrong type ({type(value).__name__})")
    return None


def message_of(formatted: Any) -> str | None:
    """The ``message`` of a ``formattedMessage`` object, else None."""
    if isinstance(formatted, dict) and isinstance(formatted.get("message"), str):
        return formatted["message"]
    return None
