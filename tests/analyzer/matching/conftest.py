"""The ways a skimmed log's pieces are scanned, for the tests that compare a skim with a full read."""
from __future__ import annotations

import pytest

from azlog_vmbackup.analyzer.matching import pieces, scanners, sketch


@pytest.fixture(params=["threads", "processes"])
def scans(request, monkeypatch) -> str:
    """Pieces scanned on threads of the test's process, or by scanning processes forked from it (which give
    line indexes of small blocks, and a plain file's regions to read of small blocks and margins, so tiny pieces
    use them too)."""
    if request.param == "processes":
        monkeypatch.setattr(scanners, "forkable", lambda: True)
        monkeypatch.setattr(pieces, "_BLOCK", 64)
        for name, size in (("_BEFORE", 96), ("_AFTER", 48), ("_END", 64)):
            monkeypatch.setattr(pieces, name, size)
        monkeypatch.setattr(sketch, "MARGIN", 16)
    else:
        monkeypatch.setattr(scanners, "PROCESSES", 0)
    return request.param
