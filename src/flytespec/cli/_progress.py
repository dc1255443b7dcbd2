"""A minimal progress bar for stderr: drawn in place on a terminal, never when the stream is piped."""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Count steps and redraw ``reading [######----]  60% 600/1000`` in place, at most ten times a second.

    Args:
        total: the number of steps.
        stream: where to draw (stderr).
        enabled: draw at all; callers decide (a terminal, enough work, not asked to be quiet).
        label: what is being done.
    """

    WIDTH = 28

    def __init__(self, total: int, stream: TextIO, *, enabled: bool, label: str) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.enabled = enabled
        self.label = label
        self.done = 0
        self._last = 0.0
        self._drawn = False

    def advance(self, steps: int = 1) -> None:
        """Count ``steps`` more; redraw when enough time has passed, and at the end."""
        self.done = min(self.done + steps, self.total)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= 0.1 or self.done == self.total:
            self._last = now
            self.stream.write("\r" + self.line())
            self.stream.flush()
            self._drawn = True

    def line(self) -> str:
        """The bar as text."""
        filled = self.WIDTH * self.done // self.total
        percent = 100 * self.done // self.total
        return f"{self.label} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {percent:3d}% {self.done}/{self.total}"

    def close(self) -> None:
        """Erase the bar, leaving the line as it was."""
        if self._drawn:
            self.stream.write("\r" + " " * len(self.line()) + "\r")
            self.stream.flush()
            self._drawn = False
