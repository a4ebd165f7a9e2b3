"""The lines around each piece of evidence, read again from the bundle for the HTML report (a few before and
after, redacted), so an engineer sees what surrounded the line that matched.

>>> import zipfile, tempfile, os
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "b.zip")
...     with zipfile.ZipFile(path, "w") as zf:
...         zf.writestr("var/log/waagent.log", "\\n".join(f"line {n}" for n in range(1, 11)))
...     around(path, [("var/log/waagent.log", 5)], radius=2)[("var/log/waagent.log", 5)]
[(3, 'line 3'), (4, 'line 4'), (5, 'line 5'), (6, 'line 6'), (7, 'line 7')]
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from azlog_vmbackup.core.bundle import Budget, BundleError, LimitExceeded, Limits, Member, open_bundle, read_errors
from azlog_vmbackup.core.masking import redact
from azlog_vmbackup.core.text import iter_lines

RADIUS = 3
MAX_LINE = 400


def around(source: str | Path, places: Iterable[tuple[str, int]], radius: int = RADIUS,
           limits: Limits = Limits()) -> dict[tuple[str, int], list[tuple[int, str]]]:
    """For each ``(member path, line)``, the lines ``line - radius`` to ``line + radius`` of that member
    (fewer at its edges); a member that cannot be read again gives nothing."""
    wanted: dict[str, set[int]] = {}
    for path, line in places:
        if line:
            wanted.setdefault(path, set()).add(line)
    found: dict[tuple[str, int], list[tuple[int, str]]] = {}
    if not wanted:
        return found
    budget = Budget(limits)
    try:
        entries = open_bundle(source, limits)
        for entry in entries:
            if not isinstance(entry, Member) or entry.path not in wanted:
                continue
            lines = wanted[entry.path]
            last = max(lines) + radius
            with entry.open(budget) as stream:
                for number, text in iter_lines(stream):
                    if number > last:
                        break
                    for line in lines:
                        if abs(number - line) <= radius:
                            found.setdefault((entry.path, line), []).append((number, redact(text[:MAX_LINE])))
    except (*read_errors(), LimitExceeded, BundleError):
        pass
    return found
