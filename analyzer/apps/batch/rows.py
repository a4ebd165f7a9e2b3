"""The batch table (``COLUMNS``: one row per bundle) and the work of one bundle in a worker (``analyze_one``),
with ``Knowledge`` loaded once per process (``knowledge_for``)."""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azlog_vmbackup.analyzer.apps.batch.errors import one_line
from azlog_vmbackup.analyzer.apps.batch.inputs import display, from_forms, raw_form, sha256_of
from azlog_vmbackup.analyzer.apps.batch.mining import unknown_sink
from azlog_vmbackup.core.bundle import BundleError, Limits
from azlog_vmbackup.core.model import Status

COLUMNS = ["path", "path_raw", "sha256", "os", "cause", "error_codes", "confidence", "score", "agent_version",
           "errors", "skipped", "elapsed", "status", "message"]
_INTS, _FLOATS = ("errors", "skipped"), ("score", "elapsed")


@dataclass(frozen=True)
class Settings:
    """What every worker needs besides the bundle (picklable: it travels to processes and dask tasks)."""

    signatures: tuple[str, ...] = ()  # extra signature files, absolute paths
    limits: Limits = Limits()
    mine: bool = False                # send back the unexplained ERROR/WARNING lines (--unknown)
    engine: str | None = None         # the matching engine's name (None: the default)


_KNOWLEDGE: dict[tuple[str, ...], Any] = {}
_KNOWLEDGE_LOCK = threading.Lock()


def knowledge_for(extra: tuple[str, ...] = ()):
    """``Knowledge.load(extra)``, once per process (dask workers in one process share it)."""
    with _KNOWLEDGE_LOCK:
        knowledge = _KNOWLEDGE.get(extra)
        if knowledge is None:
            from azlog_vmbackup.analyzer.knowledge.store import Knowledge

            knowledge = _KNOWLEDGE[extra] = Knowledge.load([Path(p) for p in extra])
        return knowledge


def analyze_one(path: str, digest: str | None, settings: Settings) -> tuple[dict, dict | None]:
    """One row for the bundle at ``path`` (never raises), and its unexplained ERROR/WARNING lines, masked:
    ``{masked: [count, example]}`` when ``settings.mine``."""
    from azlog_vmbackup.analyzer.apps.analyze import analyze

    start = time.perf_counter()
    row = empty_row(path)
    unknown: dict[str, list] | None = {} if settings.mine else None
    try:
        row["sha256"] = digest or sha256_of(path)
        knowledge = knowledge_for(settings.signatures)
        sink = unknown_sink(knowledge, unknown) if unknown is not None else None
        result = analyze(path, knowledge, settings.limits, on_record=sink, engine=settings.engine)
    except BundleError as e:
        row.update(status="error", message=_reason(str(e), path))
    except OSError as e:
        row.update(status="error", message=_reason(str(e.strerror or e), path))
    except Exception as e:  # noqa: BLE001 - one bundle never stops the batch
        row.update(status="error", message=_reason(f"internal error: {type(e).__name__}: {e}", path))
    else:
        top = next((d for d in result.diagnoses if d.confident), None)  # a weak sign names no cause
        agent = result.facts.value("agent_version")
        row.update(os=result.os.label, cause=top.cause if top else "",
                   error_codes=";".join(top.error_codes) if top else "",
                   confidence=top.confidence if top else "", score=round(top.score, 3) if top else None,
                   agent_version="" if agent is None else str(agent), errors=len(result.errors),
                   skipped=sum(1 for e in result.inventory if e.status is not Status.PARSED))
    row["elapsed"] = round(time.perf_counter() - start, 3)
    return row, unknown


def _reason(message: str, path: str) -> str:
    """An error row's message: one line, without the bundle's own name in front (the row names it, and a copy
    of the bundle under another name may share the row's analysis)."""
    name = Path(path).name
    for prefix in (f"{name}: ", f"{path}: ", f"cannot read {path}: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
            break
    return display(one_line(message))


def empty_row(path: str) -> dict:
    """A row for the bundle at ``path`` (as the operating system names it) before its analysis."""
    return {"path": display(path), "path_raw": raw_form(path), "sha256": "", "os": "", "cause": "", "error_codes": "",
            "confidence": "", "score": None,
            "agent_version": "", "errors": 0, "skipped": 0, "elapsed": 0.0, "status": "ok", "message": ""}


def typed(row: dict) -> dict:
    """A row read back from a table (csv gives every value as text) with its columns' types.

    >>> typed({"path": "a.zip", "score": "0.9", "errors": "2", "skipped": "", "elapsed": "1.5"})["score"]
    0.9
    """
    row = {name: row.get(name, "") for name in COLUMNS}
    for name in _INTS:
        row[name] = int(row[name] or 0)
    for name in _FLOATS:
        value = row[name]
        row[name] = None if value in ("", None) or value != value else float(value)
    for name in COLUMNS:
        if row[name] is None and name not in _FLOATS:
            row[name] = ""
    return row


def key_of(row: dict) -> str:
    """What identifies a row's bundle across runs: its path as the operating system names it."""
    return os.path.normpath(from_forms(str(row["path"]), str(row.get("path_raw") or "")))


def frame_of(rows: list[dict]):
    """The rows as a pandas DataFrame of ``COLUMNS``, with the same column types whatever the rows hold."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=COLUMNS)
    for name in COLUMNS:
        if name in _INTS:
            frame[name] = frame[name].astype("int64")
        elif name in _FLOATS:
            frame[name] = frame[name].astype("float64")
        else:
            frame[name] = frame[name].astype(object)
    return frame
