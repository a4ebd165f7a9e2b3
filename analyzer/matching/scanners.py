"""Where a skimmed log's pieces are scanned (``matching.skim``): on threads, or on forked processes.

The skimmer hands each piece and its hot keys (and, for a plain file, where the
piece lies in it) to ``submit`` and later asks the
returned handle for the ``result()`` of its scan function, in the order the
pieces were given; ``close`` ends the helpers. The scan function's third
argument says whether it runs apart from the parsing thread (in a process),
where work it could leave to that thread costs nothing; its last, where a
plain file's piece lies in it (else None).

- ``Threads``: ``AHEAD`` threads of this process. Hyperscan lets go of the
  interpreter lock while it scans, the rest of a scan (the ASCII check, the
  bulk search and masking of hot copies) holds it, so a failing log's pieces
  use a little more than one core.
- ``Processes``: ``PROCESSES`` processes forked at the start of a large
  member, each taking every other piece. A piece of a plain file is read by
  the process itself, at its place in the file (the descriptor is inherited);
  any other piece goes to them through a ring of shared memory (``SLOTS``
  places, each used again once its scan came back). The request (where the
  piece lies and the hot keys, with their stamps' lengths) and the result
  (plain data) go through pipes, as pickles. The scan function is the same,
  inherited by the fork with everything it reads, so the result is the same
  as on a thread.

``open_scans`` forks only where it is safe and pays: on Linux, with at least two
cores for this process, ``PROCESSES`` not 0, from a process that runs no
other thread (but those it was told of with ``tolerating``: a terminal
spinner's, which only draws) and is not itself a worker of a process pool (a
batch's workers already keep the cores busy). Elsewhere, or when a fork is
refused, it gives threads.

Sample: a 1 GB waagent.log is scanned by two processes while this one parses
the few records their scans point at.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections import deque
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

if TYPE_CHECKING:
    from concurrent.futures import Future

# pickle and mmap are imported where processes are made, before they fork: a small bundle never needs them

AHEAD = 2  # threads scanning ahead
PROCESSES = 2  # scanning processes for a large member (0: threads only)
PIPE_BYTES = 1 << 20  # a pipe's room: a failing log's answer (its copies' places and stamps) is some 100 KB
SLOTS = 3  # pieces a ring of shared memory holds for the processes (more measured no quicker, and larger)

# (piece, hot keys, apart, where the piece lies in a plain file or None) -> what the skimmer reads
Scan = Callable[[bytes, list, bool, "int | None"], object]
_TOLERATED: set[threading.Thread] = set()  # threads a fork may leave behind: they touch nothing a scan uses


class Pending(Protocol):
    """A piece's scan as ``submit`` gives it: a thread's ``Future`` or a process's ``_Reply``."""

    def result(self):
        """What the scan found (waiting for it), or the exception it raised."""


class Ready:
    """A scan already made (``head_start``'s), as ``submit`` would give it."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class Threads:
    """Scans on ``AHEAD`` threads; a piece may also be scanned in line (``now``)."""

    separate = False  # the scans share this process's interpreter lock
    ahead = AHEAD

    def __init__(self, scan: Scan):
        from concurrent.futures import ThreadPoolExecutor

        self.scan = scan
        self.pool = ThreadPoolExecutor(AHEAD, thread_name_prefix="azlog-scan")

    def submit(self, piece: bytes, hot: list, at: int | None = None) -> Future:
        return self.pool.submit(self.scan, piece, hot, False, at)

    def now(self, piece: bytes, hot: list) -> Future:
        """The scan of ``piece`` done on this thread."""
        from concurrent.futures import Future

        done = Future()
        done.set_result(self.scan(piece, hot, False, None))
        return done

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class ScanFailed(OSError):
    """A scanning process ended or failed; the message says how."""


class _Channel:
    """One way of a pipe, carrying pickles (each says where it ends)."""

    __slots__ = ("file", "dump", "load")

    def __init__(self, fd: int, mode: str):
        import pickle  # made before the fork: a scanning process starts with it loaded

        self.file = os.fdopen(fd, mode)
        self.dump, self.load = pickle.dump, pickle.load

    def send(self, value) -> None:
        self.dump(value, self.file, -1)  # the highest protocol
        self.file.flush()

    def recv(self):
        return self.load(self.file)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


def _pipe() -> tuple[_Channel, _Channel]:
    """A pipe's reading and writing ends, widened (where the system lets it) to ``PIPE_BYTES`` so a scan's answer
    is written whole before the parent reads it and the process goes on to its next piece."""
    import fcntl  # POSIX only, as forking is

    read, write = os.pipe()
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return _Channel(read, "rb"), _Channel(write, "wb")


class _Reply:
    """The scan of one piece, received from its process when first asked for."""

    __slots__ = ("channel", "value", "ready")

    def __init__(self, channel: _Channel):
        self.channel, self.value, self.ready = channel, None, False

    def result(self):
        if not self.ready:
            import pickle

            try:
                ok, value = self.channel.recv()
            except (EOFError, OSError, pickle.UnpicklingError) as e:
                raise ScanFailed(f"a scanning process ended unexpectedly ({type(e).__name__})") from None
            if not ok:
                raise ScanFailed(f"a scanning process failed: {value}")
            self.value, self.ready = value, True
        return self.value


class Processes:
    """Scans by ``count`` forked processes that read each piece from ``file`` (a plain file's descriptor) at the
    place ``submit`` names, else from a ring of shared memory of ``SLOTS`` places of ``size`` bytes (the largest
    piece) that ``submit`` writes; requests and answers go through pipes, as pickles.

    >>> parent = os.getpid()
    >>> scans = Processes(lambda piece, hot, apart, at: (piece.count(b"a"), hot, apart and os.getpid() != parent),
    ...                   64, count=2)
    >>> [reply.result() for reply in [scans.submit(b"abca" * n, [n]) for n in (1, 2, 3)]]
    [(2, [1], True), (4, [2], True), (6, [3], True)]
    >>> scans.close()
    """

    separate = True
    ahead = SLOTS - 1  # pieces scanned ahead of the one being read: each slot's last scan came back first (more,
    # for a plain file's pieces, which need no slot, measured no quicker: they go out before what is hot is known)

    def __init__(self, scan: Scan, size: int, count: int = PROCESSES, file: int | None = None):
        if file is None:  # this process reads the pieces too (into the ring): both keep freed buffers
            keep_freed_memory()
        self.size, self.given, self.file, self.closed = size, 0, file, False
        self.recent: deque[_Reply] = deque(maxlen=SLOTS)  # the last scan given for each slot
        self.ring = None  # anonymous and shared: the forks see what is written (none for a file's pieces)
        if file is None:
            import mmap

            self.ring = mmap.mmap(-1, size * SLOTS)
        self.workers: list[tuple[int, _Channel, _Channel]] = []  # (pid, requests to it, its answers)
        try:
            for _ in range(count):
                (asked, ask), (answers, answer) = _pipe(), _pipe()
                pid = fork_quietly()
                if pid == 0:  # the scanning process: it never returns
                    for _, *others in self.workers:  # the others' pipes are the parent's alone
                        for channel in others:
                            channel.close()
                    ask.close()
                    answers.close()
                    if file is not None:  # (set here, where only the scanning processes pay for it)
                        keep_freed_memory()
                    _serve(asked, answer, self._reader(), scan, file is not None)
                asked.close()
                answer.close()
                self.workers.append((pid, ask, answers))
        except BaseException:
            self.close()
            raise

    def submit(self, piece: bytes, hot: list, at: int | None = None) -> _Reply:
        """Scan ``piece``, which lies at byte ``at`` of the ``file`` the processes read, else is written to the
        next slot of the ring (at most ``size`` bytes), where every scan of the ``SLOTS`` before must have been
        received."""
        if self.ring is not None and len(piece) > self.size:
            raise ValueError(f"a piece of {len(piece)} bytes is larger than a slot ({self.size})")
        if self.ring is not None and len(self.recent) == SLOTS and not self.recent[0].ready:
            raise RuntimeError(f"more than {SLOTS} scans pending")
        if self.ring is None:
            if at is None:
                raise ValueError("a piece of a file is scanned by where it lies")
            place = at
        else:
            place = self.given % SLOTS * self.size
            self.ring[place:place + len(piece)] = piece
        _, ask, answers = self.workers[self.given % len(self.workers)]
        try:
            ask.send((place, len(piece), hot))
        except OSError as e:
            raise ScanFailed(f"a scanning process ended unexpectedly ({type(e).__name__})") from None
        reply = _Reply(answers)
        self.recent.append(reply)
        self.given += 1
        return reply

    def _reader(self) -> Callable[[int, int], bytes]:
        """How a scanning process gets the ``length`` bytes of a piece at ``place`` (of the file, or of the ring)."""
        file, ring = self.file, self.ring
        if ring is None:
            return lambda place, length: whole(os.pread(file, length, place), place, length)
        return lambda place, length: ring[place:place + length]

    def close(self) -> None:
        """End the processes (each finishes the scan it is on, its results unread) and free the ring."""
        if self.closed:
            return
        self.closed = True
        for _, ask, answers in self.workers:
            with contextlib.suppress(OSError):
                ask.send(None)
            ask.close()
            answers.close()
        for pid, *_ in self.workers:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        if self.ring is not None:
            self.ring.close()


def keep_freed_memory() -> None:
    """Have the C library's allocator serve buffers of up to ``_HEAP_BLOCKS`` from its heap and keep what is
    freed there. Each piece's buffers (a few MiB: the piece read, joined, copied, masked) are freed and made
    again for the next; with glibc's defaults many were fresh pages mapped for each, and their faults took
    0.19 s of system time of the 1.2 s of CPU a 300 MB failing log needs. Set before the fork where this
    process copies the pieces into the ring (the scanning processes share it), else in each scanning process
    (which alone reads them); a long-lived process (the service's, a batch's worker) never forks them and
    keeps the defaults. Where the C library has no ``mallopt`` (musl, macOS), nothing changes."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return
    mallopt(_M_MMAP_THRESHOLD, _HEAP_BLOCKS)
    mallopt(_M_TRIM_THRESHOLD, 2 * _HEAP_BLOCKS)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_HEAP_BLOCKS = 32 << 20  # above a ring slot (a piece and a carry): glibc's highest mmap threshold


def _serve(asked: _Channel, answer: _Channel, read: Callable[[int, int], bytes], scan: Scan, placed: bool) -> None:
    """A scanning process: each request ``(place, length, hot)`` answered with ``(True, scan)`` or ``(False,
    what went wrong)``, until told to stop (None) or the pipe closes; then it exits at once (no clean-up of
    what it inherited: that is the parent's). ``placed``: a place is where the piece lies in a plain file."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        while (request := asked.recv()) is not None:
            place, length, hot = request
            try:
                reply = True, scan(read(place, length), hot, True, place if placed else None)
            except Exception as e:  # noqa: BLE001 - sent back in one line for the parent to report
                reply = False, f"{type(e).__name__}: {' '.join(str(e).split())[:200]}"
            answer.send(reply)
    except (EOFError, OSError):
        pass
    except BaseException:  # noqa: BLE001 - nothing of a scanning process's own reaches the terminal
        code = 1
    finally:
        os._exit(code)


def whole(piece: bytes, place: int, length: int) -> bytes:
    """``piece``, read as the ``length`` bytes at byte ``place`` of a file: an ``OSError`` when the file is shorter
    (it changed since its size was taken)."""
    if len(piece) < length:
        raise OSError(f"the file ends before byte {place + length}: it changed while it was read")
    return piece


def fork_quietly() -> int:
    """``os.fork()``, once this process's standard streams are flushed (nothing buffered is written twice)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    return os.fork()


def open_scans(scan: Scan, size: int, processes: int | None = None, file: int | None = None) -> Threads | Processes:
    """Scans of pieces of at most ``size`` bytes (of the plain ``file``, when given, which processes read
    themselves): ``processes`` forked processes (None: ``PROCESSES`` where ``forkable``), else (0, or when a
    fork fails) threads."""
    if processes is None:
        processes = PROCESSES if forkable() else 0
    if processes:
        try:
            return Processes(scan, size, processes, file)
        except OSError:  # no more processes allowed here (a container's limit): the same scans, on threads
            pass
    return Threads(scan)


@contextlib.contextmanager
def tolerating(threads: set[threading.Thread]) -> Iterator[None]:
    """While inside, ``threads`` do not keep scanning processes from being forked: the caller vouches that they
    hold no lock a scan takes (no regex compiling, no Hyperscan, no pipe of ours), as a terminal spinner's
    drawing thread does not."""
    _TOLERATED.update(threads)
    try:
        yield
    finally:
        _TOLERATED.difference_update(threads)


def forkable() -> bool:
    """Whether scanning processes may be forked here (see the module's text)."""
    if sys.platform != "linux":
        return False
    me = threading.current_thread()
    if any(t is not me and t not in _TOLERATED for t in threading.enumerate()):
        return False
    if len(os.sched_getaffinity(0)) < 2:
        return False
    multiprocessing = sys.modules.get("multiprocessing")  # a worker of a pool has it imported
    return multiprocessing is None or multiprocessing.parent_process() is None
