"""Output files: the batch table, written as rows come (``open_writer``), and the unknown-error templates
(``write_unknown``).

jsonl and csv are appended to and flushed row by row, so a crash leaves every finished row readable;
parquet keeps the rows in memory and replaces the file atomically (``atomic_write``) at the end. On
``resume`` a writer reads the sha256 already in the output (``done``) and never touches the rows there.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Callable

from azlog_vmbackup.analyzer.apps.batch.errors import BatchError, one_line
from azlog_vmbackup.analyzer.apps.batch.mining import TEMPLATE_COLUMNS
from azlog_vmbackup.analyzer.apps.batch.rows import COLUMNS, frame_of
from azlog_vmbackup.core.extras import install_hint

OUT_SUFFIXES = (".csv", ".parquet", ".jsonl")
UNKNOWN_SUFFIXES = (".csv", ".jsonl")


def atomic_write(out: Path, write: Callable[[str], None]) -> None:
    """Write through a temporary file in the same folder, then os.replace: never a half-written file."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


class Writer:
    """Rows to ``out`` as they come; ``done`` holds the sha256 of the rows already there (resume)."""

    def __init__(self, out: Path, resume: bool):
        self.out = out
        self.done: set[str] = set()
        self.rows_before = 0
        exists = out.exists() and out.stat().st_size > 0
        if exists and not resume:
            raise BatchError(f"{out} exists: give --resume to continue it, or remove it")
        self.new = not exists
        if exists:
            self.done = self._read_existing()

    def _read_existing(self) -> set[str]:
        raise NotImplementedError

    def write(self, row: dict) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _LineWriter(Writer):
    """A text file of one line per row, opened for appending at the first row and flushed after each."""

    _f = None

    def _file(self):
        if self._f is None:
            self._f = open(self.out, "a", encoding="utf-8", newline="")
        return self._f

    def close(self) -> None:
        if self._f is not None:
            self._f.close()

    def _trim_partial_line(self) -> None:
        """A crash in the middle of a line leaves a partial row: cut it, so the next row starts on a line."""
        with open(self.out, "rb+") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 1))
            if f.read(1) == b"\n":
                return
            data_end, pos = size, size
            while pos > 0:
                step = min(1 << 16, pos)
                pos -= step
                f.seek(pos)
                block = f.read(step)
                nl = block.rfind(b"\n")
                if nl >= 0:
                    data_end = pos + nl + 1
                    break
            else:
                data_end = 0
            f.truncate(data_end)


class JsonlWriter(_LineWriter):
    def _read_existing(self) -> set[str]:
        self._trim_partial_line()
        done = set()
        with open(self.out, encoding="utf-8") as f:
            for line in f:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                self.rows_before += 1
                if isinstance(row, dict) and row.get("sha256"):
                    done.add(row["sha256"])
        return done

    def write(self, row: dict) -> None:
        f = self._file()
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()


class CsvWriter(_LineWriter):
    """One CSV line per row (the csv module: no pandas to import for it)."""

    _csv = None

    def _read_existing(self) -> set[str]:
        self._trim_partial_line()
        if self.out.stat().st_size == 0:  # the crash cut the header itself
            self.new = True
            return set()
        with open(self.out, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            if next(reader, None) != COLUMNS:
                raise BatchError(f"{self.out}: not an azlog batch table (its header is not {','.join(COLUMNS)})")
            at = COLUMNS.index("sha256")
            rows = [row for row in reader if len(row) == len(COLUMNS)]
        self.rows_before = len(rows)
        return {row[at] for row in rows if row[at]}

    def write(self, row: dict) -> None:
        if self._csv is None:
            self._csv = csv.writer(self._file(), lineterminator="\n")
        if self.new:
            self._csv.writerow(COLUMNS)
            self.new = False
        self._csv.writerow(["" if row[name] is None else row[name] for name in COLUMNS])
        self._f.flush()


class ParquetWriter(Writer):
    """Parquet cannot be appended to: rows stay in memory and the file is replaced once, at the end
    (an interrupted run leaves the previous file as it was)."""

    def __init__(self, out: Path, resume: bool):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise BatchError(f"parquet output needs pyarrow: {install_hint('parquet')}") from None
        import pandas  # noqa: F401 - before the workers start
        self.rows: list[dict] = []
        self.existing = None
        super().__init__(out, resume)

    def _read_existing(self) -> set[str]:
        import pandas as pd

        try:
            self.existing = pd.read_parquet(self.out)
        except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds
            raise BatchError(f"{self.out}: not a readable parquet file ({one_line(str(e))[:200]})") from None
        if list(self.existing.columns) != COLUMNS:
            raise BatchError(f"{self.out}: not an azlog batch table (other columns)")
        self.rows_before = len(self.existing)
        return {s for s in self.existing["sha256"] if s}

    def write(self, row: dict) -> None:
        self.rows.append(row)

    def close(self) -> None:
        import pandas as pd

        if not self.rows and self.existing is not None:
            return
        frame = frame_of(self.rows)
        if self.existing is not None:
            frame = pd.concat([self.existing, frame], ignore_index=True)
        atomic_write(self.out, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


def open_writer(out: Path, resume: bool) -> Writer:
    suffix = out.suffix.lower()
    if suffix not in OUT_SUFFIXES:
        raise BatchError(f"--out must end with {', '.join(OUT_SUFFIXES)}")
    cls = {".csv": CsvWriter, ".jsonl": JsonlWriter, ".parquet": ParquetWriter}[suffix]
    return cls(out, resume)


def write_unknown(rows: list[dict], out: Path) -> None:
    """The unknown-error templates (``Miner.rows()``) to ``out`` (.csv or .jsonl), replaced atomically."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)
    atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False) if out.suffix.lower() == ".csv"
                 else frame.to_json(tmp, orient="records", lines=True, force_ascii=False))
