"""The one way through: bundle -> members -> parsers -> matcher -> ranked result.

The CLI (and anything else that diagnoses a bundle) calls ``analyze()``.
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable

from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.matching import engines
from azlog_vmbackup.analyzer.matching.folding import Folds
from azlog_vmbackup.analyzer.matching.matcher import Matcher
from azlog_vmbackup.analyzer.matching.skim import Skimmer
from azlog_vmbackup.core.bundle import (
    Budget,
    BundleError,
    LimitExceeded,
    Limits,
    Member,
    age_key,
    open_bundle,
    read_errors,
)
from azlog_vmbackup.core.model import OS, InventoryEntry, Problem, Record, Result, Status
from azlog_vmbackup.core.text import looks_binary
from azlog_vmbackup.parsers import registry
from azlog_vmbackup.parsers.base import ParseContext

SNIFF_BYTES = 4096
CHECK_EVERY = 10_000  # records between checks of the records and wall-time limits
AGENT_SERVICES = ("WindowsAzureGuestAgent", "RdAgent")
# the agent's own logs and status: their silence is measured against everything else
AGENT_LOG_SPECS = frozenset({"waagent_log", "extension_command_log", "waappagent_log", "transparent_installer_log",
                             "appagent_runtime_log", "windows_telemetry_log", "aggregate_status"})


RecordSink = Callable[[Record, str, list[str] | None], None]


def analyze(source: str | Path, knowledge: Knowledge | None = None, limits: Limits = Limits(),
            on_record: RecordSink | None = None, skim: bool = True, engine: str | None = None,
            prepare: Callable[[], object] | None = None) -> Result:
    """Diagnose the bundle at ``source``. Raises ``BundleError`` when it cannot be opened at all.

    ``on_record(record, spec, signature_ids)`` sees every record as it streams by (the timeline); with
    it, or with ``skim=False``, every record is parsed, else large logs are skimmed (``matching.skim``).
    ``engine``: the matching engine's name (``engines.CHOICES``; None: the default). ``prepare``: work the
    caller does after (importing its report's module), done ahead while a large log's first pieces are
    scanned, when this thread would wait for them; not called otherwise.
    """
    return _diagnose(str(source), open_bundle(source, limits), knowledge, limits, on_record,
                     skim and on_record is None, engine, prepare)


def analyze_text(name: str, text: str, knowledge: Knowledge | None = None, engine: str | None = None) -> Result:
    """Diagnose text that is not a file of a bundle (a ticket, a pasted excerpt) as one member ``name``."""
    data = text.encode("utf-8")
    member = Member(name, len(data), lambda: io.BytesIO(data))
    return _diagnose(name, [member], knowledge, Limits(), None, True, engine)


def analyze_files(source: str, files: Mapping[str, bytes | str], knowledge: Knowledge | None = None,
                  engine: str | None = None) -> Result:
    """Diagnose an in-memory bundle: ``files`` maps member paths (as in an archive, no leading ``/``) to their
    content, bytes or text (text is written as UTF-8). Members are read in a bundle's order (rotated logs
    oldest first); ``source`` names the bundle in the result. Raises ``BundleError`` when ``files`` is empty.

    >>> shell = "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/shell.log"
    >>> result = analyze_files("ticket-42", {shell: "Fri Nov 20 01:12:19 UTC 2026- python version unknown\\n"})
    >>> result.os.label, result.diagnoses[0].cause
    ('linux', 'extension-python-incompatible')
    """
    members = []
    for name, content in sorted(files.items(), key=lambda item: age_key(item[0])):
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        members.append(Member(name, len(data), lambda data=data: io.BytesIO(data)))
    return _diagnose(source, members, knowledge, Limits(), None, True, engine)


def _diagnose(source: str, members, knowledge: Knowledge | None, limits: Limits,
              on_record: RecordSink | None, skim: bool, engine: str | None,
              prepare: Callable[[], object] | None = None) -> Result:
    knowledge = knowledge or Knowledge.load()
    matcher = Matcher(knowledge.signatures, engines.get(engine))
    result = Result(source=source, engine=matcher.engine.name)
    budget = Budget(limits)
    warm = _warm(prepare)
    for entry in members:
        if isinstance(entry, Member):
            if budget.out_of_time():
                result.inventory.append(InventoryEntry(entry.path, None, Status.REFUSED, budget.time_message()))
                continue
            result.inventory.append(_read_member(entry, result, matcher, budget, on_record, skim, warm))
            if matcher.latest_time is not None:
                # syslog-style dates carry no year: they take it from what was read before
                result.facts.setdefault("bundle_year", matcher.latest_time.year, entry.path)
        else:
            status = Status.REFUSED if entry.refused else Status.SKIPPED
            result.inventory.append(InventoryEntry(entry.path, None, status, entry.reason))
            if entry.refused:
                result.errors.append(Problem(entry.path, entry.reason))
    if not result.inventory:
        raise BundleError(f"{Path(source).name}: the bundle holds no files")
    rank, coverage, nearest = _diagnosis()
    _derive_facts(result, matcher)
    result.os = _os_of(result, matcher)
    matcher.check_facts(result.facts, result.os)
    result.near_misses = matcher.near_misses(result.facts, result.os)
    result.diagnoses = [d for d in rank(matcher.found, result.facts, knowledge.causes, matcher.latest_time)
                        if knowledge.causes[d.cause].os.applies_to(result.os)]
    result.coverage = coverage(result)
    if not any(d.confident for d in result.diagnoses):
        result.unexplained = matcher.unexplained.top()
        if result.unexplained:
            result.nearest = nearest(result.unexplained, knowledge, result.os)
    return result


def _diagnosis() -> tuple[Callable, Callable, Callable]:
    """``rank``, ``coverage`` and ``nearest``, which turn the records read into a diagnosis: their modules are
    imported at the first call, after reading or while a large log is scanned (``_warm``)."""
    from azlog_vmbackup.analyzer.apps.coverage import coverage
    from azlog_vmbackup.analyzer.apps.nearest import nearest
    from azlog_vmbackup.analyzer.ranking import rank

    return rank, coverage, nearest


def _warm(prepare: Callable[[], object] | None) -> Callable[[], None]:
    """What a skimmer does while the first pieces of a large log are scanned, once in an analysis: import the
    diagnosis's modules (``_diagnosis``) and do the caller's ``prepare``."""
    done = False

    def warm() -> None:
        nonlocal done
        if not done:
            done = True
            _diagnosis()
            if prepare is not None:
                prepare()
    return warm


def _read_member(member: Member, result: Result, matcher: Matcher, budget: Budget,
                 on_record: RecordSink | None, skim: bool, warm: Callable[[], None] | None = None) -> InventoryEntry:
    spec = registry.classify(member.path)
    if spec is not None and spec.parser is None:
        return InventoryEntry(member.path, spec.name, Status.SKIPPED, spec.reason)
    problems: list[str] = []
    entry = InventoryEntry(member.path, spec.name if spec else None, Status.PARSED)
    ctx: ParseContext | None = None
    try:
        with member.open(budget) as raw:
            head = raw.read(SNIFF_BYTES)
            if spec is None:
                if looks_binary(head):
                    entry.status, entry.reason = Status.SKIPPED, "binary content, not a log"
                    return entry
                spec = registry.sniff(head.decode("utf-8", errors="replace"))
                entry.spec = spec.name
            ctx = ParseContext(member.path, result.facts, problems, max_line=budget.limits.line_bytes)
            folds = None
            if skim:
                ctx.reader, folds = _skimmer(spec, matcher, budget, warm)
            writes, told = ctx.facts.writes, len(problems)
            next_check = CHECK_EVERY
            for record in registry.parser_module(spec).parse(_Rejoined(head, raw), ctx):
                if folds is not None:
                    entry.records += folds.replay(record.line)
                entry.records += 1
                verdict = matcher.judge(record, spec.name)
                hits = matcher.apply(verdict, record, spec.name)
                if folds is not None:
                    folds.learn(record, verdict, writes == ctx.facts.writes and told == len(problems))
                    writes, told = ctx.facts.writes, len(problems)
                if on_record is not None:
                    on_record(record, spec.name, hits)
                if entry.records >= next_check or entry.records > budget.limits.records:
                    next_check = entry.records + CHECK_EVERY
                    budget.check(entry.records)
            if folds is not None:
                entry.records += folds.replay(None)
    except LimitExceeded as e:
        entry.status, entry.reason = Status.REFUSED, str(e)
        problems.append(f"{e}; the {entry.records} records read before are kept")
    except read_errors() as e:
        problems.append(f"unreadable: {' '.join(str(e).split())[:200] or type(e).__name__}")
    if ctx is not None:
        entry.lines = ctx.line_count  # a skimmed log's too: its last lines are always read
    for message in problems:
        result.errors.append(Problem(member.path, message))
    if problems and entry.records == 0 and entry.status is Status.PARSED:
        entry.status, entry.reason = Status.SKIPPED, problems[0]
    return entry


def _skimmer(spec: registry.Spec, matcher: Matcher, budget: Budget,
             warm: Callable[[], None] | None = None) -> tuple[Skimmer | None, Folds | None]:
    """A skimming line reader for a member of ``spec`` when its parser offers one, and the records it folds
    (when the parser declares a time stamp); ``warm``: its work while the first pieces are scanned."""
    skim = registry.skim_of(spec)
    if skim is None:
        return None, None
    folds = Folds.of(matcher, spec.name, skim)
    return Skimmer(skim, lambda: matcher.buffer_scan(spec.name, skim), check=lambda: budget.check(0),
                   folds=folds, meanwhile=warm), folds


class _Rejoined(io.RawIOBase):
    """The bytes already read for sniffing, followed by the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(size)
        if size is None or size < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        data, self.head = self.head[:size], self.head[size:]
        if len(data) < size:
            data += self.rest.read(size - len(data))
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def placed(self) -> tuple[int, int] | None:
        """The plain file of which this stream is every byte (``_Bounded.placed``: the sniffed head is its
        start), else None."""
        placed = getattr(self.rest, "placed", None)
        return None if placed is None else placed()

    def read_at(self, offset: int, size: int) -> bytes:
        """At most ``size`` bytes from byte ``offset`` of that plain file (``_Bounded.read_at``)."""
        return self.rest.read_at(offset, size)


def _derive_facts(result: Result, matcher: Matcher) -> None:
    """Facts that need the whole bundle: whether the agent's services run, how long the agent was silent
    or its status stale before the other logs ended."""
    services = result.facts.get("agent_services")
    if services is not None and isinstance(services.value, dict):
        states = [str(services.value[name]).lower() for name in AGENT_SERVICES if name in services.value]
        if states:
            result.facts.set("agent_service_stopped", any(s != "running" for s in states), services.path,
                             services.line, services.time)
    others = [t for spec, t in matcher.latest_by_spec.items() if spec not in AGENT_LOG_SPECS]
    if not others:
        return
    newest = max(others)
    for fact, derived in (("agent_last_record", "agent_log_silent_hours"),
                          ("agent_status_time", "agent_status_stale_hours")):
        seen = result.facts.get(fact)
        if seen is not None and isinstance(seen.value, datetime):
            hours = (newest - seen.value).total_seconds() / 3600
            result.facts.set(derived, round(max(hours, 0.0), 1), seen.path, seen.line)


def _os_of(result: Result, matcher: Matcher) -> OS:
    """windows or linux by the specs parsed (Windows first: its bundles may hold Linux-looking text); when
    no spec tells (a pasted excerpt, a serial console), by the OS of the text signatures that hit, if
    they agree."""
    seen = {registry.spec_os(e.spec) for e in result.inventory if e.status is Status.PARSED}
    if OS.WINDOWS in seen or OS.LINUX in seen:
        return OS.WINDOWS if OS.WINDOWS in seen else OS.LINUX
    hit = {entry.signature.os for entry in matcher.found.values()} - {OS.ANY}
    return hit.pop() if len(hit) == 1 else OS.ANY
