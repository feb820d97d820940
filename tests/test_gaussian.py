"""The N = ∞ limit (steadysqueeze.meanfield, steadysqueeze.gaussian) against closed forms
derived by hand and against exact solves extrapolated in 1/N (tests/README.md)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from steadysqueeze.datasets import limit_dataset
from steadysqueeze.gaussian import (LimitStatus, approachable_xi2, bistable_range,
                                    critical_squeezing, drive_profile, minimum_over_drive,
                                    thermodynamic_limit)
from steadysqueeze.meanfield import NotExtensiveError, critical_drive, mean_field
from steadysqueeze.models import MODELS, TFI, XYZ, DrivenDicke
from steadysqueeze.models.declared import declare_model

rng = np.random.default_rng(3)


def paramagnet_closed_form(a: float, b: float, gamma: float) -> tuple[float, float]:
    r"""ξ² and gap about the paramagnet from the transverse drift [[-γ/2, a], [b, -γ/2]] and
    noise γ/4 (module docstring of steadysqueeze.gaussian), Lyapunov solved by hand:
    r = (a+b)γ/(16(κ² − ab)), p = (ar + γ/8)/κ, q = (br + γ/8)/κ with κ = γ/2; ξ² = 4 λ_min
    of [[p, r], [r, q]]; gap κ − √ab (ab > 0) or κ."""
    k = gamma / 2
    r = (a + b) * gamma / (16 * (k * k - a * b))
    p, q = (a * r + gamma / 8) / k, (b * r + gamma / 8) / k
    lam = (p + q) / 2 - math.hypot((p - q) / 2, r)
    return 4 * lam, k - math.sqrt(max(a * b, 0.0))


def stable_paramagnet(a_of: callable, count: int) -> list[tuple[float, ...]]:
    """Random (p1, p2, p3, gamma) whose paramagnet is stable and not defective (ab ≠ 0)."""
    points = []
    while len(points) < count:
        p = tuple(rng.uniform(-2.5, 2.5, 3)) + (rng.uniform(0.3, 2.0),)
        a, b = a_of(*p[:3])
        if a * b < p[3] ** 2 / 4 * 0.9 and abs(a * b) > 1e-2:
            points.append(p)
    return points


XYZ_POINTS = stable_paramagnet(lambda Jx, Jy, Jz: (Jz - Jy, Jx - Jz), 12)
TFI_POINTS = stable_paramagnet(lambda Jx, Delta, _: (-Delta, Delta + Jx), 12)


@pytest.mark.parametrize("Jx, Jy, Jz, gamma", XYZ_POINTS)
def test_xyz_closed_form(Jx: float, Jy: float, Jz: float, gamma: float) -> None:
    """Tolerance 1e-10: the general machinery (Hamiltonian read off its matrix, Lyapunov
    by scipy) against the hand-solved 2 × 2 Lyapunov equation."""
    limit = thermodynamic_limit(XYZ(Jx=Jx, Jy=Jy, Jz=Jz, gamma=gamma))
    xi2, gap = paramagnet_closed_form(Jz - Jy, Jx - Jz, gamma)
    assert limit.status == LimitStatus.unique
    assert limit.reported.squeezing()[0] == pytest.approx(xi2, abs=1e-10)
    assert limit.reported.gap == pytest.approx(gap, abs=1e-10)
    assert np.allclose(limit.reported.mean, [0, 0, -0.5], atol=1e-12)


@pytest.mark.parametrize("Jx, Delta, _, gamma", TFI_POINTS)
def test_tfi_closed_form(Jx: float, Delta: float, _: float, gamma: float) -> None:
    limit = thermodynamic_limit(TFI(Jx=Jx, Delta=Delta, gamma=gamma))
    xi2, gap = paramagnet_closed_form(-Delta, Delta + Jx, gamma)
    assert limit.reported.squeezing()[0] == pytest.approx(xi2, abs=1e-10)
    assert limit.reported.gap == pytest.approx(gap, abs=1e-10)


@pytest.mark.parametrize("Omega, Gamma", [(0.05, 1.0), (0.3, 1.0), (0.49, 1.0), (0.7, 2.0)])
def test_driven_dicke_closed_form(Omega: float, Gamma: float) -> None:
    r"""The linearised jump operator δJ⁻ ∝ δJx − i√(1−s²) δJ_⊥ (s = 2Ω/Γ) annihilates a
    squeezed vacuum: ξ² = √(1 − s²) along x (θ = 0), gap (Γ/2)√(1 − s²), mean spin
    (0, −Ω/Γ, −√(1/4 − Ω²/Γ²)). Tolerance 1e-10."""
    root = math.sqrt(1 - (2 * Omega / Gamma) ** 2)
    limit = thermodynamic_limit(DrivenDicke(Omega=Omega, Gamma=Gamma))
    xi2, theta, axis, _, _ = limit.reported.squeezing()
    assert xi2 == pytest.approx(root, abs=1e-10)
    assert limit.reported.gap == pytest.approx(Gamma / 2 * root, abs=1e-10)
    assert abs(axis[0]) == pytest.approx(1.0, abs=1e-10)
    assert np.allclose(limit.reported.mean, [0, -Omega / Gamma, -root / 2], atol=1e-10)


def test_driven_dicke_above_the_transition_has_no_gaussian_limit() -> None:
    limit = thermodynamic_limit(DrivenDicke(Omega=0.6))
    assert limit.status == LimitStatus.no_stable_fixed_point and limit.reported is None


def test_ordered_phase_reports_symmetric_branches() -> None:
    """Past the xyz transition: two ferromagnets (m → (−mx, −my, mz)) with equal ξ², and
    the unstable paramagnet."""
    limit = thermodynamic_limit(XYZ(Jx=1.4, Jy=-3.0, Jz=1.0))   # J = −0.8, δJ = 2.2
    assert limit.status == LimitStatus.symmetric_branches and len(limit.branches) == 2
    first, second = (b.mean for b in limit.branches)
    assert np.allclose(first, second * [-1, -1, 1], atol=1e-10)
    assert any(np.allclose(p.m, [0, 0, -0.5]) and not p.stable for p in limit.fixed_points)


@pytest.mark.parametrize("J, Jz, gamma", [(-0.8, 1.0, 1.0), (0.3, -1.2, 0.5), (2.0, 1.0, 2.0)])
def test_xyz_critical_drive(J: float, Jz: float, gamma: float) -> None:
    """Root-found transition against dJ_c = √((J − Jz)² + γ²/4): 1e-8."""
    exact = math.hypot(J - Jz, gamma / 2)
    found = critical_drive(lambda d: XYZ.from_parameters(
        {"J": J, "dJ": d, "Jz": Jz, "gamma": gamma}), np.linspace(0.01, 2 * exact, 9))
    assert found == pytest.approx(exact, abs=1e-8)


@pytest.mark.parametrize("Delta, gamma", [(-6.0, 1.0), (-1.0, 0.5), (2.0, 1.3)])
def test_tfi_critical_drive(Delta: float, gamma: float) -> None:
    """Against Jx_c = −Δ − γ²/(4Δ): 1e-8 (the sweep goes toward the transition's sign)."""
    exact = -Delta - gamma ** 2 / (4 * Delta)
    found = critical_drive(lambda d: TFI(Jx=d, Delta=Delta, gamma=gamma),
                           np.linspace(0.0, 2 * exact, 7))
    assert found == pytest.approx(exact, abs=1e-8)


def test_driven_dicke_critical_drive_and_limit_there() -> None:
    """Saddle-node at Ω = Γ/2 (bisection on existence): 1e-8; ξ²_c → 0."""
    data = limit_dataset(MODELS["dicke"], {"Omega": np.linspace(0.0, 0.75, 16)}, {"Gamma": 1.0})
    assert float(data["drive_c"]) == pytest.approx(0.5, abs=1e-8)
    assert abs(float(data["xi2_c"])) < 1e-6


def test_critical_squeezing_is_three_decibels_for_the_parametric_transitions() -> None:
    """xyz and tfi: the paramagnet is a detuned degenerate parametric amplifier; at its
    threshold the squeezed quadrature reaches half the vacuum noise, ξ²_c = 1/2 (1e-8)."""
    xyz = limit_dataset(MODELS["xyz"], {"dJ": np.linspace(0.1, 2.5, 13)},
                        {"J": -0.8, "Jz": 1.0, "gamma": 1.0})
    tfi = limit_dataset(MODELS["tfi"], {"Jx": np.linspace(0.0, 9.0, 10)},
                        {"Delta": -6.0, "gamma": 1.0})
    for data, exact in ((xyz, math.hypot(1.8, 0.5)), (tfi, 6 + 1 / 24)):
        assert float(data["drive_c"]) == pytest.approx(exact, abs=1e-8)
        assert float(data["xi2_c"]) == pytest.approx(0.5, abs=1e-8)


def test_limit_dataset_labels_and_states() -> None:
    data = limit_dataset(MODELS["xyz"], {"J": np.array([-0.8]), "dJ": np.array([1.0, 2.2])},
                         {"Jz": 1.0, "gamma": 1.0})
    assert data["xi2"].dims == ("J", "dJ") and "N" not in data.dims
    assert list(data["limit_status"].values[0]) == [0, 1]
    assert data["limit_status"].attrs["flag_meanings"].split()[1] == "symmetric_branches"
    assert data["fixed_point"].sizes["branch"] == 3
    assert data["gap"].attrs["units"] == "gamma" and data["drive_c"].dims == ("J",)
    for name, var in data.data_vars.items():
        assert var.attrs.get("long_name"), name


DECLARED = {
    "parameters": {"J": None, "dJ": None, "Jz": 1.0, "gamma": 1.0, "gamma_phi": 0.0,
                   "gamma_p": 0.0},
    "h0": "(J*(Sx**2 + Sy**2) + Jz*Sz**2)/N", "drive": "dJ*(Sx**2 - Sy**2)/N",
    "dissipation": {"emission": "gamma", "dephasing": "gamma_phi", "pumping": "gamma_p"},
    "scaling_drive": "dJ",
}


def test_declared_model_equals_the_built_in_one() -> None:
    declared = declare_model("xyz_open", DECLARED).from_parameters({"J": -0.8, "dJ": 1.1})
    built_in = XYZ.from_parameters({"J": -0.8, "dJ": 1.1, "Jz": 1.0})
    a, b = thermodynamic_limit(declared).reported, thermodynamic_limit(built_in).reported
    assert np.allclose(a.covariance, b.covariance, atol=1e-12) and a.gap == pytest.approx(b.gap)


def test_pumping_and_dephasing_give_mixed_mean_field_states() -> None:
    model = declare_model("xyz_open", DECLARED).from_parameters(
        {"J": -0.8, "dJ": 0.5, "gamma_phi": 0.4, "gamma_p": 0.3})
    limit = thermodynamic_limit(model)
    assert limit.status == LimitStatus.unique
    # emission and pumping alone: m_z = −(γ − γ_p)/(2(γ + γ_p)) = −0.7/2.6
    assert np.linalg.norm(limit.reported.mean) < 0.5
    bare = thermodynamic_limit(declare_model("xyz_open", DECLARED).from_parameters(
        {"J": -0.8, "dJ": 0.0, "gamma_p": 0.3}))
    assert bare.reported.mean[2] == pytest.approx(-0.7 / 2.6, abs=1e-12)


@pytest.mark.parametrize("spec, field, term", [
    ({"hamiltonian": "Jx*Sx**2 + Sz"}, "hamiltonian", "Sx*Sx"),
    ({"hamiltonian": "Jx*Sx**2/N + N*Sz"}, "hamiltonian", "Sz"),
    ({"h0": "Sz**2", "drive": "Jx*Sx**2/N"}, "h0", "Sz*Sz"),
    ({"hamiltonian": "Jx*Sz**3/N**2"}, "hamiltonian", "beyond quadratic"),
])
def test_non_extensive_hamiltonian_is_refused_naming_the_term(spec, field, term) -> None:
    cls = declare_model("bad", {"parameters": {"Jx": 1.0}, "dissipation": {"emission": 1},
                                **spec})
    with pytest.raises(NotExtensiveError, match=rf"field .{field}.*{re.escape(term)}"):
        mean_field(cls.from_parameters({}))


def test_non_extensive_rates_are_refused_naming_the_channel() -> None:
    cls = declare_model("bad_rate", {"parameters": {"Omega": 0.3, "Gamma": 1.0},
                                     "hamiltonian": "-Omega*Sx",
                                     "dissipation": {"collective_emission": "Gamma"}})
    with pytest.raises(NotExtensiveError, match="dissipation.collective_emission"):
        mean_field(cls.from_parameters({}))


#: declared models with the channels that make the mean field mixed
DEPHASED = declare_model("xyz_dephased", {**DECLARED, "parameters": {
    **DECLARED["parameters"], "gamma_phi": 0.3}})
PUMPED = declare_model("tfi_pumped", {
    "parameters": {"Jx": None, "Delta": -6.0, "gamma": 1.0, "gamma_p": 0.2},
    "hamiltonian": "Jx*Sx**2/N + Delta*Sz", "scaling_drive": "Jx",
    "dissipation": {"emission": "gamma", "pumping": "gamma_p"}})
RICHARDSON_N = np.array([24, 36, 54, 80])
#: model, fixed parameters, drive, a sweep reaching the transition
RICHARDSON = {
    "xyz": (MODELS["xyz"], {"J": -0.8, "Jz": 1.0}, "dJ", np.linspace(0.01, 3.0, 7)),
    "tfi": (MODELS["tfi"], {"Delta": -6.0}, "Jx", np.linspace(0.0, 9.0, 7)),
    "dicke": (MODELS["dicke"], {}, "Omega", np.linspace(0.0, 0.75, 7)),
    "dephasing": (DEPHASED, {"J": -0.8}, "dJ", np.linspace(0.01, 3.0, 7)),
    "pumping": (PUMPED, {}, "Jx", np.linspace(0.0, 12.0, 7)),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(RICHARDSON))
def test_limit_against_exact_solves_extrapolated_in_inverse_N(case: str) -> None:
    """At 0.15, 0.3 and 0.5 of the critical drive (paramagnetic points): exact ξ² and ⟨Jz⟩/N
    at N = 24 … 80 fitted by c0 + c1/N + c2/N² (Richardson); c0 against the N = ∞ limit,
    1e-3 (measured at most 3e-4, nearest the transition)."""
    from steadysqueeze.api import solve

    cls, fixed, drive, sweep = RICHARDSON[case]
    limits = limit_dataset(cls, {drive: sweep}, fixed)
    drives = float(limits["drive_c"]) * np.array([0.15, 0.3, 0.5])
    exact = solve(cls, list(RICHARDSON_N), **fixed, **{drive: drives})
    fit = np.vstack([np.ones(RICHARDSON_N.size), 1 / RICHARDSON_N, 1 / RICHARDSON_N ** 2]).T
    for k, d in enumerate(drives):
        limit = thermodynamic_limit(cls.from_parameters({**fixed, drive: d})).reported
        xi2 = np.linalg.lstsq(fit, exact["xi2"].values[:, k], rcond=None)[0][0]
        mz = exact["mean_J"].values[:, k, 2] / RICHARDSON_N
        assert xi2 == pytest.approx(limit.squeezing()[0], abs=1e-3), d
        assert np.linalg.lstsq(fit, mz, rcond=None)[0][0] == pytest.approx(limit.mean[2],
                                                                            abs=1e-3)


DICKE_LOCAL = {"parameters": {"Omega": None, "Gamma": 1.0, "gamma": 0.0},
               "hamiltonian": "-Omega*Sx",
               "dissipation": {"collective_emission": "Gamma/N", "emission": "gamma"}}


def dicke_local_at(gamma: float):
    """The driven Dicke model with local emission γ (Γ = 1) at a drive Ω."""
    model = declare_model("dicke_local", DICKE_LOCAL)
    return lambda Omega: model.from_parameters({"Omega": Omega, "gamma": gamma})


@pytest.mark.parametrize("gamma, fold", [(1e-3, 0.3542612), (1e-2, 0.3606966)])
def test_fold_of_the_squeezed_branch_with_weak_local_emission(gamma: float, fold: float) -> None:
    """With weak local emission the squeezed branch ends in a fold far below Γ/2; Newton
    from the last point once jumped to the mixed branch at Ω = 0.055 (γ = 1e-3). Two
    sweeps agree to 1e-7; the branch is stable 1e-6 below the fold and gone 1e-6 above."""
    model_at = dicke_local_at(gamma)
    found = [critical_drive(model_at, drives) for drives in
             (np.array([0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7]), np.linspace(0.0, 1.0, 11))]
    assert found[0] == pytest.approx(found[1], abs=1e-7)
    assert found[0] == pytest.approx(fold, abs=1e-6)
    below = thermodynamic_limit(model_at(found[0] - 1e-6))
    above = thermodynamic_limit(model_at(found[0] + 1e-6))
    assert below.status == LimitStatus.bistable and above.status == LimitStatus.unique
    assert np.linalg.norm(above.branches[0].mean) < 0.05   # only the mixed branch is left


@pytest.mark.parametrize("gamma", [0.1, 0.3, 1.0])
def test_minimum_over_drive_against_a_dense_profile(gamma: float) -> None:
    """The located N = ∞ minimum (profile of 129 drives, Brent, the fold's limit) against
    the lowest of 1201 drives: never above it, and below it by less than the dense grid's
    resolution allows (1e-4)."""
    model_at = dicke_local_at(gamma)
    drives = np.array([0.02, 0.2, 0.4, 0.6, 0.8])
    drive_c = critical_drive(model_at, drives)
    profile = drive_profile(model_at, drives)
    critical = (drive_c, *critical_squeezing(model_at, drive_c, 0.02, profile.starts_near(drive_c))
                ) if np.isfinite(drive_c) else (np.nan, np.nan, np.nan)
    found = minimum_over_drive(model_at, profile, critical)
    dense = drive_profile(model_at, drives, points=1201)
    lowest = np.nanmin([approachable_xi2(limit) for limit in dense.limits])
    assert found.where == "interior"
    assert lowest - 1e-4 < found.xi2 <= lowest + 1e-12


def test_minimum_over_drive_at_a_fold_and_at_a_critical_point() -> None:
    """The squeezed branch's lowest ξ² is its limit at the end of the branch: the fold at
    γ = 0.01 (ξ² = 0.67596, within 1e-4 of ξ² 1e-8 below the fold) and, for
    xyz with dephasing, the 3 dB limit 1/2 at the parametric threshold, which the
    symmetry-related ordered branches beyond it (ξ² ≈ 0.39) do not undercut."""
    model_at = dicke_local_at(0.01)
    drives = np.array([0.02, 0.2, 0.4, 0.6])
    drive_c = critical_drive(model_at, drives)
    profile = drive_profile(model_at, drives)
    found = minimum_over_drive(model_at, profile, (drive_c, *critical_squeezing(
        model_at, drive_c, 0.02, profile.starts_near(drive_c))))
    assert found.where == "critical" and found.drive == drive_c
    assert found.xi2 == pytest.approx(0.675961, abs=1e-5)
    dense = drive_profile(model_at, drives, points=1201)   # ξ² - ξ²_c ∝ √(distance)
    assert 0 < np.nanmin([approachable_xi2(limit) for limit in dense.limits]) - found.xi2 < 0.02
    near = thermodynamic_limit(model_at(drive_c - 1e-8), profile.starts_near(drive_c))
    assert approachable_xi2(near) == pytest.approx(found.xi2, abs=1e-4)
    xyz = limit_dataset(MODELS["xyz"], {"dJ": np.linspace(0.1, 2.5, 13)},
                        {"J": -0.8, "Jz": 1.0, "gamma": 1.0})
    assert float(xyz["xi2_min_limit"]) == pytest.approx(0.5, abs=1e-8)
    assert float(xyz["drive_at_min_limit"]) == pytest.approx(float(xyz["drive_c"]))
    assert float(xyz["xi2_branch"].min()) < 0.45


def test_bistable_range_of_the_driven_dicke_model_with_local_emission() -> None:
    """γ = 0.01: bistable from where the mixed branch appears to the fold of the squeezed
    branch (the critical drive), each edge to 1e-6; nowhere for γ = 1 or γ = 0."""
    model_at = dicke_local_at(0.01)
    drives = np.array([0.02, 0.2, 0.4, 0.6])
    low, high = bistable_range(model_at, drive_profile(model_at, drives))
    assert high == pytest.approx(critical_drive(model_at, drives), abs=1e-6)
    assert 0.1 < low < 0.2
    for inside, outside in ((low + 1e-6, low - 1e-6), (high - 1e-6, high + 1e-6)):
        assert thermodynamic_limit(model_at(inside)).status == LimitStatus.bistable
        assert thermodynamic_limit(model_at(outside)).status == LimitStatus.unique
    for gamma in (0.0, 1.0):
        at = dicke_local_at(gamma)
        assert np.isnan(bistable_range(at, drive_profile(at, drives))).all()
