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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .meanfield import FixedPoint, MeanField, fixed_points, mean_field
from .models import Model
from .observables import squeezing_from_moments

__all__ = ["Branch", "Limit", "LimitStatus", "thermodynamic_limit", "branch",
           "critical_squeezing"]


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


def thermodynamic_limit(model: Model) -> Limit:
    """Fixed points, their Gaussian fluctuations and the reported state of ``model``
    as N → ∞ (refused, naming the term, for a model that is not extensive)."""
    equations = mean_field(model)
    points = tuple(fixed_points(equations))
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
                       toward: float) -> tuple[float, float]:
    r""":math:`\xi^2_c = \lim \xi^2_\infty` as the drive approaches ``drive_c`` from the
    side of ``toward`` (the stable side), and an error estimate.

    :math:`\xi^2_\infty` is evaluated at distances :math:`\delta = \delta_0 4^{-k}` and
    extrapolated polynomially in :math:`t = \sqrt\delta` (a saddle-node moves the fixed
    point as :math:`\sqrt\delta`; a pitchfork leaves ξ² analytic in δ, a special case).
    """
    if not np.isfinite(drive_c):
        return float("nan"), float("nan")
    side = np.sign(toward - drive_c)
    delta = 1e-3 * max(1.0, abs(drive_c)) * 4.0 ** -np.arange(6)
    values = []
    for d in delta:
        reported = thermodynamic_limit(model_at(drive_c + side * d)).reported
        values.append(np.nan if reported is None else reported.squeezing()[0])
    if not np.all(np.isfinite(values)):
        return float("nan"), float("nan")
    return _neville(np.sqrt(delta), np.array(values))
