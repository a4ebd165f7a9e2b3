"""Find literal text a regex cannot match without, to skip the regex on most lines.

For each top-level alternative of a pattern, the longest run of plain characters
outside any group is text every match of that alternative contains. When every
alternative has such a run (of at least ``MIN`` characters), a record that
contains none of them cannot match, and a cheap ``in`` test replaces the regex.
"""
from __future__ import annotations

import re

MIN = 4
_META = set(".^$*+?{}[]()|\\")
_QUANTIFIER = re.compile(r"\{\d*(?:,\d*)?\}\??")
_ESCAPED_LITERAL = set(".^$*+?{}[]()|\\/-:,'\"#<> =")


def required_literals(pattern: str) -> tuple[str, ...] | None:
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
    """
    if pattern.startswith("(?") and not pattern.startswith(("(?:", "(?P", "(?=", "(?!", "(?<")):
        return None  # inline flags change what a literal means
    out = []
    for branch in _top_level_branches(pattern):
        best = max(_literal_runs(branch), key=len, default="")
        if len(best) < MIN:
            return None
        out.append(best)
    return tuple(dict.fromkeys(out))


def _top_level_branches(pattern: str) -> list[str]:
    branches, depth, start, i, in_class = [], 0, 0, 0, False
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
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


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
        if quantifier in ("?", "*", "{"):
            close()  # an optional character is not required
            continue
        current.append(char)
        if quantifier == "+":
            close()  # required once, but what follows need not be adjacent
    close()
    return runs
