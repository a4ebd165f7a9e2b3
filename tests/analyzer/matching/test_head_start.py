"""A large plain log's first pieces scanned while the analysis starts (``head_start``): the scans handed over are
those the skimmer's own scanning processes make, the result is that of an analysis without them, and nothing is
handed over for another file, another database or a piece cut elsewhere."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from azlog_vmbackup import entry
from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import engines, head_start, pieces, scanners, skim
from azlog_vmbackup.analyzer.matching.matcher import Matcher
from azlog_vmbackup.analyzer.matching.pieces import PieceScan
from azlog_vmbackup.analyzer.matching.skim import latest_literals
from azlog_vmbackup.parsers import waagent_log

pytest.importorskip("hyperscan", reason="the head start scans with the stored Hyperscan databases")
KNOWLEDGE = Knowledge.load()
PIECE = 16 << 10
FAILED = (b" ERROR ExtHandler ExtHandler Error fetching the goal state: [ProtocolError] [HttpError] [HTTP Failed] "
          b"GET http://168.63.129.16/machine/ -- IOError timed out -- 6 attempts made\n")


def _log(path: Path, lines: int, failing_every: int = 0) -> Path:
    """A waagent.log of routine lines, a heartbeat every 500th, the goal state's failure every ``failing_every``th
    (0: once, near the end)."""
    out = []
    for n in range(lines):
        stamp = b"2026-11-%02dT%02d:%02d:%02d.%06dZ" % (1 + n // 86400, n // 3600 % 24, n // 60 % 60, n % 60, n)
        if failing_every and n % failing_every == 0 or not failing_every and n == lines - 900:
            out.append(stamp + FAILED)
        elif n % 500 == 0:
            out.append(stamp + b" INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.9.1.1 is running as "
                               b"the goal state agent [DEBUG HeartbeatCounter: %d;HeartbeatId: 0000;DroppedPackets: "
                               b"0;UpdateGSErrors: 0;AutoUpdate: 1]\n" % (n // 500))
        else:
            out.append(stamp + b" INFO Daemon LogCollector collected %d files of routine traffic\n" % n)
    path.write_bytes(b"".join(out))
    return path


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of ``PIECE`` bytes, and a head start for any log larger than two of them."""
    for module in (skim, pieces):
        monkeypatch.setattr(module, "PIECE", PIECE)
    monkeypatch.setattr(pieces, "FIRST", PIECE)
    monkeypatch.setattr(head_start, "MIN_SIZE", 2 * PIECE)
    monkeypatch.setattr(scanners, "forkable", lambda: True)
    yield
    _stop()


def _stop() -> None:
    """Stop a head start no analysis took, and reap its process."""
    started = head_start._started
    if started is not None:
        head_start._started = None
        os.close(started.stop)
        os.close(started.announced)
        head_start._end(started.pid)


def _finished(within: float = 10.0) -> None:
    """Wait until the head start's process has scanned all it will (``PIECES``, or up to a dense piece) and ended;
    it is left for ``take`` to reap."""
    pid, deadline = head_start._started.pid, time.monotonic() + within
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _taken(monkeypatch) -> list[tuple[dict, dict]]:
    """What each ``take`` hands over (scans, what was prepared), from here on."""
    handed = []
    take = head_start.take

    def recording(*args):
        scans, prepared = take(*args)
        handed.append((dict(scans), dict(prepared)))  # (the skimmer takes them out as it reads their pieces)
        return scans, prepared

    monkeypatch.setattr(head_start, "take", recording)
    return handed


def test_the_scans_handed_over_are_the_scanning_processes_and_change_no_result(tmp_path, small_pieces, monkeypatch):
    log = _log(tmp_path / "waagent.log", 12000)
    handed = _taken(monkeypatch)
    without = analyze(log, KNOWLEDGE).as_dict()
    assert handed == [({}, {})]
    head_start.begin(log)
    assert head_start._started is not None and head_start._started.spec["name"] == "waagent_log"
    _finished()
    used = []

    class Used(scanners.Ready):
        def __init__(self, found):
            used.append(found)
            super().__init__(found)

    monkeypatch.setattr(skim, "Ready", Used)
    with_head_start = analyze(log, KNOWLEDGE).as_dict()
    assert len(used) == head_start.PIECES
    assert with_head_start == without and with_head_start["diagnoses"]
    early, prepared = handed[-1]
    assert len(early) == head_start.PIECES and not prepared and head_start._started is None
    data, scan = log.read_bytes(), _piece_scan()
    assert 0 in early
    for at, (end, found) in early.items():
        assert at == 0 or data[at - 1:at] == b"\n" and data[at:at + 4] == b"2026"
        assert found == scan(data[at:end], [], True)


def _piece_scan() -> PieceScan:
    """How the skimmer's scanning processes scan a plain waagent.log's pieces."""
    buffer = Matcher(KNOWLEDGE.signatures, engines.get("hyperscan")).buffer_scan("waagent_log", waagent_log.SKIM)
    return PieceScan(buffer, latest_literals(waagent_log.SKIM), waagent_log.SKIM.latest, placed=True)


def test_after_a_dense_piece_the_next_are_prepared(tmp_path, small_pieces, monkeypatch):
    """A failing VM's log (its error on every tenth line) is scanned ahead no further than its first dense piece
    (the skimmer's own scans mask the copies in bulk once it knows them); the next pieces are prepared, and a scan
    of a piece takes what was prepared for it (here on threads, to be seen): the result is that of an analysis
    without."""
    monkeypatch.setattr(pieces, "DENSE", 10)
    monkeypatch.setattr(scanners, "PROCESSES", 0)
    log = _log(tmp_path / "waagent.log", 12000, failing_every=10)
    without = analyze(log, KNOWLEDGE).as_dict()
    handed = _taken(monkeypatch)
    head_start.begin(log)
    _finished()
    walked = []
    last_lines = PieceScan.last_lines
    monkeypatch.setattr(PieceScan, "last_lines", lambda self, piece: walked.append(piece) or last_lines(self, piece))
    assert analyze(log, KNOWLEDGE).as_dict() == without and without["diagnoses"]
    (early, prepared), data, scan = handed[-1], log.read_bytes(), _piece_scan()
    ends = [early[0][0]] + [end for _, (end, _) in sorted(prepared.items())]
    assert list(early) == [0] and sorted(prepared) == ends[:-1] and ends[-1] == len(data) and not walked
    for at, (end, made) in prepared.items():
        assert made == scan.prepare(data[at:end]) and data[at:at + 4] == b"2026"


@pytest.mark.parametrize("change", ["another file", "the file changed", "another database", "another start",
                                    "other triggers", "other literals", "other pieces"])
def test_nothing_is_handed_over_for_what_it_did_not_scan(tmp_path, small_pieces, change):
    log = _log(tmp_path / "waagent.log", 12000)
    other = _log(tmp_path / "other.log", 100) if change == "another file" else log
    head_start.begin(log)
    _finished()
    pid = head_start._started.pid
    spec = head_start._started.spec
    if change == "the file changed":
        with open(log, "ab") as f:
            f.write(b"2026-11-02T00:00:00.000000Z INFO Daemon one more line\n")
    scan = PieceScan(None, head_start._triggers(spec), tuple(spec["latest"]), placed=True)
    args = {"scan": scan, "start": spec["start"], "key": spec["key"], "piece": pieces.PIECE, "tail": pieces.TAIL}
    args.update({"another database": {"key": "other"}, "another start": {"start": "other"},
                 "other triggers": {"scan": PieceScan(None, (), (), True)},
                 "other literals": {"scan": PieceScan(None, ((b"x",),) * len(scan.latest), scan.latest, True)},
                 "other pieces": {"piece": 1 << 20}}.get(change, {}))
    fd = os.open(other, os.O_RDONLY)
    try:
        assert head_start.take(fd, **args) == ({}, {})
    finally:
        os.close(fd)
    assert head_start._started is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("case", ["small", "not a log azlog skims", "regex engine", "a folder", "missing"])
def test_no_head_start_where_it_cannot_pay(tmp_path, small_pieces, case):
    log = _log(tmp_path / ("notes.txt" if case == "not a log azlog skims" else "waagent.log"),
               10 if case == "small" else 12000)
    path = {"a folder": tmp_path, "missing": tmp_path / "gone.log"}.get(case, log)
    head_start.begin(path, "regex" if case == "regex engine" else None)
    assert head_start._started is None


def test_the_process_ends_when_its_parent_is_gone(tmp_path, small_pieces, monkeypatch):
    """Told nothing, it stops at its next piece once the pipe that stops it is closed (as when azlog exits)."""
    monkeypatch.setattr(head_start, "PIECES", 1 << 20)
    log = _log(tmp_path / "waagent.log", 40000)  # some 200 pieces
    head_start.begin(log)
    started, head_start._started = head_start._started, None
    os.close(started.stop)
    deadline = time.monotonic() + 10
    while (ended := os.waitpid(started.pid, os.WNOHANG)) == (0, 0):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    announced = os.read(started.announced, 1 << 16)
    os.close(started.announced)
    started.scans.close()
    assert ended == (started.pid, 0) and len(announced) < 20 * head_start._ANNOUNCE.size


@pytest.mark.parametrize("options, started", [({}, True), ({"engine_name": "hyperscan"}, True),
                                              ({"signatures": [Path("mine.yaml")]}, False),
                                              ({"engine_name": "regex"}, False)])
def test_the_command_line_starts_one_for_the_built_in_knowledge_and_hyperscan(tmp_path, small_pieces, options,
                                                                              started):
    """A user's own signatures make other databases than the plan's: no head start then, nor for the regex engine."""
    log = _log(tmp_path / "waagent.log", 12000)
    entry._head_start({"bundle": log, **options})
    assert (head_start._started is not None) is started


def test_none_where_the_environment_chooses_the_regex_engine(tmp_path, small_pieces, monkeypatch):
    monkeypatch.setenv(engines.ENV, "regex")
    entry._head_start({"bundle": _log(tmp_path / "waagent.log", 12000)})
    assert head_start._started is None


def test_a_scan_not_read_back_whole_hands_nothing_over(tmp_path, small_pieces, monkeypatch):
    log = _log(tmp_path / "waagent.log", 12000)
    without = analyze(log, KNOWLEDGE).as_dict()
    handed = _taken(monkeypatch)
    head_start.begin(log)
    _finished()
    head_start._started.scans[:16] = b"\xff" * 16  # the first scan's pickle, damaged
    assert analyze(log, KNOWLEDGE).as_dict() == without and handed == [({}, {})]
