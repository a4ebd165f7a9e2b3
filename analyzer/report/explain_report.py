"""``azlog explain``: what a code or a cause means, what to collect and what to do.

What to collect is grouped by OS (``collect``: Linux, Windows, either; only the VM's OS when it is given),
each item once (``systemctl status walinuxagent (Ubuntu/Debian) or systemctl status waagent`` and
``systemctl status walinuxagent or systemctl status waagent`` are one item), commands before files and prose.

>>> groups = collect(["/var/log/waagent.log", "systemctl status walinuxagent", "sc query RdAgent",
...                   "systemctl status walinuxagent (Ubuntu/Debian)", "az vm get-instance-view --name <vm>"])
>>> groups["linux"]
['systemctl status walinuxagent', '/var/log/waagent.log']
>>> groups["windows"], groups["any"]
(['sc query RdAgent'], ['az vm get-instance-view --name <vm>'])
>>> collect(["/var/log/waagent.log", "sc query RdAgent"], os="windows")
{'windows': ['sc query RdAgent']}
"""
from __future__ import annotations

import json
import re
from typing import TextIO

from azlog_vmbackup.analyzer.knowledge.causes import Cause
from azlog_vmbackup.analyzer.knowledge.codes import CodeInfo
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.report.i18n import LABELS


def code_doc(info: CodeInfo, knowledge: Knowledge, lang: str = "en", os: str | None = None) -> dict:
    causes = [cause_doc(knowledge.causes[c], knowledge, lang, with_codes=False, os=os) for c in info.causes]
    return {
        "kind": "code", "code": info.code, "aliases": list(info.aliases), "messages": list(info.messages),
        "os": info.os.value, "phase": info.phase, "status": info.status, "guest_logs": info.guest_logs,
        "numeric_code": info.numeric_code,
        "causes": causes,
        "collect": collect([e for c in causes for group in c["collect"].values() for e in group], os),
        "remediation": list(info.remediation), "reference": info.reference, "history": list(info.history),
    }


def cause_doc(cause: Cause, knowledge: Knowledge, lang: str = "en", with_codes: bool = True,
              os: str | None = None) -> dict:
    title, description, remediation = cause.text(lang)
    doc = {"kind": "cause", "id": cause.id, "title": title, "description": description, "route": cause.route,
           "evidence": list(cause.evidence), "collect": collect(list(cause.evidence), os),
           "remediation": list(remediation), "references": list(cause.references)}
    if with_codes:
        doc["error_codes"] = [c.code for c in knowledge.codes.codes if cause.id in c.causes]
    return doc


_WINDOWS = re.compile(r"(?i)^(?:sc|reg|netsh|ipconfig|test-netconnection|get-\w+|wevtutil|vssadmin|bcdedit)\b|"
                      r"^[A-Z]:\\|\bevent logs?\b|\bWindowsAzure\b|\bHKLM\\")
_LINUX = re.compile(r"^/|^(?:systemctl|journalctl|waagent|iptables|nft|dpkg|rpm|grep|ps|df|findmnt|python3?|curl|cat|"
                    r"ls|lsblk|ip|dmesg|sudo|mount|fsfreeze|openssl)\b")
_PROGRAM = re.compile(r"^[a-zA-Z][\w.-]*(?: |$)")
OS_GROUPS = ("linux", "windows", "any")


def collect(items: list[str], os: str | None = None) -> dict[str, list[str]]:
    """``items`` by the OS they apply to, each once, commands first; only ``os``'s (and either's) when given."""
    groups: dict[str, dict[str, str]] = {g: {} for g in OS_GROUPS}
    for item in items:
        group = "windows" if _WINDOWS.search(item) else "linux" if _LINUX.search(item) else "any"
        key = " ".join(re.sub(r"\([^)]*\)", "", item).lower().split())
        groups[group].setdefault(key, item)
    shown = {}
    for group in OS_GROUPS:
        if os in ("linux", "windows") and group not in (os, "any"):
            continue
        entries = list(groups[group].values())
        commands = [e for e in entries if _PROGRAM.match(e) and not e.startswith("/")]
        shown[group] = commands + [e for e in entries if e not in commands]
    return {g: items for g, items in shown.items() if items}


def render_json(doc: dict, out: TextIO) -> None:
    out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def render_text(doc: dict, out: TextIO, lang: str = "en", markdown: bool = False) -> None:
    L = LABELS[lang]
    h1, h2, item = ("# ", "\n## ", "- ") if markdown else ("", "\n", "  - ")
    w = out.write
    if doc["kind"] == "code":
        w(f"{h1}{doc['code']}\n")
        if doc["aliases"]:
            w(f"{item}aliases: {', '.join(doc['aliases'])}\n")
        w(f"{item}{L['status']}: {doc['status']}; os: {doc['os']}; phase: {doc['phase']}; "
          f"guest logs: {doc['guest_logs']}\n")
        w(f"{h2}{L['message']}\n")
        for m in doc["messages"]:
            w(f"{item}{m}\n")
        w(f"{h2}{L['causes']}\n")
        for c in doc["causes"]:
            w(f"{item}{c['id']}: {c['title']} ({c['route']})\n")
        _collect(w, doc["collect"], L, h2, item)
        w(f"{h2}{L['todo']}\n")
        steps = doc["remediation"] if lang == "en" else [s for c in doc["causes"][:1] for s in c["remediation"]]
        for i, step in enumerate(steps, 1):
            w(f"  {i}. {step}\n" if not markdown else f"{i}. {step}\n")
        if doc["history"]:
            w(f"{h2}{L['history']}\n")
            for line in doc["history"]:
                w(f"{item}{line}\n")
        w(f"{h2}{L['reference']}\n{item}{doc['reference']}\n")
    else:
        w(f"{h1}{doc['id']}: {doc['title']}\n\n{doc['description']}\n")
        w(f"{item}{L['route']}: {doc['route']}\n")
        _collect(w, doc["collect"], L, h2, item)
        w(f"{h2}{L['todo']}\n")
        for i, step in enumerate(doc["remediation"], 1):
            w(f"  {i}. {step}\n" if not markdown else f"{i}. {step}\n")
        w(f"{h2}{L['explains']}\n{item}{', '.join(doc['error_codes']) or '-'}\n")
        if doc["references"]:
            w(f"{h2}{L['references']}\n")
            for ref in doc["references"]:
                w(f"{item}{ref}\n")


def _collect(w, groups: dict[str, list[str]], L: dict, h2: str, item: str) -> None:
    w(f"{h2}{L['collect']}\n")
    for group, entries in groups.items():
        w(f"{item}{L['os_groups'][group]}:\n")
        for e in entries:
            w(f"  {item}{e}\n")
