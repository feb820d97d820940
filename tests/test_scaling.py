"""Finite-N scaling analysis (``steadysqueeze.scaling``) against direct solves and closed forms.

* The scaling dataset of a small study (N = 4 … 10) equals what direct calls of the
  exact and perturbative solvers give at the same points (1e-12); its located minimum
  is a direct solve at the located drive, no higher than the grid's lowest point.
* The fits are stored with their uncertainties, and the mean-field critical drive
  (root-found on the N = ∞ limit, 1e-8 from its closed form where the sweep reaches it).
* The perturbative onset coefficient equals the closed form in N:
  xyz 8|α|/(N√(β²+γ²)) per unit δJ with α = (N−1)/4, β = 2(N−2)(J−Jz)/N (Eqs. 44–49);
  tfi with α = (N−1)/8, β = 2Δ (Eqs. 58–60); dicke 2/Γ² (Eq. 70); to 1e-9 (the
  Richardson extrapolation is exact for a linear, resp. quadratic, deficit).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from steadysqueeze import exact, perturbative
from steadysqueeze.pipeline import stages
from steadysqueeze.models import make_model
from steadysqueeze.observables import analyze
from steadysqueeze.scaling import extrapolate_inverse_N, first_crossing, onset_coefficient
from steadysqueeze.studies import Study

NS = [4, 6, 8, 10]
STUDIES = {
    "xyz": {"name": "sx", "model": "xyz", "N": NS, "fixed": {"J": -0.8, "Jz": 1.0},
            "sweep": {"dJ": [0.001, 0.002, 0.1, 0.4, 0.8]}, "shard_by": "N"},
    "tfi": {"name": "st", "model": "tfi", "N": NS, "fixed": {"Delta": -6.0, "gamma": 0.7},
            "sweep": {"Jx": [0.001, 0.002, 1.0, 3.0]}, "shard_by": "N"},
    "dicke": {"name": "sd", "model": "dicke", "N": NS, "fixed": {"Gamma": 1.3},
              "sweep": {"Omega": [0.001, 0.002, 0.2, 0.5]}, "shard_by": "N"},
}


def run_stages(study: Study, where: Path) -> xr.Dataset:
    model, pt, out = where / "m.nc", where / "p.nc", where / "s.nc"
    stages.write_model(study, model)
    stages.write_perturbative(study, model, pt)
    shards = [where / f"e{k}.nc" for k in range(study.shards)]
    for k, path in enumerate(shards):
        stages.write_exact_shard(study, k, model, path)
    stages.write_exact_gather(study, shards, where / "e.nc")
    minima = [where / f"min{N}.nc" for N in study.located_N]
    for N, path in zip(study.located_N, minima):
        on_grid = N in study.N
        stages.write_minimum(study, N=N, exact_path=where / "e.nc" if on_grid else None,
                             output=path, grid_minima_paths=() if on_grid else [
                                 where / f"min{n}.nc" for n in study.N])
    stages.write_minima(study, minima, where / "minima.nc")
    stages.write_gaussian(study, where / "g.nc")
    stages.write_scaling(study, exact_path=where / "e.nc", perturbative_path=pt,
                         minima_path=where / "minima.nc", gaussian_path=where / "g.nc",
                         output=out)
    return xr.load_dataset(out)


@pytest.fixture(scope="module", params=sorted(STUDIES))
def scaling_run(request, tmp_path_factory) -> tuple[Study, xr.Dataset]:
    study = Study.from_config(STUDIES[request.param])
    return study, run_stages(study, tmp_path_factory.mktemp(request.param))


def direct(study: Study, N: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact ξ², PT ξ² and exact entropy at every drive, from direct solver calls."""
    drive = next(iter(study.sweep))
    rows = []
    for value in study.sweep[drive]:
        model = make_model(study.model, {**study.fixed, drive: float(value)})
        e = analyze(exact.steady_state(model, N))
        p = perturbative.squeezing(model, N)
        rows.append((e.xi2, p.xi2, e.entropy))
    return tuple(np.array(c) for c in zip(*rows))


def test_scaling_dataset_matches_direct_solves(scaling_run) -> None:
    study, ds = scaling_run
    drive = next(iter(study.sweep))
    d = study.sweep[drive]
    order = study.pt_order
    for N in study.N:
        xe, xp, entropy = direct(study, N)
        np.testing.assert_allclose(ds["xi2_exact"].sel(N=N), xe, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ds["xi2_pt"].sel(N=N), xp, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ds["entropy"].sel(N=N), entropy, rtol=0, atol=1e-12)
        assert float(ds["onset_exact"].sel(N=N)) == pytest.approx(
            onset_coefficient(d, xe, order), abs=1e-12)
        # the located minimum is at least as deep as the grid's, inside its bracket
        assert float(ds["xi2_min"].sel(N_located=N)) <= xe.min() * (1 + 1e-12)
        k = int(np.argmin(xe))
        lo, hi = d[max(k - 1, 0)], d[min(k + 1, d.size - 1)]
        assert lo <= float(ds["drive_at_min"].sel(N_located=N)) <= hi
        model = study.model_with(**{drive: float(ds["drive_at_min"].sel(N_located=N))})
        assert float(ds["xi2_min"].sel(N_located=N)) == pytest.approx(
            analyze(exact.steady_state(model, N)).xi2, rel=1e-12)


def closed_form_onset(study: Study, N: int) -> float:
    f = study.fixed
    if study.model == "xyz":  # per unit dJ: 8|alpha|/(N sqrt(beta^2+gamma^2)), Eqs. 44-49
        alpha, beta, gamma = (N - 1) / 4, 2 * (N - 2) / N * (f["J"] - f["Jz"]), 1.0
    elif study.model == "tfi":  # Eqs. 58-60 per unit Jx
        alpha, beta, gamma = (N - 1) / 8, 2 * f["Delta"], f["gamma"]
    else:  # Eq. 70: xi2 = 1 - 2 Omega^2 / Gamma^2
        return 2 / f["Gamma"] ** 2
    return 8 * alpha / (N * math.sqrt(beta ** 2 + gamma ** 2))


def test_perturbative_onset_equals_closed_form_in_N(scaling_run) -> None:
    study, ds = scaling_run
    for N in study.N:
        assert float(ds["onset_pt"].sel(N=N)) == pytest.approx(closed_form_onset(study, N),
                                                               rel=1e-9)


def test_exact_onset_approaches_perturbation_theory(scaling_run) -> None:
    """At the smallest drives exact and PT onsets agree (PT is exact to leading order)."""
    study, ds = scaling_run
    np.testing.assert_allclose(ds["onset_exact"], ds["onset_pt"], rtol=2e-3)


def test_onset_coefficient_is_exact_for_polynomial_deficits() -> None:
    d = np.array([0.01, 0.02, 0.5])
    assert onset_coefficient(d, 1 - 0.7 * d + 0.2 * d ** 2, 1) == pytest.approx(0.7, rel=1e-12)
    assert onset_coefficient(d, 1 - 2 * d ** 2 + 3 * d ** 4, 2) == pytest.approx(2, rel=1e-12)


def test_first_crossing_interpolates_and_reports_inf() -> None:
    d = np.array([0.0, 0.1, 0.2, 0.3])
    assert first_crossing(d, np.array([0.0, 0.005, 0.015, 0.05]), 0.01) == pytest.approx(0.15)
    assert first_crossing(d, np.zeros(4), 0.01) == math.inf


def test_extrapolation_in_inverse_N_recovers_a_linear_law() -> None:
    N = np.array([20, 40, 80, 160, 320])
    intercept, slope, points = extrapolate_inverse_N(N, 0.5 + 3.0 / N)
    assert intercept == pytest.approx(0.5) and slope == pytest.approx(3.0) and points == 3


def test_fits_and_critical_drive_are_stored(scaling_run) -> None:
    """These sweeps stop short of the mean-field transitions: NaN (the transition inside a
    sweep: test_minima_beyond_the_grid, and tests/test_gaussian.py)."""
    study, ds = scaling_run
    assert np.isnan(float(ds["drive_c_mean_field"]))
    assert ds["xi2_gaussian"].dims == (study.model_class.scaling_drive,)
    if int(ds["minimum_interior"].sum()) >= 3:
        for name in ("nu", "nu_stderr", "nu_window_spread", "nu_log"):
            assert np.isfinite(float(ds[name])) and ds[name].attrs["long_name"]
    assert set(ds["minimum_interior"].values) <= {0.0, 1.0}


def test_minima_beyond_the_grid(tmp_path: Path) -> None:
    """``minima_N``: minima located from the closed form where no grid is solved, the same
    as where the grid is; they join the fits and the dimension ``N_located``."""
    sweep = {"Omega": [0.001, 0.002, 0.2, 0.5, 0.6, 0.63, 0.7]}    # Ω_c = Γ/2 = 0.65
    beyond = dict(STUDIES["dicke"], N=[4, 6, 8], minima_N=[40, 3000], sweep=sweep)
    on_grid = dict(STUDIES["dicke"], N=[4, 6, 8, 40], sweep=sweep)
    ds = run_stages(Study.from_config(beyond), tmp_path / "beyond")
    reference = run_stages(Study.from_config(on_grid), tmp_path / "grid")
    assert float(ds["drive_c_mean_field"]) == pytest.approx(0.65, abs=1e-8)   # Γ/2
    assert list(ds["N"].values) == [4, 6, 8]
    assert list(ds["N_located"].values) == [4, 6, 8, 40, 3000]
    for name in ("xi2_min", "drive_at_min"):
        assert float(ds[name].sel(N_located=40)) == pytest.approx(
            float(reference[name].sel(N_located=40)), rel=1e-9)
    # deeper at N = 3000, near the critical drive Ω_c = Γ/2
    assert float(ds["xi2_min"].sel(N_located=3000)) < float(ds["xi2_min"].sel(N_located=40))
    assert 0.48 < float(ds["drive_at_min"].sel(N_located=3000)) / 1.3 < 0.5
    assert ds["minimum_interior"].sel(N_located=3000)
    assert ds["nu"].attrs["fit_N_max"] == 3000


def test_minima_beyond_the_grid_without_a_closed_form(tmp_path: Path) -> None:
    """``minima_N`` for xyz: searched by exact solves where the grid's minima extrapolate
    to, the same minimum as where the grid brackets it."""
    sweep = {"dJ": [0.2, 0.5, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0, 2.5]}
    beyond = dict(STUDIES["xyz"], N=[6, 8, 10, 12], minima_N=[16], sweep=sweep)
    on_grid = dict(STUDIES["xyz"], N=[6, 8, 10, 12, 16], sweep=sweep)
    ds = run_stages(Study.from_config(beyond), tmp_path / "beyond")
    reference = run_stages(Study.from_config(on_grid), tmp_path / "grid")
    # the sweep crosses the transition at δJ_c = √((J − Jz)² + γ²/4)
    assert float(ds["drive_c_mean_field"]) == pytest.approx(math.hypot(1.8, 0.5), abs=1e-8)
    assert list(ds["N_located"].values) == [6, 8, 10, 12, 16]
    assert bool(ds["minimum_interior"].sel(N_located=16))
    assert float(ds["xi2_min"].sel(N_located=16)) == pytest.approx(
        float(reference["xi2_min"].sel(N_located=16)), rel=1e-6)
    assert float(ds["drive_at_min"].sel(N_located=16)) == pytest.approx(
        float(reference["drive_at_min"].sel(N_located=16)), rel=1e-4)


@pytest.mark.parametrize("name, minima_N", [("xyz", [16]), ("dicke", [40])])
def test_minima_located_in_one_job_equal_those_of_a_job_per_N(tmp_path: Path, name: str,
                                                               minima_N: list[int]) -> None:
    """Rule minima locates every minimum itself (a study not sharded by N) exactly as the
    jobs of rule minimum do, one per N, grid minima and minima_N alike."""
    sweep = ({"dJ": [0.2, 0.5, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0, 2.5]} if name == "xyz"
             else {"Omega": [0.001, 0.2, 0.5, 0.6, 0.63, 0.7]})
    study = Study.from_config(dict(STUDIES[name], N=[6, 8, 10, 12], minima_N=minima_N,
                                   sweep=sweep))
    run_stages(study, tmp_path)
    stages.write_minima(study, [], tmp_path / "in_one_job.nc", exact_path=tmp_path / "e.nc")
    per_N = xr.load_dataset(tmp_path / "minima.nc")
    in_one_job = xr.load_dataset(tmp_path / "in_one_job.nc")
    assert list(in_one_job["N"].values) == [6, 8, 10, 12, *minima_N]
    for variable in ("xi2_min", "drive_at_min", "minimum_interior", "minimum_evaluations"):
        np.testing.assert_array_equal(in_one_job[variable].values, per_N[variable].values)


@pytest.mark.parametrize("truth, xi2_c, chosen", [
    (lambda N: 0.5 + 0.4 * N ** -0.5, 0.5, "gaussian_limit"),   # the limit is the Gaussian's
    (lambda N: 0.9 * N ** -0.3, 0.0, "zero_limit"),            # a plain power law to 0
    (lambda N: 0.9 * N ** -0.3, 0.5, "zero_limit"),            # ξ²_c = 1/2 would be wrong
])
def test_limit_fits_recover_the_limit(truth, xi2_c: float, chosen: str) -> None:
    """Synthetic minima with 1e-5 relative noise: the AIC picks the form that generated
    them (the free c, one parameter more for nothing, loses), ν within 0.02."""
    from steadysqueeze.scaling import limit_fits
    N = np.array([20, 30, 40, 50, 70, 100, 150, 200, 300])
    rng = np.random.default_rng(5)
    y = truth(N) * (1 + 1e-5 * rng.standard_normal(N.size))
    minima = xr.Dataset({"xi2_min": ("N", y), "minimum_interior": ("N", np.ones(N.size))},
                        coords={"N": N})
    variables, sentence = limit_fits(minima, xi2_c, {"drive": "dJ", "drive_units": "gamma",
                                                     "order": 1})
    expected_nu = 0.5 if chosen == "gaussian_limit" else 0.3
    assert str(variables["limit_form"].values) == chosen
    assert float(variables["nu_limit"]) == pytest.approx(expected_nu, abs=0.02)
    assert "preferred over" in sentence
