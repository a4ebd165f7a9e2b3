"""``results.txt`` at the root of a ``waagent -collect-logs`` bundle: the collector's own log.

Declares ``SPECS`` (collector_results).

Each entry starts ``YYYY-MM-DDTHH:MM:SSZ LEVEL message`` (UTC); the output of
the commands the collector runs (``ls -alF`` of /var/log and
/var/lib/waagent) follows on lines of its own, which are kept as
continuation lines of the entry that announced the command. Records: one
per entry; ``message`` is the entry's first line as written (time and level
included), then the continuation lines (trailing blank lines dropped).

Facts: ``collector_mode`` (``normal`` or ``full``); from the listing of
/var/lib/waagent, ``installed_agent_versions`` (versions of the
``WALinuxAgent-X.Y.Z/`` directories, oldest first) and, unless another
source already set it, ``extension_version`` (the newest
``Microsoft.Azure.RecoveryServices.VMSnapshotLinux-<version>/`` directory).

Sample input::

    2024-06-03T11:20:41Z INFO Using log collection mode full
    2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/lib/waagent]:
    total 64
    drwx------  7 root root 4096 Jun  3 11:15 ./
    drwxr-xr-x  5 root root 4096 Jun  3 11:10 Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9226.0/
    drwxr-xr-x  6 root root 4096 Jun  1 09:02 WALinuxAgent-2.11.1.4/

    2024-06-03T11:20:43Z WARNING Archive too big, done with adding files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("collector_results", r"^results\.txt", os=OS.LINUX),
)

_HEADER = Lazy(r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})Z "
               r"(?P<level>INFO|WARNING|ERROR|CRITICAL|DEBUG)(?: (?P<msg>.*))?$")
_LEVELS = {"CRITICAL": "ERROR", "DEBUG": "VERBOSE"}
_MODE = Lazy(r"^Using log collection mode (?P<mode>\w+)")
_LIB_LISTING = Lazy(r"^Output of command \[ls\s+-\w+\s+/var/lib/waagent/?\]")
_AGENT_DIR = Lazy(r"\sWALinuxAgent-(?P<v>\d+(?:\.\d+)+)/$")
_VMSNAPSHOT_DIR = Lazy(r"\sMicrosoft\.Azure\.RecoveryServices\.VMSnapshotLinux-(?P<v>\d+(?:\.\d+)+)/$")
_DIR_ENTRY = Lazy(r"\s\S+/$")


@dataclass
class _Entry:
    line: int
    time: datetime | None
    level: str | None
    lines: list[str]
    listing: bool = False


@dataclass
class _Listing:
    """Directories seen in the /var/lib/waagent listing."""

    dirs: bool = False
    agents: dict[tuple[int, ...], tuple[str, int]] = field(default_factory=dict)
    vmsnapshot: dict[tuple[int, ...], tuple[str, int]] = field(default_factory=dict)
    time: datetime | None = None


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per collector entry; set the collector facts.

    >>> ctx = context('results.txt')
    >>> data = b'2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/log]:\\ntotal 8\\n\\n'
    >>> [(r.line, r.level, r.message) for r in parse(io.BytesIO(data), ctx)]
    [(1, 'INFO', '2024-06-03T11:20:42Z INFO Output of command [ls -alF /var/log]:\\ntotal 8')]
    """
    entry: _Entry | None = None
    listing = _Listing()
    for number, text in ctx.lines(stream):
        m = _HEADER.match(text)
        if m:
            if entry is not None:
                yield _record(entry, ctx)
            entry = _start(m, number, text, ctx)
            if entry.listing:
                listing.time = entry.time
        elif entry is not None:
            entry.lines.append(text)
            if entry.listing:
                _listing_line(listing, number, text)
        elif text.strip():
            entry = _Entry(number, None, None, [text])
    if entry is not None:
        yield _record(entry, ctx)
    _listing_facts(listing, ctx)


def _start(m: regex.Match, number: int, text: str, ctx: ParseContext) -> _Entry:
    time = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]))
    body = m["msg"] or ""
    mode = _MODE.match(body)
    if mode:
        ctx.fact("collector_mode", mode["mode"], line=number, time=time)
    level = _LEVELS.get(m["level"], m["level"])
    return _Entry(number, time, level, [text], listing=bool(_LIB_LISTING.match(body)))


def _record(entry: _Entry, ctx: ParseContext) -> Record:
    lines = entry.lines
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return ctx.record(entry.line, "\n".join(lines), time=entry.time, level=entry.level)


def _listing_line(listing: _Listing, number: int, text: str) -> None:
    text = text.rstrip()
    if _DIR_ENTRY.search(text):
        listing.dirs = True
    for pattern, found in ((_AGENT_DIR, listing.agents), (_VMSNAPSHOT_DIR, listing.vmsnapshot)):
        m = pattern.search(text)
        if m:
            found.setdefault(tuple(int(p) for p in m["v"].split(".")), (m["v"], number))


def _listing_facts(listing: _Listing, ctx: ParseContext) -> None:
    if not listing.dirs:
        return
    agents = [listing.agents[key] for key in sorted(listing.agents)]
    first_line = min((line for _, line in agents), default=None)
    ctx.fact("installed_agent_versions", [version for version, _ in agents],
             line=first_line, time=listing.time)
    if listing.vmsnapshot:
        version, line = listing.vmsnapshot[max(listing.vmsnapshot)]
        ctx.facts.setdefault("extension_version", version, ctx.path, line)
