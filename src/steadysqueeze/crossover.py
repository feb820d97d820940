r"""Robustness of steady-state squeezing to an added rate: the crossover rate γ*(N).

Input: the located minima :math:`\xi^2_{\min}(N, \gamma)` of the exact ξ_R² (Eq. 18)
over the drive (rule ``minima``, :mod:`steadysqueeze.optimum`) on a grid of an added
dissipation rate γ (local emission next to the driven Dicke model's collective emission,
dephasing next to the XYZ model's local emission), γ = 0 included or not.

**Definition.** At fixed N, :math:`\xi^2_{\min}` rises from a plateau at small rates,
:math:`\xi^2_0(N) = \xi^2_{\min}(N, \gamma_1)` at the smallest non-zero rate of the
grid, toward 1 (no squeezing) at large rates. The crossover rate γ*(N) is where it has
risen halfway on a logarithmic scale, i.e. where half of the squeezing in decibels is
lost:

.. math:: \xi^2_{\min}(N, \gamma^*) = \sqrt{\xi^2_0(N)},

found at its first upward crossing and interpolated linearly in
:math:`(\ln\gamma, \ln\xi^2_{\min})` between the two rates of the grid that bracket it
(NaN where the grid does not: the squeezing outlives the largest rate). The plateau is
taken at the smallest non-zero rate, not at γ = 0: the driven Dicke model's steady state
is degenerate at γ = 0 (every total-spin sector J has its own), and any local emission,
however weak, fixes the weights of the sectors, so that :math:`\xi^2_{\min}` jumps at
γ = 0⁺.

**Fit.** :math:`\gamma^*(N) = a N^{-\nu}` over every N where γ* is defined
(:func:`steadysqueeze.fits.fit_largest`, form ``power_law``); the exponent of γ*(N) is
:math:`-\nu`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .fits import Fit, fit_largest

__all__ = ["crossover_fit", "crossover_rate", "crossover_rates"]


def crossover_rate(rates: np.ndarray, xi2_min: np.ndarray) -> float:
    """γ* of one N (module docstring) from ξ²_min on a grid of rates (any order; rate 0
    and NaN values are left out); NaN where the grid does not bracket it."""
    rates, xi2_min = np.asarray(rates, dtype=float), np.asarray(xi2_min, dtype=float)
    keep = (rates > 0) & np.isfinite(xi2_min) & (xi2_min > 0)
    order = np.argsort(rates[keep])
    log_rate, log_xi2 = np.log(rates[keep][order]), np.log(xi2_min[keep][order])
    if log_rate.size < 2:
        return float("nan")
    target = log_xi2[0] / 2
    above = np.flatnonzero(log_xi2 >= target)
    above = above[above > 0]
    if above.size == 0:
        return float("nan")
    k = int(above[0])
    share = (target - log_xi2[k - 1]) / (log_xi2[k] - log_xi2[k - 1])
    return float(np.exp(log_rate[k - 1] + share * (log_rate[k] - log_rate[k - 1])))


def crossover_rates(minima: xr.Dataset, rate: str) -> xr.DataArray:
    """γ*(N) of every N of a minima dataset (dims ``N`` and ``rate``), in the units of
    ``rate``."""
    xi2 = minima["xi2_min"].transpose("N", rate)
    values = [crossover_rate(minima[rate].values, row) for row in xi2.values]
    return xr.DataArray(np.array(values), coords={"N": minima["N"]}, dims=("N",),
                        attrs={"long_name": f"crossover {rate}: xi2_min = sqrt(xi2_min at "
                               f"the smallest non-zero {rate})",
                               "units": minima[rate].attrs.get("units", "")})


def crossover_fit(crossover: xr.DataArray) -> Fit | None:
    """γ*(N) = a N^-ν over every N where γ* is defined (None with fewer than three)."""
    finite = np.isfinite(crossover.values)
    if finite.sum() < 3:
        return None
    N = crossover["N"].values[finite]
    return fit_largest("power_law", N, crossover.values[finite], points=int(finite.sum()))
