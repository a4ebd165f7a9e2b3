"""``C:\\Windows\\Panther\\VmAgentInstaller.xml``: the Windows guest agent installer's event log.

Declares ``SPECS`` (vmagent_installer_xml).

The installer appends one ``<Event time=... category=... source=...>`` element
per line, with no root element, so the file is often not a well-formed XML
document; it is read line by line. Each event is one record: ``time`` from
the ``time`` attribute (UTC when it ends in ``Z``, else VM local time),
``level`` from ``category`` (ERROR/FATAL/CRITICAL -> ERROR, WARN/WARNING ->
WARNING, INFO/INFORMATION -> INFO, VERBOSE/DEBUG/TRACE -> VERBOSE), and
``component`` from ``source``. The ``message`` is the line as written with
the XML character references and the five predefined entities of the event
body decoded (a decoded line break becomes a space). An event whose
``</Event>`` is on a later line takes the lines up to it, at most
``MAX_EVENT_LINES``. The ``<?xml ...?>`` declaration and lone wrapper tags
are skipped; any other line is a record without time or level. ``sig=``
values are masked. No facts are set.

Sample input::

    <Event time="2023-02-07T09:14:51.480Z" category="INFO" source="GuestAgent"><StopService Name="RdAgent"/></Event>
    <Event time="2023-02-07T09:14:53.012Z" category="ERROR" source="GuestAgent"><UnhandledError>
      <Message>Copying &quot;WaAppAgent.exe&quot; failed.</Message><Number>70</Number></UnhandledError></Event>
"""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("vmagent_installer_xml", r"vmagentinstaller\.xml", os=OS.WINDOWS),
)

MAX_EVENT_LINES = 500

_EVENT = Lazy(r"\s*<?Event\b(?P<attrs>[^>]*)>")
_ATTR = Lazy(r'(\w+)\s*=\s*"([^"]*)"')
_TIME = Lazy(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<f>\d{1,9}))?(?P<z>Z)?")
_END = "</Event>"
_SKIP = Lazy(r"\s*(?:<\?xml\b.*\?>|</?[\w:.-]+\s*>)\s*")
_REF = Lazy(r"&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9A-Fa-f]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_LEVEL_OF = {"ERROR": "ERROR", "FATAL": "ERROR", "CRITICAL": "ERROR", "WARN": "WARNING",
             "WARNING": "WARNING", "INFO": "INFO", "INFORMATION": "INFO", "VERBOSE": "VERBOSE",
             "DEBUG": "VERBOSE", "TRACE": "VERBOSE"}


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per ``<Event>``.

    >>> ctx = context('Windows/Panther/VmAgentInstaller.xml')
    >>> data = b'<Event time="2020-01-02T03:04:05.6Z" category="WARN" source="GA"><X a="1 &amp; 2"/></Event>\\n'
    >>> [(r.line, r.level, r.component, r.time.isoformat(), r.message[-22:]) for r in parse(io.BytesIO(data), ctx)]
    [(1, 'WARNING', 'GA', '2020-01-02T03:04:05.600000+00:00', '<X a="1 & 2"/></Event>')]
    """
    record: Record | None = None
    lines = 0
    for number, text in ctx.lines(stream):
        if record is not None:
            record.message += "\n" + redact_sas(decode(text))
            lines += 1
            if _END in text or lines >= MAX_EVENT_LINES:
                yield record
                record = None
            continue
        m = _EVENT.match(text)
        if m is None:
            if text.strip() and not _SKIP.fullmatch(text):
                yield Record(ctx.path, number, redact_sas(decode(text)))
            continue
        event = _event(ctx.path, number, text, m)
        if _END in text[m.end():]:
            yield event
        else:
            record, lines = event, 1
    if record is not None:
        yield record


def _event(path: str, number: int, text: str, m: regex.Match) -> Record:
    attrs = dict(_ATTR.findall(m["attrs"]))
    time, local = _time(attrs.get("time", ""))
    return Record(path, number, redact_sas(text[:m.end()] + decode(text[m.end():])), time=time,
                  level=_LEVEL_OF.get(attrs.get("category", "").upper()),
                  component=attrs.get("source") or None, local_time=local)


def _time(value: str) -> tuple[datetime | None, bool]:
    m = _TIME.match(value.strip())
    if m is None:
        return None, False
    time = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]), micros(m["f"]))
    return time, m["z"] is None


def decode(text: str) -> str:
    """Decode XML entity and character references; line breaks they produce become spaces.

    >>> decode('a &lt;b&gt; &#65;&#x42; &amp;amp; &#10;c &bogus;')
    'a <b> AB &amp;  c &bogus;'
    """
    if "&" not in text:
        return text
    return _REF.sub(_reference, text)


def _reference(m: regex.Match) -> str:
    if m[1]:
        return _NAMED[m[1]]
    code = int(m[2]) if m[2] else int(m[3], 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
        return m[0]
    char = chr(code)
    return " " if char in "\r\n\u2028\u2029\x85\x0b\x0c" else char
