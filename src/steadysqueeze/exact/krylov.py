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
flexible variant (FGMRES). Restarts are deflated: they keep the slowest harmonic Ritz
directions (GMRES-DR), so that a basis of a few dozen vectors converges in a few more
iterations than an unrestarted one (``benchmarks/README.md``). A warm start (a neighbouring point's
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
           "reusable", "solve_krylov", "basis_length", "restart_length",
           "REORTHOGONALISE_BELOW", "DRIFT", "SHORTEST_RESTART"]


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
          flexible: np.dtype | None = None, deflate: int = 0) -> KrylovResult:
    r"""Right-preconditioned restarted GMRES in the arithmetic of ``b`` (real or complex),
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

    ``deflate``: at a restart, keep the ``deflate`` harmonic Ritz vectors of the cycle
    with the smallest harmonic Ritz values (the slowest directions) and go on from them
    and the residual (GMRES-DR, Morgan 2002; its flexible form, Giraud, Gratton, Pinel &
    Vasseur 2010): a restart then loses the fast directions only. The kept preconditioned
    vectors are combinations of Z, held in the arithmetic of ``b`` so that the relation
    stays exact. A restart whose true residual departs from GMRES's by more than
    :data:`DRIFT` of it starts afresh from the true residual instead.
    """
    n, dtype = b.size, b.dtype
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=dtype)
    m = min(restart, maxiter)
    deflate = min(deflate, m // 2)
    iterations, cycles = 0, 0
    V = np.empty((m + 1, n), dtype=dtype)
    Z = None if flexible is None else np.empty((m, n), dtype=flexible)
    kept: _Deflation | None = None
    while True:
        r = b - apply_A(x) if (iterations or x0 is not None) else b.copy()
        beta = float(np.linalg.norm(r))
        if beta <= atol or iterations >= maxiter or not np.isfinite(beta):
            return KrylovResult(x, iterations, beta, cycles)
        if kept is not None and abs(beta - kept.residual) > DRIFT * beta:
            kept = None
        cycles += 1
        m = min(restart, maxiter - iterations + (0 if kept is None else kept.k))
        cycle = _Cycle(m, dtype, V, Z, kept)
        if kept is None:
            cycle.start(r, beta)
        del r
        j = cycle.offset
        for j in range(cycle.offset, m):
            w = apply_A(cycle.preconditioned(j, apply_M))
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
            if hn > 0:
                np.multiply(w, 1 / hn, out=V[j + 1])
            del w
            residual = cycle.add_column(j, h, hn)
            iterations += 1
            if progress is not None:
                progress(iterations, residual)
            if residual <= atol or hn == 0:
                break
        y = cycle.least_squares(j)
        x += cycle.update(y, apply_M)
        if iterations >= maxiter:
            return KrylovResult(x, iterations, float(np.linalg.norm(b - apply_A(x))), cycles)
        kept = cycle.deflation(y, deflate) if deflate and j + 1 == m else None


#: a deflated restart whose true residual norm departs from GMRES's own by more than this
#: fraction of it restarts afresh from the true residual (:func:`gmres`)
DRIFT = 0.1


@dataclass
class _Deflation:
    """What a deflated restart carries into the next cycle: the first k + 1 basis vectors
    (already in V), k preconditioned vectors, the (k + 1) × k Hessenberg block and the
    residual's coordinates in the k + 1 vectors."""

    Zk: np.ndarray | None        #: (k, n) in the arithmetic of b; None without flexible
    H: np.ndarray                #: (k + 1, k)
    c: np.ndarray                #: (k + 1,)
    residual: float              #: ‖c‖, GMRES's residual norm

    @property
    def k(self) -> int:
        return self.H.shape[1]


class _Cycle:
    r"""One GMRES cycle's small matrices: the Arnoldi matrix :math:`\bar H` (kept for the
    harmonic Ritz vectors), its Givens-rotated copy and the rotated right-hand side; and
    where its preconditioned vectors are (the kept ones, then Z)."""

    def __init__(self, m: int, dtype: np.dtype, V: np.ndarray, Z: np.ndarray | None,
                 kept: _Deflation | None) -> None:
        self.m, self.V, self.Z, self.kept = m, V, Z, kept
        self.Hbar = np.zeros((m + 1, m), dtype=dtype)
        self.R = np.zeros((m + 1, m), dtype=dtype)
        self.cs, self.sn = np.ones(m, dtype=dtype), np.zeros(m, dtype=dtype)
        self.c = np.zeros(m + 1, dtype=dtype)     #: the right-hand side in V's coordinates
        self.g = np.zeros(m + 1, dtype=dtype)     #: ... rotated
        self.Q0: np.ndarray | None = None
        if kept is not None:
            k = kept.k
            self.Hbar[:k + 1, :k] = kept.H
            self.c[:k + 1] = kept.c
            # the full leading block made triangular once; later columns see Q0^H first
            self.Q0, R0 = np.linalg.qr(kept.H, mode="complete")
            self.R[:k + 1, :k] = R0
            self.g[:k + 1] = self.Q0.conj().T @ kept.c

    @property
    def offset(self) -> int:
        return 0 if self.kept is None else self.kept.k

    def start(self, r: np.ndarray, beta: float) -> None:
        np.multiply(r, 1 / beta, out=self.V[0])
        self.c[0] = self.g[0] = beta

    def preconditioned(self, j: int,
                       apply_M: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """z_j = M v_j in the arithmetic of V; the flexible variant keeps it in Z, and
        returns what it kept."""
        if self.Z is None:
            return apply_M(self.V[j])
        slot = j - self.offset
        self.Z[slot] = apply_M(self.V[j])
        return self.Z[slot].astype(self.V.dtype)

    def add_column(self, j: int, h: np.ndarray, hn: float) -> float:
        """Column j of H̄; returns GMRES's residual norm after it."""
        self.Hbar[:j + 1, j] = h
        self.Hbar[j + 1, j] = hn
        col = self.R[:, j]
        col[:j + 1], col[j + 1] = h, hn
        if self.Q0 is not None:
            k = self.Q0.shape[0]
            col[:k] = self.Q0.conj().T @ col[:k]
        cs, sn = self.cs, self.sn
        for i in range(self.offset, j):
            t = np.conj(cs[i]) * col[i] + np.conj(sn[i]) * col[i + 1]
            col[i + 1] = -sn[i] * col[i] + cs[i] * col[i + 1]
            col[i] = t
        den = float(np.hypot(abs(col[j]), abs(col[j + 1])))
        cs[j], sn[j] = (col[j] / den, col[j + 1] / den) if den > 0 else (1.0, 0.0)
        col[j], col[j + 1] = den, 0.0
        self.g[j + 1] = -sn[j] * self.g[j]
        self.g[j] = np.conj(cs[j]) * self.g[j]
        return float(abs(self.g[j + 1]))

    def least_squares(self, j: int) -> np.ndarray:
        return np.linalg.solve(np.triu(self.R[:j + 1, :j + 1]), self.g[:j + 1])

    def update(self, y: np.ndarray, apply_M: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The correction to x: M V y, or Z y (flexible)."""
        if self.Z is None:
            return apply_M(y @ self.V[:y.size])
        return self._combination(y[None, :])[0]

    def deflation(self, y: np.ndarray, k: int) -> _Deflation | None:
        """The k slowest harmonic Ritz directions of this (full) cycle and its residual,
        written into V[:k + 1] (and the kept Z): the next cycle's start."""
        m, Hbar, dtype = self.m, self.Hbar, self.V.dtype
        s = self.c - Hbar @ y                       # the residual in V's coordinates
        G = _harmonic_ritz_vectors(Hbar, k)
        if G is None:
            return None
        k = G.shape[1]
        P = np.zeros((m + 1, k + 1), dtype=dtype)
        P[:m, :k] = np.linalg.qr(G)[0]
        last = s.copy()
        for _ in range(2):
            last -= P[:, :k] @ (P[:, :k].conj().T @ last)
        norm = float(np.linalg.norm(last))
        if not norm > 0:
            return None
        P[:, k] = last / norm
        H = P.conj().T @ Hbar @ P[:m, :k]
        c = P.conj().T @ s
        Zk = None if self.Z is None else self._combination(P[:m, :k].T)
        _combine_rows(self.V, P)
        return _Deflation(Zk, H, c, float(np.linalg.norm(c)))

    def _combination(self, coefficients: np.ndarray) -> np.ndarray:
        """``coefficients`` (p × columns so far) times the preconditioned vectors [kept Z;
        Z], in the arithmetic of V; the single-precision Z is cast chunk by chunk, never
        whole."""
        assert self.Z is not None
        k = self.offset
        columns = coefficients.shape[1]
        n, dtype = self.V.shape[1], self.V.dtype
        out = np.zeros((coefficients.shape[0], n), dtype=dtype)
        if self.kept is not None and self.kept.Zk is not None:
            out += coefficients[:, :k] @ self.kept.Zk
        rows = self.Z[:columns - k]
        for a in range(0, n, _CHUNK):
            out[:, a:a + _CHUNK] += coefficients[:, k:] @ rows[:, a:a + _CHUNK].astype(dtype)
        return out


#: columns per chunk where a single-precision block is combined in double precision
_CHUNK = 1 << 16


def _combine_rows(V: np.ndarray, P: np.ndarray) -> None:
    """V[:p] = Pᵀ V[:q] for P (q × p), in place, chunk by chunk (q = P's rows)."""
    q, p = P.shape
    for a in range(0, V.shape[1], _CHUNK):
        V[:p, a:a + _CHUNK] = P.T @ V[:q, a:a + _CHUNK]


def _harmonic_ritz_vectors(Hbar: np.ndarray, k: int) -> np.ndarray | None:
    r"""Coordinates (m × k', k' = k or k + 1 to keep a complex pair whole) of the harmonic
    Ritz vectors of :math:`\bar H` ((m + 1) × m) with the k smallest harmonic Ritz
    values: eigenvectors of :math:`H_m + |h_{m+1,m}|^2 H_m^{-H} e_m e_m^T` (Morgan 2002),
    real and imaginary parts for real data. None if :math:`H_m` is singular."""
    m = Hbar.shape[1]
    Hm = Hbar[:m, :m]
    em = np.zeros(m, dtype=Hbar.dtype)
    em[-1] = 1.0
    try:
        f = np.linalg.solve(Hm.conj().T, em)
    except np.linalg.LinAlgError:
        return None
    A = Hm.copy()
    A[:, -1] += abs(Hbar[m, m - 1]) ** 2 * f
    theta, G = np.linalg.eig(A)
    order = np.argsort(np.abs(theta))
    if np.iscomplexobj(Hbar):
        return G[:, order[:k]]
    chosen = [int(i) for i in order[:k]]
    partner = int(np.argmin(np.abs(theta - theta[chosen[-1]].conjugate())))
    if partner not in chosen:    # a complex pair cut in two by k: keep both
        chosen.append(partner)
    columns = []
    for i in chosen:             # a pair's span: the real and imaginary parts of one
        if theta[i].imag >= 0:
            columns.append(G[:, i].real)
        if theta[i].imag > 0:
            columns.append(G[:, i].imag)
    return np.column_stack(columns)


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


#: the shortest GMRES restart :func:`basis_length` gives, whatever the budget: with
#: deflated restarting, 24–29 vectors cost 5–8 % more iterations than an unrestarted basis
SHORTEST_RESTART = 24


def restart_length(basis_bytes: float, unknowns: int, vector_bytes: int,
                   kept_bytes: int = 0) -> int:
    """GMRES restart length within ``basis_bytes`` for ``unknowns``, at least
    :data:`SHORTEST_RESTART`: ``vector_bytes`` per unknown and iteration, ``kept_bytes`` per
    unknown for what a deflated restart keeps."""
    vectors = (basis_bytes / unknowns - kept_bytes) / vector_bytes
    return int(np.clip(vectors, SHORTEST_RESTART, 500))


def basis_length(basis_bytes: float, L: BlockOperator,
                 preconditioner: BlockGaussSeidel, deflation: int = 0) -> int:
    """:func:`restart_length` of L: one vector per iteration, two (the second in the
    factors' precision) for the flexible variant, whose deflated restarts also keep
    ``deflation`` preconditioned vectors in the operator's precision."""
    flexible = preconditioner.flexible_dtype
    itemsize = L.dtype.itemsize
    if flexible is None:
        return restart_length(basis_bytes, L.size, itemsize)
    return restart_length(basis_bytes, L.size, itemsize + flexible.itemsize,
                          deflation * itemsize)


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
    restart = basis_length(options.krylov_basis_bytes, L, preconditioner,
                           options.krylov_deflation)
    report = None if progress is None else (lambda it, r: progress.update(it, r / scale))
    apply = _augmented(L)
    iterations, residual = 0, np.inf
    for _ in range(3):   # tighten the Krylov tolerance if the true residual check fails
        result = gmres(apply, b, preconditioner, atol, restart,
                       options.max_iterations - iterations, x, report,
                       flexible=preconditioner.flexible_dtype,
                       deflate=options.krylov_deflation)
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
