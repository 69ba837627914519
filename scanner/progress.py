"""Collection progress on the terminal: one bar plus the last (type, region) finished.

Shown on stderr only when it is a terminal and --quiet was not given, so CI logs and pipes stay clean.
"""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Any = None
        self._task: Any = None
        self.failed = 0

    def start(self, total: int) -> None:
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._progress = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=total, last="")

    def add(self, n: int, label: str) -> None:
        """More work discovered (e.g. per-item detail calls after listing)."""
        if self._progress is not None:
            total = self._progress.tasks[0].total or 0
            self._progress.update(self._task, total=total + n, last=label)

    def advance(self, rtype: str, region: str, ok: bool = True) -> None:
        if not ok:
            self.failed += 1
        if self._progress is not None:
            mark = "" if ok else " (!)"
            self._progress.update(self._task, advance=1, last=f"{rtype} @ {region}{mark}")

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
