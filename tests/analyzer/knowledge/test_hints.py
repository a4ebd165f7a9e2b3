"""Hints are rare in routine traffic: the benchmark's check passes, and the routine lines they are measured on
are those the healthy samples hold."""
from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_routine_lines_are_up_to_date():
    done = _run("bench/routine_corpus.py", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_hint_lets_routine_traffic_through(tmp_path):
    done = _run("bench/hints.py", "--mb", "1", "--work", str(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "worst share" in done.stdout
