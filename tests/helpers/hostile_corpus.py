"""A hostile corpus for azlog: archives and files built to attack a bundle reader.

Every ``build_*`` function writes one case into the directory it is given and returns
the path to analyze. Everything is deterministic (fixed timestamps, seeded random data),
needs no network, and streams: the 3 GiB zip bomb, the 2 GiB gzip bomb and the 300 MiB
line are compressed chunk by chunk, so building never holds more than a few MiB.
``CASES`` lists the cases with what a test may expect of them; ``lazy`` cases are big
on disk or slow to build (seconds): build them just before use and delete them after.

``run_azlog`` runs ``python -m azlog_vmbackup analyze CASE --format json`` in a fresh
process and measures wall time and peak RSS (``os.wait4``), with a watchdog that kills
a run going far past the time or memory budget. ``tests/end_to_end/test_hostile.py`` asserts on
it; ``bench/hostile.py`` prints a table of it.

    python tests/hostile_corpus.py DIR [--lazy]     # write the corpus into DIR
"""
from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
DATE = (2026, 11, 20, 1, 0, 0)   # every zip entry's timestamp
MTIME = 1795136400               # every tar entry's mtime (2026-11-20T01:00:00Z)
CHUNK = 4 * MiB
EXT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
GOOD_AGENT_VERSION = "2.13.1.1"

GOOD_WAAGENT_LOG = "".join(line + "\n" for line in (
    "2026-11-20T01:00:00.000001Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1",
    "2026-11-20T01:00:00.104512Z INFO Daemon Daemon OS: ubuntu 22.04",
    "2026-11-20T01:00:00.108733Z INFO Daemon Daemon Python: 3.10.12",
    "2026-11-20T01:00:00.215870Z INFO Daemon Daemon Run daemon",
    "2026-11-20T01:00:01.302115Z INFO ExtHandler ExtHandler Azure Linux Agent (Goal State Agent version 2.13.1.1)",
    "2026-11-20T01:00:01.305002Z INFO ExtHandler ExtHandler OS: ubuntu 22.04",
    "2026-11-20T01:00:01.310498Z INFO ExtHandler ExtHandler Python: 3.10.12",
    "2026-11-20T01:00:02.000133Z INFO ExtHandler ExtHandler ProcessExtensionsGoalState started [incarnation_7 "
    "channel: WireServer source: Fabric activity: 9b1e0c2a-0000-0000-0000-000000000001 correlation "
    "4f7d2b11-0000-0000-0000-000000000001 created: 2026-11-20T00:59:58.000000Z]",
    f"2026-11-20T01:00:02.500410Z INFO ExtHandler [{EXT}-1.0.9225.0] Target handler state: enabled [incarnation_7]",
    "2026-11-20T01:00:03.120001Z INFO ExtHandler ExtHandler ProcessExtensionsGoalState completed "
    "[incarnation_7 1120 ms]",
    "2026-11-20T01:30:02.000007Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.13.1.1 is running as "
    "the goal state agent [DEBUG HeartbeatCounter: 1;HeartbeatId: 5F2C1A3E-00000001;DroppedPackets: 0;"
    "UpdateGSErrors: 0;AutoUpdate: 1;UpdateMode: SelfUpdate;]",
)).encode()


# --------------------------------------------------------------------------- helpers

def _info(name: str, compress: int = zipfile.ZIP_DEFLATED, level: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=DATE)
    info.compress_type = compress
    if level is not None:  # zipfile reads the level of a ZipInfo passed to open()/writestr() from here
        info._compresslevel = level  # 3.11 name; 3.13 calls it compress_level and keeps this alias
    info.external_attr = 0o100644 << 16
    return info


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            zf.writestr(_info(name), data)
    return buf.getvalue()


def _write_zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    path.write_bytes(_zip_bytes(members))
    return path


def _zip_stream_member(zf: zipfile.ZipFile, name: str, total: int, chunk: bytes) -> None:
    """Write ``total`` bytes, ``chunk`` repeated, as one deflated member, without holding them.

    Deflate level 1: four times faster than the default on zeros, still over 200:1.
    """
    with zf.open(_info(name, level=1), "w", force_zip64=True) as out:
        left = total
        while left > 0:
            piece = chunk if left >= len(chunk) else chunk[:left]
            out.write(piece)
            left -= len(piece)


def _gzip_stream(total: int, chunk: bytes, name: str = "") -> bytes:
    """A gzip stream of ``total`` bytes of ``chunk`` repeated (deterministic header: mtime 0)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=0, compresslevel=1) as gz:
        left = total
        while left > 0:
            piece = chunk if left >= len(chunk) else chunk[:left]
            gz.write(piece)
            left -= len(piece)
    return buf.getvalue()


def _text(rng: random.Random, lines: int, stamp: str = "2026-11-20T01:{m:02d}:{s:02d}Z") -> bytes:
    words = ("snapshot", "freeze", "thaw", "status", "blob", "wireserver", "handler", "enable", "mount", "disk")
    out = []
    for i in range(lines):
        out.append(stamp.format(m=(i // 60) % 60, s=i % 60) + " " + " ".join(rng.choice(words) for _ in range(12)))
    return ("\n".join(out) + "\n").encode()


def _png(width: int = 64, height: int = 64) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 4 % 256, (x ^ y) % 256))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------- cases

def build_zip_slip(d: Path) -> Path:
    """Members named to escape an extraction directory, beside a good agent log."""
    return _write_zip(d / "zip-slip.zip", [
        ("../../evil.txt", b"zip slip: written outside the extraction directory\n"),
        ("..\\..\\evil.txt", b"zip slip with backslashes\n"),
        ("/etc/cron.d/x", b"* * * * * root touch /tmp/evil.txt\n"),
        ("var/log/../../../../tmp/evil.txt", b"zip slip through a normal-looking prefix\n"),
        ("var/log/waagent.log", GOOD_WAAGENT_LOG),
    ])


def build_zip_bomb(d: Path, size: int = 3 * GiB) -> Path:
    """One 3 GiB member of zeros (14 MiB deflated at level 1), named like a log so a parser wants it."""
    path = d / "zip-bomb.zip"
    with zipfile.ZipFile(path, "w") as zf:
        _zip_stream_member(zf, "var/log/syslog", size, bytes(CHUNK))
    return path


def build_gzip_bomb(d: Path, size: int = 2 * GiB) -> Path:
    """A 2 GiB gzip bomb as a rotated agent log (read before the current one), beside a good waagent.log.

    The zip deflates the gzip stream again, so the whole case is a few KiB.
    """
    return _write_zip(d / "gzip-bomb.zip", [
        ("var/log/waagent.log.1.gz", _gzip_stream(size, bytes(CHUNK), "waagent.log.1")),
        ("var/log/waagent.log", GOOD_WAAGENT_LOG),
    ])


def build_nested(d: Path, levels: int = 12) -> Path:
    """Zip in zip, ``levels`` deep, under a top zip holding a good waagent.log."""
    inner = _zip_bytes([("deep.txt", f"the bottom of {levels} nested archives\n".encode())])
    for level in range(levels, 1, -1):
        inner = _zip_bytes([(f"level{level:02d}.zip", inner), (f"note{level:02d}.txt", b"nested\n")])
    return _write_zip(d / "nested-12.zip", [
        ("var/log/waagent.log", GOOD_WAAGENT_LOG),
        ("var/lib/waagent/history/level01.zip", inner),
    ])


def build_tar_links(d: Path) -> Path:
    """A sosreport-like tar.gz: symlinks and hardlinks to /etc/passwd named like logs, ``../`` members."""
    path = d / "tar-links.tar.gz"
    top = "sosreport-hostile-2026"

    def add(tf: tarfile.TarFile, name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"",
            link: str = "") -> None:
        info = tarfile.TarInfo(name)
        info.type, info.mtime, info.mode, info.uname, info.gname = kind, MTIME, 0o644, "root", "root"
        info.linkname = link
        info.size = len(data) if kind == tarfile.REGTYPE else 0
        tf.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tf:
        add(tf, f"{top}/var/log/waagent.log", data=GOOD_WAAGENT_LOG)
        add(tf, f"{top}/var/log/syslog", tarfile.SYMTYPE, link="/etc/passwd")
        add(tf, f"{top}/var/log/messages", tarfile.LNKTYPE, link="/etc/passwd")
        add(tf, f"{top}/etc/os-release", tarfile.SYMTYPE, link="../../../../../../etc/passwd")
        add(tf, f"{top}/var/log/kern.log", tarfile.LNKTYPE, link="../../../../../etc/passwd")
        add(tf, "../evil.txt", data=b"tar slip: written outside the extraction directory\n")
        add(tf, f"{top}/escape", tarfile.SYMTYPE, link="/tmp")
        add(tf, f"{top}/escape/evil.txt", data=b"written through a symlinked directory\n")
        add(tf, f"{top}/dev/null-like", tarfile.CHRTYPE)
        add(tf, f"{top}/fifo", tarfile.FIFOTYPE)
    return path


_BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Extensions [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Extensions version="1.0.0.0" goalStateIncarnation="7">
  <GuestAgentExtension><GAFamilies><GAFamily><Name>Prod</Name><Version>&lol9;</Version></GAFamily></GAFamilies></GuestAgentExtension>
  <Plugins><Plugin name="&lol9;" version="1.0.9225.0" state="enabled" autoUpgrade="true" /></Plugins>
</Extensions>
"""

_XXE_GOAL_STATE = b"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE GoalState [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<GoalState>
  <Version>2012-11-30</Version>
  <Incarnation>&x;</Incarnation>
  <Machine><ExpectedState>&x;</ExpectedState></Machine>
  <Container><ContainerId>5f3a9c1e</ContainerId><RoleInstanceList><RoleInstance>
    <InstanceId>&x;</InstanceId><State>Started</State>
  </RoleInstance></RoleInstanceList></Container>
</GoalState>
"""

_XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE Environment [
  <!ENTITY % p SYSTEM "file:///etc/passwd">
  <!ENTITY % remote SYSTEM "http://169.254.169.254/metadata/instance?api-version=2021-02-01">
  %p; %remote;
]>
<Environment><ProvisioningSection><LinuxProvisioningConfigurationSet>
  <HostName>&p;</HostName></LinuxProvisioningConfigurationSet></ProvisioningSection></Environment>
"""

_EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE SharedConfig SYSTEM "file:///etc/passwd">
<SharedConfig version="1.0.0.0" goalStateIncarnation="7"><Deployment name="&undefined;" /></SharedConfig>
"""

_QUADRATIC = (b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY a "' + b"A" * 50_000 + b'">]>\n'
              b"<Extensions>" + b"&a;" * 50_000 + b"</Extensions>\n")

_MALFORMED = b"""<?xml version="1.0" encoding="utf-8"?>
<HostingEnvironmentConfig version="1.0.0.0" goalStateIncarnation="7">
  <StoredCertificates><StoredCertificate name="x" certificateId="sha1:AB
  <Deployment name="<<<" guid="{" incarnation=>
    <Service name="x" guid="{00000000}" /
  </Deployment>
""" + b"<a>" * 5000 + b"\x00\xff\xfe" + b"]]>"


def build_xml_attacks(d: Path) -> Path:
    """Billion laughs, external entities (general, parameter, DTD), quadratic blow-up, malformed XML."""
    lib = "var/lib/waagent/"
    return _write_zip(d / "xml-attacks.zip", [
        ("results.txt", b"Collecting logs: full mode\n"),
        ("var/log/waagent.log", GOOD_WAAGENT_LOG),
        (lib + "ExtensionsConfig.7.xml", _BILLION_LAUGHS),
        (lib + "GoalState.7.xml", _XXE_GOAL_STATE),
        (lib + "HostingEnvironmentConfig.xml", _MALFORMED),
        (lib + "ovf-env.xml", _XXE_PARAMETER),
        (lib + "SharedConfig.xml", _EXTERNAL_DTD),
        (lib + "history/2026-11-20T01-00-00__7/ExtensionsConfig.xml", _QUADRATIC),
        (lib + "history/2026-11-20T01-00-00__7/GoalState.xml", b"<GoalState><Incarnation>7</Incarn"),
    ])


def build_random_bytes(d: Path) -> Path:
    """3 MB of random bytes as the agent log, and a broken extension status file."""
    rng = random.Random(20261120)
    status_dir = f"var/lib/waagent/{EXT}-1.0.9225.0/status/"
    broken = (b'[{"version": 1.0, "timestampUTC": "2026-11-20T01:00:00Z", "status": {"name": "'
              + b"\\u0000" * 100 + b'", "status": "error", "code": 99999999999999999999999999999999, '
              b'"substatus": [' + b"[" * 5000 + rng.randbytes(2000))
    return _write_zip(d / "random-bytes.zip", [
        ("var/log/waagent.log", rng.randbytes(3_000_000)),
        (status_dir + "0.status", broken),
        (status_dir + "1.status", b"\x00" * 4096),
        (status_dir + "2.status", b'{"a": ' * 100_000),
    ])


def _long_line(size: int) -> tuple[bytes, int]:
    """The line's header and how many filler bytes follow it (before the newline)."""
    header = b"2026-11-20T01:00:00.000001Z INFO ExtHandler ExtHandler "
    return header, size - len(header) - 1


def build_long_line_file(d: Path, size: int = 300 * MiB) -> Path:
    """A single ``waagent.log`` that is one 300 MiB line (its own folder, so the name is exact)."""
    folder = d / "long-line-file"
    folder.mkdir(exist_ok=True)
    path = folder / "waagent.log"
    header, body = _long_line(size)
    block = b"A" * CHUNK
    with open(path, "wb") as f:
        f.write(header)
        left = body
        while left > 0:
            f.write(block if left >= CHUNK else block[:left])
            left -= CHUNK
        f.write(b"\n")
    return path


def build_long_line_zip(d: Path, size: int = 300 * MiB) -> Path:
    """The same 300 MiB line as ``var/log/waagent.log`` inside a zip."""
    path = d / "long-line.zip"
    header, body = _long_line(size)
    block = b"A" * CHUNK
    with zipfile.ZipFile(path, "w") as zf, \
            zf.open(_info("var/log/waagent.log", level=1), "w", force_zip64=True) as out:
        out.write(header)
        left = body
        while left > 0:
            out.write(block if left >= CHUNK else block[:left])
            left -= CHUNK
        out.write(b"\n")
    return path


def build_many_members(d: Path, count: int = 60_000) -> Path:
    """60,000 small members in one zip."""
    path = d / "many-members.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(count):
            zf.writestr(_info(f"var/log/azure/Ext{i % 100:03d}/f{i:05d}.log", zipfile.ZIP_STORED),
                        f"2026-11-20T01:00:00Z member {i}\n".encode())
    return path


def build_truncated(d: Path) -> Path:
    """A good collector zip cut in half: no central directory left."""
    rng = random.Random(7)
    data = _zip_bytes([
        ("var/log/waagent.log", GOOD_WAAGENT_LOG),
        ("var/log/syslog", _text(rng, 4000)),
        (f"var/log/azure/{EXT}/extension.log", _text(rng, 4000)),
    ])
    path = d / "truncated.zip"
    path.write_bytes(data[: len(data) // 2])
    return path


def build_png_named_zip(d: Path) -> Path:
    path = d / "screenshot.zip"
    path.write_bytes(_png())
    return path


def build_empty_zip(d: Path) -> Path:
    return _write_zip(d / "empty.zip", [])


def build_windows(d: Path) -> Path:
    """A CollectGuestLogs-style zip: UTF-16 LE agent logs (with and without BOM), NULs in the aggregate status."""
    lines = [
        "[00000006] 2026-11-20T01:00:55.148Z [INFO] WindowsAzureGuestAgent starting. Version 2.7.41491.1102",
        "[0000000B] 2026-11-20T01:00:55.292Z [INFO] Attempting to discover fabric address on interface Ethernet.",
        "[0000000B] 2026-11-20T01:00:55.532Z [INFO] Using fabric address 168.63.129.16 from DHCP.",
        "[00000014] 2026-11-20T01:30:55.801Z [HEART] WindowsAzureGuestAgent Heartbeat.",
        "[00000026] 2026-11-20T01:31:15.779Z [WARN] Nul\x00bytes\x00inside a line \u00e9\u00e8 \ud7ff.",
    ]
    text = "\r\n".join(lines) + "\r\n"
    status = (b'{\r\n  "version": "1.1",\r\n  "timestampUTC": "2026-11-20T01:31:14Z",\r\n  "aggregateStatus": {\r\n'
              b'    "guestAgentStatus": {\r\n      "version": "2.7.41491.1102",\r\n      "status": "Ready",\r\n'
              b'      "formattedMessage": {"lang": "en-US", "message": "GuestAgent is running' + b"\x00" * 512
              + b'"}\r\n    },\r\n    "handlerAggregateStatus": []\r\n  }\r\n}\r\n' + b"\x00" * 8192)
    return _write_zip(d / "windows.zip", [
        ("WindowsAzure/Logs/WaAppAgent.log", b"\xff\xfe" + text.encode("utf-16-le")),
        ("WindowsAzure/Logs/TransparentInstaller.log", text.encode("utf-16-le")),
        ("WindowsAzure/Logs/AggregateStatus/aggregatestatus.json", status),
    ])


def build_dir_links(d: Path) -> Path:
    """A folder bundle: symlinks to /etc/passwd named like logs, a dangling link, a FIFO, a good waagent.log."""
    root = d / "dir-links"
    (root / "var/log").mkdir(parents=True, exist_ok=True)
    (root / "etc").mkdir(exist_ok=True)
    (root / "var/log/waagent.log").write_bytes(GOOD_WAAGENT_LOG)
    for name, target in (("var/log/syslog", "/etc/passwd"), ("var/log/messages", "../../../../../../../../etc/passwd"),
                         ("etc/os-release", "/etc/passwd"), ("var/log/kern.log", "/nonexistent/evil.txt"),
                         ("var/log/azure", "/etc")):
        link = root / name
        if not link.is_symlink():
            link.symlink_to(target)
    fifo = root / "var/log/cloud-init.log"
    if not fifo.exists():
        os.mkfifo(fifo)
    return root


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    good: bool = False            # holds a good waagent.log: must be analyzed, agent_version 2.13.1.1
    lazy: bool = False            # big or slow to build: build just before use, delete after
    limits: tuple[str, ...] = ()  # a member should be refused naming one of these limits
    os: str | None = None         # the OS the result must report
    note: str = ""


CASES: tuple[Case, ...] = (
    Case("zip-slip", build_zip_slip, good=True),
    Case("zip-bomb", build_zip_bomb, lazy=True, limits=("member_bytes", "ratio", "total_bytes", "seconds"),
         note="3 GiB of zeros in var/log/syslog"),
    Case("gzip-bomb", build_gzip_bomb, good=True, lazy=True,
         limits=("member_bytes", "ratio", "total_bytes", "seconds"), note="2 GiB of zeros, waagent.log.1.gz"),
    Case("nested-12", build_nested, good=True, limits=("depth",)),
    Case("tar-links", build_tar_links, good=True),
    Case("xml-attacks", build_xml_attacks, good=True),
    Case("random-bytes", build_random_bytes),
    Case("long-line-file", build_long_line_file, lazy=True, note="one 300 MiB line, single file"),
    Case("long-line-zip", build_long_line_zip, lazy=True, note="one 300 MiB line in a zip"),
    Case("many-members", build_many_members, limits=("members",)),
    Case("truncated-zip", build_truncated),
    Case("png-named-zip", build_png_named_zip),
    Case("empty-zip", build_empty_zip),
    Case("windows", build_windows, os="windows"),
    Case("dir-links", build_dir_links, good=True, note="folder: symlinks, FIFO"),
)
BY_NAME = {c.name: c for c in CASES}


def build_corpus(directory: str | Path, lazy: bool = False) -> dict[str, Path]:
    """Write every case (the lazy ones too when ``lazy``) into ``directory``; name -> path to analyze."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    return {c.name: c.build(d) for c in CASES if lazy or not c.lazy}


def remove(path: Path) -> None:
    """Delete a built case (a file, or a folder case with its links and FIFO)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)  # removes the links themselves, never what they point to
    else:
        path.unlink(missing_ok=True)
    if path.parent.name == "long-line-file" and not any(path.parent.iterdir()):
        path.parent.rmdir()


# --------------------------------------------------------------------------- running azlog

@dataclass
class Run:
    returncode: int | None           # negative: killed by that signal
    seconds: float
    peak_rss: int                    # bytes (ru_maxrss)
    stdout: str
    stderr: str
    killed: str | None = None        # why the watchdog killed it
    doc: dict | None = field(default=None, repr=False)

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss / MiB

    def inventory(self) -> list[dict]:
        return (self.doc or {}).get("inventory") or []

    def refused(self) -> list[dict]:
        return [e for e in self.inventory() if e.get("status") == "refused"]


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * KiB
    except OSError:
        pass
    return 0


def run_azlog(case: Path, cwd: Path, io_dir: Path, kill_after: float = 120.0, kill_rss: int = 4 * GiB,
              extra_args: tuple[str, ...] = ()) -> Run:
    """``python -m azlog_vmbackup analyze CASE --format json`` in ``cwd``; stdout/stderr go to files in ``io_dir``.

    A watchdog kills the run past ``kill_after`` seconds or ``kill_rss`` bytes of RSS (so a runaway case
    cannot take the machine down); the process is waited for with ``waitid(WNOWAIT)`` first, so the
    watchdog can never signal a recycled pid.
    """
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("AZLOG_")}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    io_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = io_dir / f"{case.name}.stdout", io_dir / f"{case.name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "azlog_vmbackup", "analyze", str(case), "--format", "json",
                                 *extra_args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    lock, done, killed = threading.Lock(), threading.Event(), []

    def watchdog() -> None:
        while not done.wait(0.1):
            why = None
            if time.monotonic() - start > kill_after:
                why = f"killed after {kill_after:.0f} s"
            elif (rss := _rss(proc.pid)) > kill_rss:
                why = f"killed at RSS {rss / MiB:.0f} MiB"
            if why:
                with lock:
                    if not done.is_set():
                        os.kill(proc.pid, signal.SIGKILL)
                        killed.append(why)
                return

    threading.Thread(target=watchdog, daemon=True).start()
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    with lock:
        done.set()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text("utf-8", errors="replace")
    stderr = err_path.read_text("utf-8", errors="replace")
    out_path.unlink()
    err_path.unlink()
    run = Run(proc.returncode, seconds, usage.ru_maxrss * KiB, stdout, stderr, killed[0] if killed else None)
    if run.returncode == 0:
        try:
            run.doc = json.loads(stdout)
        except ValueError:
            run.doc = None
    return run


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name, built in build_corpus(sys.argv[1], lazy="--lazy" in sys.argv).items():
        print(f"{name}\t{built}")
