"""The report as Markdown, for a ticket or a wiki page: same content as the text report."""
from __future__ import annotations

from typing import TextIO

from azlog_vmbackup.analyzer.report.i18n import LABELS
from azlog_vmbackup.core.model import Diagnosis, Result, iso

MAX_OTHER = 6


def render(result: Result, out: TextIO, lang: str = "en", triage: dict | None = None) -> None:
    L = LABELS[lang]
    w = out.write
    w(f"# azlog: {_md(result.source)}\n\nOS: {result.os.label}\n")
    if triage is not None:
        w(f"\n## {L['triage']}\n\n- **{L['route']}:** `{triage['route']}`\n"
          f"- **{L['summary']}:** {_md(triage['summary'])}\n")
        for item in triage["missing"]:
            w(f"- **{L['missing']}:** `{item}`\n")
    if result.coverage and result.coverage.note:
        w(f"\n**{L['no_logs']}**\n")
    elif not result.diagnoses:
        w(f"\n{L['none']}\n")
    if result.diagnoses:
        top, others = result.diagnoses[0], result.diagnoses[1:]
        _diagnosis(w, top, L)
        if others:
            w(f"\n## {L['others']}\n\n")
            for d in others[:MAX_OTHER]:
                resolved = f" ({L['resolved'].format(time=iso(d.resolved))})" if d.resolved else ""
                w(f"- **{d.cause}** ({L['confidence'][d.confidence]} {d.score:.2f}): {_md(d.title)}{resolved}\n")
    if result.coverage and result.coverage.collect:
        w(f"\n## {L['not_in_bundle']}\n\n")
        for line in result.coverage.collect:
            w(f"- {_md(line)}\n")
    facts = result.facts.as_dict()
    if facts:
        w(f"\n## {L['facts']}\n\n| | |\n|---|---|\n")
        for name, value in facts.items():
            w(f"| {name} | {_md(str(value))} |\n")


def _diagnosis(w, d: Diagnosis, L: dict) -> None:
    w(f"\n## {L['diagnosis']}: {d.cause} ({L['confidence'][d.confidence]}, {d.score:.2f})\n\n**{_md(d.title)}**\n\n")
    w(f"{L['codes']}: {', '.join(f'`{c}`' for c in d.error_codes) or '-'}\n\n### {L['evidence']}\n\n")
    for e in d.evidence:
        when = f" ({iso(e.time)})" if e.time else ""
        w(f"- `{e.path}:{e.line or '-'}`{when}\n\n  ```\n  {e.text}\n  ```\n")
    w(f"\n### {L['todo']}\n\n")
    for i, step in enumerate(d.remediation, 1):
        w(f"{i}. {_md(step)}\n")
    if d.references:
        w(f"\n### {L['references']}\n\n" + "".join(f"- <{r}>\n" for r in d.references))


def _md(text: str) -> str:
    """Text safe inside Markdown prose and table cells."""
    return text.replace("|", "\\|").replace("\n", " ")
