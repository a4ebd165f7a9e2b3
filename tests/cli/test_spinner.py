"""The spinner shown while a large bundle is read at a terminal does not keep large logs off the second core."""
from __future__ import annotations

import sys
import threading

from azlog_vmbackup import actions
from azlog_vmbackup.analyzer.matching import scanners


def test_the_spinner_s_thread_does_not_keep_scanning_processes_from_forking(tmp_path, monkeypatch):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(b"x" * 100)
    monkeypatch.setattr(actions, "SPINNER_BYTES", 10)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    before = set(threading.enumerate())
    with actions.spinner(bundle):
        drawing = set(threading.enumerate()) - before
        assert drawing and drawing <= scanners._TOLERATED  # the spinner draws on a thread of its own
    assert not scanners._TOLERATED & drawing
