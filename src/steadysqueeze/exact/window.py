r"""Excitation window: the local-emission steady state solved on the entries with at most K
emitters excited, K grown until ρ has decayed at the window's edge, the result checked on
the full Liouvillian.

Away from the transition the steady state stays close to the dark state
:math:`|\phi_0\rangle` (all emitters down, Sec. 2 of the paper), and its entries fall off
geometrically with the excitation number :math:`n = \max(M, M') + N/2` (measured at
xyz, J = −0.8γ, Jz = γ, N = 200: the entries drop below 1e-15 of the largest at n = 27 for
δJ = 0.3γ, n = 67 for 1.2γ, 118 for 1.6γ, 147 for 1.8γ; a ferromagnetic point needs all
N). The window with K excitations (:class:`~.realblocks.RealBlockLiouvillian` with
``max_excitations=K``) has about :math:`K^3/6` real unknowns instead of :math:`N^3/12`,
and its factorisation work (:math:`n^3` per block of :math:`n` levels) scales like
:math:`K^4/4` instead of :math:`N^4/8`: the solve at a paramagnetic point costs the same at
every N.

The window is a Galerkin truncation: local emission keeps every jump inside it and only
the Hamiltonian leads out, so the truncation error is set by the entries at the edge.
:func:`solve_in_window` accepts a window only when the largest entry in its last
``EDGE_SHELLS`` shells is below ``SolverOptions.window_tolerance`` times the largest entry,
and then checks the relative residual on the *full* operator (matrix-free, nothing
factorised), so the state it returns meets the same residual tolerance as an unwindowed
solve. Otherwise it grows K from the decay rate seen inside the window and solves again,
from scratch; a window that would cover most of the N + 1 excitation numbers becomes the
full problem. The edge criterion is the safeguard: once the edge has decayed, the only
leak left is H acting on it, so the residual check passes almost by construction and
could not see a second component of ρ beyond a deep valley in n (none is known in these
models: local emission only lowers n).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..models import Model
from .krylov import KrylovSolution, TakePreconditioner, WarmStart, reusable, solve_krylov
from .memory import local_unknowns
from .options import SolverOptions
from .progress import Progress
from .realblocks import RealBlockLiouvillian

__all__ = ["solve_in_window", "wide_enough", "next_window", "FIRST_WINDOW", "EDGE_SHELLS"]

#: excitations of the first window of a fresh solve (the paramagnetic points of the
#: benchmarks need 27–30 at every N)
FIRST_WINDOW = 32
#: shells at the window's edge that must have decayed (H changes M by up to 2)
EDGE_SHELLS = 4
#: windows are multiples of this, so that neighbouring scan points share one (and can
#: share its factorised preconditioner)
WINDOW_STEP = 8
#: GMRES in a window converges this much below ``SolverOptions.tolerance``: windows are
#: cheap, and the moments of a nearly pure state cancel (Var Jᶻ ≈ 0.8 from ⟨Jᶻ²⟩ ≈ 1e4 at
#: N = 200, δJ = 1.2γ), so the windowed state must be as close to the unwindowed one as two
#: unwindowed solves are to each other (measured: 1e-8 → 5e-12 relative in Var Jᶻ, +20 % time)
WINDOW_TIGHTENING = 1e-3
#: ... but never tighter than this (nor than the requested tolerance, if that is tighter)
TIGHTEST_WINDOW_TOLERANCE = 1e-14
#: a window covering more than this fraction of the N + 1 excitation numbers is replaced
#: by the full problem (its cost, ~2 (K/N)^4 of the full one, would gain too little)
FULL_FRACTION = 0.75


def _rounded(K: float, N: int) -> int | None:
    """K rounded up to a multiple of :data:`WINDOW_STEP`; None (no window) if that covers
    more than :data:`FULL_FRACTION` of N."""
    K = int(math.ceil(K / WINDOW_STEP) * WINDOW_STEP)
    return None if K >= FULL_FRACTION * N else K


def _decayed_by(profile: np.ndarray, tolerance: float) -> int:
    """The excitation number beyond which ``profile`` stays below ``tolerance`` × its max."""
    above = np.nonzero(profile > tolerance * profile.max())[0]
    return int(above[-1]) + 1 if above.size else 0


def wide_enough(profile: np.ndarray, K: int, tolerance: float) -> bool:
    """Whether the last :data:`EDGE_SHELLS` shells of the window K are below ``tolerance``
    × the largest entry (``profile``:
    :meth:`~.realblocks.RealBlockLiouvillian.excitation_profile`)."""
    edge = float(profile[max(K - EDGE_SHELLS + 1, 0):K + 1].max())
    return edge <= tolerance * float(profile.max())


def next_window(profile: np.ndarray, K: int, N: int, tolerance: float) -> int | None:
    r"""The window after one that was not wide enough: extrapolate the geometric decay
    measured between K/4 and 3K/4 (the edge itself is pulled down by the truncation) to
    one decade below the tolerance, at least 1.25 K; ``None`` for the full problem (no
    decay, or a window too wide to pay)."""
    a, b = K // 4, (3 * K) // 4
    tiny = np.finfo(float).tiny
    logs = np.log10(np.maximum(profile[:K + 1], tiny))
    slope = (logs[b] - logs[a]) / (b - a) if b > a else 0.0
    if not slope < -1e-3:
        return None
    target = math.log10(tolerance * float(profile.max())) - 1.0
    return _rounded(max(b + (target - logs[b]) / slope, 1.25 * K, K + WINDOW_STEP), N)


def _first_window(N: int, warm: WarmStart | None, tolerance: float) -> int | None:
    """A fresh solve starts at :data:`FIRST_WINDOW`; a scan point where its neighbour's
    state had decayed, plus one step, or in its neighbour's window if that is at most one
    step wider (so that its preconditioner can be reused). Windows shrink as well as grow
    along a scan."""
    if warm is None or not isinstance(warm.operator, RealBlockLiouvillian):
        return _rounded(FIRST_WINDOW, N)
    before = warm.operator.max_excitations
    needed = _rounded(_decayed_by(warm.operator.excitation_profile(warm.x), tolerance)
                      + WINDOW_STEP, N)
    if needed is not None and before is not None and needed <= before <= needed + WINDOW_STEP:
        return before
    return needed


def solve_in_window(model: Model, N: int, options: SolverOptions, *,
                    warm: WarmStart | None = None,
                    take_preconditioner: TakePreconditioner | None = None,
                    progress: Progress | None = None) -> KrylovSolution:
    """The Krylov solve of a built-in local-emission model in the smallest adequate
    excitation window (module docstring). ``warm``: a neighbouring point's solution to
    start from; ``take_preconditioner``: hands over its preconditioner, reused if it fits
    the first window. The returned solution's ``residual`` is that of the full Liouvillian
    and its ``iterations`` count every window tried; ``info`` records the window."""
    K = _first_window(N, warm, options.window_tolerance) if options.excitation_window \
        else None
    guess = None if warm is None else warm.operator.to_blocks(warm.x)
    pre = None if take_preconditioner is None else take_preconditioner()
    iterations, windows = 0, 0
    in_window = dataclasses.replace(options, tolerance=max(
        options.tolerance * WINDOW_TIGHTENING, min(options.tolerance, TIGHTEST_WINDOW_TOLERANCE)))
    while True:
        L = RealBlockLiouvillian(model, N, max_excitations=K)
        pre = reusable(pre, L)    # one that does not fit is freed before a new one is made
        if progress is not None:
            progress.stage = "" if K is None else f" (window of {K} excitations)"
        solution = solve_krylov(L, options if K is None else in_window,
                                x0=None if guess is None else L.from_blocks(guess),
                                preconditioner=pre, progress=progress)
        iterations += solution.iterations
        windows += 1
        if L.max_excitations is None:
            residual = solution.residual
            break
        profile = L.excitation_profile(solution.x)
        if wide_enough(profile, L.max_excitations, options.window_tolerance):
            full = RealBlockLiouvillian(model, N)
            residual = full.relative_residual(full.from_blocks(L.to_blocks(solution.x)))
            if residual <= options.tolerance:
                break
            K = _rounded(2 * L.max_excitations, N)
        else:
            K = next_window(profile, L.max_excitations, N, options.window_tolerance)
        # a cold start: from the smaller window's ρ, GMRES needed 14 and 36 iterations
        # where a cold start needs 11 and 27 (N = 200, δJ = 1.2γ, 1.6γ), and in the full
        # problem 74 where it needs 51 (N = 200, xyz ferro)
        guess = pre = None
        del solution
    window = N if L.max_excitations is None else L.max_excitations
    info = {**solution.info, "unknowns": float(local_unknowns(N, conserves_parity=True)),
            "window_unknowns": float(L.size), "excitation_window": float(window),
            "windows": float(windows), "last_window_iterations": float(solution.iterations)}
    return dataclasses.replace(solution, iterations=iterations, residual=residual, info=info)
