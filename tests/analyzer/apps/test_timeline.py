"""azlog timeline: every record of a bundle as a table."""
from __future__ import annotations

import json

import pandas as pd

from azlog_vmbackup.analyzer.apps import timeline
from tests.helpers import ROOT, azlog

SAMPLE = ROOT / "samples" / "bundles" / "linux-fsfreeze-failed.zip"


def test_table_holds_every_record_sorted_with_hits():
    frame = timeline.build(SAMPLE)
    assert list(frame.columns) == timeline.COLUMNS
    timed = frame["time"].dropna()
    assert timed.is_monotonic_increasing
    hits = frame[frame["signatures"].str.contains("vmsnapshot-fifreeze-failed")]
    assert len(hits) >= 1
    assert hits.iloc[0]["source"] == "vmsnapshot_extension_log"
    assert "FIFREEZE" in hits.iloc[0]["message"] or "freeze failed" in hits.iloc[0]["message"]


def test_cli_writes_csv_and_jsonl(tmp_path):
    csv, jsonl = tmp_path / "t.csv", tmp_path / "t.jsonl"
    assert azlog("timeline", SAMPLE, "--out", csv).returncode == 0
    assert azlog("timeline", SAMPLE, "-o", jsonl).returncode == 0
    parquet = tmp_path / "t.parquet"
    assert azlog("timeline", SAMPLE, "-o", parquet).returncode == 0
    table = pd.read_csv(csv)
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(table) == len(rows) == len(pd.read_parquet(parquet)) > 100
    assert azlog("timeline", SAMPLE, "--out", tmp_path / "t.xlsx").returncode == 2


def test_a_burst_signature_marks_only_records_that_complete_a_burst():
    frame = timeline.build(ROOT / "samples" / "bundles" / "linux-healthy-modern.zip")
    running = frame[frame["message"].str.contains("is successfully running", regex=False)]
    assert len(running) >= 1  # a normal start of the extension handler, once
    assert not frame["signatures"].str.contains("waagent-exthandler-relaunch-loop", regex=False).any()
    looping = timeline.build(ROOT / "samples" / "bundles" / "linux-agent-unresponsive-linux.zip")
    marked = looping[looping["signatures"].str.contains("relaunch-loop", regex=False)]
    hits = looping[looping["message"].str.contains("is successfully running", regex=False)]
    assert len(marked) <= max(0, len(hits) - 2)  # the first two hits of a burst of three complete nothing


def test_local_times_are_written_as_the_vm_wrote_them(tmp_path):
    frame = timeline.build(ROOT / "samples" / "bundles" / "linux-low-resources.zip")
    out = tmp_path / "t.csv"
    timeline.write(frame, out)
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    local = written[written["local_time"] == "True"]["time"]
    utc = written[written["local_time"] == "False"]["time"]
    assert len(local) and len(utc)
    assert not local.str.contains(r"Z$|\+00:00").any() and utc[utc != ""].str.endswith("Z").all()
