"""The report as Markdown, for a ticket or a wiki page: the same content, in the same order, as the text report
(``report.content``), with commands in code spans, facts and the inventory as tables."""
from __future__ import annotations

import os
from typing import TextIO

from azlog_vmbackup.analyzer.report.content import Report, build
from azlog_vmbackup.analyzer.report.i18n import LABELS, count
from azlog_vmbackup.core.model import Diagnosis, Evidence, Result, iso, stamp

MAX_OTHER = 6


def render(result: Result, out: TextIO, lang: str = "en", triage: dict | None = None) -> None:
    L = LABELS[lang]
    w = out.write
    report = build(result)
    prefix = _common_prefix(report)
    _summary(w, report, L)
    if triage is not None:
        w(f"\n## {L['triage']}\n\n- **{L['route']}:** `{triage['route']}`\n"
          f"- **{L['summary']}:** {_md(triage['summary'])}\n")
        for item in triage["missing"]:
            w(f"- **{L['missing']}:** `{item}`\n")
    verdict = {"no_logs": f"**{L['no_logs']}**", "none": L["none"], "weak": L["weak"]}.get(report.verdict)
    if verdict:
        w(f"\n{verdict}\n")
    if report.top:
        _diagnosis(w, report.top, L, prefix)
        if report.tie:
            w(f"\n> **{L['tie'].format(other=report.others[0].cause)}**\n")
    if report.others:
        w(f"\n## {L['others']}\n\n")
        for d in report.others[:MAX_OTHER]:
            resolved = f" ({L['resolved'].format(time=iso(d.resolved))})" if d.resolved else ""
            w(f"- **{d.cause}** ({L['confidence'][d.confidence]} {d.score:.2f}): {_md(d.title)}{resolved}\n")
    if result.coverage and result.coverage.collect:
        w(f"\n## {L['not_in_bundle']}\n\n")
        for line in result.coverage.collect:
            w(f"- {_md(line)}\n")
    _facts(w, report, L, prefix)
    _inventory(w, report, L, prefix)


def _summary(w, report: Report, L: dict) -> None:
    s = report.summary
    w(f"# azlog: {_md(report.source)}\n\n| | |\n|---|---|\n")
    rows = [(L["host"], s.host), (L["os"], s.os + (f" ({s.distro})" if s.distro else "")), (L["agent"], s.agent),
            (L["extension"], s.extension), (L["last_attempt"], s.last_attempt), (L["result"], s.last_result),
            (L["present"], ", ".join(s.present)), (L["absent"], ", ".join(s.missing))]
    for name, value in rows:
        if value:
            w(f"| {name} | {_md(value)} |\n")


def _evidence(w, e: Evidence, L: dict, prefix: str) -> None:
    where = f"`{_short(e.path, prefix)}:{e.line or '-'}`"
    sig = f" · `{e.signature}`" if e.signature else ""
    if e.fact:
        w(f"- {L['fact']}: `{e.text}` ({L['from']} {where}){sig}\n")
        return
    when = f" {stamp(e.time, e.local_time)}{' ' + L['local'] if e.local_time else ''}" if e.time else ""
    w(f"- {where}{when}{sig}\n\n  ```\n  {e.text}\n  ```\n")


def _diagnosis(w, d: Diagnosis, L: dict, prefix: str) -> None:
    w(f"\n## {L['diagnosis']}: {d.cause} ({L['confidence'][d.confidence]}, {d.score:.2f})\n\n**{_md(d.title)}**\n\n")
    if d.resolved:
        w(f"_{L['resolved'].format(time=iso(d.resolved))}_\n\n")
    w(f"{L['codes']}: {', '.join(f'`{c}`' for c in d.error_codes) or '-'}\n\n### {L['evidence']}\n\n")
    for e in d.evidence:
        _evidence(w, e, L, prefix)
    w(f"\n### {L['todo']}\n\n")
    for i, step in enumerate(d.remediation, 1):
        w(f"{i}. {_md(step)}\n")
    if d.references:
        w(f"\n### {L['references']}\n\n" + "".join(f"- <{r}>\n" for r in d.references))


def _facts(w, report: Report, L: dict, prefix: str) -> None:
    if not report.facts:
        return
    w(f"\n## {L['facts']}\n")
    for group, items in report.facts:
        w(f"\n### {L['groups'][group]}\n\n| {L['fact']} | | {L['from']} |\n|---|---|---|\n")
        for f in items:
            where = f"`{_short(f.path, prefix)}:{f.line or '-'}`" if f.path else ""
            w(f"| {f.name} | {_md(f.value[:300])} | {where} |\n")


def _inventory(w, report: Report, L: dict, prefix: str) -> None:
    result = report.result
    w(f"\n## {L['bundle']}\n\n{count(report.parsed, L['member_parsed'], L['lang'])}, "
      f"{count(report.skipped, L['member_skipped'], L['lang'])}, "
      f"{count(len(result.errors), L['problem_word'], L['lang'])}"
      + (f" (`{prefix}`)" if prefix else "") + "\n\n")
    if report.inventory:
        w(f"| {L['inventory']} | {L['read_as']} | {L['status']} |\n|---|---|---|\n")
        for e in report.inventory:
            w(f"| `{_md(_short(e.path, prefix))}` | {e.spec or '-'} | {e.status.value}"
              f"{': ' + _md(e.reason) if e.reason else ''} |\n")
    for e in result.errors:
        w(f"- {L['problem']}: `{_md(e.path)}`: {_md(e.message)}\n")


def _common_prefix(report: Report) -> str:
    """The folder every member path starts with (a sosreport's top folder), said once instead of on each line."""
    paths = [e.path for e in report.inventory]
    if len(paths) < 2:
        return ""
    prefix = os.path.commonprefix(paths)
    return prefix[:prefix.rfind("/") + 1]


def _short(path: str, prefix: str) -> str:
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _md(text: str) -> str:
    """Text safe inside Markdown prose and table cells."""
    return text.replace("|", "\\|").replace("\n", " ")
