"""Helpers shared by the sample generators: ``generate.py`` (Linux) and ``windows.py`` (Windows).

Seeded randomness, time formats, archive writers with fixed timestamps and the write-and-list CLI.
Only the standard library is used. ``samples/`` is no package: both generators put this folder on
``sys.path`` and ``import common``, so they work as scripts from any directory and when loaded by path.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import io
import random
import tarfile
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

UTC = timezone.utc
WIRE = "168.63.129.16"
TICKS_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
ZIP_FLOOR = (1980, 1, 1, 0, 0, 0)
BUNDLES = Path(__file__).resolve().parent / "bundles"

Builder = Callable[[], list[tuple[str, bytes]]]


# ---------------------------------------------------------------- time

def t_(s: str) -> datetime:
    """``"2026-11-20 01:30:14"`` as an aware UTC datetime."""
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def iso_s(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticks(t: datetime) -> str:
    """.NET ticks (100 ns since 0001-01-01) as a string."""
    delta = t - TICKS_EPOCH
    return str((delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10)


# ---------------------------------------------------------------- randomness

class Rand:
    """Seeded randomness for one bundle."""

    def __init__(self, seed: str):
        self.r = random.Random(seed)

    def guid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def hexs(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def us(self, lo_ms: float, hi_ms: float) -> timedelta:
        """A duration between ``lo_ms`` and ``hi_ms`` milliseconds, to the microsecond."""
        return timedelta(microseconds=self.r.randint(int(lo_ms * 1000), int(hi_ms * 1000)))

    def int(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def blob(self, n: int) -> str:
        """``n`` random bytes, base64."""
        return base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(n))).decode()


# ---------------------------------------------------------------- archives

def zip_bytes(members: dict[str, bytes], when: datetime, dos: bool = False) -> bytes:
    """A deflated zip whose entries all carry ``when``: Unix 0644 files, or (``dos``) archive-bit DOS files."""
    stamp = max(ZIP_FLOOR, when.timetuple()[:6])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0 if dos else 3
            info.external_attr = 0x20 if dos else 0o100644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def tar_gz_bytes(members: dict[str, bytes], when: datetime) -> bytes:
    """A GNU tar of root-owned 0644 files with mtime ``when``, gzipped without a timestamp."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), int(when.timestamp()), 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)


# ---------------------------------------------------------------- output

def write_bundles(builders: Iterable[Builder], out: Path) -> list[Path]:
    """Run each builder and write what it returns into ``out``; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for build in builders:
        for name, data in build():
            path = out / name
            path.write_bytes(data)
            written.append(path)
    return written


def main(generate: Callable[[Path], list[Path]], doc: str, argv: list[str] | None = None) -> int:
    """``[--out DIR]`` (default: samples/bundles/): run ``generate`` and list what it wrote."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", type=Path, default=BUNDLES)
    args = ap.parse_args(argv)
    for path in generate(args.out):
        print(f"{path.stat().st_size:>8}  {path}")
    return 0
