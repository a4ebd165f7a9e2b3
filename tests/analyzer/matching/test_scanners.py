"""Scanning processes: they answer in order, say how they failed, never outlive their member, and are forked only
where it is safe."""
from __future__ import annotations

import io
import multiprocessing
import os
import re
import threading

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import pieces, scanners, skim
from azlog_vmbackup.analyzer.matching.pieces import PieceScan
from azlog_vmbackup.analyzer.matching.scanners import Processes, ScanFailed, Threads
from azlog_vmbackup.analyzer.matching.skim import Skimmer
from azlog_vmbackup.parsers import waagent_log

LINE = b"2026-11-01T00:%02d:%02d.000001Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.13.1.1 running\n"
LOG = b"".join(LINE % (n // 60 % 60, n % 60) for n in range(3000)) + (
    b"2026-11-01T01:00:00.000001Z ERROR ExtHandler ExtHandler Error fetching the goal state: [ProtocolError] "
    b"[HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out -- 6 attempts made\n")


def _spawned(monkeypatch) -> list[Processes]:
    """The ``Processes`` made from here on."""
    made = []
    init = Processes.__init__

    def recording(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Processes, "__init__", recording)
    return made


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_answers_come_back_in_order_from_other_processes():
    parent = os.getpid()
    scans = Processes(lambda piece, hot, apart, at: (piece[:2], hot, apart, os.getpid()), 16, count=2)
    try:
        replies = [scans.submit(b"%02d" % n, [n]) for n in range(3)]
        got = [reply.result() for reply in replies] + [scans.submit(b"03", [3]).result()]
    finally:
        scans.close()
    assert [g[:3] for g in got] == [(b"%02d" % n, [n], True) for n in range(4)]
    pids = [g[3] for g in got]
    assert parent not in pids and pids[0] != pids[1] and pids[0::2] == [pids[0]] * 2  # every other piece to each


def test_a_ring_slot_is_not_written_before_its_last_scan_came_back():
    scans = Processes(lambda piece, hot, apart, at: piece, 8, count=1)
    try:
        for _ in range(scans.ahead + 1):
            scans.submit(b"x", [])
        with pytest.raises(RuntimeError, match=f"more than {scanners.SLOTS} scans pending"):
            scans.submit(b"x", [])
        with pytest.raises(ValueError, match="larger than a slot"):
            scans.submit(b"123456789", [])
    finally:
        scans.close()


def test_a_failing_scan_is_said_in_one_line():
    def scan(piece, hot, apart, at):
        raise ValueError(f"no\nsuch {piece.decode()}")

    scans = Processes(scan, 8, count=1)
    try:
        with pytest.raises(ScanFailed, match=r"^a scanning process failed: ValueError: no such ab$"):
            scans.submit(b"ab", []).result()
    finally:
        scans.close()


def test_a_scanning_process_that_dies_is_said():
    scans = Processes(lambda piece, hot, apart, at: os._exit(9), 8, count=1)
    (pid, *_), = scans.workers
    try:
        with pytest.raises(ScanFailed, match=r"^a scanning process ended unexpectedly \(EOFError\)$"):
            scans.submit(b"ab", []).result()
    finally:
        scans.close()
    assert _gone(pid)


def test_a_member_whose_scan_fails_is_reported_not_raised(tmp_path, monkeypatch):
    log = tmp_path / "waagent.log"
    log.write_bytes(LOG)
    monkeypatch.setattr(skim, "PIECE", 8192)
    monkeypatch.setattr(scanners, "forkable", lambda: True)

    def failing(self, piece, hot, apart, at=None):
        raise ValueError("scanned badly")

    monkeypatch.setattr(PieceScan, "__call__", failing)
    made = _spawned(monkeypatch)
    result = analyze(log, Knowledge.load())
    assert [(e.path, e.message) for e in result.errors] == [
        ("waagent.log", "unreadable: a scanning process failed: ValueError: scanned badly")]
    assert made and all(_gone(pid) for scans in made for pid, *_ in scans.workers)


def test_processes_end_with_a_member_stopped_early(monkeypatch):
    made = _spawned(monkeypatch)
    calls = []

    def check():
        calls.append(1)
        if len(calls) == 3:
            raise TimeoutError("the bundle's time is up")

    skimmer = Skimmer(waagent_log.SKIM, _NoHits, piece=4096, tail=0, check=check, processes=2)
    lines = skimmer(io.BytesIO(LOG), 1000)
    with pytest.raises(TimeoutError):
        list(lines)
    (scans,) = made
    pids = [pid for pid, *_ in scans.workers]
    assert len(pids) == 2 and all(map(_gone, pids)) and scans.ring.closed


class _NoHits:
    """A buffer scan that finds nothing."""

    def scan(self, data):
        return []

    def occurrences(self, data, literals):
        return {x: [] for x in literals}


class _Errors(_NoHits):
    """A buffer scan that finds each ERROR line."""

    def scan(self, data):
        return [m.end() for m in re.finditer(rb"ERROR[^\n]*", data)]


def test_same_lines_from_processes_and_threads(monkeypatch):
    monkeypatch.setattr(pieces, "_BLOCK", 100)  # line indexes of many blocks

    def lines(processes: int) -> list:
        skimmer = Skimmer(waagent_log.SKIM, _Errors, piece=4096, tail=100, processes=processes)
        return list(skimmer(io.BytesIO(LOG * 3), 1000)), skimmer.lines

    by_processes, by_threads = lines(2), lines(0)
    assert by_processes == by_threads and by_threads[1] == 9003
    assert [n for n, text in by_threads[0] if "ERROR" in text] == [3001, 6002, 9003]


def test_forked_only_where_safe(monkeypatch):
    spinner = threading.Thread(target=lambda: None)
    running = [threading.current_thread()]
    monkeypatch.setattr(scanners.sys, "platform", "linux")
    monkeypatch.setattr(scanners.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(scanners.threading, "enumerate", lambda: list(running))
    alone = multiprocessing.parent_process() is None  # not a worker of a process pool
    assert scanners.forkable() is alone
    running.append(spinner)  # another thread: a fork could leave a lock it holds held for good
    assert not scanners.forkable()
    with scanners.tolerating({spinner}):  # one vouched for (a terminal spinner's, which only draws)
        assert scanners.forkable() is alone
    assert not scanners.forkable()
    running.remove(spinner)
    monkeypatch.setattr(scanners.os, "sched_getaffinity", lambda pid: {0})  # one core: nothing to gain
    assert not scanners.forkable()
    monkeypatch.setattr(scanners.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(scanners.sys, "platform", "darwin")
    assert not scanners.forkable()
    monkeypatch.setattr(scanners, "forkable", lambda: False)
    assert isinstance(scanners.open_scans(lambda *a: None, 8), Threads)


def test_threads_when_a_fork_fails(monkeypatch):
    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(scanners.os, "fork", refused)
    scans = scanners.open_scans(lambda piece, hot, apart, at: (piece, apart), 8, processes=2)
    try:
        assert isinstance(scans, Threads) and scans.submit(b"ab", []).result() == (b"ab", False)
    finally:
        scans.close()


def test_pieces_of_a_plain_file_are_read_by_the_processes_at_their_place(tmp_path):
    path = tmp_path / "waagent.log"
    path.write_bytes(b"0123456789")
    with open(path, "rb") as f:
        scans = Processes(lambda piece, hot, apart, at: (piece, hot), 16, count=2, file=f.fileno())
        try:
            # what is handed is only measured: each process reads the bytes where the piece lies
            assert [scans.submit(b"xyz", [n], at).result() for n, at in enumerate((0, 7))] == [
                (b"012", [0]), (b"789", [1])]
            with pytest.raises(ScanFailed, match=r"^a scanning process failed: OSError: the file ends before byte 12: "
                                                 r"it changed while it was read$"):
                scans.submit(b"xxxx", [], 8).result()
            with pytest.raises(ValueError, match="by where it lies"):
                scans.submit(b"x", [])
        finally:
            scans.close()
    assert scans.ring is None and scans.closed
