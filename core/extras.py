"""The distribution's name and the optional extras, for the hints azlog prints when one is missing.

>>> install_hint("parquet")
"pip install 'azlog-vmbackup[parquet]' (from a checkout: pip install '.[parquet]')"
"""
from __future__ import annotations

DISTRIBUTION = "azlog-vmbackup"


def install_hint(extra: str) -> str:
    """The command that adds optional extra ``extra`` (fast, parquet, mining, dask)."""
    return f"pip install '{DISTRIBUTION}[{extra}]' (from a checkout: pip install '.[{extra}]')"
