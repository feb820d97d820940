"""Steady states along a scan: each point reuses its neighbour's work.

Along a parameter scan at fixed N the previous point's ρ is an excellent starting guess,
and its factorised preconditioner stays a valid one (only the diagonal blocks over J
depend on the Hamiltonian). :class:`Scan` starts each Krylov solve from the previous
solution and keeps the preconditioner until the extra Krylov time it costs —
(iterations − iterations where it was factorised) × seconds per iteration — exceeds
``refactor_ratio`` × the time its factorisation took; the next point then refactorises.

Results do not depend on how a sweep is cut into scans beyond the solver tolerance:
every point is converged to the same relative residual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..models import Model
from ..state import SteadyState
from .krylov import KrylovSolution
from .options import SolverOptions
from .preconditioner import BlockGaussSeidel
from .progress import Progress
from .solve import chosen_method, krylov_steady_state, steady_state

__all__ = ["Scan", "steady_states"]


class Scan:
    """Solve neighbouring points one after the other, reusing work between them."""

    def __init__(self, options: SolverOptions | None = None, *,
                 progress: Progress | None = None, report: Callable[[str], None] | None = None,
                 refactor_ratio: float = 1.0) -> None:
        self.options = options or SolverOptions()
        self.progress = progress
        self.report = report
        self.refactor_ratio = refactor_ratio
        self._last: KrylovSolution | None = None
        self._last_N = -1
        self._reference_iterations = 0
        self._factor_seconds = 0.0
        self._refactor = False
        self._handed: BlockGaussSeidel | None = None

    def solve(self, model: Model, N: int, label: str = "") -> SteadyState:
        """The steady state of ``model`` at ``N`` (warm-started where possible)."""
        label = label or f"{model.name} N={N}"
        if self.progress is not None:
            self.progress.begin(label)
        if chosen_method(model, N, self.options) != "krylov":
            state = steady_state(model, N, self.options)
        else:
            previous = self._last if self._last_N == N else None
            warm = None if previous is None else previous.warm_start
            self._handed = None if previous is None or self._refactor \
                else previous.preconditioner
            self._last = previous = None   # the solve alone holds what it may reuse
            state, solution = krylov_steady_state(
                model, N, self.options, warm=warm, take_preconditioner=self._hand_over,
                progress=self.progress)
            self._remember(N, solution)
        if self.report is not None:
            self.report(f"{label}: {state.method}, {state.iterations} iterations, "
                        f"residual {state.residual:.1e}"
                        + (", preconditioner reused" if state.info.get("preconditioner_reused")
                           else ""))
        return state

    def _hand_over(self) -> BlockGaussSeidel | None:
        """The previous point's preconditioner, once: the scan lets go of it."""
        handed, self._handed = self._handed, None
        return handed

    def _remember(self, N: int, solution: KrylovSolution) -> None:
        if not solution.preconditioner_reused:
            self._reference_iterations = int(solution.info.get("last_window_iterations",
                                                               solution.iterations))
            self._factor_seconds = solution.preconditioner.factor_seconds
        # the last solve only (a windowed solve may have tried smaller windows first)
        iterations = int(solution.info.get("last_window_iterations", solution.iterations))
        per_iteration = solution.info["krylov_seconds"] / max(iterations, 1)
        extra = (iterations - self._reference_iterations) * per_iteration
        self._refactor = extra > self.refactor_ratio * self._factor_seconds
        self._last, self._last_N = solution, N


def steady_states(points: Iterable[tuple[Model, int]], options: SolverOptions | None = None,
                  **kwargs: object) -> Iterator[SteadyState]:
    """Steady states of ``(model, N)`` points in order, neighbours reusing each other's work
    (keyword arguments go to :class:`Scan`)."""
    scan = Scan(options, **kwargs)  # type: ignore[arg-type]
    for model, N in points:
        yield scan.solve(model, N)

