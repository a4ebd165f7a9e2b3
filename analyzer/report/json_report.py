"""The stable JSON contract (schema_version 1); see README "JSON output"."""
from __future__ import annotations

import json


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
