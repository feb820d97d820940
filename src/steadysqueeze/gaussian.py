r"""The thermodynamic limit: mean field plus Gaussian fluctuations, N → ∞.

About a stable fixed point :math:`\mathbf{m}` of the mean-field equations
(:mod:`steadysqueeze.meanfield`) the fluctuations :math:`(\mathbf{J} - N\mathbf{m})/\sqrt N`
of an all-to-all model become Gaussian as N → ∞ (Benatti, Carollo, Floreanini &
Narnhofer, J. Phys. A 51, 325001 (2018)). Their symmetrised covariance per emitter
:math:`C = \lim \mathrm{Cov}(\mathbf{J})/N` is stationary under

.. math:: A C + C A^T + D = 0,

the drift A being the Jacobian of the mean-field velocity and D the noise of the channels
(:meth:`~steadysqueeze.meanfield.MeanField.diffusion`); when no local channel acts, both
live on the plane tangent to the sphere :math:`|\mathbf{m}| = 1/2`. From C and m:

* :math:`\xi^2_\infty = \min_\perp C/|\mathbf{m}|^2`, Eq. 18 of Huybrechts & Roscilde
  (arXiv:2402.16824) with :math:`\mathrm{Var} = NC` and :math:`\langle\mathbf{J}\rangle =
  N\mathbf{m}`, and the squeezing angle θ of :mod:`steadysqueeze.observables`;
* the N = ∞ Liouvillian gap: the slowest decay rate of the linearised dynamics,
  :math:`-\max\mathrm{Re}\,\lambda(A)` (the Gaussian Liouvillian's eigenvalues are sums of
  those of A).

**Which state is reported.** With one stable fixed point, its values. In an ordered phase
several stable fixed points are related by the model's symmetry (e.g. the two
ferromagnets :math:`(m_x, m_y) \to -(m_x, m_y)` of ``xyz``) and share ξ², θ and the gap:
those of each branch are reported (status ``symmetric_branches``). A finite-N exact state
is their symmetric mixture, whose ξ² grows without bound with N (its mean spin loses the
branches' transverse components while its variance gains them); the N = ∞ values are the
branches'. Inequivalent stable branches (bistability) are reported per branch only
(status ``bistable``, NaN in the single-state variables); without a stable fixed point
(e.g. the driven Dicke model above Ω = Γ/2, whose mean field oscillates) there is no
Gaussian limit (status ``no_stable_fixed_point``).

Closed forms (tested): about the paramagnet of ``xyz`` and ``tfi`` the transverse
drift is :math:`\begin{pmatrix}-\gamma/2 & a\\ b & -\gamma/2\end{pmatrix}` with
:math:`(a, b) = (\mathcal{J}_z - \mathcal{J}_y, \mathcal{J}_x - \mathcal{J}_z)` and
:math:`(-\Delta, \Delta + \mathcal{J}_x)`, D = γ/4, and the driven Dicke model's linearised
jump operator annihilates a squeezed vacuum: :math:`\xi^2_\infty = \sqrt{1 - 4\Omega^2/\Gamma^2}`,
gap :math:`\tfrac\Gamma2\sqrt{1 - 4\Omega^2/\Gamma^2}`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.optimize

from .meanfield import FixedPoint, MeanField, fixed_points, mean_field
from .models import Model
from .observables import squeezing_from_moments

__all__ = ["Branch", "Limit", "LimitStatus", "thermodynamic_limit", "branch",
           "critical_squeezing", "approachable_xi2", "DriveMinimum", "drive_profile",
           "minimum_over_drive", "bistable_range", "DriveProfile", "PROFILE_POINTS"]

#: drives of the dense N = ∞ profile along a sweep (:func:`drive_profile`), beside the
#: sweep's own values
PROFILE_POINTS = 129


class LimitStatus(enum.IntEnum):
    """What the N = ∞ values of a point are (stored as ``limit_status``)."""

    unique = 0
    symmetric_branches = 1
    bistable = 2
    no_stable_fixed_point = 3
    mean_spin_vanishes = 4

    @property
    def meaning(self) -> str:
        return {
            LimitStatus.unique: "one stable fixed point",
            LimitStatus.symmetric_branches: "symmetry-related stable branches with equal "
            "values; each branch's values (the finite-N state is their symmetric mixture)",
            LimitStatus.bistable: "inequivalent stable branches: values per branch only",
            LimitStatus.no_stable_fixed_point: "no stable fixed point: no Gaussian limit",
            LimitStatus.mean_spin_vanishes: "the mean spin vanishes: xi2 undefined",
        }[self]


@dataclass(frozen=True)
class Branch:
    """Gaussian fluctuations about one stable fixed point (per emitter)."""

    fixed_point: FixedPoint
    covariance: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        return self.fixed_point.m

    @property
    def gap(self) -> float:
        """Slowest decay rate of the linearised dynamics (N = ∞ Liouvillian gap)."""
        return -self.fixed_point.growth_rate

    def squeezing(self) -> tuple[float, float, np.ndarray, float, float]:
        """(ξ², θ, squeezed axis, var_min, var_max) per emitter (Eq. 18 with N C and N m)."""
        xi2, theta, axis, _, var_min, var_max = squeezing_from_moments(
            1, self.mean, self.covariance)
        return xi2, theta, axis, var_min, var_max


def branch(equations: MeanField, point: FixedPoint) -> Branch:
    """The stationary Gaussian fluctuations about a stable fixed point (Lyapunov equation
    on the tangent directions)."""
    P = equations.tangent_basis(point.m)
    A = P.T @ equations.jacobian(point.m) @ P
    D = P.T @ equations.diffusion(point.m) @ P
    reduced = scipy.linalg.solve_continuous_lyapunov(A, -D)
    return Branch(fixed_point=point, covariance=P @ ((reduced + reduced.T) / 2) @ P.T)


@dataclass(frozen=True)
class Limit:
    """The N = ∞ limit at one parameter point (module docstring)."""

    fixed_points: tuple[FixedPoint, ...]
    branches: tuple[Branch, ...]
    status: LimitStatus

    @property
    def reported(self) -> Branch | None:
        """The branch whose values stand for the point (None: bistable or no limit)."""
        ok = (LimitStatus.unique, LimitStatus.symmetric_branches,
              LimitStatus.mean_spin_vanishes)
        return self.branches[0] if self.status in ok else None


def _equivalent(first: Branch, second: Branch) -> bool:
    """Equal ξ², gap and spin length: symmetry partners."""
    def signature(b: Branch) -> np.ndarray:
        return np.array([b.squeezing()[0], b.gap, np.linalg.norm(b.mean),
                         *np.linalg.eigvalsh(b.covariance)])
    a, c = signature(first), signature(second)
    return bool(np.allclose(a, c, rtol=1e-7, atol=1e-10))


def thermodynamic_limit(model: Model, starts: np.ndarray | None = None) -> Limit:
    """Fixed points, their Gaussian fluctuations and the reported state of ``model``
    as N → ∞ (refused, naming the term, for a model that is not extensive); ``starts``:
    more starting points of the fixed-point search (:func:`~.meanfield.fixed_points`)."""
    equations = mean_field(model)
    points = tuple(fixed_points(equations, starts))
    branches = tuple(branch(equations, p) for p in points if p.stable)
    if not branches:
        status = LimitStatus.no_stable_fixed_point
    elif np.linalg.norm(branches[0].mean) < 1e-9:
        status = LimitStatus.mean_spin_vanishes
    elif len(branches) == 1:
        status = LimitStatus.unique
    elif all(_equivalent(branches[0], other) for other in branches[1:]):
        status = LimitStatus.symmetric_branches
    else:
        status = LimitStatus.bistable
    return Limit(fixed_points=points, branches=branches, status=status)


def approachable_xi2(limit: Limit) -> float:
    """The smallest ξ²_∞ among the stable branches a finite-N exact state can approach:
    the one stable fixed point, or any of inequivalent ones (``bistable``: the exact state
    is a mixture of them whose weights mean-field stability does not decide, so this is a
    lower bound). NaN for symmetry-related branches (the exact state is their symmetric
    mixture, whose ξ² grows without bound with N), without a stable fixed point, or where
    the mean spin vanishes."""
    if limit.status == LimitStatus.unique:
        return limit.branches[0].squeezing()[0]
    if limit.status == LimitStatus.bistable:
        return min(b.squeezing()[0] for b in limit.branches)
    return float("nan")


def _neville(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Polynomial extrapolation of y(t) to t = 0 through all points, and its change when
    the last point is left out (an error estimate)."""
    def at_zero(tt: np.ndarray, yy: np.ndarray) -> float:
        p = np.array(yy, dtype=float)
        for k in range(1, len(tt)):
            p[:-k] = (tt[k:] * p[:-k] - tt[:-k] * p[1:len(tt) - k + 1]) / (tt[k:] - tt[:-k])
        return float(p[0])
    best = at_zero(t, y)
    return best, abs(best - at_zero(t[:-1], y[:-1]))


def critical_squeezing(model_at: Callable[[float], Model], drive_c: float,
                       toward: float, starts: np.ndarray | None = None) -> tuple[float, float]:
    r""":math:`\xi^2_c = \lim \xi^2_\infty` as the drive approaches ``drive_c`` from the
    side of ``toward`` (the stable side), and an error estimate.

    :math:`\xi^2_\infty` is evaluated at distances :math:`\delta = \delta_0 4^{-k}` and
    extrapolated polynomially in :math:`t = \sqrt\delta` (a saddle-node moves the fixed
    point as :math:`\sqrt\delta`; a pitchfork leaves ξ² analytic in δ, a special case).
    The fixed-point search at each distance also starts from those at the one before and
    from ``starts`` (e.g. :meth:`DriveProfile.starts_near`): near a fold the spread of
    starts alone can miss the branch that ends there.
    """
    if not np.isfinite(drive_c):
        return float("nan"), float("nan")
    side = np.sign(toward - drive_c)
    delta = 1e-3 * max(1.0, abs(drive_c)) * 4.0 ** -np.arange(6)
    values, previous = [], np.empty((0, 3))
    for d in delta:
        more = previous if starts is None else np.vstack([starts, previous])
        limit = thermodynamic_limit(model_at(drive_c + side * d), more)
        values.append(approachable_xi2(limit))
        previous = _points(limit)
    if not np.all(np.isfinite(values)):
        return float("nan"), float("nan")
    return _neville(np.sqrt(delta), np.array(values))


@dataclass(frozen=True)
class DriveMinimum:
    """The minimum over the drive of the N = ∞ ξ² (:func:`minimum_over_drive`)."""

    drive: float
    xi2: float
    #: ``interior``: a minimum inside the sweep; ``critical``: the limit at the critical
    #: drive, where the branch ends or loses stability; ``end``: an end of the sweep;
    #: ``none``: no approachable stable state anywhere
    where: Literal["interior", "critical", "end", "none"]


def _points(limit: Limit) -> np.ndarray:
    """The fixed points of a limit, as rows (starts for a neighbouring drive)."""
    return np.reshape([p.m for p in limit.fixed_points], (-1, 3))


@dataclass(frozen=True)
class DriveProfile:
    """The N = ∞ limit along a sweep of the drive (:func:`drive_profile`)."""

    drives: np.ndarray
    limits: tuple[Limit, ...]

    def starts_near(self, drive: float) -> np.ndarray:
        """The fixed points at the profile's drives on both sides of ``drive``."""
        k = int(np.clip(np.searchsorted(self.drives, drive), 1, self.drives.size - 1))
        return np.vstack([_points(self.limits[k - 1]), _points(self.limits[k])])


def drive_profile(model_at: Callable[[float], Model], drives: Sequence[float],
                  points: int = PROFILE_POINTS) -> DriveProfile:
    """The N = ∞ limit on the sweep's drives and ``points`` evenly spaced between its
    ends (none for ``points=0``), ascending. Each point's fixed-point search also starts from those of its
    neighbours (a pass up the drives, then one down), so that a branch is followed to
    the fold where it ends, and from the fold where it begins."""
    drives = np.asarray(drives, dtype=float)
    grid = np.union1d(np.linspace(drives.min(), drives.max(), points), drives) if points \
        else np.unique(drives)
    up: list[Limit] = []
    for d in grid:
        up.append(thermodynamic_limit(model_at(float(d)), _points(up[-1]) if up else None))
    down: list[Limit] = []
    for d, limit in zip(grid[::-1], up[::-1]):
        starts = _points(limit) if not down else np.vstack([_points(limit), _points(down[-1])])
        down.append(thermodynamic_limit(model_at(float(d)), starts))
    return DriveProfile(drives=grid, limits=tuple(down[::-1]))


def minimum_over_drive(model_at: Callable[[float], Model], profile: DriveProfile,
                       critical: tuple[float, float, float], xtol: float = 1e-7,
                       critical_tol: float = 1e-4) -> DriveMinimum:
    r"""The minimum over the drive of ξ²_∞ on the branches an exact state can approach
    (:func:`approachable_xi2`), within the sweep: the profile's lowest point refined by
    Brent's method (drive to ``xtol`` relative) where its neighbours bracket it, compared
    with the limit at the critical drive, where a branch ending in a fold or a critical
    point has its lowest ξ² (e.g. the driven Dicke model, :math:`\xi^2_\infty = \sqrt{1 -
    4\Omega^2/\Gamma^2} \to 0` at Γ/2). ``critical``: (drive_c, ξ²_c, its error), from
    :func:`~.meanfield.critical_drive` and :func:`critical_squeezing`; ξ²_c counts where
    its error is below ``critical_tol``."""
    grid = profile.drives
    values = np.array([approachable_xi2(limit) for limit in profile.limits])
    found = DriveMinimum(float("nan"), float("nan"), "none")
    if np.isfinite(values).any():
        k = int(np.nanargmin(values))
        found = DriveMinimum(float(grid[k]), float(values[k]),
                             "interior" if 0 < k < grid.size - 1 else "end")
        if found.where == "interior" and values[k] < min(values[k - 1], values[k + 1]):
            def objective(d: float) -> float:
                xi2 = approachable_xi2(thermodynamic_limit(model_at(d), profile.starts_near(d)))
                return xi2 if np.isfinite(xi2) else np.inf

            with np.errstate(invalid="ignore"):   # +inf where no branch is approachable
                result = scipy.optimize.minimize_scalar(
                    objective, bracket=(grid[k - 1], grid[k], grid[k + 1]), method="brent",
                    options={"xtol": xtol})
            if result.fun < found.xi2:
                found = DriveMinimum(float(result.x), float(result.fun), "interior")
    drive_c, xi2_c, error = critical
    if np.isfinite(xi2_c) and error < critical_tol and not xi2_c >= found.xi2:
        found = DriveMinimum(float(drive_c), float(xi2_c), "critical")
    return found


def bistable_range(model_at: Callable[[float], Model], profile: DriveProfile,
                   xtol: float = 1e-7) -> tuple[float, float]:
    """The smallest and the largest drive of the sweep where the mean field is bistable
    (inequivalent stable branches, :attr:`LimitStatus.bistable`), each bisected to
    ``xtol`` relative between the profile's drives; (NaN, NaN) where it is nowhere. Gaps
    inside the range narrower than the profile's spacing are not resolved."""
    grid = profile.drives
    inside = np.array([limit.status == LimitStatus.bistable for limit in profile.limits])
    if not inside.any():
        return float("nan"), float("nan")
    first, last = np.flatnonzero(inside)[[0, -1]]

    def edge(outside: float, bistable: float) -> float:
        starts = np.vstack([profile.starts_near(outside), profile.starts_near(bistable)])
        while abs(bistable - outside) > xtol * max(1.0, abs(bistable)):
            middle = (outside + bistable) / 2
            if thermodynamic_limit(model_at(middle), starts).status == LimitStatus.bistable:
                bistable = middle
            else:
                outside = middle
        return bistable

    low = edge(grid[first - 1], grid[first]) if first > 0 else grid[first]
    high = edge(grid[last + 1], grid[last]) if last < grid.size - 1 else grid[last]
    return float(low), float(high)
