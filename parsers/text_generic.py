"""Any text file no other parser claims: pasted excerpts, command output, notes.

Declares nothing: it is the registry's ``TEXT``, for what no pattern names and no sniffer claims.

A line that starts with a timestamp starts a record; the lines after it, up to a
blank line or the next timestamp, belong to it (a traceback, a dump). Lines
without timestamps group into paragraphs, so a pasted ``systemctl status``
block stays one record. Signatures of every source are checked against these
records. Pasted ``waagent --version`` output gives the agent facts.

Sample input::

    waagent --version
    WALinuxAgent-2.2.13 running on debian 8.8
    Python: 2.7.9
    Goal state agent: 2.2.13

    2024-05-14T02:05:02Z something failed
    Traceback (most recent call last):
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.model import Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import ParseContext

MAX_BLOCK_LINES = 40
_TS = regex.compile(
    r"^\[?(?P<y>\d{4})[-/](?P<mo>\d{2})[-/](?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<f>\d{1,9}))?(?P<z>Z|[+-]00:?00)?")
_VERSION_FACTS = (
    ("running on", regex.compile(r"WALinuxAgent-(?P<daemon_version>[\d.]+) running on "
                                 r"(?P<os_distro>\S+) (?P<os_version>[\w.]+)")),
    ("Goal state agent:", regex.compile(r"^\s*Goal state agent: (?P<agent_version>[\d.]+)")),
    ("Python:", regex.compile(r"^\s*Python: (?P<python_version>[\d.]+)")),
)


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a record per timestamped entry or paragraph.

    >>> ctx = context('notes.txt')
    >>> data = b'2024-05-14T02:05:02Z a\\n  detail\\n\\nplain\\nmore\\n2024-05-14 02:05:03 b'
    >>> [(r.line, r.message.count('\\n'), r.time is not None) for r in parse(io.BytesIO(data), ctx)]
    [(1, 1, True), (4, 1, False), (6, 0, True)]
    """
    lines: list[str] = []
    first = 0
    time = None
    local = False
    for number, text in ctx.lines(stream):
        stamp = _TS.match(text) if text[:1].isdigit() or text[:1] == "[" else None
        if lines and (not text.strip() or stamp or len(lines) >= MAX_BLOCK_LINES):
            yield Record(ctx.path, first, "\n".join(lines), time=time, local_time=local)
            lines = []
        if not text.strip():
            continue
        _facts(ctx, text, number)
        if not lines:
            first, time, local = number, _time(stamp), bool(stamp and not stamp["z"])
        lines.append(text)
    if lines:
        yield Record(ctx.path, first, "\n".join(lines), time=time, local_time=local)


def _time(m):
    if m is None:
        return None
    return utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]), micros(m["f"]))


def _facts(ctx: ParseContext, text: str, number: int) -> None:
    for literal, pattern in _VERSION_FACTS:
        if literal in text and (m := pattern.search(text)):
            for name, value in m.groupdict().items():
                ctx.facts.setdefault(name, value, ctx.path, number)
