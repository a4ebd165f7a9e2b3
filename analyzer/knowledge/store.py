"""Everything azlog knows, loaded once: causes, error codes and signatures."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from azlog_vmbackup.analyzer.knowledge.causes import Cause, load_causes
from azlog_vmbackup.analyzer.knowledge.codes import CodeBook, load_codes
from azlog_vmbackup.analyzer.knowledge.signatures import Signature, load_signatures


@dataclass
class Knowledge:
    causes: dict[str, Cause]
    signatures: list[Signature]
    codes: CodeBook

    @classmethod
    def load(cls, extra_dirs: Iterable[Path] = ()) -> "Knowledge":
        """The built-in knowledge plus the user's signature files in ``extra_dirs``."""
        causes = load_causes()
        return cls(causes, load_signatures(extra_dirs, causes), load_codes(causes=causes))
