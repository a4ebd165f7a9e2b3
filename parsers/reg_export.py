"""Registry exports (``.reg``) written by regedit or ``reg export``.

Declares ``SPECS`` (registry_export); its ``sniff`` is not asked about unnamed text (no ``SNIFF_ORDER``).

Both headers are read: ``Windows Registry Editor Version 5.00`` (usually
UTF-16 LE with a BOM) and ``REGEDIT4`` (ANSI). Each value under a
``[HKEY_...\\Key]`` section becomes one record
``HKLM\\...\\Key\\Name = value``: strings unescaped, ``dword:`` and ``hex(b):``
as integers, ``hex(2):`` / ``hex(7):`` (and ``hex(1):``) as text (UTF-16 in
version 5 files, ANSI in REGEDIT4; multi-strings joined with `` | ``), other
``hex:`` data as hex digits, at most 256 bytes shown. Hex lines continued
with a trailing ``\\`` are joined; the record's line is the value's first.
Keys are matched by their tail, so hives loaded under another name
(``HKLM\\BROKENSOFTWARE\\Microsoft\\...``) count too.

Facts: ``agent_version`` (``...\\Microsoft\\Virtual Machine\\Guest``
GuestAgentVersion), ``dotnet_release`` (``...\\NET Framework Setup\\NDP\\v4\\Full``
Release), ``os_name`` (``...\\Windows NT\\CurrentVersion`` ProductName) and
``proxy``: ``...\\Internet Settings`` ProxyServer when ProxyEnable is 1 in
the same key, or the proxy server held in the ``WinHttpSettings`` blob under
``...\\Internet Settings\\Connections`` (the default blobs name none).

Sample input::

    Windows Registry Editor Version 5.00

    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest]
    "GuestAgentStatus"="Running"
    "GuestAgentVersion"="2.7.41491.1102"
    "DHCPStatus"="Enabled"

    [HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
    "WinHttpSettings"=hex:18,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,\\
      00,00
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("registry_export", r"[^/]+\.reg", os=OS.WINDOWS),
)

SHOWN_BYTES = 256
MAX_HEX_CHARS = 3 * 64 * 1024

_HEADER = Lazy(r"^\ufeff?\s*(?:(?P<v5>Windows Registry Editor Version \d+\.\d+)|(?P<v4>REGEDIT4))\s*$")
_KEY = Lazy(r"^\[(?P<deleted>-)?(?P<path>.+)\]\s*$")
_VALUE = Lazy(r'^(?:"(?P<name>(?:[^"\\]|\\.)*)"|(?P<default>@))\s*=\s*(?P<data>.*)$')
_HEX = Lazy(r"^hex(?:\((?P<type>[0-9a-fA-F]+)\))?:(?P<bytes>.*)$", regex.S)
_ESCAPE = Lazy(r"\\(.)")
_ROOTS = {"HKEY_LOCAL_MACHINE": "HKLM", "HKEY_CURRENT_USER": "HKCU", "HKEY_CLASSES_ROOT": "HKCR",
          "HKEY_USERS": "HKU", "HKEY_CURRENT_CONFIG": "HKCC"}
_GUEST = "\\microsoft\\virtual machine\\guest"
_NDP_FULL = "\\microsoft\\net framework setup\\ndp\\v4\\full"
_CURRENT_VERSION = "\\microsoft\\windows nt\\currentversion"
_INTERNET = "\\windows\\currentversion\\internet settings"
_CONNECTIONS = _INTERNET + "\\connections"
_VALUE_FACTS = {
    (_GUEST, "guestagentversion"): "agent_version",
    (_NDP_FULL, "release"): "dotnet_release",
    (_CURRENT_VERSION, "productname"): "os_name",
}


@dataclass
class _Value:
    """A value whose data may still continue on the next lines."""

    line: int
    name: str
    data: str
    more: bool = False

    def extend(self, text: str) -> None:
        text = text.strip()
        self.more = text.endswith("\\")
        if len(self.data) < MAX_HEX_CHARS:
            self.data += text.rstrip("\\")


@dataclass
class _Key:
    """The section being read, and the proxy values seen in it."""

    path: str
    proxy: dict[str, tuple[object, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tail = self.path.casefold()


def sniff(head: str) -> bool:
    r"""True when ``head`` starts like a registry export.

    >>> sniff('Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]')
    True
    >>> sniff('[2024-05-14 02:05:02] something')
    False
    """
    first = next((line for line in head.splitlines() if line.strip()), "")
    return bool(_HEADER.match(first))


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    r"""Yield one record per value; set the agent, .NET, OS and proxy facts.

    >>> ctx = context('guest.reg')
    >>> data = b'REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\n"Count"=dword:0000000a\n'
    >>> [(r.line, r.message) for r in parse(io.BytesIO(data), ctx)]
    [(4, 'HKLM\\SOFTWARE\\Test\\Count = 10')]
    """
    key: _Key | None = None
    pending: _Value | None = None
    ansi = False
    header_seen = False
    for number, text in ctx.lines(stream):
        if pending is not None:
            pending.extend(text)
            if pending.more:
                continue
            yield from _finish(ctx, key, pending, ansi)
            pending = None
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if not header_seen:
            header_seen = True
            m = _HEADER.match(stripped)
            if m:
                ansi = bool(m["v4"])
                continue
            ctx.problem("no registry export header (Windows Registry Editor Version 5.00 or REGEDIT4)")
        if m := _KEY.match(stripped):
            _close(ctx, key)
            key = None if m["deleted"] else _Key(_short(m["path"]))
            continue
        m = _VALUE.match(stripped)
        if m is None or key is None:
            continue
        name = "(Default)" if m["default"] else _unescape(m["name"])
        pending = _Value(number, name, "")
        pending.extend(m["data"])
        if not pending.more:
            yield from _finish(ctx, key, pending, ansi)
            pending = None
    if pending is not None:
        yield from _finish(ctx, key, pending, ansi)
    _close(ctx, key)


def _short(path: str) -> str:
    r"""``HKEY_LOCAL_MACHINE\X`` -> ``HKLM\X``.

    >>> _short('HKEY_CURRENT_USER\\Software\\Microsoft')
    'HKCU\\Software\\Microsoft'
    """
    root, sep, rest = path.partition("\\")
    return _ROOTS.get(root.upper(), root) + sep + rest


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def _finish(ctx: ParseContext, key: _Key | None, value: _Value, ansi: bool) -> Iterator[Record]:
    if key is None:
        return
    data, shown = _decode(value.data, ansi)
    yield ctx.record(value.line, redact_sas(f"{key.path}\\{value.name} = {shown}"))
    lname = value.name.casefold()
    for (tail, name), fact in _VALUE_FACTS.items():
        if lname == name and key.tail.endswith(tail) and data not in (None, ""):
            ctx.fact(fact, data, line=value.line)
    if key.tail.endswith(_INTERNET) and lname in ("proxyenable", "proxyserver"):
        key.proxy[lname] = (data, value.line)
    if key.tail.endswith(_CONNECTIONS) and lname == "winhttpsettings" and isinstance(data, bytes):
        proxy = winhttp_proxy(data)
        if proxy:
            ctx.fact("proxy", _proxy_address(proxy), line=value.line)


def _close(ctx: ParseContext, key: _Key | None) -> None:
    """At the end of an Internet Settings key: the proxy, when enabled there."""
    if key is None or "proxyserver" not in key.proxy:
        return
    enable = key.proxy.get("proxyenable", (0, 0))[0]
    server, line = key.proxy["proxyserver"]
    if enable == 1 and isinstance(server, str) and server.strip():
        ctx.fact("proxy", _proxy_address(server), line=line)


def _decode(data: str, ansi: bool) -> tuple[object, str]:
    r"""(value, display text) of a value's data as written after ``=``.

    >>> _decode('"C:\\\\Packages\\\\x \\"y\\""', False)
    ('C:\\Packages\\x "y"', 'C:\\Packages\\x "y"')
    >>> _decode('dword:0000ea60', False)
    (60000, '60000')
    >>> _decode('hex(7):61,00,00,00,62,00,00,00,00,00', False)
    ('a | b', 'a | b')
    >>> _decode('hex:0a,0b', False)
    (b'\n\x0b', '0a0b')
    """
    if data.startswith('"'):
        text = _unescape(data[1:-1] if data.endswith('"') and len(data) > 1 else data[1:])
        return text, text
    if data == "-":
        return None, "(deleted)"
    if data.lower().startswith("dword:"):
        try:
            number = int(data[6:], 16)
        except ValueError:
            return data, data
        return number, str(number)
    m = _HEX.match(data)
    if m is None:
        return data, data
    blob = _bytes(m["bytes"])
    return _typed(blob, (m["type"] or "3").lower(), ansi)


def _bytes(text: str) -> bytes:
    out = bytearray()
    for part in text.replace(" ", "").split(","):
        if len(part) == 2:
            try:
                out.append(int(part, 16))
            except ValueError:
                break
    return bytes(out)


def _typed(blob: bytes, kind: str, ansi: bool) -> tuple[object, str]:
    if kind in ("1", "2", "7"):
        text = blob.decode("cp1252" if ansi else "utf-16-le", errors="replace")
        parts = [p for p in text.split("\x00") if p] if kind == "7" else [text.split("\x00")[0]]
        joined = " | ".join(parts)
        return joined, joined
    if kind in ("4", "5", "b") and len(blob) in (4, 8):
        number = int.from_bytes(blob, "big" if kind == "5" else "little")
        return number, str(number)
    shown = blob[:SHOWN_BYTES].hex()
    if len(blob) > SHOWN_BYTES:
        shown += f"... ({len(blob)} bytes)"
    return blob, shown


def winhttp_proxy(blob: bytes) -> str | None:
    """The proxy server named in a ``WinHttpSettings`` blob, None for direct access.

    >>> winhttp_proxy(bytes.fromhex('1800000000000000010000000000000000000000')) is None
    True
    >>> winhttp_proxy(bytes.fromhex('2800000002000000030000000e000000') + b'10.0.0.4:3128' + b'\\x00' * 4)
    '10.0.0.4:3128'
    """
    if len(blob) < 16:
        return None
    flags = int.from_bytes(blob[8:12], "little")
    length = int.from_bytes(blob[12:16], "little")
    if not flags & 2 or length == 0 or 16 + length > len(blob):
        return None
    server = blob[16:16 + length].decode("cp1252", errors="replace").strip("\x00 ")
    return server or None


def _proxy_address(server: str) -> str:
    """``host:port`` out of a proxy setting: the https entry of a per-scheme list, else http, else the first.

    >>> _proxy_address('http=10.0.0.4:3128;https=10.0.0.5:3129')
    '10.0.0.5:3129'
    >>> _proxy_address('http://proxy.contoso.com:8080')
    'proxy.contoso.com:8080'
    """
    by_scheme: dict[str, str] = {}
    plain: list[str] = []
    for entry in filter(None, (e.strip() for e in server.split(";"))):
        scheme, eq, address = entry.partition("=")
        if eq:
            by_scheme.setdefault(scheme.strip().lower(), address.strip())
        else:
            plain.append(entry)
    chosen = (by_scheme.get("https") or by_scheme.get("http")
              or next(iter(plain + list(by_scheme.values())), server.strip()))
    return chosen.split("://", 1)[-1].rstrip("/")
