"""``/etc/os-release`` (or ``/usr/lib/os-release``): the distribution's identity.

Declares ``SPECS`` (os_release).

Shell-style ``KEY=value`` assignments; values may be double- or
single-quoted with backslash escapes. Records: one per assignment line, the
line as written. Facts: ``os_distro`` (ID), ``os_version`` (VERSION_ID),
``os_name`` (PRETTY_NAME).

Sample input::

    NAME="Ubuntu"
    VERSION_ID="22.04"
    ID=ubuntu
    PRETTY_NAME="Ubuntu 22.04.4 LTS"
"""
from __future__ import annotations

import shlex
from typing import BinaryIO, Iterator

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("os_release", r"(?:etc|usr/lib)/os-release", os=OS.LINUX),
)

_ASSIGNMENT = Lazy(r"^\s*(?P<key>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")
_FACTS = {"ID": "os_distro", "VERSION_ID": "os_version", "PRETTY_NAME": "os_name"}


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per assignment; set the OS facts.

    >>> ctx = context('etc/os-release')
    >>> [r.line for r in parse(io.BytesIO(b'# distro\\nID="rhel"\\nVERSION_ID="9.4"\\n'), ctx)]
    [2, 3]
    >>> ctx.facts.value('os_distro'), ctx.facts.value('os_version')
    ('rhel', '9.4')
    """
    for number, text in ctx.lines(stream):
        m = _ASSIGNMENT.match(text)
        if not m:
            continue
        name = _FACTS.get(m["key"])
        value = _unquote(m["value"])
        if name and value:
            ctx.fact(name, value, line=number)
        yield ctx.record(number, text)


def _unquote(raw: str) -> str:
    """The value of a shell-quoted assignment right-hand side.

    >>> _unquote('"Debian GNU/Linux 12 (bookworm)"'), _unquote("'15-SP5'"), _unquote('sles'), _unquote('"open')
    ('Debian GNU/Linux 12 (bookworm)', '15-SP5', 'sles', 'open')
    """
    try:
        return " ".join(shlex.split(raw, comments=True))
    except ValueError:
        return raw.strip().strip("\"'")
