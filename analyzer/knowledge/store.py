"""Everything azlog knows, loaded once: causes, error codes and signatures."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from azlog_vmbackup.analyzer.knowledge.causes import Cause, load_causes
from azlog_vmbackup.analyzer.knowledge.signatures import Signature, load_signatures

if TYPE_CHECKING:
    from azlog_vmbackup.analyzer.knowledge.codes import CodeBook


@dataclass
class Knowledge:
    """The causes and signatures, loaded at once, and the error codes (``codes``), read at their first use:
    diagnosing a bundle needs those only to name the causes nearest to errors nothing explains."""

    causes: dict[str, Cause]
    signatures: list[Signature]
    book: CodeBook | None = None  # the error codes once read

    @classmethod
    def load(cls, extra_dirs: Iterable[Path] = ()) -> "Knowledge":
        """The built-in knowledge plus the user's signature files in ``extra_dirs``."""
        causes = load_causes()
        return cls(causes, load_signatures(extra_dirs, causes))

    @property
    def codes(self) -> CodeBook:
        """The error codes (``codes.load_codes``), read at the first call."""
        if self.book is None:
            from azlog_vmbackup.analyzer.knowledge.codes import load_codes

            self.book = load_codes(causes=self.causes)
        return self.book
