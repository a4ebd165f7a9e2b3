"""A piece known by some of its regions answers every question as the whole piece does."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlog_vmbackup.analyzer.matching import sketch
from azlog_vmbackup.analyzer.matching.sketch import Sketch

LINE = re.compile(rb"(?<![^\n])(?P<stamp>\d\d:\d\d) (?P<word>[a-z]+)")  # a record start, read within its line


@st.composite
def pieces(draw) -> tuple[bytes, list[tuple[int, bytes]]]:
    """Lines of stamps and words, and some regions of them (in order, apart)."""
    lines = draw(st.lists(st.tuples(st.integers(0, 99), st.sampled_from(["ok", "fail", "x", ""])), max_size=60))
    data = b"".join(b"%02d:%02d %s\n" % (n, n, w.encode()) for n, w in lines)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(data)), max_size=6))))
    regions = [(a, data[a:b]) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    return data, regions


@settings(max_examples=300, deadline=None)
@given(pieces(), st.sampled_from([b"\n", b"fail", b"0", b":1", b"zz"]), st.integers(-5, 700), st.integers(-5, 700))
def test_answers_are_those_of_the_whole_piece(piece, sub, start, end):
    data, regions = piece

    def fresh() -> Sketch:
        return Sketch(len(data), regions, lambda: data)

    assert fresh().find(sub, start, end) == data.find(sub, start, end)
    assert fresh().rfind(sub, start, end) == data.rfind(sub, start, end)
    assert fresh().count(sub, start, end) == data.count(sub, start, end)
    assert fresh()[start:end] == data[start:end]
    assert fresh().endswith(b"\n") == data.endswith(b"\n")
    if 0 <= start <= len(data):
        stop = max(end, start)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sketch, "MARGIN", 2)  # a regex is given its line and a byte beside: small regions do
            found = [(sketch.match(LINE, fresh(), start), LINE.match(data, start)),
                     (sketch.search(LINE, fresh(), start, stop), LINE.search(data, start, stop))]
        for got, want in found:
            assert (got is None) == (want is None)
            if want is not None:
                assert [got.span(g) for g in (0, "stamp", "word")] == [want.span(g) for g in (0, "stamp", "word")]


def test_a_question_its_regions_hold_reads_nothing_more():
    data = b"".join(b"%05d routine line\n" % n for n in range(20000))
    tail = len(data) - 65536
    piece = Sketch(len(data), [(tail, data[tail:])], lambda: data)
    last = piece.rfind(b"\n", 0, len(data) - 1) + 1
    assert piece[last:] == data[last:] and piece.count(b"\n", tail, len(data)) == 65536 // 19 + 1
    assert sketch.match(LINE, piece, last) is None and not piece.loaded
    assert piece.find(b"00001 ") == 19 and piece.loaded  # before the regions: the piece is read whole
