"""The report as one self-contained HTML file (``--format html -o report.html``): the same content as the text
report (``report.content``), rendered with jinja2 (``templates/report.html.j2``, autoescaped), with each
evidence line expandable to the lines around it (``report.context``) and the timeline picture
(``report.picture``) inline as SVG. Nothing is loaded from the network: a Content-Security-Policy forbids it.
"""
from __future__ import annotations

import re
from typing import TextIO

from markupsafe import Markup, escape

from azlog_vmbackup.analyzer.report import context, picture
from azlog_vmbackup.analyzer.report.content import build
from azlog_vmbackup.analyzer.report.i18n import LABELS, count
from azlog_vmbackup.core.extras import install_hint
from azlog_vmbackup.core.model import Result, iso, stamp

MAX_OTHER = 4
_COMMAND = re.compile(r"`([^`]+)`")


def commands(step: str) -> Markup:
    """A step's text, escaped, with its backticked commands as ``<code>`` (copyable on their own).

    >>> str(commands("Run `fsfreeze -u /data` as <root>"))
    'Run <code>fsfreeze -u /data</code> as &lt;root&gt;'
    """
    parts = _COMMAND.split(step)
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def render(result: Result, out: TextIO, lang: str = "en", triage: dict | None = None,
           activity: picture.Activity | None = None) -> None:
    from jinja2 import Environment, PackageLoader, select_autoescape

    L = LABELS[lang]
    report = build(result)
    shown = report.diagnoses[:1 + MAX_OTHER]
    places = [(e.path, e.line) for d in shown for e in d.evidence if not e.fact]
    s = report.summary
    summary_rows = [(name, value) for name, value in (
        (L["host"], s.host), (L["os"], s.os + (f" ({s.distro})" if s.distro else "")), (L["agent"], s.agent),
        (L["extension"], s.extension), (L["last_attempt"], s.last_attempt), (L["result"], s.last_result),
        (L["present"], ", ".join(s.present)), (L["absent"], ", ".join(s.missing))) if value]
    svg = picture.svg(activity, result) if activity is not None else None
    note = L["no_picture"] if picture.available() else f"{L['no_picture']} ({install_hint('html')})"
    env = Environment(loader=PackageLoader("azlog_vmbackup.analyzer.report", "templates"),
                      autoescape=select_autoescape(["j2", "html"]), keep_trailing_newline=True)
    env.filters["commands"] = commands
    template = env.get_template("report.html.j2")
    out.write(template.render(
        L=L, report=report, result=result, shown=shown, triage=triage, summary_rows=summary_rows,
        contexts=context.around(result.source, places) if places else {}, picture=Markup(svg) if svg else None,
        picture_note=note, iso=iso, stamp=stamp,
        bundle_line=f"{count(report.parsed, L['member_parsed'], L['lang'])}, "
                    f"{count(report.skipped, L['member_skipped'], L['lang'])}, "
                    f"{count(len(result.errors), L['problem_word'], L['lang'])}"))
