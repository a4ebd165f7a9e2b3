"""Run signatures over records as they stream by, and over the facts at the end.

``Matcher.feed`` is called once per record: the spec's engine search
(``analyzer.engines``: a combined literal prefilter on the ``regex`` engine,
one Hyperscan scan on the ``hyperscan`` one) names the signatures that may
match; the noise ones among them go first (a record they match is set aside),
then the evidence ones, each confirmed by its own search (literal hint, then
regex), so both engines give the same hits. Per signature only the count and
the latest few hits are kept, so memory stays flat however long the logs are.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from azlog_vmbackup.analyzer.knowledge.signatures import MAX_REPEAT, Signature
from azlog_vmbackup.analyzer.matching import engines
from azlog_vmbackup.analyzer.matching.unexplained import Unexplained
from azlog_vmbackup.core.masking import redact
from azlog_vmbackup.core.model import OS, Evidence, Facts, Hit, Record
from azlog_vmbackup.parsers import registry
from azlog_vmbackup.parsers.base import Skim

KEEP = MAX_REPEAT  # latest hits kept per signature
GENERIC_TEXT = "text"
_EPSILON = timedelta(microseconds=1)
NOISE = "noise"  # a verdict: a noise signature set the record aside
Verdict = tuple[tuple[Signature, Any], ...] | str | None  # see Matcher.judge
MAX_EVIDENCE_TEXT = 400


@dataclass
class SignatureHits:
    """How often one signature hit, and its latest ``KEEP`` hits (the evidence a report shows)."""

    signature: Signature
    count: int = 0
    latest: deque = field(default_factory=lambda: deque(maxlen=KEEP))

    def fires(self) -> bool:
        """True unless the signature asks for a burst (``repeat``) its latest hits do not show."""
        repeat = self.signature.repeat
        if repeat is None:
            return True
        times = sorted(h.evidence.time for h in self.latest if h.evidence.time is not None)
        return any(burst_ends(times, *repeat))


def burst_ends(times: list[datetime], need: int, seconds: float) -> list[bool]:
    """For each of the sorted ``times``, whether it completes a burst: ``need`` hits within ``seconds``, it the last.

    >>> from datetime import timezone
    >>> t = [datetime(2026, 11, 20, 0, 0, s, tzinfo=timezone.utc) for s in (0, 40, 50, 55)]
    >>> burst_ends(t, 3, 30)
    [False, False, False, True]
    """
    return [i + 1 >= need and (t - times[i + 1 - need]).total_seconds() <= seconds for i, t in enumerate(times)]


def reads(sig: Signature, spec: str) -> bool:
    """Whether ``sig`` is matched against records of ``spec``.

    Evidence sits wherever the VM wrote it: a content signature (one whose ``sources`` name a log and
    only free-text logs, or that names none) reads every free-text log, since an agent line, an
    extension's traceback or a copied ``[stderr]`` block may sit in any of them (syslog, the journal,
    a serial console, a pasted excerpt). A signature that names a structured source (a status
    file, an event export), or only generic text (a ticket's wording), keeps to the sources it names;
    a generic text file reads them all.

    >>> from types import SimpleNamespace as S
    >>> reads(S(sources=("waagent_log",)), "syslog"), reads(S(sources=("extension_status",)), "syslog")
    (True, False)
    >>> reads(S(sources=("text",)), "syslog")
    False
    """
    if not sig.sources or spec in sig.sources or spec == GENERIC_TEXT:
        return True
    return (spec in registry.LOG_SPECS and all(source in registry.LOG_SPECS for source in sig.sources)
            and any(source != GENERIC_TEXT for source in sig.sources))


class Matcher:
    def __init__(self, signatures: list[Signature], engine: engines.Engine | None = None):
        self.signatures = signatures
        self.engine = engine or engines.get()
        self._compiled: engines.Compiled | None = None
        self._by_spec: dict[str, engines.SpecSearch] = {}
        self._sigs_by_spec: dict[str, list[Signature]] = {}
        self._buffer_scans: dict[str, engines.BufferScan | None] = {}
        self.found: dict[str, SignatureHits] = {}
        self.records = 0
        self.noise = 0
        self._latest: dict[bool, datetime] = {}
        self.latest_by_spec: dict[str, datetime] = {}  # newest UTC record time per spec
        self.unexplained = Unexplained()  # error records neither evidence nor noise

    def _for_spec(self, spec: str) -> engines.SpecSearch:
        """The text signatures that read records of ``spec`` (``reads``)."""
        chosen = self._by_spec.get(spec)
        if chosen is None:
            sigs = self._sigs_by_spec[spec] = [s for s in self.signatures if (s.pattern is not None or s.hints)
                                               and reads(s, spec)]
            chosen = self._by_spec[spec] = self._compile().search(
                [s for s in sigs if s.kind == "noise"], [s for s in sigs if s.kind == "evidence"])
        return chosen

    def reading(self, spec: str) -> list[Signature]:
        """The text signatures that read records of ``spec``, noise and evidence."""
        self._for_spec(spec)
        return self._sigs_by_spec[spec]

    def _compile(self) -> engines.Compiled:
        if self._compiled is None:
            self._compiled = self.engine.compile(
                [s for s in self.signatures if s.pattern is not None or s.hints])
        return self._compiled

    def buffer_scan(self, spec: str, skim: Skim) -> engines.BufferScan | None:
        """A whole-buffer scan for ``spec``'s signatures and ``skim``'s ``every`` triggers; None when the
        engine cannot give one."""
        if spec not in self._buffer_scans:
            self._for_spec(spec)
            # noise only ever silences a record read for evidence: a record no evidence signature may match
            # need not be read for it
            evidence = [s for s in self._sigs_by_spec[spec] if s.kind == "evidence"]
            self._buffer_scans[spec] = self._compile().buffer_scan(evidence, skim.every)
        return self._buffer_scans[spec]

    def feed(self, record: Record, spec: str) -> list[str] | None:
        """Match one record; return the ids of the evidence signatures it hit (None: not even a hint)."""
        return self.apply(self.judge(record, spec), record, spec)

    def judge(self, record: Record, spec: str) -> Verdict:
        """What matching ``record`` gives, without counting it: None when no signature may match, ``NOISE``
        when a noise signature sets it aside, else the evidence signatures it hits with their matches."""
        text = record.message
        candidates = self._for_spec(spec).candidates(text)
        if candidates is None:
            return None
        noise, evidence = candidates
        level = record.level
        for sig in noise:
            if (not sig.levels or level is None or level in sig.levels) and sig.search(text):
                return NOISE
        hits = []
        for sig in evidence:
            if sig.levels and level is not None and level not in sig.levels:
                continue
            m = sig.search(text)
            if m is not None:
                hits.append((sig, m))
        return tuple(hits)

    def apply(self, verdict: Verdict, record: Record, spec: str) -> list[str] | None:
        """Count ``record`` with what ``judge`` gave for it; return the ids of the evidence signatures hit."""
        self.observe(1, record.time, record.local_time, spec)
        if verdict is NOISE:
            self.noise += 1
            return None
        if not verdict:
            self.unexplained.add(record)
            return None if verdict is None else []
        for sig, m in verdict:
            self.add_hits(sig, [Hit(sig, partial(evidence, record, m, sig.id), spec)], 1)
        return [sig.id for sig, _ in verdict]

    def observe(self, count: int, newest: datetime | None, local_time: bool, spec: str) -> None:
        """Count ``count`` records of ``spec`` whose newest time is ``newest``."""
        self.records += count
        if newest is not None:
            seen = self._latest.get(local_time)
            if seen is None or newest > seen:
                self._latest[local_time] = newest
            if not local_time and newest > self.latest_by_spec.get(spec, newest - _EPSILON):
                self.latest_by_spec[spec] = newest

    def add_hits(self, sig: Signature, latest: list[Hit], count: int) -> None:
        """Count ``count`` hits of ``sig``, the newest of them ``latest`` (in order)."""
        entry = self.found.get(sig.id)
        if entry is None:
            entry = self.found[sig.id] = SignatureHits(sig)
        entry.count += count
        entry.latest.extend(latest)

    @property
    def latest_time(self) -> datetime | None:
        """The newest record time, UTC sources preferred over local-time ones."""
        return self._latest.get(False) or self._latest.get(True)

    def check_facts(self, facts: Facts, vm: OS = OS.ANY) -> None:
        """Evaluate the fact-condition signatures (those of the VM's OS) once all members are parsed."""
        for sig in self.signatures:
            if not sig.os.applies_to(vm):
                continue
            if sig.when and sig.kind == "evidence" and sig.holds(facts):
                self.add_hits(sig, [Hit(sig, _fact_evidence(sig, facts), "facts")], 1)

    def near_misses(self, facts: Facts, vm: OS = OS.ANY) -> list[dict]:
        """Signatures that almost fired: a burst signature with hits but no burst, a fact signature with some of
        its conditions met (``{signature, cause, reason}``)."""
        out = []
        for entry in self.found.values():
            if not entry.fires():
                need, seconds = entry.signature.repeat
                out.append({"signature": entry.signature.id, "cause": entry.signature.cause,
                            "reason": f"{entry.count} hit(s), but not {need} within {seconds:g} s"})
        for sig in self.signatures:
            if len(sig.when) > 1 and sig.kind == "evidence" and sig.os.applies_to(vm) and sig.id not in self.found:
                held = [sig.holds_one(c, facts) for c in sig.when]
                if any(h and "missing" not in c for h, c in zip(held, sig.when, strict=True)) and not all(held):
                    met = [_condition_text(c) for h, c in zip(held, sig.when, strict=True) if h]
                    unmet = [_condition_text(c) for h, c in zip(held, sig.when, strict=True) if not h]
                    out.append({"signature": sig.id, "cause": sig.cause,
                                "reason": f"{'; '.join(met)} held; {'; '.join(unmet)} did not"})
        return out


def _condition_text(condition: dict) -> str:
    """A fact condition as a reader says it: ``{fact: last_status_code, in: [121, 122]}`` -> ``last_status_code in
    [121, 122]``."""
    return " ".join([condition["fact"]] + [f"{op} {value!r}" for op, value in condition.items() if op != "fact"])


def evidence(record: Record, match, sig_id: str) -> Evidence:
    """Evidence pointing at the physical line of the record where the match starts, windowed around the
    match when the line is long, with the named groups the signature captured."""
    text = record.message
    pos = match.start()
    offset = text.count("\n", 0, pos) if pos > 0 else 0
    start = text.rfind("\n", 0, pos) + 1 if pos > 0 else 0
    end = text.find("\n", start)
    end = end if end >= 0 else len(text)
    line_text = window(text[start:end], pos - start, min(match.end(), end) - start)
    if offset and record.time is not None:
        # a continuation line: show the record's first line too, for the time and component
        head = text[:text.find("\n")]
        line_text = f"{line_text}  (in: {redact(head[:150])})"
    values = {k: redact(v) for k, v in match.groupdict().items() if v}
    return Evidence(record.path, record.line + offset, line_text, sig_id, record.time, record.local_time,
                    values=values)


def window(line: str, start: int, end: int, width: int = MAX_EVIDENCE_TEXT) -> str:
    """``line`` redacted and, when longer than ``width``, cut to ``width`` characters around the match
    ``[start, end)`` (some context before it, the match always in view), an ellipsis marking each cut.

    >>> window("x" * 500 + " ERROR disk full " + "y" * 500, 501, 516, width=40)
    '…xxxxxxx ERROR disk full yyyyyyyyyyyyyyyy…'
    """
    before = len(redact(line[:start]))  # where the match starts once secrets are replaced
    line = redact(line)
    if len(line) <= width:
        return line
    length = max(1, min(end - start, width))
    lo = max(0, min(before - (width - length) // 3, len(line) - width))
    hi = min(len(line), lo + width)
    return ("…" if lo > 0 else "") + line[lo:hi] + ("…" if hi < len(line) else "")


def _fact_evidence(sig: Signature, facts: Facts) -> Evidence:
    names = [c["fact"] for c in sig.when]
    shown = "; ".join(f"{n} = {facts.value(n)!r}" for n in names if n in facts) or "; ".join(
        f"{n} not found" for n in names)
    first = next((facts.get(n) for n in names if n in facts), None)
    return Evidence(first.path if first else "(facts)", first.line if first else None,
                    window(shown, 0, 0), sig.id, first.time if first else None, fact=True)
