r"""Krylov solver: right-preconditioned GMRES on a Liouvillian block tridiagonal over J.

GMRES on the local-emission Liouvillian in real coordinates
(:class:`~.realblocks.RealBlockLiouvillian`, applied matrix-free) or on a declared
model's assembled Liouvillian in real coordinates, cut into its J blocks
(:class:`~.hermitianblocks.HermitianBlockLiouvillian`), with its first
equation (the population of :math:`|N/2,-N/2\rangle`, dependent by trace conservation)
replaced by :math:`\sum_J\mathrm{Tr}\rho^J = 1`, right-preconditioned by one symmetric
block Gauss–Seidel sweep over J (:class:`~.preconditioner.BlockGaussSeidel`).
Orthogonalisation is classical Gram–Schmidt, repeated where it cancelled, as BLAS
matrix–vector products on a preallocated basis; with single-precision factors the
flexible variant (FGMRES). A warm start (a neighbouring point's
solution) and a reused preconditioner are accepted, see :mod:`.scan`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..state import SolverError
from .options import SolverOptions
from .preconditioner import BlockGaussSeidel, BlockOperator
from .progress import Progress

__all__ = ["KrylovResult", "KrylovSolution", "WarmStart", "TakePreconditioner", "gmres",
           "reusable", "solve_krylov", "basis_length", "REORTHOGONALISE_BELOW"]


#: a new Krylov vector is orthogonalised a second time when the first projection left
#: less than this fraction of its norm (1/√2, DGKS); each pass reads the whole basis
REORTHOGONALISE_BELOW = 2 ** -0.5


@dataclass
class KrylovResult:
    x: np.ndarray
    iterations: int
    residual_norm: float     #: ‖b − A x‖₂ (true residual at the end of the last cycle)
    cycles: int


def gmres(apply_A: Callable[[np.ndarray], np.ndarray], b: np.ndarray,
          apply_M: Callable[[np.ndarray], np.ndarray], atol: float, restart: int,
          maxiter: int, x0: np.ndarray | None = None,
          progress: Callable[[int, float], None] | None = None,
          flexible: np.dtype | None = None) -> KrylovResult:
    """Right-preconditioned restarted GMRES in the arithmetic of ``b`` (real or complex),
    classical Gram–Schmidt (BLAS-2 on a preallocated basis), repeated once where the
    projection cancelled more than :data:`REORTHOGONALISE_BELOW` of the vector (the
    criterion of Daniel, Gragg, Kaufman & Stewart 1976: "twice is enough"), Givens
    rotations (complex ones, :math:`[[\bar c, \bar s], [-s, c]]`, which are the real ones
    for real data).

    ``flexible``: the flexible variant (FGMRES, Saad 1993) for a preconditioner that is
    linear only to its rounding, e.g. single-precision factors: the preconditioned
    vectors :math:`z_j = M v_j` are kept, in this dtype, the operator is applied to the
    kept :math:`z_j`, and the update is :math:`x = x_0 + Z y`, so the Arnoldi relation
    :math:`A Z = V H` holds whatever M did and however Z was rounded.
    """
    n, dtype = b.size, b.dtype
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=dtype)
    iterations, cycles = 0, 0
    V = np.empty((min(restart, maxiter) + 1, n), dtype=dtype)
    Z = None if flexible is None else np.empty((min(restart, maxiter), n), dtype=flexible)
    while True:
        r = b - apply_A(x) if (iterations or x0 is not None) else b.copy()
        beta = float(np.linalg.norm(r))
        if beta <= atol or iterations >= maxiter or not np.isfinite(beta):
            return KrylovResult(x, iterations, beta, cycles)
        cycles += 1
        m = min(restart, maxiter - iterations)
        H = np.zeros((m + 1, m), dtype=dtype)
        cs, sn = np.zeros(m, dtype=dtype), np.zeros(m, dtype=dtype)
        g = np.zeros(m + 1, dtype=dtype)
        g[0] = beta
        np.multiply(r, 1 / beta, out=V[0])
        del r
        j = 0
        for j in range(m):
            if Z is None:
                w = apply_A(apply_M(V[j]))
            else:
                Z[j] = apply_M(V[j])
                w = apply_A(Z[j].astype(dtype))
            Vj = V[:j + 1]
            before = float(np.linalg.norm(w))
            h = (Vj @ w.conj()).conj()     # V^H w without conjugating the basis
            w -= h @ Vj
            hn = float(np.linalg.norm(w))
            if hn < REORTHOGONALISE_BELOW * before:   # cancellation: once more (DGKS)
                h2 = (Vj @ w.conj()).conj()
                w -= h2 @ Vj
                h += h2
                hn = float(np.linalg.norm(w))
            H[:j + 1, j] = h
            H[j + 1, j] = hn
            if hn > 0:
                np.multiply(w, 1 / hn, out=V[j + 1])
            del w
            for i in range(j):
                t = np.conj(cs[i]) * H[i, j] + np.conj(sn[i]) * H[i + 1, j]
                H[i + 1, j] = -sn[i] * H[i, j] + cs[i] * H[i + 1, j]
                H[i, j] = t
            den = float(np.hypot(abs(H[j, j]), abs(H[j + 1, j])))
            cs[j], sn[j] = (H[j, j] / den, H[j + 1, j] / den) if den > 0 else (1.0, 0.0)
            H[j, j], H[j + 1, j] = den, 0.0
            g[j + 1] = -sn[j] * g[j]
            g[j] = np.conj(cs[j]) * g[j]
            iterations += 1
            if progress is not None:
                progress(iterations, abs(g[j + 1]))
            if abs(g[j + 1]) <= atol or hn == 0:
                break
        y = np.linalg.solve(np.triu(H[:j + 1, :j + 1]), g[:j + 1])
        x += apply_M(y @ V[:j + 1]) if Z is None else y @ Z[:j + 1]
        if iterations >= maxiter:
            return KrylovResult(x, iterations, float(np.linalg.norm(b - apply_A(x))), cycles)


@dataclass(frozen=True)
class WarmStart:
    """Where a solve may start: a neighbouring point's solution and its operator's
    coordinates (which :meth:`BlockOperator.to_blocks` turns into ρ^J)."""

    operator: BlockOperator
    x: np.ndarray


#: hands a neighbour's factorised preconditioner to the next solve, once (so that no
#: caller's frame keeps it alive: one the solve cannot reuse is freed before it factorises)
TakePreconditioner = Callable[[], "BlockGaussSeidel | None"]


def reusable(preconditioner: BlockGaussSeidel | None,
             L: BlockOperator) -> BlockGaussSeidel | None:
    """``preconditioner`` if it fits L (same J ↔ J ± 1 couplings), else None: the caller
    lets go of one that does not fit before a new one is factorised."""
    return preconditioner if preconditioner is not None and preconditioner.compatible(L) \
        else None


@dataclass
class KrylovSolution:
    """A converged Krylov solve (coordinates of its operator) and what a neighbouring solve
    may reuse."""

    x: np.ndarray
    iterations: int
    residual: float
    operator: BlockOperator     #: the operator whose coordinates x is in
    preconditioner: BlockGaussSeidel
    preconditioner_reused: bool
    info: dict[str, float]

    @property
    def warm_start(self) -> WarmStart:
        return WarmStart(self.operator, self.x)


def basis_length(basis_bytes: float, L: BlockOperator,
                 preconditioner: BlockGaussSeidel) -> int:
    """GMRES restart length within ``basis_bytes``: one vector per iteration, two (the
    second in the factors' precision) for the flexible variant."""
    per_vector = L.dtype.itemsize + (0 if preconditioner.flexible_dtype is None
                                     else preconditioner.flexible_dtype.itemsize)
    return int(np.clip(basis_bytes / (per_vector * L.size), 10, 500))


def _augmented(L: BlockOperator) -> Callable[[np.ndarray], np.ndarray]:
    """x ↦ L̃ x: L x with its first equation replaced by the trace."""
    def apply(x: np.ndarray) -> np.ndarray:
        y = L.matvec(x)
        y[0] = L.trace(x)
        return y
    return apply


def _usable(x0: np.ndarray, L: BlockOperator) -> bool:
    """Whether ``x0`` (a neighbour's solution) is a vector in L's coordinates."""
    return x0.dtype == L.dtype and x0.shape == (L.size,)


def solve_krylov(L: BlockOperator, options: SolverOptions, *,
                 x0: np.ndarray | None = None, preconditioner: BlockGaussSeidel | None = None,
                 progress: Progress | None = None) -> KrylovSolution:
    r"""Solve :math:`\tilde L x = e_0` to ``options.tolerance`` (relative residual
    :math:`\max|\mathcal{L}\rho| / \max|\mathcal{L}_{ij}|`).

    ``x0``: initial guess in L's coordinates (rescaled to unit trace; ignored if it is
    not one); ``preconditioner``: one factorised for a neighbouring Hamiltonian with the
    same J ↔ J ± 1 couplings (only the diagonal blocks depend on H, so it stays a valid,
    if less exact, preconditioner).
    """
    start = time.perf_counter()
    scale = L.rate_scale
    reused = preconditioner is not None and preconditioner.compatible(L)
    if not reused:
        preconditioner = BlockGaussSeidel(L, options.sweep)
    assert preconditioner is not None
    setup = time.perf_counter() - start
    b = np.zeros(L.size, dtype=L.dtype)
    b[0] = 1.0
    x = x0 / L.trace(x0) if x0 is not None and _usable(x0, L) else None
    atol = max(1e-4 * options.tolerance * scale, 1e-15)
    restart = basis_length(options.krylov_basis_bytes, L, preconditioner)
    report = None if progress is None else (lambda it, r: progress.update(it, r / scale))
    apply = _augmented(L)
    iterations, residual = 0, np.inf
    for _ in range(3):   # tighten the Krylov tolerance if the true residual check fails
        result = gmres(apply, b, preconditioner, atol, restart,
                       options.max_iterations - iterations, x, report,
                       flexible=preconditioner.flexible_dtype)
        iterations += result.iterations
        x = result.x / L.trace(result.x)
        residual = L.relative_residual(x)
        if residual <= options.tolerance or iterations >= options.max_iterations \
                or not np.isfinite(residual):
            break
        atol *= 1e-2
    if not np.isfinite(residual) or residual > options.tolerance:
        raise SolverError(f"Krylov solver did not converge: relative residual {residual:.3e} "
                          f"> {options.tolerance:.1e} after {iterations} iterations "
                          f"(cap {options.max_iterations})")
    assert x is not None
    info = {"restart": float(restart), "setup_seconds": setup,
            "krylov_seconds": time.perf_counter() - start - setup,
            "preconditioner_reused": float(reused),
            "factor_bytes": float(preconditioner.nbytes)}
    return KrylovSolution(x=x, iterations=iterations, residual=residual, operator=L,
                          preconditioner=preconditioner, preconditioner_reused=reused, info=info)
