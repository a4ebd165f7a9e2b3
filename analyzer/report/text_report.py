"""The human report on a terminal (``report.content`` in order): summary header, verdict, diagnosis with its
evidence, steps and references, other candidates, errors nothing explains, facts by group, the bundle.

Colours on a terminal, plain text when piped (rich decides). Labels, cause titles and steps in English or
Hungarian.
"""
from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape

from azlog_vmbackup.analyzer.report.content import Report, build
from azlog_vmbackup.analyzer.report.i18n import LABELS, count
from azlog_vmbackup.core.model import Diagnosis, Evidence, Result, Status, iso, stamp

_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}
MAX_OTHER = 4
MAX_FACTS_SHOWN = 60
MAX_PROBLEMS_SHOWN = 10
MAX_SKIPPED_SHOWN = 10


def console(out: TextIO, color: bool | None) -> Console:
    """A rich console on ``out``; a reader that goes away (``| head``) raises ``BrokenPipeError`` for the caller
    to end quietly (rich itself would exit 1)."""
    c = Console(file=out, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False)
    c.on_broken_pipe = _broken_pipe
    return c


def _broken_pipe() -> None:
    raise BrokenPipeError


def render(result: Result, out: TextIO, color: bool | None = None, lang: str = "en",
           triage: dict | None = None, explain: bool = False) -> None:
    L = LABELS[lang]
    p = console(out, color).print
    report = build(result)
    _summary(p, report, L)
    if triage is not None:
        _triage(p, triage, L)
    p(f"\n[bold yellow]{L['no_logs']}[/]" if report.verdict == "no_logs" else
      f"\n{L['none']}" if report.verdict == "none" else f"\n{L['weak']}" if report.verdict == "weak" else "")
    if report.top:
        _diagnosis(p, report.top, L)
        if report.tie:
            p(f"  [bold yellow]{L['tie'].format(other=report.others[0].cause)}[/]")
    if report.others:
        p(f"\n[bold]{L['others']}[/]")
        for d in report.others[:MAX_OTHER]:
            _candidate(p, d, L)
        if len(report.others) > MAX_OTHER:
            p(f"  ... {len(report.others) - MAX_OTHER} {L['more']}")
    if explain:
        _why(p, report, L)
    _unexplained(p, result, L)
    _missing(p, result, L)
    _facts(p, report, L)
    _bundle(p, report, L)


def _summary(p, report: Report, L: dict) -> None:
    s = report.summary
    p(f"[bold]azlog[/] {escape(report.source)}")
    parts = [(L["host"], s.host), (L["os"], s.os + (f" ({s.distro})" if s.distro else "")), (L["agent"], s.agent),
             (L["extension"], s.extension)]
    p("  " + "   ".join(f"{k}: [bold]{escape(v)}[/]" for k, v in parts if v))
    if s.last_attempt or s.last_result:
        p(f"  {L['last_attempt']}: {s.last_attempt or '-'}   {L['result']}: {escape(s.last_result or '-')}")
    if s.present or s.missing:
        p(f"  {L['present']}: {', '.join(s.present) or '-'}" + (f"   {L['absent']}: {', '.join(s.missing)}"
                                                                  if s.missing else ""))


def _evidence(p, e: Evidence, L: dict, indent: str = "    ") -> None:
    when = f"  {stamp(e.time, e.local_time)}{' ' + L['local'] if e.local_time else ''}" if e.time else ""
    where = f"{escape(e.path)}:{e.line or '-'}"
    sig = f"  [dim]\\[{escape(e.signature)}][/]" if e.signature else ""
    if e.fact:
        p(f"{indent}{L['fact']}: [cyan]{escape(e.text)}[/]  ({L['from']} {where}){sig}")
    else:
        p(f"{indent}{where}{escape(when)}{sig}")
        p(f"{indent}  {escape(e.text)}", style="cyan")


def _diagnosis(p, d: Diagnosis, L: dict) -> None:
    style = _STYLE[d.confidence]
    p(f"[bold]{L['diagnosis']}[/]  [{style}]{L['confidence'][d.confidence]}[/] {d.score:.2f}  "
      f"[bold]{escape(d.cause)}[/]: {escape(d.title)}")
    if d.resolved:
        p(f"  {L['resolved'].format(time=iso(d.resolved))}", style="green")
    p(f"  {L['codes']}: {', '.join(d.error_codes) or '-'}")
    p(f"  {L['evidence']}:")
    for e in d.evidence:
        _evidence(p, e, L)
    p(f"  {L['todo']}:")
    for i, step in enumerate(d.remediation, 1):
        p(f"    {i}. {escape(step)}")
    if d.references:
        p(f"  {L['references']}:")
        for ref in d.references:
            p(f"    {ref}")


def _candidate(p, d: Diagnosis, L: dict) -> None:
    style = _STYLE[d.confidence]
    p(f"  [{style}]{L['confidence'][d.confidence]}[/] {d.score:.2f}  [bold]{escape(d.cause)}[/]: {escape(d.title)}")
    if d.resolved:
        p(f"      {L['resolved'].format(time=iso(d.resolved))}", style="green")
    if d.evidence:
        _evidence(p, d.evidence[0], L, indent="      ")


def _why(p, report: Report, L: dict) -> None:
    """``--explain``: how each candidate's score came about, and the signatures that almost fired."""
    p(f"\n[bold]{L['why']}[/]")
    for d in report.diagnoses:
        p(f"  [bold]{escape(d.cause)}[/] {d.score:.2f} = 1 - \u220f(1 - {L['contribution']})")
        for w in d.why:
            if "corroborated_by" in w:
                p(f"    + {w['share']:g} x {escape(w['corroborated_by'])} -> {w['contribution']:.3f}")
            else:
                p(f"    {escape(w['signature'])}: {L['weight']} {w['weight']:g} x {L['recency']} {w['recency']:g} = "
                  f"{w['contribution']:.3f}  ({count(w['hits'], L['hit'], L['lang'])}, {w['source']})")
    if report.result.near_misses:
        p(f"\n[bold]{L['near_misses']}[/]")
        for miss in report.result.near_misses:
            p(f"  {escape(miss['signature'])} ({escape(miss['cause'])}): {escape(miss['reason'])}")


def _unexplained(p, result: Result, L: dict) -> None:
    if result.unexplained:
        p(f"\n[bold]{L['unexplained']}[/]")
        for n, e in result.unexplained:
            p(f"  {n}x {escape(e.path)}:{e.line or '-'}  {escape(e.text[:200])}")
    if result.nearest:
        p(f"\n[bold]{L['nearest']}[/]")
        for near in result.nearest:
            p(f"  {near.similarity:.2f}  [bold]{escape(near.cause)}[/]: {escape(near.title)}")
            p(f"      {L['resembles']}: {escape(near.resembles[:160])}", style="dim")
            for e in near.evidence[:3]:
                p(f"      {escape(e.path)}:{e.line or '-'}  {escape(e.text[:160])}", style="dim")


def _missing(p, result: Result, L: dict) -> None:
    if result.coverage and result.coverage.collect:
        p(f"\n[bold]{L['not_in_bundle']}[/]")
        for line in result.coverage.collect:
            p(f"  - {escape(line)}")


def _triage(p, triage: dict, L: dict) -> None:
    p(f"\n[bold]{L['triage']}[/]  {L['route']}: [bold]{triage['route']}[/]")
    p(f"  {L['summary']}: {escape(triage['summary'])}")
    if triage["missing"]:
        p(f"  {L['missing']}:")
        for item in triage["missing"]:
            p(f"    - {escape(item)}")


def _facts(p, report: Report, L: dict) -> None:
    if not report.facts:
        return
    p(f"\n[bold]{L['facts']}[/]")
    shown = 0
    for group, items in report.facts:
        p(f"  [bold]{L['groups'][group]}[/]")
        for f in items:
            if shown >= MAX_FACTS_SHOWN:
                p(f"    ... {L['more']}")
                return
            where = f"  [dim]({escape(f.path)}:{f.line or '-'})[/]" if f.path else ""
            p(f"    {f.name}: {escape(f.value[:200])}{where}")
            shown += 1


def _bundle(p, report: Report, L: dict) -> None:
    result = report.result
    p(f"\n[bold]{L['bundle']}[/]  {count(report.parsed, L['member_parsed'], lang=L['lang'])}, "
      f"{count(report.skipped, L['member_skipped'], lang=L['lang'])}, "
      f"{count(len(result.errors), L['problem_word'], lang=L['lang'])}")
    skipped = [e for e in report.inventory if e.status is not Status.PARSED]
    for e in skipped[:MAX_SKIPPED_SHOWN]:
        p(f"  {escape(e.path)}: {escape(e.reason or e.status.value)}", style="dim")
    if len(skipped) > MAX_SKIPPED_SHOWN:
        p(f"  ... {len(skipped) - MAX_SKIPPED_SHOWN} {L['more']}", style="dim")
    for e in result.errors[:MAX_PROBLEMS_SHOWN]:
        p(f"  {L['problem']}: {escape(e.path)}: {escape(e.message)}", style="yellow")
    if len(result.errors) > MAX_PROBLEMS_SHOWN:
        p(f"  ... {len(result.errors) - MAX_PROBLEMS_SHOWN} {L['more']}")
    if result.engine:
        p(f"\n{L['engine']}: {result.engine}", style="dim")
