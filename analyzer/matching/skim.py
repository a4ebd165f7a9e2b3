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

Pieces end where a record starts (the parser's own ``is_start``), so a record
is never split, and a chosen record keeps its real line numbers. The matcher
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
from typing import BinaryIO, Callable, Iterator

import regex

from azlog_vmbackup.analyzer.knowledge.literals import required_literals
from azlog_vmbackup.analyzer.matching.engines import BufferScan
from azlog_vmbackup.core.text import iter_lines, sniff_encoding
from azlog_vmbackup.parsers.base import Skim

PIECE = 4 << 20  # bytes scanned at a time
TAIL = 64 << 10  # the file's last bytes, read in full
MAX_CARRY = 8 << 20  # no record start in this much: the rest of the file is read line by line
_WALK = 4096  # lines looked back for a record start at a piece's end


class Skimmer:
    """A ``ParseContext.reader`` that yields the lines of the chosen records of one member.

    ``scan()`` gives the engine's whole-buffer scan, asked for only when the
    member is larger than one piece (a smaller one is read in full); when it
    gives None, the member is read in full.

    >>> from azlog_vmbackup.parsers.waagent_log import SKIM
    >>> class NoHits:
    ...     def scan(self, data): return []
    >>> log = b''.join(b'2024-03-02T10:%02d:00.000000Z INFO Daemon routine line\\n' % m for m in range(60))
    >>> skimmer = Skimmer(SKIM, NoHits, piece=1000, tail=60)
    >>> [n for n, _ in skimmer(io.BytesIO(log), 1000)]  # the last records only
    [59, 60]
    >>> skimmer.lines
    60
    """

    def __init__(self, skim: Skim, scan: Callable[[], BufferScan | None], piece: int | None = None,
                 tail: int | None = None, check: Callable[[], None] | None = None):
        self.skim, self.get_scan = skim, scan
        self.piece = PIECE if piece is None else piece
        self.tail = TAIL if tail is None else tail
        self.check = check  # called after each piece; raises to stop (the bundle's time limit)
        self.scan: BufferScan | None = None
        self.lines = 0  # lines in the member so far, read or not

    def __call__(self, stream: BinaryIO, max_line: int) -> Iterator[tuple[int, str]]:
        buf = stream.read(self.piece)
        codec, bom = sniff_encoding(buf)
        more = stream.read(self.piece) if codec == "utf-8" and not bom and buf else b""
        if not more or (scan := self.get_scan()) is None:  # one piece, another encoding, or no scan
            yield from self._full(io.BufferedReader(_Joined(buf + more, stream)), max_line)
            return
        self.scan = scan
        while True:
            final = not more
            buf += more
            cut = len(buf) if final else self._cut(buf)
            if not cut and len(buf) > MAX_CARRY:  # no record boundary in sight: read the rest line by line
                yield from self._full(io.BufferedReader(_Joined(buf, stream)), max_line)
                return
            if cut:
                yield from self._piece(buf[:cut] if cut < len(buf) else buf, final, max_line)
                buf = buf[cut:]
            if final:
                return
            if self.check is not None:
                self.check()
            more = stream.read(self.piece)

    def _full(self, stream: BinaryIO, max_line: int) -> Iterator[tuple[int, str]]:
        base = self.lines
        for number, text in iter_lines(stream, max_line):
            self.lines = base + number
            yield base + number, text

    def _cut(self, buf: bytes) -> int:
        """Where the last complete line of ``buf`` that starts a record begins, at least ``tail`` bytes
        before the end (so the last piece holds the file's tail); 0: none found."""
        end = buf.rfind(b"\n", 0, max(len(buf) - self.tail, 0))  # a partial line is never judged
        for _ in range(_WALK):
            if end <= 0:
                return 0
            start = buf.rfind(b"\n", 0, end) + 1
            if self._starts(buf, start, end):
                return start
            end = start - 1
        return 0

    def _starts(self, buf: bytes, start: int, end: int) -> bool:
        return self.skim.is_start(buf[start:end].decode("utf-8", "replace").rstrip("\r"))

    def _piece(self, piece: bytes, final: bool, max_line: int) -> Iterator[tuple[int, str]]:
        base = self.lines
        if not piece.isascii() or b"\x00" in piece:  # read line by line, as UTF-8 like the whole file
            self.lines += piece.count(b"\n") + (1 if final and not piece.endswith(b"\n") else 0)
            for number, text in iter_lines(io.BytesIO(piece), max_line, codec="utf-8"):
                yield base + number, text
            return
        marks = sorted(set(self.scan.scan(piece)).union(self._latest(piece)))
        tail_from = len(piece) - self.tail if final else None
        counted, number = 0, base
        span_end = 0
        for start, end in self._spans(piece, marks, tail_from):
            if start < span_end:
                continue
            number += piece.count(b"\n", counted, start)
            counted = start
            text = piece[start:end].decode("ascii")
            lines = text.split("\n")
            if text.endswith("\n"):
                lines.pop()
            for offset, line in enumerate(lines, 1):
                line = line.rstrip("\r")
                yield number + offset, line if len(line) <= max_line else line[:max_line] + " [truncated]"
            span_end = end
        self.lines = number + piece.count(b"\n", counted) + (1 if final and not piece.endswith(b"\n") else 0)

    def _latest(self, piece: bytes) -> Iterator[int]:
        """For each ``latest`` trigger, the end of the last line of ``piece`` it matches."""
        for literals, pattern in _latest_triggers(self.skim):
            best = -1
            for literal in literals:
                at = piece.rfind(literal)
                while at > best:
                    start = piece.rfind(b"\n", 0, at) + 1
                    end = piece.find(b"\n", at)
                    end = len(piece) if end < 0 else end
                    if pattern.search(piece, start, end):
                        best = max(best, end)
                        break
                    at = piece.rfind(literal, 0, start)
            if best >= 0:
                yield best

    def _spans(self, piece: bytes, marks: list[int], tail_from: int | None) -> Iterator[tuple[int, int]]:
        """(start, end) of the records holding each mark (a match's end offset), in order, each once;
        then, for the final piece, from the record holding ``tail_from`` to the end."""
        span_end = 0
        for mark in marks:
            at = max(mark - 1, 0)  # the match's last byte
            if at < span_end or (tail_from is not None and at >= tail_from):
                continue
            start = self._record_start(piece, at)
            span_end = self._record_end(piece, at)
            yield start, span_end
        if tail_from is not None and piece:
            at = min(max(tail_from, 0), len(piece) - 1)  # the last byte at least: the last record is read
            if at >= span_end:
                yield self._record_start(piece, at), len(piece)

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


@functools.lru_cache(maxsize=16)
def _latest_triggers(skim: Skim) -> tuple[tuple[tuple[bytes, ...], regex.Pattern], ...]:
    """Each ``latest`` trigger: the literals one of which its every match holds, and its regex (bytes)."""
    out = []
    for trigger in skim.latest:
        literals = required_literals(trigger)
        if not literals:
            raise ValueError(f"a latest trigger needs a literal every match holds: {trigger!r}")
        out.append((tuple(x.encode() for x in literals), regex.compile(trigger.encode())))
    return tuple(out)


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
