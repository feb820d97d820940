"""Progress of long solves: iteration, residual and elapsed time, at most every few seconds.

The solver calls :meth:`Progress.update` at every iteration; the report goes to a sink
(the rule's log in the workflow, stderr on the CLI) only once the solve has run for
``interval`` seconds, and then at most once per ``interval``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Progress"]


class Progress:
    """Throttled progress reports of one solve, or of each point of a scan."""

    def __init__(self, sink: Callable[[str], None], interval: float = 3.0) -> None:
        self.sink = sink
        self.interval = interval
        self.label = ""
        self.stage = ""    #: appended to the label, e.g. the excitation window being solved
        self._start = self._last = time.perf_counter()

    def begin(self, label: str) -> None:
        """A new solve (``label`` names it, e.g. the point of a scan)."""
        self.label, self.stage = label, ""
        self._start = self._last = time.perf_counter()

    def update(self, iteration: int, residual: float) -> None:
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self.sink(f"{self.label}{self.stage}: iteration {iteration}, estimated relative residual "
                      f"{residual:.2e}, {now - self._start:.1f} s")

    def done(self, iterations: int, residual: float) -> None:
        """Report a finished solve if it took longer than ``interval``."""
        elapsed = time.perf_counter() - self._start
        if elapsed >= self.interval:
            self.sink(f"{self.label}: converged after {iterations} iterations, relative "
                      f"residual {residual:.2e}, {elapsed:.1f} s")
