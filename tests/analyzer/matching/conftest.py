"""The ways a skimmed log's pieces are scanned, for the tests that compare a skim with a full read."""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.matching import scanners, skim


@pytest.fixture(params=["threads", "processes"])
def scans(request, monkeypatch) -> str:
    """Pieces scanned on threads of the test's process, or by scanning processes forked from it (which give
    line indexes of small blocks, so tiny pieces use them too)."""
    if request.param == "processes":
        monkeypatch.setattr(scanners, "forkable", lambda: True)
        monkeypatch.setattr(skim, "_BLOCK", 64)
    else:
        monkeypatch.setattr(scanners, "PROCESSES", 0)
    return request.param
