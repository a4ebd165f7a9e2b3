"""Many bundles, one table: ``azlog batch INPUTS... --out results.{csv,parquet,jsonl}``.

Each bundle goes through ``analyze()`` in a worker (a process of a ``ProcessPoolExecutor``, or a task on a
dask.distributed cluster: the executor); every worker loads ``Knowledge`` once. One row per bundle
(``rows.COLUMNS``); a bundle that cannot be read is a row with status ``error`` and the batch goes on.

The modules: ``inputs`` (which bundles, their sha256), ``rows`` (the table, the work of one bundle),
``executors`` (local processes or dask), ``writers`` (csv, jsonl, parquet; resume), ``mining`` (templates of
the unexplained ERROR and WARNING lines, for ``--unknown``), ``progress`` and ``errors``.
"""
from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from azlog_vmbackup.analyzer.apps.batch.errors import BatchError
from azlog_vmbackup.analyzer.apps.batch.executors import EXECUTORS, Todo, run_dask, run_local
from azlog_vmbackup.analyzer.apps.batch.inputs import digest_or_none, expand
from azlog_vmbackup.analyzer.apps.batch.mining import Miner
from azlog_vmbackup.analyzer.apps.batch.progress import ProgressBar
from azlog_vmbackup.analyzer.apps.batch.rows import Settings, knowledge_for
from azlog_vmbackup.analyzer.apps.batch.writers import UNKNOWN_SUFFIXES, open_writer, write_unknown
from azlog_vmbackup.analyzer.matching import engines
from azlog_vmbackup.core.bundle import Limits

__all__ = ["BatchError", "Summary", "run"]


@dataclass
class Summary:
    """What a run did; ``text()`` is what the command line prints on stderr."""

    rows: list[dict] = field(default_factory=list)   # this run's rows (completion order)
    skipped: int = 0                                  # already in the output (resume)
    lost: int = 0                                     # no row: a worker died
    templates: int | None = None
    mining: str = ""                                  # what grouped the templates (Miner.method)
    seconds: float = 0.0

    def text(self, out: Path, unknown: Path | None = None) -> str:
        errors = [r for r in self.rows if r["status"] == "error"]
        head = (f"{len(self.rows)} bundles in {self.seconds:.1f} s: {len(self.rows) - len(errors)} ok, "
                f"{len(errors)} errors")
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
            lines.append(f"{self.templates} unknown-error templates (grouped by {self.mining}) in {unknown}")
        return "\n".join(lines)


def run(inputs: Iterable[str], out: Path, *, jobs: int | None = None, resume: bool = False,
        unknown: Path | None = None, executor: str = "local", scheduler: str | None = None,
        engine: str | None = None, signatures: Iterable[str | Path] = (), limits: Limits = Limits(),
        progress: bool = False, warn: Callable[[str], None] = lambda m: None) -> Summary:
    """Analyze every bundle of ``inputs`` into ``out`` on the ``executor`` (local or dask), matching with
    ``engine`` (``engines.CHOICES``; None: the default). Raises ``BatchError`` before any work when the
    batch cannot run; bundles that fail become error rows."""
    started = time.perf_counter()
    out = Path(out)
    if unknown is not None and Path(unknown).suffix.lower() not in UNKNOWN_SUFFIXES:
        raise BatchError(f"--unknown must end with {' or '.join(UNKNOWN_SUFFIXES)}")
    if executor not in EXECUTORS:
        raise BatchError(f"unknown executor {executor!r}: {' or '.join(EXECUTORS)}")
    if executor == "dask" and not scheduler:
        raise BatchError("--executor dask needs --scheduler tcp://HOST:PORT")
    try:
        engines.get(engine)
    except (ValueError, RuntimeError) as e:
        raise BatchError(str(e)) from None
    settings = Settings(tuple(os.path.abspath(p) for p in signatures), limits, unknown is not None, engine)
    knowledge_for(settings.signatures)  # a bad signature file stops the batch here, not once per bundle
    bundles, warnings = expand(inputs)
    for message in warnings:
        warn(message)
    if not bundles:
        raise BatchError("no bundles to analyze")
    writer = open_writer(out, resume)
    summary = Summary()
    todo: Todo = []
    if writer.done:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            digests = list(pool.map(digest_or_none, bundles))
        for i, (path, digest) in enumerate(zip(bundles, digests, strict=True)):
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

    bar = ProgressBar(len(todo), progress)
    try:
        if executor == "dask":
            run_dask(todo, scheduler, settings, handle, bar)
        else:
            summary.lost = run_local(todo, jobs, settings, handle, bar)
    finally:
        bar.stop()
        writer.close()
    if unknown is not None:
        miner = Miner()
        for index in sorted(mined):
            miner.add(*mined[index])
        rows = miner.rows()
        write_unknown(rows, Path(unknown))
        summary.templates, summary.mining = len(rows), miner.method
    summary.seconds = time.perf_counter() - started
    return summary
