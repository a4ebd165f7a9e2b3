"""Read a large line log by scanning whole buffers and parsing only the records that matter.

A parser that offers a ``Skim`` (``parsers.base``) reads its lines through
``ctx.lines()``; for a skimmed member those lines are not every line of the
file but whole records chosen from each piece of about ``PIECE`` bytes:

- every record where the matcher's engine says one of the spec's signatures
  may match (one Hyperscan scan of the piece, or the regex engine's hint
  literals), and every record an ``every`` trigger of the parser names;
- the last record of each piece that a ``latest`` trigger names (facts that a
  later record replaces, such as the heartbeat's AutoUpdate): found backwards
  with ``bytes.rfind`` of a literal the trigger requires, the line confirmed by
  the trigger's regex;
- the records of the file's last ``TAIL`` bytes (the newest time, the
  agent's last word) and any lines before the first record that a scan hits.

Pieces end where a record starts (the parser's ``start`` regex on the raw
bytes, else its own ``is_start``), so a record is never split, and a chosen
record keeps its real line numbers. A plain file's pieces (its stream has
``placed``: ``core.bundle``) are read where they lie by the scanning
processes, which send back the regions around what they found; the parsing
thread reads a piece whole only when those do not answer (``sketch``). A
stream's pieces are read in turn and passed on to them. A
chosen record equal to an earlier one but for its time stamp is folded (``matching.folding``): counted with the
earlier one's verdict, not handed to the parser again; records of the file's
tail are always parsed. Copies of a record folded often are found in bulk and
masked before the engine scans a piece (``Folds.bulk``, on the scanning
thread). The matcher
then confirms each chosen record as it would in a full read: the hits, their
counts and evidence are those of reading every record, while the Python work
is proportional to what was found, not to the size of the file.

A piece that is not plain ASCII (where the engine's byte classes would not say
the same as the signatures), or holds NUL bytes, is read line by line in full,
as is a file in UTF-16 or with a byte order mark. (A file that is not valid
UTF-8 falls back to cp1252 per piece here, where a full read keeps cp1252 from
the first invalid byte on: only how such a file's non-ASCII bytes read differs.)

Sample: a 300 MB waagent.log of routine traffic with a failure at the end
gives the parser a few thousand lines instead of 1.5 million.
"""
from __future__ import annotations

import functools
import io
import re
from bisect import bisect_left, bisect_right
from collections import deque
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterator

import regex

from azlog_vmbackup.analyzer.knowledge.literals import required_literals
from azlog_vmbackup.analyzer.matching import sketch
from azlog_vmbackup.analyzer.matching.engines import BufferScan
from azlog_vmbackup.analyzer.matching.folding import record_key
from azlog_vmbackup.analyzer.matching.matcher import KEEP
from azlog_vmbackup.analyzer.matching.scanners import open_scans, whole
from azlog_vmbackup.analyzer.matching.sketch import Sketch
from azlog_vmbackup.core.text import iter_lines, sniff_encoding
from azlog_vmbackup.parsers.base import Skim

if TYPE_CHECKING:
    from azlog_vmbackup.analyzer.matching.folding import Copies, Folds
    from azlog_vmbackup.analyzer.matching.scanners import Pending

PIECE = 2 << 20  # bytes scanned at a time (measured a little quicker than 3 or 4 MiB, and smaller)
# a plain file's first piece: its records are parsed (and what repeats is known to be hot, and the regexes
# compiled) while the next pieces are scanned; 2-3 % quicker on the failing logs than a first piece of PIECE
FIRST = 256 << 10
TAIL = 64 << 10  # the file's last bytes, read in full
MAX_CARRY = 8 << 20  # no record start in this much: the rest of the file is read line by line
_WALK = 4096  # lines looked back for a record start at a piece's end
DENSE = 1000  # more matches than this in a piece: the next one is scanned in line
_NEAR = 256 << 10  # a ``latest`` literal not in a piece's last bytes is looked for by the engine
FOLD_MAX = 16 << 10  # a longer record is always parsed (the parsers' own caps on a record lie above)
_BLOCK = 64 << 10  # the bytes of a piece between two entries of its line index
_PROBE = 64 << 10  # a plain file's piece is cut at a record start in its last bytes, read first
_BEFORE, _AFTER = 16 << 10, 8 << 10  # a plain file's piece's region around each place its scan found
_END = TAIL + (16 << 10)  # and at its end (``_regions``)
_SNIFF = 4096  # a plain file's first bytes, read for its encoding (``sniff_encoding``)


class Skimmer:
    """A ``ParseContext.reader`` that yields the lines of the chosen records of one member.

    ``scan()`` gives the engine's whole-buffer scan, asked for only when the
    member is larger than one piece (a smaller one is read in full); when it
    gives None, the member is read in full.

    >>> from azlog_vmbackup.parsers.waagent_log import SKIM
    >>> class NoHits:
    ...     def scan(self, data): return []
    ...     def occurrences(self, data, literals): return {x: [] for x in literals}
    >>> log = b''.join(b'2024-03-02T10:%02d:00.000000Z INFO Daemon LogCollector line\\n' % m for m in range(60))
    >>> skimmer = Skimmer(SKIM, NoHits, piece=1000, tail=60)
    >>> [n for n, _ in skimmer(io.BytesIO(log), 1000)]  # the last records only
    [59, 60]
    >>> skimmer.lines
    60
    """

    def __init__(self, skim: Skim, scan: Callable[[], BufferScan | None], piece: int | None = None,
                 tail: int | None = None, check: Callable[[], None] | None = None, folds: Folds | None = None,
                 processes: int | None = None, meanwhile: Callable[[], None] | None = None):
        self.skim, self.get_scan = skim, scan
        self.start = _start_pattern(skim)
        self.folds = folds  # the member's ``Folds.of``: None when its parser declares no stamp
        self.piece = PIECE if piece is None else piece
        self.first = min(FIRST, self.piece)  # a plain file's first piece
        self.tail = TAIL if tail is None else tail
        self.check = check  # called after each piece; raises to stop (the bundle's time limit)
        self.processes = processes  # scanning processes (``scanners.open_scans``; None: where safe, 0: threads)
        self.meanwhile = meanwhile  # called once the first pieces are handed to the scans, before the first is read
        self.placed = False  # the member is a plain file: a scanning process sends the regions of a piece to read
        self.scan: BufferScan | None = None
        self.lines = 0  # lines in the member so far, read or not
        self.dense = False  # the last piece had matches closer than every ``PIECE / DENSE`` bytes

    def __call__(self, stream: BinaryIO, max_line: int) -> Iterator[tuple[int, str]]:
        # a plain file's pieces are read where they lie, by the scanning processes too; a stream's in turn
        placed = getattr(stream, "placed", lambda: None)()
        if placed is None:
            buf = stream.read(self.piece)
            codec, bom = sniff_encoding(buf)
            more = stream.read(self.piece) if codec == "utf-8" and not bom and buf else b""
            pieces = bool(more)
        else:  # only its start is read here: the rest where a piece's scan asks for it
            buf = more = b""
            codec, bom = sniff_encoding(_read_whole(stream, 0, min(placed[1], _SNIFF)))
            pieces = codec == "utf-8" and not bom and placed[1] > self.piece
        if not pieces or (scan := self.get_scan()) is None:  # one piece, another encoding, or no scan
            yield from self._full(io.BufferedReader(_Joined(buf + more, stream)), max_line)
            return
        self.scan = scan
        # the next pieces are scanned (``matching.scanners``: by other processes, else on threads while the log is
        # quiet) as this one's records are parsed; on threads, where matches are dense each would call back into
        # the interpreter the parsing thread holds, so the piece is scanned in line. A piece is at most a carry
        # (under MAX_CARRY and a read) and a read.
        _latest_literals(self.skim)  # found once here: scanning processes forked now start with them
        self.placed = placed is not None  # (before the fork) a scanning process sends the regions to read
        scans = open_scans(self._scan, MAX_CARRY + 2 * self.piece, self.processes, placed and placed[0])
        pieces = (self._pieces(buf, more, stream) if placed is None
                  else self._placed(stream, placed[1], sketched=scans.separate))
        pending: deque[tuple] = deque()
        try:
            for piece, final, at in pieces:
                if piece is None:  # no record boundary in sight: the rest is read line by line
                    yield from self._drain(pending, max_line)
                    yield from self._full(io.BufferedReader(final), max_line)
                    return
                if self.dense and not scans.separate:
                    yield from self._drain(pending, max_line)
                    scanned = scans.now(piece, self._hot(final))
                else:
                    scanned = scans.submit(piece, self._hot(final), at)
                pending.append((piece, final, scanned))
                if len(pending) > scans.ahead:
                    yield from self._piece(*pending.popleft(), max_line)
            yield from self._drain(pending, max_line)
        finally:
            scans.close()

    def _drain(self, pending: deque[tuple], max_line: int) -> Iterator[tuple[int, str]]:
        """The chosen lines of every piece scanned and not yet read, in order."""
        while pending:
            yield from self._piece(*pending.popleft(), max_line)

    def _pieces(self, buf: bytes, more: bytes, stream: BinaryIO) -> Iterator[tuple]:
        """``(piece, final, None)`` for each piece of ``stream`` (``buf`` and ``more`` its first reads), cut
        where a record starts; ``(None, rest, None)`` when no record boundary is in sight, ``rest`` reading on
        from the first byte not given."""
        while True:
            final = not more
            cut = 0 if final or len(more) <= self.tail else self._cut(more, lowest=1)
            if cut:  # a record starts in what was just read: the piece is one copy
                yield b"".join((buf, memoryview(more)[:cut])), False, None  # one copy
                buf = more[cut:]
                if self.check is not None:
                    self.check()
                more = stream.read(self.piece)
                continue
            buf += more
            cut = len(buf) if final else self._cut(buf)
            if not cut and len(buf) > MAX_CARRY:
                yield None, _Joined(buf, stream), None
                return
            if cut:
                yield (buf[:cut] if cut < len(buf) else buf), final, None
                buf = buf[cut:]
            if final:
                return
            if self.check is not None:
                self.check()
            more = stream.read(self.piece)

    def _placed(self, stream, size: int, sketched: bool = False) -> Iterator[tuple]:
        """``(piece, final, at)`` for each piece of a plain file of ``size`` bytes, read at its place ``at``
        (``stream.read_at``). As with a stream's, the file is looked at ``piece`` bytes at a time (``first``
        bytes for the first piece), and a piece
        ends at the last record start in the first of those windows that holds one past the piece's start (its
        last ``_PROBE`` bytes are looked in first, so a piece is mostly read once); the final piece holds the
        file's last ``tail`` bytes. ``(None, rest, None)`` when no record boundary is in sight within
        ``MAX_CARRY``, ``rest`` reading on from there. ``sketched`` (the pieces are scanned by processes that
        read them): a piece is a ``Sketch``, read only where its scan's regions do not answer."""
        def piece(at: int, length: int) -> bytes | Sketch:
            if sketched:
                return Sketch(length, [], lambda: _read_whole(stream, at, length))
            return _read_whole(stream, at, length)

        at = window = 0  # where the piece and the bytes the next cut is looked in start
        while True:
            cut = 0
            while not cut and (end := min(window + (self.piece if at else self.first), size - self.tail)) > window:
                # the last bytes, then all of them, then all since the piece began (a long record's start)
                for low in dict.fromkeys((max(end - _PROBE, window), window, at)):
                    found = self._cut(_read_whole(stream, low, end - low), lowest=1, margin=0)
                    if found:
                        cut = low + found
                        break
                window = end
                if not cut and window - at > MAX_CARRY:
                    yield None, _Placed(stream, at, size), None
                    return
            if not cut:
                break
            yield piece(at, cut - at), False, at
            at = cut
            if self.check is not None:
                self.check()
        yield piece(at, size - at), True, at

    def _full(self, stream: BinaryIO, max_line: int) -> Iterator[tuple[int, str]]:
        base = self.lines
        for number, text in iter_lines(stream, max_line):
            self.lines = base + number
            yield base + number, text

    def _cut(self, buf: bytes, lowest: int = 0, margin: int | None = None) -> int:
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
            if self._starts(buf, start, end):
                return start
            end = start - 1
        return 0

    def _starts(self, buf: bytes, start: int, end: int) -> bool:
        if self.start is not None and sketch.match(self.start, buf, start):  # it matches within one line
            return True
        return self.skim.is_start(buf[start:end].decode("utf-8", "replace").rstrip("\r"))

    def _hot(self, final: bool) -> list[tuple[bytes, int]]:
        """The keys whose copies a piece's scan finds in bulk, with their stamps' lengths (none in the final
        piece: its tail is read in full)."""
        return [] if self.folds is None or final else self.folds.hot

    def _scan(self, piece: bytes, hot: list[tuple[bytes, int]], apart: bool) -> tuple | None:
        """What a scan finds in ``piece``: the copies of ``hot`` records (``Folds.bulk``), where the engine says
        a signature or trigger may match once they are masked, the ``latest`` triggers' literals in the piece's
        last ``_NEAR`` bytes with where the other triggers' literals occur, and (``apart``: in a scanning
        process, where it costs the parsing thread nothing) the piece's ``_Lines.index_of``; None for a piece that
        is not plain ASCII or holds NUL bytes (read line by line)."""
        if not piece.isascii() or b"\x00" in piece:
            return None
        bulk, masked = self.folds.bulk(piece, hot) if hot else ([], piece)
        near = max(len(piece) - _NEAR, 0)
        triggers = _latest_literals(self.skim)
        last = {x: piece.rfind(x, near) for literals in triggers for x in literals}
        close = {x for x, at in last.items() if at >= 0}
        # a trigger with a literal in the piece's last bytes is walked back from there (its other literals
        # could only matter nearer the end); the others' literals are looked for all at once
        far = tuple(dict.fromkeys(x for literals in triggers if close.isdisjoint(literals) for x in literals))
        index = _Lines.index_of(piece) if apart else None
        found = self.scan.scan(masked)
        occurrences = self.scan.occurrences(piece, far) if far else {}
        regions = _regions(piece, [*found, *(last[x] for x in close),
                                   *(at for places in occurrences.values() for at in places)], index) \
            if apart and self.placed else None
        return bulk, found, (close, occurrences), index, regions

    def _piece(self, piece: bytes, final: bool, scanned: Pending, max_line: int) -> Iterator[tuple[int, str]]:
        if self.meanwhile is not None:  # the caller's work, while this thread would wait for the first scan
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        base = self.lines
        size = len(piece)
        scan = scanned.result()
        if scan is None:  # read line by line, as UTF-8 like the whole file
            piece = sketch.whole(piece)
            self.lines += piece.count(b"\n") + (1 if final and not piece.endswith(b"\n") else 0)
            for number, text in iter_lines(io.BytesIO(piece), max_line, codec="utf-8"):
                yield base + number, text
            return
        bulk, found, latest_literals, index, regions = scan
        if type(piece) is Sketch:
            piece.know(None if regions is None else [(at, data) for at, data, _ in regions])
        if bulk:
            self.folds.counted(bulk)
        lines = _Lines(piece, base, index, None if regions is None else [(at, n) for at, _, n in regions])
        self.dense = len(found) > DENSE
        latest = self._latest(piece, *latest_literals)
        marks = sorted(set(found).union(latest))
        # a record a ``latest`` trigger chose is parsed (the parser may keep what it says, a fact or not)
        pinned = {self._record_start(piece, max(end - 1, 0)) for end in latest} if self.folds is not None else ()
        tail_from = size - self.tail if final else size
        unfolded = min(tail_from, size - 1) if final else size  # a record past this is read in full: the tail's
        starts, folds = self.start, self.folds
        if starts is None:
            match = None
        elif type(piece) is Sketch:
            match = lambda _, pos: piece.match(starts, pos)  # noqa: E731 - called as a pattern's match is
        else:
            match = starts.match
        rfind, find, before = piece.rfind, piece.find, lines.before
        if folds is not None:
            known, enqueue, stamp_group = folds.known.get, folds.queue.append, starts.groupindex["stamp"]
            head_group = starts.groupindex.get("head")
        span_end = 0
        for mark in marks:  # the record holding each match's last byte, each once
            at = mark - 1 if mark else 0
            if at < span_end:
                continue
            if at >= tail_from:
                break
            if bulk and _within(bulk, at, pinned):  # a copy found in bulk: queued with its run
                continue
            line = rfind(b"\n", 0, at) + 1
            m = match(piece, line) if match is not None else None
            start = line if m is not None else self._record_start(piece, at)
            newline = find(b"\n", at)
            if newline < 0 or newline + 1 >= size:
                end = size
            elif match is not None and match(piece, newline + 1):
                end = newline + 1
            else:
                end = self._record_end(piece, at)
            span_end = end
            if bulk:
                self._queue_runs(bulk, start, lines)
            number = before(start)
            if folds is not None and end - start <= FOLD_MAX and start not in pinned and end <= unfolded:
                if m is None or start != line:
                    m = match(piece, start)
                if m is not None:
                    at, after = m.span(stamp_group)
                    if after > at:
                        stamp = piece[at:after]
                        head = m.end(head_group) - at if head_group is not None and m.start(head_group) >= 0 else 0
                        key = record_key(stamp, head, piece[after:end])
                        kept = known(key)
                        if kept is not None:
                            enqueue((number + 1, [stamp], [(number + 1, stamp)], kept))
                            # hot from here on: its other copies in the piece are found at once (not in the
                            # final piece, whose tail is read in full)
                            if folds.folded(key) and not final and all(c.key != key for c in bulk):
                                copies = folds.copies(sketch.whole(piece), key)
                                if copies is not None:
                                    copies.done = bisect_right(copies.starts, start)
                                    bulk = [*bulk, copies]
                            continue
                        folds.expect(number + 1, key, stamp.decode("ascii"))
            yield from _lines(piece, start, end, number, max_line)
        if bulk:
            self._queue_runs(bulk, size, lines)
        if final and size:
            at = min(max(tail_from, 0), size - 1)  # the last byte at least: the last record is read
            # from the record holding it, or from where a record read for a match ended past it
            start = self._record_start(piece, at) if at >= span_end else span_end
            if start < size:
                yield from _lines(piece, start, size, before(start), max_line)  # the tail: never folded
        self.lines = lines.end() + (1 if final and not piece.endswith(b"\n") else 0)
        if folds is not None:
            folds.settle()

    def _queue_runs(self, bulk: list[Copies], upto: int, lines: _Lines) -> None:
        """Queue, a run per record, the copies found in bulk that start before ``upto`` (one starting there is
        read in full: a ``latest`` trigger chose it), the line of the newest few counted with ``lines``."""
        runs = []
        for copies in bulk:
            starts, done = copies.starts, copies.done
            upto_at = bisect_left(starts, upto, done)
            copies.done = upto_at + 1 if upto_at < len(starts) and starts[upto_at] == upto else upto_at
            if upto_at > done:
                runs.append((copies, done, upto_at, max(done, upto_at - KEEP)))
        if not runs:
            return
        known = self.folds.known
        line = {at: lines.before(at) + 1
                for at in sorted(copies.starts[i] for copies, _, upto_at, last in runs for i in range(last, upto_at))}
        for copies, done, upto_at, last in runs:
            tail = [(line[copies.starts[i]], copies.stamps[i]) for i in range(last, upto_at)]
            self.folds.queue.append((tail[-1][0], copies.stamps[done:upto_at], tail, known[copies.key]))

    def _latest(self, piece: bytes, close: set[bytes], found: dict[bytes, list[int]]) -> list[int]:
        """For each ``latest`` trigger, the end of the last line of ``piece`` it matches. A literal ``close``
        to the end (in the piece's last ``_NEAR`` bytes) is walked back with ``rfind``; where ``found`` (the
        scan's) names a literal, it says where that one occurs."""
        out = []
        for literals, pattern in zip(_latest_literals(self.skim), _latest_patterns(self.skim), strict=True):
            best = -1
            # those in the last bytes first: the others are then looked for only after the last match found
            for literal in sorted(literals, key=lambda x: x not in close):
                places = reversed(found[literal]) if literal in found else _backwards(piece, literal, best + 1)
                for at in places:
                    if at <= best:
                        break
                    start = piece.rfind(b"\n", 0, at) + 1
                    end = piece.find(b"\n", at)
                    end = len(piece) if end < 0 else end
                    if sketch.search(pattern, piece, start, end):
                        best = max(best, end)
                        break
            if best >= 0:
                out.append(best)
        return out

    def _record_start(self, piece: bytes, at: int) -> int:
        start = piece.rfind(b"\n", 0, at) + 1  # the line holding byte ``at`` (its newline included)
        while start > 0:
            end = piece.find(b"\n", start)
            if self._starts(piece, start, end if end >= 0 else len(piece)):
                return start
            start = piece.rfind(b"\n", 0, start - 1) + 1
        return 0

    def _record_end(self, piece: bytes, at: int) -> int:
        newline = piece.find(b"\n", at)
        while newline >= 0:
            start = newline + 1
            if start >= len(piece):
                return len(piece)
            newline = piece.find(b"\n", start)
            if self._starts(piece, start, newline if newline >= 0 else len(piece)):
                return start
        return len(piece)


class _Lines:
    """Line numbers in a piece after line ``base``, asked for in order: counted on from the place last asked for,
    or from the nearest block before it that the piece's ``index`` (``index_of``) gives, or from the nearest
    ``known`` place (a sketched piece's regions' starts, with the newlines before each).

    >>> piece = b"a\\nb\\nc\\nd\\n"
    >>> lines = _Lines(piece, 10)
    >>> lines.before(2), lines.before(6), lines.end()
    (11, 13, 14)
    >>> index = _Lines.index_of(piece, block=4)
    >>> index, _Lines(piece, 10, index).before(7)
    ((4, [0, 2, 4]), 13)
    """

    __slots__ = ("piece", "at", "number", "base", "index", "block", "starts", "counts")

    def __init__(self, piece: bytes | Sketch, base: int, index: tuple[int, list[int]] | None = None,
                 known: list[tuple[int, int]] | None = None):
        self.piece, self.at, self.number, self.base = piece, 0, base, base
        self.block, self.index = index if index is not None else (0, None)
        self.starts, self.counts = ([at for at, _ in known], [n for _, n in known]) if known else ((), ())

    @staticmethod
    def index_of(piece: bytes, block: int | None = None) -> tuple[int, list[int]]:
        """The newlines before each ``block`` bytes of ``piece`` (default ``_BLOCK``), with ``block``: the
        ``index`` of its ``_Lines``."""
        block = block or _BLOCK
        counts = [0]
        for at in range(block, len(piece) + 1, block):
            counts.append(counts[-1] + piece.count(b"\n", at - block, at))
        return block, counts

    def before(self, at: int) -> int:
        """The line ending last before byte ``at`` (``base`` when none does)."""
        if self.index is not None and at - self.at > self.block:
            block = at // self.block
            self.at, self.number = block * self.block, self.base + self.index[block]
        if self.starts:
            i = bisect_right(self.starts, at) - 1
            if i >= 0 and self.starts[i] > self.at:
                self.at, self.number = self.starts[i], self.base + self.counts[i]
        self.number += self.piece.count(b"\n", self.at, at)
        self.at = at
        return self.number

    def end(self) -> int:
        """The piece's last line."""
        return self.before(len(self.piece))


def _within(bulk: list[Copies], at: int, pinned) -> bool:
    """Whether byte ``at`` lies in one of the copies found in bulk that a ``latest`` trigger did not choose
    (``pinned``: their starts)."""
    for copies in bulk:
        i = bisect_right(copies.starts, at) - 1
        if i >= 0 and at < copies.starts[i] + copies.size and copies.starts[i] not in pinned:
            return True
    return False


def _backwards(piece: bytes, literal: bytes, low: int = 0) -> Iterator[int]:
    """Where ``literal`` starts in ``piece`` from byte ``low`` on, last first."""
    at = piece.rfind(literal, low)
    while at >= 0:
        yield at
        at = piece.rfind(literal, low, at)


def _lines(piece: bytes, start: int, end: int, number: int, max_line: int) -> Iterator[tuple[int, str]]:
    """The numbered lines of ``piece[start:end]`` (ASCII), the first being line ``number + 1``."""
    text = piece[start:end].decode("ascii")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    for offset, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        yield number + offset, line if len(line) <= max_line else line[:max_line] + " [truncated]"


@functools.lru_cache(maxsize=16)
def _start_pattern(skim: Skim) -> re.Pattern | None:
    """The parser's ``start`` regex, compiled for raw bytes (with ``re``: twice as quick as ``regex`` here)."""
    return None if skim.start is None else re.compile(skim.start.encode())


@functools.lru_cache(maxsize=16)
def _latest_literals(skim: Skim) -> tuple[tuple[bytes, ...], ...]:
    """For each ``latest`` trigger, the literals one of which its every match holds (what a piece's scan looks
    for)."""
    out = []
    for trigger in skim.latest:
        literals = required_literals(trigger)
        if not literals:
            raise ValueError(f"a latest trigger needs a literal every match holds: {trigger!r}")
        out.append(tuple(x.encode() for x in literals))
    return tuple(out)


@functools.lru_cache(maxsize=16)
def _latest_patterns(skim: Skim) -> tuple[re.Pattern | regex.Pattern, ...]:
    """Each ``latest`` trigger's regex (bytes), compiled at the first piece read (only the parsing thread
    confirms a line with it: a scanning process is forked without it)."""
    out = []
    for trigger in skim.latest:
        try:  # Python's re compiles these in a third of the time; the regex module takes what it cannot
            out.append(re.compile(trigger.encode()))
        except re.error:
            out.append(regex.compile(trigger.encode()))
    return tuple(out)


def _regions(piece: bytes, places: list[int], index: tuple[int, list[int]]) -> list[tuple[int, bytes, int]] | None:
    """The regions of ``piece`` its reader will most likely look at (``Sketch``), each with the newlines before
    it: ``_BEFORE`` bytes before and ``_AFTER`` after each of ``places`` (a match's end, a literal's start: its
    record, the copies found in bulk before it) and the last ``_END`` (the tail, the last line); None when they
    would be half the piece or more (it is read whole then).

    >>> piece = b"x" * 99 + b"\\n"
    >>> [(at, len(data), n) for at, data, n in _regions(piece * 20000, [500_000], _Lines.index_of(piece * 20000))]
    [(483616, 24576, 4836), (1918080, 81920, 19180)]
    """
    size = len(piece)
    windows = sorted([(max(at - _BEFORE, 0), min(at + _AFTER, size)) for at in places] + [(max(size - _END, 0), size)])
    merged: list[list[int]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if 2 * sum(end - start for start, end in merged) >= size:
        return None
    block, counts = index
    return [(start, piece[start:end], counts[start // block] + piece.count(b"\n", start // block * block, start))
            for start, end in merged]


def _read_whole(stream, at: int, size: int) -> bytes:
    """The ``size`` bytes at byte ``at`` of a plain file (``read_at``): an ``OSError`` when it turns out shorter."""
    return whole(stream.read_at(at, size), at, size)


class _Placed(io.RawIOBase):
    """A plain file's bytes from ``at`` to ``end``, read at their place (``_read_whole``)."""

    def __init__(self, stream, at: int, end: int):
        self.stream, self.at, self.end = stream, at, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.end - self.at)
        buffer[:size] = _read_whole(self.stream, self.at, size)
        self.at += size
        return size


class _Joined(io.RawIOBase):
    """Bytes already read, then the rest of a stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self.head, self.at, self.rest = memoryview(head), 0, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.at < len(self.head):
            n = min(len(buffer), len(self.head) - self.at)
            buffer[:n] = self.head[self.at:self.at + n]
            self.at += n
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
