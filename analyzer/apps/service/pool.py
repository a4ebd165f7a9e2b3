"""The service's analysis workers: long-lived processes that load the knowledge once and run one job at a time,
with a time limit per job (a worker that overruns is killed and replaced) and a bounded queue (a full queue is
refused at once, so memory never grows with the load).

A job is a picklable ``(function name, kwargs)``; the worker runs ``JOBS[name](**kwargs, knowledge=...)``.

>>> pool = Pool(workers=1, queue=2, timeout=30)
>>> pool.run("explain", name="UserErrorFsFreezeFailed")["kind"]
'code'
>>> pool.close()
"""
from __future__ import annotations

import multiprocessing
import queue as queues
import signal
import threading
from dataclasses import dataclass
from typing import Any

from azlog_vmbackup.analyzer.apps.batch.stopping import watch_parent


class Busy(Exception):
    """Every worker is busy and the queue is full: come back later."""


class Overrun(Exception):
    """The job took longer than the time limit; its worker was replaced."""


class JobFailed(Exception):
    """The job raised: ``kind`` is the exception's class name (``BundleError`` for an unreadable bundle)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Any


def _serve(conn, signatures: tuple[str, ...]) -> None:
    """A worker's loop: knowledge loaded once, then one job after another until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent()
    from azlog_vmbackup.analyzer.apps.service.jobs import JOBS, knowledge

    known = knowledge(signatures)
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        name, kwargs = job
        try:
            conn.send(("ok", JOBS[name](known, **kwargs)))
        except Exception as e:  # noqa: BLE001 - the job's failure goes back to the request, the worker stays
            conn.send(("error", (type(e).__name__, " ".join(str(e).split())[:500])))


class Pool:
    """``workers`` processes, at most ``queue`` jobs waiting for one; ``run()`` blocks its thread until done."""

    def __init__(self, workers: int = 2, queue: int = 8, timeout: float = 120.0, signatures: tuple[str, ...] = ()):
        self.timeout, self.signatures = timeout, signatures
        # not fork: the service's process has threads (the event loop's pool), and a forked child could inherit
        # a lock one of them held; a fork server starts workers from a clean single-threaded process
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._idle: queues.Queue[_Worker] = queues.Queue()
        self._slots = threading.BoundedSemaphore(workers + queue)
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self.replaced = 0
        if self._context.get_start_method() == "forkserver":
            self._context.set_forkserver_preload(["azlog_vmbackup.analyzer.apps.service.jobs"])
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self.signatures), daemon=True,
                                        name="azlog-serve-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(120) or parent.recv()[0] != "ready":
            raise RuntimeError("an analysis worker did not start")
        with self._lock:
            self._workers.append(worker)
        return worker

    def alive(self) -> bool:
        with self._lock:
            return bool(self._workers) and all(w.process.is_alive() for w in self._workers)

    def run(self, job: str, **kwargs) -> Any:
        """The job's result; ``Busy`` when the queue is full, ``Overrun`` past the time limit, ``JobFailed``."""
        if not self._slots.acquire(blocking=False):
            raise Busy()
        try:
            worker = self._idle.get()
            try:
                worker.conn.send((job, kwargs))
                if not worker.conn.poll(self.timeout):
                    self._replace(worker)
                    worker = None
                    raise Overrun(f"the analysis took longer than {self.timeout:g} s")
                status, value = worker.conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self._replace(worker)
                worker = None
                raise JobFailed("WorkerDied", "the analysis worker died") from None
            finally:
                if worker is not None:
                    self._idle.put(worker)
            if status == "error":
                raise JobFailed(*value)
            return value
        finally:
            self._slots.release()

    def _replace(self, worker: _Worker | None) -> None:
        if worker is not None:
            worker.process.kill()
            worker.process.join(5)
            with self._lock:
                self._workers.remove(worker)
        self.replaced += 1
        self._idle.put(self._start())

    def close(self) -> None:
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for worker in workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
