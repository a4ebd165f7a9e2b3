"""Skimming a log gives the result of reading every record: samples, reference logs and awkward shapes.

Pieces are made tiny and the always-read tail empty, so record boundaries, piece boundaries and the
choice of records are all exercised; each engine installed is run.
"""
from __future__ import annotations

import base64
import io
import zlib
from pathlib import Path

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import engines, skim
from azlog_vmbackup.analyzer.matching.skim import Skimmer
from azlog_vmbackup.core.text import iter_lines
from azlog_vmbackup.parsers import waagent_log
from tests.helpers import REFERENCE, ROOT

BUNDLES = sorted((ROOT / "samples" / "bundles").iterdir())
KNOWLEDGE = Knowledge.load()
ENGINES = engines.available()


def _without_counts(result: dict) -> dict:
    """The result without how many records were parsed (a skimmed log parses fewer: that is the point)."""
    return {**result, "inventory": [{k: v for k, v in e.items() if k != "records"} for e in result["inventory"]]}


def _both(path: Path, engine: str, monkeypatch, piece: int = 700) -> tuple[dict, dict]:
    monkeypatch.setattr(skim, "PIECE", piece)
    monkeypatch.setattr(skim, "TAIL", 0)
    with engines.using(engine):
        full = analyze(path, KNOWLEDGE, skim=False).as_dict()
        skimmed = analyze(path, KNOWLEDGE).as_dict()
    return _without_counts(full), _without_counts(skimmed)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_samples_same_skimmed(bundle, engine, monkeypatch):
    full, skimmed = _both(bundle, engine, monkeypatch)
    assert skimmed == full


def _reference_inputs() -> list[Path]:
    """The corpus's agent logs and its extension scenarios (folders laid out as bundles), when present."""
    if not REFERENCE.is_dir():
        return []
    logs = sorted((REFERENCE / "linux-agent").rglob("waagent*.log"))
    return logs + sorted(p for p in (REFERENCE / "vmsnapshot-linux" / "fixtures").iterdir() if p.is_dir())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("source", _reference_inputs(), ids=lambda p: p.name)
def test_reference_same_skimmed(source, engine, monkeypatch):
    full, skimmed = _both(source, engine, monkeypatch)
    assert skimmed == full


def _event(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode())).decode()


def _awkward_log() -> bytes:
    """Routine lines around every shape a skimmer could get wrong."""
    routine = "{t}.{n:06d}Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.13.1.{v} is running as the " \
              "goal state agent [DEBUG HeartbeatCounter: {n};HeartbeatId: X;AutoUpdate: {u};]\n"
    lines = ["Daemon started before the clock was set: Error fetching the goal state: [ProtocolError] timed out\n",
             "2026-11-01T00:00:00.000001Z INFO Daemon Daemon OS: ubuntu 22.04\n",
             "2026-11-01T00:00:00.000002Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1\n"]
    for n in range(1, 400):
        t = f"2026-11-01T{n // 60 % 24:02d}:{n % 60:02d}:00"
        lines.append(routine.format(t=t, n=n, v=n // 100, u=n // 150 % 2))
        if n % 37 == 0:  # a traceback whose hit is in a continuation line, across piece ends
            lines.append(f"{t}.5Z ERROR ExtHandler ExtHandler Unexpected error\nTraceback (most recent call last):\n"
                         + "  File \"x.py\", line 1\n" * (n % 5) + "OSError: [Errno 28] No space left on device\n")
        if n == 100:
            lines.append(f"{t}.6Z INFO ExtHandler [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9200.0] "
                         "Target handler state: enabled\n")
        if n == 120:  # decoded before signatures see it
            lines.append(f"{t}.7Z ERROR ExtHandler ExtHandler Event: name=Microsoft.Azure.RecoveryServices."
                         "VMSnapshotLinux, op=Enable, "
                         f"message={_event('[ExtensionError] Timeout(300): handle.sh enable')}, "
                         "duration=0\n")
        if n == 200:  # a piece that is not ASCII
            lines.append(f"{t}.8Z WARNING ExtHandler ExtHandler Zürich: Error fetching the goal state: timed out\n")
        if n == 250:  # CRLF and NUL bytes, some in a UTF-16-like run
            lines.append(f"{t}.9Z ERROR ExtHandler ExtHandler Fetching the goal state is still failing\r\n\x00\x00")
        if n == 300:  # a hit past the line cut, and one before it
            lines.append(f"{t}.1Z ERROR ExtHandler ExtHandler " + "x" * 70_000 + " No route exists to 168.63.129.16\n")
            lines.append(f"{t}.2Z ERROR ExtHandler ExtHandler No route exists to 168.63.129.16 " + "y" * 70_000 + "\n")
        if n == 350:
            lines.append(f"{t}.3Z INFO ExtHandler [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0] "
                         "Target handler state: enabled\n")
    lines.append("2026-11-02T00:00:00.000001Z ERROR ExtHandler ExtHandler Error fetching the goal state: "
                 "[ProtocolError] [HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out -- "
                 "6 attempts made")
    return "".join(lines).encode("utf-8")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("piece", [300, 4096, 1 << 20])
@pytest.mark.parametrize("dense", [0, skim.DENSE], ids=["scanned-in-line", "scanned-ahead"])
def test_awkward_log_same_skimmed(tmp_path, engine, piece, dense, monkeypatch):
    monkeypatch.setattr(skim, "DENSE", dense)
    log = tmp_path / "waagent.log"
    log.write_bytes(_awkward_log())
    full, skimmed = _both(log, engine, monkeypatch, piece)
    assert skimmed == full
    assert full["facts"]["extension_version"] == "1.0.9225.0"
    assert full["facts"]["auto_update"] is False and full["facts"]["agent_version"] == "2.13.1.3"
    assert full["inventory"][0]["lines"] == _awkward_log().count(b"\n") + 1


class _Finds:
    """A scan that reports where a literal occurs."""

    def __init__(self, literal: bytes):
        self.literal = literal

    def scan(self, data: bytes) -> list[int]:
        return [i + len(self.literal) for i in range(len(data)) if data.startswith(self.literal, i)]

    def occurrences(self, data: bytes, literals: tuple[bytes, ...]) -> dict[bytes, list[int]]:
        return {x: [i for i in range(len(data)) if data.startswith(x, i)] for x in literals}


def _routine(count: int) -> list[bytes]:
    """Log collector lines: none is the agent's own last record, which each piece would read."""
    return [b"2026-11-01T00:%02d:%02d.000000Z INFO Daemon LogCollector line %d\n" % (i // 60, i % 60, i)
            for i in range(count)]


def test_reads_only_the_chosen_records():
    records = _routine(200)
    records[120] += b"Traceback (most recent call last):\nOSError: boom\n"  # record of lines 121-123
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"OSError"), piece=1000, tail=0)
    got = [n for n, _ in skimmer(io.BytesIO(b"".join(records)), 1000)]
    assert got == [121, 122, 123, 202]  # the record around the hit, then the last record
    assert skimmer.lines == 202


def test_each_piece_reads_its_last_agent_record():
    """The agent's last UTC record (not the log collector's) is a fact: each piece reads its last one."""
    records = _routine(200)
    records[:150] = [r.replace(b"Daemon LogCollector", b"Daemon Daemon") for r in records[:150]]
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"nothing"), piece=1000, tail=0)
    got = [n for n, _ in skimmer(io.BytesIO(b"".join(records)), 1000)]
    assert 150 in got and not any(150 < n < 200 for n in got) and got[-1] == 200


def test_the_tail_spans_pieces():
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"nothing"), piece=1000, tail=3000)
    lines = _routine(200)
    got = [n for n, _ in skimmer(io.BytesIO(b"".join(lines)), 1000)]
    assert got == list(range(200 - len(got) + 1, 201)) and len(got) >= 3000 // max(map(len, lines))


def test_small_files_and_other_encodings_are_read_in_full():
    asked = []
    skimmer = Skimmer(waagent_log.SKIM, lambda: asked.append(1), piece=1 << 20, tail=0)
    assert len(list(skimmer(io.BytesIO(b"".join(_routine(200))), 1000))) == 200
    data = ("2026-11-01T00:00:00.000000Z INFO Daemon Daemon a\n" * 100).encode("utf-16")
    skimmer = Skimmer(waagent_log.SKIM, lambda: asked.append(1), piece=100, tail=0)
    assert list(skimmer(io.BytesIO(data), 1000))[-1] == (100, "2026-11-01T00:00:00.000000Z INFO Daemon Daemon a")
    assert asked == []  # no scan was even asked for


def test_no_scan_from_the_engine_means_a_full_read():
    skimmer = Skimmer(waagent_log.SKIM, lambda: None, piece=1000, tail=0)
    assert len(list(skimmer(io.BytesIO(b"".join(_routine(200))), 1000))) == 200


def test_inventory_counts_lines_of_every_line_log():
    bundle = ROOT / "samples" / "bundles" / "linux-fsfreeze-failed.zip"
    import zipfile

    with zipfile.ZipFile(bundle) as zf:
        expected = {name: zf.read(name).count(b"\n") + (0 if zf.read(name).endswith(b"\n") else 1)
                    for name in zf.namelist() if name.endswith((".log", "waagent.conf"))}
    got = {e.path: e.lines for e in analyze(bundle, KNOWLEDGE).inventory if e.path in expected}
    assert got == expected and len(got) >= 4


def test_a_piece_with_nul_bytes_is_decoded_as_the_file_is():
    """A record whose text looks like UTF-16 (NUL every other byte) is still read as the UTF-8 file it is in."""
    records = _routine(100)
    records[50] = b"2026-11-01T00:00:50.000000Z INFO Daemon Daemon special\n" + b"N\x00o\x00 \x00" * 600 + b"\n"
    data = b"".join(records)
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"special"), piece=1000, tail=0)
    got = dict(skimmer(io.BytesIO(data), 100_000))
    full = dict(iter_lines(io.BytesIO(data), 100_000))
    assert got[51] == full[51] and got[52] == full[52] == "No " * 600


def test_no_line_past_the_end_when_every_line_is_a_record():
    from azlog_vmbackup.parsers import syslog

    data = b"".join(b"May 14 02:%02d:%02d vm1 systemd[1]: line %d\n" % (i // 60, i % 60, i) for i in range(100))
    for tail in (0, 64, 1 << 16):
        skimmer = Skimmer(syslog.SKIM, lambda: _Finds(b"line 99"), piece=1000, tail=tail)
        got = [n for n, _ in skimmer(io.BytesIO(data), 1000)]
        assert got[-1] == 100 and got == sorted(set(got)) and skimmer.lines == 100


def test_the_tail_is_read_after_a_record_that_reaches_into_it():
    """A hit's record may run past where the always-read tail starts: the tail is still read to the end."""
    records = _routine(300)
    records.append(b"2026-11-01T01:00:00.000000Z ERROR ExtHandler ExtHandler Unexpected error\n"
                   b"Traceback (most recent call last):\n" + b'  File "x.py", line 1, in f\n' * 10)
    records += _routine(25)
    records.append(b"2026-11-01T02:00:00.000000Z ERROR ExtHandler ExtHandler the last word\n")
    data = b"".join(records)
    tail = len(data) - (data.index(b"Traceback") + 100)  # the tail starts inside the traceback's record
    skimmer = Skimmer(waagent_log.SKIM, lambda: _Finds(b"Traceback"), piece=4096, tail=tail)
    got = dict(skimmer(io.BytesIO(data), 1000))
    assert got[max(got)].endswith("the last word") and max(got) == skimmer.lines == data.count(b"\n")
    assert list(got) == list(range(min(got), max(got) + 1))[-len(got):]
