"""A large plain log's first pieces scanned while azlog starts up, on the core that would otherwise idle.

``azlog analyze waagent.log`` spends its first 60-80 ms on one core, importing
the analysis and loading the knowledge, before the skimmer forks its scanning
processes. ``begin`` (the command line calls it before those imports) forks
one process that cuts the log into pieces and scans them as a scanning
process would (``pieces``), for the spec that the log's name points at in the
plan written ahead (``hyperscan_store.PLAN``, by ``precompiled``: each skimmed spec's paths, record
start, ``latest`` triggers and their literals, and whole-buffer database). It needs
only Hyperscan and that database, so it starts scanning within milliseconds.

When the skimmer comes to that file, ``take`` stops the process and hands
over the scans it finished, if the file is the one it scanned (unchanged),
and the database, the record start and the triggers are the ones the
skimmer would have used; the skimmer uses a scan only for a piece it cuts
alike (the process cuts at the ``start`` regex alone, the skimmer asks the
parser too where it does not match), and scans the others as usual. So a
head start changes no result, only when the scans are done.

The process scans at most ``PIECES`` pieces. After a dense one (a failing VM's
repeated error: the skimmer's own scans mask its copies in bulk once it knows
them) it only prepares the next pieces (``PieceScan.prepare``: the ``latest``
triggers' last lines and the line index, what a scan finds whatever is hot),
up to ``PREPARED`` pieces in all, which the skimmer's scanning processes then
take instead of doing it. It stops when told, or when its parent is gone.
What it made goes back through shared memory of ``ROOM`` bytes, each
announced on a pipe once written.

Sample: of a 100 MB routine waagent.log, the first 12-16 pieces are scanned
before the skimmer starts.
"""
from __future__ import annotations

import os
import re
import stat
import struct
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import mmap

    from azlog_vmbackup.analyzer.matching.pieces import PieceScan

MIN_SIZE = 8 << 20  # a smaller log is scanned by the skimmer's processes soon enough
PIECES = 32  # at most this many pieces scanned ahead (64 MiB: about 0.1 s of a core)
PREPARED = 128  # at most this many pieces scanned or prepared (a piece is prepared in a third of a scan's time)
ROOM = 64 << 20  # shared memory for their scans (only what is written is ever mapped in)
_ANNOUNCE = struct.Struct("<QQ")  # (offset, length) of a scan written to the shared memory


class _Started(NamedTuple):
    """A head start under way: its process, what it scans, and the ends of its shared memory and pipes."""

    pid: int
    file: tuple[int, int, int, int]  # (device, inode, size, modification time): the file it scans
    spec: dict  # the plan's entry it scans with
    scans: mmap.mmap
    stop: int  # the pipe's end that, closed, stops it
    announced: int  # the pipe's end where each scan written is announced


_started: _Started | None = None


def begin(path: str | os.PathLike, engine: str | None = None) -> None:
    """Start scanning the plain file at ``path`` when it is large, the plan names its spec, the engine the
    analysis will use (``engines.chosen(engine)``) is Hyperscan's and a process may be forked here
    (``scanners.forkable``); else nothing."""
    global _started
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return
    if _started is not None or not stat.S_ISREG(found.st_mode) or found.st_size < MIN_SIZE:
        return
    from azlog_vmbackup.analyzer.matching import engines, scanners

    if engines.chosen(engine) not in (engines.AUTO, "hyperscan") or not scanners.forkable():
        return
    spec = _spec_of(os.path.basename(os.fspath(path)))
    if spec is None:
        return
    try:
        import mmap

        import hyperscan  # noqa: F401 - imported here, for the process forked below and the analysis alike
    except ImportError:
        return
    scans = mmap.mmap(-1, ROOM)
    stop_read, stop = os.pipe()
    announced, announce = os.pipe()
    pid = scanners.fork_quietly()
    if pid == 0:  # it never returns
        os.close(stop)
        os.close(announced)
        _scan_ahead(os.fspath(path), found.st_size, spec, scans, stop_read, announce)
    os.close(stop_read)
    os.close(announce)
    _started = _Started(pid, _identity(found), spec, scans, stop, announced)


def take(file: int, scan: PieceScan, start: str | None, key: str | None, piece: int,
         tail: int) -> tuple[dict[int, tuple[int, tuple | None]], dict[int, tuple[int, tuple]]]:
    """Stop the head start and hand over its scans and what it prepared (``PieceScan.prepared``), each by the byte
    where its piece starts, with where the piece ends: those of the plain file open as ``file``, when it is the
    file it scanned, unchanged, and it scanned as ``scan`` would (the same ``latest`` triggers and their
    literals), with the same record ``start`` regex, whole-buffer database (the ``key`` of the skimmer's
    ``BufferScan``) and ``piece`` and ``tail`` sizes; else nothing."""
    global _started
    started, _started = _started, None
    if started is None:
        return {}, {}
    import pickle

    from azlog_vmbackup.analyzer.matching import pieces

    os.close(started.stop)
    try:
        os.set_blocking(started.announced, False)
        announced = b""
        while True:
            try:
                data = os.read(started.announced, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            announced += data
        spec = started.spec
        if (started.file != _identity(os.fstat(file)) or spec["start"] != start or spec["key"] != key
                or tuple(spec["latest"]) != tuple(scan.latest) or _triggers(spec) != scan.triggers
                or (piece, tail) != (pieces.PIECE, pieces.TAIL)):
            return {}, {}
        scans, prepared = {}, {}
        with memoryview(started.scans) as view:  # (read where they lie: a region's bytes are copied once)
            for offset, length in _ANNOUNCE.iter_unpack(announced[:len(announced) - len(announced) % _ANNOUNCE.size]):
                try:
                    at, end, scanned, made = pickle.loads(view[offset:offset + length])
                except (pickle.UnpicklingError, EOFError, ValueError, TypeError):  # never written whole: none
                    return {}, {}
                (scans if scanned else prepared)[at] = end, made
        return scans, prepared
    finally:
        os.close(started.announced)
        _end(started.pid)
        started.scans.close()


def _end(pid: int) -> None:
    """End the process ``pid`` (it may be in the middle of a scan no one will read) and reap it."""
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _spec_of(name: str) -> dict | None:
    """The plan's entry of the first skimmed spec whose paths ``name`` (a file's name) is one of: a guess, made
    without the path table (the analysis classifies the file; ``take`` hands nothing over when it is not the
    same spec's)."""
    import json

    from azlog_vmbackup.analyzer.matching import hyperscan_store

    try:
        plan = json.loads((hyperscan_store.folder() / hyperscan_store.PLAN).read_text(encoding="utf-8"))
        name = name.lower()
        return next((spec for spec in plan["specs"] if name.isascii() and re.search(spec["path"], name)), None)
    except (OSError, ValueError, KeyError, TypeError, re.error):
        return None


def _triggers(spec: dict) -> tuple[tuple[bytes, ...], ...]:
    return tuple(tuple(x.encode("ascii") for x in literals) for literals in spec["triggers"])


def _identity(found: os.stat_result) -> tuple[int, int, int, int]:
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def _scan_ahead(path: str, size: int, spec: dict, scans: mmap.mmap, stop: int, announce: int) -> None:
    """The head start's process: scan the pieces of the file at ``path`` in turn, each pickled into ``scans`` and
    announced on ``announce``, ``PIECES`` at most; after a dense piece (``pieces.DENSE``), prepare the next ones,
    ``PREPARED`` pieces in all at most; stop when told to (the ``stop`` pipe is closed), at a piece that is not
    plain ASCII, or when ``scans`` is full; then exit at once."""
    import pickle
    import signal

    from azlog_vmbackup.analyzer.matching import hyperscan_engine, pieces, scanners

    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        os.set_blocking(stop, False)
        scanners.keep_freed_memory()  # as a scanning process does: each piece's buffers are made again
        buffer = hyperscan_engine.stored_buffer_scan(spec["key"])
        if buffer is None:
            return
        scan = pieces.PieceScan(buffer, _triggers(spec), tuple(spec["latest"]), placed=True)
        cutter = pieces.Cutter(re.compile(spec["start"].encode()), None, pieces.PIECE, pieces.TAIL)
        fd = os.open(path, os.O_RDONLY)

        def read(at: int, length: int) -> bytes:
            return scanners.whole(os.pread(fd, length, at), at, length)

        written, dense = 0, False
        for count, (at, end, _final) in enumerate(cutter.cuts(read, size)):
            if end is None or count == (PREPARED if dense else PIECES) or _told(stop):
                break
            piece = read(at, end - at)
            if not pieces.plain(piece):  # read line by line
                break
            made = scan.prepare(piece) if dense else scan(piece, [], True)
            data = pickle.dumps((at, end, not dense, made), -1)
            if written + len(data) > len(scans):
                break
            scans[written:written + len(data)] = data
            os.write(announce, _ANNOUNCE.pack(written, len(data)))
            written += len(data)
            dense = dense or len(made[1]) > pieces.DENSE
    except BaseException:  # noqa: BLE001 - nothing of this process's own reaches the terminal
        code = 1
    finally:
        os._exit(code)


def _told(stop: int) -> bool:
    """Whether the pipe ``stop`` (its reading end, not blocking) was closed: told to stop, or the parent is gone."""
    try:
        return os.read(stop, 1) == b""
    except BlockingIOError:
        return False
