"""Direct solver: sparse LU of the whole Liouvillian with the trace condition."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..state import SolverError
from .liouvillian import Liouvillian, LocalEmissionLiouvillian

__all__ = ["solve_direct"]


def _grid_nested_dissection(n: int, leaf: int = 64) -> np.ndarray:
    """Nested-dissection order of the row-major n × n grid (one-line separators).

    Valid for couplings between neighbouring rows/columns and along the diagonal
    (i, j) ↔ (i+1, j+1), which is all ρ ↦ Gρ + ρG† with tridiagonal G and the
    jump J⁻ρJ⁺ produce.
    """
    pieces: list[np.ndarray] = []
    stack = [(0, n, 0, n, False)]
    while stack:   # post-order: both halves before their separator
        i0, i1, j0, j1, emit = stack.pop()
        if emit or (i1 - i0) * (j1 - j0) <= leaf:
            ii, jj = np.meshgrid(np.arange(i0, i1), np.arange(j0, j1), indexing="ij")
            pieces.append((ii * n + jj).ravel())
            continue
        if i1 - i0 >= j1 - j0:
            c = (i0 + i1) // 2
            stack += [(c, c + 1, j0, j1, True), (c + 1, i1, j0, j1, False),
                      (i0, c, j0, j1, False)]
        else:
            c = (j0 + j1) // 2
            stack += [(i0, i1, c, c + 1, True), (i0, i1, c + 1, j1, False),
                      (i0, i1, j0, c, False)]
    return np.concatenate(pieces)


def solve_direct(L: Liouvillian) -> np.ndarray:
    """Sparse LU of L with one (dependent) diagonal equation replaced by Tr ρ = 1."""
    M = L.matrix
    row = L.anchor_row()
    mask = np.ones(L.size)
    mask[row] = 0.0
    trace_cols = np.flatnonzero(L.trace_row)
    A = sp.diags_array(mask) @ M + sp.csr_array(
        (L.trace_row[trace_cols], (np.full(trace_cols.size, row), trace_cols)), shape=M.shape)
    b = np.zeros(L.size, dtype=complex)
    b[row] = 1.0
    # Orderings measured: minimum degree on A + Aᵀ suits the 3-D (J, M, M') structure
    # of local emission; for the 2-D (M, M') grid of collective emission a geometric
    # nested dissection beats COLAMD (N = 300: 9.1M vs 13.2M factor entries, 0.45 s
    # vs 0.9 s per point).
    try:
        if isinstance(L, LocalEmissionLiouvillian):
            x = spla.splu(A.tocsc(), permc_spec="MMD_AT_PLUS_A",
                          diag_pivot_thresh=0.1).solve(b)
        else:
            p = _grid_nested_dissection(L.spin.dim)
            lu = spla.splu(A[p][:, p].tocsc(), permc_spec="NATURAL", diag_pivot_thresh=0.1,
                           options={"SymmetricMode": True})
            x = np.empty_like(b)
            x[p] = lu.solve(b[p])
    except RuntimeError as exc:  # SuperLU: "Factor is exactly singular"
        raise SolverError(f"direct solve failed: {exc}") from exc
    if not np.all(np.isfinite(x)):
        raise SolverError("direct solve returned non-finite entries (singular Liouvillian)")
    return x
