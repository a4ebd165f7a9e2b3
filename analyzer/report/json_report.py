"""The stable JSON contract (schema_version 1); see README "JSON output"."""
from __future__ import annotations

import json

from analyzer.model import Result


def render(result: Result) -> str:
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
