"""Stopping a batch cleanly: Ctrl-C (SIGINT) and SIGTERM ask the batch to stop (``StopRequest``), and its
workers end when the batch process is gone, however it ended (``watch_parent``).

>>> with StopRequest() as stop:
...     os.kill(os.getpid(), signal.SIGTERM)
...     stop.signum == signal.SIGTERM, stop.exit_code
(True, 143)
"""
from __future__ import annotations

import os
import signal
import threading
import time

GRACE_SECONDS = 5.0         # how long bundles already running may take to finish after a stop is asked
PARENT_POLL_SECONDS = 0.5   # how often a worker looks whether the batch process is still there


class StopRequest:
    """While active (``with``), SIGINT and SIGTERM set ``signum`` instead of ending the process; a second
    signal ``abandon``s the grace period. Outside the main thread it does nothing (signals go there only)."""

    def __init__(self):
        self.signum: int | None = None
        self.abandon = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum, frame) -> None:
        if self.signum is not None:
            self.abandon = True
        self.signum = signum

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process a signal ended: 130 (SIGINT), 143 (SIGTERM)."""
        return 128 + self.signum if self.signum else 0


def watch_parent() -> None:
    """In a worker process: end it as soon as the process that started it is gone (killed, crashed), so no
    worker outlives the batch or holds its output pipes open."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="azlog-parent-watch", daemon=True).start()
