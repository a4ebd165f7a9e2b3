"""Measure azlog's throughput and peak memory on large agent and extension logs, beside grep.

    python bench/bench.py --sizes 100,300,1000 [--kind waagent|windows|extension] [--work DIR]
                          [--engine default,regex] [--failing] [--repeat N]

For each size it writes a log of that many MB, the backup failure at its very end, times ``rg -j1
-c`` (when installed) and ``grep -E -c`` with the same 100 message patterns over the file, then runs ``azlog
analyze FILE --format json`` in a fresh process for each engine of ``--engine`` (a comma list run as
AZLOG_ENGINE; ``default`` is what azlog picks, ``both`` each engine installed), and reports wall time,
MB/s, the time as a multiple of ripgrep's, peak memory (the proportional set size of the command and
the processes it starts, so memory they share is counted once) and the result (azlog's top cause); with ``--repeat
N`` each command runs N times and the median time is shown. ``--kind``
picks the log: ``waagent`` (the default), a waagent.log of modern agent traffic (heartbeats,
goal-state processing, extension handling, the host plugin's hourly warning; the wireserver lost at
the end); ``windows``, a WaAppAgent.log in CRLF (heartbeats, goal states processing the backup and
the monitoring plugin; the wireserver lost at the end); ``extension``, the Linux backup extension's
extension.log (a job every four hours: enable, daemon, mounts, blob checks, freeze block, host
snapshot, status; the last job's file-system freeze fails). With ``--failing``, each size also gets
a log of a VM that has been failing for days (every tenth record a failure): the worst case for
azlog, which reads every record a signature may match in full. The files are written to --work
(default bench/out/, which git ignores) and reused when already there; azlog runs with the bytecode
cache on, as installed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = 0.02  # seconds between two looks at a running command's memory
EXT = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
AGENT = "2.13.1.1"

ROUTINE = [
    ("INFO", "ExtHandler ExtHandler", "[HEARTBEAT] Agent WALinuxAgent-{agent} is running as the goal state agent "
     "[DEBUG HeartbeatCounter: {n};HeartbeatId: 5F2C1A3E-{n:08d};DroppedPackets: 0;UpdateGSErrors: 0;"
     "AutoUpdate: 1;UpdateMode: SelfUpdate;]"),
    ("INFO", "ExtHandler ExtHandler", "ProcessExtensionsGoalState started [incarnation_{inc} channel: WireServer "
     "source: Fabric activity: 9b1e0c2a-{n:08d} correlation 4f7d2b11-{n:08d} created: 2026-11-19T22:00:00.000000Z]"),
    ("INFO", f"ExtHandler [{EXT}-1.0.9225.0]", "Target handler state: enabled [incarnation_{inc}]"),
    ("INFO", f"ExtHandler [{EXT}-1.0.9225.0]", "[Enable] current handler state is: enabled"),
    ("INFO", "ExtHandler ExtHandler", "ProcessExtensionsGoalState completed [incarnation_{inc} {ms} ms]"),
    ("INFO", "MonitorHandler ExtHandler",
     "[CGI] Collecting metrics for the agent's cgroup: cpu and memory usage within limits"),
    ("INFO", "EnvHandler ExtHandler", "Test for route to 168.63.129.16"),
    ("INFO", "EnvHandler ExtHandler", "Route to 168.63.129.16 exists"),
    ("INFO", "ExtHandler ExtHandler", "Fetching full goal state from the WireServer [incarnation {inc}]"),
    ("INFO", "ExtHandler ExtHandler", "Fetch goal state completed"),
    ("INFO", "ExtHandler ExtHandler", "All extensions in the goal state have reached a terminal state: "
     "[('Microsoft.Azure.Monitor.AzureMonitorLinuxAgent', 'success'), ('{ext}', 'success')]"),
    ("WARNING", "MonitorHandler ExtHandler", "Error in SendHostPluginHeartbeat: [HttpError] [HTTP Failed] GET "
     "http://168.63.129.16:32526/health -- IOError timed out -- 1 attempts made --- "
     "[NOTE: Will not log the same error for the next hour]"),
]
FAILURE = [
    ("ERROR", "ExtHandler ExtHandler", "Error fetching the goal state: [ProtocolError] [Wireserver Exception] "
     "[HttpError] [HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out -- 6 attempts made"),
    ("ERROR", "ExtHandler ExtHandler", "Event: name={ext}, op=Enable, message=[ExtensionError] Timeout(300): "
     "/var/lib/waagent/{ext}-1.0.9225.0/main/handle.sh enable, duration=0"),
    ("ERROR", "ExtHandler ExtHandler", "Fetching the goal state is still failing: [ProtocolError] "
     "[Wireserver Exception] [HttpError] [HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out -- "
     "6 attempts made"),
]
FAILING_EVERY = 10
# 100 message patterns (extended regular expressions), the kind a person greps a bundle for
PATTERNS = [
    r"\[HTTP Failed\] (GET|POST|PUT) http://168\.63\.129\.16[^ ]* -- IOError .* -- [0-9]+ attempts made",
    r"Fetching the goal state is still failing", r"Error fetching the goal state",
    r"Protocol endpoint not found: .*WireProtocol endpoint is None", r"No route exists to 168\.63\.129\.16",
    r"\[DhcpError\] Failed to receive dhcp response", r"No protocol found\.",
    r"Download failed both on the primary and fallback channels", r"Failed to download .* from all URIs",
    r"Failed to upload status blob via either channel", r"Exception uploading status blob",
    r"The firewall is not configured correctly", r"Unable to setup the persistent firewall rules",
    r"GET vmSettings .*Request failed", r"Agent WALinuxAgent-[0-9.]+ restarted more than [0-9]+ times",
    r"Agent .* failed with exception", r"launched with command .* failed with return code",
    r"Daemon ended with exception", r"thread died, restarting", r"Agent did not terminate cleanly",
    r"will not be processed since extension processing is disabled", r"Extensions\.Enabled is set to False",
    r"AutoUpdate\.Enabled is set to False", r"Unable to update Agent", r"is permanently (disabled|blacklisted)",
    r"Event: name=Microsoft\.Azure\.RecoveryServices\.VMSnapshotLinux, op=(Download|Install|Enable|Update)",
    r"\[ExtensionError\] Timeout\([0-9]+\)", r"Non-zero exit code: [0-9]+", r"is mounted with the noexec flag",
    r"Unable to find version .* in manifest", r"The agent has been throttled for [0-9.]+ seconds",
    r"CPUThrottledTime\([0-9.]+secs\)", r"memory limit [0-9]+ bytes exceeded", r"Out of memory: Kill",
    r"Certificate .* needed by .* is missing", r"Unable to download certificates",
    r"couldn't read any status for", r"no status file was reported by extension",
    r"Disabling the guest agent by sleeping forever", r"Failed to call http with error",
    r"Hitting wrong WireServer IP", r"snapshot resp status: 403", r"Failed to FIFREEZE",
    r"freeze failed for some mount", r"freeze timed-out", r"Failed to open: .* with error",
    r"The snapshot count against this blob has been exceeded", r"The rate of snapshot blob calls is exceeded",
    r"Failed to log status in extension173", r"cannot get status report parameters , Exception 556",
    r"CRP timeout limit has reached", r"Prescript for .* failed with error code", r"Failed to call the daemon",
    r"python version unknown", r"No module named", r"Failed to decrypt protected settings",
    r"StatusCode\.FailedSnapshotLimitReached", r"StatusCode\.FailedRetryableSnapshotFailedNoNetwork",
    r"StatusCode\.FailedRetryableFsFreezeFailed", r"StatusCode\.FailedRetryableFsFreezeTimeout",
    r"StatusCode\.FailedRetryableUnableToOpenMount", r"StatusCode\.FailedHostSnapshotRemoteServerError",
    r"Enable,error,[0-9]+,", r"Mount Points already freezed", r"Failed to receive timely Thaw",
    r"Error in SendHostPluginHeartbeat", r"\[ProtocolError\]", r"\[HttpError\]", r"ResourceGoneError",
    r"Failed to report vm agent status", r"Extension heartbeat is not responsive", r"Unresponsive",
    r"Failed to send DHCP request", r"WireServer is not responding", r"Retry detect protocol",
    r"Failed to retrieve .* manifest", r"\[ExtensionDownloadError\]", r"\[ExtensionOperationError\]",
    r"HandlerManifest\.json not found", r"Failed to load manifest file", r"Malformed manifest file",
    r"Error while unzipping extension package", r"PluginSettings Version Mismatch",
    r"Error parsing ExtensionsConfig", r"Failing GS .* as Unsupported features found",
    r"Unexpected error when processing goal state", r"Error processing extensions",
    r"Dependent Extension .* did not reach a terminal state", r"Extension handling is on hold",
    r"Is DHCP enabled", r"cached endpoint not found", r"IMDS_CONNECTION_ERROR",
    r"Check on cgroups failed", r"Systemd process exited with code", r"Agent .* is an orphan",
    r"Daemon is already running", r"Agent .* is reached memory limit",
    r"The extensions goal state is out of sync with the tenant cert", r"Timeout downloading",
    r"Fetch failed: \[HttpError\]",
]
assert len(PATTERNS) == 100, len(PATTERNS)


def write_log(path: Path, megabytes: float, seed: int = 7, failure: bool = True,
              start: datetime = datetime(2026, 11, 1, tzinfo=timezone.utc), failing_every: int = 0) -> None:
    """A modern-format waagent.log of about ``megabytes`` MB from ``start``, the failure in its last lines
    (routine traffic only without ``failure``); with ``failing_every`` N, every Nth line is the goal-state
    error, as on a VM that has lost the wireserver for days."""
    rnd = random.Random(seed)
    t = start
    target = megabytes * 1_000_000
    size = 0
    n = 0
    hourly = ROUTINE[-1]  # the agent itself logs this warning at most once an hour (see its NOTE)
    last_hourly = t - timedelta(hours=1)
    with open(path, "w", encoding="ascii", newline="\n") as out:
        while size < target:
            level, who, text = ROUTINE[rnd.randrange(len(ROUTINE))]
            if failing_every and n % failing_every == 0:
                level, who, text = FAILURE[0]
            elif (level, who, text) == hourly:
                if t - last_hourly < timedelta(hours=1):
                    continue
                last_hourly = t
            n += 1
            t += timedelta(milliseconds=rnd.randrange(50, 4000))
            line = f"{t:%Y-%m-%dT%H:%M:%S.%f}Z {level} {who} " + text.format(
                agent=AGENT, n=n, inc=n // 500 + 1, ms=rnd.randrange(20, 900), ext=EXT) + "\n"
            out.write(line)
            size += len(line)
        for level, who, text in FAILURE if failure else ():
            t += timedelta(seconds=30)
            out.write(f"{t:%Y-%m-%dT%H:%M:%S.%f}Z {level} {who} " + text.format(ext=EXT) + "\n")


WIRE = "168.63.129.16"
PLUGIN = "Microsoft.Azure.RecoveryServices.VMSnapshot"
PLUGIN_VERSION = "1.0.92.0"
MONITOR = "Microsoft.Azure.Monitor.AzureMonitorWindowsAgent"
# WaAppAgent.log: (level, thread id, message); {plugin} and {ver} are the backup or the monitoring plugin
WINDOWS_ROUTINE = [
    ("HEART", 0x14, "WindowsAzureGuestAgent Heartbeat."),
    ("INFO", 0x0E, "Start Workflow."),
    ("INFO", 0x0E, "Starting installation/update of plugins. Incarnation: {inc}, extension count: 2"),
    ("WARN", 0x0E, "Start the root task for Plugin handler '{plugin}' Runtime Settings of extension ''."),
    ("INFO", 0x1A, "Starting extension processing for extension 'HandlerName: '{plugin}', ExtensionName: ''"),
    ("WARN", 0x1A, "Processing plugin {plugin} version {ver}, state: enabled, autoupgrade: True, isJson: True"),
    ("INFO", 0x1A, "Getting plugin locations for plugin '{plugin}'. Current Version: '{ver}', Requested Version: "
                   "'1.0'"),
    ("INFO", 0x1A, "Auto-Upgrade mode. Highest public version for plugin '{plugin}' with requested version: '1.0', "
                   "is: '{ver}'"),
    ("INFO", 0x1A, "Waiting for command C:\\Packages\\Plugins\\{plugin}\\{ver}\\enable.cmd"),
    ("INFO", 0x1A, "Enable command of {plugin} has exited with Exit code: 0"),
    ("INFO", 0x1A, "Plugin {plugin} version {ver} reported status 'success' for sequence number {seq}"),
    ("INFO", 0x0B, f"Using fabric URI http://{WIRE}/."),
]
WINDOWS_FAILURE = [
    ("ERROR", 0x0B, "GetVersions() failed with exception: System.AggregateException: One or more errors occurred. "
                    "---> System.Net.Http.HttpRequestException: An error occurred while sending the request. ---> "
                    "System.Net.WebException: Unable to connect to the remote server ---> System.Net.Sockets."
                    "SocketException: An attempt was made to access a socket in a way forbidden by its access "
                    f"permissions {WIRE}:80"),
    ("ERROR", 0x0E, "ControlSystem not initialized. Skip getting goal state"),
    ("ERROR", 0x0E, "There was no match for protocol version. ControlSystem not initialized."),
]
EXT_TAG = f"[{EXT}-1.0]"
EXT_DIR = f"/var/lib/waagent/{EXT}-1.0.9225.0/"
MOUNTS = ["sysfs on /sys type sysfs (rw,nosuid,nodev,noexec,relatime)",
          "proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)",
          "udev on /dev type devtmpfs (rw,nosuid,relatime,size=4013924k,nr_inodes=1003481,mode=755)",
          "/dev/sda1 on / type ext4 (rw,relatime,discard)", "/dev/sdc1 on /data type xfs (rw,relatime,attr2)",
          "/dev/sdb1 on /mnt type ext4 (rw,relatime)"] + [
          f"cgroup on /sys/fs/cgroup/{c} type cgroup (rw,nosuid,nodev,noexec,relatime,{c})"
          for c in ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids")]


def write_windows_log(path: Path, megabytes: float, seed: int = 7, failure: bool = True,
                      start: datetime = datetime(2026, 11, 1, tzinfo=timezone.utc), failing_every: int = 0) -> None:
    """A WaAppAgent.log (ISO times, CRLF) of about ``megabytes`` MB from ``start``, the failure in its last
    records; with ``failing_every`` N, every Nth record is the first failure line."""
    rnd = random.Random(seed)
    t = start
    target = megabytes * 1_000_000
    size = n = 0
    with open(path, "w", encoding="ascii", newline="\r\n") as out:
        def write(level: str, tid: int, text: str) -> int:
            line = f"[{tid:08X}] {t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z [{level}] {text}\n"
            out.write(line)
            return len(line) + 1

        for tid, text in ((0x06, "WindowsAzureGuestAgent starting. Version 2.7.41491.1102"),
                          (0x0B, f"Using fabric address {WIRE} from DHCP.")):
            size += write("INFO", tid, text)
        while size < target:
            n += 1
            t += timedelta(milliseconds=rnd.randrange(50, 4000))
            failing = failing_every and n % failing_every == 0
            level, tid, text = WINDOWS_FAILURE[0] if failing else WINDOWS_ROUTINE[rnd.randrange(len(WINDOWS_ROUTINE))]
            plugin, ver = (PLUGIN, PLUGIN_VERSION) if rnd.randrange(2) else (MONITOR, "1.22.0.0")
            size += write(level, tid, text.format(plugin=plugin, ver=ver, inc=n // 500 + 1, seq=n // 5000))
        for level, tid, text in WINDOWS_FAILURE if failure else ():
            t += timedelta(seconds=30)
            write(level, tid, text)


def extension_job(t: datetime, seq: int, rnd: random.Random, failed: bool = False) -> list[str]:
    """One backup job of the py3 handler from ``t``: enable, daemon, mounts, blob checks, freeze block, host
    snapshot, status; with ``failed`` the file-system freeze fails."""
    lines = []

    def say(msg: str) -> None:
        nonlocal t
        t += timedelta(microseconds=rnd.randrange(30, 900_000))
        first, *rest = msg.split("\n")
        lines.extend([f"{t:%Y-%m-%d %H:%M:%S.%f} {EXT_TAG}{first}", *rest])

    def block(level: str, msg: str) -> str:
        return f"{t:%Y/%m/%d %H:%M:%S.%f}  {level}  {msg} "

    task = f"{rnd.getrandbits(128):032x}"
    for phase in ("enable", "daemon"):
        say(f"Change log file to /var/log/azure/{EXT}/extension.log")
        say(f"sequence number from environment variable is {seq}")
        say(f"setting file path is{EXT_DIR}config/{seq}.settings")
        say("waagent new path is used")
        say("starting enable" if phase == "enable" else "starting daemon initially")
        say("patch_class_name: DefaultPatching and orig_distro: Default")
        say("Reading customSettings from public_settings")
        say(f"taskId: {task}")
    say("Enable,success,4,Transitioning state in extension,False")
    say("getting the mount info using mount_path /proc/mounts\n" + "\n".join(MOUNTS))
    for mount in MOUNTS:
        say(f"print line by line :{mount}")
    for mount in ("/", "/data"):
        say(f"mounts list item added, mount point {mount}, fs-type {'xfs' if mount == '/data' else 'ext4'}")
    for blob in ("status", "logs") * 2:
        say("Entered HttpCallGetResponse, isHostCall: False")
        say(f"Details of sas uri object  hostname: backupstore.blob.core.windows.net path: "
            f"/iaasvmcontainerv2/{blob}-{task}.txt")
        say("GetBlobProperties: HttpCallGetResponse : result :1, errMsg :None")
        say("httpresponse_get_blob_properties: Blob-properties response status:200")
        say("GetBlobProperties: blobProperties : blobType: BlockBlob contentLength: 0")
        say("Returning HttpUtil")
    say("safeFreezeBinary exists True")
    say("snapshotMethodConfigValue : firstHostThenGuest")
    say("start calling the presnapshot rest api")
    say(f"Details of sas uri object  hostname: {WIRE} path: /metadata/recsvc/snapshot/presnapshot")
    say("PreSnapshot: Status Code: 200")
    say("Taking Snapshot through Host")
    say("T:S freeze, timeout value 60")
    say("fsfreeze mount :/")
    say("fsfreeze mount :/data")
    say("proceeded for accepting signals")
    freeze = [block("Info", "Aquiring lock succeeded"), block("Info", "Thread for binary is called"),
              block("Info", "****** 1. Starting Freeze Binary "), block("Info", "Binary subprocess Created"),
              block("Info", "freezed")]
    if failed:
        freeze += [block("Info", f"{t:%Y-%m-%d %H:%M:%S} Failed to FIFREEZE: /data with error message: Device or "
                                 "resource busy"), block("Error", "freeze failed for some mount")]
    freeze += [block("Info", "T:S freeze result , timedout :False"),
               block("Info", "****** 7. Sending Thaw Signal to Binary")]
    say("\n".join(["Guest Agent Version is :WALinuxAgent-2.0.16", "Distro Info:Default",
                   "=" * 18 + " Logs during Freeze Start " + "=" * 14, *freeze,
                   "=" * 18 + " Logs during Freeze End " + "=" * 14]))
    if failed:
        say("Enable,error,121,freeze failed for some mount,False")
        return lines
    for disk in range(2):
        say(f"From Host- IsSuccessful:true, SnapshotUri:https://md-{task[:12]}.z20.blob.storage.azure.net/{disk}"
            f"?snapshot={t:%Y-%m-%dT%H:%M:%S}Z, ErrorMessage:None, StatusCode:201")
    say("T:S thaw result , thawed: True")
    say("Enable,success,1,,False")
    say("file status report message:")
    say('[{"status": {"status": "success", "code": "1", "substatus": [{"name": "{\\"telemetryData\\": '
        '[{\\"Key\\": \\"pythonVersion\\", \\"Value\\": \\"3.11.2\\"}]}"}]}}]')
    say("Returning HttpUtil")
    return lines


def write_extension_log(path: Path, megabytes: float, seed: int = 7, failure: bool = True,
                        start: datetime = datetime(2024, 11, 1, 2, tzinfo=timezone.utc),
                        failing_every: int = 0) -> None:
    """An extension.log of about ``megabytes`` MB of jobs every four hours from ``start``, the last one's freeze
    failing; with ``failing_every`` N, every Nth job's freeze fails too."""
    rnd = random.Random(seed)
    target = megabytes * 1_000_000
    size = seq = 0
    with open(path, "w", encoding="ascii", newline="\n") as out:
        while size < target:
            seq += 1
            failing = bool(failing_every and seq % failing_every == 0)
            text = "\n".join(extension_job(start + timedelta(hours=4 * seq), seq, rnd, failing)) + "\n"
            out.write(text)
            size += len(text)
        if failure:
            out.write("\n".join(extension_job(start + timedelta(hours=4 * seq + 4), seq + 1, rnd, True)) + "\n")


KINDS = {"waagent": ("waagent.log", write_log), "windows": ("WaAppAgent.log", write_windows_log),
         "extension": ("extension.log", write_extension_log)}


def installed_env() -> dict[str, str]:
    """This environment, with Python's bytecode cache on (as in an installed azlog): runs measure the work,
    not the compiling of azlog's sources that PYTHONDONTWRITEBYTECODE would repeat at every start."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it (those still running)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += map(int, (task / "children").read_text().split())
        except OSError:
            continue
    return out


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every process below it."""
    total = 0
    for p in _tree(pid):
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * 4096
        except (OSError, IndexError):
            continue
    return total


def tree_pss(pid: int) -> int:
    """Proportional set size, in bytes, of ``pid`` and every process below it: memory shared by several of them
    (a fork's inherited pages, shared memory) counted once in all."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:")) * 1024
        except (OSError, StopIteration):
            continue
    return total


def timed(cmd: list[str], env: dict | None = None, repeat: int = 1, tree: bool = False) -> tuple[float, int, str]:
    """Wall seconds (the median of ``repeat`` runs), peak memory in MiB and stdout (the last run's) of ``cmd``,
    each run in its own process. The memory is the largest process's peak RSS; with ``tree`` (a command that
    may start processes of its own), the larger of that and the proportional set size of all its processes,
    sampled every ``SAMPLE`` seconds in one more run (so looking costs the timed runs nothing)."""
    runs = [_run(cmd, env, sample=False) for _ in range(repeat)]
    peak = max(r[1] for r in runs)
    if tree:
        peak = max(peak, _run(cmd, env, sample=True)[1])
    return statistics.median(r[0] for r in runs), peak, runs[-1][2]


def _run(cmd: list[str], env: dict | None, sample: bool) -> tuple[float, int, str]:
    """One run's wall seconds, peak memory in MiB and stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**installed_env(), **(env or {})})
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
    reader.start()
    peak = 0
    while reader.is_alive():
        if sample:
            peak = max(peak, tree_pss(proc.pid))
        reader.join(SAMPLE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, max(usage.ru_maxrss * 1024, peak) >> 20, out[0].decode("utf-8", "replace")


def measure(log: Path, name: str, azlog: list[str], engines: list[str | None], patterns: Path,
            rg: str | None, repeat: int = 1) -> list[tuple]:
    """One table row per tool on ``log``: (tool, MB, seconds, peak memory MiB, result); ripgrep's row first."""
    real_mb = log.stat().st_size / 1e6
    label = f", {name}" if name else ""
    rows = []
    if rg:
        secs, rss, out = timed([rg, "-j1", "-c", "-f", str(patterns), str(log)], repeat=repeat)
        rows.append((f"rg -j1 -f (100 patterns{label})", real_mb, secs, rss, f"{out.strip()} matching lines"))
    secs, rss, out = timed(["grep", "-E", "-c", "-f", str(patterns), str(log)], repeat=repeat)
    rows.append((f"grep -E -f (100 patterns{label})", real_mb, secs, rss, f"{out.strip()} matching lines"))
    for engine in engines:
        secs, rss, out = timed(azlog + [str(log), "--format", "json"], {"AZLOG_ENGINE": engine} if engine else None,
                               repeat, tree=True)
        document = json.loads(out) if out.strip() else {}
        diagnoses = document.get("diagnoses") or []
        top = f"{diagnoses[0]['cause']} ({diagnoses[0]['confidence']})" if diagnoses else "no cause named"
        ran = document.get("engine", "?")
        rows.append((f"azlog ({'default: ' + ran if engine is None else ran}{label})", real_mb, secs, rss, top))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,300", help="comma-separated sizes in MB")
    ap.add_argument("--kind", choices=tuple(KINDS), default="waagent", help="which log to write and read")
    ap.add_argument("--work", type=Path, default=HERE / "out")
    ap.add_argument("--engine", default="default",
                    help="comma list of engines (AZLOG_ENGINE): default (what azlog picks), regex, hyperscan, "
                    "or both (each installed one)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command; the median time is shown")
    ap.add_argument("--failing", action="store_true",
                    help=f"also a log of a VM failing for days (every {FAILING_EVERY}th record a failure)")
    args = ap.parse_args()
    engines: list[str | None] = []
    for choice in args.engine.split(","):
        if choice == "both":
            from importlib.util import find_spec

            engines += ["regex"] + (["hyperscan"] if find_spec("hyperscan") else [])
        else:
            engines.append(None if choice == "default" else choice)
    rg = shutil.which("rg")
    args.work.mkdir(parents=True, exist_ok=True)
    patterns = args.work / "patterns.txt"
    patterns.write_text("\n".join(PATTERNS) + "\n")
    azlog = [sys.executable, "-m", "azlog_vmbackup", "analyze"]
    subprocess.run(azlog[:-1] + ["--help"], env=installed_env(), capture_output=True)  # bytecode cached
    variants = [("", 0)] + ([("failing", FAILING_EVERY)] if args.failing else [])
    file_name, write = KINDS[args.kind]
    folder = "" if args.kind == "waagent" else args.kind + "-"
    rows = []
    for mb in (int(s) for s in args.sizes.split(",")):
        for name, every in variants:
            log = args.work / f"{folder}{mb}MB{'-' + name if name else ''}" / file_name
            if not log.exists():
                log.parent.mkdir(exist_ok=True)
                write(log, mb, failing_every=every)
            rows.extend(measure(log, name, azlog, engines, patterns, rg, args.repeat))
    print("| tool | file MB | seconds | MB/s | x ripgrep | peak memory MiB | result |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    baseline = None
    for tool, mb, secs, rss, res in rows:
        if tool.startswith("rg "):
            baseline = secs
        ratio = f"{secs / baseline:.2f}" if baseline else "-"
        print(f"| {tool} | {mb:.0f} | {secs:.2f} | {mb / secs:.0f} | {ratio} | {rss} | {res} |")


if __name__ == "__main__":
    main()
