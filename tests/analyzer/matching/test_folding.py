"""Folding records equal but for their time stamp gives the result of parsing each of them.

A generated log repeats every kind of record a fold could get wrong (hits, a burst, noise, a hinted line no
signature confirms, tracebacks, decoded events, fact-setting lines, two stamp layouts, a repeated line that
now and then goes on on a continuation line) and ends in log
collector lines, so the agent's last record comes from a piece's middle. Each engine installed, tiny
and large pieces; the samples and the reference corpus are compared with a full read in ``test_skim``.
"""
from __future__ import annotations

import base64
import zlib
from datetime import datetime, timedelta, timezone

import pytest

from azlog_vmbackup.analyzer.apps.analyze import analyze
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import engines, folding, skim

KNOWLEDGE = Knowledge.load()
pytestmark = pytest.mark.usefixtures("scans")  # on threads and by processes (``conftest``)
EVENT = base64.b64encode(zlib.compress(b"[ExtensionError] Timeout(300): handle.sh enable")).decode()
REPEATED = {  # every Nth line: (level and prefix, text)
    7: ("ERROR ExtHandler ExtHandler", "Error fetching the goal state: [ProtocolError] [HttpError] [HTTP Failed] "
        "GET http://168.63.129.16/machine/ -- IOError timed out -- 6 attempts made"),
    11: ("WARNING ExtHandler ExtHandler", "Fetch failed: [HttpError] [HTTP Failed] [410: Gone] b'<Error/>'"),
    13: ("ERROR MonitorHandler ExtHandler", "Error in SendHostPluginHeartbeat: [HttpError] [HTTP Failed] GET "
         "http://168.63.129.16:32526/health -- IOError timed out -- 1 attempts made"),
    17: ("ERROR ExtHandler ExtHandler", "Unexpected error\nTraceback (most recent call last):\n  File \"x.py\", "
         "line 3, in run\nOSError: [Errno 28] No space left on device"),
    19: ("WARNING ExtHandler ExtHandler", "Service temporarily unavailable, sleeping 15s before retrying."),
    23: ("INFO Daemon Daemon", "OS: ubuntu 22.04"),
    29: ("ERROR ExtHandler ExtHandler", "Event: name=Microsoft.Azure.RecoveryServices.VMSnapshotLinux, op=Enable, "
         f"message={EVENT}, duration=0"),
}


def _log(lines: int = 3000) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    out = []
    for n in range(1, lines + 1):
        t = start + timedelta(seconds=5 * n)
        level, text = next((REPEATED[k] for k in REPEATED if n % k == 0),
                           ("INFO ExtHandler ExtHandler", f"[HEARTBEAT] Agent WALinuxAgent-2.13.1.1 is running as the "
                            f"goal state agent [DEBUG HeartbeatCounter: {n};AutoUpdate: 1;]"))
        if n % 49 == 0:  # a repeated line once with a continuation: another record, whatever a bulk search sees
            text += "\n    while fetching the goal state"
        if n < 300:  # an older agent first: VM local time, another stamp shape
            level = level.replace(" ExtHandler ExtHandler", " ExtHandler").replace(" Daemon Daemon", " Daemon")
            out.append(f"{t:%Y/%m/%d %H:%M:%S.%f} {level.replace('MonitorHandler ', '')} {text}\n")
        elif n > lines - 40:  # the log collector has the last word
            out.append(f"{t:%Y-%m-%dT%H:%M:%S.%f}Z INFO LogCollectorMonitorHandler LogCollector collecting {n}\n")
        else:
            out.append(f"{t:%Y-%m-%dT%H:%M:%S.%f}Z {level} {text}\n")
    return "".join(out).encode()


# a Windows agent's records: (thread id, level, text); a thread id is a record's head, kept exact in its key
WINDOWS = {
    5: ("0000000B", "ERROR", "GetVersions() failed with exception: System.AggregateException: One or more errors "
        "occurred. ---> System.Net.WebException: Unable to connect to the remote server"),
    6: ("0000000C", "ERROR", "GetVersions() failed with exception: System.AggregateException: One or more errors "
        "occurred. ---> System.Net.WebException: Unable to connect to the remote server"),
    7: ("00000011", "ERROR", "There was no match for protocol version. ControlSystem not initialized."),
    9: ("00000012", "ERROR", "There was no match for protocol version. ControlSystem not initialized."),
    11: ("0000001A", "WARN", "Failed to fetch the goal state: System.Net.WebException: timed out\n"
         "   at Microsoft.WindowsAzure.GuestAgent.Example.Fetch()"),
    13: ("00000021", "HEART", "WindowsAzureGuestAgent Heartbeat."),
}


def _windows_log(lines: int = 3000) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    out = []
    for n in range(1, lines + 1):
        t = start + timedelta(seconds=7 * n)
        tid, level, text = next((WINDOWS[k] for k in WINDOWS if n % k == 0),
                                ("0000000A", "INFO", f"Plugin state check {n} done."))
        stamp = f"[{t:%m/%d/%Y %H:%M:%S}.{t.microsecond // 10000:02d}]" if n < 400 else f"{t:%Y-%m-%dT%H:%M:%S.%f}Z"
        out.append(f"[{tid}] {stamp} [{level}] {text}\n")
    return "".join(out).encode()


def _analyze(path, engine, monkeypatch, piece: int, fold: bool, hot: int = folding.HOT) -> tuple[dict, int]:
    """The result of a skimmed read (pieces of ``piece`` bytes, no always-read tail; a record folded ``hot``
    times in a piece looked for in bulk in the next ones) and how many records were folded."""
    monkeypatch.setattr(skim, "PIECE", piece)
    monkeypatch.setattr(folding, "HOT", hot)
    monkeypatch.setattr(skim, "TAIL", 0)
    monkeypatch.setattr(skim, "FOLD_MAX", skim.FOLD_MAX if fold else -1)
    replayed = []
    original = folding.Folds.replay

    def counting(self, before):
        replayed.append(original(self, before))
        return replayed[-1]

    monkeypatch.setattr(folding.Folds, "replay", counting)
    with engines.using(engine):
        return analyze(path, KNOWLEDGE).as_dict(), sum(replayed)


@pytest.mark.parametrize("engine", engines.available())
@pytest.mark.parametrize("piece", [700, 8192, 65536])
@pytest.mark.parametrize("hot", [folding.HOT, 1], ids=["hot-by-default", "hot-at-once"])
def test_folded_equals_parsed(tmp_path, engine, piece, hot, monkeypatch):
    log = tmp_path / "waagent.log"
    log.write_bytes(_log())
    folded, count = _analyze(log, engine, monkeypatch, piece, fold=True, hot=hot)
    parsed, none = _analyze(log, engine, monkeypatch, piece, fold=False)
    assert none == 0 and count > 3000 // 7  # most repeated records were folded
    assert folded == parsed  # records counted included
    with engines.using(engine):
        full = analyze(log, KNOWLEDGE, skim=False).as_dict()
    without_counts = [{k: v for k, v in e.items() if k != "records"} for e in full["inventory"]]
    assert {**folded, "inventory": without_counts} == {
        **folded, "inventory": [{k: v for k, v in e.items() if k != "records"} for e in folded["inventory"]]}
    assert {k: v for k, v in folded.items() if k != "inventory"} == {k: v for k, v in full.items() if k != "inventory"}
    assert folded["facts"]["agent_last_record"] == full["facts"]["agent_last_record"]
    signatures = {e["signature"] for d in full["diagnoses"] for e in d["evidence"]}
    assert {"waagent-wireserver-http-failed", "waagent-wireserver-busy"} <= signatures


@pytest.mark.parametrize("engine", engines.available())
def test_hot_records_before_the_tail_read_in_full(tmp_path, engine, monkeypatch):
    """Copies found at once stop where the file's tail, always parsed, begins."""
    log = tmp_path / "waagent.log"
    log.write_bytes(_log())
    monkeypatch.setattr(folding, "HOT", 1)
    monkeypatch.setattr(skim, "PIECE", 65536)
    monkeypatch.setattr(skim, "TAIL", 8000)  # the last piece holds more than its tail, and repeats in it
    with engines.using(engine):
        skimmed = analyze(log, KNOWLEDGE).as_dict()
        monkeypatch.setattr(skim, "FOLD_MAX", -1)
        parsed = analyze(log, KNOWLEDGE).as_dict()
    assert skimmed == parsed


def test_a_stamp_a_signature_reads_is_not_folded(tmp_path, monkeypatch):
    """A signature that reads the stamp itself (here one matching a date) gives the verdict of each record."""
    sig = tmp_path / "dated.yaml"
    example = "ERROR ExtHandler ExtHandler Error fetching the goal state: x"
    sig.write_text("- id: dated-goal-state-error\n  title: Goal state errors on the 1st\n"
                   "  cause: no-internet-access\n  weight: 0.3\n  sources: [waagent_log]\n"
                   "  regex: '2026-11-01T\\d\\d:[0-2]\\d[^\\n]*Error fetching the goal state'\n"
                   f"  examples:\n    match: ['2026-11-01T00:10:00.000000Z {example}']\n"
                   f"    no_match: ['2026-11-01T00:40:00.000000Z {example}']\n", encoding="utf-8")
    knowledge = Knowledge.load([sig])
    log = tmp_path / "waagent.log"
    log.write_bytes(_log())
    monkeypatch.setattr(skim, "PIECE", 8192)
    monkeypatch.setattr(skim, "TAIL", 0)
    full = analyze(log, knowledge, skim=False).as_dict()
    skimmed = analyze(log, knowledge).as_dict()
    assert {k: v for k, v in skimmed.items() if k != "inventory"} == {k: v for k, v in full.items() if k != "inventory"}


@pytest.mark.parametrize("engine", engines.available())
@pytest.mark.parametrize("piece", [700, 65536])
@pytest.mark.parametrize("hot", [folding.HOT, 1], ids=["hot-by-default", "hot-at-once"])
def test_windows_records_folded_by_thread_and_stamp(tmp_path, engine, piece, hot, monkeypatch):
    """A WaAppAgent.log's repeated errors are folded, each thread's apart; the result is a full read's."""
    log = tmp_path / "WindowsAzure" / "Logs" / "WaAppAgent.log"
    log.parent.mkdir(parents=True)
    log.write_bytes(_windows_log())
    copies = []
    make_copy = folding.Folds._copy
    monkeypatch.setattr(folding.Folds, "_copy", lambda self, *args: copies.append(make_copy(self, *args)) or copies[-1])
    folded, count = _analyze(tmp_path, engine, monkeypatch, piece, fold=True, hot=hot)
    parsed, none = _analyze(tmp_path, engine, monkeypatch, piece, fold=False)
    assert none == 0 and count > 3000 // 5  # most repeated records were folded
    assert copies and all(c.message.startswith(f"[{c.component}] ") for c in copies)  # each copy its own thread's
    assert folded == parsed
    with engines.using(engine):
        full = analyze(tmp_path, KNOWLEDGE, skim=False).as_dict()
    assert {k: v for k, v in folded.items() if k != "inventory"} == {k: v for k, v in full.items() if k != "inventory"}
    signatures = {e["signature"] for d in full["diagnoses"] for e in d["evidence"]}
    assert "waappagent-getversions-failed" in signatures


@pytest.mark.parametrize("engine", engines.available())
def test_a_record_the_parser_splits_is_not_folded(tmp_path, engine, monkeypatch):
    """A record of more lines than the parser keeps in one (WaAppAgent: 2000) is parsed each time: its copies'
    second parts, records of their own, hold a hit too."""
    body = "".join(f"   at Frame{n}()\n" for n in range(2010)) + "GetVersions() failed with exception: x\n"
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    text = "".join(f"[0000000B] {start + timedelta(minutes=n):%Y-%m-%dT%H:%M:%S}Z [WARN] Unwinding\n{body}"
                   f"[0000000A] {start + timedelta(minutes=n, seconds=30):%Y-%m-%dT%H:%M:%S}Z [INFO] ok\n"
                   for n in range(40))
    log = tmp_path / "WindowsAzure" / "Logs" / "WaAppAgent.log"
    log.parent.mkdir(parents=True)
    log.write_text(text, encoding="ascii")
    monkeypatch.setattr(skim, "FOLD_MAX", 1 << 20)  # such a record is short enough to fold
    skimmed, count = _analyze(tmp_path, engine, monkeypatch, 65536, fold=True)
    with engines.using(engine):
        full = analyze(tmp_path, KNOWLEDGE, skim=False).as_dict()
    assert {k: v for k, v in skimmed.items() if k != "inventory"} == {k: v for k, v in full.items() if k != "inventory"}
    assert "waappagent-getversions-failed" in {e["signature"] for d in full["diagnoses"] for e in d["evidence"]}


@pytest.mark.parametrize("engine", engines.available())
def test_month_first_windows_stamps_are_not_folded(tmp_path, engine, monkeypatch):
    """An older agent's ``[MM/DD/YYYY ...]`` stamps do not sort as their times do (December before January):
    its records are parsed, each one."""
    log = tmp_path / "WindowsAzure" / "Logs" / "WaAppAgent.log"
    log.parent.mkdir(parents=True)
    log.write_bytes(_windows_log(390))  # every record month-first
    skimmed, count = _analyze(tmp_path, engine, monkeypatch, 700, fold=True)
    with engines.using(engine):
        full = analyze(tmp_path, KNOWLEDGE, skim=False).as_dict()
    assert count == 0
    assert {k: v for k, v in skimmed.items() if k != "inventory"} == {k: v for k, v in full.items() if k != "inventory"}
