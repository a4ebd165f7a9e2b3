"""Matcher engines: which signatures of a spec may match a record's message, or a whole buffer.

An engine compiles a matcher's signatures once (``Engine.compile``), then
turns each spec's noise and evidence signatures into a ``SpecSearch`` whose
``candidates(text)`` returns the noise and the evidence signatures that may
match ``text`` (a subset of each list, in its order), or None when none can.
The matcher then confirms every candidate with the signature's own search
(hints, then its ``regex``), so the engine decides speed only: match
positions, evidence and results are the same whichever engine runs.

For a skimmed log (``matching.skim``) ``buffer_scan`` gives the end offsets,
in a whole buffer of many lines, where a spec's signature or a parser's
trigger may match; the skimmer parses only the records around them.

- ``regex`` (``regex_engine``, always available): one combined pattern of
  the spec's literal hints dismisses most records; the rest get every
  signature. Buffers are searched with one ``bytes.find`` pass per literal.
- ``hyperscan`` (``hyperscan_engine``, the ``fast`` extra): every signature
  in one Hyperscan database (compiled once per signature set, for all
  specs), scanned once per record; only the spec's signatures it reports
  (and those it cannot take) are candidates. A skimmed spec gets its own
  database reporting every match, scanned once per buffer.
  ``hyperscan_pattern`` says what it scans for: each literal hint, else the
  signature's regex translated to bytes.

``auto`` (the default) is Hyperscan when the ``hyperscan`` package imports,
else regex; the command line's ``--engine`` (default ``$AZLOG_ENGINE``)
names one.
"""
from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Protocol, Sequence

from azlog_vmbackup.core.extras import install_hint

if TYPE_CHECKING:
    from azlog_vmbackup.analyzer.knowledge.signatures import Signature

ENV = "AZLOG_ENGINE"  # the command line's default for --engine
AUTO = "auto"
NAMES = ("regex", "hyperscan")
CHOICES = (AUTO, *NAMES)


class SpecSearch(Protocol):
    def candidates(self, text: str) -> tuple[Sequence[Signature], Sequence[Signature]] | None:
        """The (noise, evidence) signatures that may match ``text``; None when none may."""


class BufferScan(Protocol):
    def scan(self, data: bytes) -> list[int]:
        """In ASCII ``data`` (many lines): the end offsets where one of the spec's signatures or a
        skimmed parser's ``every`` triggers may match, in order."""

    def occurrences(self, data: bytes, literals: tuple[bytes, ...]) -> dict[bytes, list[int]]:
        """Where each of ``literals`` starts in ``data``, in order (literals that occur rarely, if at all)."""


class Compiled(Protocol):
    def search(self, noise: list[Signature], evidence: list[Signature]) -> SpecSearch:
        """The search for one spec's signatures (noise first: they take priority), all of the compiled set."""

    def buffer_scan(self, signatures: list[Signature], every: Sequence[str]) -> BufferScan | None:
        """A whole-buffer scan for a spec's signatures (all of the compiled set) and a skimmed parser's
        ``every`` trigger regexes; None when this engine cannot tell where all of them may match."""


class Engine(Protocol):
    name: str

    def compile(self, signatures: list[Signature]) -> Compiled:
        """Prepare a matcher's text signatures (those with a regex or hints) once, for every spec."""


# ---------------------------------------------------------------- choice

_default: Engine | None = None
_engines: dict[str, Engine] = {}


def available() -> list[str]:
    """The engines this installation can run."""
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return ["regex"]
    return ["regex", "hyperscan"]


def chosen(name: str | None) -> str:
    """The engine the command line names: ``name`` (``--engine``), else ``$AZLOG_ENGINE``, else auto (not
    checked: ``get`` says when it is none of ``CHOICES``).

    >>> chosen("regex")
    'regex'
    """
    return name or os.environ.get(ENV, "").strip().lower() or AUTO


def get(name: str | None = None) -> Engine:
    """The engine ``name`` (regex, hyperscan, or auto: Hyperscan when installed, else regex).

    None gives the default: the one a ``using`` block set, else auto. Engines
    are kept per name, so their compiled databases are reused.
    """
    if name is None:
        return _default or get(AUTO)
    if name not in CHOICES:
        raise ValueError(f"unknown matching engine {name!r}: use one of {', '.join(CHOICES)}")
    if name == AUTO:
        name = "hyperscan" if "hyperscan" in available() else "regex"
    if name not in _engines:
        # imported here: the choice alone (the command line's options) needs neither engine
        if name == "regex":
            from azlog_vmbackup.analyzer.matching.regex_engine import RegexEngine

            _engines[name] = RegexEngine()
        else:
            from azlog_vmbackup.analyzer.matching.hyperscan_engine import HyperscanEngine

            try:
                _engines[name] = HyperscanEngine()
            except ImportError:
                raise RuntimeError(
                    f"the hyperscan engine needs the hyperscan package: {install_hint('fast')}") from None
    return _engines[name]


@contextlib.contextmanager
def using(name: str):
    """Make ``name`` the default engine inside the block (tests, benchmarks)."""
    global _default
    saved, _default = _default, get(name)
    try:
        yield _default
    finally:
        _default = saved
