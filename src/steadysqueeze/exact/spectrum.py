r"""The slowest eigenvalues of the Liouvillian: relaxation rates and the Liouvillian gap.

What is computed
    The eigenvalues :math:`\lambda` of :math:`\mathcal{L}` (Eq. 1 of Huybrechts & Roscilde,
    arXiv:2402.16824) nearest zero, other than the steady state's :math:`\lambda = 0`, and
    the gap :math:`\Delta = \min |\mathrm{Re}\,\lambda|` among them, the slowest decay
    rate, which closes at a dissipative phase transition (Kessler et al., PRA 86, 012116
    (2012); Minganti, Biella, Bartolo & Ciuti, PRA 98, 042118 (2018)). Huybrechts,
    Minganti, Nori, Wouters & Shammah, PRB 101, 214302 (2020) computed it for the XYZ
    model with the permutation-invariant method at N ≲ 100.

Which spectrum: the permutation-invariant sector
    The eigenvalues are those of :math:`\mathcal{L}` on the permutation-invariant
    operators :math:`\rho = \bigoplus_J \rho^J` (Shammah et al., PRA 98, 063815 (2018)),
    on the physical unknowns of :mod:`.emission` and :mod:`.general` (no PIQS unphysical
    entries, so none of their spurious eigenvalues): the sector that a
    permutation-invariant state, such as :math:`|\phi_0\rangle`, never leaves. The full
    :math:`4^N`-dimensional Liouvillian of N distinguishable emitters has many more
    eigenvalues, in sectors a permutation-invariant state never reaches; **the gap
    reported here is that of the permutation-invariant sector**. With collective channels
    only, the dynamics also never leaves a total-spin block and only the symmetric block
    J = N/2, where :math:`|\phi_0\rangle` and the steady state live, is kept (as the
    steady-state solver does).

Parity sectors
    Every channel shifts M and M' alike, so where H changes M by even amounts only
    (``model.conserves_parity``) :math:`\mathcal{L}` conserves the parity of M − M' (it
    commutes with :math:`\rho \mapsto e^{i\pi J^z}\rho\, e^{-i\pi J^z}`): the spectrum is
    the union of an ``even`` sector, which holds the steady state, and an ``odd`` one,
    which holds, in an ordered phase, the tunnelling mode :math:`\rho_+ - \rho_-` between
    the two symmetry-broken states (Minganti et al. 2018, Sec. V). Each sector is searched
    separately; without parity there is one sector, ``all``.

Method
    :math:`\mathcal{L}` maps Hermitian matrices to Hermitian ones, so it is the
    complexification of the real map :math:`\mathcal{L}_R` on the coordinates
    :math:`R = \mathrm{Re}\,\rho^J + \mathrm{Im}\,\rho^J`
    (:class:`~.hermitianblocks.HermitianBlockLiouvillian`): the same eigenvalues, in
    complex-conjugate pairs, and :math:`R \mapsto \rho` is an isometry, so
    :math:`\|\mathcal{L}v - \lambda v\|/\|v\|` (Frobenius norm over the blocks, without
    the degeneracy weights) is the same in either form. In each sector the shift-invert
    Arnoldi method (ARPACK through :func:`scipy.sparse.linalg.eigs`; Lehoucq, Sorensen &
    Yang, *ARPACK Users' Guide*, SIAM 1998, Sec. 3.2) finds the eigenvalues
    :math:`\nu = 1/(\lambda - \sigma)` of largest modulus of
    :math:`(\mathcal{L} - \sigma)^{-1}`, i.e. the eigenvalues nearest the real shift
    :math:`\sigma = -` ``SpectrumOptions.shift`` (default −0.05, in the units of the
    couplings; 0 is allowed). A small negative shift, rather than 0, bounds the shifted
    operator's condition number when an eigenvalue is exponentially close to 0 (the
    tunnelling mode of an ordered phase: ~3e-4 at N = 100 for xyz (1.6, −2, 1)), where at
    :math:`\sigma = 0` GMRES would be asked for a relative residual below its rounding
    floor; such an eigenvalue is still found first, to the absolute accuracy
    ``arpack_tolerance`` × |σ|.

    *The steady state is deflated exactly.* The trace is the left eigenvector of
    :math:`\lambda = 0`, so every eigenvector with :math:`\lambda \ne 0` is traceless; the
    traceless operators are invariant, and on them :math:`\mathcal{L}` is invertible
    (for a unique steady state). With :math:`\tilde{\mathcal{L}}` the steady-state
    solver's operator (its first equation, the population of :math:`|N/2,-N/2\rangle`,
    replaced by the trace) and :math:`b'` the vector b with that entry set to 0, the map
    :math:`b \mapsto (\mathcal{L} - \sigma)^{\sim -1}b'` (the same replacement in
    :math:`\mathcal{L} - \sigma`) sends every eigenvector of :math:`\lambda \ne 0` to
    itself times :math:`1/(\lambda - \sigma)` and the steady state to 0, for any σ: a
    traceless right-hand side has a traceless solution. The odd sector has no populations
    and no steady state: there it is :math:`(\mathcal{L} - \sigma)^{-1}` itself. Each
    application is one GMRES solve
    (:func:`~.krylov.gmres`) right-preconditioned by the steady-state solver's symmetric
    block Gauss–Seidel sweep over J (:class:`~.preconditioner.BlockGaussSeidel`, its
    diagonal blocks shifted), factorised once per sector and reused by every solve; a
    solve stops at a relative residual of ``solve_tolerance``. Small sectors
    (``SpectrumOptions.dense_below``) are diagonalised densely, as the generalised problem
    :math:`\tilde{\mathcal{L}}v = \lambda P v` (P drops the first equation; the steady
    state goes to infinity).

    *Excitation window* (local channels; as :mod:`.window` for the steady state). Away
    from a transition the slow eigenvectors, like the steady state, stay near
    :math:`|\phi_0\rangle`: their entries fall off geometrically with the excitation
    number :math:`n = \max(M, M') + N/2`. The problem is first solved on the entries with
    :math:`n \le K` (a principal submatrix; K from ``SpectrumOptions.first_window``, then
    where the decay measured inside the window extrapolates to,
    :func:`~.window.next_window`, until it suffices or would cover most of the N + 1
    levels: then the full problem). A window is
    accepted only when every eigenvector found has decayed below
    ``SpectrumOptions.window_tolerance`` of its largest entry in the last
    :data:`~.window.EDGE_SHELLS` shells and its residual on the *full* operator (exact:
    the zero-padded vector under the operator of a window wider by the reach of
    :math:`\mathcal{L}` in n) meets ``residual_tolerance``. A slow mode that lives
    entirely beyond the window would be missed (none is known below a transition: local
    emission only lowers n, and the slowest modes are few-excitation ones; near and past
    a transition the eigenvectors spread and the window grows to the full problem).

Limits
    Shift-invert at 0 returns the eigenvalues nearest zero *in modulus*; ``radius``
    records, per sector, the modulus up to which the list is complete. A mode slower than
    the reported gap but with a frequency :math:`|\mathrm{Im}\,\lambda|` beyond the
    radius would be missed: raise ``k`` to widen it. Krylov methods do not resolve the
    multiplicity of a degenerate eigenvalue reliably (it may be listed fewer times than
    it occurs; exact degeneracies arise e.g. at Ω = 0 in the driven Dicke model).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..channels import LOCAL_CHANNELS
from ..models import Model
from ..models.declared import DeclaredModel
from ..spin import CollectiveSpin, collective_spin
from ..state import SolverError
from .emission import CollectiveEmissionLiouvillian, block_kron
from .hermitianblocks import HermitianBlockLiouvillian
from .krylov import basis_length, gmres
from .liouvillian import liouvillian
from .memory import available_memory_bytes, format_gb, local_unknowns, peak_memory_bytes
from .options import SweepOptions
from .preconditioner import BlockGaussSeidel
from .window import FIRST_WINDOW, next_window, wide_enough

__all__ = ["SECTORS", "Spectrum", "SpectrumMemoryError", "SpectrumOptions", "sector_name",
           "sector_operator", "sector_parities", "slowest_eigenvalues", "spectrum_memory_bytes"]

#: sector names: the parity of M − M' where H conserves it, else one sector
SECTORS = ("even", "odd", "all")
#: Arnoldi basis size per sector (at least 2 k + 3): at xyz (1.6, -2, 1), N = 60, k = 4,
#: ARPACK converges in its first basis with 30 vectors (31 solves per sector) where 20
#: needed 35-37 solves and 12 needed 34-41
DEFAULT_NCV = 30
#: GMRES iterations of one solve between checks of its backward error (a restart; the
#: solves of the benchmarks take 10-70)
SOLVE_CHUNK = 200
#: resident size of a process with the scientific stack imported (as :mod:`.memory`)
_BASE_BYTES = 0.12e9
#: collective channels only: bytes per unknown and factor log2(N + 1) of the block's LU
_COLLECTIVE_LU_BYTES = 100.0
#: no window when the first one would cover this fraction of the N + 1 levels
FULL_FRACTION = 0.75


class SpectrumMemoryError(MemoryError):
    """The estimated peak memory of a spectrum exceeds the limit (refused before any work)."""


@dataclass(frozen=True)
class SpectrumOptions:
    r"""How :func:`slowest_eigenvalues` computes.

    Attributes
    ----------
    arpack_tolerance
        Relative accuracy of the Ritz values :math:`\nu = 1/\lambda` (ARPACK's ``tol``).
    solve_tolerance
        Each shift-invert solve stops at :math:`\|b' - \tilde{\mathcal{L}}x\| \le`
        this × :math:`\|b'\|` (or, failing that after :data:`SOLVE_CHUNK` iterations,
        × :math:`(\|b'\| + \max|\mathcal{L}_{ij}|\,\|x\|)`, the normwise backward error).
    max_solve_iterations
        GMRES iteration cap of one solve (reaching it is a :class:`SolverError`).
    krylov_basis_bytes
        Memory budget of one solve's GMRES basis (sets its restart length).
    ncv
        Arnoldi basis size per sector (None: max(2 k + 3, :data:`DEFAULT_NCV`)).
    max_restarts
        ARPACK's iteration cap (None: its default, 10 × the unknowns).
    dense_below
        Sectors with fewer real unknowns are diagonalised densely.
    residual_tolerance
        Largest accepted :math:`\|\mathcal{L}v - \lambda v\| / \|v\|`, relative to the
        largest rate :math:`\max|\mathcal{L}_{ij}|`.
    excitation_window
        Whether models with local channels are first solved in an excitation window.
    first_window
        Excitations of the first window.
    window_tolerance
        A window suffices when every eigenvector found is below this fraction of its
        largest entry in the window's outer shells.
    max_memory_bytes
        Refuse (:class:`SpectrumMemoryError`) when :func:`spectrum_memory_bytes` exceeds
        this; None: the memory available now.
    shift
        The Arnoldi shift is σ = −shift (≥ 0; module docstring): the eigenvalues nearest
        σ are found, reported by their distance to 0.
    sweep
        How each solve's preconditioner sweeps (precision, domains, threads).
    """

    arpack_tolerance: float = 1e-10
    solve_tolerance: float = 1e-10
    max_solve_iterations: int = 1000
    krylov_basis_bytes: float = 1.6e9
    ncv: int | None = None
    max_restarts: int | None = None
    dense_below: int = 400
    residual_tolerance: float = 1e-10
    excitation_window: bool = True
    first_window: int = FIRST_WINDOW
    window_tolerance: float = 1e-10
    max_memory_bytes: float | None = None
    shift: float = 0.05
    sweep: SweepOptions = field(default_factory=SweepOptions)

    def __post_init__(self) -> None:
        for name in ("arpack_tolerance", "solve_tolerance", "residual_tolerance",
                     "window_tolerance"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{name} must lie in (0, 1), got {value}")
        if self.ncv is not None and self.ncv < 3:
            raise ValueError(f"ncv must be >= 3, got {self.ncv}")
        if self.first_window < 1:
            raise ValueError(f"first_window must be >= 1, got {self.first_window}")
        if not 0 <= self.shift < 1e3:
            raise ValueError(f"shift must be >= 0, got {self.shift}")


@dataclass(frozen=True)
class Spectrum:
    r"""The slowest eigenvalues of :math:`\mathcal{L}` of one model at one N.

    Attributes
    ----------
    eigenvalues
        Complex, sorted by :math:`|\mathrm{Re}\,\lambda|`, then :math:`|\mathrm{Im}\,\lambda|`.
    sectors
        The sector of each eigenvalue (``even``/``odd`` parity of M − M', or ``all``).
    residuals
        :math:`\|\mathcal{L}v - \lambda v\|/\|v\|` of each eigenpair, on the full operator.
    gap, sector
        The smallest :math:`|\mathrm{Re}\,\lambda|` and its sector.
    radius
        Per sector: every eigenvalue with :math:`|\lambda|` below it is listed.
    info
        Per sector (``{sector}_{key}``): unknowns, window, solves, GMRES iterations, seconds.
    """

    N: int
    eigenvalues: np.ndarray
    sectors: tuple[str, ...]
    residuals: np.ndarray
    gap: float
    sector: str
    radius: dict[str, float]
    info: dict[str, float] = field(default_factory=dict)

    def in_sector(self, sector: str) -> np.ndarray:
        """The eigenvalues of one sector, in the order of :attr:`eigenvalues`."""
        return self.eigenvalues[np.array([s == sector for s in self.sectors], dtype=bool)]

    def gap_of(self, sector: str) -> float:
        r"""The smallest :math:`|\mathrm{Re}\,\lambda|` of one sector."""
        values = self.in_sector(sector)
        if values.size == 0:
            raise KeyError(f"no eigenvalues in sector {sector!r}")
        return float(np.abs(values.real).min())


# -- the operator of one sector ----------------------------------------------------------------
def sector_parities(model: Model) -> tuple[int | None, ...]:
    """(0, 1), the parities of M − M', where H conserves it, else (None,): one sector."""
    return (0, 1) if model.conserves_parity else (None,)


def sector_name(parity: int | None) -> str:
    """``even``, ``odd`` or ``all`` (no parity)."""
    return SECTORS[2] if parity is None else SECTORS[parity]


def _block_indices(spin: CollectiveSpin, N: int, parity: int | None,
                   window: int | None) -> np.ndarray:
    r"""Row-major indices of the entries :math:`\rho^J_{ab}` of one block in the sector:
    a − b of the given parity (any for None), both excitation numbers
    :math:`n = a + N/2 - J` at most ``window`` (any for None)."""
    dim = spin.dim
    a, b = np.divmod(np.arange(dim * dim), dim)
    keep = np.ones(dim * dim, dtype=bool)
    if parity is not None:
        keep &= (a - b) % 2 == parity
    if window is not None:
        keep &= np.maximum(a, b) + int(round(N / 2 - spin.J)) <= window
    return np.flatnonzero(keep)


def _grid(terms: Iterable[tuple[int, int, sp.sparray, sp.sparray]], n: int
          ) -> list[list[sp.sparray | None]]:
    """The [target][source] pieces of the first n blocks from a Liouvillian's terms."""
    grid: list[list[sp.sparray | None]] = [[None] * n for _ in range(n)]
    for target, source, left, right in terms:
        if target < n and source < n:
            term = block_kron(left, right)
            grid[target][source] = term if grid[target][source] is None \
                else grid[target][source] + term
    return grid


class _SectorView:
    """A Liouvillian's blocks restricted to one sector (parity and excitation window),
    with what :class:`~.hermitianblocks.HermitianBlockLiouvillian` reads of a Liouvillian.
    Blocks by descending J, row-major; blocks without entries in the sector (J = 0 in the
    odd sector, blocks with more holes than the window) are the last ones, left out."""

    def __init__(self, spins: Sequence[CollectiveSpin],
                 grid: Callable[[int], list[list[sp.sparray | None]]], N: int,
                 parity: int | None, window: int | None, rates: dict[str, float]) -> None:
        kept = [_block_indices(s, N, parity, window) for s in spins]
        count = next((i for i, idx in enumerate(kept) if idx.size == 0), len(kept))
        self.N, self.rates, self.parity, self.window = N, rates, parity, window
        self.spins, self._kept, self._grid = list(spins)[:count], kept[:count], grid
        bounds = np.concatenate([[0], np.cumsum([idx.size for idx in self._kept])])
        self.block_ranges = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
        self.size = int(bounds[-1])
        self.trace_row = np.concatenate(
            [(idx // s.dim == idx % s.dim).astype(float) for s, idx in zip(self.spins, self._kept)])

    def kept_in_block(self, k: int) -> np.ndarray:
        return self._kept[k]

    def block_grid(self) -> list[list[sp.sparray | None]]:
        return self._grid(len(self.spins))

    def excitations(self) -> np.ndarray:
        r"""The excitation number :math:`\max(n_a, n_b)` of every unknown."""
        return np.concatenate(
            [np.maximum(*np.divmod(idx, s.dim)) + int(round(self.N / 2 - s.J))
             for s, idx in zip(self.spins, self._kept)])

    def positions_in(self, wider: _SectorView) -> np.ndarray:
        """Where each unknown of this view sits in ``wider`` (same sector, wider window)."""
        return np.concatenate(
            [a + np.searchsorted(wider.kept_in_block(k), idx)
             for k, (idx, (a, _)) in enumerate(zip(self._kept, wider.block_ranges))])

    def unpack(self, x: np.ndarray) -> dict[float, np.ndarray]:
        """Sector vector → dict J ↦ dense block (zero outside the sector)."""
        out = {}
        for spin, idx, (a, b) in zip(self.spins, self._kept, self.block_ranges):
            block = np.zeros(spin.dim * spin.dim, dtype=x.dtype)
            block[idx] = x[a:b]
            out[spin.J] = block.reshape(spin.dim, spin.dim)
        return out


def _rates(model: Model, N: int) -> dict[str, float]:
    """The channel rates of ``model`` (PIQS conventions, :mod:`steadysqueeze.channels`)."""
    if isinstance(model, DeclaredModel):
        return dict(model.channel_rates(N))
    if model.dissipation == "local":
        return {"emission": model.rate}
    return {"collective_emission": model.rate / N}


def _has_local_channels(model: Model, N: int) -> bool:
    return any(_rates(model, N).get(c, 0.0) for c in LOCAL_CHANNELS)


def _view(model: Model, N: int, parity: int | None, window: int | None) -> _SectorView:
    """The sector (parity, window) of ``model``'s Liouvillian, its pieces built on demand."""
    L = liouvillian(model, N)

    def grid(n: int) -> list[list[sp.sparray | None]]:
        if isinstance(L, CollectiveEmissionLiouvillian):
            return [[L.matrix]]   # one block, J = N/2
        return _grid(L.terms(), n)

    return _SectorView(L.spins, grid, L.N, parity, window, _rates(model, L.N))


def sector_operator(model: Model, N: int, parity: int | None,
                    window: int | None = None) -> HermitianBlockLiouvillian:
    r""":math:`\mathcal{L}_R` on one sector, block tridiagonal over J in real coordinates:
    ``parity`` 0 (M − M' even), 1 (odd) or None (all entries); ``window``: only the
    entries with at most that many excitations (None: all)."""
    return HermitianBlockLiouvillian(_view(model, N, parity, window))   # type: ignore[arg-type]


def _reach(model: Model, N: int) -> int:
    r"""How far :math:`\mathcal{L}` moves the excitation number: the largest change of M
    by H, and 1 for the jumps (pumping raises n by one)."""
    H = sp.coo_array(model.hamiltonian(N, collective_spin(N / 2)))
    charge = int(np.abs(H.row - H.col)[np.abs(H.data) > 0].max(initial=0))
    return max(charge, 1)


# -- memory ------------------------------------------------------------------------------------
def spectrum_memory_bytes(model: Model, N: int, k: int = 4,
                          options: SpectrumOptions | None = None) -> float:
    """Estimated peak resident memory (bytes) of :func:`slowest_eigenvalues`.

    One sector is held at a time. With local channels its operator and factorised
    preconditioner cost what the steady-state solve of the same unknowns costs
    (:func:`.memory.peak_memory_bytes`); with collective channels only, the sparse LU of
    the one (N + 1)² block, measured at 83 bytes per unknown and factor of log2(N + 1)
    (0.36 GB in all at N = 400; counted as 100). Both plus the Arnoldi basis, ARPACK's
    workspace and the eigenvectors (3 ncv + 2 k vectors). Measured in
    ``benchmarks/README.md``.
    """
    options = options or SpectrumOptions()
    ncv = options.ncv or max(2 * k + 3, DEFAULT_NCV)
    if _has_local_channels(model, N):
        unknowns = local_unknowns(N, model.conserves_parity)
        operator = peak_memory_bytes(type(model), N)
    else:
        unknowns = (N + 1) ** 2
        operator = _BASE_BYTES + _COLLECTIVE_LU_BYTES * unknowns * math.log2(N + 1)
    return operator + 8.0 * unknowns * (3 * ncv + 2 * k)


def _check_memory(model: Model, N: int, k: int, options: SpectrumOptions) -> None:
    """Refuse before any work, as :func:`steadysqueeze.cli` does for a solve."""
    need = spectrum_memory_bytes(model, N, k, options)
    limit, origin = options.max_memory_bytes, "max_memory_bytes"
    if limit is None:
        limit, origin = available_memory_bytes(), "memory available now"
    if need > limit:
        raise SpectrumMemoryError(
            f"N = {N}: the spectrum of {model.name} needs an estimated {format_gb(need)}, "
            f"more than {format_gb(limit)} ({origin})")


# -- eigenpairs of one sector operator ---------------------------------------------------------
@dataclass
class _Eigenpairs:
    values: np.ndarray
    vectors: np.ndarray     #: columns, complex, in the sector operator's coordinates
    radius: float


class _Shifted:
    r""":math:`\mathcal{L}_R - \sigma` for a real shift σ, with the block interface of
    :class:`~.preconditioner.BlockOperator` (the diagonal blocks shifted, the couplings
    over J as they are)."""

    def __init__(self, L: HermitianBlockLiouvillian, sigma: float) -> None:
        self.L, self.sigma = L, float(sigma)
        self.N, self.dtype, self.size, self.nblocks = L.N, L.dtype, L.size, L.nblocks
        self.J_values, self.block_range = L.J_values, L.block_range
        self.diag_positions, self.coupling_key = L.diag_positions, (L.coupling_key, sigma)
        self.rate_scale = L.rate_scale

    def block_matrix(self, k: int) -> sp.csr_array:
        M = self.L.block_matrix(k)
        return (M - self.sigma * sp.eye_array(M.shape[0], format="csr")).tocsr()

    def coupling(self, x: np.ndarray, k: int, source: int) -> np.ndarray:
        return self.L.coupling(x, k, source)

    def trace(self, x: np.ndarray, k_from: int = 0) -> float:
        return self.L.trace(x, k_from)

    def matvec(self, x: np.ndarray) -> np.ndarray:
        return self.L.matvec(x) - self.sigma * x


class _ShiftInvert:
    r""":math:`b \mapsto (\mathcal{L} - \sigma)^{\sim -1} b'` on one sector (module
    docstring): right-preconditioned GMRES on the shifted operator, its first equation
    replaced by the trace where the sector has populations; counts solves and iterations."""

    def __init__(self, L: HermitianBlockLiouvillian, sigma: float,
                 options: SpectrumOptions) -> None:
        self.L, self.options = _Shifted(L, sigma), options
        self.anchored = bool(np.size(L.diag_positions))
        self.preconditioner = BlockGaussSeidel(self.L, options.sweep)
        self.restart = basis_length(options.krylov_basis_bytes, self.L, self.preconditioner)
        self.solves = self.iterations = 0

    def apply(self, x: np.ndarray) -> np.ndarray:
        """The shifted operator, the trace in place of its first equation if anchored."""
        y = self.L.matvec(x)
        if self.anchored:
            y[0] = self.L.trace(x)
        return y

    def _accepted(self, residual: float, norm: float, x: np.ndarray) -> bool:
        """Whether the normwise backward error of x is below ``solve_tolerance``."""
        scale = self.L.rate_scale * float(np.linalg.norm(x))
        return residual <= self.options.solve_tolerance * (norm + scale)

    def __call__(self, b: np.ndarray) -> np.ndarray:
        """One solve to a relative residual of ``solve_tolerance``; one that has not reached
        it after :data:`SOLVE_CHUNK` iterations (its rounding floor, in a nearly singular
        sector) is accepted at that backward error (a looser target from the start, with
        |x| estimated, was measured to spoil the eigenvectors: residuals 2e-7)."""
        b = np.array(b, dtype=float).ravel()
        if self.anchored:
            b[0] = 0.0
        norm, tol = float(np.linalg.norm(b)), self.options.solve_tolerance
        if norm == 0:
            return np.zeros_like(b)
        x, iterations, residual = None, 0, np.inf
        while iterations < self.options.max_solve_iterations:
            chunk = min(SOLVE_CHUNK, self.options.max_solve_iterations - iterations)
            result = gmres(self.apply, b, self.preconditioner, tol * norm,
                           min(self.restart, chunk), chunk, x,
                           flexible=self.preconditioner.flexible_dtype)
            x, iterations, residual = result.x, iterations + result.iterations, \
                result.residual_norm
            if self._accepted(residual, norm, x):
                break
        self.solves += 1
        self.iterations += iterations
        if not self._accepted(residual, norm, x):
            raise SolverError(f"shift-invert solve did not converge: relative residual "
                              f"{residual / norm:.2e} after {iterations} GMRES iterations")
        return x


def _with_conjugates(values: np.ndarray, vectors: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    r"""Add the partner of every complex eigenvalue whose conjugate is missing: the operator
    is real, so :math:`(\bar\lambda, \bar v)` is an eigenpair with :math:`(\lambda, v)`."""
    lonely = [i for i, lam in enumerate(values) if lam.imag != 0 and not np.any(
        np.isclose(values, lam.conjugate(), rtol=1e-8, atol=0))]
    return (np.concatenate([values, values[lonely].conj()]),
            np.concatenate([vectors, vectors[:, lonely].conj()], axis=1))


def _nearest(values: np.ndarray, vectors: np.ndarray, k: int, complete: bool,
             center: float = 0.0) -> _Eigenpairs:
    r"""The k values nearest ``center`` (k + 1 to keep a complex-conjugate pair whole).
    ``radius``: every eigenvalue with :math:`|\lambda|` below it is among them, from the
    distance to ``center`` of the first value left out if ``values`` holds all eigenvalues
    (``complete``), else of the last one kept."""
    values, vectors = _with_conjugates(values, vectors)
    order = np.argsort(np.abs(values - center), kind="stable")
    values, vectors = values[order], vectors[:, order]
    keep = min(k, values.size)
    if 0 < keep < values.size and values[keep - 1].imag != 0 \
            and np.isclose(values[keep], values[keep - 1].conj(), rtol=1e-8, atol=0):
        keep += 1
    last = keep if complete and keep < values.size else keep - 1
    radius = float(np.abs(values[last] - center)) - abs(center) if values.size else 0.0
    return _Eigenpairs(values[:keep], vectors[:, :keep], radius)


def _dense_matrix(L: HermitianBlockLiouvillian) -> np.ndarray:
    """The sector operator as a dense matrix (small sectors only)."""
    out = np.zeros((L.size, L.size))
    for (k, s), piece in L.pieces.items():
        (a, b), (c, d) = L.block_range[k], L.block_range[s]
        out[a:b, c:d] += piece.toarray()
    return out


def _dense_eigenpairs(L: HermitianBlockLiouvillian, k: int) -> _Eigenpairs:
    r"""All eigenpairs of a small sector from :math:`\tilde{\mathcal{L}}v = \lambda P v`."""
    A, P = _dense_matrix(L), np.eye(L.size)
    if np.size(L.diag_positions):
        A[0] = 0.0
        A[0, L.diag_positions] = 1.0
        P[0, 0] = 0.0
    values, vectors = sla.eig(A, P)
    finite = np.isfinite(values)
    return _nearest(values[finite], vectors[:, finite], k, complete=True)


def _arnoldi_eigenpairs(L: HermitianBlockLiouvillian, k: int, options: SpectrumOptions,
                        info: dict[str, float]) -> _Eigenpairs:
    """The k eigenpairs nearest 0 by shift-invert Arnoldi (module docstring)."""
    start = time.perf_counter()
    sigma = -options.shift
    op = _ShiftInvert(L, sigma, options)
    info["factor_seconds"] = info.get("factor_seconds", 0.0) + time.perf_counter() - start
    n = L.size
    want = min(k, n - 2)
    ncv = min(n, options.ncv or max(2 * want + 3, DEFAULT_NCV))
    v0 = np.random.default_rng(0).standard_normal(n)
    operator = spla.LinearOperator((n, n), matvec=op, dtype=float)
    try:
        nu, vectors = spla.eigs(operator, k=want, which="LM", ncv=ncv, v0=v0,
                                tol=options.arpack_tolerance, maxiter=options.max_restarts)
    except spla.ArpackNoConvergence as exc:
        raise SolverError(f"ARPACK did not converge: {len(exc.eigenvalues)} of {want} "
                          f"eigenvalues after {op.solves} solves") from exc
    finally:
        info["solves"] = info.get("solves", 0.0) + op.solves
        info["iterations"] = info.get("iterations", 0.0) + op.iterations
        info.update(final_solves=float(op.solves), final_iterations=float(op.iterations))
    return _nearest(sigma + 1.0 / nu, vectors, k, complete=False, center=sigma)


def _eigenpairs(L: HermitianBlockLiouvillian, k: int, options: SpectrumOptions,
                info: dict[str, float]) -> _Eigenpairs:
    dense = L.size < max(options.dense_below, 2 * k + 8)
    info["dense"] = float(dense)
    return _dense_eigenpairs(L, k) if dense else _arnoldi_eigenpairs(L, k, options, info)


def _residuals(L: HermitianBlockLiouvillian, values: np.ndarray, vectors: np.ndarray
               ) -> np.ndarray:
    r""":math:`\|\mathcal{L}_R v - \lambda v\| / \|v\|` for complex v (real and imaginary
    parts through the real operator)."""
    out = np.empty(values.size)
    for i, (lam, v) in enumerate(zip(values, vectors.T)):
        Lv = L.matvec(np.ascontiguousarray(v.real)) + 1j * L.matvec(np.ascontiguousarray(v.imag))
        out[i] = np.linalg.norm(Lv - lam * v) / np.linalg.norm(v)
    return out


# -- one sector, in a window or whole ----------------------------------------------------------
@dataclass
class _SectorResult:
    eigenvalues: np.ndarray
    residuals: np.ndarray
    radius: float
    info: dict[str, float]


def _profile(view: _SectorView, vectors: np.ndarray, window: int) -> np.ndarray:
    """``profile[n]``: the largest entry with excitation number n over all eigenvectors,
    each relative to its own largest entry (n = 0 … window)."""
    size = np.abs(vectors) / np.abs(vectors).max(axis=0, initial=np.finfo(float).tiny)
    profile = np.zeros(window + 1)
    np.maximum.at(profile, view.excitations(), size.max(axis=1, initial=0.0))
    return profile


def _padded_residuals(model: Model, N: int, parity: int | None, view: _SectorView,
                      pairs: _Eigenpairs, window: int) -> np.ndarray:
    r"""Residuals on the full operator of eigenvectors found in ``window``: the zero-padded
    vectors under the operator of the window wider by :func:`_reach`, which holds all of
    :math:`\mathcal{L}v` (exact)."""
    wider = _view(model, N, parity, window + _reach(model, N))
    padded = np.zeros((wider.size, pairs.vectors.shape[1]), dtype=complex)
    padded[view.positions_in(wider)] = pairs.vectors
    return _residuals(HermitianBlockLiouvillian(wider), pairs.values, padded)  # type: ignore


def _first_window(model: Model, N: int, options: SpectrumOptions) -> int | None:
    if not options.excitation_window or not _has_local_channels(model, N):
        return None
    return None if options.first_window >= FULL_FRACTION * N else options.first_window


def _in_window(model: Model, N: int, parity: int | None, k: int, window: int,
               options: SpectrumOptions, info: dict[str, float]
               ) -> tuple[_SectorResult | None, int | None]:
    """The sector's eigenpairs in one window if it suffices (module docstring), else None
    and the next window to try (:func:`~.window.next_window`; None: the full problem)."""
    view = _view(model, N, parity, window)
    L = HermitianBlockLiouvillian(view)   # type: ignore[arg-type]
    pairs = _eigenpairs(L, k, options, info)
    profile = _profile(view, pairs.vectors, window)
    if wide_enough(profile, window, options.window_tolerance):
        residuals = _padded_residuals(model, N, parity, view, pairs, window)
        if residuals.max(initial=0.0) <= options.residual_tolerance * L.rate_scale:
            info.update(window=float(window), unknowns=float(L.size))
            return _SectorResult(pairs.values, residuals, pairs.radius, info), None
    return None, next_window(profile, window, N, options.window_tolerance)


def _whole(model: Model, N: int, parity: int | None, k: int, options: SpectrumOptions,
           info: dict[str, float]) -> _SectorResult:
    """The sector's eigenpairs on all its unknowns."""
    L = sector_operator(model, N, parity)
    pairs = _eigenpairs(L, k, options, info)
    residuals = _residuals(L, pairs.values, pairs.vectors)
    worst = float(residuals.max(initial=0.0))
    if worst > options.residual_tolerance * L.rate_scale:
        raise SolverError(f"{sector_name(parity)} sector: eigenvector residual {worst:.2e} "
                          f"> {options.residual_tolerance:.0e} × the largest rate "
                          f"{L.rate_scale:.3g}")
    info.update(window=float(N), unknowns=float(L.size))
    return _SectorResult(pairs.values, residuals, pairs.radius, info)


def _solve_sector(model: Model, N: int, parity: int | None, k: int,
                  options: SpectrumOptions) -> _SectorResult:
    """One sector: in growing excitation windows, then whole (module docstring)."""
    start = time.perf_counter()
    info: dict[str, float] = {"windows": 0.0}
    window = _first_window(model, N, options)
    result = None
    while window is not None and result is None:
        info["windows"] += 1
        result, window = _in_window(model, N, parity, k, window, options, info)
    if result is None:
        result = _whole(model, N, parity, k, options, info)
    info["seconds"] = time.perf_counter() - start
    return result


# -- the spectrum ------------------------------------------------------------------------------
def _check_arguments(N: int, k: int) -> tuple[int, int]:
    for name, value, low in (("N", N, 2), ("k", k, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(N), int(k)


def _spectrum(N: int, results: dict[str, _SectorResult]) -> Spectrum:
    """The sectors' eigenvalues together, sorted by |Re λ| then |Im λ|."""
    values = np.concatenate([r.eigenvalues for r in results.values()])
    if values.size == 0:
        raise SolverError("no eigenvalue other than the steady state's")
    residuals = np.concatenate([r.residuals for r in results.values()])
    sectors = [s for s, r in results.items() for _ in r.eigenvalues]
    order = np.lexsort((np.abs(values.imag), np.abs(values.real)))
    info = {f"{s}_{key}": value for s, r in results.items() for key, value in r.info.items()}
    return Spectrum(N=N, eigenvalues=values[order], sectors=tuple(sectors[i] for i in order),
                    residuals=residuals[order], gap=float(abs(values[order[0]].real)),
                    sector=sectors[order[0]],
                    radius={s: r.radius for s, r in results.items()}, info=info)


def slowest_eigenvalues(model: Model, N: int, k: int = 4,
                        options: SpectrumOptions | None = None) -> Spectrum:
    r"""The k eigenvalues of :math:`\mathcal{L}` nearest zero in each sector, other than the
    steady state's 0, and the Liouvillian gap of the permutation-invariant sector (module
    docstring).

    Any model the exact solver handles: built-in and declared, any PIQS channels. Refuses
    (:class:`SpectrumMemoryError`) before any work when :func:`spectrum_memory_bytes`
    exceeds ``options.max_memory_bytes`` (default: the memory available now); raises
    :class:`~steadysqueeze.state.SolverError` if a solve or ARPACK does not converge or an
    eigenvector's residual exceeds ``options.residual_tolerance`` × the largest rate.
    """
    N, k = _check_arguments(N, k)
    options = options or SpectrumOptions()
    _check_memory(model, N, k, options)
    results = {sector_name(p): _solve_sector(model, N, p, k, options)
               for p in sector_parities(model)}
    return _spectrum(N, results)
