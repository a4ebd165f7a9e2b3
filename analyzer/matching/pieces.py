"""How a large log is cut into pieces, and what the scan of one piece finds (``matching.skim`` reads the rest).

A piece ends where a record starts (``Cutter``: the parser's ``start`` regex on
raw bytes, else its own ``is_start``), so no record is split. A plain file is
looked at ``PIECE`` bytes at a time (``FIRST`` for its first piece) and its
final piece holds its last ``TAIL`` bytes. ``PieceScan`` is what a scanning
thread or process runs on a piece: where the engine says a signature or a
trigger may match, the last line each ``latest`` trigger matches, the piece's
line index and, for a plain file's piece, the regions around what it found.

Only the standard library is imported here, and nothing of the knowledge or
the parsers: a process forked before the analysis has loaded them
(``head_start``) cuts and scans with the same code as the skimmer.

Sample: a 100 MB waagent.log is a first piece of 256 KiB, then 49 of about
2 MiB, each ending before a line ``2026-...Z INFO ...``.
"""
from __future__ import annotations

import functools
import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Callable, Iterator

from azlog_vmbackup.analyzer.matching import sketch
from azlog_vmbackup.analyzer.matching.scanners import whole

if TYPE_CHECKING:
    from azlog_vmbackup.analyzer.matching.engines import BufferScan
    from azlog_vmbackup.analyzer.matching.folding import Copies

PIECE = 2 << 20  # bytes scanned at a time (measured a little quicker than 3 or 4 MiB, and smaller)
# a plain file's first piece: its records are parsed (and what repeats is known to be hot, and the regexes
# compiled) while the next pieces are scanned; 2-3 % quicker on the failing logs than a first piece of PIECE
FIRST = 256 << 10
TAIL = 64 << 10  # the file's last bytes, read in full
MAX_CARRY = 8 << 20  # no record start in this much: the rest of the file is read line by line
DENSE = 1000  # more matches than this in a piece: the next one is scanned in line
_WALK = 4096  # lines looked back for a record start at a piece's end
_NEAR = 256 << 10  # a ``latest`` literal not in a piece's last bytes is looked for by the engine
_BLOCK = 64 << 10  # the bytes of a piece between two entries of its line index
_PROBE = 64 << 10  # a plain file's piece is cut at a record start in its last bytes, read first
_BEFORE, _AFTER = 16 << 10, 8 << 10  # a plain file's piece's region around each place its scan found
_END = TAIL + (16 << 10)  # and at its end (``regions``)

Read = Callable[[int, int], bytes]  # (at, size) -> the ``size`` bytes at byte ``at`` of a plain file


class Cutter:
    """Where the pieces of a log end: at the start of a record (``starts``).

    >>> import re
    >>> cutter = Cutter(re.compile(rb"\\d{4} "), None, piece=40, tail=10)
    >>> log = b"".join(b"%04d line\\n" % n for n in range(12))
    >>> list(cutter.cuts(lambda at, size: log[at:at + size], len(log)))
    [(0, 30, False), (30, 70, False), (70, 100, False), (100, 120, True)]
    """

    __slots__ = ("start", "is_start", "piece", "first", "tail")

    def __init__(self, start: re.Pattern | None, is_start: Callable[[str], bool] | None, piece: int = PIECE,
                 tail: int = TAIL):
        self.start = start  # the parser's ``start`` regex, compiled for raw bytes
        self.is_start = is_start  # the parser's own rule, asked where ``start`` does not match (None: no record)
        self.piece, self.first, self.tail = piece, min(FIRST, piece), tail

    def cut(self, buf: bytes, lowest: int = 0, margin: int | None = None) -> int:
        """Where the last complete line of ``buf`` that starts a record begins, at least ``margin`` bytes
        (default ``tail``: so the last piece holds the file's tail) before the end and not before ``lowest``
        (1: the first line of ``buf`` may be the end of an earlier one); 0: none found."""
        margin = self.tail if margin is None else margin
        end = buf.rfind(b"\n", 0, max(len(buf) - margin, 0))  # a partial line is never judged
        for _ in range(_WALK):
            if end <= 0:
                return 0
            start = buf.rfind(b"\n", 0, end) + 1
            if start < lowest:
                return 0
            if self.starts(buf, start, end):
                return start
            end = start - 1
        return 0

    def starts(self, buf: bytes, start: int, end: int) -> bool:
        """Whether the line ``buf[start:end]`` opens a record."""
        if self.start is not None and sketch.match(self.start, buf, start):  # it matches within one line
            return True
        return self.is_start is not None and self.is_start(buf[start:end].decode("utf-8", "replace").rstrip("\r"))

    def cuts(self, read: Read, size: int, check: Callable[[], None] | None = None) -> Iterator[tuple]:
        """``(at, end, final)`` for each piece of a plain file of ``size`` bytes (``read``: its bytes at a place),
        ``(at, None, False)`` when no record starts within ``MAX_CARRY`` bytes of ``at`` (the rest is read line by
        line). The file is looked at ``piece`` bytes at a time (``first`` for the first piece); a piece ends at
        the last record start in the first of those windows that holds one past the piece's start (its last
        ``_PROBE`` bytes are looked in first, so a piece is mostly read once). ``check`` is called after each
        piece but the final one."""
        at = window = 0  # where the piece and the bytes the next cut is looked in start
        while True:
            cut = 0
            while not cut and (end := min(window + (self.piece if at else self.first), size - self.tail)) > window:
                # the last bytes, then all of them, then all since the piece began (a long record's start)
                for low in dict.fromkeys((max(end - _PROBE, window), window, at)):
                    found = self.cut(read(low, end - low), lowest=1, margin=0)
                    if found:
                        cut = low + found
                        break
                window = end
                if not cut and window - at > MAX_CARRY:
                    yield at, None, False
                    return
            if not cut:
                break
            yield at, cut, False
            at = cut
            if check is not None:
                check()
        yield at, size, True


class PieceScan:
    """What a scan finds in a piece (called by ``scanners``, on a thread or in a scanning process).

    ``buffer``: the engine's whole-buffer scan; ``latest``: the parser's ``latest`` triggers (regexes), with
    ``triggers``: for each, the literals one of which its every match holds; ``placed``: the pieces are a plain
    file's, whose reader reads only the regions a scan in a process sends; ``bulk``: ``Folds.bulk`` (None: no
    record is folded); ``prepared``: what ``prepare`` gave for pieces of the plain file, by where each starts,
    with where it ends (``head_start``'s: each is used once, for the piece cut alike).
    """

    __slots__ = ("buffer", "triggers", "latest", "placed", "bulk", "prepared")

    def __init__(self, buffer: BufferScan, triggers: tuple[tuple[bytes, ...], ...], latest: tuple[str, ...],
                 placed: bool, bulk: Callable[[bytes, list], tuple[list[Copies], bytes | bytearray]] | None = None):
        self.buffer, self.triggers, self.latest, self.placed, self.bulk = buffer, triggers, latest, placed, bulk
        self.prepared: dict[int, tuple[int, tuple[list[int], tuple[int, list[int]]]]] = {}

    def __call__(self, piece: bytes, hot: list[tuple[bytes, int]], apart: bool, at: int | None = None) -> tuple | None:
        """The copies of ``hot`` records (``Folds.bulk``), where the engine says a signature or trigger may match
        once they are masked, where the last line each ``latest`` trigger matches ends (``last_lines``), and
        (``apart``: in a scanning process, where it costs the parsing thread nothing) the piece's ``index_of``
        and ``regions``; None for a piece that is not plain ASCII or holds NUL bytes (read line by line). ``at``:
        where the piece lies in a plain file (its ``prepared`` part is used then)."""
        if not plain(piece):
            return None
        bulk, masked = self.bulk(piece, hot) if hot and self.bulk is not None else ([], piece)
        made = self.prepared.pop(at, None) if self.prepared and at is not None else None
        if made is not None and made[0] == at + len(piece):  # (cut alike)
            latest, index = made[1][0], made[1][1] if apart else None
        else:
            latest, index = self.last_lines(piece), index_of(piece) if apart else None
        found = self.buffer.scan(masked)
        found_regions = regions(piece, [*found, *latest], index) if apart and self.placed else None
        return bulk, found, latest, index, found_regions

    def prepare(self, piece: bytes) -> tuple[list[int], tuple[int, list[int]]]:
        """What a scan of ASCII ``piece`` finds whatever records are hot: ``last_lines`` and its ``index_of``."""
        return self.last_lines(piece), index_of(piece)

    def last_lines(self, piece: bytes) -> list[int]:
        """For each ``latest`` trigger that matches a line of ``piece``, where the last such line ends. A trigger
        with a literal in the piece's last ``_NEAR`` bytes is walked back from there with ``rfind`` (its other
        literals could only matter nearer the end); the others' literals are looked for all at once by the
        engine (they are rare, if there at all). Each line holding a literal is asked the trigger's regex."""
        near = max(len(piece) - _NEAR, 0)
        close = {x for literals in self.triggers for x in literals if piece.rfind(x, near) >= 0}
        far = tuple(dict.fromkeys(x for literals in self.triggers if close.isdisjoint(literals) for x in literals))
        occurrences = self.buffer.occurrences(piece, far) if far else {}
        out = []
        for literals, source in zip(self.triggers, self.latest, strict=True):
            pattern, best = trigger_regex(source), -1
            # those in the last bytes first: the others are then looked for only after the last match found
            for literal in sorted(literals, key=lambda x: x not in close):
                places = (reversed(occurrences[literal]) if literal in occurrences
                          else _backwards(piece, literal, best + 1))
                for at in places:
                    if at <= best:
                        break
                    start = piece.rfind(b"\n", 0, at) + 1
                    end = piece.find(b"\n", at)
                    end = len(piece) if end < 0 else end
                    if pattern.search(piece, start, end):
                        best = max(best, end)
                        break
            if best >= 0:
                out.append(best)
        return out


@functools.lru_cache(maxsize=64)
def trigger_regex(source: str):
    """A ``latest`` trigger's regex, compiled for raw bytes: by Python's ``re``, three times quicker to compile,
    else (a pattern only it takes) by the regex module."""
    try:
        return re.compile(source.encode())
    except re.error:
        import regex

        return regex.compile(source.encode())


def _backwards(piece: bytes, literal: bytes, low: int = 0) -> Iterator[int]:
    """Where ``literal`` starts in ``piece`` from byte ``low`` on, last first."""
    at = piece.rfind(literal, low)
    while at >= 0:
        yield at
        at = piece.rfind(literal, low, at)


def plain(piece: bytes) -> bool:
    """Whether ``piece`` is plain ASCII without NUL bytes, where the engine's byte classes say what the signatures
    say (any other piece is read line by line).

    >>> plain(b"2026-11-01 ok\\n"), plain(b"caf\\xc3\\xa9\\n"), plain(b"a\\x00b")
    (True, False, False)
    """
    return piece.isascii() and b"\x00" not in piece


def index_of(piece: bytes, block: int | None = None) -> tuple[int, list[int]]:
    """The newlines before each ``block`` bytes of ``piece`` (default ``_BLOCK``), with ``block``: a piece's line
    index (``skim._Lines``).

    >>> index_of(b"a\\nb\\nc\\nd\\n", block=4)
    (4, [0, 2, 4])
    """
    block = block or _BLOCK
    counts = [0]
    for at in range(block, len(piece) + 1, block):
        # what deleting them removes: ``replace`` finds them with memchr, twice as quick on log lines (some 100
        # bytes each) as ``count``, which tests every byte
        counts.append(counts[-1] + block - len(piece[at - block:at].replace(b"\n", b"")))
    return block, counts


def regions(piece: bytes, places: list[int], index: tuple[int, list[int]]) -> list[tuple[int, bytes, int]] | None:
    """The regions of ``piece`` its reader will most likely look at (``Sketch``), each with the newlines before
    it: ``_BEFORE`` bytes before and ``_AFTER`` after each of ``places`` (a match's end, a literal's start: its
    record, the copies found in bulk before it) and the last ``_END`` (the tail, the last line); None when they
    would be half the piece or more (it is read whole then).

    >>> piece = b"x" * 99 + b"\\n"
    >>> [(at, len(data), n) for at, data, n in regions(piece * 20000, [500_000], index_of(piece * 20000))]
    [(483616, 24576, 4836), (1918080, 81920, 19180)]
    """
    size, places = len(piece), sorted(places)
    merged: list[list[int]] = []
    covered = i = 0
    while i < len(places):  # each window, with those that overlap it (found at once: a failing log has thousands)
        start, end = max(places[i] - _BEFORE, 0), min(places[i] + _AFTER, size)
        i += 1
        while i < len(places) and places[i] - _BEFORE <= end:
            i = bisect_right(places, end + _BEFORE, i)
            end = max(end, min(places[i - 1] + _AFTER, size))
        merged.append([start, end])
        covered += end - start
        if 2 * covered >= size:
            return None
    tail = max(size - _END, 0)  # the tail's window, with those that reach it
    merged = [w for w in merged if w[1] < tail] + [[min([tail] + [w[0] for w in merged if w[1] >= tail]), size]]
    if 2 * sum(end - start for start, end in merged) >= size:
        return None
    block, counts = index
    return [(start, piece[start:end], counts[start // block] + piece.count(b"\n", start // block * block, start))
            for start, end in merged]


def read_whole(stream, at: int, size: int) -> bytes:
    """The ``size`` bytes at byte ``at`` of a plain file (``stream.read_at``): an ``OSError`` when it turns out
    shorter."""
    return whole(stream.read_at(at, size), at, size)
