"""Every documented Azure VM backup error code (``signatures/codes.yaml``) and how to find them in text.

An entry::

    - code: ExtensionOperationFailedForManagedDisks
      aliases: [ExtentionOperationFailedForManagedDisks, ExtentionOperationFailed]
      messages: [VMSnapshot extension operation failed]
      os: any                  # linux | windows | any ('both' too)
      phase: backup            # backup | restore | configure-backup | backup/restore | performance-insight
      causes: [extension-update-or-load-failed, snapshot-status-unavailable]
      guest_logs: yes          # yes | partial | no
      remediation: ["..."]
      reference: https://learn.microsoft.com/azure/backup/...
      status: current          # current | retired | selfhelp
      numeric_code: 320001     # optional
      history: ["..."]         # optional

Codes and aliases match case-insensitively; documented messages match with
spacing, case, punctuation and line wrapping ignored, and also when a line
ends with only the beginning of a message (a truncated portal or email line).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from azlog_vmbackup.analyzer.knowledge.mirror import builtin_dir
from azlog_vmbackup.analyzer.knowledge.schema import (
    KnowledgeError,
    check_fields,
    entries,
    one_of,
    os_field,
    req_str,
    str_list,
)
from azlog_vmbackup.core.model import OS

_FIELDS = {"code", "aliases", "messages", "os", "phase", "causes", "guest_logs", "remediation", "reference",
           "status", "numeric_code", "history"}
PHASES = ("backup", "restore", "configure-backup", "backup/restore", "performance-insight")
GUEST_LOGS = ("yes", "partial", "no")
STATUSES = ("current", "retired", "selfhelp")
MIN_PREFIX = 32          # characters of a message a cut-off line must hold
MIN_CUT_WORDS = 5

_TOKEN = regex.compile(r"[A-Za-z][A-Za-z0-9]{5,}")
_NUMBER = regex.compile(r"(?<![\d.])\d{6}(?![\d.])")
_NON_WORD = regex.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class CodeInfo:
    code: str
    aliases: tuple[str, ...]
    messages: tuple[str, ...]
    os: OS
    phase: str
    causes: tuple[str, ...]
    guest_logs: str
    remediation: tuple[str, ...]
    reference: str
    status: str
    numeric_code: int | None = None
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """Where a code showed up in a text: by its name, its number, or one of its messages."""

    info: CodeInfo
    line: int
    text: str
    how: str  # code | number | message


def key(name: str) -> str:
    """The form codes are compared in: lower case, letters and digits only.

    >>> key('UserError-KeyVault PermissionsNotConfigured')
    'usererrorkeyvaultpermissionsnotconfigured'
    """
    return _NON_WORD.sub("", name.lower())


def _words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


class CodeBook:
    """All codes, indexed by name, alias, number and message."""

    def __init__(self, codes: list[CodeInfo]):
        self.codes = codes
        self.by_key: dict[str, CodeInfo] = {}
        self.by_number: dict[int, CodeInfo] = {}
        self.messages: list[tuple[str, list[str], CodeInfo]] = []
        for info in codes:
            for name in (info.code, *info.aliases):
                self.by_key[key(name)] = info
            if info.numeric_code is not None:
                self.by_number[info.numeric_code] = info
            for message in info.messages:
                words = _words(message)
                self.messages.append((words, words.split(), info))

    def get(self, name: str) -> CodeInfo | None:
        """The code ``name`` spells (any alias, any case), or None."""
        found = self.by_key.get(key(name))
        if found is None and name.strip().isdigit():
            found = self.by_number.get(int(name))
        return found

    def nearest(self, name: str, n: int = 3) -> list[str]:
        """Known codes whose spelling is closest to ``name``."""
        import difflib  # only for a name no code spells: not worth importing at every start

        keys = difflib.get_close_matches(key(name), list(self.by_key), n=n * 2, cutoff=0.6)
        return list(dict.fromkeys(self.by_key[k].code for k in keys))[:n]

    def find(self, text: str) -> list[Mention]:
        """Codes the text names: by code or alias, by number (next to the word "code"), or by message.

        A message may be wrapped over lines, or cut off at the end of a line (a truncated
        portal cell or email line); then the longest documented beginning wins.
        """
        lines = text.splitlines()
        found: dict[str, Mention] = {}
        for number, line in enumerate(lines, 1):
            for token in _TOKEN.findall(line):
                info = self.by_key.get(token.lower())
                if info is not None:
                    found.setdefault(info.code, Mention(info, number, line, "code"))
            if "code" in line.lower():
                for digits in _NUMBER.findall(line):
                    info = self.by_number.get(int(digits))
                    if info is not None:
                        found.setdefault(info.code, Mention(info, number, line, "number"))
        for info, number in self._messages(lines):
            found.setdefault(info.code, Mention(info, number, lines[number - 1], "message"))
        return list(found.values())

    def _messages(self, lines: list[str]) -> list[tuple[CodeInfo, int]]:
        words: list[str] = []
        line_of: list[int] = []
        line_end: set[int] = set()
        for number, line in enumerate(lines, 1):
            for w in _words(line).split():
                words.append(w)
                line_of.append(number)
            if words:
                line_end.add(len(words) - 1)
        stream = " " + " ".join(words) + " "
        starts = _word_starts(words)
        hits: list[tuple[CodeInfo, int]] = []
        cut: dict[int, tuple[int, list[CodeInfo]]] = {}  # where a cut-off message starts -> (length, codes)
        for message, message_words, info in self.messages:
            pos = stream.find(" " + message + " ")
            if pos >= 0:
                hits.append((info, line_of[starts[pos]]))
                continue
            for k in range(len(message_words) - 1, MIN_CUT_WORDS - 1, -1):
                head = " ".join(message_words[:k])
                if len(head) < MIN_PREFIX:
                    break
                at = _cut_at_line_end(stream, head, starts, line_end)
                if at is None:
                    continue
                if self._distinctive(head):  # a shorter beginning would be shared all the more
                    best = cut.get(at)
                    if best is None or k > best[0]:
                        cut[at] = (k, [info])
                    elif k == best[0]:
                        best[1].append(info)
                break
        for at, (_, infos) in cut.items():
            hits += [(info, line_of[at]) for info in infos]
        return hits

    def _distinctive(self, head: str) -> bool:
        """True when the messages that begin with ``head`` are all one and the same text."""
        return len({m for m, _, _ in self.messages if m.startswith(head + " ") or m == head}) == 1


def _word_starts(words: list[str]) -> dict[int, int]:
    """Offset in the joined stream (of the space before a word) -> word index."""
    starts, offset = {}, 0
    for i, w in enumerate(words):
        starts[offset] = i
        offset += len(w) + 1
    return starts


def _cut_at_line_end(stream: str, head: str, starts: dict[int, int], line_end: set[int]) -> int | None:
    """Word index where ``head`` occurs ending exactly at the end of a line, or None."""
    needle = " " + head + " "
    last = head.count(" ")
    pos = stream.find(needle)
    while pos >= 0:
        first = starts[pos]
        if first + last in line_end:
            return first
        pos = stream.find(needle, pos + 1)
    return None


def load_codes(path: Path | None = None, causes: dict | None = None) -> CodeBook:
    """Read and check ``codes.yaml``; every cause it names must be in ``causes`` when given."""
    path = path or builtin_dir() / "codes.yaml"
    codes: list[CodeInfo] = []
    seen: dict[str, str] = {}
    for where, e in entries(path):
        check_fields(where, e, _FIELDS, {"code", "messages", "os", "phase", "causes", "remediation", "reference",
                                         "status"})
        info = CodeInfo(
            code=req_str(where, e, "code"), aliases=str_list(where, e, "aliases"),
            messages=str_list(where, e, "messages"), os=os_field(where, e, None),
            phase=one_of(where, e, "phase", PHASES), causes=str_list(where, e, "causes"),
            guest_logs=one_of(where, e, "guest_logs", GUEST_LOGS, "partial"),
            remediation=str_list(where, e, "remediation"), reference=req_str(where, e, "reference"),
            status=one_of(where, e, "status", STATUSES), numeric_code=_number(where, e),
            history=str_list(where, e, "history"))
        if not info.reference.startswith("https://"):
            raise KnowledgeError(f"{where}: reference: must be an https:// URL")
        unknown = [c for c in info.causes if causes is not None and c not in causes]
        if unknown:
            raise KnowledgeError(f"{where}: causes: unknown cause id {unknown[0]!r}")
        for name in (info.code, *info.aliases):
            if seen.get(key(name), info.code) != info.code:
                raise KnowledgeError(f"{where}: code: {name!r} is already defined by {seen[key(name)]}")
            seen[key(name)] = info.code
        codes.append(info)
    return CodeBook(codes)


def _number(where: str, e: dict) -> int | None:
    value = e.get("numeric_code")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise KnowledgeError(f"{where}: numeric_code: must be an integer")
    return value
