"""The bundles a batch names, and their sha256.

A queue is what a support team's drop folder holds: archives (``ARCHIVE_SUFFIXES``, symbolic links to them
included), extracted bundles (a folder with ``var/``, ``WindowsAzure/``, ``sos_commands/``...) and, now and
then, a stray ``README.txt``. ``expand`` turns the command line's paths and globs into bundles:

- an archive or a single log file is a bundle; an extracted bundle is one bundle, also when a ``**`` glob
  reaches inside it (its files are not bundles of their own);
- a folder is a queue when it holds an archive or an extracted bundle and is not itself an extracted bundle:
  its archives, ``.log`` files and folders are bundles, its other files are skipped (and said so);
- any other folder is one bundle (logs copied into a folder by hand);
- the batch's own output files and their temporary files are never inputs;
- a path that does not exist (and is no glob) stops the batch before anything is written.

Paths are ``str`` as the operating system gives them: a name that is not valid UTF-8 carries surrogate escapes
(``os.fsdecode``); ``display`` and ``raw_form`` give its two written forms.

>>> display(os.fsdecode(b"queue/caf\\xe9.zip"))
'queue/caf\\\\xe9.zip'
>>> raw_form(os.fsdecode(b"queue/caf\\xe9.zip")), raw_form("queue/cafe.zip")
('queue/caf%E9.zip', '')
>>> from_forms('queue/caf\\\\xe9.zip', 'queue/caf%E9.zip') == os.fsdecode(b"queue/caf\\xe9.zip")
True
"""
from __future__ import annotations

import glob
import hashlib
import os
import re
import stat
import urllib.parse
from dataclasses import dataclass, field
from typing import Iterable

from azlog_vmbackup.analyzer.apps.batch.errors import BatchError

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".gz", ".xz",
                    ".bz2")
LOG_SUFFIXES = (".log",)  # a log file in a folder of bundles, or matched by a glob, is a bundle of its own
# top folders of an extracted bundle: a folder holding one of these is a bundle, not a queue
TREE_ROOTS = frozenset({"var", "etc", "windowsazure", "packages", "windows", "eventlogs", "sos_commands", "c"})
MAX_DEPTH = 8  # queue folders inside queue folders
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Expansion:
    """What ``expand`` found: the bundles in order, each once; files left out with the reason; warnings."""

    bundles: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def display(path: str) -> str:
    """``path`` as one line of UTF-8 text: bytes that are not UTF-8 and control characters as ``\\xNN``."""
    shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", shown)


def raw_form(path: str) -> str:
    """``path``'s bytes percent-encoded when ``display`` cannot show them exactly; '' when it can."""
    if display(path) == path:
        return ""
    return urllib.parse.quote_from_bytes(os.fsencode(path), safe="/")


def from_forms(shown: str, raw: str) -> str:
    """The path a row names, from its ``path`` and ``path_raw`` columns."""
    return os.fsdecode(urllib.parse.unquote_to_bytes(raw)) if raw else shown


def expand(inputs: Iterable[str], outputs: Iterable[str] = ()) -> Expansion:
    """The bundles named by ``inputs``; ``outputs`` (the batch's own files) are never taken as bundles."""
    found = Expansion()
    seen: set[str] = set()
    own = _Outputs(outputs)

    def add(path: str) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.bundles.append(path)

    def skip(path: str, why: str) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.skipped.append((path, why))

    def take(path: str, depth: int = 0) -> None:
        if own.holds(path):
            return
        if os.path.isdir(path):
            if depth < MAX_DEPTH and is_queue(path):
                for child in _children(path):
                    child_path = os.path.join(path, child.name)
                    if own.holds(child_path):
                        continue
                    if _is_dir(child):
                        take(child_path, depth + 1) if is_queue(child_path) else add(child_path)
                    elif _is_archive(child) or _is_log(child):
                        add(child_path)
                    elif child.is_symlink():
                        skip(child_path, "a symbolic link to something other than an archive, not followed")
                    else:
                        skip(child_path, "neither an archive nor a .log file, in a folder of bundles")
            else:
                add(path)
        else:
            add(path)

    for item in map(str, inputs):
        if os.path.lexists(item) or not glob.has_magic(item):
            if not os.path.exists(item):
                raise BatchError(f"{display(item)}: no such file or folder")
            take(item)
            continue
        matches = sorted(glob.glob(item, recursive=True))
        if not matches:
            found.warnings.append(f"{display(item)}: matched nothing")
        base, roots = _glob_base(item), []
        for path in matches:
            root = next((r for r in roots if path.startswith(r + os.sep)), None) or _extracted_root(path, base)
            if root is not None:
                roots.append(root)
                add(root)
            elif os.path.isdir(path) or _is_archive_path(path) or path.lower().endswith(LOG_SUFFIXES):
                take(path)
            elif not own.holds(path):
                skip(path, f"neither an archive nor a .log file (matched {display(item)})")
    return found


def is_queue(path: str) -> bool:
    """True when the folder holds an archive or an extracted bundle and is not an extracted bundle itself."""
    children = _children(path)
    if any(_is_dir(c) and c.name.lower() in TREE_ROOTS for c in children):
        return False
    return any(_is_archive(c) or (_is_dir(c) and is_extracted(os.path.join(path, c.name))) for c in children)


def is_extracted(path: str) -> bool:
    """True when the folder is the top of an extracted bundle (it holds ``var/``, ``WindowsAzure/``...)."""
    return any(_is_dir(c) and c.name.lower() in TREE_ROOTS for c in _children(path))


def sha256_of(path: str) -> str:
    """The file's sha256; for a folder, of its regular files' relative paths and contents, in sorted order
    (links are not followed inside a folder, like the bundle reader)."""
    digest = hashlib.sha256()
    path = str(path)
    if not os.path.isdir(path):
        _hash_file(path, digest)
        return digest.hexdigest()
    files = []
    for root, dirs, names in os.walk(path, followlinks=False):
        dirs.sort()
        for name in names:
            full = os.path.join(root, name)
            if stat.S_ISREG(os.lstat(full).st_mode):
                files.append((os.path.relpath(full, path).replace(os.sep, "/"), full))
    for rel, full in sorted(files):
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        _hash_file(full, digest)
        digest.update(b"\0")
    return digest.hexdigest()


def digest_or_none(path: str) -> str | None:
    """``sha256_of(path)``, or None when it cannot be read (the bundle then becomes an error row)."""
    try:
        return sha256_of(path)
    except OSError:
        return None


class _Outputs:
    """The batch's own files: each output, and the hidden temporary files beside it (``.NAME.*``)."""

    def __init__(self, outputs: Iterable[str]):
        self.files = {os.path.realpath(p) for p in map(str, outputs)}
        self.temp = {(os.path.dirname(p), "." + os.path.basename(p) + ".") for p in self.files}

    def holds(self, path: str) -> bool:
        real = os.path.realpath(path)
        if real in self.files:
            return True
        folder, name = os.path.split(real)
        return any(folder == d and name.startswith(prefix) for d, prefix in self.temp)


def _children(path: str) -> list[os.DirEntry]:
    try:
        with os.scandir(path) as it:
            return sorted((c for c in it if not c.name.startswith(".")), key=lambda c: c.name)
    except OSError:
        return []


def _is_dir(entry: os.DirEntry) -> bool:
    """A real folder (a link to a folder is not followed: it may lead anywhere)."""
    return entry.is_dir(follow_symlinks=False)


def _is_archive(entry: os.DirEntry) -> bool:
    """An archive by name, a regular file or a link to one."""
    try:
        return entry.is_file(follow_symlinks=True) and _is_archive_path(entry.name)
    except OSError:
        return False


def _is_log(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file(follow_symlinks=True) and entry.name.lower().endswith(LOG_SUFFIXES)
    except OSError:
        return False


def _is_archive_path(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def _glob_base(pattern: str) -> str:
    """The folder a glob starts from: its leading parts without a wildcard."""
    parts = []
    for part in pattern.split(os.sep):
        if glob.has_magic(part):
            break
        parts.append(part)
    return os.sep.join(parts) or os.curdir


def _extracted_root(path: str, base: str) -> str | None:
    """The extracted bundle that ``path`` lies in (``path`` itself or a folder above it, no higher than
    ``base``), or None."""
    base_abs = os.path.abspath(base)
    current = os.path.abspath(path)
    if not os.path.isdir(current):
        current = os.path.dirname(current)
    relative = os.path.relpath(current, base_abs)
    if relative.startswith(os.pardir):
        return None
    steps = [] if relative == os.curdir else relative.split(os.sep)
    candidates = [os.path.join(base, *steps[:n]) for n in range(len(steps), -1, -1)]
    for folder in reversed(candidates):  # the topmost extracted bundle: a bundle inside a bundle is its member
        if os.path.abspath(folder) != os.sep and is_extracted(folder):
            return folder
    return None


def _hash_file(path: str, digest) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
