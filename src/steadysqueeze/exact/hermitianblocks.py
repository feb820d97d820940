r"""The Liouvillian of a declared model in real coordinates, block by block over J.

For a declared model with local channels (:class:`~.general.GeneralLiouvillian`) the
Liouvillian of Eq. 1 (Huybrechts & Roscilde, arXiv:2402.16824) couples a block
:math:`\rho^J` only to :math:`\rho^{J}` and :math:`\rho^{J\pm1}`: the collective terms
stay in J, the jumps of the three local channels move J by at most one (Shammah et al.,
PRA 98, 063815 (2018), Eq. 1 and Appendix). So the assembled matrix, on the kept
unknowns (parity-reduced where H allows), is block tridiagonal over J.

Real coordinates
    Every :math:`\rho^J` is Hermitian and :math:`\mathcal{L}` maps Hermitian matrices to
    Hermitian matrices (:math:`\mathcal{L}[X^\dagger] = \mathcal{L}[X]^\dagger`), for
    *any* Hamiltonian (even or odd, real or not) and channels. Storing a Hermitian X as
    the real :math:`R = \mathrm{Re}\,X + \mathrm{Im}\,X` (entrywise;
    :math:`X = \tfrac{1+i}{2}R + \tfrac{1-i}{2}R^T`), the complex matrix
    :math:`\mathcal{L}` becomes the real one

    .. math:: \mathcal{L}_R = \mathrm{Re}\,\mathcal{L} + (\mathrm{Im}\,\mathcal{L})\,\Pi,

    with :math:`\Pi` the transposition :math:`R_{ab} \leftrightarrow R_{ba}` inside each
    block, so still block tridiagonal. Measured at N = 100 (driven Dicke + local
    emission): the Krylov part 7.3 s in real vs 11 s in complex arithmetic, at the same
    iterations, and half the memory per factor entry.

:class:`HermitianBlockLiouvillian` holds these real pieces for the block Gauss–Seidel
preconditioner (:class:`~.preconditioner.BlockGaussSeidel`) and GMRES (:mod:`.krylov`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .channels import LOCAL_CHANNELS
from .general import GeneralLiouvillian

__all__ = ["HermitianBlockLiouvillian"]


def _transposition(n: int, kept: np.ndarray) -> np.ndarray:
    """Positions in ``kept`` (row-major indices of an n × n block, sorted, closed under
    transposition) of the transposed entries."""
    return np.searchsorted(kept, (kept % n) * n + kept // n)


class HermitianBlockLiouvillian:
    """Block-tridiagonal real form over J of a :class:`~.general.GeneralLiouvillian`
    (module docstring): the coordinates :math:`R = \\mathrm{Re}\\,\\rho^J +
    \\mathrm{Im}\\,\\rho^J` on the kept unknowns, blocks by descending J. Implements
    :class:`~.preconditioner.BlockOperator`.
    """

    dtype = np.dtype(float)

    def __init__(self, L: GeneralLiouvillian) -> None:
        self.L, self.N = L, L.N
        self.J_values = [spin.J for spin in L.spins]
        self.nblocks = len(L.spins)
        self.size = L.size
        self.block_range = L.block_ranges
        self.diag_positions = np.flatnonzero(L.trace_row)
        local = sorted((c, r) for c, r in L.rates.items() if c in LOCAL_CHANNELS)
        self.coupling_key = ("declared", self.N, self.size, tuple(local))
        kept = [L.kept_in_block(k) for k in range(self.nblocks)]
        #: position (in the global vector) of the transposed entry of every unknown
        self.transposed = np.concatenate(
            [a + _transposition(spin.dim, idx)
             for spin, idx, (a, _) in zip(L.spins, kept, self.block_range)])
        self.pieces: dict[tuple[int, int], sp.csr_array] = {}
        self.rate_scale = 0.0
        for k, row in enumerate(L.block_grid()):
            for s, piece in enumerate(row):
                if piece is not None or s == k:
                    self._add_piece(k, s, piece, kept)

    def _add_piece(self, k: int, s: int, piece: sp.sparray | None,
                   kept: list[np.ndarray]) -> None:
        """Store the real piece (k, s) of L_R from the complex one on full blocks."""
        if abs(k - s) > 1:
            raise AssertionError("Liouvillian couples J beyond J ± 1")   # a coding error
        shape = (kept[k].size, kept[s].size)
        if piece is None:
            self.pieces[(k, s)] = sp.csr_array(shape)
            return
        C = sp.csr_array(piece)[kept[k]][:, kept[s]]
        self.rate_scale = max(self.rate_scale, float(np.abs(C.data).max(initial=0.0)))
        a = self.block_range[s][0]
        R = (C.real + C.imag[:, self.transposed[a:a + shape[1]] - a]).tocsr()
        R.eliminate_zeros()
        self.pieces[(k, s)] = R

    def block_matrix(self, k: int) -> sp.csr_array:
        """Diagonal block k (coherent part and same-J jumps)."""
        return self.pieces[(k, k)]

    def coupling(self, x: np.ndarray, k: int, source: int) -> np.ndarray:
        """Contribution of block ``source`` (≠ k) of x to block k of L_R x."""
        a, b = self.block_range[source]
        piece = self.pieces.get((k, source))
        if piece is None:
            return np.zeros(self.block_range[k][1] - self.block_range[k][0])
        return piece @ x[a:b]

    def trace(self, x: np.ndarray, k_from: int = 0) -> float:
        """Σ_{J ≤ J_k} Tr ρ^J of x (blocks k_from, k_from + 1, …)."""
        d = self.diag_positions
        return float(x[d[d >= self.block_range[k_from][0]]].sum())

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """L_R x, block by block."""
        y = np.zeros(self.size)
        for (k, s), piece in self.pieces.items():
            a, b = self.block_range[s]
            y[self.block_range[k][0]:self.block_range[k][1]] += piece @ x[a:b]
        return y

    def _complex(self, x: np.ndarray) -> np.ndarray:
        """Real coordinates → the Hermitian blocks' entries X = (1+i)/2 R + (1−i)/2 Rᵀ."""
        xt = x[self.transposed]
        return 0.5 * (x + xt) + 0.5j * (x - xt)

    def relative_residual(self, x: np.ndarray) -> float:
        r""":math:`\max|\mathcal{L}\rho| / \max|\mathcal{L}_{ij}|` (complex L)."""
        return float(np.abs(self._complex(self.matvec(x))).max()) / self.rate_scale

    def to_blocks(self, x: np.ndarray) -> dict[float, np.ndarray]:
        """Real coordinates → dict J ↦ Hermitian ρ^J."""
        return self.L.unpack(self._complex(x))
