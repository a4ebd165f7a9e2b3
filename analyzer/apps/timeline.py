"""Every record of a bundle as one table, for notebooks: ``azlog timeline BUNDLE --out FILE``.

Columns: time (UTC, or the VM clock where ``local_time``), local_time, source (spec),
path, line, level, component, message, signatures (ids of the signatures the record hit; a signature that
needs a burst, ``repeat: {count, seconds}``, only on the records that complete one).
Rows are sorted by time; records without a time keep their bundle order at the end.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching.matcher import burst_ends
from azlog_vmbackup.core.bundle import Limits
from azlog_vmbackup.core.model import Record

COLUMNS = ["time", "local_time", "source", "path", "line", "level", "component", "message", "signatures"]
SUFFIXES = (".csv", ".jsonl", ".parquet")


def build(source: str | Path, knowledge: Knowledge | None = None, limits: Limits = Limits(),
          engine: str | None = None) -> pd.DataFrame:
    knowledge = knowledge or Knowledge.load()
    rows: list[list] = []

    def keep(record: Record, spec: str, hits: list[str] | None) -> None:
        rows.append([record.time, record.local_time, spec, record.path, record.line, record.level,
                     record.component, record.message, list(hits or ())])

    analyze(source, knowledge, limits, on_record=keep, engine=engine)
    _bursts_only(rows, {s.id: s.repeat for s in knowledge.signatures if s.repeat})
    for row in rows:
        row[-1] = ",".join(row[-1])
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame.sort_values("time", kind="stable", na_position="last").reset_index(drop=True)


def _bursts_only(rows: list[list], repeats: dict[str, tuple[int, float]]) -> None:
    """Take a burst signature's id off every row that does not complete a burst (``count`` hits within
    ``seconds``, this row's the last), as the diagnosis counts it.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 11, 20, tzinfo=timezone.utc)
    >>> rows = [[t + timedelta(seconds=s), ["loop"]] for s in (0, 500, 510, 520)]
    >>> _bursts_only(rows, {"loop": (3, 120)})
    >>> [r[-1] for r in rows]
    [[], [], [], ['loop']]
    """
    for sig_id, (need, seconds) in repeats.items():
        hit = sorted((r for r in rows if sig_id in r[-1] and r[0] is not None), key=lambda r: r[0])
        completes = dict(zip(map(id, hit), burst_ends([r[0] for r in hit], need, seconds), strict=True))
        for row in rows:
            if sig_id in row[-1] and not completes.get(id(row), False):
                row[-1] = [s for s in row[-1] if s != sig_id]


def write(frame: pd.DataFrame, out: Path) -> None:
    """Write by suffix: .csv, .jsonl (one JSON object per line) or .parquet (needs pyarrow: the ``parquet`` extra).
    In csv and jsonl a time is ISO text: UTC with a ``Z``, a VM local time as written (no zone); parquet keeps
    the time column as timestamps and ``local_time`` says which are the VM's clock."""
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        frame.to_parquet(out, index=False)
        return
    text = frame.assign(time=[None if pd.isna(t) else t.strftime("%Y-%m-%dT%H:%M:%S.%f") + ("" if local else "Z")
                              for t, local in zip(frame["time"], frame["local_time"], strict=True)])
    if suffix == ".csv":
        text.to_csv(out, index=False)
    else:
        text.to_json(out, orient="records", lines=True)
