"""A piece of a plain file known by some of its regions, read whole only when asked for more (``Sketch``).

A scanning process that read a piece itself sends, with its scan, the regions
the parsing thread will most likely look at (the piece's last bytes, the
blocks around each place its scan found). A ``Sketch`` answers the bytes
methods the skimmer uses (``find``, ``rfind``, ``count``, ``endswith``,
slices, and a regex's ``match`` and ``search`` through ``match``/``search``)
from a region when that region holds all the method could read, and otherwise
reads the piece whole (``load``) and answers from it: every answer is the one
the whole piece gives. A regex is given the region with ``MARGIN`` bytes on
either side of the line it reads (a skimmer's regexes read within one line:
``parsers.base.Skim``), or the whole piece.

Sample: a 2 MiB piece of routine traffic is answered from its last 256 KiB and
a few blocks around its hits, and never read whole.

>>> piece = b"a\\nbb\\nccc\\n" * 4
>>> sketch = Sketch(len(piece), [(6, piece[6:20])], lambda: piece)
>>> sketch.find(b"c", 7), sketch.rfind(b"\\n", 0, 15), sketch.count(b"\\n", 6, 20), sketch[9:12], sketch.loaded
(7, 13, 5, b'a\\nb', False)
>>> sketch.find(b"bb", 20), sketch.loaded  # past the region: read whole
(20, True)
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Callable

MARGIN = 4096  # bytes a regex is given beyond the line it reads, on each side


class Sketch:
    """``size`` bytes known by ``regions`` (``(start, bytes)``, in order, apart); ``loader`` gives them all."""

    __slots__ = ("size", "starts", "parts", "loader", "whole")

    def __init__(self, size: int, regions: list[tuple[int, bytes]], loader: Callable[[], bytes]):
        self.size, self.loader, self.whole = size, loader, None
        self.starts = [start for start, _ in regions]
        self.parts = [data for _, data in regions]

    def know(self, regions: list[tuple[int, bytes]] | None) -> None:
        """Answer from ``regions`` (as ``__init__`` takes them) from now on; None: read the piece whole now."""
        if self.whole is None:
            if regions is None:
                self.load()
            else:
                self.starts, self.parts = [start for start, _ in regions], [data for _, data in regions]

    @property
    def loaded(self) -> bool:
        """Whether the piece was read whole."""
        return self.whole is not None

    def load(self) -> bytes:
        """The whole piece (read at the first call)."""
        if self.whole is None:
            self.whole = self.loader()
            self.starts, self.parts = [0], [self.whole]
        return self.whole

    def __len__(self) -> int:
        return self.size

    def _holding(self, start: int, end: int) -> tuple[int, bytes] | None:
        """The region holding bytes ``start`` to ``end`` (``start`` itself when empty), as ``(its start, its
        bytes)``; None when no region holds them."""
        i = bisect_right(self.starts, start) - 1
        if i < 0:
            return None
        at, data = self.starts[i], self.parts[i]
        return (at, data) if end <= at + len(data) and (start < at + len(data) or start == end == self.size) \
            else None

    def _bounds(self, start: int | None, end: int | None) -> tuple[int, int]:
        """``start`` and ``end`` as ``bytes.find`` reads them (None, negative), within the piece."""
        return slice(start, end).indices(self.size)[:2]

    def find(self, sub: bytes, start: int | None = None, end: int | None = None) -> int:
        start, end = self._bounds(start, end)
        if start >= end:
            return _empty_find(sub, start, end)
        held = self._holding(start, start + 1)
        if held is not None:
            at, data = held
            found = data.find(sub, start - at, min(end, at + len(data)) - at)
            if found >= 0:
                return found + at
            if end <= at + len(data):
                return -1
        return self.load().find(sub, start, end)

    def rfind(self, sub: bytes, start: int | None = None, end: int | None = None) -> int:
        start, end = self._bounds(start, end)
        if start >= end:
            return _empty_find(sub, start, end)
        held = self._holding(end - 1, end)
        if held is not None:
            at, data = held
            found = data.rfind(sub, max(start, at) - at, end - at)
            if found >= 0:
                return found + at
            if start >= at:
                return -1
        return self.load().rfind(sub, start, end)

    def count(self, sub: bytes, start: int | None = None, end: int | None = None) -> int:
        start, end = self._bounds(start, end)
        if start >= end:
            return 0 if sub or start > end else 1
        held = self._holding(start, end)
        if held is None:
            return self.load().count(sub, start, end)
        at, data = held
        return data.count(sub, start - at, end - at)

    def endswith(self, suffix: bytes) -> bool:
        return self[max(self.size - len(suffix), 0):self.size] == suffix

    def __getitem__(self, key: slice) -> bytes:
        start, end, step = key.indices(self.size)
        if step != 1:
            raise ValueError("a sketch gives slices one byte after another")
        held = self._holding(start, end) if start < end else None
        if held is None:
            return self.load()[start:end] if start < end else b""
        at, data = held
        return data[start - at:end - at]

    def match(self, pattern, pos: int):
        """``pattern.match(piece, pos)``, its places in the piece's terms."""
        return self._regex(pattern.match, pos, pos, None)

    def search(self, pattern, start: int, end: int):
        """``pattern.search(piece, start, end)``, its places in the piece's terms."""
        return self._regex(pattern.search, start, end, end)

    def _regex(self, call, start: int, end: int, endpos: int | None):
        """``call(text, start, endpos)`` on a region holding ``MARGIN`` bytes around the line(s) of ``start`` to
        ``end``, else on the whole piece."""
        held = None
        if self.whole is None:
            line_end = self.find(b"\n", end) if endpos is None else endpos  # (which may read the piece whole)
            high = self.size if line_end < 0 else min(line_end + 1 + MARGIN, self.size)
            held = self._holding(max(start - MARGIN, 0), high)
        if held is None:
            whole = self.load()
            return call(whole, start) if endpos is None else call(whole, start, endpos)
        at, data = held
        found = call(data, start - at, len(data) if endpos is None else endpos - at)
        return None if found is None else _Shifted(found, at)


class _Shifted:
    """A match in a region, its places told in the piece's terms."""

    __slots__ = ("match", "at")

    def __init__(self, match, at: int):
        self.match, self.at = match, at

    def start(self, group=0) -> int:
        found = self.match.start(group)
        return found if found < 0 else found + self.at

    def end(self, group=0) -> int:
        found = self.match.end(group)
        return found if found < 0 else found + self.at

    def span(self, group=0) -> tuple[int, int]:
        return self.start(group), self.end(group)


def _empty_find(sub: bytes, start: int, end: int) -> int:
    """What ``find`` and ``rfind`` give over no bytes at all."""
    return start if not sub and start == end else -1


def match(pattern, piece, pos: int):
    """``pattern.match(piece, pos)`` for bytes or a ``Sketch``."""
    return piece.match(pattern, pos) if type(piece) is Sketch else pattern.match(piece, pos)


def search(pattern, piece, start: int, end: int):
    """``pattern.search(piece, start, end)`` for bytes or a ``Sketch``."""
    return piece.search(pattern, start, end) if type(piece) is Sketch else pattern.search(piece, start, end)


def whole(piece) -> bytes:
    """``piece`` as bytes (a ``Sketch`` read whole)."""
    return piece.load() if type(piece) is Sketch else piece
