"""Finite-size fits (:mod:`steadysqueeze.fits`) recover known parameters from synthetic data.

Data: a known form times (1 + 1e-3 ε) (1e-4 for the three-parameter approach), ε
standard normal (seeded), over N = 20 … 640.
Each fitted parameter must lie within three of its standard errors plus its window
spread of the true value, and the stated uncertainty must not be absurdly large.
"""

from __future__ import annotations

import numpy as np
import pytest

from steadysqueeze.fits import fit_largest

N = np.array([20, 30, 50, 80, 120, 200, 300, 640], dtype=float)


def noisy(y: np.ndarray, seed: int, level: float = 1e-3) -> np.ndarray:
    return y * (1 + level * np.random.default_rng(seed).standard_normal(y.size))


def within_error(fit, name: str, true: float) -> None:
    error = 3 * fit.stderr[name] + fit.window_spread[name]
    assert abs(fit.params[name] - true) <= error, (name, fit.params[name], error)
    assert error < 0.1 * abs(true)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_power_law_exponent_is_recovered(seed: int) -> None:
    fit = fit_largest("power_law", N, noisy(2.0 * N ** -0.4, seed))
    within_error(fit, "nu", 0.4)
    within_error(fit, "a", 2.0)
    assert fit.N_max == 640 and fit.N_min == 120


@pytest.mark.parametrize("seed", [1, 2])
def test_log_corrected_exponent_is_recovered(seed: int) -> None:
    fit = fit_largest("log_power", N, noisy(1.2 * N ** (-1 / 3) * np.log(N) ** (1 / 3), seed))
    within_error(fit, "nu", 1 / 3)


@pytest.mark.parametrize("seed", [1, 2])
def test_approach_to_the_critical_drive_is_recovered(seed: int) -> None:
    # three parameters from eight points: at 1e-3 noise μ is uncertain to ~0.1, so 1e-4
    # (the located drives themselves are exact to ~1e-8)
    fit = fit_largest("approach", N, noisy(1.5 - 0.8 * N ** -0.6, seed, 1e-4), points=N.size)
    within_error(fit, "d_c", 1.5)
    within_error(fit, "mu", 0.6)


@pytest.mark.parametrize("seed", [1, 2])
def test_logarithmic_approach_is_recovered(seed: int) -> None:
    """The driven Dicke form d* = d_c + a (ln N/N)^μ, μ = 2/3, over N to 10⁶."""
    Ns = np.geomspace(1e3, 1e6, 8)
    fit = fit_largest("approach_log", Ns, noisy(0.5 - 0.34 * (np.log(Ns) / Ns) ** (2 / 3),
                                                seed, 1e-5), points=Ns.size)
    within_error(fit, "d_c", 0.5)
    within_error(fit, "mu", 2 / 3)


def test_too_few_points_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least"):
        fit_largest("approach", N[:3], N[:3] ** -0.5, points=3)
