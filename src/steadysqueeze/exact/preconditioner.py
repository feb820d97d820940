r"""Symmetric block Gauss–Seidel preconditioner over J for the real local-emission system.

Measured design choices are in ``benchmarks/README.md``: the same-J jump belongs in the
exactly factorised diagonal blocks (it is what makes the mixed regime converge), and one
symmetric sweep beats Jacobi and a forward-only sweep.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..state import SolverError
from .realblocks import RealBlockLiouvillian

__all__ = ["BlockGaussSeidel"]


class BlockGaussSeidel:
    r"""Symmetric block Gauss–Seidel sweep over J for :math:`\tilde L` (L with its first
    equation, the population of :math:`|N/2,-N/2\rangle`, replaced by the trace).

    Diagonal blocks are real sparse matrices factorised by SuperLU (minimum degree on
    AᵀA + A, threshold 0.1). Only the diagonal blocks depend on the Hamiltonian: the
    J ↔ J ± 1 couplings are jumps (N and γ only), so the object remains a valid — if
    less exact — preconditioner for other models with the same N and γ (scan reuse).
    """

    def __init__(self, L: RealBlockLiouvillian, permc_spec: str = "MMD_AT_PLUS_A",
                 diag_pivot_thresh: float = 0.1) -> None:
        self.L = L
        self.N, self.gamma = L.N, L.gamma
        self.factor_seconds = 0.0
        self.lus: list[Any] = []
        self.factor_entries = 0
        for k in range(L.nblocks):
            M = L.block_matrix(k)
            if k == 0:
                M = self._anchor(L, M)
            start = time.perf_counter()
            try:
                lu = spla.splu(M.tocsc(), permc_spec=permc_spec,
                               diag_pivot_thresh=diag_pivot_thresh)
            except RuntimeError as exc:
                raise SolverError(f"block J = {L.J_values[k]} is singular: {exc}") from exc
            self.factor_seconds += time.perf_counter() - start
            self.factor_entries += int(lu.nnz)
            self.lus.append(lu)

    @staticmethod
    def _anchor(L: RealBlockLiouvillian, M: sp.csr_array) -> sp.csr_array:
        a, b = L.block_range[0]
        d = L.diag_positions
        trace_cols = d[(d >= a) & (d < b)] - a
        M = M.tolil()
        M[0, :] = 0.0
        M[0, trace_cols] = 1.0
        return M.tocsr()

    def compatible(self, L: RealBlockLiouvillian) -> bool:
        return self.N == L.N and self.gamma == L.gamma

    @property
    def nbytes(self) -> int:
        """Approximate memory of the factors (values + row indices)."""
        return 12 * self.factor_entries

    def __call__(self, r: np.ndarray) -> np.ndarray:
        L, K = self.L, self.L.nblocks
        rng = L.block_range
        x = np.empty_like(r)
        rhs: list[np.ndarray] = []
        for k in range(K):   # forward: (D + L) y = r
            a, b = rng[k]
            rr = r[a:b].copy() if k == 0 else r[a:b] - L.coupling(x, k, k - 1)
            rhs.append(rr)
            x[a:b] = self.lus[k].solve(rr)
        for k in range(K - 2, -1, -1):   # backward: (D + U) x = D y
            a, b = rng[k]
            rhs.pop()                # rhs[k + 1] is no longer needed
            rr = rhs[k] - L.coupling(x, k, k + 1)
            if k == 0:
                rr[0] = r[0] - L.trace(x, 1)
            x[a:b] = self.lus[k].solve(rr)
        return x
