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
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:   # qutip is imported on first use only (it is slow to import)
    import qutip

__all__ = ["SteadyState", "SolverError", "check_physical", "DEFAULT_RESIDUAL_TOLERANCE"]

#: largest accepted ‖L ρ‖_∞ relative to the largest Liouvillian rate
DEFAULT_RESIDUAL_TOLERANCE = 1e-9


class SolverError(RuntimeError):
    """The exact steady-state solve failed (singular system, no convergence, unphysical ρ)."""


def _zero_spectrum(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The eigendecomposition of an all-zero block (outside an excitation window)."""
    return np.zeros(n), np.eye(n, dtype=complex)


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

    @cached_property
    def spectra(self) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        """Eigenvalues (ascending) and eigenvectors of every block, computed once for the
        positivity check, the entropy and the QFI."""
        return {J: np.linalg.eigh(rho) if rho.any() else _zero_spectrum(rho.shape[0])
                for J, rho in self.blocks.items()}

    def to_qutip(self) -> "qutip.Qobj":
        r"""ρ as a :class:`qutip.Qobj` in the Dicke basis of :mod:`qutip.piqs`.

        The basis is that of :func:`qutip.piqs.jspin`: blocks from :math:`J = N/2` down to
        0 (N even) or 1/2 (N odd), and inside a block :math:`M = J, J-1, \dots, -J`
        (the reverse of :attr:`blocks`), :func:`qutip.piqs.num_dicke_states` rows in all.
        The normalisation is the same as here and in PIQS (``Dicke(N, ...).liouvillian()``
        with :func:`qutip.steadystate`): each block stands for its :math:`d_J` degenerate
        copies together and the plain trace is 1. Blocks this state does not hold (the
        :math:`J < N/2` blocks of a collective model) are zero. The data are sparse (CSR,
        one dense block per J).

        Linear functions of ρ apply directly: ``qutip.expect(qutip.piqs.jspin(N, "z"),
        rho)`` is :math:`\langle J^z\rangle`. Nonlinear ones must weigh the copies:
        use :func:`qutip.piqs.purity_dicke` and :func:`qutip.piqs.entropy_vn_dicke`
        (:func:`qutip.entropy_vn` of this matrix is the entropy of the state only when
        just the :math:`J = N/2` block, which has :math:`d_J = 1`, is occupied).

        Examples
        --------
        >>> import qutip
        >>> from qutip import piqs
        >>> from steadysqueeze import steady_state
        >>> rho = steady_state("dicke", 4, Omega=0.5).to_qutip()
        >>> rho.shape == (piqs.num_dicke_states(4),) * 2
        True
        >>> print(f"{qutip.expect(piqs.jspin(4, 'z'), rho):.6f}")   # <J^z>
        -0.863636
        """
        import qutip

        from .spin import spin_values   # the same order as PIQS's blocks

        spins = spin_values(self.N).tolist()
        if set(self.blocks) - set(spins):
            raise ValueError(f"blocks {sorted(self.blocks)} are not total spins of N = {self.N}")
        dims = [int(round(2 * J + 1)) for J in spins]
        blocks = [np.asarray(self.blocks[J], dtype=complex)[::-1, ::-1] if J in self.blocks
                  else sp.csr_array((d, d), dtype=complex) for J, d in zip(spins, dims)]
        return qutip.Qobj(sp.block_diag(blocks, format="csr"), dims=[[sum(dims)], [sum(dims)]])


def check_physical(state: SteadyState, tolerance: float) -> None:
    """Raise :class:`SolverError` unless ρ has a small residual, unit trace and is positive."""
    if not np.isfinite(state.residual) or state.residual > tolerance:
        raise SolverError(f"steady-state residual {state.residual:.3e} exceeds {tolerance:.1e}")
    if abs(state.trace - 1) > 1e3 * tolerance:
        raise SolverError(f"steady state has trace {state.trace!r}, not 1")
    lowest = min(float(p[0]) for p, _ in state.spectra.values())
    if lowest < -1e3 * tolerance:
        raise SolverError(f"steady state is not positive: eigenvalue {lowest:.3e}")
