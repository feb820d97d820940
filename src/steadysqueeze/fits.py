r"""Finite-size fits of the located squeezing minima, with uncertainties.

Forms (N the number of emitters):

* ``power_law``: :math:`\xi^2_{\min} = a\,N^{-\nu}`;
* ``log_power``: :math:`\xi^2_{\min} = a\,N^{-\nu}(\ln N)^{1/3}`, the logarithmic
  correction of the driven Dicke model (the exact steady state gives
  :math:`\xi^2_{\min} \simeq [\tfrac32(\ln N + \ln\ln N + b)/N]^{1/3}` at large N);
* ``log_asymptotic``: :math:`\xi^2_{\min} = [s(\ln N + \ln\ln N + b)/N]^{1/3}`, the
  large-N form of the driven Dicke model's exact steady state (leakage over a barrier
  :math:`\propto N\mu_0^3` sets the optimum, :math:`s \to 3/2`);
* ``offset_power``: :math:`\xi^2_{\min} = c + a\,N^{-\nu}`, the approach to a non-zero
  N = ∞ limit c: free, or fixed at the Gaussian :math:`\xi^2_c` of
  :mod:`steadysqueeze.gaussian` (``fixed={"c": ...}``);
* ``approach``: :math:`d^*(N) = d_c + a\,N^{-\mu}`, the drive at the minimum approaching
  the transition;
* ``approach_log``: :math:`d^*(N) = d_c + a\,(\ln N/N)^{\mu}`, the same with the
  logarithm of the driven Dicke model (located minima to N = 10⁶: μ → 2/3, and
  :math:`d_c` within 4e-5 of Γ/2, where the plain form is off by 2e-3).

Each fit is a least-squares fit in relative residuals (the located minima are exact to
~1e-8; the scatter about a form is the form's own error), over the largest N
(:func:`fit_largest`). Standard errors are :func:`scipy.optimize.curve_fit`'s, rescaled by
the residuals (NaN where it cannot estimate them, e.g. a form that fits exactly); the
*window spread* is the range of each parameter when the fit window moves down by one N
and back, a measure of the corrections the form leaves out. Forms fitted to the same
points compare by Akaike's criterion with its small-sample correction,
:math:`\mathrm{AICc} = n\ln(\mathrm{RSS}/n) + 2k + 2k(k+1)/(n-k-1)` (relative residuals,
n points, k free parameters; Burnham & Anderson, *Model Selection and Multimodel
Inference*, 2002, Sec. 2.4).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

__all__ = ["Fit", "FORMS", "fit_form", "fit_largest"]


def _power_law(N: np.ndarray, a: float, nu: float) -> np.ndarray:
    return a * N ** (-nu)


def _log_power(N: np.ndarray, a: float, nu: float) -> np.ndarray:
    return a * N ** (-nu) * np.log(N) ** (1 / 3)


def _log_asymptotic(N: np.ndarray, s: float, b: float) -> np.ndarray:
    return np.cbrt(s * (np.log(N) + np.log(np.log(N)) + b) / N)


def _offset_power(N: np.ndarray, c: float, a: float, nu: float) -> np.ndarray:
    return c + a * N ** (-nu)


def _approach(N: np.ndarray, d_c: float, a: float, mu: float) -> np.ndarray:
    return d_c + a * N ** (-mu)


def _approach_log(N: np.ndarray, d_c: float, a: float, mu: float) -> np.ndarray:
    return d_c + a * (np.log(N) / N) ** mu


#: name -> (function, parameter names, initial guess from the data (N, y))
FORMS: dict[str, tuple[Callable[..., np.ndarray], tuple[str, ...],
                       Callable[[np.ndarray, np.ndarray], tuple[float, ...]]]] = {
    "power_law": (_power_law, ("a", "nu"), lambda N, y: (float(y[0] * N[0] ** 0.3), 0.3)),
    "log_power": (_log_power, ("a", "nu"), lambda N, y: (float(y[0]), 0.33)),
    "log_asymptotic": (_log_asymptotic, ("s", "b"), lambda N, y: (1.5, 0.0)),
    "offset_power": (_offset_power, ("c", "a", "nu"),
                     lambda N, y: (float(0.9 * y[-1]), float(0.1 * y[0] * N[0] ** 0.5), 0.5)),
    "approach": (_approach, ("d_c", "a", "mu"),
                 lambda N, y: (float(y[-1]), float((y[0] - y[-1]) * N[0] ** 0.5), 0.5)),
    "approach_log": (_approach_log, ("d_c", "a", "mu"),
                     lambda N, y: (float(y[-1]),
                                   float((y[0] - y[-1]) * (N[0] / np.log(N[0])) ** 0.5), 0.5)),
}


@dataclass(frozen=True)
class Fit:
    """A fitted form: parameters, their standard errors and window spreads."""

    form: str
    params: dict[str, float]
    stderr: dict[str, float]
    window_spread: dict[str, float]
    N_min: int
    N_max: int
    rms_relative_residual: float
    #: Akaike's criterion with the small-sample correction (AICc) over the fitted points
    aic: float
    #: parameters held fixed, not fitted
    fixed: dict[str, float]


def fit_form(form: str, N: np.ndarray, y: np.ndarray,
             fixed: Mapping[str, float] | None = None
             ) -> tuple[dict[str, float], dict[str, float], float, float]:
    """Fit ``form`` to (N, y), the parameters in ``fixed`` held at their values:
    free parameters, their standard errors, rms relative residual and AICc."""
    function, names, guess = FORMS[form]
    fixed = dict(fixed or {})
    free = [i for i, name in enumerate(names) if name not in fixed]
    N, y = np.asarray(N, dtype=float), np.asarray(y, dtype=float)
    if N.size < len(free) + 1:
        raise ValueError(f"fit {form!r} needs at least {len(free) + 1} points, got {N.size}")

    def model(N: np.ndarray, *values: float) -> np.ndarray:
        full = [fixed.get(name, 0.0) for name in names]
        for i, value in zip(free, values):
            full[i] = value
        return function(N, *full)

    p0 = [guess(N, y)[i] for i in free]
    with warnings.catch_warnings():   # a covariance it cannot estimate is NaN below
        warnings.simplefilter("ignore", OptimizeWarning)
        popt, pcov = curve_fit(model, N, y, p0=p0, sigma=np.abs(y), maxfev=20000)
    pcov = np.where(np.isfinite(pcov), pcov, np.nan)
    relative = (y - model(N, *popt)) / y
    errors = np.sqrt(np.clip(np.diag(pcov), 0, None))
    free_names = [names[i] for i in free]
    rss, n, k = float(np.sum(relative ** 2)), N.size, len(free)
    correction = 2 * k * (k + 1) / (n - k - 1) if n > k + 1 else np.inf
    aic = float(n * np.log(max(rss, 1e-300) / n) + 2 * k + correction)
    return (dict(zip(free_names, map(float, popt))), dict(zip(free_names, map(float, errors))),
            float(np.sqrt(np.mean(relative ** 2))), aic)


def fit_largest(form: str, N: np.ndarray, y: np.ndarray, points: int | None = None,
                fixed: Mapping[str, float] | None = None) -> Fit:
    """Fit ``form`` over the ``points`` largest N (default: the larger half, at least one
    more than the form has free parameters), with the spread over windows moved by one N;
    ``fixed``: parameters held at given values."""
    order = np.argsort(N)
    N, y = np.asarray(N, dtype=float)[order], np.asarray(y, dtype=float)[order]
    keep = np.isfinite(y)
    N, y = N[keep], y[keep]
    fixed = dict(fixed or {})
    need = len(FORMS[form][1]) - len(fixed) + 1
    points = max(need, N.size // 2) if points is None else points
    if N.size < points:
        raise ValueError(f"fit {form!r} over {points} points: only {N.size} N values")
    window = slice(N.size - points, N.size)
    params, errors, rms, aic = fit_form(form, N[window], y[window], fixed)
    shifted = [slice(N.size - points - 1, N.size - 1)] if N.size > points else []
    if points > need:
        shifted.append(slice(N.size - points + 1, N.size))
    values = {name: [value] for name, value in params.items()}
    for other in shifted:
        for name, value in fit_form(form, N[other], y[other], fixed)[0].items():
            values[name].append(value)
    spread = {name: float(max(v) - min(v)) for name, v in values.items()}
    return Fit(form=form, params={**params, **fixed}, stderr=errors, window_spread=spread,
               N_min=int(N[window][0]), N_max=int(N[window][-1]), rms_relative_residual=rms,
               aic=aic, fixed=fixed)
