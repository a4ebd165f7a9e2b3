"""A support queue like a real drop folder, for ``azlog batch``: ``build`` makes one, ``rows_by_bundle`` reads a
table back by the bundles' real names.

What ``build(root, n)`` puts in ``root`` (``Queue`` lists it):

- ``n`` archives: the sample bundles, then copies of them with another zip comment (their own sha256);
- one archive whose name is not valid UTF-8 (``caf\\xe9-N.zip``) and one whose name holds a newline;
- identical copies (same bytes, other names) of two archives;
- broken archives: a 0-byte ``.zip``, a tiny ``.zip`` that is plain text, a truncated zip;
- an extracted bundle (a folder with ``var/log/waagent.log``) and, in ``links/``, symbolic links to archives
  kept outside the queue;
- stray files that are not bundles: ``README.txt`` and ``notes.docx``.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import ROOT

SAMPLES = ROOT / "samples" / "bundles"


@dataclass
class Queue:
    root: Path
    bundles: list[str] = field(default_factory=list)   # every path that must get exactly one row
    strays: list[str] = field(default_factory=list)    # files that must get no row
    broken: list[str] = field(default_factory=list)    # bundles whose row is an error
    copies: dict[str, str] = field(default_factory=dict)  # identical copy -> the bundle it copies


def build(root: Path, n: int = 40) -> Queue:
    """A queue of ``n`` archives plus the odd inputs the module docstring lists."""
    root.mkdir(parents=True, exist_ok=True)
    queue = Queue(root)
    zips = sorted(p for p in SAMPLES.iterdir() if p.suffix == ".zip")

    def put(name: str | bytes, data: bytes) -> str:
        path = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else name.encode())
        with open(path, "wb") as f:
            f.write(data)
        return os.fsdecode(path)

    for i in range(n):
        sample = zips[i % len(zips)]
        data = sample.read_bytes() if i < len(zips) else _recommented(sample, f"copy {i}")
        queue.bundles.append(put(f"{i:04d}-{sample.name}", data))
    queue.bundles.append(put(b"caf\xe9-odd-name.zip", _recommented(zips[0], "latin-1 name")))
    queue.bundles.append(put("line\nbreak.zip", _recommented(zips[1], "newline in the name")))
    for i, source in enumerate(queue.bundles[:2]):
        queue.bundles.append(put(f"identical-copy-{i}.zip", Path(source).read_bytes()))
        queue.copies[queue.bundles[-1]] = source
    good = zips[0].read_bytes()
    for name, data in (("empty.zip", b""), ("not-a-zip.zip", b"hello, this is no archive\n"),
                       ("truncated.zip", good[:len(good) // 3])):
        queue.broken.append(put(name, data))
    queue.bundles += queue.broken
    tree = root / "extracted-vm"
    (tree / "var" / "log").mkdir(parents=True)
    (tree / "var" / "log" / "waagent.log").write_text(
        "2026-11-20T01:00:00.000000Z INFO Daemon Azure Linux Agent Version: 2.9.1.1\n")
    queue.bundles.append(str(tree))
    outside = root.parent / f"{root.name}-link-targets"
    (root / "links").mkdir()
    outside.mkdir(exist_ok=True)
    for i in range(2):
        target = outside / f"target-{i}.zip"
        target.write_bytes(_recommented(zips[i + 2], f"link target {i}"))
        (root / "links" / f"linked-{i}.zip").symlink_to(target)
        queue.bundles.append(str(root / "links" / f"linked-{i}.zip"))
    queue.strays = [put("README.txt", b"upload bundles here\n"), put("notes.docx", b"PK\x03\x04 not really")]
    return queue


def rows_by_bundle(table: Path) -> dict[str, list[dict]]:
    """The rows of a batch table (csv, jsonl or parquet) by the bundle's real path (``path_raw`` decoded)."""
    import pandas as pd

    from azlog_vmbackup.analyzer.apps.batch.inputs import from_forms

    if table.suffix == ".csv":
        frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    elif table.suffix == ".jsonl":
        frame = pd.DataFrame([json.loads(line) for line in table.read_text(encoding="utf-8").splitlines()])
    else:
        frame = pd.read_parquet(table)
    found: dict[str, list[dict]] = {}
    for row in frame.to_dict("records"):
        found.setdefault(from_forms(row["path"], row["path_raw"] or ""), []).append(row)
    return found


def _recommented(sample: Path, comment: str) -> bytes:
    """The sample's zip with another comment: the same members, another sha256."""
    buffer = io.BytesIO(sample.read_bytes())
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.comment = comment.encode()
    return buffer.getvalue()
