"""Load signatures and causes from YAML, validate them, and decide what a signature matches.

A signature file holds a list of signatures::

    - id: vmsnapshot-freeze-failed
      title: The file-system freeze failed
      cause: fsfreeze-failed
      error_codes: [UserErrorFsFreezeFailed]
      os: linux
      sources: [vmsnapshot_extension_log]
      hint: "Failed to FIFREEZE"     # optional: literal(s) one of which every match contains
      regex: 'Failed to FIFREEZE: (?P<mount>\\S+)'
      weight: 0.8
      remediation: ["..."]
      examples:
        match: ["2026-11-26 19:34:53 Failed to FIFREEZE: /data with error message: Device busy"]
        no_match: ["2026-11-26 19:34:53 Freezing: /data"]

or, instead of ``regex``, a condition on facts::

      when: {fact: agent_version, version_lt: "2.2.53.1"}

whose examples are fact dictionaries. ``kind: noise`` marks lines seen on
healthy VMs: a record a noise signature matches is evidence of nothing.
``causes.yaml`` holds the causes (id, title, remediation, references).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import regex

from azlog_vmbackup.analyzer.knowledge import steps
from azlog_vmbackup.analyzer.knowledge.causes import Cause, load_causes
from azlog_vmbackup.analyzer.knowledge.literals import required_literals
from azlog_vmbackup.analyzer.knowledge.mirror import builtin_dir
from azlog_vmbackup.analyzer.knowledge.schema import (
    KNOWLEDGE_FILES,
    KnowledgeError,
    check_fields,
    entries,
    os_field,
    req_str,
    str_list,
)
from azlog_vmbackup.core.model import OS, Facts

LEVEL_NAMES = ("ERROR", "WARNING", "INFO", "VERBOSE")  # what Record.level holds
_OPS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "version_lt", "version_ge",
        "exists", "missing")
USER_REGEX_TIMEOUT = 0.5


class Pattern:
    r"""A signature's regex (``regex`` module), compiled at its first search: most signatures never search a
    record of a small bundle, and compiling every one would cost more than the whole analysis.

    >>> p = Pattern(r"Failed to FIFREEZE: (?P<mount>\S+)")
    >>> p.search("2026-11-26 Failed to FIFREEZE: /data")["mount"]
    '/data'
    """

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags
        self._compiled = None

    def compiled(self):
        """The compiled regex; raises ``regex.error`` when ``pattern`` does not compile."""
        if self._compiled is None:
            self._compiled = regex.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, text: str, *args, **kwargs):
        """``regex.Pattern.search``: the first match in ``text``, or None."""
        return self.compiled().search(text, *args, **kwargs)

    def __reduce__(self):
        return Pattern, (self.pattern, self.flags)  # pickled as its source: a worker compiles what it uses


@dataclass(eq=False)
class Signature:
    """A log pattern (hints and a regex) or fact condition that is evidence of a cause, or noise to set aside."""

    id: str
    title: str
    cause: str
    weight: float
    file: str
    kind: str = "evidence"  # evidence | noise
    error_codes: tuple[str, ...] = ()
    os: OS = OS.ANY
    sources: tuple[str, ...] = ()  # spec names; the first one parses the examples
    hints: tuple[str, ...] = ()  # literals one of which every match contains (checked first)
    pattern: Pattern | None = None  # the regex, compiled at its first search
    ignore_case: bool = False
    levels: frozenset[str] = frozenset()
    when: tuple[dict, ...] = ()
    remediation: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    examples: dict = field(default_factory=dict)
    timeout: float | None = None  # regex time limit, for signatures the user supplies
    repeat: tuple[int, float] | None = None  # (count, seconds): only a burst of hits counts

    def applies_to(self, spec: str) -> bool:
        return not self.sources or spec in self.sources

    def search(self, text: str):
        """The first match in ``text`` (a record's message), or None."""
        if self.hints:
            hay = text.lower() if self.ignore_case else text
            for hint in self.hints:
                pos = hay.find(hint)
                if pos >= 0:
                    break
            else:
                return None
            if self.pattern is None:
                return _HintMatch(pos, pos + len(hint))
        try:  # a record is short: letting go of the interpreter would cost more than the search
            return self.pattern.search(text, concurrent=False, timeout=self.timeout)
        except TimeoutError:
            return None

    def holds(self, facts: Facts) -> bool:
        """True when every condition of ``when`` holds on ``facts``."""
        return bool(self.when) and all(_condition(c, facts) for c in self.when)

    @staticmethod
    def holds_one(condition: dict, facts: Facts) -> bool:
        """True when one condition of a ``when`` holds on ``facts``."""
        return _condition(condition, facts)


class _HintMatch:
    """Match-like result for a hint-only signature: where the hint is; it captures nothing."""

    def __init__(self, start: int, end: int):
        self._span = (start, end)

    def start(self) -> int:
        return self._span[0]

    def end(self) -> int:
        return self._span[1]

    def groupdict(self) -> dict[str, str]:
        return {}


def version_tuple(text: str) -> tuple[int, ...]:
    """'2.2.53.1' -> (2, 2, 53, 1); non-numeric parts end the tuple.

    >>> version_tuple('2.2.45') < version_tuple('2.2.53.1')
    True
    """
    parts = []
    for piece in str(text).split("."):
        digits = regex.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def _condition(cond: dict, facts: Facts) -> bool:
    name = cond["fact"]
    present = name in facts
    value = facts.value(name)
    for op, want in cond.items():
        if op == "fact":
            continue
        if op == "exists":
            ok = present == bool(want)
        elif op == "missing":
            ok = (not present) == bool(want)
        elif not present or value is None:
            return False
        elif op == "eq":
            ok = value == want
        elif op == "ne":
            ok = value != want
        elif op == "in":
            ok = value in want
        elif op == "not_in":
            ok = value not in want
        elif op in ("version_lt", "version_ge"):
            have, ref = version_tuple(value), version_tuple(want)
            ok = bool(have) and (have < ref if op == "version_lt" else have >= ref)
        else:
            try:
                a, b = float(value), float(want)
            except (TypeError, ValueError):
                return False
            ok = {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
        if not ok:
            return False
    return True


# ---------------------------------------------------------------- loading

_SIG_FIELDS = {"id", "title", "cause", "error_codes", "os", "sources", "hint", "regex", "when",
               "weight", "remediation", "references", "examples", "kind", "ignore_case", "levels", "repeat"}
MAX_REPEAT = 5  # the matcher keeps this many latest hits per signature


def load_signatures(dirs: Iterable[Path] = (), causes: dict[str, Cause] | None = None,
                    builtin: bool = True) -> list[Signature]:
    """Built-in signatures plus those in ``dirs`` (user files, whose regexes get a time limit)."""
    causes = causes if causes is not None else load_causes()
    sigs: list[Signature] = []
    seen: dict[str, str] = {}
    sources = ([(p, False) for p in sorted(builtin_dir().glob("*.yaml")) if p.name not in KNOWLEDGE_FILES]
               if builtin else [])
    for d in dirs:
        d = Path(d)
        files = sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")) if d.is_dir() else [d]
        sources += [(p, True) for p in files]
    for path, user in sources:
        for where, entry in entries(path):
            sig = _signature(where, entry, str(path.name), causes, user)
            if sig.id in seen:
                raise KnowledgeError(f"{where}: id: {sig.id!r} already defined in {seen[sig.id]}")
            seen[sig.id] = str(path)
            sigs.append(sig)
    return sigs


_ID = regex.compile(r"^[a-z0-9][a-z0-9.-]*$")


def _signature(where: str, e: dict, file: str, causes: dict[str, Cause], user: bool) -> Signature:
    kind = e.get("kind", "evidence")
    if kind not in ("evidence", "noise"):
        raise KnowledgeError(f"{where}: kind: must be 'evidence' or 'noise'")
    evidence = kind == "evidence"
    check_fields(where, e, _SIG_FIELDS, {"id", "title", "cause", "weight"} if evidence else {"id", "title"})
    sid = req_str(where, e, "id")
    if not _ID.match(sid):
        raise KnowledgeError(f"{where}: id: use lower-case letters, digits, '-' and '.'")
    cause = req_str(where, e, "cause") if evidence else ""
    if evidence and cause not in causes:
        raise KnowledgeError(f"{where}: cause: unknown cause id {cause!r}")
    if not evidence and ("cause" in e or "weight" in e or "when" in e):
        raise KnowledgeError(f"{where}: kind: a noise signature has no cause, weight or 'when'")
    weight = e.get("weight", 1.0)
    if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
        raise KnowledgeError(f"{where}: weight: must be a number in (0, 1]")
    os_name = os_field(where, e)
    hint, rx, when = e.get("hint"), e.get("regex"), e.get("when")
    hints = str_list(where, e, "hint")
    if (rx is None and hint is None) == (when is None):
        raise KnowledgeError(f"{where}: regex: give a regex or hint, or a 'when' fact condition, not both")
    ignore_case = bool(e.get("ignore_case", False))
    pattern = None
    if rx is not None:
        if not isinstance(rx, str):
            raise KnowledgeError(f"{where}: regex: must be a string")
        pattern = Pattern(rx, regex.IGNORECASE if ignore_case else 0)
        if user:  # a user's regex is proven at once, so a bad one is a clear error before any work
            try:
                pattern.compiled()
            except regex.error as err:
                raise KnowledgeError(f"{where}: regex: does not compile: {err}") from None
    if not hints and rx is not None:
        hints = required_literals(rx) or ()
    if ignore_case:
        hints = tuple(h.lower() for h in hints)
    conditions = _conditions(where, when) if when is not None else ()
    levels = str_list(where, e, "levels")
    if any(lv not in LEVEL_NAMES for lv in levels):
        raise KnowledgeError(f"{where}: levels: each must be one of {', '.join(LEVEL_NAMES)}")
    repeat = _repeat(where, e.get("repeat"))
    examples = e.get("examples")
    if not isinstance(examples, dict) or not examples.get("match") or not examples.get("no_match"):
        raise KnowledgeError(f"{where}: examples: needs non-empty 'match' and 'no_match' lists")
    remediation = str_list(where, e, "remediation")
    for problem in steps.check(where, remediation):
        raise KnowledgeError(problem)
    return Signature(
        id=sid, title=req_str(where, e, "title"), cause=cause, weight=float(weight), file=file,
        kind=kind, error_codes=str_list(where, e, "error_codes"), os=os_name,
        sources=str_list(where, e, "sources"), hints=hints, pattern=pattern,
        ignore_case=ignore_case, levels=frozenset(levels), when=conditions,
        remediation=remediation, references=str_list(where, e, "references"),
        examples=examples, timeout=USER_REGEX_TIMEOUT if user else None, repeat=repeat)


def _repeat(where: str, repeat) -> tuple[int, float] | None:
    if repeat is None:
        return None
    count = repeat.get("count") if isinstance(repeat, dict) else None
    seconds = repeat.get("seconds") if isinstance(repeat, dict) else None
    if not (isinstance(count, int) and 2 <= count <= MAX_REPEAT and isinstance(seconds, (int, float)) and seconds > 0):
        raise KnowledgeError(f"{where}: repeat: needs count (2 to {MAX_REPEAT}) and seconds (> 0)")
    return count, float(seconds)


def _conditions(where: str, when) -> tuple[dict, ...]:
    items = when if isinstance(when, list) else [when]
    for c in items:
        if not isinstance(c, dict) or not isinstance(c.get("fact"), str):
            raise KnowledgeError(f"{where}: when: each condition needs a 'fact' name")
        bad = [k for k in c if k != "fact" and k not in _OPS]
        if bad:
            raise KnowledgeError(f"{where}: when: unknown operator {bad[0]!r} (use {', '.join(_OPS)})")
        if len(c) < 2:
            raise KnowledgeError(f"{where}: when: condition on {c['fact']!r} has no operator")
    return tuple(items)
