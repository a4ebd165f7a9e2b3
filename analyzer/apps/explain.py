"""``explain``: what an error code or a cause means, from the knowledge base alone (no bundle, no signatures).

Shared by the typer command and the command line's quick path, so both print
the same and exit the same.
"""
from __future__ import annotations

import sys
from typing import TextIO

EXIT_INPUT = 3


def explain(name: str, fmt: str = "text", lang: str = "en", out: TextIO | None = None,
            err: TextIO | None = None, vm_os: str | None = None) -> int:
    """Print what code or cause ``name`` means (what to collect: on ``vm_os`` only, when given); the exit code
    (3: unknown name, nearest ones on ``err``)."""
    from azlog_vmbackup.analyzer.knowledge.causes import load_causes
    from azlog_vmbackup.analyzer.knowledge.codes import load_codes
    from azlog_vmbackup.analyzer.knowledge.schema import KnowledgeError
    from azlog_vmbackup.analyzer.knowledge.store import Knowledge
    from azlog_vmbackup.analyzer.report import explain_report

    out, err = out or sys.stdout, err or sys.stderr
    try:
        causes = load_causes()
        knowledge = Knowledge(causes, [], load_codes(causes=causes))  # explain needs no signatures
    except KnowledgeError as e:
        err.write(f"azlog: bad knowledge file: {e}\n")
        return EXIT_INPUT
    info = knowledge.codes.get(name)
    cause = knowledge.causes.get(name.strip().lower())
    if info is None and cause is None:
        import difflib

        near = knowledge.codes.nearest(name) + difflib.get_close_matches(name.lower(), list(knowledge.causes), n=2)
        err.write(f"azlog: unknown code or cause {name!r}" + (f"; nearest: {', '.join(near)}" if near else "") + "\n")
        return EXIT_INPUT
    doc = (explain_report.code_doc(info, knowledge, lang, os=vm_os) if info is not None
           else explain_report.cause_doc(cause, knowledge, lang, os=vm_os))
    if fmt == "json":
        explain_report.render_json(doc, out)
    else:
        explain_report.render_text(doc, out, lang, markdown=fmt == "markdown")
    return 0
