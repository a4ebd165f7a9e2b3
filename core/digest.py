"""Content keys of what azlog writes ahead of time (the knowledge mirror, its tables, the Hyperscan databases).

A key is the BLAKE2b digest of the bytes, from Python's own BLAKE2 module: importing ``hashlib`` loads
OpenSSL, milliseconds of every start that a key does not need.

>>> digest(b"- id: x\\n")[:12], digest(b"- id: ", b"x\\n") == digest(b"- id: x\\n")
('3743518a8b52', True)
"""
from __future__ import annotations

from _blake2 import blake2b  # what hashlib.blake2b is, without hashlib's OpenSSL


def digest(*parts: bytes) -> str:
    """The key of ``parts``, one after the other: 64 hex digits."""
    found = blake2b(digest_size=32)
    for part in parts:
        found.update(part)
    return found.hexdigest()
