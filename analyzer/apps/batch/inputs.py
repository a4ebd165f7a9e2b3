"""The bundles a batch names, and their sha256.

A path that exists is a bundle, or a folder of bundles (``is_folder_of_bundles``); anything else is a glob
(``**`` recursive) whose matches are taken the same way.
"""
from __future__ import annotations

import glob
import hashlib
import os
import stat
from pathlib import Path
from typing import Iterable

BUNDLE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".log")
# top folders of an extracted bundle: a folder holding one of these is a bundle, not a folder of bundles
TREE_ROOTS = frozenset({"var", "etc", "windowsazure", "packages", "windows", "eventlogs", "sos_commands", "c"})


def expand(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """The bundles named by ``inputs`` (in order, each once) and warnings (patterns that matched nothing).

    A path that does not exist and holds no glob character is kept: it becomes an error row.
    """
    bundles: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            bundles.append(path)

    for item in inputs:
        item = str(item)
        if os.path.lexists(item) or not glob.has_magic(item):
            candidates = [item]
        else:
            candidates = sorted(glob.glob(item, recursive=True))
            if not candidates:
                warnings.append(f"{item}: matched nothing")
        for path in candidates:
            if os.path.isdir(path) and is_folder_of_bundles(path):
                for child in sorted(os.listdir(path)):
                    if not child.startswith("."):
                        add(os.path.join(path, child))
            else:
                add(path)
    return bundles, warnings


def is_folder_of_bundles(path: str | Path) -> bool:
    """True when every visible direct child is a bundle file (``BUNDLE_SUFFIXES``) or a folder (at least one
    child), and no child folder is the top of an extracted bundle (``var``, ``etc``, ``WindowsAzure``,
    ``Packages``, ``Windows``, ``EventLogs``, ``sos_commands``, ``C``); otherwise the folder is one bundle."""
    try:
        children = [c for c in os.scandir(path) if not c.name.startswith(".")]
    except OSError:
        return False
    if not children:
        return False
    for child in children:
        if child.is_dir(follow_symlinks=False):
            if child.name.lower() in TREE_ROOTS:
                return False
        elif not (child.is_file(follow_symlinks=False) and child.name.lower().endswith(BUNDLE_SUFFIXES)):
            return False
    return True


def sha256_of(path: str | Path) -> str:
    """The file's sha256; for a folder, of its regular files' relative paths and contents, in sorted order
    (links are not followed, like the bundle reader)."""
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


def _hash_file(path: str, digest) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
