"""Output files: the batch table, written row by row as bundles finish (``open_table``), and the unknown-error
templates (``write_unknown``).

Every row is one line, appended and flushed as a whole: a crash leaves every finished row readable, and a
write that fails (a full disk) is cut back to the last whole row before the error goes up. csv and jsonl rows go
straight to the output; parquet cannot be appended to, so its rows go to a hidden spill file beside it
(``.NAME.rows.jsonl``) and the parquet file is replaced once, at the end; a run that was killed leaves the spill,
and the next ``--resume`` takes its rows. ``check_writable`` proves an output can be written before any work.

On ``resume`` a table knows the rows already there (``previous``, by the bundle's path) and can drop the rows
that are about to be replaced (``drop``: errors retried, bundles whose content changed) in one atomic rewrite.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from azlog_vmbackup.analyzer.apps.batch.errors import BatchError, one_line
from azlog_vmbackup.analyzer.apps.batch.mining import TEMPLATE_COLUMNS
from azlog_vmbackup.analyzer.apps.batch.rows import COLUMNS, frame_of, key_of, typed
from azlog_vmbackup.core.extras import install_hint

OUT_SUFFIXES = (".csv", ".parquet", ".jsonl")
UNKNOWN_SUFFIXES = (".csv", ".jsonl")
PROBE_BYTES = 4096  # a page, written and removed beside each output before any work: a full disk shows at once


class WriteFailed(Exception):
    """A row could not be written (disk full, file system gone); the table still ends with a whole row."""

    def __init__(self, out: Path, error: OSError, rows: int):
        super().__init__(f"cannot write {out} after {rows} rows of this run: {error.strerror or error}")
        self.out = out


@dataclass(frozen=True)
class Previous:
    """A row already in the table: the bundle's sha256 and the row's status."""

    sha256: str
    status: str


def atomic_write(out: Path, write: Callable[[str], None]) -> None:
    """Write through a hidden temporary file in the same folder, then os.replace: never a half-written file."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def check_writable(out: Path, what: str) -> None:
    """Raise ``BatchError`` unless ``out`` can be created (or appended to) and its folder has room for a little."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise BatchError(f"{what} {out}: the folder {folder} does not exist")
    if out.is_dir():
        raise BatchError(f"{what} {out} is a folder")
    if out.exists() and not os.access(out, os.W_OK):
        raise BatchError(f"{what} {out} is not writable")
    probe = folder / f".{out.name}.{os.getpid()}.probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise BatchError(f"cannot write {what} {out}: {e.strerror or e}") from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass


class _Lines:
    """A file of one row per line: read back on resume, appended to whole line by whole line."""

    def __init__(self, path: Path, header: str | None):
        self.path, self.header = path, header
        self.fd: int | None = None
        self.written = 0

    def read(self) -> list[str]:
        """The whole lines already in the file (a partial last line, left by a crash, is cut off)."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with open(self.path, "rb+") as f:
                f.truncate(end)
        return data[:end].decode("utf-8", "replace").splitlines()

    def rewrite(self, lines: Iterable[str]) -> None:
        text = "".join(line + "\n" for line in lines)
        atomic_write(self.path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))

    def append(self, line: str) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if self.header is not None and os.fstat(self.fd).st_size == 0:
                self._append(self.header + "\n")
        self._append(line + "\n")

    def _append(self, text: str) -> None:
        size = os.fstat(self.fd).st_size
        try:
            _write_all(self.fd, text.encode("utf-8"))
        except OSError:
            try:
                os.ftruncate(self.fd, size)  # never a partial row
            except OSError:
                pass
            raise

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Table:
    """The batch table at ``out``: ``previous`` rows (resume), ``drop``, ``write``, ``close``."""

    header: str | None = None

    def __init__(self, out: Path, resume: bool, lines_path: Path | None = None):
        self.out = out
        self.lines = _Lines(lines_path or out, self.header)
        self.rows_written = 0
        self._keep: dict[str, str] = {}         # key -> line of the rows there before
        self.previous: dict[str, Previous] = {}
        self.reusable: dict[str, dict] = {}      # sha256 -> an ok row there before (its analysis can be reused)
        if self._exists() and not resume:
            raise BatchError(f"{out} exists (or a stopped run's rows beside it): give --resume to continue it, "
                             "or remove it")
        if self._exists():
            self._load()

    def _exists(self) -> bool:
        return self.out.exists() and self.out.stat().st_size > 0

    def _load(self) -> None:
        for line in self._body(self.lines.read()):
            row = self.parse(line)
            if row is None:
                continue
            key = key_of(row)
            self._keep.pop(key, None)  # a path twice: the later row wins
            self._keep[key] = line
            self.previous[key] = Previous(str(row["sha256"] or ""), str(row["status"]))
            if row["status"] == "ok" and row["sha256"]:
                self.reusable[str(row["sha256"])] = row

    def _body(self, lines: list[str]) -> list[str]:
        return lines

    def parse(self, line: str) -> dict | None:
        raise NotImplementedError

    def format(self, row: dict) -> str:
        raise NotImplementedError

    @property
    def rows_before(self) -> int:
        return len(self._keep)

    def drop(self, keys: set[str]) -> None:
        """Remove the rows of these bundles (they are about to be written again), in one atomic rewrite."""
        if not keys & self._keep.keys():
            return
        self._keep = {k: line for k, line in self._keep.items() if k not in keys}
        head = [self.header] if self.header is not None else []
        self.lines.rewrite(head + list(self._keep.values()))
        for key in keys:
            self.previous.pop(key, None)

    def write(self, row: dict) -> None:
        try:
            self.lines.append(self.format(row))
        except OSError as e:
            raise WriteFailed(self.out, e, self.rows_written) from None
        self.rows_written += 1

    def close(self) -> None:
        self.lines.close()


class JsonlTable(Table):
    def parse(self, line: str) -> dict | None:
        try:
            row = json.loads(line)
        except ValueError:
            return None
        return typed(row) if isinstance(row, dict) and "path" in row else None

    def format(self, row: dict) -> str:
        return json.dumps({name: row[name] for name in COLUMNS}, ensure_ascii=False)


class CsvTable(Table):
    """One CSV line per row (the csv module: no pandas to import for it)."""

    header = ",".join(COLUMNS)

    def _body(self, lines: list[str]) -> list[str]:
        if not lines:
            return []
        if lines[0] != self.header:
            raise BatchError(f"{self.out}: not an azlog batch table of this version (its header is not "
                             f"{self.header})")
        return lines[1:]

    def parse(self, line: str) -> dict | None:
        fields = next(csv.reader([line]), [])
        return typed(dict(zip(COLUMNS, fields, strict=True))) if len(fields) == len(COLUMNS) else None

    def format(self, row: dict) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(["" if row[name] is None else row[name] for name in COLUMNS])
        return buffer.getvalue()


class ParquetTable(JsonlTable):
    """Rows spill to ``.NAME.rows.jsonl`` as they come; ``close`` writes the parquet file (the rows there before,
    then the spill) and removes the spill. A killed run leaves the spill: its rows count on ``--resume``."""

    def __init__(self, out: Path, resume: bool):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise BatchError(f"parquet output needs pyarrow: {install_hint('parquet')}") from None
        import pandas  # noqa: F401 - before the workers start
        self.spill = out.with_name(f".{out.name}.rows.jsonl")
        self.existing = None
        super().__init__(out, resume, lines_path=self.spill)

    def _exists(self) -> bool:
        return super()._exists() or (self.spill.exists() and self.spill.stat().st_size > 0)

    def _load(self) -> None:
        if self.out.exists() and self.out.stat().st_size > 0:
            import pandas as pd

            try:
                self.existing = pd.read_parquet(self.out)
            except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds
                raise BatchError(f"{self.out}: not a readable parquet file ({one_line(str(e))[:200]})") from None
            if list(self.existing.columns) != COLUMNS:
                raise BatchError(f"{self.out}: not an azlog batch table of this version (other columns)")
            lines = [self.format(typed(row)) for row in self.existing.to_dict("records")]
            # the parquet rows join the spill, which becomes the one list of rows there before
            self.lines.rewrite(lines + self.lines.read())
        super()._load()

    def close(self) -> None:
        super().close()
        if not self.spill.exists():
            return
        rows = {}
        for row in map(self.parse, self.lines.read()):
            if row is not None:
                rows.pop(key_of(row), None)  # a row written again (an error retried): the later one
                rows[key_of(row)] = row
        frame = frame_of(list(rows.values()))
        atomic_write(self.out, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))
        self.spill.unlink()


def open_table(out: Path, resume: bool) -> Table:
    suffix = out.suffix.lower()
    if suffix not in OUT_SUFFIXES:
        raise BatchError(f"--out must end with {', '.join(OUT_SUFFIXES)}")
    cls = {".csv": CsvTable, ".jsonl": JsonlTable, ".parquet": ParquetTable}[suffix]
    return cls(out, resume)


def write_unknown(rows: list[dict], out: Path) -> None:
    """The unknown-error templates (``Miner.rows()``) to ``out`` (.csv or .jsonl), replaced atomically."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)
    atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False) if out.suffix.lower() == ".csv"
                 else frame.to_json(tmp, orient="records", lines=True, force_ascii=False))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
