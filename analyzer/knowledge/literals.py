"""Find literal text a regex cannot match without, to skip the regex on most lines.

For each top-level alternative of a pattern, a run of plain characters outside
any group, or one literal for each alternative of a group the pattern cannot
skip, is text every match of that alternative holds. When every alternative has
such text (each literal of at least ``MIN`` characters, none holding a ``"`` or
``\\``, which a JSON export escapes), a record that holds
none of it cannot match, and a cheap ``in`` test replaces the regex. Of the
choices, the rarest in routine traffic wins: the one whose literals occur least
in ``routine.txt`` (lines of healthy VMs' logs, one per kind), then the longest.

Working that out for every built-in signature costs more than the rest of loading them, so the mirror
command (``knowledge.mirror``) also writes what it gives for each built-in regex to
``signatures/literals.json``, keyed by the digest of this module and ``routine.txt``: a table written by
other code or for other routine lines is not used, so it is only ever a speed-up.

Sample: for ``VMSnapshotLinux-[^]]*] (?:Enable extension|Launch command)``
the group's two literals win over the extension's name, which most routine
lines of a VM with the backup extension hold.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Iterator

from azlog_vmbackup.core.digest import digest

MIN = 4
_META = set(".^$*+?{}[]()|\\")
_QUANTIFIER = re.compile(r"\{\d*(?:,\d*)?\}\??")
_ESCAPED_LITERAL = set(".^$*+?{}[]()|\\/-:,'\"#<> =")
_ESCAPED_IN_EXPORTS = set('"\\')  # a JSON export (the journal's) writes these escaped: no literal holds them


@functools.lru_cache(maxsize=1024)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """One literal per top-level alternative (see the module's text), or None when some alternative has none;
    from the written table when it holds ``pattern``."""
    known = _written().get("literals", {}).get(pattern, _UNKNOWN)
    if known is not _UNKNOWN:
        return None if known is None else tuple(known)
    return derive(pattern)


_UNKNOWN = object()
TABLE = "literals.json"


def source_key() -> str:
    """What the written table must be keyed by to be used: the digest of this module and the routine lines."""
    here = Path(__file__)
    return digest(here.read_bytes(), here.with_name("routine.txt").read_bytes())


@functools.lru_cache(maxsize=1)
def _written() -> dict:
    """The written table (``literals``: each regex's literals; ``starts``: ``start_chars`` of each regex read with
    and without case), when it was written by this module for these routine lines; else nothing."""
    import azlog_vmbackup.signatures  # the built-in knowledge's folder, where the table is written

    try:
        table = json.loads((Path(azlog_vmbackup.signatures.__file__).parent / TABLE).read_text(encoding="utf-8"))
        key = source_key()
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) and table.get("key") == key else {}


def derive(pattern: str) -> tuple[str, ...] | None:
    r"""One literal per top-level alternative, or None when some alternative has none.

    >>> required_literals(r'Failed to FIFREEZE: \S+|freeze failed for some mount')
    ('Failed to FIFREEZE: ', 'freeze failed for some mount')
    >>> required_literals(r'(?:Pre|Post)script for \S+ (?:failed|timed out)')
    ('script for ',)
    >>> required_literals(r'Kill(?:ed)? process|oom')
    >>> required_literals(r'memory limit \d+ bytes exceeded')
    (' bytes exceeded',)
    >>> required_literals(r'(?i)anything')
    >>> required_literals(r'abc+defgh')
    ('defgh',)
    >>> required_literals(r'agent\.exe.{0,500}?crashed')
    ('agent.exe',)
    >>> required_literals(r'RecoveryServices\.VMSnapshotLinux-\S*\] (?:Enable extension|Launch command)')
    ('Enable extension', 'Launch command')
    """
    if pattern.startswith("(?") and not pattern.startswith(("(?:", "(?P", "(?=", "(?!", "(?<")):
        return None  # inline flags change what a literal means
    out: list[str] = []
    for branch in _top_level_branches(pattern):
        choices = [(run,) for run in _literal_runs(branch) if len(run) >= MIN]
        choices += [inner for group in _required_groups(branch) if (inner := required_literals(group))]
        if not choices:
            return None
        out.extend(choices[0] if len(choices) == 1 else min(choices, key=_rarity))
    return tuple(dict.fromkeys(out))


def _rarity(literals: tuple[str, ...]) -> tuple[int, int]:
    """How often ``literals`` occur in routine traffic (fewer first), then how short the shortest is."""
    routine = _routine()
    return sum(routine.count(literal) for literal in literals), -min(map(len, literals))


@functools.lru_cache(maxsize=1)
def _routine() -> str:
    """The routine lines the rarity of a literal is measured on (``routine.txt`` beside this module)."""
    try:
        return (Path(__file__).with_name("routine.txt")).read_text(encoding="utf-8")
    except OSError:
        return ""


def _required_groups(branch: str) -> list[str]:
    """The contents of the groups at depth 0 of ``branch`` that every match goes through (no look-around,
    no inline flags, not made optional by ``?``, ``*`` or ``{0,``).

    >>> _required_groups(r'a(?:b|c)d(e)?(?=f)(?P<g>h|i){1,2}')
    ['b|c', 'h|i']
    """
    out, start = [], 0
    for i, c, depth in _structure(branch):
        if c == "(" and depth == 1:
            start = i
        elif c == ")" and depth == 1:
            after = branch[i + 1:i + 3]
            if not (after[:1] in ("?", "*") or after.startswith("{0")):
                group = branch[start + 1:i]
                if group.startswith("?:"):
                    out.append(group[2:])
                elif group.startswith("?P<"):
                    out.append(group[group.index(">") + 1:])
                elif not group.startswith("?"):
                    out.append(group)
    return out


def _top_level_branches(pattern: str) -> list[str]:
    branches, start = [], 0
    for i, c, depth in _structure(pattern):
        if c == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
    branches.append(pattern[start:])
    return branches


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    r"""(index, character, depth) of each ``(``, ``)`` and ``|`` of ``pattern`` outside escapes and character
    classes: the depth inside a group that opens or closes, the group depth of a ``|``.

    >>> [(c, d) for _, c, d in _structure(r'a(b|[(]c)|\(')]
    [('(', 1), ('|', 1), (')', 1), ('|', 0)]
    """
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
            yield i, c, depth
        elif c == ")":
            yield i, c, depth
            depth -= 1
        elif c == "|":
            yield i, c, depth
        i += 1


def _literal_runs(branch: str) -> list[str]:
    """Runs of literal characters at depth 0 that every match contains."""
    runs, current, depth, i, in_class = [], [], 0, 0, False

    def close():
        if current:
            runs.append("".join(current))
            current.clear()

    while i < len(branch):
        c = branch[i]
        nxt = branch[i + 1] if i + 1 < len(branch) else ""
        if in_class:
            in_class = c != "]" if c != "\\" else True
            i += 2 if c == "\\" else 1
            continue
        if c == "\\":
            if depth == 0 and nxt in _ESCAPED_LITERAL:
                char, i = nxt, i + 2
            else:
                close()
                i += 2
                continue
        elif c == "{" and _QUANTIFIER.match(branch, i):
            close()  # a {m,n} quantifier: none of it is text
            i = _QUANTIFIER.match(branch, i).end()
            continue
        elif c in _META:
            close()
            if c == "[":
                in_class = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            i += 1
            continue
        else:
            char, i = c, i + 1
        if depth:
            continue
        quantifier = branch[i:i + 1]
        if quantifier in ("?", "*", "{") or char in _ESCAPED_IN_EXPORTS:
            close()  # an optional character is not required; an escaped one is not written as it is
            continue
        current.append(char)
        if quantifier == "+":
            close()  # required once, but what follows need not be adjacent
    close()
    return runs


@functools.lru_cache(maxsize=1024)
def start_chars(pattern: str, ignore_case: bool = False) -> str | None:
    r"""The ASCII characters a match of ``pattern`` may start with, in order (a letter read ignoring case in
    both cases); None when it may start with any of them: a class of a kind (``\d``, ``\w``, ``.``), a
    negated or case-folded set, a match that may be empty, start only at the text's start or look behind it,
    or a pattern beyond this reading. From the written table when it holds ``pattern``.

    >>> start_chars(r'\[HTTP Failed\] (?:GET|POST)'), start_chars(r'(?:x)?T'), start_chars(r'(?i:zone) fault')
    ('[', 'Tx', 'Zz')
    >>> start_chars(r'2026-11-01T\d\d'), start_chars(r'(?<![\w.-])openssl'), start_chars(r'\d+ x')
    ('2', None, None)
    """
    known = _written().get("starts", {}).get(start_key(pattern, ignore_case), _UNKNOWN)
    return known if known is None or isinstance(known, str) else reads_start(pattern, ignore_case)


def leading_literals(pattern: str, ignore_case: bool = False) -> tuple[tuple[str, ...], bool] | None:
    r"""Text one of which every match of ``pattern`` starts with (a zero-width test of a word boundary or of
    what follows aside), and whether it is read ignoring case (then it is in lower case); None when some
    match may start otherwise (a class, a repeat, a look behind, an anchor) or the pattern is beyond this
    reading.

    >>> leading_literals(r'There was no match|GetVersions\(\) failed|\bUnable to (?:connect|reach)')
    (('There was no match', 'GetVersions() failed', 'Unable to '), False)
    >>> leading_literals(r'(?i)Zone Fault'), leading_literals(r'\d+ errors'), leading_literals(r'(?<!x)abc')
    ((('zone fault',), True), None, None)
    """
    import re._constants as sre

    parsed = _parsed(pattern, ignore_case)
    if parsed is None:
        return None
    tree, folded = parsed

    def prefix(items) -> str:
        text = []
        for op, av in items:
            if op is sre.LITERAL:
                text.append(chr(av))
            elif not text and (op is sre.AT and av in (sre.AT_BOUNDARY, sre.AT_NON_BOUNDARY)
                               or op is sre.ASSERT and av[0] >= 0):
                continue  # tests where the match starts, reading no text before it
            else:
                break
        return "".join(text)

    items = list(tree)
    branches = items[0][1][1] if len(items) == 1 and items[0][0] is sre.BRANCH else [items]
    found = tuple(prefix(branch) for branch in branches)
    if not all(found):
        return None
    return tuple(x.lower() for x in found) if folded else found, folded


def _parsed(pattern: str, ignore_case: bool):
    """``pattern``'s parse tree (Python's own parser) and whether it is read ignoring case; None when that parser
    cannot read it."""
    import re._constants as sre
    import re._parser as sre_parse

    try:
        tree = sre_parse.parse(pattern)
    except (re.error, ValueError, OverflowError, RecursionError):
        return None
    return tree, ignore_case or bool(tree.state.flags & sre.SRE_FLAG_IGNORECASE)


def start_key(pattern: str, ignore_case: bool) -> str:
    """How the written table names ``pattern`` read with or without case."""
    return f"{int(ignore_case)} {pattern}"


def reads_start(pattern: str, ignore_case: bool = False) -> str | None:
    """``start_chars`` worked out from the pattern's parse tree."""
    import re._constants as sre

    parsed = _parsed(pattern, ignore_case)
    if parsed is None:
        return None
    tree, folded = parsed

    def cases(code: int, fold: bool) -> set[str]:
        c = chr(code)
        return {x for x in ((c, c.lower(), c.upper()) if fold else (c,)) if len(x) == 1 and x.isascii()}

    def first(items, fold: bool) -> tuple[set[str] | None, bool]:
        """(the characters a match of a sequence of items may start with, None: any; whether it may be empty)"""
        out: set[str] = set()
        for op, av in items:
            if op is sre.LITERAL:
                return out | cases(av, fold), False
            if op in (sre.NOT_LITERAL, sre.ANY, sre.GROUPREF, sre.GROUPREF_EXISTS):
                return None, False
            if op is sre.IN:
                if fold or any(o is sre.NEGATE or o is sre.CATEGORY for o, _ in av):
                    return None, False
                return out | {chr(c) for o, a in av if o is sre.LITERAL or o is sre.RANGE
                              for c in ((a,) if o is sre.LITERAL else range(a[0], a[1] + 1)) if c < 128}, False
            if op is sre.BRANCH:
                results = [first(branch, fold) for branch in av[1]]
                if any(r[0] is None for r in results):
                    return None, False
                start, empty = set().union(*(r[0] for r in results)), any(r[1] for r in results)
            elif op is sre.SUBPATTERN:
                start, empty = first(av[3], fold or bool(av[1] & sre.SRE_FLAG_IGNORECASE))
            elif op is sre.ATOMIC_GROUP:
                start, empty = first(av, fold)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                start, empty = first(av[2], fold)
                empty = empty or av[0] == 0
            elif op is sre.AT:
                if av in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING, sre.AT_BEGINNING_LINE):
                    return None, False
                continue  # a zero-width test at a word boundary or an end
            elif op is sre.ASSERT or op is sre.ASSERT_NOT:
                if av[0] < 0:  # a look behind
                    return None, False
                continue  # a look ahead reads from where the match starts: what follows decides
            else:
                return None, False
            if start is None:
                return None, False
            out |= start
            if not empty:
                return out, False
        return out, True

    start, empty = first(tree, folded)
    return None if start is None or empty else "".join(sorted(start))
