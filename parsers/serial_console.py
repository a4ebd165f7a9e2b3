"""A boot-diagnostics serial console log (what the VM wrote to /dev/console / ttyS0).

Declares ``SPECS`` (serial_console) and ``SNIFF_ORDER`` for ``sniff``.

The console mixes several writers; each line is read by the first shape it has:

* VMSnapshotLinux messages. The backup extension copies its log messages to
  /dev/console as ``2024/05/14 02:05:02.123456  Warning  msg `` (UTC; two
  spaces on both sides of the level, one space at the end; Python 2 builds
  write the date with ``-``). ``component`` is "VMSnapshotLinux" and the level
  maps Info to INFO, Warning to WARNING, Error and Critical to ERROR, Verbose
  to VERBOSE. A message holding line breaks (mount tables, tracebacks) goes
  on over lines without that prefix, up to the line that ends with a space:
  those lines are joined to it. The end-space rule is trusted once one such
  line has ended with a space (a console saved with trailing blanks
  stripped keeps one record per line).
* The extension's Python 2 logger: ``2024/05/14 02:05:02 [<handler>-1.0]msg``,
  VM local time (``local_time`` True), level from an ``ERROR:`` or
  ``WARNING:`` before the bracket, component "VMSnapshotLinux".
* systemd status lines ``[  OK  ] Started ...``: component "systemd", level
  ERROR for FAILED, WARNING for DEPEND and TIME, INFO for OK and INFO, None
  for the ``[ *** ]`` progress marks.
* kernel lines (``[   12.345678] msg``), read as ``parsers.dmesg`` reads them:
  seconds since boot give no time.
* cloud-init lines (``cloud-init[812]: ...``, ``ci-info: ...``, log lines and
  stage banners, with or without a kernel stamp before them): component
  "cloud-init", time and level as ``parsers.cloud_init_log`` reads them.

Any other line is a record without time. Terminal colour codes are removed
from the text first.

Facts: ``vmsnapshot_stopped_in_freeze`` (``parsers.vmsnapshot_log.FreezeWatch``
over the VMSnapshotLinux records): a console that shows the extension start a
file-system freeze and never its result, thaw or job status is a VM that hung
frozen, whatever boot messages follow. ``os_distro`` and ``os_version`` from
the boot banner of FreeBSD and the firewalls built on it (``FreeBSD
12.3-RELEASE-p4 ...``, ``*** Welcome to pfSense 2.6.0-RELEASE ...``), only
where no other member named the distribution (os-release and the agent's own
banner say it better).

Sample input::

    [    0.000000] Linux version 5.15.0-1064-azure (buildd@lcy02-amd64-040) #73-Ubuntu SMP
    [  OK  ] Started Azure Linux Agent.
    [   25.118094] cloud-init[812]: Cloud-init v. 23.4.4 running 'init' at Tue, 14 May 2024 02:05:02 +0000.
    2024/05/14 02:35:40.118207  Info  T:S freeze, timeout value 60\x20
    2024/05/14 02:35:41.502913  Error  T:S freeze result freeze failed for some mount\x20
    vm-web01 login:
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

import regex

from azlog_vmbackup.core.masking import redact_sas
from azlog_vmbackup.core.model import Record
from azlog_vmbackup.core.text import micros, utc
from azlog_vmbackup.parsers.base import Lazy, ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("serial_console",
         r"[^/]*serial[^/]*console[^/]*|[^/]*serialconsole[^/]*|[^/]*bootdiagnostics[^/]*\.(?:log|txt)", log=True),
)
SNIFF_ORDER = 40  # before the logs whose lines a console also shows
SNIFF_HINT = r"\d\d:\d\d:\d\d|\x1b|0\.000000\] Linux version "  # \x1b: colours may split a console line

COMPONENT = "VMSnapshotLinux"

_CONSOLE = Lazy(
    r"(?P<y>\d{4})[/-](?P<mo>\d{2})[/-](?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<f>\d{1,6}))?  (?P<lvl>Info|Warning|Error|Verbose|Critical)  ")
_HANDLER_LOG = Lazy(
    r"(?P<y>\d{4})/(?P<mo>\d{2})/(?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2}) "
    r"(?P<sev>ERROR:|WARNING:)?\[[^\]\s]+-\d+(?:\.\d+)*\]")
_SYSTEMD = Lazy(r"\[ *(?P<st>OK|FAILED|DEPEND|TIME|INFO|\*+) *\] ")
_CLOUD_INIT = Lazy(r"(?:cloud-init\[\d+\]: |ci-info: )")
_KERNEL_START = Lazy(r"\[ *0\.000000\] Linux version ")
_OS_BANNER = Lazy(
    r"(?:FreeBSD (?P<bsd>\d+\.\d+)-(?:RELEASE|STABLE|CURRENT|PRERELEASE|BETA|RC)"
    r"|\*\*\* Welcome to (?P<fw>pfSense|OPNsense) (?P<fwver>\d+\.\d+(?:\.\d+)?))")
_ANSI = Lazy(r"\x1b(?:\[[0-9;?=]*[A-Za-z]|[()][0-9A-Za-z]|[=>c])")
_CONSOLE_LEVELS = {"Info": "INFO", "Warning": "WARNING", "Error": "ERROR",
                   "Critical": "ERROR", "Verbose": "VERBOSE"}
_SYSTEMD_LEVELS = {"OK": "INFO", "INFO": "INFO", "FAILED": "ERROR", "DEPEND": "WARNING",
                   "TIME": "WARNING"}


def _console(m: regex.Match) -> dict:
    t = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]),
            micros(m["f"]))
    return {"time": t, "level": _CONSOLE_LEVELS[m["lvl"]], "component": COMPONENT}


def _handler_log(text: str) -> dict | None:
    m = _HANDLER_LOG.match(text)
    if not m:
        return None
    t = utc(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]))
    level = {"ERROR:": "ERROR", "WARNING:": "WARNING"}.get(m["sev"])
    return {"time": t, "level": level, "component": COMPONENT, "local_time": True}


def _systemd(text: str) -> dict | None:
    m = _SYSTEMD.match(text)
    return None if m is None else {"level": _SYSTEMD_LEVELS.get(m["st"]), "component": "systemd"}


def _cloud_init(text: str) -> dict | None:
    from azlog_vmbackup.parsers import cloud_init_log  # the borrowed readers: imported to read, not to sniff

    m = _CLOUD_INIT.match(text)
    entry = cloud_init_log.read_line(text[m.end():] if m else text)
    if entry is None:
        return {"component": "cloud-init"} if m else None
    return {"time": entry.time, "level": entry.level, "component": "cloud-init",
            "local_time": entry.local_time}


def _kernel(text: str) -> dict | None:
    from azlog_vmbackup.parsers import dmesg

    line = dmesg.read_line(text)
    if line is None:
        return None
    if line.component == "cloud-init":
        return _cloud_init(line.body)
    return {"time": line.time, "level": line.level, "component": line.component,
            "local_time": line.local_time}


def read_line(text: str) -> dict | None:
    """Record fields (time, level, component, local_time) of a known console line, else None.

    >>> read_line('[FAILED] Failed to start Azure Linux Agent.')
    {'level': 'ERROR', 'component': 'systemd'}
    >>> read_line('2024/05/14 02:35:41.502913  Error  T:S freeze result x ')['level']
    'ERROR'
    >>> read_line('vm-web01 login:') is None
    True
    """
    m = _CONSOLE.match(text)
    return _console(m) if m else _other(text)


def _other(text: str) -> dict | None:
    for reader in (_handler_log, _systemd, _kernel, _cloud_init):
        fields = reader(text)
        if fields is not None:
            return fields
    return None


def _plain(text: str) -> str:
    return _ANSI.sub("", text) if "\x1b" in text else text


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per line, a VMSnapshotLinux message with its continuation lines; then the freeze fact.

    >>> ctx = context('serialconsole.log')
    >>> data = (b'2024/05/14 02:35:40.118207  Info  T:S freeze, timeout value 60 \\n'
    ...         b'2024/05/14 02:35:40.120300  Info  fsfreeze mount :/data \\n'
    ...         b'[  912.004213] INFO: task jbd2/sdc1-8:412 blocked for more than 120 seconds.\\n')
    >>> len(list(parse(io.BytesIO(data), ctx))), ctx.facts.value('vmsnapshot_stopped_in_freeze')
    (3, True)
    """
    from azlog_vmbackup.parsers.vmsnapshot_log import FreezeWatch

    freezes = FreezeWatch()
    banner = None
    for record in _records(stream, ctx):
        if record.component == COMPONENT:
            freezes.watch(record)
        elif record.component is None and ("FreeBSD " in record.message or "*** Welcome to " in record.message):
            banner = _os_banner(record) or banner
        yield record
    freezes.publish(ctx)
    if banner is not None and "os_distro" not in ctx.facts:
        line, distro, version = banner
        ctx.facts.set("os_distro", distro, ctx.path, line)
        ctx.facts.setdefault("os_version", version, ctx.path, line)


def _os_banner(record: Record) -> tuple[int, str, str] | None:
    """(line, os_distro, os_version) from a FreeBSD kernel or pfSense/OPNsense console banner.

    >>> _os_banner(Record('c', 7, 'FreeBSD 11.1-RELEASE-p10 #0 r313908: Wed Dec  5 13:58:41 EST 2018'))
    (7, 'freebsd', '11.1')
    >>> _os_banner(Record('c', 9, '*** Welcome to pfSense 2.4.4-RELEASE-p3 (amd64) on fw01 ***'))
    (9, 'pfsense', '2.4.4')
    """
    m = _OS_BANNER.match(record.message)
    if m is None:
        return None
    if m["bsd"]:
        return record.line, "freebsd", m["bsd"]
    return record.line, m["fw"].lower(), m["fwver"]


def _records(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    from azlog_vmbackup.parsers import cloud_init_log

    draft = None
    end_space_seen = False
    for number, raw in ctx.lines(stream):
        text = _plain(raw)
        console = _CONSOLE.match(text)
        fields = _console(console) if console else _other(text)
        if fields is None and draft is not None and draft.add(text):
            if text.endswith(" "):
                yield draft.record(ctx)
                draft = None
            continue
        if draft is not None:
            yield draft.record(ctx)
            draft = None
        if not text.strip():
            continue
        if fields is None:
            yield ctx.record(number, redact_sas(text))
            continue
        end_space_seen = end_space_seen or bool(console and text.endswith(" "))
        if console and end_space_seen and not text.endswith(" "):
            draft = cloud_init_log.Draft(number, text, **fields)
        else:
            yield ctx.record(number, redact_sas(text), **fields)
    if draft is not None:
        yield draft.record(ctx)


def sniff(head: str) -> bool:
    """True when ``head`` holds a VMSnapshotLinux console line or the kernel's first line.

    >>> sniff('2024/05/14 02:35:40.118207  Info  starting enable \\n')
    True
    >>> sniff('[    0.000000] Linux version 5.15.0-1064-azure (buildd@x)\\n')
    True
    >>> sniff('2024-05-14T02:05:02.123456Z INFO ExtHandler ExtHandler x\\n')
    False
    """
    lines = head.splitlines()
    return any(_CONSOLE.match(_plain(line)) for line in lines) or bool(_KERNEL_START.search(head))
