"""Text helpers every layer shares: encoding sniffing, line iteration, small-file reading, times.

A bundle member's bytes become text here, the same way for the bundle reader,
the parsers and the command line: UTF-8 (cp1252 when not valid UTF-8) or
UTF-16 by BOM or NUL pattern, NUL bytes dropped, LF or CRLF, long lines cut.
"""
from __future__ import annotations

import codecs
from datetime import datetime, timezone
from typing import BinaryIO, Iterator

MAX_LINE = 64 * 1024
_CHUNK = 1 << 20


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """Guess the text encoding of ``head``; return (codec, BOM length).

    >>> sniff_encoding(b'\\xff\\xfeh\\x00i\\x00')
    ('utf-16-le', 2)
    >>> sniff_encoding(b'h\\x00i\\x00!\\x00')
    ('utf-16-le', 0)
    >>> sniff_encoding(b'2024/01/01 00:00:00 INFO x')
    ('utf-8', 0)
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    sample = head[:4096]
    if len(sample) >= 4:
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        half = len(sample) // 2
        if odd > half * 0.6 and even < half * 0.1:
            return "utf-16-le", 0
        if even > half * 0.6 and odd < half * 0.1:
            return "utf-16-be", 0
    return "utf-8", 0


def looks_binary(head: bytes) -> bool:
    """True when ``head`` is not text in any encoding we read.

    >>> looks_binary(b'\\x89PNG\\r\\n\\x1a\\n' + bytes(range(256)))
    True
    >>> looks_binary('héllo\\n'.encode('utf-8'))
    False
    """
    if not head:
        return False
    codec, _ = sniff_encoding(head)
    if codec.startswith("utf-16"):
        return False
    sample = head[:8192]
    if sample.count(0) > len(sample) // 100 + 1:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    return control > len(sample) * 0.05


class _Decoder:
    """Incremental decoder: UTF-8, falling back to cp1252 per chunk when invalid."""

    def __init__(self, codec: str):
        self.codec = codec
        self.dec = codecs.getincrementaldecoder(codec)(errors="strict")
        self.fallback = False

    def decode(self, data: bytes, final: bool = False) -> str:
        if self.fallback:
            return data.decode("cp1252", errors="replace")
        try:
            return self.dec.decode(data, final)
        except UnicodeDecodeError:
            if self.codec != "utf-8":
                return data.decode(self.codec, errors="replace")
            self.fallback = True
            return data.decode("cp1252", errors="replace")


def iter_lines(stream: BinaryIO, max_line: int = MAX_LINE, codec: str | None = None) -> Iterator[tuple[int, str]]:
    r"""Yield ``(line_number, text)`` for each line, without the line ending.

    Decodes UTF-8 (cp1252 when not valid UTF-8) or UTF-16 by BOM or NUL
    pattern (or as ``codec`` says), drops NUL bytes, accepts LF and CRLF, and
    cuts lines longer than ``max_line`` characters, marking the cut with
    `` [truncated]``.

    >>> list(iter_lines(io.BytesIO(b'a\r\nb\n\nc')))
    [(1, 'a'), (2, 'b'), (3, ''), (4, 'c')]
    >>> list(iter_lines(io.BytesIO('x\n'.encode('utf-16'))))
    [(1, 'x')]
    >>> [len(t) for _, t in iter_lines(io.BytesIO(b'y' * 50 + b'\nz'), max_line=10)]
    [22, 1]
    """
    head = stream.read(_CHUNK)
    codec, bom = (codec, 0) if codec else sniff_encoding(head)
    dec = _Decoder(codec)
    number = 0
    pending = ""
    skipping = False
    data = head[bom:]
    while True:
        final = not data
        text = dec.decode(data, final)
        if "\x00" in text:
            text = text.replace("\x00", "")
        if skipping:
            cut = text.find("\n")
            if cut < 0:
                text = ""
            else:
                text, skipping = text[cut + 1:], False
        pending += text
        parts = pending.split("\n")
        pending = parts.pop()
        for part in parts:
            number += 1
            yield number, _cut(part.rstrip("\r"), max_line)
        if len(pending) > max_line:
            number += 1
            yield number, _cut(pending, max_line)
            pending, skipping = "", True
        if final:
            break
        data = stream.read(_CHUNK)
    if pending:
        number += 1
        yield number, _cut(pending.rstrip("\r"), max_line)


def _cut(line: str, max_line: int) -> str:
    return line if len(line) <= max_line else line[:max_line] + " [truncated]"


def read_text(stream: BinaryIO, limit: int = 4 << 20) -> str:
    """Read a small member whole as text (status files, XML, configs), at most ``limit`` bytes."""
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)  # a stream may return less than asked: read until the end
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise ValueError(f"larger than {limit} bytes")
    codec, bom = sniff_encoding(data)
    text = data[bom:].decode(codec, errors="replace")
    return text.replace("\x00", "")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
        second: int = 0, micro: int = 0) -> datetime | None:
    """A UTC datetime, or None when the fields are out of range."""
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc)
    except ValueError:
        return None


def micros(fraction: str | None) -> int:
    """'0793' -> 79300 (fraction of a second as microseconds)."""
    if not fraction:
        return 0
    return int((fraction + "000000")[:6])


