r"""Symmetric block Gauss–Seidel preconditioner over J for the steady-state system.

It serves every operator that is block tridiagonal over J (blocks by descending J,
couplings J ↔ J ± 1 only) and exposes its blocks (:class:`BlockOperator`): the
local-emission operator (:class:`~.realblocks.RealBlockLiouvillian`) and that of any
declared model with local channels (:class:`~.hermitianblocks.HermitianBlockLiouvillian`).
Measured design choices are in ``benchmarks/README.md``: the same-J jump belongs in the
exactly factorised diagonal blocks (it is what makes the mixed regime converge), and one
symmetric sweep beats Jacobi and a forward-only sweep.

How a sweep runs is :class:`SweepOptions`:

- **Domains.** The blocks are cut into contiguous domains over J of about equal factor
  work; each domain is swept lexicographically (forward, then backward), and a domain's
  boundary block sees its neighbour's forward values (block Jacobi between domains in
  the forward half, one delayed coupling in the backward half). The domains are
  independent, so :attr:`SweepOptions.workers` threads factorise and sweep them at
  once (SuperLU releases the GIL). The domains are cut before factorisation, on the
  blocks' sizes (:data:`FILL_EXPONENT`), so that each thread factorises its own. A
  red–black (two-colour) ordering, the textbook parallel sweep, was measured at 2.8×
  the GMRES iterations of the lexicographic one (N = 100, 200, xyz ferromagnetic
  point): it propagates a correction by one J per half-sweep, where the
  lexicographic sweep carries it through every J. Cutting into 2 domains costs about 7%
  more iterations.
- **Precision.** Single-precision factors take 2/3 of the bytes and read faster; the
  couplings and the outer GMRES stay in double precision, and GMRES is then the flexible
  variant (:func:`~.krylov.gmres`, ``flexible``), so the answer keeps its accuracy. The
  factors and ρ span tens of decades, so a single-precision factorisation or sweep runs
  with subnormal floats flushed to zero (:mod:`.floating`); without that it was slower
  than the double-precision one.

The answer does not depend on :attr:`SweepOptions.workers` (a domain is swept the same
way whichever thread sweeps it); it depends on the domains and the precision only through
the iterations GMRES needs to reach the same tolerance.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import time
import weakref
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..state import SolverError
from .floating import subnormals_flushed
from .options import SweepOptions

__all__ = ["BlockGaussSeidel", "BlockOperator", "split_domains", "SINGLE_PEAK_EXPONENT",
           "FILL_EXPONENT"]

#: a single-precision block solve scales its right-hand side to a peak of 2^this
#: (:meth:`BlockGaussSeidel._solve`): below it, 2^216 of range before subnormals
SINGLE_PEAK_EXPONENT = 90

#: the factor entries of a diagonal block grow about like its unknowns to this power
#: (SuperLU, minimum degree on AᵀA + A: 80 entries per unknown for 5101 unknowns, 133 for
#: 45 301, xyz ferromagnetic point): the domains' cost, known before factorisation
FILL_EXPONENT = 1.23

_SINGLE = {np.dtype(float): np.dtype(np.float32), np.dtype(complex): np.dtype(np.complex64)}


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


def split_domains(costs: Sequence[float], domains: int) -> list[tuple[int, int]]:
    """Cut blocks 0 … K−1 into at most ``domains`` contiguous [start, stop) ranges of
    about equal total cost (each at least two blocks, so that every domain has a
    backward half)."""
    K = len(costs)
    domains = max(1, min(domains, K // 2))
    edges = np.cumsum(costs) / float(np.sum(costs))
    cuts = [0]
    for d in range(1, domains):
        cut = int(np.searchsorted(edges, d / domains)) + 1
        cuts.append(min(max(cut, cuts[-1] + 2), K - 2 * (domains - d)))
    cuts.append(K)
    return list(itertools.pairwise(cuts))


@functools.cache
def owner_thread(slot: int) -> ThreadPoolExecutor:
    """The process's sweep thread number ``slot``, shared by every preconditioner so that a
    scan does not start threads point after point. A domain's factors are made, used and
    freed in one such thread: SciPy's SuperLU frees a factor's memory only in the thread
    that allocated it (a factor made in a worker thread and dropped elsewhere was never
    freed: 0.12 GB lost per factorisation of the N = 120 blocks; scipy issue 15921)."""
    return ThreadPoolExecutor(1, thread_name_prefix=f"block-gauss-seidel-{slot}")


def _drop_factors(lus: list[Any], start: int, stop: int) -> None:
    for k in range(start, stop):
        lus[k] = None


def _free_in_owners(lus: list[Any], owners: list[ThreadPoolExecutor],
                    domains: list[tuple[int, int]]) -> None:
    """Hands each domain's factors to its owner thread to be freed there."""
    for owner, (start, stop) in zip(owners, domains, strict=True):
        owner.submit(_drop_factors, lus, start, stop)


class BlockGaussSeidel:
    r"""Symmetric block Gauss–Seidel sweep over J for :math:`\tilde L` (L with its first
    equation, the population of :math:`|N/2,-N/2\rangle`, replaced by the trace), cut
    into domains over J (module docstring).

    Diagonal blocks are sparse matrices factorised by SuperLU (minimum degree on
    AᵀA + A, threshold 0.1), in the precision of ``sweep``. Only the diagonal blocks
    depend on the Hamiltonian: the J ↔ J ± 1 couplings are local jumps (N and the local
    rates only), so the object remains a valid — if less exact — preconditioner for
    other models with the same couplings (same ``coupling_key``: scan reuse). It applies
    the couplings of the operator it was built for.
    """

    def __init__(self, L: BlockOperator, sweep: SweepOptions | None = None,
                 permc_spec: str = "MMD_AT_PLUS_A", diag_pivot_thresh: float = 0.1) -> None:
        self.L = L
        self.sweep = sweep or SweepOptions()
        self.key = L.coupling_key
        self.factor_dtype = _SINGLE[np.dtype(L.dtype)] if self.sweep.precision == "single" \
            else np.dtype(L.dtype)
        #: whether the first equation is replaced by the trace (L̃); an operator without
        #: populations (the odd sector of M − M', :mod:`.spectrum`) is used as it is
        self.anchored = bool(np.size(L.diag_positions))
        self.domains = split_domains(
            [(stop - start) ** FILL_EXPONENT for start, stop in L.block_range],
            self.sweep.domains_for(L.size))
        workers = self.sweep.threads(len(self.domains))
        #: the thread that owns each domain's factors (None: the caller's thread owns all)
        self._owners = None if workers == 1 else \
            [owner_thread(i % workers) for i in range(len(self.domains))]
        self.lus: list[Any] = [None] * L.nblocks
        if self._owners is not None:
            finalizer = weakref.finalize(self, _free_in_owners, self.lus, self._owners,
                                         self.domains)
            finalizer.atexit = False
        start = time.perf_counter()
        entries = self._each_domain(
            lambda i: self._factor_domain(self.domains[i], permc_spec, diag_pivot_thresh))
        #: wall time of the factorisation (what a scan saves by reusing the factors)
        self.factor_seconds = time.perf_counter() - start
        self.factor_entries = int(sum(entries))

    def _factor_domain(self, domain: tuple[int, int], permc_spec: str,
                       diag_pivot_thresh: float) -> int:
        """Factorises the domain's blocks (in the calling thread); their entries."""
        for k in range(*domain):
            self.lus[k] = self._factor(k, permc_spec, diag_pivot_thresh)
        return sum(self.lus[k].nnz for k in range(*domain))

    def _factor(self, k: int, permc_spec: str, diag_pivot_thresh: float) -> Any:
        M = self.L.block_matrix(k)
        if k == 0 and self.anchored:
            M = self._anchor(self.L, M)
        try:
            return spla.splu(M.tocsc().astype(self.factor_dtype), permc_spec=permc_spec,
                             diag_pivot_thresh=diag_pivot_thresh)
        except RuntimeError as exc:
            raise SolverError(f"block J = {self.L.J_values[k]} is singular: {exc}") from exc

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
    def flexible_dtype(self) -> np.dtype | None:
        """The factors' dtype where GMRES must be the flexible variant (a single-precision
        sweep is linear only to its rounding), else None: FGMRES keeps the preconditioned
        vectors in it, and applies the operator to what it kept."""
        return None if self.factor_dtype == np.dtype(self.L.dtype) else self.factor_dtype

    @property
    def nbytes(self) -> int:
        """Approximate memory of the factors (values + row indices)."""
        return (self.factor_dtype.itemsize + 4) * self.factor_entries

    def _solve(self, k: int, rhs: np.ndarray) -> np.ndarray:
        """D_k⁻¹ rhs. In single precision the right-hand side is first scaled by a power
        of two to a peak of 2^:data:`SINGLE_PEAK_EXPONENT`: ρ decays over tens of decades
        with the excitation number, and unscaled its tail would fall below float32's range
        (subnormal, flushed to zero: :mod:`.floating`); the headroom left (2^38) is
        checked, and a solve that overflows is repeated unscaled."""
        if self.flexible_dtype is None:
            return self.lus[k].solve(rhs)
        peak = float(np.abs(rhs).max(initial=0.0))
        if peak == 0.0:
            return np.zeros_like(rhs)
        for exponent in (SINGLE_PEAK_EXPONENT, 0):   # module attribute: tests vary it
            scale = math.ldexp(1.0, exponent - math.frexp(peak)[1])
            with np.errstate(over="ignore", invalid="ignore"):
                x = self.lus[k].solve((rhs * scale).astype(self.factor_dtype))
            if np.isfinite(x).all():
                break
        return x.astype(rhs.dtype) / scale

    def _trace_between(self, x: np.ndarray, start: int, stop: int) -> Any:
        """Σ Tr ρ^J of x over blocks start … stop − 1."""
        d = self.L.diag_positions
        a, b = self.L.block_range[start][0], self.L.block_range[stop - 1][1]
        return x[d[(d >= a) & (d < b)]].sum()

    def _forward(self, r: np.ndarray, x: np.ndarray, domain: tuple[int, int]
                 ) -> list[np.ndarray]:
        """(D + L) y = r within the domain, its first block blind to the one before."""
        L, rng = self.L, self.L.block_range
        rhs = []
        for k in range(*domain):
            a, b = rng[k]
            rr = r[a:b].copy() if k == domain[0] else r[a:b] - L.coupling(x, k, k - 1)
            rhs.append(rr)
            x[a:b] = self._solve(k, rr)
        return rhs

    def _backward(self, r: np.ndarray, x: np.ndarray, domain: tuple[int, int],
                  rhs: list[np.ndarray], rest_trace: Any) -> None:
        """(D + U) x = D y within the domain, from its last block (re-solved with the
        next domain's forward values already in its ``rhs``) unless it is the last
        domain; block 0's trace row counts the other domains at their forward values."""
        L, rng = self.L, self.L.block_range
        start, stop = domain
        top = stop - 1 if stop == L.nblocks else stop
        for k in range(top - 1, start - 1, -1):
            a, b = rng[k]
            rr = rhs[k - start] if k == stop - 1 else rhs[k - start] - L.coupling(x, k, k + 1)
            if k == 0 and self.anchored:
                rr[0] = r[0] - self._trace_between(x, 1, stop) - rest_trace
            x[a:b] = self._solve(k, rr)

    def _arithmetic(self) -> contextlib.AbstractContextManager[None]:
        """Subnormals flushed in this thread for single-precision factors
        (:mod:`.floating`), the default arithmetic for double ones."""
        return subnormals_flushed() if self.flexible_dtype is not None \
            else contextlib.nullcontext()

    def _each_domain(self, work: Callable[[int], Any]) -> list[Any]:
        """``work(i)`` for every domain i, each in the thread that owns the domain."""
        def in_arithmetic(i: int) -> Any:
            with self._arithmetic():
                return work(i)
        if self._owners is None:
            return [in_arithmetic(i) for i in range(len(self.domains))]
        futures = [owner.submit(in_arithmetic, i) for i, owner in enumerate(self._owners)]
        return [future.result() for future in futures]

    def __call__(self, r: np.ndarray) -> np.ndarray:
        L = self.L
        x = np.empty_like(r)
        rhs = self._each_domain(lambda i: self._forward(r, x, self.domains[i]))
        # the delayed couplings across each domain boundary, at the forward values
        for i in range(1, len(self.domains)):
            s = self.domains[i][0]
            rhs[i][0] -= L.coupling(x, s, s - 1)
            rhs[i - 1][-1] -= L.coupling(x, s - 1, s)
        rest = self._trace_between(x, self.domains[0][1], L.nblocks) \
            if len(self.domains) > 1 else 0.0
        self._each_domain(lambda i: self._backward(r, x, self.domains[i], rhs[i], rest))
        return x
