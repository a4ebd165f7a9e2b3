"""The response schemas the service's OpenAPI document (``/docs``) shows: the command line's JSON contract
(README "JSON output"), described, not enforced (the documents are passed through as the analysis made them)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Evidence(_Open):
    path: str
    line: int | None
    time: str | None
    local_time: bool
    kind: str
    text: str
    signature: str


class Diagnosis(_Open):
    rank: int
    cause: str
    title: str
    resolved: str | None
    error_codes: list[str]
    score: float
    confidence: str
    evidence: list[Evidence]
    remediation: list[str]
    references: list[str]
    why: list[dict[str, Any]]


class Summary(_Open):
    host: str | None
    os: str
    distro: str | None
    agent_version: str | None
    extension_version: str | None
    last_backup_attempt: str | None
    last_result: str | None
    evidence_present: list[str]
    evidence_missing: list[str]


class Triage(_Open):
    route: str
    summary: str
    missing: list[str]
    tie: list[str]


class Document(_Open):
    """An analysis: ``azlog analyze --format json`` (with ``triage`` for a ticket)."""

    schema_version: int
    source: str
    os: str
    engine: str
    facts: dict[str, Any]
    diagnoses: list[Diagnosis]
    inventory: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    coverage: dict[str, Any] | None
    unexplained: list[dict[str, Any]]
    nearest: list[dict[str, Any]]
    near_misses: list[dict[str, Any]]
    summary: Summary
    tie: bool
    triage: Triage | None = None


class Explained(_Open):
    """``azlog explain --format json``: a code (``kind: code``) or a cause (``kind: cause``)."""

    kind: str


class SignatureInfo(_Open):
    id: str
    cause: str | None
    title: str
    os: str
    kind: str
    error_codes: list[str]
    sources: list[str]


class Health(_Open):
    status: str


class Error(_Open):
    error: str
    detail: str


ERRORS = {413: {"model": Error, "description": "the upload is larger than --max-upload-mb"},
          415: {"model": Error, "description": "not a bundle, a log or an e-mail message"},
          422: {"model": Error, "description": "a malformed request"},
          429: {"model": Error, "description": "every worker busy and the queue full (see Retry-After)"},
          504: {"model": Error, "description": "the analysis took longer than --timeout"}}

TRIAGE_BODY = {"content": {
    "application/json": {"schema": {"type": "object", "required": ["text"],
                                    "properties": {"text": {"type": "string"}}}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "text": {"type": "string"},
        "bundles": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "message": {"type": "string", "format": "binary", "description": "the ticket as an .eml"}}}}}}
