r"""The steady state as a permutation-invariant density matrix, and its physicality checks.

A permutation-invariant state of :math:`N` spins-1/2 is block diagonal in the total
spin, :math:`\rho = \bigoplus_J \rho^J` (the PIQS representation of Shammah et al.,
PRA 98, 063815 (2018); Sec. 3.2 of Huybrechts & Roscilde, arXiv:2402.16824). Each block
:math:`\rho^J` stands for the :math:`d_J` degenerate copies together, normalised as
:math:`\sum_J \mathrm{Tr}\,\rho^J = 1`, so expectation values of collective operators are
:math:`\sum_J \mathrm{Tr}(\rho^J A_J)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SteadyState", "SolverError", "check_physical", "DEFAULT_RESIDUAL_TOLERANCE"]

#: largest accepted ‖L ρ‖_∞ relative to the largest Liouvillian rate
DEFAULT_RESIDUAL_TOLERANCE = 1e-9


class SolverError(RuntimeError):
    """The exact steady-state solve failed (singular system, no convergence, unphysical ρ)."""


@dataclass(frozen=True)
class SteadyState:
    r"""A permutation-invariant steady state in the Dicke basis.

    ``blocks[J]`` is :math:`\rho^J` with basis :math:`M = -J, \dots, J`; the blocks
    carry the weight of all :math:`d_J` copies, :math:`\sum_J \mathrm{Tr}\rho^J = 1`.
    """

    N: int
    blocks: dict[float, np.ndarray]
    residual: float
    method: str
    iterations: int = 0
    info: dict[str, float] = field(default_factory=dict)

    @property
    def trace(self) -> float:
        return float(sum(np.trace(b).real for b in self.blocks.values()))


def check_physical(state: SteadyState, tolerance: float) -> None:
    """Raise :class:`SolverError` unless ρ has a small residual, unit trace and is positive."""
    if not np.isfinite(state.residual) or state.residual > tolerance:
        raise SolverError(f"steady-state residual {state.residual:.3e} exceeds {tolerance:.1e}")
    if abs(state.trace - 1) > 1e3 * tolerance:
        raise SolverError(f"steady state has trace {state.trace!r}, not 1")
    lowest = min(float(np.linalg.eigvalsh(b)[0]) for b in state.blocks.values())
    if lowest < -1e3 * tolerance:
        raise SolverError(f"steady state is not positive: eigenvalue {lowest:.3e}")
