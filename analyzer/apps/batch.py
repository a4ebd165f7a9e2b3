"""Many bundles, one table: ``azlog batch INPUTS... --out results.{csv,parquet,jsonl}``.

Each bundle goes through ``analyze()`` in a worker (a process of a ``ProcessPoolExecutor``, or a task on a
dask.distributed cluster); every worker loads ``Knowledge`` once. One row per bundle (``COLUMNS``); a bundle
that cannot be read is a row with status ``error`` and the batch goes on.

Inputs: a path that exists is a bundle, or a folder of bundles (``is_folder_of_bundles``); anything else is
a glob (``**`` recursive) whose matches are taken the same way.

Output is written as rows complete: jsonl and csv are appended to and flushed row by row, so a crash leaves
every finished row readable; parquet keeps the rows in memory and replaces the file atomically at the end.
``resume`` skips the bundles whose sha256 is already in the output and never touches the rows there.

Unknown-error mining (``unknown``): the ERROR and WARNING records no signature (evidence or noise) explained
are masked in the worker (``mask``), sent back per bundle, and grouped into templates across the batch
(Drain3 when installed, else by the masked text).
"""
from __future__ import annotations

import csv
import gc
import glob
import hashlib
import json
import os
import re
import signal
import stat
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import as_completed as futures_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from azlog_vmbackup.core.bundle import BundleError, Limits
from azlog_vmbackup.core.extras import install_hint

COLUMNS = ["path", "sha256", "os", "cause", "error_codes", "confidence", "score", "agent_version",
           "errors", "skipped", "elapsed", "status", "message"]
_INTS, _FLOATS = ("errors", "skipped"), ("score", "elapsed")
OUT_SUFFIXES = (".csv", ".parquet", ".jsonl")
UNKNOWN_SUFFIXES = (".csv", ".jsonl")
BUNDLE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".log")
# top folders of an extracted bundle: a folder holding one of these is a bundle, not a folder of bundles
TREE_ROOTS = frozenset({"var", "etc", "windowsazure", "packages", "windows", "eventlogs", "sos_commands", "c"})
UNKNOWN_LEVELS = frozenset({"ERROR", "WARNING"})
MAX_TEMPLATES_PER_BUNDLE = 2000  # distinct masked lines a worker sends back for one bundle
EXAMPLE_CHARS = 300
EXAMPLE_BUNDLES = 3


class BatchError(Exception):
    """The batch cannot run (bad output file, missing optional dependency, no scheduler); one line."""


# ---------------------------------------------------------------- inputs

def expand(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """The bundles named by ``inputs`` (in order, each once) and warnings (patterns that matched nothing).

    A path that does not exist and holds no glob character is kept: it becomes an error row.
    """
    bundles: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            bundles.append(path)

    for item in inputs:
        item = str(item)
        if os.path.lexists(item) or not glob.has_magic(item):
            candidates = [item]
        else:
            candidates = sorted(glob.glob(item, recursive=True))
            if not candidates:
                warnings.append(f"{item}: matched nothing")
        for path in candidates:
            if os.path.isdir(path) and is_folder_of_bundles(path):
                for child in sorted(os.listdir(path)):
                    if not child.startswith("."):
                        add(os.path.join(path, child))
            else:
                add(path)
    return bundles, warnings


def is_folder_of_bundles(path: str | Path) -> bool:
    """True when every visible direct child is a .zip/.tar/.tar.gz/.tgz/.log file or a folder (at least one
    child), and no child folder is the top of an extracted bundle (``var``, ``etc``, ``WindowsAzure``,
    ``Packages``, ``Windows``, ``EventLogs``, ``sos_commands``, ``C``); otherwise the folder is one bundle."""
    try:
        children = [c for c in os.scandir(path) if not c.name.startswith(".")]
    except OSError:
        return False
    if not children:
        return False
    for child in children:
        if child.is_dir(follow_symlinks=False):
            if child.name.lower() in TREE_ROOTS:
                return False
        elif not (child.is_file(follow_symlinks=False) and child.name.lower().endswith(BUNDLE_SUFFIXES)):
            return False
    return True


def sha256_of(path: str | Path) -> str:
    """The file's sha256; for a folder, of its regular files' relative paths and contents, in sorted order
    (links are not followed, like the bundle reader)."""
    digest = hashlib.sha256()
    path = str(path)
    if not os.path.isdir(path):
        _hash_file(path, digest)
        return digest.hexdigest()
    files = []
    for root, dirs, names in os.walk(path, followlinks=False):
        dirs.sort()
        for name in names:
            full = os.path.join(root, name)
            if stat.S_ISREG(os.lstat(full).st_mode):
                files.append((os.path.relpath(full, path).replace(os.sep, "/"), full))
    for rel, full in sorted(files):
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        _hash_file(full, digest)
        digest.update(b"\0")
    return digest.hexdigest()


def _hash_file(path: str, digest) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)


# ---------------------------------------------------------------- the work of one bundle (in a worker)

_KNOWLEDGE: dict[tuple[str, ...], Any] = {}
_KNOWLEDGE_LOCK = threading.Lock()
_WORKER: dict[str, Any] = {}


def knowledge_for(extra: tuple[str, ...] = ()):
    """``Knowledge.load(extra)``, once per process (dask workers in one process share it)."""
    with _KNOWLEDGE_LOCK:
        knowledge = _KNOWLEDGE.get(extra)
        if knowledge is None:
            from azlog_vmbackup.analyzer.knowledge.store import Knowledge

            knowledge = _KNOWLEDGE[extra] = Knowledge.load([Path(p) for p in extra])
        return knowledge


def _init_worker(extra: tuple[str, ...], limits: Limits, mine: bool) -> None:
    """ProcessPoolExecutor initializer: Knowledge loaded once; Ctrl-C is the parent's business."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER.update(knowledge=knowledge_for(extra), limits=limits, mine=mine)


def _local_task(path: str, digest: str | None) -> tuple[dict, dict | None]:
    return analyze_one(path, digest, _WORKER["knowledge"], _WORKER["limits"], _WORKER["mine"])


def dask_task(path: str, digest: str | None, extra: tuple[str, ...], limits: Limits,
              mine: bool) -> tuple[dict, dict | None]:
    """The dask engine's task: the same work; Knowledge cached in this module per worker process."""
    return analyze_one(path, digest, knowledge_for(extra), limits, mine)


def analyze_one(path: str, digest: str | None, knowledge, limits: Limits,
                mine: bool = False) -> tuple[dict, dict | None]:
    """One row for the bundle at ``path`` (never raises), and its unexplained ERROR/WARNING lines, masked:
    ``{masked: [count, example]}`` when ``mine``."""
    from azlog_vmbackup.analyzer.apps.analyze import analyze

    start = time.perf_counter()
    row = empty_row(path)
    unknown: dict[str, list] | None = {} if mine else None
    try:
        row["sha256"] = digest or sha256_of(path)
        sink = _unknown_sink(knowledge, unknown) if unknown is not None else None
        result = analyze(path, knowledge, limits, on_record=sink)
    except BundleError as e:
        row.update(status="error", message=_one_line(str(e)))
    except OSError as e:
        row.update(status="error", message=_one_line(f"{Path(path).name}: {e.strerror or e}"))
    except Exception as e:  # noqa: BLE001 - one bundle never stops the batch
        row.update(status="error", message=_one_line(f"internal error: {type(e).__name__}: {e}"))
    else:
        top = result.diagnoses[0] if result.diagnoses else None
        agent = result.facts.value("agent_version")
        row.update(os=result.os, cause=top.cause if top else "",
                   error_codes=";".join(top.error_codes) if top else "",
                   confidence=top.confidence if top else "", score=round(top.score, 3) if top else None,
                   agent_version="" if agent is None else str(agent), errors=len(result.errors),
                   skipped=sum(1 for e in result.inventory if e.status in ("skipped", "refused")))
    row["elapsed"] = round(time.perf_counter() - start, 3)
    return row, unknown


def empty_row(path: str) -> dict:
    return {"path": path, "sha256": "", "os": "", "cause": "", "error_codes": "", "confidence": "", "score": None,
            "agent_version": "", "errors": 0, "skipped": 0, "elapsed": 0.0, "status": "ok", "message": ""}


def _one_line(text: str) -> str:
    return " ".join(text.split())[:1000]


def _unknown_sink(knowledge, found: dict[str, list]) -> Callable:
    """analyze()'s ``on_record``: ERROR/WARNING records with no hit and no noise signature, masked."""
    from azlog_vmbackup.analyzer.matching.matcher import GENERIC_TEXT
    from azlog_vmbackup.core.text import redact

    noise_by_spec: dict[str, list] = {}

    def noise(spec: str) -> list:
        sigs = noise_by_spec.get(spec)
        if sigs is None:
            sigs = noise_by_spec[spec] = [s for s in knowledge.signatures if s.kind == "noise"
                                          and (s.pattern is not None or s.hints)
                                          and (spec == GENERIC_TEXT or s.applies_to(spec))]
        return sigs

    def sink(record, spec: str, hits: list[str] | None) -> None:
        if hits or record.level not in UNKNOWN_LEVELS:
            return
        text = record.message
        if any((not s.levels or record.level in s.levels) and s.search(text) for s in noise(spec)):
            return
        first = text.split("\n", 1)[0][:2000]
        key = mask(first)
        entry = found.get(key)
        if entry is not None:
            entry[0] += 1
        elif len(found) < MAX_TEMPLATES_PER_BUNDLE:
            found[key] = [1, redact(first[:EXAMPLE_CHARS])]

    return sink


# ---------------------------------------------------------------- unknown-error mining

_MASKS = [
    (re.compile(r"\b\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<TIME>"),
    (re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2}\b"), "<TIME>"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?[AP]M)?"), "<TIME>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<GUID>"),
    (re.compile(r"https?://\S+"), "<URL>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<IP>"),
    (re.compile(r"\"[^\"\n]*\"|'[^'\n]*'"), "<STR>"),
    (re.compile(r"(?:\b[A-Za-z]:\\|\\\\)[^\s,;:'\"]*|(?<![\w.<>])/[^\s,;:'\"]+"), "<PATH>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<HEX>"),
    (re.compile(r"(?<![\w<])[-+]?\d+(?:\.\d+)*\b"), "<NUM>"),
]


def mask(text: str) -> str:
    """The text with its variable parts masked.

    >>> mask('2026-11-20 01:12:19 ERROR connect to 168.63.129.16:80 failed for "x y" at /var/lib/a.b code 0x80070005 id 5f0c0a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6 retry 12')
    '<TIME> ERROR connect to <IP> failed for <STR> at <PATH> code <HEX> id <GUID> retry <NUM>'
    """
    for pattern, token in _MASKS:
        text = pattern.sub(token, text)
    return " ".join(text.split())


@dataclass
class _Template:
    count: int = 0
    example: str = ""
    bundles: list[str] = field(default_factory=list)
    bundle_count: int = 0


class Miner:
    """Groups masked lines into templates across bundles: Drain3 when installed, else by the masked text.
    Feed bundles in a fixed order (the input order) for the same templates run after run."""

    def __init__(self, use_drain: bool = True):
        self.drain = None
        if use_drain:
            try:
                from drain3 import TemplateMiner
                from drain3.template_miner_config import TemplateMinerConfig
            except ImportError:
                pass
            else:
                config = TemplateMinerConfig()
                config.profiling_enabled = False
                self.drain = TemplateMiner(config=config)
        self.engine = "drain3" if self.drain is not None else "masking"
        self._groups: dict[Any, _Template] = {}

    def add(self, bundle: str, lines: dict[str, list]) -> None:
        touched = set()
        for masked, (count, example) in lines.items():
            key = self.drain.add_log_message(masked)["cluster_id"] if self.drain is not None else masked
            group = self._groups.setdefault(key, _Template(example=example))
            group.count += count
            if key not in touched:
                touched.add(key)
                group.bundle_count += 1
                if len(group.bundles) < EXAMPLE_BUNDLES:
                    group.bundles.append(bundle)

    def rows(self) -> list[dict]:
        templates = {}
        if self.drain is not None:
            templates = {c.cluster_id: c.get_template() for c in self.drain.drain.clusters}
        rows = [{"template": templates.get(key, key), "count": g.count, "bundles": g.bundle_count,
                 "example": g.example, "example_bundles": ";".join(g.bundles)} for key, g in self._groups.items()]
        return sorted(rows, key=lambda r: (-r["count"], r["template"]))


def write_unknown(rows: list[dict], out: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["template", "count", "bundles", "example", "example_bundles"])
    _atomic(out, lambda tmp: frame.to_csv(tmp, index=False) if out.suffix.lower() == ".csv"
            else frame.to_json(tmp, orient="records", lines=True, force_ascii=False))


# ---------------------------------------------------------------- output

def _atomic(out: Path, write: Callable[[str], None]) -> None:
    """Write through a temporary file in the same folder, then os.replace: never a half-written file."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def frame_of(rows: list[dict]):
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


class JsonlWriter(Writer):
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
        if not hasattr(self, "_f"):
            self._f = open(self.out, "a", encoding="utf-8")
        self._f.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._f.flush()

    def close(self) -> None:
        if hasattr(self, "_f"):
            self._f.close()


class CsvWriter(Writer):
    """One CSV line per row, flushed as it comes (the csv module: no pandas to import for it)."""

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
        if not hasattr(self, "_f"):
            self._f = open(self.out, "a", encoding="utf-8", newline="")
            self._csv = csv.writer(self._f, lineterminator="\n")
        if self.new:
            self._csv.writerow(COLUMNS)
            self.new = False
        self._csv.writerow(["" if row[name] is None else row[name] for name in COLUMNS])
        self._f.flush()

    def close(self) -> None:
        if hasattr(self, "_f"):
            self._f.close()


class ParquetWriter(Writer):
    """Parquet cannot be appended to: rows stay in memory and the file is replaced once, at the end
    (an interrupted run leaves the previous file as it was)."""

    def __init__(self, out: Path, resume: bool):
        _need_pyarrow()
        import pandas  # noqa: F401 - before the workers start
        self.rows: list[dict] = []
        self.existing = None
        super().__init__(out, resume)

    def _read_existing(self) -> set[str]:
        import pandas as pd

        try:
            self.existing = pd.read_parquet(self.out)
        except Exception as e:  # noqa: BLE001 - pyarrow raises several kinds
            raise BatchError(f"{self.out}: not a readable parquet file ({_one_line(str(e))[:200]})") from None
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
        _atomic(self.out, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise BatchError(f"parquet output needs pyarrow: {install_hint('parquet')}") from None


def open_writer(out: Path, resume: bool) -> Writer:
    suffix = out.suffix.lower()
    if suffix not in OUT_SUFFIXES:
        raise BatchError(f"--out must end with {', '.join(OUT_SUFFIXES)}")
    cls = {".csv": CsvWriter, ".jsonl": JsonlWriter, ".parquet": ParquetWriter}[suffix]
    return cls(out, resume)


# ---------------------------------------------------------------- the batch

@dataclass
class Summary:
    rows: list[dict] = field(default_factory=list)   # this run's rows (completion order)
    skipped: int = 0                                  # already in the output (resume)
    lost: int = 0                                     # no row: a worker died
    templates: int | None = None
    miner: str = ""
    seconds: float = 0.0

    def text(self, out: Path, unknown: Path | None = None) -> str:
        errors = [r for r in self.rows if r["status"] == "error"]
        head = f"{len(self.rows)} bundles in {self.seconds:.1f} s: {len(self.rows) - len(errors)} ok, {len(errors)} errors"
        if self.skipped:
            head += f", {self.skipped} already in {out.name} (skipped)"
        lines = [head + f"; rows in {out}"]
        causes = Counter(r["cause"] or "(no cause)" for r in self.rows if r["status"] == "ok")
        for cause, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {cause:40} {n}")
        if errors:
            lines.append("errors:")
            lines += [f"  {r['message']}" if r["message"].startswith(Path(r["path"]).name)
                      else f"  {r['path']}: {r['message']}" for r in errors[:20]]
            if len(errors) > 20:
                lines.append(f"  ... and {len(errors) - 20} more")
        if self.lost:
            lines.append(f"{self.lost} bundles got no row (a worker process died); run again with --resume")
        if unknown is not None and self.templates is not None:
            lines.append(f"{self.templates} unknown-error templates ({self.miner}) in {unknown}")
        return "\n".join(lines)


def run(inputs: Iterable[str], out: Path, *, jobs: int | None = None, resume: bool = False,
        unknown: Path | None = None, engine: str = "local", scheduler: str | None = None,
        signatures: Iterable[str | Path] = (), limits: Limits = Limits(), progress: bool = False,
        warn: Callable[[str], None] = lambda m: None) -> Summary:
    """Analyze every bundle of ``inputs`` into ``out``. Raises ``BatchError`` before any work when the batch
    cannot run; bundles that fail become error rows."""
    started = time.perf_counter()
    out = Path(out)
    if unknown is not None and Path(unknown).suffix.lower() not in UNKNOWN_SUFFIXES:
        raise BatchError(f"--unknown must end with {' or '.join(UNKNOWN_SUFFIXES)}")
    if engine not in ("local", "dask"):
        raise BatchError(f"unknown engine {engine!r}: local or dask")
    if engine == "dask" and not scheduler:
        raise BatchError("--engine dask needs --scheduler tcp://HOST:PORT")
    extra = tuple(os.path.abspath(p) for p in signatures)
    knowledge_for(extra)  # a bad signature file stops the batch here, not once per bundle
    bundles, warnings = expand(inputs)
    for message in warnings:
        warn(message)
    if not bundles:
        raise BatchError("no bundles to analyze")
    writer = open_writer(out, resume)
    summary = Summary()
    todo: list[tuple[int, str, str | None]] = []  # (index, path as given, sha256 when known)
    if writer.done:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            digests = list(pool.map(_digest_or_none, bundles))
        for i, (path, digest) in enumerate(zip(bundles, digests)):
            if digest in writer.done:
                summary.skipped += 1
            else:
                todo.append((i, path, digest))
    else:
        todo = [(i, path, None) for i, path in enumerate(bundles)]
    mined: dict[int, tuple[str, dict]] = {}

    def handle(index: int, path: str, outcome: tuple[dict, dict | None]) -> None:
        row, lines = outcome
        row["path"] = path
        writer.write(row)
        summary.rows.append(row)
        if lines:
            mined[index] = (path, lines)

    bar = _Progress(len(todo), progress)
    try:
        if engine == "dask":
            _run_dask(todo, scheduler, extra, limits, unknown is not None, handle, bar)
        else:
            summary.lost = _run_local(todo, jobs, extra, limits, unknown is not None, handle, bar)
    finally:
        bar.stop()
        writer.close()
    if unknown is not None:
        miner = Miner()
        for index in sorted(mined):
            miner.add(*mined[index])
        rows = miner.rows()
        write_unknown(rows, Path(unknown))
        summary.templates, summary.miner = len(rows), miner.engine
    summary.seconds = time.perf_counter() - started
    return summary


def _largest_first(item: tuple[int, str, str | None]) -> tuple[int, int]:
    index, path, _ = item
    try:
        return -os.path.getsize(path), index
    except OSError:
        return 0, index


def _digest_or_none(path: str) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


def _warm(knowledge) -> None:
    """Before forking: import every parser and let the matcher compile its patterns once in the parent, so
    forked workers start warm instead of each paying it on its first bundle."""
    import importlib

    from azlog_vmbackup.parsers import registry
    from azlog_vmbackup.analyzer.apps.analyze import analyze_text

    try:
        for spec in (*registry.TABLE, registry.TEXT):
            if spec.parser:
                registry.parser_module(spec)
        for name in getattr(registry, "SNIFFERS", ()):
            importlib.import_module(f"azlog_vmbackup.parsers.{name}")
        analyze_text("warm-up.log", "2026-01-01T00:00:00Z ERROR warm-up\n", knowledge)
    except Exception:  # noqa: BLE001 - only a speed-up; the workers do it themselves otherwise
        pass


def _run_local(todo, jobs, extra, limits, mine, handle, bar) -> int:
    """ProcessPoolExecutor; returns how many bundles got no row because a worker died."""
    import multiprocessing

    if multiprocessing.get_start_method(allow_none=False) == "fork":
        _warm(knowledge_for(extra))
        gc.freeze()  # what the workers inherit stays shared, and no collection (nor their exit) walks it
    lost = 0
    pool = ProcessPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1), initializer=_init_worker,
                               initargs=(extra, limits, mine))
    try:
        # everything is submitted (and the workers started) before the progress bar's thread exists;
        # largest first, so no worker is left with a big bundle while the others have finished
        futures = {pool.submit(_local_task, os.path.abspath(path), digest): (index, path)
                   for index, path, digest in sorted(todo, key=_largest_first)}
        bar.start()
        for future in futures_completed(futures):
            index, path = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool:
                lost += 1
                continue
            handle(index, path, outcome)
            bar.advance(path)
    except BaseException:  # Ctrl-C: the rows written so far stay; the workers are stopped
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    pool.shutdown()
    return lost


def _run_dask(todo, scheduler, extra, limits, mine, handle, bar) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise BatchError(f"the dask executor needs dask.distributed: {install_hint('dask')}") from None
    try:
        client = Client(scheduler, timeout="15s")
    except (OSError, TimeoutError, ValueError) as e:
        raise BatchError(f"cannot reach the dask scheduler {scheduler}: {_one_line(str(e))[:200]}") from None
    try:
        futures = {client.submit(dask_task, os.path.abspath(path), digest, extra, limits, mine, pure=False,
                                 key=f"azlog-batch-{index}-{os.getpid()}-{time.time_ns()}"): (index, path)
                   for index, path, digest in todo}
        bar.start()
        for future in as_completed(list(futures)):
            index, path = futures.pop(future)
            try:
                outcome = future.result()
            except Exception as e:  # noqa: BLE001 - a lost worker: an error row, the batch goes on
                row = empty_row(path)
                row.update(status="error", message=_one_line(f"dask task failed: {type(e).__name__}: {e}"))
                outcome = (row, None)
            handle(index, path, outcome)
            bar.advance(path)
    finally:
        client.close()


class _Progress:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.progress = total, enabled, None

    def start(self) -> None:
        if not self.enabled or self.progress is not None:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
            TimeRemainingColumn

        console = Console(stderr=True)
        if not console.is_terminal:
            self.enabled = False
            return
        self.progress = Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TimeRemainingColumn(), TextColumn("{task.description}"), console=console,
                                 transient=True)
        self.task = self.progress.add_task("", total=self.total)
        self.progress.start()

    def advance(self, path: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=Path(path).name[:40])

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

