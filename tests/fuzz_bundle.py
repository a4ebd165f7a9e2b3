"""Coverage-guided fuzzing of ``analyze()`` with atheris (libFuzzer for Python).

Each input is written to a temporary file, ``bundle.zip`` when it starts with ``PK``, else
``bundle`` (so gzip, tar.gz and plain logs are recognised by content), and diagnosed with
``analyzer.analyze.analyze``. The one exception analyze may raise is ``BundleError``
(unreadable input); anything else is a crash, and libFuzzer saves the input that caused it.

    pip install atheris
    python tests/fuzz_bundle.py --make-corpus SEEDS       # the seed corpus, generated here
    python tests/fuzz_bundle.py CORPUS SEEDS -max_total_time=60
    python tests/fuzz_bundle.py crash-<sha1>               # replay one input

``.ci/fuzz`` does all of this. Importing this module (pytest collects doctests here) needs
no atheris.
"""
from __future__ import annotations

import atexit
import gzip
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

WAAGENT_LOG = """\
2024-03-02T10:15:20.100200Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1
2024-03-02T10:15:21.300400Z INFO ExtHandler ExtHandler Azure Linux Agent (Goal State Agent version 2.11.1.4)
2024-03-02T10:20:05.000100Z ERROR ExtHandler ExtHandler Error fetching the goal state: [ProtocolError] timed out
Traceback (most recent call last):
OSError: timed out
2019/07/01 08:00:00.123456 INFO ExtHandler ProcessGoalState completed [incarnation 4; 812 ms]
"""
VMSNAP_LOG = (
    "2025-03-04 08:15:02.441017 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]starting enable\n"
    "2025-03-04 08:15:09.002231 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Enable,error,121,,False\n"
    "================== Logs during Freeze Start ==============\n"
    "2025/03/04 08:15:05.120101  Info  2025-03-04 09:15:04 Failed to FIFREEZE: /data with error message: "
    "Device or resource busy\n"
)
GOAL_STATE = """<?xml version="1.0" encoding="utf-8"?>
<GoalState><Version>2012-11-30</Version><Incarnation>7</Incarnation>
<Machine><ExpectedState>Started</ExpectedState></Machine>
<Container><ContainerId>c</ContainerId><RoleInstanceList><RoleInstance><InstanceId>i</InstanceId>
<State>Started</State></RoleInstance></RoleInstanceList></Container></GoalState>
"""
STATUS = json.dumps([{"version": "1.0", "timestampUTC": "2024-05-14T02:09:41Z",
                      "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "operation": "Enable",
                                 "status": "error", "code": "121",
                                 "formattedMessage": {"lang": "en-US", "message": "freeze failed"}}}])
WAAPPAGENT_LOG = """\
[00000006] [03/04/2020 09:15:02.31] [INFO]  WindowsAzureGuestAgent starting. Version 2.7.41491.971
[0000001A] [03/04/2020 09:16:40.77] [ERROR] Failed to fetch the goal state: System.Net.WebException: timed out
   at Microsoft.WindowsAzure.GuestAgent.Example.Fetch()
"""
EXT = "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0"
LINUX_MEMBERS = {
    "var/log/waagent.log": WAAGENT_LOG,
    "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log": VMSNAP_LOG,
    f"{EXT}/status/3.status": STATUS,
    f"{EXT}/config/HandlerState": "Enabled",
    "var/lib/waagent/GoalState.7.xml": GOAL_STATE,
    "etc/waagent.conf": "Extensions.Enabled=y\nHttpProxy.Host=proxy\nHttpProxy.Port=3128\n",
}


def _zip(members: dict[str, str | bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _tar_gz(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in members.items():
            raw = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


def seeds() -> dict[str, bytes]:
    """A tiny seed corpus: each bundle shape azlog reads, holding a few real-format members."""
    history = _zip({"GoalState.7.xml": GOAL_STATE, "ExtensionsConfig.7.xml": "<Extensions/>"})
    out = {
        "linux-deflated.zip": _zip(LINUX_MEMBERS),
        "linux-stored.zip": _zip(LINUX_MEMBERS, zipfile.ZIP_STORED),  # stored: mutations reach the members
        "nested-history.zip": _zip({"var/lib/waagent/history/2024-05-14T02-05-02__7.zip": history,
                                    "var/log/waagent.log.1.gz": gzip.compress(WAAGENT_LOG.encode())},
                                   zipfile.ZIP_STORED),
        "windows.zip": _zip({"WindowsAzure/Logs/WaAppAgent.log": WAAPPAGENT_LOG,
                             "Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0/Status/0.status": STATUS,
                             "registry/agent.reg": 'Windows Registry Editor Version 5.00\r\n\r\n'
                                                   '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\'
                                                   'Virtual Machine\\Guest]\r\n'
                                                   '"GuestAgentVersion"="2.7.41491.1102"\r\n'},
                            zipfile.ZIP_STORED),
        "sosreport.tar.gz": _tar_gz({"sosreport-vm/" + k: v for k, v in LINUX_MEMBERS.items()}),
        "waagent.log.gz": gzip.compress(WAAGENT_LOG.encode()),
        "waagent.log": WAAGENT_LOG.encode(),
        "extension-utf16.log": VMSNAP_LOG.encode("utf-16"),
        "waappagent-crlf.log": WAAPPAGENT_LOG.replace("\n", "\r\n").encode(),
    }
    try:
        sys.path.insert(0, str(ROOT))
        from tests.helpers.evtx_writer import Event, write_evtx
        out["windows-evtx.zip"] = _zip({"Windows/System32/winevt/Logs/System.evtx": write_evtx([[Event(
            7031, "Service Control Manager", 2, "System", datetime(2024, 3, 7, 10, 26, 3, tzinfo=timezone.utc),
            [("param1", "Windows Azure Guest Agent"), ("param2", "1")])]])}, zipfile.ZIP_STORED)
    except ImportError:
        pass
    return out


def make_corpus(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds().items():
        Path(directory, name).write_bytes(data)


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[1] == "--make-corpus":
        make_corpus(argv[2])
        return
    import atheris

    with atheris.instrument_imports(include=["azlog_vmbackup"]):
        import azlog_vmbackup.parsers.base  # noqa: F401  (parsers are imported lazily by analyze: instrument them now)
        from azlog_vmbackup.analyzer.apps.analyze import analyze
        from azlog_vmbackup.analyzer.knowledge.store import Knowledge
        from azlog_vmbackup.core.bundle import BundleError
        from azlog_vmbackup.parsers import registry
        for name in sorted({s.parser for s in registry.TABLE if s.parser} | {"text_generic"}):
            __import__(f"azlog_vmbackup.parsers.{name}")

    knowledge = Knowledge.load()
    # AZLOG_FUZZ_COLLECT=DIR: keep going after a crash, saving the first input of each distinct one there
    collect, seen = os.environ.get("AZLOG_FUZZ_COLLECT"), set()
    # where each input is written: under AZLOG_FUZZ_WORK when set (.ci/fuzz removes that folder; libFuzzer may end
    # the process without running exit handlers), and removed at exit otherwise
    workdir = tempfile.mkdtemp(prefix="azlog-fuzz-", dir=os.environ.get("AZLOG_FUZZ_WORK"))
    atexit.register(shutil.rmtree, workdir, True)

    def test_one_input(data: bytes) -> None:
        path = os.path.join(workdir, "bundle.zip" if data.startswith(b"PK") else "bundle")
        with open(path, "wb") as f:
            f.write(data)
        try:
            analyze(path, knowledge)
        except BundleError:
            pass
        except Exception as e:
            if collect is None:
                raise
            _collect(collect, seen, e, data)
        finally:
            os.unlink(path)

    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def _collect(directory: str, seen: set, error: Exception, data: bytes) -> None:
    import traceback
    frame = traceback.extract_tb(error.__traceback__)[-1]
    key = (type(error).__name__, frame.filename, frame.lineno)
    if key in seen:
        return
    seen.add(key)
    os.makedirs(directory, exist_ok=True)
    name = f"{len(seen):02d}-{type(error).__name__}"
    Path(directory, name).write_bytes(data)
    Path(directory, name + ".txt").write_text("".join(traceback.format_exception(error)))
    print(f"\n=== new crash {name}: {type(error).__name__}: {error} at {frame.filename}:{frame.lineno}", flush=True)


if __name__ == "__main__":
    main(sys.argv)
