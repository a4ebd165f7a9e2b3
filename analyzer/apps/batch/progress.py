"""The batch's progress bar."""
from __future__ import annotations

from pathlib import Path


class ProgressBar:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.progress = total, enabled, None

    def start(self) -> None:
        if not self.enabled or self.progress is not None:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        if not console.is_terminal:
            self.enabled = False
            return
        self.progress = Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TimeRemainingColumn(), TextColumn("{task.description}"), console=console,
                                 transient=True)
        self.task = self.progress.add_task("", total=self.total)
        self.progress.start()

    def advance(self, path: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=Path(path).name[:40])

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
