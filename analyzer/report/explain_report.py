"""``azlog explain``: what a code or a cause means, what to collect and what to do."""
from __future__ import annotations

import json
from typing import TextIO

from azlog_vmbackup.analyzer.knowledge.causes import Cause
from azlog_vmbackup.analyzer.knowledge.codes import CodeInfo
from azlog_vmbackup.analyzer.knowledge.store import Knowledge
from azlog_vmbackup.analyzer.report.i18n import LABELS


def code_doc(info: CodeInfo, knowledge: Knowledge, lang: str = "en") -> dict:
    return {
        "kind": "code", "code": info.code, "aliases": list(info.aliases), "messages": list(info.messages),
        "os": info.os.value, "phase": info.phase, "status": info.status, "guest_logs": info.guest_logs,
        "numeric_code": info.numeric_code,
        "causes": [cause_doc(knowledge.causes[c], knowledge, lang, with_codes=False) for c in info.causes],
        "remediation": list(info.remediation), "reference": info.reference, "history": list(info.history),
    }


def cause_doc(cause: Cause, knowledge: Knowledge, lang: str = "en", with_codes: bool = True) -> dict:
    title, description, remediation = cause.text(lang)
    doc = {"kind": "cause", "id": cause.id, "title": title, "description": description, "route": cause.route,
           "evidence": list(cause.evidence), "remediation": list(remediation), "references": list(cause.references)}
    if with_codes:
        doc["error_codes"] = [c.code for c in knowledge.codes.codes if cause.id in c.causes]
    return doc


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
        w(f"{h2}{L['collect']}\n")
        for e in dict.fromkeys(e for c in doc["causes"] for e in c["evidence"]):
            w(f"{item}{e}\n")
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
        w(f"{h2}{L['collect']}\n")
        for e in doc["evidence"]:
            w(f"{item}{e}\n")
        w(f"{h2}{L['todo']}\n")
        for i, step in enumerate(doc["remediation"], 1):
            w(f"  {i}. {step}\n" if not markdown else f"{i}. {step}\n")
        w(f"{h2}{L['explains']}\n{item}{', '.join(doc['error_codes']) or '-'}\n")
        if doc["references"]:
            w(f"{h2}{L['references']}\n")
            for ref in doc["references"]:
                w(f"{item}{ref}\n")
