"""What varies in a log line, and what must never leave azlog: one set of rules for every output.

``redact`` replaces secrets (SAS signatures in any URL encoding, passwords, bearer tokens, storage keys in
connection strings) with ``***``; every piece of evidence and every example azlog prints goes through it.
``redact_sas`` is the cheap part of it that parsers apply to each record they read.
``mask`` replaces the variable parts of a line (times, GUIDs, URLs, addresses, versions, paths, quoted text,
numbers) with tokens, but keeps what tells failures apart (``codes``: error and exit codes, HRESULTs, status
codes of extension status lines, VSS writer states); lines with different codes never share a template.

>>> mask('2026-11-20 01:12:19 ERROR connect to 168.63.129.16:80 failed for "x y" at /var/lib/a.b '
...      'id 5f0c0a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6 retry 12 after 142.61secs')
'<TIME> ERROR connect to <IP> failed for <STR> at <PATH> id <GUID> retry <NUM> after <NUM>secs'
>>> mask('Enable,error,121,,False agent WALinuxAgent-2.2.53.1 guestAgentVersion=2.9.1.1 kernel 5.15.0-1057-azure')
'Enable,error,121,,False agent WALinuxAgent-<VER> guestAgentVersion=<VER> kernel <VER>'
>>> codes('T:S Enable failed with FailedSnapshotLimitReached errror StatusCode.FailedSnapshotLimitReached,')
('FailedSnapshotLimitReached', 'StatusCode.FailedSnapshotLimitReached')
>>> redact('GET https://a.blob.core.windows.net/c?sv=2020%26sig%3DAb%252Fc%26se%3D1 password=hunter2 '
...        'Authorization: Bearer eyJ0eXAiOiJKV1Qi.eyJhdWQi.sIgNaTuRe')
'GET https://a.blob.core.windows.net/c?sv=2020%26sig%3D***%26se%3D1 password=*** Authorization: Bearer ***'
"""
from __future__ import annotations

import functools
import re

_SAS_SIG = re.compile(r"(?i)(sig(?:=|%3D|%253D|\\u003d))(?:(?!%26|%2526|\\u0026)[^&\s\"'<>\\])+")
_SECRETS = [
    _SAS_SIG,
    re.compile(r"(?i)(\b(?:password|passwd|pwd|passphrase|client_?secret|(?:access|refresh|sas)_?token|api_?key)"
                  r"(?:\s*=|%3D|[\"']\s*:\s*[\"']?)\s*)[^\s\"'&;,<>]+"),
    re.compile(r"(?i)(\bBearer\s+)[\w.~+/=-]{8,}"),
    re.compile(r"(?i)(\bAuthorization[\"']?\s*[:=]\s*[\"']?(?:Basic|SharedKey|SharedKeyLite)\s+)[^\s\"',]+"),
    re.compile(r"(?i)(\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*)[^;\s\"']+"),
]

# what tells two failures apart, kept as written by ``mask`` and returned by ``codes``: each rule runs only when
# one of its literals is in the line (most lines hold none, and the rules are costly to try everywhere); these
# rules and the masks are regex sources, compiled at their first use (``_rx``): most runs mask nothing
_CODE_RULES = [
    (("UserError", "Extension", "GuestAgent", "BackUp", "Failed"),
     r"\b(?:UserError|ExtensionSnapshot|ExtensionOperation|GuestAgent|BackUp|Failed(?=[A-Z]))[A-Za-z]+\b"),
    (("StatusCode.",), r"\bStatusCode\.\w+"),
    (("ode", "ODE"), r"(?i)\b(?:error|exit|status|return|result|hresult|win32)[ _]?code\b[\s:=]{0,3}-?"
                     r"(?:0x[0-9a-f]+|\d+)|\bextErrorCode=\w+"),
    ((",error,", ",success,", ",transitioning,", ",warning,"),
     r"(?i)\b(?:enable|disable|install|uninstall|update|reset),(?:error|transitioning|success|warning),-?\d+"),
    (("tate:", "TATE:"), r"(?i)\bstate:\s*\[\d+\]"),
    (("ast error", "ast Error", "AST ERROR"), r"(?i)\blast error:\s*[a-z]+(?: error)?"),
    (("0x8",), r"\b0x8[0-9A-Fa-f]{7}\b"),
    (("rrno", "RRNO"), r"\[Errno -?\d+\]|(?i:\berrno[ =]?-?\d+)"),
    (("HTTP",), r"\bHTTP(?:/\d(?:\.\d)?)?\s+[1-5]\d\d\b"),
]

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = (r"(?<![\w.\-])(?<!(?i:version)[=: ])(?<!(?i:version): )(?<!(?i:ver)[=: ])(?<!(?i:agent) )"
         rf"(?:{_OCTET}\.){{3}}{_OCTET}(?::\d{{1,5}})?(?![\w.])")
_IPV6 = (r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?"
         r"(?:%\w+)?(?![\w:])")
_MASKS = [
    (r"\b\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?", "<TIME>"),
    (r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2}\b", "<TIME>"),
    (r"\b\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?[AP]M)?", "<TIME>"),
    (r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", "<TIME>"),
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<GUID>"),
    (r"(?i)\b(?:https?|ftp)://\S+", "<URL>"),
    (_IPV6, None),
    (_IPV4, "<IP>"),
    (r"(?<![\w.])[vV]?\d+(?:\.\d+){2,}(?:[-+~][0-9A-Za-z.]+)*", "<VER>"),
    (r"\"[^\"\n]*\"|'[^'\n]*'", "<STR>"),
    (r"(?:\b[A-Za-z]:\\|\\\\)[^\s,;:'\"]*|(?<![\w.<>])/[^\s,;:'\"]+", "<PATH>"),
    (r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b", "<HEX>"),
    (r"(?<![\w<.])[-+]?\d+(?:\.\d+)?(?![\d.])", "<NUM>"),
]
_DIGITS = re.compile(r"\d+")
_KEPT = 0xF0000  # a kept code stands as one private-use character while the masks run: no mask touches it


def redact_sas(text: str) -> str:
    """SAS signature values replaced, cheaply enough for every record of a log.

    >>> redact_sas('https://a.blob.core.windows.net/c/b?sv=2020&sig=Ab%2Fc&se=1')
    'https://a.blob.core.windows.net/c/b?sv=2020&sig=***&se=1'
    """
    if "ig=" not in text and "IG=" not in text and "%3D" not in text and "%3d" not in text:
        return text
    return _SAS_SIG.sub(r"\1***", text)


def redact(text: str) -> str:
    """Every secret ``text`` holds replaced with ``***`` (the part before the value stays, to show what it was)."""
    for pattern in _SECRETS:
        text = pattern.sub(r"\1***", text)
    return text


def codes(text: str) -> tuple[str, ...]:
    """The codes and states in ``text`` that tell one failure from another, each once, in order."""
    return tuple(dict.fromkeys(" ".join(text[a:b].split()) for a, b in _code_spans(text)))


def mask(text: str) -> str:
    """``text`` with its variable parts replaced by tokens and its codes (``codes``) kept, on one line."""
    spans = _code_spans(text)
    kept = [text[a:b] for a, b in spans]
    if spans:
        pieces, at = [], 0
        for i, (a, b) in enumerate(spans):
            pieces += [text[at:a], chr(_KEPT + i)]
            at = b
        text = "".join(pieces) + text[at:]
    for pattern, token in _MASKS:
        text = _rx(pattern).sub(token if token is not None else _ipv6, text)
    if kept:
        text = "".join(kept[ord(c) - _KEPT] if ord(c) >= _KEPT else c for c in text)
    return " ".join(text.split())


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where the codes are: (start, end) in order, none overlapping (the earlier, then longer, wins)."""
    found = [m.span() for literals, rule in _CODE_RULES if any(x in text for x in literals)
             for m in _rx(rule).finditer(text)]
    found.sort(key=lambda span: (span[0], -span[1]))
    spans: list[tuple[int, int]] = []
    for a, b in found:
        if not spans or a >= spans[-1][1]:
            spans.append((a, b))
    return spans


def digits_key(text: str) -> str:
    """A cheap first grouping of lines: runs of digits as one ``0``. Lines equal under it mask the same in
    almost every case, so ``mask`` needs to run once per key, not once per line.

    >>> digits_key("2026-11-20T01:02:03Z retry 12 of 30")
    '0-0-0T0:0:0Z retry 0 of 0'
    """
    return _DIGITS.sub("0", text)


def mask_addresses(text: str) -> str:
    """``text`` with its IP addresses masked as ``mask`` masks them (for examples shown beside templates).

    >>> mask_addresses('no route to 10.1.2.3:443 from fe80::20d:3aff:fe12:3456 (agent 2.2.53.1)')
    'no route to <IP> from <IP> (agent 2.2.53.1)'
    """
    return _rx(_IPV4).sub("<IP>", _rx(_IPV6).sub(_ipv6, text))


@functools.cache
def _rx(source: str) -> re.Pattern:
    """The regex ``source`` of a code rule or a mask, compiled once."""
    return re.compile(source)


def _ipv6(match) -> str:
    """An IPv6 address (``::`` in it, or at least 5 colons, or hex letters), not a time or a ``a:b:c`` label."""
    found = match[0]
    groups = [g for g in found.split("%")[0].split(":") if g]
    if "::" in found or found.count(":") >= 5 or (len(groups) >= 3 and any(c.isalpha() for c in found)):
        return "<IP>"
    return found
