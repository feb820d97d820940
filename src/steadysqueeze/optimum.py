r"""The deepest steady-state squeezing along a drive: a located minimum of the exact ξ_R².

For each N the finite-N analysis needs :math:`\min_d \xi_R^2(d)` and the drive
:math:`d^*` where it sits, not the best point of a grid: near a transition the minimum
sharpens with N and falls between grid points. :func:`locate_minimum` brackets it with
the grid's lowest point and its neighbours and refines it by Brent minimisation on exact
solves, each reusing its predecessor's work (:class:`steadysqueeze.exact.Scan`). Brent
starts from the bracket's three grid values, which are not solved again (the searches of
the default run spent about a quarter of their solves rediscovering them).

Where the model has a closed-form steady state whose diagonals come in O(N) (the driven
Dicke model, :meth:`~steadysqueeze.models.Model.closed_form_diagonals`), ξ_R² is taken from
them (:func:`exact_xi2`): then a minimum can be located far beyond the N of any grid
(:func:`closed_form_grid` brackets it): 0.4 s per evaluation at N = 10⁶, about half a
minute for a minimum bracketed by a 40-point sweep.

Other models get minima beyond their grid from exact solves alone
(:func:`locate_minimum_near`): the grid's located minima, extrapolated in N
(:func:`extrapolated_drive`), say where to look, and a triple of solves moved downhill
brackets the minimum before Brent refines it (xyz at N = 300: the grid there would cost
a minute per point past the transition, the minimum alone about ten solves).

Tolerances: the drive to ``drive_rtol`` relative (:data:`CLOSED_FORM_DRIVE_RTOL` where
ξ_R² comes from a closed form: the driven Dicke minimum narrows like N^(-2/3), to ~2e-4
in Ω at N = 10⁶, where 1e-4 relative in the drive left 3e-5 relative in ξ²_min and 1e-7
leaves 3e-8). Brent stops when the bracket around its best point is within twice its
relative tolerance, set to :data:`BRENT_SHARE` of ``drive_rtol``; near a smooth minimum
the error of :math:`\xi^2_{\min}` is then second order, far below ``1e-6`` relative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from .exact import Scan
from .fits import FORMS, fit_form
from .models import Model
from .observables import diagonal_moments, moments, squeezing_from_moments

__all__ = ["LocatedMinimum", "bracket", "locate_minimum", "locate_minimum_near",
           "extrapolated_drive", "exact_xi2", "closed_form_grid",
           "CLOSED_FORM_DRIVE_RTOL", "BRENT_SHARE"]

#: relative tolerance of the located drive where ξ_R² has a closed form (cheap to refine)
CLOSED_FORM_DRIVE_RTOL = 1e-7
#: Brent's relative tolerance as a share of ``drive_rtol`` (its final bracket is within
#: twice its tolerance of the minimum, so the located drive is within ``drive_rtol / 2``)
BRENT_SHARE = 0.25
#: how often :func:`locate_minimum_near` may move its triple downhill before it gives up
MAX_BRACKET_MOVES = 12


@dataclass(frozen=True)
class LocatedMinimum:
    """The minimum of the exact ξ_R² over the drive at one N."""

    drive: float
    xi2: float
    #: evaluations of the exact ξ_R² spent on the search (solves, or of a closed form)
    evaluations: int
    #: False when the minimum sits at an end of the sweep (then it is that end)
    interior: bool


def bracket(drive: np.ndarray, xi2: np.ndarray) -> tuple[float, float, float, bool]:
    """The grid's lowest ξ²: the drives on both sides of it, its own drive, and whether it
    is interior (not at an end of the sweep)."""
    order = np.argsort(drive)
    d, x = np.asarray(drive, dtype=float)[order], np.asarray(xi2, dtype=float)[order]
    if not np.isfinite(x).any():
        raise ValueError("no finite xi2 on the grid to bracket a minimum")
    k = int(np.nanargmin(x))
    interior = 0 < k < d.size - 1
    return float(d[max(k - 1, 0)]), float(d[min(k + 1, d.size - 1)]), float(d[k]), interior


def _closed_form_xi2(model: Model, N: int) -> float | None:
    """ξ_R² from the closed form's diagonals, None where the model has none."""
    diagonals = model.closed_form_diagonals(N)
    if diagonals is None:
        return None
    return squeezing_from_moments(N, *diagonal_moments(diagonals))[0]


def exact_xi2(model: Model, N: int, scan: Scan) -> float:
    """The exact ξ_R² (Eq. 18) at one point: from the closed form's diagonals where the
    model has them and the scan's method allows it (``"auto"``, ``"closed-form"``), else
    from an exact solve (``scan`` reuses work between solves)."""
    closed = _closed_form_xi2(model, N) if scan.options.method in ("auto", "closed-form") \
        else None
    if closed is not None:
        return closed
    return squeezing_from_moments(N, *moments(scan.solve(model, N)))[0]


def closed_form_grid(model_at: Callable[[float], Model], N: int,
                     drive: np.ndarray) -> np.ndarray:
    """ξ_R² on the sweep's drive values from the closed form (to bracket a minimum at an
    N the grid was not solved at); ValueError where the model has none."""
    values = []
    for d in np.asarray(drive, dtype=float):
        model = model_at(float(d))
        closed = _closed_form_xi2(model, N)
        if closed is None:
            raise ValueError(f"model {model.name} has no closed-form steady state")
        values.append(closed)
    return np.array(values)


def locate_minimum(model_at: Callable[[float], Model], N: int, drive: np.ndarray,
                   xi2: np.ndarray, *, drive_rtol: float = 1e-4,
                   scan: Scan | None = None) -> LocatedMinimum:
    """Minimum of the exact ξ_R² over the drive at ``N``, refined from a grid.

    Parameters
    ----------
    model_at
        The model at a drive value (the study's other parameters fixed).
    drive, xi2
        The sweep's drive values and exact ξ² at this N (the bracket comes from them).
    drive_rtol
        Relative accuracy of the located drive.
    scan
        Reuses work between the exact solves (a fresh one by default).
    """
    scan = scan or Scan()
    lo, hi, best, interior = bracket(drive, xi2)
    evaluations = 0

    def solved(d: float) -> float:
        nonlocal evaluations
        evaluations += 1
        return exact_xi2(model_at(float(d)), N, scan)

    if not interior:   # the sweep's end is lowest: report the end, do not extrapolate
        return LocatedMinimum(drive=best, xi2=solved(best), evaluations=evaluations,
                              interior=False)
    if model_at(best).has_closed_form_diagonals():
        drive_rtol = min(drive_rtol, CLOSED_FORM_DRIVE_RTOL)
    known = dict(zip(np.asarray(drive, dtype=float).tolist(),
                     np.asarray(xi2, dtype=float).tolist()))
    return _refined(solved, (lo, best, hi), known, drive_rtol, N, lambda: evaluations)


def _refined(solved: Callable[[float], float], points: tuple[float, float, float],
             known: dict[float, float], drive_rtol: float, N: int,
             evaluations: Callable[[], int]) -> LocatedMinimum:
    """Brent's minimisation from the bracket (lo, best, hi), whose values are ``known``
    (bounded Brent over [lo, hi] where they do not strictly bracket a minimum: ties)."""
    lo, best, hi = points
    xtol = BRENT_SHARE * drive_rtol

    def objective(d: float) -> float:
        return known[d] if d in known else solved(d)

    if known[best] < min(known[lo], known[hi]):
        result = minimize_scalar(objective, bracket=points, method="brent",
                                 options={"xtol": xtol})
    else:
        result = minimize_scalar(objective, bounds=(lo, hi), method="bounded",
                                 options={"xatol": xtol * max(abs(lo), abs(hi))})
    if not result.success:
        raise RuntimeError(f"minimisation of xi2 over [{lo}, {hi}] at N = {N} failed: "
                           f"{result.message}")
    return LocatedMinimum(drive=float(result.x), xi2=float(result.fun),
                          evaluations=evaluations(), interior=True)


def extrapolated_drive(N_grid: np.ndarray, drives: np.ndarray, N: int) -> tuple[float, float]:
    r"""Where the minimum at an N beyond the grid is expected, and how far from there to
    look first: the approach form :math:`d^* = d_c + a N^{-\mu}` (:mod:`.fits`) through the
    grid's located minima, evaluated at N (the largest N's minimum where the form cannot
    be fitted); the step is the predicted shift from the largest N, and at least half the
    shift between its two largest N."""
    order = np.argsort(N_grid)
    Ns, d = np.asarray(N_grid, dtype=float)[order], np.asarray(drives, dtype=float)[order]
    function = FORMS["approach"][0]
    try:
        predicted = float(function(float(N), *fit_form("approach", Ns, d)[0].values()))
    except (ValueError, RuntimeError):   # too few points, or no convergence
        predicted = float(d[-1])
    if not np.isfinite(predicted):
        predicted = float(d[-1])
    shift = abs(float(d[-1] - d[-2])) if d.size > 1 else 0.0
    step = max(abs(predicted - float(d[-1])), shift / 2, 1e-3 * abs(predicted))
    return predicted, step


def locate_minimum_near(model_at: Callable[[float], Model], N: int, guess: float, step: float,
                        bounds: tuple[float, float], *, drive_rtol: float = 1e-4,
                        scan: Scan | None = None) -> LocatedMinimum:
    """Minimum of the exact ξ_R² over the drive at ``N`` where no grid brackets it (an N
    beyond the study's grid): exact ξ² at ``guess`` ± ``step``, the triple moved downhill
    (the step doubling each time, within ``bounds``, the sweep's ends) until its middle
    is lowest, then Brent from that bracket (:func:`locate_minimum`)."""
    scan = scan or Scan()
    known: dict[float, float] = {}

    def solved(d: float) -> float:
        if d not in known:
            known[d] = exact_xi2(model_at(float(d)), N, scan)
        return known[d]

    low, high = bounds
    a, b, c = max(guess - step, low), min(max(guess, low), high), min(guess + step, high)
    for _ in range(MAX_BRACKET_MOVES):
        fa, fb, fc = solved(a), solved(b), solved(c)
        if fb < min(fa, fc):
            return _refined(solved, (a, b, c), known, drive_rtol, N, lambda: len(known))
        step *= 2
        if fa <= fc:
            if a == low:   # the sweep's end is lowest: report it, do not extrapolate
                return LocatedMinimum(drive=a, xi2=fa, evaluations=len(known), interior=False)
            a, b, c = max(a - step, low), a, b
        else:
            if c == high:
                return LocatedMinimum(drive=c, xi2=fc, evaluations=len(known), interior=False)
            a, b, c = b, c, min(c + step, high)
    raise RuntimeError(f"no minimum of xi2 bracketed at N = {N} within {MAX_BRACKET_MOVES} "
                       f"moves from {guess:g}")
