"""The human report: best diagnosis first, then other candidates, then facts and problems.

Colours on a terminal, plain text when piped (rich decides).
"""
from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape

from analyzer.model import Diagnosis, Result, iso

_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}
MAX_OTHER = 4
MAX_FACTS_SHOWN = 40


def render(result: Result, out: TextIO, color: bool | None = None) -> None:
    console = Console(file=out, highlight=False, soft_wrap=True,
                      force_terminal=color, no_color=color is False)
    p = console.print
    p(f"[bold]azlog[/] {escape(result.source)}  (os: {result.os})")
    strong = [d for d in result.diagnoses if d.confidence in ("high", "medium")]
    if not result.diagnoses:
        p("\nNo known failure cause found in this bundle.")
    elif not strong:
        p("\nNo cause found with medium or high confidence; weak signs below.")
    if strong:
        _diagnosis(p, strong[0], first=True)
    others = [d for d in result.diagnoses if d is not (strong[0] if strong else None)]
    if others:
        p("\n[bold]Other candidates[/]")
        for d in others[:MAX_OTHER]:
            _diagnosis(p, d, first=False)
        if len(others) > MAX_OTHER:
            p(f"  ... and {len(others) - MAX_OTHER} more (see --format json)")
    _facts(p, result)
    _problems(p, result)


def _diagnosis(p, d: Diagnosis, first: bool) -> None:
    style = _STYLE[d.confidence]
    head = f"[{style}]{d.confidence.upper()}[/] {d.score:.2f}  [bold]{escape(d.cause)}[/]: {escape(d.title)}"
    if first:
        p(f"\n[bold]Diagnosis[/]  {head}")
        p(f"  Error codes: {', '.join(d.error_codes) or '-'}")
        p("  Evidence:")
        for e in d.evidence:
            when = f" [{iso(e.time)}{' local' if e.local_time else ''}]" if e.time else ""
            p(f"    {escape(e.path)}:{e.line or '-'}{when}")
            p(f"      {escape(e.text)}", style="cyan")
        p("  What to do:")
        for i, step in enumerate(d.remediation, 1):
            p(f"    {i}. {escape(step)}")
        if d.references:
            p("  References:")
            for ref in d.references:
                p(f"    {ref}")
    else:
        p(f"  {head}")
        if d.evidence:
            e = d.evidence[0]
            p(f"      {escape(e.path)}:{e.line or '-'}  {escape(e.text[:160])}", style="dim")


def _facts(p, result: Result) -> None:
    facts = result.facts.as_dict()
    if not facts:
        return
    p("\n[bold]Facts[/]")
    for name, value in list(facts.items())[:MAX_FACTS_SHOWN]:
        p(f"  {name}: {escape(str(value))}")


def _problems(p, result: Result) -> None:
    skipped = [i for i in result.inventory if i.status == "skipped"]
    parsed = len(result.inventory) - len(skipped)
    p(f"\n[bold]Bundle[/]  {parsed} members parsed, {len(skipped)} skipped, {len(result.errors)} problems")
    for e in result.errors[:10]:
        p(f"  problem: {escape(e.path)}: {escape(e.message)}", style="yellow")
    if len(result.errors) > 10:
        p(f"  ... {len(result.errors) - 10} more problems (see --format json)")
