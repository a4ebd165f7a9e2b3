"""The path table: which spec (format) a bundle member is, and which parser reads it.

A member path is normalised (lower case, ``/`` separators, no drive letter or
leading ``/``) and matched against ``TABLE`` in order; the first pattern that
matches names the spec. Patterns match a path *suffix* at a ``/`` boundary, so
the same table serves a collector zip (``var/log/waagent.log``), a sosreport
(``sosreport-vm-2024/var/log/waagent.log``) and a bare folder.
A member no pattern names is sniffed by content (``sniff()`` of the parsers
that declare a ``SNIFF_ORDER``, lowest first, each asked only when its ``SNIFF_HINT``
is found in the text), then read by the generic text parser if it is text.

The rows come from what each parser module declares (``SPECS``, see ``parsers.base``)
and the two rows no parser reads, in the order of ``ORDER``. The declarations are read
from the table written ahead (``paths.json``, see ``WRITTEN``) while it is keyed by the
declarations as they are (``source_key``), else from the sources: importing the registry
imports no parser; a parser is imported when a member of its spec is read or sniffed.
A row's regex is compiled when a path first holds one of the literals every match of
it holds (the written table's ``literals``), so a bundle compiles the few rows its
paths come near.
"""
from __future__ import annotations

import importlib
import json
import re
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import regex

from azlog_vmbackup.core.digest import digest
from azlog_vmbackup.core.model import OS
from azlog_vmbackup.parsers import base
from azlog_vmbackup.parsers.base import EXT_DIR, Skim, Spec

_PROTECTED = "holds the extension's protected settings; not read"

# Where the rows of the path table come from, in matching order (the first pattern that matches wins):
# a parser module's SPECS, or a row no parser reads. The one list of parser modules (and TEXT's below).
# Rotated and truncated__ names (waagent.log-1.xml, truncated__var_log_messages-1.settings) can match a
# later pattern too: the order below keeps the hand-written table's answer for every path.
ORDER: tuple[str | Spec, ...] = (
    "waagent_log", "vmsnapshot_log", "vmsnapshot_shell_log",
    "vmsnapshot_events",  # before waagent_status: events/<any name>.json
    "extension_status", "handler_state", "handler_status",
    Spec("extension_settings", EXT_DIR + r"config/[^/]*(?:\.settings|_settings)", reason=_PROTECTED),
    "handler_environment", "heartbeat",
    "goal_state_xml", "extensions_config_xml", "hosting_env_xml", "shared_config_xml", "ovf_env_xml",
    "waagent_status", "waagent_conf", "os_release", "dhcp_lease", "collector_results",
    "syslog", "journal", "systemctl_status", "dmesg", "cloud_init_log",
    "iptables", "ip_route",  # firewall listings and the routing table (sosreport, saved command output)
    # Windows: C:\WindowsAzure, C:\Packages, C:\Windows wherever they sit (CollectGuestLogs, Disk Inspect, az vm repair)
    "waappagent_log", "vmagent_installer_xml",
    "windows_plugin_log",  # after the Linux logs and heartbeat: Logs/Plugins/<a>/<b>/<any name>.log
    Spec("extension_settings", r"packages/plugins/[^/]+/[^/]+/runtimesettings/[^/]*\.settings", reason=_PROTECTED),
    "windows_evtx",
    "windows_event_export",  # after the XML parsers: EventLogs/<any name>.xml
    "reg_export",
    "serial_console",  # last: any name holding "serial" then "console"
)
TEXT = Spec("text", "", "text_generic", log=True)
PARSERS: tuple[str, ...] = (*(s for s in ORDER if isinstance(s, str)), TEXT.parser)  # every parser module

# A declaration paragraph: from the first top-level SPECS or SNIFF_ORDER line to the next blank line.
_DECLARATION = re.compile(r"^(?:SPECS|SNIFF_ORDER)\b.*?(?=\n[ \t]*\n|\Z)", re.M | re.S)
_BASE_NAMES = {k: v for k, v in vars(base).items() if not k.startswith("_")}


def _source_declaration(name: str) -> dict:
    """The names parser module ``name`` sets in its declaration paragraph, run alone with those of ``parsers.base``."""
    found = _declaration(name)
    names = dict(_BASE_NAMES)
    if found:
        exec(compile(found, f"{name}.py", "exec"), names)  # noqa: S102 - the package's own source
    return names


def _declaration(name: str) -> str:
    """Parser module ``name``'s declaration paragraph, as written ("" when it has none)."""
    found = _DECLARATION.search(Path(__file__).with_name(f"{name}.py").read_text(encoding="utf-8"))
    return found.group() if found else ""


def declarations() -> dict:
    """What each parser module declares, read from the sources, as the written table holds it: ``{name:
    {"specs": [Spec fields but parser], "sniff_order": ..., "sniff_hint": ...}}``."""
    out = {}
    for name in PARSERS:
        specs, order, hint = _declared(name)
        out[name] = {"specs": [{"name": s.name, "pattern": s.pattern, "reason": s.reason, "os": s.os.value,
                                "log": s.log} for s in specs], "sniff_order": order, "sniff_hint": hint}
    return out


def _declared(name: str) -> tuple[tuple[Spec, ...], int | None, str | None]:
    """Parser module ``name``'s ``SPECS`` (``parser`` filled in), ``SNIFF_ORDER`` and ``SNIFF_HINT``.

    Read from its source, so the parser (and the regexes it compiles) loads only when a
    member needs it; where the source is not there or the paragraph does not run alone,
    the module is imported.
    """
    try:
        names = _source_declaration(name)
    except Exception:  # noqa: BLE001 - reading the source is only a speed-up
        names = vars(_module(name))
    return (tuple(replace(s, parser=name) for s in names.get("SPECS", ())), names.get("SNIFF_ORDER"),
            names.get("SNIFF_HINT"))


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"azlog_vmbackup.parsers.{name}")


WRITTEN = "paths.json"  # written by python -m azlog_vmbackup.analyzer.knowledge.mirror


def source_key() -> str:
    """What the written table must be keyed by to be used: the digest of the registry's and ``parsers.base``'s
    source and of every parser's declaration paragraph (a change elsewhere in a parser leaves it current)."""
    here = Path(__file__)
    return digest(here.read_bytes(), here.with_name("base.py").read_bytes(),
                  *(f"{name}\n{_declaration(name)}\n".encode() for name in PARSERS))


def _written() -> dict:
    """The written table (``declared``: ``declarations()``; ``literals``: for each row's pattern, the literals one
    of which its every match holds, or None) when it was written from the sources as they are; else nothing."""
    try:
        table = json.loads(Path(__file__).with_name(WRITTEN).read_text(encoding="utf-8"))
        key = source_key()
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) and table.get("key") == key else {}


def _from_written(name: str, declared: dict) -> tuple[tuple[Spec, ...], int | None, str | None]:
    specs = tuple(Spec(s["name"], s["pattern"], name, s["reason"], OS(s["os"]), s["log"]) for s in declared["specs"])
    return specs, declared["sniff_order"], declared["sniff_hint"]


_WRITTEN = _written()
_DECLARED = {name: _from_written(name, _WRITTEN["declared"][name]) if _WRITTEN else _declared(name)
             for name in PARSERS}
TABLE: tuple[Spec, ...] = tuple(spec for source in ORDER
                                for spec in ((source,) if isinstance(source, Spec) else _DECLARED[source][0]))
# Parsers asked, in this order, whether an unnamed text member is theirs.
SNIFFERS: tuple[str, ...] = tuple(sorted((n for n in PARSERS if _DECLARED[n][1] is not None),
                                         key=lambda n: _DECLARED[n][1]))
# Each row's literals (one of which a path it names holds), where written: a row is tried only on such a path.
_NEEDS: tuple[tuple[str, ...] | None, ...] = tuple(
    None if (need := _WRITTEN.get("literals", {}).get(s.pattern)) is None else tuple(need) for s in TABLE)

# The table is written for the regex module; on an ASCII path the re module reads these patterns alike (digits,
# word characters, classes, groups) and compiles them in a third of the time, so only other paths need regex.
# Each row is compiled at its first use.
_ASCII_ROWS: list[re.Pattern | None] = [None] * len(TABLE)
_TABLE: list[tuple[regex.Pattern, Spec]] | None = None
_SPEC_OF_PARSER = {s.parser: s for s in reversed(TABLE) if s.parser}
_OS_OF_SPEC = {s.name: s.os for s in TABLE if s.os is not OS.ANY}
# free-text logs (Spec.log): any program's lines may sit in them, so content signatures read them all
LOG_SPECS: frozenset[str] = frozenset(s.name for s in (*TABLE, TEXT) if s.log)


_COMPRESSED = (".gz", ".xz", ".bz2")


def normalise(path: str) -> str:
    r"""Lower-case, forward slashes, no drive letter, no leading slash, no compression suffix (.gz, .xz, .bz2).

    >>> normalise('C:\\WindowsAzure\\Logs\\WaAppAgent.log')
    'windowsazure/logs/waappagent.log'
    >>> normalise('/var/log/waagent.log'), normalise('var/log/messages-20240514.xz')
    ('var/log/waagent.log', 'var/log/messages-20240514')
    """
    p = path.replace("\\", "/")
    if p.lower().endswith(_COMPRESSED):
        p = p[:p.rindex(".")]
    if len(p) > 1 and p[1] == ":" and p[0].isalpha():
        p = p[2:]
    return p.lstrip("/").lower()


def classify(path: str) -> Spec | None:
    """The spec whose pattern matches ``path``, or None.

    >>> classify('var/log/waagent.log-2024-05-14-1715652000.gz'[:-3]).name
    'waagent_log'
    >>> classify('sosreport-vm1/var/log/waagent.log.1').name
    'waagent_log'
    >>> classify('var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9225.0/status/3.status').name
    'extension_status'
    >>> classify('notes/readme.md') is None
    True
    """
    norm = normalise(path)
    if not norm.isascii():
        return next((spec for rx, spec in _table() if rx.search(norm)), None)
    for row, spec in enumerate(TABLE):
        need = _NEEDS[row]
        if need is None or any(x in norm for x in need):
            rx = _ASCII_ROWS[row]
            if rx is None:
                rx = _ASCII_ROWS[row] = re.compile(path_regex(spec))
            if rx.search(norm):
                return spec
    return None


def path_regex(spec: Spec) -> str:
    """The regex a normalised path of a member of ``spec`` matches (a suffix of it, at a ``/``).

    >>> bool(re.search(path_regex(classify("waagent.log")), "var/log/waagent.log"))
    True
    """
    return r"(?:^|/)(?:" + spec.pattern + r")$"


def _table() -> list[tuple[regex.Pattern, Spec]]:
    """The path table compiled by the regex module, for paths that are not ASCII (compiled at the first).

    >>> _table()[0][1].name, bool(_table()[0][0].search("var/log/waagent.log-٢٠٢٤"))
    ('waagent_log', True)
    """
    global _TABLE
    if _TABLE is None:
        _TABLE = [(regex.compile(path_regex(s)), s) for s in TABLE]
    return _TABLE


def spec_os(name: str | None) -> OS:
    """What a parsed member of spec ``name`` says about the VM's OS."""
    return _OS_OF_SPEC.get(name, OS.ANY)


def parser_module(spec: Spec) -> ModuleType:
    return _module(spec.parser)


def skim_of(spec: Spec) -> Skim | None:
    """How a member of ``spec`` may be skimmed (its parser's ``SKIM``); None when its parser reads every line."""
    return getattr(parser_module(spec), "SKIM", None) if spec.parser else None


def sniff(head: str) -> Spec:
    """The spec of an unnamed text member, judged by its first lines."""
    ascii = head.isascii()
    for name in SNIFFERS:
        hint = _sniff_hint(name, ascii)
        if (hint is None or hint.search(head)) and _module(name).sniff(head):
            return _SPEC_OF_PARSER[name]
    return TEXT


_SNIFF_HINTS: dict[tuple[str, bool], re.Pattern | regex.Pattern | None] = {}


def _sniff_hint(name: str, ascii: bool = False) -> re.Pattern | regex.Pattern | None:
    r"""Sniffer ``name``'s ``SNIFF_HINT``, compiled at its first use: a parser whose hint a text lacks is not
    imported to be asked about it. The hints are written for the regex module; for ASCII text (``ascii``) the
    re module's ASCII mode reads them alike (digits, spaces, classes, groups) and compiles them in a third of
    the time.

    >>> _sniff_hint("ip_route").search("default via 10.0.0.1 dev eth0") is not None
    True
    """
    if (name, ascii) not in _SNIFF_HINTS:
        hint = _DECLARED[name][2]
        compiled = None if hint is None else re.compile(hint, re.ASCII) if ascii else regex.compile(hint)
        _SNIFF_HINTS[name, ascii] = compiled
    return _SNIFF_HINTS[name, ascii]
