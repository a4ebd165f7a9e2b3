"""Open a support bundle safely and list its members, without extracting anything.

A bundle is a zip (``waagent -collect-logs``, CollectGuestLogs), a tar, plain or
compressed with gzip, xz or bzip2 (a sosreport is a ``.tar.xz``), a directory, or
one log file (perhaps compressed). Archives nested inside (the agent's
``history/*.zip``) are opened in memory up to ``Limits.depth``; ``.gz``, ``.xz``
and ``.bz2`` members are decompressed while streaming, under the same limits.
Every entry comes out either as a ``Member`` (something to read) or a
``Skipped`` (with the reason), so the caller can account for all of them.
Bundle paths are only ever names: nothing is written and no member name is used
as a file-system path.
"""
from __future__ import annotations

import functools
import importlib
import io
import os
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterator

import regex

from azlog_vmbackup.core.text import looks_binary


class BundleError(Exception):
    """The bundle as a whole cannot be read (missing, not an archive we know, corrupt)."""


class LimitExceeded(Exception):
    """A member or the bundle went past one of the ``Limits``."""


if TYPE_CHECKING:
    import tarfile
    import zipfile


@functools.cache
def read_errors() -> tuple[type[Exception], ...]:
    """What a damaged archive or stream can raise while it is listed or read. A function (``except
    read_errors()`` asks only when something was raised), so the archive and compression modules load only
    where a bundle needs them: a folder of plain logs needs none."""
    import lzma
    import tarfile
    import zipfile
    import zlib

    return (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError,
            NotImplementedError)


@dataclass(frozen=True)
class Limits:
    """Caps on what one bundle may make azlog do; a member that hits one is refused, the rest goes on."""

    member_bytes: int = 2 << 30        # uncompressed bytes read from one member
    total_bytes: int = 8 << 30         # uncompressed bytes read from the whole bundle
    ratio: int = 100                   # uncompressed / compressed size of a member (bombs; logs stay under ~30)
    members: int = 20_000              # entries listed per bundle, nested archives included
    depth: int = 3                     # archives inside archives
    nested_bytes: int = 64 << 20       # a nested archive is held in memory: its size cap
    line_bytes: int = 64 << 10         # characters kept of one line; the rest is cut and marked
    records: int = 5_000_000           # records read from one member
    seconds: float = 300.0             # wall time for the whole bundle

    @classmethod
    def configured(cls, settings: list[str] = (), env: str | None = None) -> "Limits":
        """Defaults, then ``AZLOG_LIMITS`` (``env``), then ``settings`` (``name=value``; sizes take K, M, G).

        >>> Limits.configured(["member_bytes=10M", "seconds=30"], "ratio=50").member_bytes
        10485760
        >>> Limits.configured(["ratio=50x"])
        Traceback (most recent call last):
        ...
        ValueError: limit ratio: '50x' is not a number
        """
        items = [i for i in (env or "").split(",") if i.strip()] + list(settings)
        values = {}
        for item in items:
            name, _, raw = item.partition("=")
            name = name.strip()
            kind = {f.name: f.type for f in fields(cls)}.get(name)
            if kind is None:
                raise ValueError(f"unknown limit {name!r} (known: {', '.join(f.name for f in fields(cls))})")
            values[name] = _number(name, raw.strip(), float if kind == "float" else int)
        return cls(**values)


_SUFFIX = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
RATIO_FLOOR = 1 << 20  # the ratio is judged once a member has given this many bytes


def _number(name: str, raw: str, kind):
    m = regex.fullmatch(r"(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?[bB])?", raw)
    if m is None:
        raise ValueError(f"limit {name}: {raw!r} is not a number")
    value = float(m[1]) * _SUFFIX[m[2].lower()]
    if value <= 0:
        raise ValueError(f"limit {name}: must be above 0")
    return kind(value)


@dataclass
class Member:
    """A file of the bundle, opened on demand (``opener``) and read within the limits (``open``)."""

    path: str
    size: int | None
    opener: Callable[[], BinaryIO]
    packed: int | None = None  # its compressed size, when the archive says

    @contextmanager
    def open(self, budget: "Budget") -> Iterator[BinaryIO]:
        raw = self.opener()
        try:
            yield _Bounded(raw, budget, self.packed)
        finally:
            raw.close()


@dataclass
class Skipped:
    """A file of the bundle that is not read, and why (``refused``: a limit kept it out)."""

    path: str
    reason: str
    refused: bool = False  # True when a limit, not the member's nature, kept it out


Entry = Member | Skipped


class Budget:
    """Counts what the bundle has cost so far (bytes, time) against the limits."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0
        self.started = time.monotonic()

    def out_of_time(self) -> bool:
        return time.monotonic() - self.started > self.limits.seconds

    def time_message(self) -> str:
        return f"bundle took longer than {self.limits.seconds:g} s (seconds limit)"

    def check(self, records: int) -> None:
        """Raise ``LimitExceeded`` when a member gave too many records or the bundle took too long."""
        if records > self.limits.records:
            raise LimitExceeded(f"more than {self.limits.records} records (records limit)")
        if self.out_of_time():
            raise LimitExceeded(self.time_message())


class _Bounded(io.RawIOBase):
    """A read-only stream that stops a member at ``member_bytes`` and the bundle at ``total_bytes``."""

    def __init__(self, raw: BinaryIO, budget: Budget, packed: int | None):
        self.raw, self.budget = raw, budget
        self.at = self.count = 0  # where the stream is; how far any read reached (what the limits count)
        ratio = budget.limits.ratio
        self.ratio_cap = max(RATIO_FLOOR, packed * ratio) if packed else None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.budget.limits.member_bytes + 1
        data = self.raw.read(size)
        self.at += len(data)
        self._counted(max(self.at - self.count, 0))
        return data

    def placed(self) -> tuple[int, int] | None:
        """``(descriptor, size)`` of the plain file this stream reads from its first byte, whose bytes may then be
        read at their place (``read_at``; a scanning process reads its pieces through the same descriptor); None
        for an archive's member or a decompressed stream.

        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile() as f:
        ...     _ = f.write(b"0123456789"); f.flush()
        ...     with open(f.name, "rb") as raw:
        ...         stream = _Bounded(raw, Budget(Limits()), None)
        ...         stream.read(2), stream.placed()[1], stream.read_at(8, 5), stream.count
        (b'01', 10, b'89', 10)
        """
        raw = self.raw
        if type(raw) is not io.BufferedReader or type(raw.raw) is not io.FileIO:
            return None
        try:
            fd = raw.fileno()
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode) or raw.tell() != self.at:
                return None
        except (OSError, ValueError):
            return None
        return fd, status.st_size

    def read_at(self, offset: int, size: int) -> bytes:
        """At most ``size`` bytes from byte ``offset`` of a ``placed`` stream (its position stays), counted
        against the limits as far as they reach past what was read before."""
        data = os.pread(self.raw.fileno(), size, offset)
        self._counted(max(offset + len(data) - self.count, 0))
        return data

    def _counted(self, size: int) -> None:
        """Count ``size`` more bytes reached: raise ``LimitExceeded`` past the member's, bundle's or ratio's cap."""
        limits = self.budget.limits
        self.count += size
        self.budget.total += size
        if self.count > limits.member_bytes:
            raise LimitExceeded(f"member larger than {limits.member_bytes} bytes (member_bytes limit)")
        if self.budget.total > limits.total_bytes:
            raise LimitExceeded(f"bundle larger than {limits.total_bytes} bytes uncompressed (total_bytes limit)")
        if self.ratio_cap is not None and self.count > self.ratio_cap:
            raise LimitExceeded(f"expands more than {limits.ratio} times its compressed size (ratio limit)")

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


_ROTATED = regex.compile(r"(?s)^(?P<base>.*?)(?:\.(?P<n>\d+)|-(?P<date>\d[\d-]*))?(?P<gz>\.gz|\.xz|\.bz2)?$")


def age_key(path: str) -> tuple:
    """Sort key that puts rotated copies of a log before it, oldest first.

    >>> names = ['var/log/waagent.log', 'var/log/waagent.log.1', 'var/log/waagent.log.2.gz',
    ...          'var/log/waagent.log-20240514.gz', 'var/log/syslog']
    >>> sorted(names, key=age_key)  # doctest: +NORMALIZE_WHITESPACE
    ['var/log/syslog', 'var/log/waagent.log-20240514.gz', 'var/log/waagent.log.2.gz',
     'var/log/waagent.log.1', 'var/log/waagent.log']
    """
    m = _ROTATED.match(path)
    if m["n"]:
        return (m["base"], 1, -int(m["n"]))
    if m["date"]:
        return (m["base"], 0, int(m["date"].replace("-", "")[:20]))
    if m["gz"]:
        return (m["base"], 1, 0)
    return (m["base"], 2, 0)


# how a compressed stream starts, and how to open one for reading
_COMPRESSED = {"gzip": (b"\x1f\x8b", "gzip"), "xz": (b"\xfd7zXZ\x00", "lzma"), "bzip2": (b"BZh", "bz2")}
_SUFFIX_OPENERS = {".gz": "gzip", ".xz": "lzma", ".bz2": "bz2"}  # the module whose ``open`` decompresses


def _opener(module: str) -> Callable:
    """The ``open`` of the compression module named ``module`` (imported now: a bundle of plain logs never needs
    one)."""
    return importlib.import_module(module).open
# names that promise an archive: such a file that is not one is unreadable, never a text log
_ARCHIVE_NAME = regex.compile(r"\.(?:zip|tar|tgz|txz|tbz2?|tar\.(?:gz|xz|bz2))$", regex.I)


def _kind(head: bytes) -> str | None:
    r"""'zip', 'tar', or the compression ('gzip', 'xz', 'bzip2') by content, else None.

    >>> _kind(b'PK\x03\x04'), _kind(b'\xfd7zXZ\x00\x00'), _kind(b'BZh91AY'), _kind(b'2024/01/01 INFO x')
    ('zip', 'xz', 'bzip2', None)
    """
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    for kind, (magic, _) in _COMPRESSED.items():
        if head.startswith(magic):
            return kind
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def open_bundle(path: str | Path, limits: Limits = Limits()) -> Iterator[Entry]:
    """Yield the entries of the bundle at ``path``, rotated logs oldest first.

    Raises ``BundleError`` when ``path`` is not a readable bundle at all.
    """
    p = Path(path)
    if p.is_dir():
        entries = _walk_dir(p, limits)
    elif p.is_file():
        try:
            with open(p, "rb") as f:
                head = f.read(4096)
        except OSError as e:
            raise BundleError(f"cannot read {p}: {e.strerror}") from None
        kind = _kind(head)
        if kind is None and _ARCHIVE_NAME.search(p.name):
            why = "an empty file" if not head else "not a zip, tar, gzip, xz or bzip2 file"
            raise BundleError(f"{p.name}: not a readable archive ({why})")
        if kind is None and looks_binary(head):
            raise BundleError(f"{p.name}: neither an archive (zip, tar; gzip, xz, bzip2) nor a text log")
        if kind in _COMPRESSED and not _is_compressed_tar(p, kind):
            unpack = _opener(_COMPRESSED[kind][1])
            entries = [Member(p.name, None, lambda: unpack(p, "rb"), p.stat().st_size)]
        elif kind is not None:
            entries = _archive_entries(p.name, lambda: open(p, "rb"), limits, 0, top=True)
        else:
            entries = [Member(p.name, p.stat().st_size, lambda: open(p, "rb"))]
    elif p.exists():
        raise BundleError(f"{p} is not a regular file or directory")
    else:
        raise BundleError(f"{p} does not exist")
    return _ordered(entries, limits)


def _is_compressed_tar(p: Path, kind: str) -> bool:
    try:
        with _opener(_COMPRESSED[kind][1])(p, "rb") as f:
            head = f.read(512)
    except read_errors():
        return False
    return _kind(head) == "tar"


def _ordered(entries, limits: Limits) -> Iterator[Entry]:
    listed = []
    for count, entry in enumerate(entries):
        if count >= limits.members:
            listed.append(Skipped("*", f"more than {limits.members} members (members limit); the rest not listed",
                                  refused=True))
            break
        listed.append(entry)
    listed.sort(key=lambda e: age_key(e.path) if isinstance(e, Member) else ("",))
    return iter(listed)


def _walk_dir(root: Path, limits: Limits) -> Iterator[Entry]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink():
                yield Skipped(rel, "symbolic link, not followed")
            elif not full.is_file():
                yield Skipped(rel, "not a regular file")
            else:
                size = full.stat().st_size
                yield from _member_or_archive(rel, size, lambda full=full: open(full, "rb"), limits, 0,
                                              size if _unpacker(rel) else None)


def _archive_entries(name: str, opener: Callable[[], BinaryIO], limits: Limits, depth: int,
                     top: bool = False) -> Iterator[Entry]:
    """Entries of the archive ``opener`` gives; ``name`` prefixes nested member paths."""
    import tarfile
    import zipfile

    prefix = "" if top else name + "/"
    try:
        data_or_file = opener()
        if zipfile.is_zipfile(data_or_file):
            data_or_file.seek(0)
            yield from _zip_entries(zipfile.ZipFile(data_or_file), prefix, limits, depth)
            return
        data_or_file.seek(0)
        if data_or_file.read(2) == b"PK":
            raise zipfile.BadZipFile("a damaged zip: its central directory is missing (truncated?)")
        data_or_file.seek(0)
        yield from _tar_entries(tarfile.open(fileobj=data_or_file, mode="r:*"), prefix, limits, depth)
    except read_errors() as e:
        if top:
            raise BundleError(f"{name}: not a readable archive ({_why(e)})") from None
        yield Skipped(name, f"nested archive unreadable: {_why(e)}")


def _why(e: Exception) -> str:
    """An exception's message on one line, at most 200 characters."""
    return " ".join(str(e).split())[:200] or type(e).__name__


def _zip_entries(zf: zipfile.ZipFile, prefix: str, limits: Limits, depth: int) -> Iterator[Entry]:
    for info in zf.infolist():
        if not info.filename:
            yield Skipped(prefix + "(unnamed)", "zip member without a name")
            continue
        if info.is_dir():
            continue
        name = prefix + info.filename.replace("\\", "/")
        if info.flag_bits & 0x1:
            yield Skipped(name, "encrypted zip member")
            continue
        yield from _member_or_archive(name, info.file_size,
                                      lambda info=info: zf.open(info), limits, depth, info.compress_size)


def _tar_entries(tf: tarfile.TarFile, prefix: str, limits: Limits, depth: int) -> Iterator[Entry]:
    for info in tf:
        name = prefix + info.name
        if info.isdir():
            continue
        if info.issym() or info.islnk():
            yield Skipped(name, f"link to {info.linkname!r}, not followed")
        elif not info.isfile():
            yield Skipped(name, "device, FIFO or other special file")
        else:
            yield from _member_or_archive(name, info.size,
                                          lambda info=info: tf.extractfile(info), limits, depth,
                                          info.size if _unpacker(name) else None)


def _unpacker(name: str) -> Callable | None:
    """How to decompress a member named ``name`` (by its .gz, .xz or .bz2 suffix), or None."""
    module = _SUFFIX_OPENERS.get(os.path.splitext(name)[1].lower())
    return None if module is None else _opener(module)


def _member_or_archive(name: str, size: int | None, opener: Callable[[], BinaryIO],
                       limits: Limits, depth: int, packed: int | None = None) -> Iterator[Entry]:
    """A plain member, a compressed member (.gz, .xz, .bz2) read through its decompressor, or a nested archive
    opened in memory.

    ``packed`` is the member's compressed size where known, for the ratio limit."""
    if _ARCHIVE_NAME.search(name):
        if depth + 1 > limits.depth:
            yield Skipped(name, f"archive nested deeper than {limits.depth} (depth limit)", refused=True)
            return
        if size is not None and size > limits.nested_bytes:
            yield Skipped(name, f"nested archive larger than {limits.nested_bytes} bytes (nested_bytes limit)",
                          refused=True)
            return

        def load(opener=opener) -> BinaryIO:
            with opener() as f:
                data = f.read(limits.nested_bytes + 1)
            if len(data) > limits.nested_bytes:
                raise ValueError(f"nested archive larger than {limits.nested_bytes} bytes")
            return io.BytesIO(data)

        yield from _archive_entries(name, load, limits, depth + 1)
    elif (unpack := _unpacker(name)) is not None:
        yield Member(name, None, lambda: _Unpacked(unpack, opener()), packed)
    else:
        yield Member(name, size, opener, packed)


class _Unpacked(io.RawIOBase):
    """A decompressing reader that also closes the compressed stream it reads from."""

    def __init__(self, unpack: Callable, raw: BinaryIO):
        self._raw, self._reader = raw, unpack(raw, "rb")

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._reader.read(size)

    def readinto(self, buffer) -> int:
        data = self._reader.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._reader.close()
            self._raw.close()
        finally:
            super().close()
