"""The human report: best diagnosis first, then other candidates, then facts and problems.

Colours on a terminal, plain text when piped (rich decides). Labels, cause
titles and remediation in English or Hungarian.
"""
from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape

from azlog_vmbackup.analyzer.report.i18n import LABELS
from azlog_vmbackup.core.model import Diagnosis, Result, Status, iso

_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}
MAX_OTHER = 4
MAX_FACTS_SHOWN = 40
MAX_PROBLEMS_SHOWN = 10


def console(out: TextIO, color: bool | None) -> Console:
    return Console(file=out, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False)


def render(result: Result, out: TextIO, color: bool | None = None, lang: str = "en",
           triage: dict | None = None) -> None:
    L = LABELS[lang]
    p = console(out, color).print
    p(f"[bold]azlog[/] {escape(result.source)}  (os: {result.os.label})")
    if triage is not None:
        _triage(p, triage, L)
    strong = [d for d in result.diagnoses if d.confident]
    if result.coverage and result.coverage.note:
        p(f"\n[bold yellow]{L['no_logs']}[/]")
    elif not result.diagnoses:
        p(f"\n{L['none']}")
    elif not strong:
        p(f"\n{L['weak']}")
    if strong:
        _diagnosis(p, strong[0], L, first=True)
    others = [d for d in result.diagnoses if d is not (strong[0] if strong else None)]
    if others:
        p(f"\n[bold]{L['others']}[/]")
        for d in others[:MAX_OTHER]:
            _diagnosis(p, d, L, first=False)
        if len(others) > MAX_OTHER:
            p(f"  ... {len(others) - MAX_OTHER} {L['more']}")
    _unexplained(p, result, L)
    _missing(p, result, L)
    _facts(p, result, L)
    _problems(p, result, L)


def _unexplained(p, result: Result, L: dict) -> None:
    if result.unexplained:
        p(f"\n[bold]{L['unexplained']}[/]")
        for count, e in result.unexplained:
            p(f"  {count}x {escape(e.path)}:{e.line or '-'}  {escape(e.text[:200])}")
    if result.nearest:
        p(f"\n[bold]{L['nearest']}[/]")
        for n in result.nearest:
            p(f"  {n.similarity:.2f}  [bold]{escape(n.cause)}[/]: {escape(n.title)}")
            p(f"      {L['resembles']}: {escape(n.resembles[:160])}", style="dim")
            for e in n.evidence[:3]:
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


def _diagnosis(p, d: Diagnosis, L: dict, first: bool) -> None:
    style = _STYLE[d.confidence]
    head = f"[{style}]{L['confidence'][d.confidence]}[/] {d.score:.2f}  [bold]{escape(d.cause)}[/]: {escape(d.title)}"
    if not first:
        p(f"  {head}")
        if d.resolved:
            p(f"      {L['resolved'].format(time=iso(d.resolved))}", style="green")
        if d.evidence:
            e = d.evidence[0]
            p(f"      {escape(e.path)}:{e.line or '-'}  {escape(e.text[:160])}", style="dim")
        return
    p(f"\n[bold]{L['diagnosis']}[/]  {head}")
    if d.resolved:
        p(f"  {L['resolved'].format(time=iso(d.resolved))}", style="green")
    p(f"  {L['codes']}: {', '.join(d.error_codes) or '-'}")
    p(f"  {L['evidence']}:")
    for e in d.evidence:
        when = f" [{iso(e.time)}{' local' if e.local_time else ''}]" if e.time else ""
        p(f"    {escape(e.path)}:{e.line or '-'}{escape(when)}")
        p(f"      {escape(e.text)}", style="cyan")
    p(f"  {L['todo']}:")
    for i, step in enumerate(d.remediation, 1):
        p(f"    {i}. {escape(step)}")
    if d.references:
        p(f"  {L['references']}:")
        for ref in d.references:
            p(f"    {ref}")


def _facts(p, result: Result, L: dict) -> None:
    facts = result.facts.as_dict()
    if not facts:
        return
    p(f"\n[bold]{L['facts']}[/]")
    for name, value in list(facts.items())[:MAX_FACTS_SHOWN]:
        p(f"  {name}: {escape(str(value))}")


def _problems(p, result: Result, L: dict) -> None:
    skipped = [i for i in result.inventory if i.status is Status.SKIPPED]
    parsed = len(result.inventory) - len(skipped)
    p(f"\n[bold]{L['bundle']}[/]  {parsed} {L['parsed']}, {len(skipped)} {L['skipped']}, "
      f"{len(result.errors)} {L['problems']}")
    for e in result.errors[:MAX_PROBLEMS_SHOWN]:
        p(f"  {L['problem']}: {escape(e.path)}: {escape(e.message)}", style="yellow")
    if result.engine:
        p(f"\n{L['engine']}: {result.engine}", style="dim")
    if len(result.errors) > MAX_PROBLEMS_SHOWN:
        p(f"  ... {len(result.errors) - MAX_PROBLEMS_SHOWN} {L['more']}")
