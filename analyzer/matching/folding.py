"""Records equal but for their time stamp: the later ones are counted, not parsed and matched again.

A VM that has failed for days writes the same error every few seconds; a
skimmed log (``matching.skim``) would hand each of them to the parser and
the matcher. For a parser whose ``Skim`` declares a ``stamp``, the skimmer
names each chosen record by its key (``record_key``): the stamp's head as written
(what the stamp opens with and every copy repeats, such as a thread id), the
shape of the rest of the stamp, and the bytes after the stamp. The first
record of a key is parsed and matched as usual; its verdict is kept when

- the parser set no fact and reported no problem while making it,
- its message starts with the stamp as written and has the lines of the
  key's body (the parser split or joined nothing there), and
- no signature that reads the member can tell its stamp from another:
  each one's matches start with none of the characters a stamp of its shape
  may hold (nor only at the text's start, nor look behind:
  ``literals.start_chars``), or its hints, one of which its every match
  holds, are neither in the text after the stamp nor can be formed with the
  stamp's characters.

A later record of a kept key is not handed to the parser: the skimmer queues
its line and stamp, and before the next parsed record is matched (and at the
member's end) the queue is replayed: each queued record is the kept one with
its own line, stamp and time (the parser's ``time_of``), counted by the
matcher with the kept verdict. Replays keep the file's order, so counts,
the latest hits, bursts and evidence lines are those of parsing every record.

A key folded ``HOT`` times in a piece is hot: in the next pieces its copies
are found at once (``Folds.bulk``: one regex split of the piece finds each
line that starts with a stamp of the key's shape, goes on with the key's body
and is followed by a record start or the piece's end), the skimmer masks
them before the engine scans the piece and queues them as runs (their
stamps, and the line of the last few), so a failing VM's thousandth copy of
an error costs no Python of its own.

Sample: a waagent.log whose every tenth line is ``...Z ERROR ExtHandler
ExtHandler Error fetching the goal state: ... timed out`` has two of them
parsed; the other thousands are replayed.
"""
from __future__ import annotations

from datetime import datetime
from functools import partial
from itertools import accumulate, repeat
from operator import add, itemgetter, sub

import regex

from azlog_vmbackup.analyzer.knowledge.literals import leading_literals, start_chars
from azlog_vmbackup.analyzer.knowledge.signatures import Signature
from azlog_vmbackup.analyzer.matching.matcher import KEEP, NOISE, Matcher, Verdict, evidence
from azlog_vmbackup.core.model import Hit, Record
from azlog_vmbackup.parsers.base import Skim

HOT = 64  # copies of a key in a piece that have the next pieces look for it in bulk
HOT_KEYS = 4  # at most this many keys looked for in bulk at once


class Copies:
    """The copies of the kept record of ``key`` found in bulk in a piece: where each record starts and its
    stamp, in order; ``size``: each one's bytes; ``done``: how many the skimmer has queued or read. Plain data:
    a scanning process sends it back."""

    __slots__ = ("key", "starts", "stamps", "size", "done")

    def __init__(self, key: bytes, starts: list[int], stamps: list[bytes], size: int):
        self.key, self.starts, self.stamps, self.size, self.done = key, starts, stamps, size, 0


class Folds:
    """The kept verdicts of one member and the records queued for replay (see the module's text).

    >>> from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    >>> from azlog_vmbackup.parsers.waagent_log import SKIM, stamp_time
    >>> folds = Folds.of(Matcher(Knowledge.load().signatures), "waagent_log", SKIM)
    >>> text = (" ERROR ExtHandler ExtHandler Error fetching the goal state: [ProtocolError] [HttpError] "
    ...         "[HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out -- 6 attempts made")
    >>> first = Record("waagent.log", 3, "2026-11-20T01:00:00.000001Z" + text, level="ERROR",
    ...                time=stamp_time("2026-11-20T01:00:00.000001Z"))
    >>> key = record_key(b"2026-11-20T01:00:00.000001Z", 0, text.encode())
    >>> folds.expect(3, key, "2026-11-20T01:00:00.000001Z")
    >>> verdict = folds.matcher.judge(first, "waagent_log")
    >>> folds.matcher.apply(verdict, first, "waagent_log")
    ['waagent-wireserver-http-failed', 'waagent-http-network-error']
    >>> folds.learn(first, verdict, quiet=True)
    >>> stamp = b"2026-11-20T01:00:10.000001Z"
    >>> folds.queue.append((13, [stamp], [(13, stamp)], folds.known[key]))
    >>> folds.replay(None), folds.matcher.records, folds.matcher.found['waagent-wireserver-http-failed'].count
    (1, 2, 2)
    """

    def __init__(self, matcher: Matcher, spec: str, skim: Skim):
        self.matcher, self.spec, self.skim = matcher, spec, skim
        self.time_of, self.stamp_chars = skim.time_of, skim.stamp_chars
        self.known: dict[bytes, tuple[Record, Verdict, int]] = {}  # key -> (record, verdict, stamp length)
        self._expected: dict[int, tuple[bytes, str]] = {}  # first line of a record handed to the parser -> key
        # the records folded and not yet counted, in runs of one kept record: (line of the last, their stamps,
        # (line, stamp) of the last few, kept); the skimmer appends to it, a segment between parsed records at a time
        self.queue: list[tuple[int, list[bytes], list[tuple[int, bytes]], tuple[Record, Verdict, int]]] = []
        self.tally: dict[bytes, int] = {}  # key -> copies folded in the piece being read
        self.hot: list[tuple[bytes, int]] = []  # the keys whose copies the next pieces look for in bulk
        # (``settle``), each with its stamp's length
        self._finders: dict[bytes, regex.Pattern] = {}
        self._tails: dict[str, list[tuple[str, bool]]] = {}  # stamp shape -> what a body must not start with
        self._watched: dict[str, list[Signature]] = {}  # stamp shape -> ``_watch``
        self._reading: list[tuple[Signature, set[str] | None]] | None = None  # with the characters it starts with
        self._leading: dict[tuple[str, int], tuple[str, ...] | None] = {}  # ``_lead_tails``

    @classmethod
    def of(cls, matcher: Matcher, spec: str, skim: Skim) -> Folds | None:
        """The folds of a member of ``spec`` read with ``skim``; None when its parser declares no stamp."""
        return cls(matcher, spec, skim) if skim.start is not None and skim.time_of is not None else None

    def _watch(self, shape: str) -> list[Signature]:
        """The signatures that might read a stamp of ``shape``: those whose match may start with a character of
        the parser's ``stamp_chars``, or with one of the others the shape holds (a head's letters)."""
        watched = self._watched.get(shape)
        if watched is None:
            if self._reading is None:
                self._reading = [(sig, _starts(sig)) for sig in self.matcher.reading(self.spec)]
            chars = set(self.stamp_chars) | set(shape) - {"0"}
            watched = self._watched[shape] = [sig for sig, starts in self._reading
                                              if starts is None or not chars.isdisjoint(starts)]
        return watched

    def _lead_tails(self, shape: str, sig: Signature) -> tuple[str, ...] | None:
        """The ends of ``sig``'s leading literals left over where their start fits in a stamp of ``shape``
        (``_tails``); None when it has none (its match may start anywhere in the stamp)."""
        key = (shape, id(sig))
        if key not in self._leading:
            leads = _leads(sig)
            self._leading[key] = None if leads is None else tuple(
                tail for lead in leads[0] for tail in _tails(lead, shape, leads[1]))
        return self._leading[key]

    def expect(self, line: int, key: bytes, stamp: str) -> None:
        """The record starting at ``line`` (stamp ``stamp``) goes to the parser; its verdict may be kept."""
        self._expected[line] = (key, stamp)

    def learn(self, record: Record, verdict: Verdict, quiet: bool) -> None:
        """Keep ``verdict`` for the key of ``record`` (just matched) when it may be replayed; ``quiet``: the
        parser set no fact and reported no problem while making it."""
        expected = self._expected.pop(record.line, None)
        if len(self._expected) > 64:  # records the parser joined into others: never coming
            self._expected = {n: e for n, e in self._expected.items() if n > record.line}
        if expected is None or not quiet:
            return
        key, stamp = expected
        body = record.message[len(stamp):]
        if (record.message.startswith(stamp) and key not in self.known and _whole(record, key)
                and self._stamp_blind(stamp, body)):
            self.known[key] = (record, verdict, len(stamp))

    def _stamp_blind(self, stamp: str, body: str) -> bool:
        """Whether no watched signature can tell one stamp of the shape of ``stamp`` from another in a record of
        this ``body`` (the text after the stamp): each has hints, and where one is in ``body`` its match cannot
        start in the stamp (it starts with a literal that no stamp of the shape and ``body`` form); and no
        hint can run from such a stamp into ``body``."""
        shape = stamp.translate(_SHAPE)
        watch = self._watch(shape)
        tails = self._tails.get(shape)
        if tails is None:
            tails = self._tails[shape] = [(tail, sig.ignore_case) for sig in watch for hint in sig.hints or ("",)
                                          for tail in _tails(hint, shape, sig.ignore_case)]
        lowered = None
        for sig in watch:
            hints, folded = sig.hints, sig.ignore_case
            if folded:
                lowered = lowered if lowered is not None else body.lower()
            text = lowered if folded else body
            if not hints:
                return False
            if any(h in text for h in hints):
                leads = self._lead_tails(shape, sig)
                if leads is None or any(text.startswith(tail) for tail in leads):
                    return False
        return not any((lowered if folded else body).startswith(tail) for tail, folded in tails)

    def replay(self, before: int | None) -> int:
        """Count the queued records starting before line ``before`` (all of them: None); return how many.

        Each kept record's queued copies are counted at once: the newest time, the number of hits, and only
        the copies that stay among each signature's latest hits are made into records."""
        queue = self.queue
        upto = len(queue)
        if before is not None:  # runs are queued a segment at a time: the last of one before it ends the prefix
            while upto and queue[upto - 1][0] >= before:
                upto -= 1
        if not upto:
            return 0
        chunk = queue[:upto]
        del queue[:upto]
        groups: dict[int, list] = {}  # id of a kept record -> [kept, copies, newest stamp, last (line, stamp)]
        for _, stamps, tail, kept in chunk:
            newest = max(stamps) if len(stamps) > 1 else stamps[0]  # one stamp shape per kept: later sorts later
            group = groups.get(id(kept))
            if group is None:
                groups[id(kept)] = [kept, len(stamps), newest, tail[-1]]
            else:
                group[1] += len(stamps)
                if newest > group[2]:
                    group[2] = newest
                if tail[-1][0] > group[3][0]:
                    group[3] = tail[-1]
        matcher, spec = self.matcher, self.spec
        hits: dict[str, list] = {}  # signature id -> [signature, count]
        copies = 0
        for kept, count, newest, _ in groups.values():
            record, verdict, _ = kept
            copies += count
            matcher.observe(count, self._newest(kept, newest, chunk), record.local_time, spec)
            if verdict is NOISE:
                matcher.noise += count
            elif verdict:
                for sig, _ in verdict:
                    hits.setdefault(sig.id, [sig, 0])[1] += count
        for kept, count, _, (line, raw) in sorted(groups.values(), key=lambda g: g[3][0]):
            if not kept[1] and kept[1] is not NOISE:
                matcher.unexplained.add(self._copy(kept, line, raw), count)
        latest = self._latest_hits(chunk, hits) if hits else {}
        for sid, (sig, count) in hits.items():
            matcher.add_hits(sig, latest[sid], count)
        return copies

    def settle(self) -> None:
        """End a piece: the keys folded ``HOT`` times in it (the most folded first) are the hot ones until the
        next piece ends."""
        tally, self.tally = self.tally, {}
        hot = sorted((k for k, n in tally.items() if n >= HOT), key=tally.__getitem__, reverse=True)[:HOT_KEYS]
        self.hot = [(key, self.known[key][2]) for key in hot]

    def bulk(self, piece: bytes, hot: list[tuple[bytes, int]]) -> tuple[list[Copies], bytes | bytearray]:
        """The copies in ``piece`` of the records of ``hot`` keys (each with its stamp's length), found at once,
        and ``piece`` with their text after the stamp masked (NUL bytes, each one's last newline kept) for the
        engine to scan. Run where the piece is scanned: it reads nothing the parsing thread changes."""
        found, masked = [], piece
        for key, stamp in hot:
            split = self._split(piece, key, stamp)
            if split is None:
                continue
            copies, parts = split
            fill = bytes(copies.size - stamp - 1)
            if not found:  # the stamps stay (the look-behind kept them in the text between)
                masked = (fill + b"\n").join(parts[::2])
            else:
                masked = masked if isinstance(masked, bytearray) else bytearray(masked)
                for at in copies.starts:
                    masked[at + stamp:at + stamp + len(fill)] = fill
            found.append(copies)
        return found, masked

    def copies(self, piece: bytes, key: bytes) -> Copies | None:
        """The copies in ``piece`` of the record of ``key``, found at once (None: there are none)."""
        split = self._split(piece, key, self.known[key][2])
        return None if split is None else split[0]

    def _split(self, piece: bytes, key: bytes, stamp: int) -> tuple[Copies, list[bytes]] | None:
        """The copies of ``key`` (its stamps ``stamp`` bytes long) in ``piece`` and the parts its finder splits
        the piece into."""
        parts = self._finder(key).split(piece, concurrent=False)  # [before, stamp, between, ..., after]
        if len(parts) < 3:
            return None
        body = len(key.split(b"\n", 2)[2])
        ends = accumulate(map(add, map(len, parts[:-1:2]), repeat(body)))  # where each body ends
        return Copies(key, list(map(sub, ends, repeat(body + stamp))), parts[1::2], stamp + body), parts

    def folded(self, key: bytes) -> bool:
        """Count a copy of ``key`` folded in the piece being read; True when that makes it hot."""
        count = self.tally[key] = self.tally.get(key, 0) + 1
        return count == HOT

    def counted(self, bulk: list[Copies]) -> None:
        """Count the copies found in bulk in a piece towards their keys' being hot."""
        for copies in bulk:
            self.tally[copies.key] = self.tally.get(copies.key, 0) + len(copies.starts)

    def _finder(self, key: bytes) -> regex.Pattern:
        """A regex of the records of ``key``: a line starting with its head and a stamp of its shape (captured,
        in a look-behind, so a split keeps it beside the text before), its body, then a record's start or the
        text's end."""
        finder = self._finders.get(key)
        if finder is None:
            head, shape, body = key.split(b"\n", 2)
            stamp = regex.escape(head) + b"".join(rb"\d" if c == 0x30 else regex.escape(bytes((c,))) for c in shape)
            start = _NAMED.sub("(?:", self.skim.start).encode()
            finder = self._finders[key] = regex.compile(
                rb"(?<=(?<![^\n])(" + stamp + rb"))" + regex.escape(body) + rb"(?=" + start + rb"|\Z)")
        return finder

    def _copy(self, kept: tuple[Record, Verdict, int], line: int, raw: bytes) -> Record:
        record, _, length = kept
        stamp = raw.decode("ascii")
        return Record(record.path, line, stamp + record.message[length:], self.time_of(stamp), record.level,
                      record.component, record.local_time)

    def _newest(self, kept: tuple[Record, Verdict, int], newest: bytes, chunk: list) -> datetime | None:
        """The newest time among the copies of ``kept``: the greatest stamp's, unless a field of it is out of
        range (no time), then each copy's."""
        t = self.time_of(newest.decode("ascii"))
        if t is not None:
            return t
        times = [self.time_of(raw.decode("ascii")) for _, stamps, _, k in chunk if k is kept for raw in stamps]
        return max((t for t in times if t is not None), default=None)

    def _latest_hits(self, chunk: list, sigs: dict[str, list]) -> dict[str, list[Hit]]:
        """For each signature of ``sigs``, the hits of its newest ``KEEP`` copies in ``chunk``, in order."""
        out: dict[str, list[Hit]] = {sid: [] for sid in sigs}
        left = len(out)
        tails = sorted(((line, raw, kept) for _, _, tail, kept in chunk for line, raw in tail), key=itemgetter(0))
        for line, raw, kept in reversed(tails):
            verdict = kept[1]
            if verdict is NOISE or not verdict:
                continue
            copy = None
            for sig, m in verdict:
                hits = out[sig.id]
                if len(hits) < KEEP:
                    copy = copy or self._copy(kept, line, raw)
                    hits.append(Hit(sig, partial(evidence, copy, m, sig.id), self.spec))
                    left -= len(hits) == KEEP
            if not left:
                break
        for hits in out.values():
            hits.reverse()
        return out


_SHAPE = str.maketrans("0123456789", "0000000000")
_BYTES_SHAPE = bytes.maketrans(b"0123456789", b"0000000000")
_NAMED = regex.compile(r"\(\?P<\w+>")  # a named group's opening


def record_key(stamp: bytes, head: int, body: bytes) -> bytes:
    """The key of a record whose stamp, as written, is ``stamp`` (its first ``head`` bytes its head) and whose
    text after it is ``body``: the head, the shape of the rest (each digit a ``0``) and the body, a line each
    (neither the head nor the stamp spans lines).

    >>> record_key(b"[0000000B] 2026-11-01T00:00:19.436Z", 11, b" [ERROR] boom\\n")
    b'[0000000B] \\n0000-00-00T00:00:00.000Z\\n [ERROR] boom\\n'
    """
    return stamp[:head] + b"\n" + stamp[head:].translate(_BYTES_SHAPE) + b"\n" + body


def _starts(sig: Signature) -> set[str] | None:
    """The characters a match of ``sig`` may start with (``literals.start_chars``; None: any)."""
    found: set[str] = set()
    for pattern in [sig.pattern.pattern] if sig.pattern is not None else map(regex.escape, sig.hints):
        chars = start_chars(pattern, sig.ignore_case)
        if chars is None:
            return None
        found.update(chars)
    return found


def _leads(sig: Signature) -> tuple[tuple[str, ...], bool] | None:
    """``literals.leading_literals`` of ``sig``'s regex (of a signature of hints alone: its hints)."""
    if sig.pattern is None:
        return sig.hints, sig.ignore_case
    return leading_literals(sig.pattern.pattern, sig.ignore_case)


def _whole(record: Record, key: bytes) -> bool:
    """Whether ``record`` has the lines of ``key``'s body, its blank lines at the end aside: the parser cut the
    record where the skimmer did (it may drop a record's blank last lines, never split or join records)."""
    body = key.split(b"\n", 2)[2].rstrip()
    return body.count(b"\n") == record.message.rstrip().count("\n")


def _tails(hint: str, shape: str, folded: bool) -> list[str]:
    """The ends of ``hint`` left over where its start fits in a stamp of ``shape`` (``0``: any digit), at
    each place it may start: a body starting with one would make the hint; an empty one, the stamp alone.

    >>> _tails("11-20T", "0000-00-00T00:00:00.000000Z", False), _tails("168.63.129.16", "0000-00-00T00:00Z", False)
    ([''], [])
    >>> _tails("Z INFO", "0000-00-00T00:00:00.000000Z", False), _tails("z error", "0000-00-00T00:00:00.000000Z", True)
    ([' INFO'], [' error'])
    """
    out = []
    for at in range(len(shape)):
        head = hint[:len(shape) - at]
        fits = (c.isdigit() if s == "0" else c == s or folded and c == s.lower()
                for c, s in zip(head, shape[at:], strict=False))
        if all(fits):
            out.append(hint[len(head):])
    return out
