"""Every record of a bundle as one table, for notebooks: ``azlog timeline BUNDLE --out FILE``.

Columns: time (UTC, or the VM clock where ``local_time``), local_time, source (spec),
path, line, level, component, message, signatures (ids of the signatures the record hit).
Rows are sorted by time; records without a time keep their bundle order at the end.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.core.bundle import Limits
from azlog_vmbackup.core.model import Record

COLUMNS = ["time", "local_time", "source", "path", "line", "level", "component", "message", "signatures"]
SUFFIXES = (".csv", ".jsonl", ".parquet")


def build(source: str | Path, knowledge: Knowledge | None = None, limits: Limits = Limits(),
          engine: str | None = None) -> pd.DataFrame:
    rows: list[tuple] = []

    def keep(record: Record, spec: str, hits: list[str] | None) -> None:
        rows.append((record.time, record.local_time, spec, record.path, record.line, record.level,
                     record.component, record.message, ",".join(hits or ())))

    analyze(source, knowledge, limits, on_record=keep, engine=engine)
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame.sort_values("time", kind="stable", na_position="last").reset_index(drop=True)


def write(frame: pd.DataFrame, out: Path) -> None:
    """Write by suffix: .csv, .jsonl (one JSON object per line) or .parquet (needs pyarrow: the ``parquet`` extra)."""
    suffix = out.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(out, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(out, index=False)
    else:
        frame.to_json(out, orient="records", lines=True, date_format="iso")
