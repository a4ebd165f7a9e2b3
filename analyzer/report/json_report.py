"""The stable JSON contract (schema_version 1; see README "JSON output"): ``Result.as_dict()``, with the report's
summary header and its tie flag (``report.content``)."""
from __future__ import annotations

import json

from azlog_vmbackup.analyzer.report.content import summary, tied
from azlog_vmbackup.core.model import Result


def document(result: Result, triage: dict | None = None) -> dict:
    """The JSON document of ``result`` (and of a triage, when there is one)."""
    doc = result.as_dict()
    doc["summary"] = summary(result).as_dict()
    doc["tie"] = tied(result.diagnoses)
    if triage is not None:
        doc["triage"] = triage
    return doc


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
