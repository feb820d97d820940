"""The crossover rate γ*(N) and its power law (steadysqueeze.crossover) on synthetic
minima with a known answer."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from steadysqueeze.crossover import crossover_fit, crossover_rate, crossover_rates

RATES = np.concatenate([[0.0], np.logspace(-4, 0, 13)])


def synthetic(rates: np.ndarray, plateau: float, crossover: float) -> np.ndarray:
    """ξ²_min = plateau^(1/(1 + (γ - γ1)/(γ* - γ1))), γ1 = 1e-4 the smallest non-zero
    rate: the plateau at γ1, √plateau exactly at γ = γ*, → 1 at large γ."""
    return plateau ** (1 / (1 + (rates - 1e-4) / (crossover - 1e-4)))


@pytest.mark.parametrize("crossover", [3e-4, 0.01, 0.2])
def test_crossover_rate_on_a_grid_point_is_exact(crossover: float) -> None:
    rates = np.sort(np.append(np.logspace(-4, 0, 13), crossover))
    assert crossover_rate(rates, synthetic(rates, 0.4, crossover)) == pytest.approx(
        crossover, rel=1e-12)


def test_crossover_rate_interpolates_in_the_logs() -> None:
    """ξ² = 0.5 (γ/γ1)^0.1, linear in the logs, reaches √0.5 at γ1 2^5: recovered to
    1e-12 between grid points; rate 0 (another value: the jump at γ = 0⁺) and the order
    of the grid do not matter."""
    rates = np.logspace(-3, 1, 13)
    xi2 = 0.5 * (rates / rates[0]) ** 0.1
    expected = rates[0] * 2 ** 5
    assert not np.isclose(rates, expected).any()
    shuffled = np.random.default_rng(1).permutation(rates.size)
    found = crossover_rate(np.append(rates[shuffled], 0.0), np.append(xi2[shuffled], 0.05))
    assert found == pytest.approx(expected, rel=1e-12)


def test_crossover_rate_outside_the_grid_is_nan() -> None:
    rates = np.logspace(-3, 1, 13)
    assert np.isnan(crossover_rate(rates, np.full(rates.size, 0.5)))   # never rises
    assert np.isnan(crossover_rate(rates[:1], np.array([0.5])))


def test_crossover_exponent_is_recovered() -> None:
    """γ*(N) = 2 N^-0.5 through the minima of five N: ν = 0.5 and a = 2 to the accuracy
    of the log interpolation between grid rates (ξ² is not a power law in between)."""
    N = np.array([25, 35, 50, 70, 100])
    plateaus = 0.9 * N ** -0.2
    xi2 = np.array([synthetic(RATES, p, 2 * n ** -0.5) for p, n in zip(plateaus, N)])
    xi2[:, 0] = 0.1   # the γ = 0 value, left out of the plateau
    minima = xr.Dataset({"xi2_min": (("N", "gamma"), xi2)},
                        coords={"N": N, "gamma": RATES})
    found = crossover_rates(minima, "gamma")
    assert np.allclose(found.values, 2 * N ** -0.5, rtol=0.03)
    fit = crossover_fit(found)
    assert fit is not None
    assert fit.params["nu"] == pytest.approx(0.5, abs=0.03)
    assert fit.params["a"] == pytest.approx(2.0, rel=0.1)


def test_crossover_fit_needs_three_finite_points() -> None:
    found = xr.DataArray([0.1, np.nan, 0.05, np.nan], coords={"N": [25, 35, 50, 100]},
                         dims=("N",))
    assert crossover_fit(found) is None
