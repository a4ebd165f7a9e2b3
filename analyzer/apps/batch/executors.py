"""Where the bundles are analyzed: ``run_local`` (a process pool on this machine) or ``run_dask`` (one task
per bundle on a dask.distributed cluster). Both run ``analyze_one`` and call ``handle(index, path, outcome)``
in the parent as bundles finish, in completion order."""
from __future__ import annotations

import gc
import os
import queue
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from azlog_vmbackup.analyzer.apps.batch.errors import BatchError, one_line
from azlog_vmbackup.analyzer.apps.batch.progress import ProgressBar
from azlog_vmbackup.analyzer.apps.batch.rows import Settings, analyze_one, empty_row, knowledge_for
from azlog_vmbackup.analyzer.apps.batch.stopping import GRACE_SECONDS, StopRequest, watch_parent
from azlog_vmbackup.core.extras import install_hint

EXECUTORS = ("local", "dask")
Todo = list[tuple[int, str, str | None]]  # (index, path as given, sha256 when known)
Handle = Callable[[int, str, tuple[dict, dict | None]], None]


def run_local(todo: Todo, jobs: int | None, settings: Settings, handle: Handle, bar: ProgressBar,
              stop: StopRequest) -> int:
    """ProcessPoolExecutor; returns how many bundles got no row because a worker died. When ``stop`` is
    requested, no more bundles are started and the running ones get ``GRACE_SECONDS`` to finish."""
    import multiprocessing

    if multiprocessing.get_start_method(allow_none=False) == "fork":
        _warm(knowledge_for(settings.signatures), settings.engine)
        gc.freeze()  # what the workers inherit stays shared, and no collection (nor their exit) walks it
    lost = 0
    pool = ProcessPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1), initializer=_init_worker,
                               initargs=(settings,))
    finished = False
    try:
        # everything is submitted (and the workers started) before the progress bar's thread exists;
        # largest first, so no worker is left with a big bundle while the others have finished
        futures = {pool.submit(analyze_one, os.path.abspath(path), digest, settings): (index, path)
                   for index, path, digest in sorted(todo, key=_largest_first)}
        finishing: queue.SimpleQueue = queue.SimpleQueue()  # futures as they finish: no scan of the pending ones
        for future in futures:
            future.add_done_callback(finishing.put)
        bar.start()
        left, deadline = len(futures), None
        while left:
            try:
                future = finishing.get(timeout=0.2)
            except queue.Empty:
                future = None
            if future is not None:
                left -= 1
                if not future.cancelled():
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        lost += 1
                    else:
                        index, path = futures[future]
                        handle(index, path, outcome)
                        bar.advance(path)
            if stop.requested and deadline is None:
                deadline = time.monotonic() + GRACE_SECONDS
                for queued in futures:
                    queued.cancel()  # the queued ones; the running ones go on
            if deadline is not None and (stop.abandon or time.monotonic() > deadline):
                break
        finished = not left
    finally:
        if not finished:  # stopped, or a row could not be written: the workers go now
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.kill()
            for process in processes:
                process.join(timeout=GRACE_SECONDS)
    pool.shutdown()
    return lost


def run_dask(todo: Todo, scheduler: str, settings: Settings, handle: Handle, bar: ProgressBar,
             stop: StopRequest) -> None:
    """One task per bundle on the cluster at ``scheduler``; ``Knowledge`` is cached per worker process."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise BatchError(f"the dask executor needs dask.distributed: {install_hint('dask')}") from None
    try:
        client = Client(scheduler, timeout="15s")
    except (OSError, TimeoutError, ValueError) as e:
        raise BatchError(f"cannot reach the dask scheduler {scheduler}: {one_line(str(e))[:200]}") from None
    try:
        futures = {client.submit(analyze_one, os.path.abspath(path), digest, settings, pure=False,
                                 key=f"azlog-batch-{index}-{os.getpid()}-{time.time_ns()}"): (index, path)
                   for index, path, digest in todo}
        bar.start()
        for future in as_completed(list(futures)):
            if stop.requested:  # the running tasks are abandoned: their bundles have no row yet
                client.cancel(list(futures))
                break
            index, path = futures.pop(future)
            try:
                outcome = future.result()
            except Exception as e:  # noqa: BLE001 - a lost worker: an error row, the batch goes on
                row = empty_row(path)
                row.update(status="error", message=one_line(f"dask task failed: {type(e).__name__}: {e}"))
                outcome = (row, None)
            handle(index, path, outcome)
            bar.advance(path)
    finally:
        client.close()


def _init_worker(settings: Settings) -> None:
    """ProcessPoolExecutor initializer: Knowledge loaded once; Ctrl-C is the parent's business, and the worker
    ends with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent()
    knowledge_for(settings.signatures)


def _largest_first(item: tuple[int, str, str | None]) -> tuple[int, int]:
    index, path, _ = item
    try:
        return -os.path.getsize(path), index
    except OSError:
        return 0, index


def _warm(knowledge, engine: str | None) -> None:
    """Before forking: import every parser, compile its regexes, and let the matcher compile the engine's
    signature set once in the parent (with the workers' matching engine), so forked workers start warm instead
    of each paying it on its first bundle (each signature's own regex compiles where it is first searched)."""
    import importlib

    from azlog_vmbackup.analyzer.apps.analyze import analyze_text
    from azlog_vmbackup.parsers import registry
    from azlog_vmbackup.parsers.base import Lazy

    try:
        names = dict.fromkeys([*(s.parser for s in (*registry.TABLE, registry.TEXT) if s.parser), *registry.SNIFFERS])
        for module in (importlib.import_module(f"azlog_vmbackup.parsers.{name}") for name in names):
            for value in vars(module).values():
                if isinstance(value, Lazy):
                    value.compiled()
        analyze_text("warm-up.log", "2026-01-01T00:00:00Z ERROR warm-up\n", knowledge, engine=engine)
    except Exception:  # noqa: BLE001 - only a speed-up; the workers do it themselves otherwise
        pass

