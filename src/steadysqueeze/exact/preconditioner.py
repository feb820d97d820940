r"""Symmetric block Gauss–Seidel preconditioner over J for the steady-state system.

It serves every operator that is block tridiagonal over J (blocks by descending J,
couplings J ↔ J ± 1 only) and exposes its blocks (:class:`BlockOperator`): the
local-emission operator (:class:`~.realblocks.RealBlockLiouvillian`) and that of any
declared model with local channels (:class:`~.hermitianblocks.HermitianBlockLiouvillian`).
Measured design choices are in ``benchmarks/README.md``: the same-J jump belongs in the
exactly factorised diagonal blocks (it is what makes the mixed regime converge), and one
symmetric sweep beats Jacobi and a forward-only sweep.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..state import SolverError

__all__ = ["BlockGaussSeidel", "BlockOperator"]


class BlockOperator(Protocol):
    """A Liouvillian, block tridiagonal over J, as the preconditioner and GMRES see it."""

    N: int
    dtype: np.dtype
    size: int
    nblocks: int
    J_values: Sequence[float]
    block_range: list[tuple[int, int]]     #: [start, stop) of block k in the vector
    diag_positions: np.ndarray             #: positions of the populations (the trace)
    #: equal keys ⇔ equal J ↔ J ± 1 couplings (a preconditioner may then be reused)
    coupling_key: Hashable

    @property
    def rate_scale(self) -> float: ...

    def block_matrix(self, k: int) -> sp.csr_array: ...

    def coupling(self, x: np.ndarray, k: int, source: int) -> np.ndarray: ...

    def trace(self, x: np.ndarray, k_from: int = 0) -> Any: ...

    def matvec(self, x: np.ndarray) -> np.ndarray: ...

    def relative_residual(self, x: np.ndarray) -> float: ...

    def to_blocks(self, x: np.ndarray) -> dict[float, np.ndarray]: ...


class BlockGaussSeidel:
    r"""Symmetric block Gauss–Seidel sweep over J for :math:`\tilde L` (L with its first
    equation, the population of :math:`|N/2,-N/2\rangle`, replaced by the trace).

    Diagonal blocks are sparse matrices factorised by SuperLU (minimum degree on
    AᵀA + A, threshold 0.1). Only the diagonal blocks depend on the Hamiltonian:
    the J ↔ J ± 1 couplings are local jumps (N and the local rates only), so the object
    remains a valid — if less exact — preconditioner for other models with the same
    couplings (same ``coupling_key``: scan reuse). It applies the couplings of the
    operator it was built for.
    """

    def __init__(self, L: BlockOperator, permc_spec: str = "MMD_AT_PLUS_A",
                 diag_pivot_thresh: float = 0.1) -> None:
        self.L = L
        self.key = L.coupling_key
        self.factor_seconds = 0.0
        self.lus: list[Any] = []
        self.factor_entries = 0
        #: whether the first equation is replaced by the trace (L̃); an operator without
        #: populations (the odd sector of M − M', :mod:`.spectrum`) is used as it is
        self.anchored = bool(np.size(L.diag_positions))
        for k in range(L.nblocks):
            M = L.block_matrix(k)
            if k == 0 and self.anchored:
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
    def _anchor(L: BlockOperator, M: sp.csr_array) -> sp.csr_array:
        a, b = L.block_range[0]
        d = L.diag_positions
        trace_cols = d[(d >= a) & (d < b)] - a
        M = M.tolil()
        M[0, :] = 0.0
        M[0, trace_cols] = 1.0
        return M.tocsr()

    def compatible(self, L: BlockOperator) -> bool:
        """Whether L has the couplings this preconditioner applies."""
        return self.key == L.coupling_key

    @property
    def nbytes(self) -> int:
        """Approximate memory of the factors (values + row indices)."""
        return (self.L.dtype.itemsize + 4) * self.factor_entries

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
            if k == 0 and self.anchored:
                rr[0] = r[0] - L.trace(x, 1)
            x[a:b] = self.lus[k].solve(rr)
        return x
