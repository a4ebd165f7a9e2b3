"""The parser contract: the context a parser reports through, what it declares, what a line log tells the skimmer.

A parser is a module with ``parse(stream, ctx) -> Iterator[Record]``: it reads
the member's bytes from ``stream`` (a binary file object, read once, front to
back), yields records and sets facts through ``ctx``. A parser never raises on
bad content: it reports a problem with ``ctx.problem`` and goes on, or stops.

What else it can do, it declares once, and the path table (``parsers.registry``)
takes it from there: ``SPECS``, the path patterns of the members it reads (its
``Spec`` rows, ``parser`` left out); ``SNIFF_ORDER``, when its ``sniff(head) ->
bool`` is asked about unnamed text (lowest first); ``SNIFF_HINT``, a regex found
in every head its ``sniff`` claims (a necessary condition, cheap to test: the
parser is imported and asked only about text that holds it); ``SKIM``, when a
large log may be skimmed. ``SPECS``, ``SNIFF_ORDER`` and ``SNIFF_HINT`` sit
together in one paragraph after the imports (no blank line inside) and use only
the names of this module (``Spec``, ``OS``, the path fragments below): the
registry reads that paragraph without importing the parser.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Callable, Iterator

import regex

from azlog_vmbackup.core.model import OS, Facts, Record
from azlog_vmbackup.core.text import MAX_LINE, iter_lines


@dataclass
class ParseContext:
    """Where a parser reports: the member's display path, the facts and problems."""

    path: str
    facts: Facts
    problems: list[str]
    max_line: int = MAX_LINE
    reader: LineReader | None = None  # where ``lines()`` come from: ``iter_lines`` unless a skimmer is set
    line_count: int = 0  # the highest line number ``lines()`` gave so far

    def lines(self, stream: BinaryIO) -> Iterator[tuple[int, str]]:
        """The member's ``(line_number, text)`` pairs: every line, or the lines a skimmer chose."""
        for number, text in (self.reader or iter_lines)(stream, self.max_line):
            self.line_count = number
            yield number, text

    def fact(self, name: str, value, line: int | None = None,
             time: datetime | None = None) -> None:
        self.facts.set(name, value, self.path, line, time)

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def record(self, line: int, message: str, **kw) -> Record:
        return Record(self.path, line, message, **kw)


LineReader = Callable[[BinaryIO, int], Iterator[tuple[int, str]]]


@dataclass(frozen=True)
class Skim:
    """What a line-log parser tells the skimmer (``analyzer.skim``) so it may read only some records.

    ``is_start(line)`` is the parser's own rule for a line that opens a record.
    ``every``: regexes whose records the parser must see for its facts, each
    one. ``latest``: regexes of facts a later record replaces; the last such
    record of each piece read is enough. Both are searched in raw text.

    ``start``: a regex (Python's ``re``) of raw bytes that matches within one
    line; a line it matches at its start opens a record (``is_start`` is asked
    about the others), so most lines are judged without being decoded. Its
    group ``stamp``, when it has one, is the
    record's time stamp, and ``time_of(stamp)`` the
    record's time as the parser reads it: a record equal to an earlier one
    but for its stamp may then be folded (``analyzer.matching.folding``: counted with the earlier
    one's verdict, not parsed again). A group ``head`` at the stamp's start
    is a part that folded records repeat exactly (a thread id); the rest of
    the stamp is of ``stamp_chars`` only. A parser declares a stamp only when a
    record's message starts with its stamp as written, its other fields come
    from the head and the text after the stamp, and it sets facts for a record when it
    yields it, from that text (and the time): folding relies on all three.

    Sample: ``Skim(is_start=lambda line: line[:1].isdigit(), start=r"(?P<stamp>\\d{4}-\\d\\d-\\d\\d) ",
    time_of=date.fromisoformat)``.
    """

    is_start: Callable[[str], bool]
    every: tuple[str, ...] = ()
    latest: tuple[str, ...] = ()
    start: str | None = None
    time_of: Callable[[str], datetime | None] | None = None
    stamp_chars: str = "0123456789-/:. TZ"


# ``every`` triggers of the records the matcher lists as unexplained errors (``analyzer.matching.unexplained``)
# when a record without a level says so: its words, there in any case, here in lower, capitalized and upper
# case. A parser adds the text of its own error levels.
ERROR_WORDS = ("rror", "RROR", "ailed", "AILED", "xception", "XCEPTION", r"Traceback \(most recent call last\)")


@dataclass(frozen=True)
class Spec:
    """One row of the path table: a member whose normalised path ends with ``pattern`` is of spec ``name``."""

    name: str
    pattern: str
    parser: str | None = None  # module under parsers/, filled in by the registry; None there = not read
    reason: str | None = None  # why a spec without a parser is skipped
    os: OS = OS.ANY  # what a parsed member of this spec says about the VM
    log: bool = False  # a free-text log: any program's lines may sit in it (tracebacks, copied agent lines)


# path fragments the parsers' SPECS share
ROT = r"(?:\.\d+|-\d[\w.-]*)?"  # rotation suffix: .1 or -20240514 or -2024-05-14-1715652000
VMSNAP_LOG = r"var/log/azure/microsoft\.azure\.recoveryservices\.vmsnapshotlinux/"
EXT_DIR = r"var/lib/waagent/[^/]+-\d+(?:\.\d+)+/"  # an extension's <Name>-<version>/ directory


class Lazy:
    r"""``regex.compile(pattern, flags)``, compiled at its first use: a parser whose regexes most members never
    need (version lines, the triggers of rare facts, shapes other than the member's) imports without compiling
    them, which costs more than reading a small member. Each attribute used (``match``, ``search``...) is
    kept on the object, so using it again costs what using the compiled regex does.

    >>> rx = Lazy(r"version (?P<v>\d+(?:\.\d+)+)", regex.I)
    >>> rx.pattern, rx.search("Agent VERSION 2.9.1")["v"], rx.match("x") is None
    ('version (?P<v>\\d+(?:\\.\\d+)+)', '2.9.1', True)
    >>> import copy, pickle
    >>> copy.copy(rx).search("version 3.1")["v"], pickle.loads(pickle.dumps(rx)).pattern == rx.pattern
    ('3.1', True)
    """

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self._flags = pattern, flags

    def __getattr__(self, name: str):
        value = getattr(self.compiled(), name)
        setattr(self, name, value)
        return value

    def compiled(self) -> regex.Pattern:
        """The compiled regex (regex's own cache: compiled once per process, and inherited by a fork)."""
        return regex.compile(self.pattern, self._flags)

    def __reduce__(self):
        return Lazy, (self.pattern, self._flags)  # copied and pickled as its source, as a compiled regex is
