"""Many bundles, one table: ``azlog batch INPUTS... --out results.{csv,parquet,jsonl}``.

Each bundle goes through ``analyze()`` in a worker (a process of a ``ProcessPoolExecutor``, or a task on a
dask.distributed cluster: the executor); every worker loads ``Knowledge`` once. One row per bundle
(``rows.COLUMNS``); a bundle that cannot be read is a row with status ``error`` and the batch goes on.

A row is the bundle's path (as given; ``path_raw`` keeps a name that is not UTF-8 exactly) and its sha256:
``--resume`` keeps the rows of bundles unchanged since, re-runs errors (``retry_errors``) and changed bundles
and replaces their rows; a bundle identical to one already analyzed gets a copy of that analysis.

The modules: ``inputs`` (which bundles, their names and sha256), ``rows`` (the table, the work of one bundle),
``executors`` (local processes or dask), ``writers`` (csv, jsonl, parquet; resume; whole rows only),
``stopping`` (SIGINT and SIGTERM; workers end with the batch), ``mining`` (templates of the unexplained ERROR
and WARNING lines, for ``--unknown``), ``progress`` and ``errors``.
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
from azlog_vmbackup.analyzer.apps.batch.inputs import digest_or_none, display, expand, raw_form
from azlog_vmbackup.analyzer.apps.batch.mining import Miner
from azlog_vmbackup.analyzer.apps.batch.progress import ProgressBar
from azlog_vmbackup.analyzer.apps.batch.rows import Settings, knowledge_for
from azlog_vmbackup.analyzer.apps.batch.stopping import StopRequest
from azlog_vmbackup.analyzer.apps.batch.writers import (
    UNKNOWN_SUFFIXES,
    WriteFailed,
    check_writable,
    open_table,
    write_unknown,
)
from azlog_vmbackup.analyzer.matching import engines
from azlog_vmbackup.core.bundle import Limits

__all__ = ["BatchError", "Summary", "run"]


@dataclass
class Summary:
    """What a run did; ``text()`` is what the command line prints on stderr."""

    rows: list[dict] = field(default_factory=list)   # this run's rows (completion order)
    skipped: int = 0                                  # already in the output, unchanged (resume)
    replaced: int = 0                                 # rows written again: errors retried, content changed
    reused: int = 0                                   # rows copied from an identical bundle's analysis
    left_out: list[tuple[str, str]] = field(default_factory=list)  # inputs that are not bundles, and why
    lost: int = 0                                     # no row: a worker died
    unfinished: int = 0                               # no row: the run was stopped first
    stopped: str = ""                                 # the signal that stopped the run (SIGINT, SIGTERM)
    exit_code: int = 0                                # 128 + that signal's number
    failure: str = ""                                 # why writing stopped (a full disk)
    templates: int | None = None
    mining: str = ""                                  # what grouped the templates (Miner.method)
    seconds: float = 0.0

    @property
    def all_failed(self) -> bool:
        return bool(self.rows) and all(r["status"] == "error" for r in self.rows) and not self.skipped

    def text(self, out: Path, unknown: Path | None = None) -> str:
        errors = [r for r in self.rows if r["status"] == "error"]
        head = (f"{_count(len(self.rows), 'bundle')} in {self.seconds:.1f} s: {len(self.rows) - len(errors)} ok, "
                f"{len(errors)} {'error' if len(errors) == 1 else 'errors'}")
        if self.skipped:
            head += f", {self.skipped} already in {out.name} (skipped)"
        if self.replaced:
            head += f", {self.replaced} rows replaced (errors retried or bundles changed)"
        if self.reused:
            head += f", {self.reused} identical to another bundle (analysis reused)"
        lines = [head + f"; rows in {display(str(out))}"]
        causes = Counter(r["cause"] or "(no cause)" for r in self.rows if r["status"] == "ok")
        for cause, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {cause:40} {n}")
        if errors:
            lines.append("errors:")
            lines += [f"  {r['path']}: {r['message']}" for r in errors[:20]]
            if len(errors) > 20:
                lines.append(f"  ... and {len(errors) - 20} more")
        if self.left_out:
            lines.append(f"not bundles ({len(self.left_out)}, no row):")
            lines += [f"  {display(path)}: {why}" for path, why in self.left_out[:20]]
            if len(self.left_out) > 20:
                lines.append(f"  ... and {len(self.left_out) - 20} more")
        if self.lost:
            lines.append(f"{_count(self.lost, 'bundle')} got no row (a worker process died); "
                         "run the same command with --resume")
        if self.stopped:
            lines.append(f"stopped by {self.stopped}: {_count(self.unfinished, 'bundle')} not analyzed; every "
                         "finished row is in the table; run the same command with --resume to finish")
        if self.failure:
            lines.append(f"{self.failure}; the table ends with a whole row: free space, then run the same command "
                         "with --resume")
        if unknown is not None and self.templates is not None:
            lines.append(f"{self.templates} unknown-error templates (grouped by {self.mining}) in {unknown}")
        return "\n".join(lines)


def run(inputs: Iterable[str], out: Path, *, jobs: int | None = None, resume: bool = False,
        retry_errors: bool = True, unknown: Path | None = None, executor: str = "local",
        scheduler: str | None = None, engine: str | None = None, signatures: Iterable[str | Path] = (),
        limits: Limits = Limits(), progress: bool = False, warn: Callable[[str], None] = lambda m: None) -> Summary:
    """Analyze every bundle of ``inputs`` into ``out`` on the ``executor`` (local or dask), matching with
    ``engine`` (``engines.CHOICES``; None: the default). Raises ``BatchError`` before any work when the
    batch cannot run; bundles that fail become error rows. SIGINT and SIGTERM stop it cleanly (``Summary.stopped``);
    a row that cannot be written stops it too (``Summary.failure``)."""
    started = time.perf_counter()
    out = Path(out)
    unknown = Path(unknown) if unknown is not None else None
    if unknown is not None and unknown.suffix.lower() not in UNKNOWN_SUFFIXES:
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
    found = expand(inputs, outputs=[out] + ([unknown] if unknown is not None else []))
    for message in found.warnings:
        warn(message)
    if not found.bundles:
        raise BatchError("no bundles to analyze" + (f" ({len(found.skipped)} files are not bundles)"
                                                    if found.skipped else ""))
    check_writable(out, "the table")
    if unknown is not None:
        check_writable(unknown, "--unknown")
    table = open_table(out, resume)
    summary = Summary(left_out=found.skipped)
    with StopRequest() as stop:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            digests = list(pool.map(digest_or_none, found.bundles))
        plan = Plan.make(found.bundles, digests, table, retry_errors)
        summary.skipped, summary.replaced = len(plan.skip), len(plan.replace)
        table.drop(plan.replace)
        mined: dict[int, tuple[str, dict]] = {}

        def write(index: int, path: str, outcome: tuple[dict, dict | None]) -> None:
            row, lines = outcome
            row = {**row, "path": display(path), "path_raw": raw_form(path)}  # as given (the worker had it absolute)
            table.write(row)
            summary.rows.append(row)
            if lines:
                mined[index] = (path, lines)

        def handle(index: int, path: str, outcome: tuple[dict, dict | None]) -> None:
            write(index, path, outcome)
            for copy_index, copy_path in plan.copies.get(index, ()):
                write(copy_index, copy_path, outcome)
                summary.reused += 1

        bar = ProgressBar(len(plan.todo), progress)
        try:
            for index, path, row in plan.reuse:
                write(index, path, (row, None))
                summary.reused += 1
            if executor == "dask":
                run_dask(plan.todo, scheduler, settings, handle, bar, stop)
            else:
                summary.lost = run_local(plan.todo, jobs, settings, handle, bar, stop)
        except WriteFailed as e:
            summary.failure = str(e)
        finally:
            bar.stop()
            try:
                table.close()
            except OSError as e:
                summary.failure = summary.failure or f"cannot write {display(str(out))}: {e.strerror or e}"
        summary.stopped, summary.exit_code = stop.name, stop.exit_code
        summary.unfinished = plan.bundles - summary.skipped - len(summary.rows) - summary.lost
        if unknown is not None and not summary.failure:
            miner = Miner()
            for index in sorted(mined):
                miner.add(*mined[index])
            rows = miner.rows()
            try:
                write_unknown(rows, unknown)
            except OSError as e:
                summary.failure = f"cannot write {display(str(unknown))}: {e.strerror or e}"
            else:
                summary.templates, summary.mining = len(rows), miner.method
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class Plan:
    """Which bundles to analyze, which rows to keep (resume), which to replace, and which bundles share an
    analysis: a bundle identical (same sha256) to one analyzed in this run, or to an ok row already in the
    table, gets a copy of that row under its own path."""

    bundles: int = 0
    todo: Todo = field(default_factory=list)
    skip: set[str] = field(default_factory=set)          # keys whose row stays
    replace: set[str] = field(default_factory=set)       # keys whose row is dropped and written again
    reuse: list[tuple[int, str, dict]] = field(default_factory=list)
    copies: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    @classmethod
    def make(cls, bundles: list[str], digests: list[str | None], table, retry_errors: bool) -> Plan:
        plan = cls(bundles=len(bundles))
        first: dict[str, int] = {}
        for index, (path, digest) in enumerate(zip(bundles, digests, strict=True)):
            key = os.path.normpath(path)
            before = table.previous.get(key)
            if before is not None:
                if before.sha256 == (digest or "") and (before.status == "ok" or not retry_errors):
                    plan.skip.add(key)
                    continue
                plan.replace.add(key)
            if digest is not None and digest in table.reusable:
                plan.reuse.append((index, path, table.reusable[digest]))
            elif digest is not None and digest in first:
                plan.copies.setdefault(first[digest], []).append((index, path))
            else:
                if digest is not None:
                    first[digest] = index
                plan.todo.append((index, path, digest))
        return plan


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
