"""Where pieces are cut and what a scan of one sends back (``matching.pieces``), against plain definitions."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.analyzer.matching import pieces


def _regions_by_definition(piece: bytes, places: list[int]) -> list[tuple[int, int]] | None:
    """Each place's window and the tail's, sorted and merged where they touch; None when half the piece or more."""
    size = len(piece)
    windows = sorted([(max(at - pieces._BEFORE, 0), min(at + pieces._AFTER, size)) for at in places]
                     + [(max(size - pieces._END, 0), size)])
    merged: list[list[int]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return None if 2 * sum(end - start for start, end in merged) >= size else [tuple(w) for w in merged]


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 400_000), places=st.lists(st.integers(0, 399_999), max_size=60),
       burst=st.lists(st.integers(0, 2000), max_size=200))
def test_regions_are_the_merged_windows(size, places, burst):
    """Sparse places, and a burst of close ones (a failing log's thousands, merged at once), give the windows a
    plain sort and merge gives, each with the newlines before it."""
    piece = (b"x" * 99 + b"\n") * (size // 100) + b"y" * (size % 100)
    at = [p % size for p in places] + [(places[0] if places else 0) % size + b for b in burst if b < size]
    got = pieces.regions(piece, [min(p, size - 1) for p in at], pieces.index_of(piece))
    expected = _regions_by_definition(piece, [min(p, size - 1) for p in at])
    if expected is None:
        assert got is None
    else:
        assert [(start, start + len(data)) for start, data, _ in got] == expected
        assert all(data == piece[start:start + len(data)] and newlines == piece.count(b"\n", 0, start)
                   for start, data, newlines in got)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\n", b"line of a log\n", b"\n\n", b"x" * 70]), max_size=400),
       st.sampled_from([None, 1, 7, 64]))
def test_a_line_index_counts_the_newlines_before_each_block(parts, block):
    piece = b"".join(parts)
    step, counts = pieces.index_of(piece, block)
    assert counts == [piece.count(b"\n", 0, at) for at in range(0, len(piece) + 1, step)]


def test_a_cut_falls_where_a_record_starts():
    """Lines that continue a record (no stamp) are never where a piece ends; a piece ends in the window of
    ``piece`` bytes after the one it starts in at most, and the final one holds the tail."""
    log = b"".join(b"2026-11-01 record %d\n  continued\n  and again\n" % n for n in range(300))
    cutter = pieces.Cutter(re.compile(rb"\d{4}-\d\d-\d\d "), None, piece=500, tail=100)
    cuts = list(cutter.cuts(lambda at, size: log[at:at + size], len(log)))
    assert [at for at, _, _ in cuts] == [0] + [end for _, end, _ in cuts[:-1]] and cuts[-1][1:] == (len(log), True)
    assert all(log[end:end + 4] == b"2026" for _, end, final in cuts if not final)
    assert len(log) - cuts[-1][0] >= 100 and all(0 < end - at < 2 * 500 for at, end, _ in cuts[:-1])


def test_windows_that_touch_are_one_region():
    piece = (b"x" * 99 + b"\n") * 20000
    touching = [100_000, 100_000 + pieces._AFTER + pieces._BEFORE, 400_000]
    got = [(start, len(data)) for start, data, _ in pieces.regions(piece, touching, pieces.index_of(piece))]
    assert got == [(100_000 - pieces._BEFORE, 2 * (pieces._BEFORE + pieces._AFTER)),
                   (400_000 - pieces._BEFORE, pieces._BEFORE + pieces._AFTER), (len(piece) - pieces._END, pieces._END)]
    assert got == [(start, end - start) for start, end in _regions_by_definition(piece, touching)]
