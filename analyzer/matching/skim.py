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
  the trigger's regex, where the piece is scanned (``pieces.PieceScan``);
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

from azlog_vmbackup.analyzer.knowledge.literals import required_literals
from azlog_vmbackup.analyzer.matching import head_start, sketch
from azlog_vmbackup.analyzer.matching.engines import BufferScan
from azlog_vmbackup.analyzer.matching.folding import record_key
from azlog_vmbackup.analyzer.matching.matcher import KEEP
from azlog_vmbackup.analyzer.matching.pieces import DENSE, MAX_CARRY, PIECE, TAIL, Cutter, PieceScan, read_whole
from azlog_vmbackup.analyzer.matching.scanners import Ready, open_scans
from azlog_vmbackup.analyzer.matching.sketch import Sketch
from azlog_vmbackup.core.text import iter_lines, sniff_encoding
from azlog_vmbackup.parsers.base import Skim

if TYPE_CHECKING:
    from azlog_vmbackup.analyzer.matching.folding import Copies, Folds
    from azlog_vmbackup.analyzer.matching.scanners import Pending

FOLD_MAX = 16 << 10  # a longer record is always parsed (the parsers' own caps on a record lie above)
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
        self.folds = folds  # the member's ``Folds.of``: None when its parser declares no stamp
        self.piece = PIECE if piece is None else piece
        self.tail = TAIL if tail is None else tail
        self.cutter = Cutter(_start_pattern(skim), skim.is_start, self.piece, self.tail)
        self.check = check  # called after each piece; raises to stop (the bundle's time limit)
        self.processes = processes  # scanning processes (``scanners.open_scans``; None: where safe, 0: threads)
        self.meanwhile = meanwhile  # called once the first pieces are handed to the scans, before the first is read
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
            codec, bom = sniff_encoding(read_whole(stream, 0, min(placed[1], _SNIFF)))
            pieces = codec == "utf-8" and not bom and placed[1] > self.piece
        if not pieces or (scan := self.get_scan()) is None:  # one piece, another encoding, or no scan
            yield from self._full(io.BufferedReader(_Joined(buf + more, stream)), max_line)
            return
        self.scan = scan
        # the next pieces are scanned (``matching.scanners``: by other processes, else on threads while the log is
        # quiet) as this one's records are parsed; on threads, where matches are dense each would call back into
        # the interpreter the parsing thread holds, so the piece is scanned in line. A piece is at most a carry
        # (under MAX_CARRY and a read) and a read. A scanning process sends the regions of a plain file's piece.
        scan_piece = PieceScan(scan, latest_literals(self.skim), self.skim.latest, placed is not None,
                               None if self.folds is None else self.folds.bulk)
        # the pieces of a plain file that ``head_start`` scanned while the analysis started, by where they start,
        # and those it prepared (``PieceScan.prepared``: the scanning processes forked below inherit them)
        early, scan_piece.prepared = ({}, {}) if placed is None else head_start.take(
            placed[0], scan_piece, self.skim.start, getattr(scan, "key", None), self.piece, self.tail)
        scans = open_scans(scan_piece, MAX_CARRY + 2 * self.piece, self.processes, placed and placed[0])
        pieces = (self._pieces(buf, more, stream) if placed is None
                  else self._placed(stream, placed[1], sketched=scans.separate))
        pending: deque[tuple] = deque()
        ready = 0  # pieces pending whose scan was made early
        try:
            for piece, final, at in pieces:
                if piece is None:  # no record boundary in sight: the rest is read line by line
                    yield from self._drain(pending, max_line)
                    yield from self._full(io.BufferedReader(final), max_line)
                    return
                made = early.pop(at, None) if early else None
                if made is not None and made[0] == at + len(piece):  # cut alike: its scan is that of this piece
                    scanned, ready = Ready(made[1]), ready + 1
                elif self.dense and not scans.separate:
                    yield from self._drain(pending, max_line)
                    scanned = scans.now(piece, self._hot(final))
                else:
                    scanned = scans.submit(piece, self._hot(final), at)
                pending.append((piece, final, scanned))
                # a piece is read once ``ahead`` scans are asked for after it; one scanned early, once ``ahead``
                # are asked for at all (so each read of those asks for one more, and the processes keep busy)
                asked = len(pending) - ready
                if asked > scans.ahead or asked == scans.ahead and type(pending[0][2]) is Ready:
                    piece, final, scanned = pending.popleft()
                    ready -= type(scanned) is Ready
                    yield from self._piece(piece, final, scanned, max_line)
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
            cut = 0 if final or len(more) <= self.tail else self.cutter.cut(more, lowest=1)
            if cut:  # a record starts in what was just read: the piece is one copy
                yield b"".join((buf, memoryview(more)[:cut])), False, None  # one copy
                buf = more[cut:]
                if self.check is not None:
                    self.check()
                more = stream.read(self.piece)
                continue
            buf += more
            cut = len(buf) if final else self.cutter.cut(buf)
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
        """``(piece, final, at)`` for each piece of a plain file of ``size`` bytes, cut where ``Cutter.cuts`` says
        and read at its place ``at`` (``stream.read_at``); ``(None, rest, None)`` when no record boundary is in
        sight within ``MAX_CARRY``, ``rest`` reading on from there. ``sketched`` (the pieces are scanned by
        processes that read them): a piece is a ``Sketch``, read only where its scan's regions do not answer."""
        read = functools.partial(read_whole, stream)
        for at, end, final in self.cutter.cuts(read, size, self.check):
            if end is None:
                yield None, _Placed(stream, at, size), None
                return
            yield (Sketch(end - at, [], functools.partial(read, at, end - at)) if sketched
                   else read(at, end - at)), final, at

    def _full(self, stream: BinaryIO, max_line: int) -> Iterator[tuple[int, str]]:
        base = self.lines
        for number, text in iter_lines(stream, max_line):
            self.lines = base + number
            yield base + number, text

    def _hot(self, final: bool) -> list[tuple[bytes, int]]:
        """The keys whose copies a piece's scan finds in bulk, with their stamps' lengths (none in the final
        piece: its tail is read in full)."""
        return [] if self.folds is None or final else self.folds.hot

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
        bulk, found, latest, index, regions = scan
        if type(piece) is Sketch:
            piece.know(None if regions is None else [(at, data) for at, data, _ in regions])
        if bulk:
            self.folds.counted(bulk)
        lines = _Lines(piece, base, index, None if regions is None else [(at, n) for at, _, n in regions])
        self.dense = len(found) > DENSE
        marks = sorted(set(found).union(latest))
        # a record a ``latest`` trigger chose is parsed (the parser may keep what it says, a fact or not)
        pinned = {self._record_start(piece, max(end - 1, 0)) for end in latest} if self.folds is not None else ()
        tail_from = size - self.tail if final else size
        unfolded = min(tail_from, size - 1) if final else size  # a record past this is read in full: the tail's
        starts, folds = self.cutter.start, self.folds
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

    def _record_start(self, piece: bytes, at: int) -> int:
        start = piece.rfind(b"\n", 0, at) + 1  # the line holding byte ``at`` (its newline included)
        while start > 0:
            end = piece.find(b"\n", start)
            if self.cutter.starts(piece, start, end if end >= 0 else len(piece)):
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
            if self.cutter.starts(piece, start, newline if newline >= 0 else len(piece)):
                return start
        return len(piece)


class _Lines:
    """Line numbers in a piece after line ``base``, asked for in order: counted on from the place last asked for,
    or from the nearest block before it that the piece's ``index`` (``pieces.index_of``) gives, or from the nearest
    ``known`` place (a sketched piece's regions' starts, with the newlines before each).

    >>> piece = b"a\\nb\\nc\\nd\\n"
    >>> lines = _Lines(piece, 10)
    >>> lines.before(2), lines.before(6), lines.end()
    (11, 13, 14)
    >>> _Lines(piece, 10, (4, [0, 2, 4])).before(7)
    13
    """

    __slots__ = ("piece", "at", "number", "base", "index", "block", "starts", "counts")

    def __init__(self, piece: bytes | Sketch, base: int, index: tuple[int, list[int]] | None = None,
                 known: list[tuple[int, int]] | None = None):
        self.piece, self.at, self.number, self.base = piece, 0, base, base
        self.block, self.index = index if index is not None else (0, None)
        self.starts, self.counts = ([at for at, _ in known], [n for _, n in known]) if known else ((), ())

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
def latest_literals(skim: Skim) -> tuple[tuple[bytes, ...], ...]:
    """For each ``latest`` trigger, the literals one of which its every match holds (what a piece's scan looks
    for)."""
    out = []
    for trigger in skim.latest:
        literals = required_literals(trigger)
        if not literals:
            raise ValueError(f"a latest trigger needs a literal every match holds: {trigger!r}")
        out.append(tuple(x.encode() for x in literals))
    return tuple(out)


class _Placed(io.RawIOBase):
    """A plain file's bytes from ``at`` to ``end``, read at their place (``pieces.read_whole``)."""

    def __init__(self, stream, at: int, end: int):
        self.stream, self.at, self.end = stream, at, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.end - self.at)
        buffer[:size] = read_whole(self.stream, self.at, size)
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
