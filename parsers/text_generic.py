"""Any text file no other parser claims: one record per non-empty line.

Signatures still fire on these lines, so evidence pasted into a note, a
``sos_commands`` output or an unexpected log is not lost. A leading timestamp
in a common shape is read when present.

Sample input::

    2024-05-14T02:05:02Z something happened
    plain line without time
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

import regex

from analyzer.model import Record
from parsers.base import ParseContext, iter_lines, micros, utc

_TS = regex.compile(
    r"^\[?(?P<y>\d{4})[-/](?P<mo>\d{2})[-/](?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<f>\d{1,9}))?(?P<z>Z|[+-]00:?00)?")


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield a record per non-empty line.

    >>> import io; from analyzer.model import Facts
    >>> ctx = ParseContext('notes.txt', Facts(), [])
    >>> [(r.line, r.time.isoformat() if r.time else None) for r in parse(io.BytesIO(b'2024-05-14T02:05:02Z a\\n\\nb'), ctx)]
    [(1, '2024-05-14T02:05:02+00:00'), (3, None)]
    """
    for number, text in iter_lines(stream, ctx.max_line):
        if not text.strip():
            continue
        m = _TS.match(text)
        time = None
        if m:
            time = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]),
                       int(m["s"]), micros(m["f"]))
        yield Record(ctx.path, number, text, time=time, local_time=bool(m and not m["z"]))
