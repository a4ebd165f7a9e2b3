"""What the service's workers run: the same functions as the command line (analyze, triage, explain), each
returning the JSON document the command line's ``--format json`` prints.

>>> known = knowledge()
>>> explain(known, "fsfreeze-failed")["kind"]
'cause'
"""
from __future__ import annotations

from pathlib import Path

_KNOWLEDGE: dict[tuple[str, ...], object] = {}


def knowledge(signatures: tuple[str, ...] = ()):
    """The knowledge base (with extra signature files), loaded once per process."""
    if signatures not in _KNOWLEDGE:
        from azlog_vmbackup.analyzer.knowledge.store import Knowledge

        _KNOWLEDGE[signatures] = Knowledge.load([Path(p) for p in signatures])
    return _KNOWLEDGE[signatures]


def analyze(known, path: str, name: str) -> dict:
    """The analyze JSON of the bundle at ``path`` (an upload, named ``name`` in the document)."""
    from azlog_vmbackup.analyzer.apps.analyze import analyze as run
    from azlog_vmbackup.analyzer.report.json_report import document

    result = run(path, known)
    result.source = name
    return document(result)


def triage(known, text: str = "", bundles: tuple[tuple[str, str], ...] = (), message: tuple[str, str] | None = None
           ) -> dict:
    """The triage JSON of a ticket: its ``text``, ``bundles`` as ``(path, name)``, perhaps an e-mail ``message``."""
    from azlog_vmbackup.analyzer.apps.email_ticket import triage_message
    from azlog_vmbackup.analyzer.apps.triage import triage as run
    from azlog_vmbackup.analyzer.report.json_report import document

    paths = [Path(p) for p, _ in bundles]
    if message is not None:
        outcome = triage_message(Path(message[0]), known, text=text, bundles=paths, label=message[1])
    else:
        outcome = run(text, paths, known)
    for path, name in bundles:
        outcome.result.source = outcome.result.source.replace(path, name)
    return document(outcome.result, outcome.as_dict()["triage"])


def explain(known, name: str) -> dict | None:
    """The explain JSON of a code or a cause; None when the name is neither."""
    from azlog_vmbackup.analyzer.report import explain_report

    info = known.codes.get(name)
    if info is not None:
        return explain_report.code_doc(info, known)
    cause = known.causes.get(name.strip().lower())
    return explain_report.cause_doc(cause, known) if cause is not None else None


def signatures(known) -> list[dict]:
    """Every signature: id, cause, title, os, error codes, sources."""
    return [{"id": s.id, "cause": s.cause, "title": s.title, "os": s.os.value, "kind": s.kind,
             "error_codes": list(s.error_codes), "sources": list(s.sources)} for s in known.signatures]


JOBS = {"analyze": analyze, "triage": triage, "explain": explain, "signatures": signatures}
