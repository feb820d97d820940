r"""Finite-N analysis: how squeezing and the validity of perturbation theory scale with N.

Input: the exact and perturbative datasets of a study with dimensions
``(N, drive)``, the drive being the symmetry-breaking parameter (δJ for ``xyz``,
:math:`\mathcal{J}_x` for ``tfi``, Ω for ``dicke``). Output, per N:

* ``onset_exact`` / ``onset_pt``: the onset coefficient
  :math:`c = \lim_{d\to0}(1-\xi_R^2)/|d|^p` with p the order at which squeezing
  appears (p = 1 for two-emitter drives, Eq. 30; p = 2 for the Rabi drive, Eq. 70),
  from the two smallest drives with Richardson extrapolation;
* ``xi2_min`` and ``drive_at_min`` (dimension ``N_located``: the grid's N and, for a
  closed-form model, the study's ``minima_N`` far beyond it): the deepest exact squeezing
  over the drive, located by bounded minimisation on exact solves
  (:mod:`steadysqueeze.optimum`), and fits over
  the largest N (:mod:`steadysqueeze.fits`): :math:`\xi^2_{\min}\propto N^{-\nu}` (also
  with a :math:`(\ln N)^{1/3}` correction) and :math:`d^* \to d_c + a N^{-\mu}`, with
  :math:`d_c` beside the mean-field critical drive (the model's ``finite_size_forms``: for
  the driven Dicke model also its large-N asymptote and :math:`d_c + a(\ln N/N)^{\mu}`);
* ``pt_validity_1pct`` / ``pt_validity_10pct``: the smallest drive at which the
  perturbative squeezing deficit :math:`1-\xi^2_{PT}` differs from the exact one by
  more than 1 % / 10 % of the exact deficit (linear interpolation between grid points;
  ``inf`` where PT stays within the threshold over the whole sweep);
* per (N, drive): exact and PT ξ², purity, von Neumann entropy, ξ_R⁻² and QFI/N
  (minimal uncertainty, Eq. 21).

The onset coefficient is extrapolated to N → ∞ by a linear fit in 1/N over the larger
half of the N values.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .fits import FORMS, Fit, fit_largest
from .models import Model
from .variables import attrs

__all__ = ["onset_coefficient", "first_crossing", "extrapolate_inverse_N", "minimum_fits",
           "scaling_dataset", "fitted_curve", "FORM_VARIABLES"]


def onset_coefficient(drive: np.ndarray, xi2: np.ndarray, order: int) -> float:
    r"""Richardson estimate of :math:`c_0 = \lim_{d\to0}(1-\xi^2)/|d|^p` from the two smallest |d| > 0.

    The ratio behaves as :math:`c_0 + c_1|d|^p` (the next order of the squeezing
    deficit: odd and even powers for p = 1, only even powers of Ω for p = 2).
    """
    positive = np.flatnonzero(np.abs(drive) > 0)
    if positive.size < 2:
        raise ValueError("the onset coefficient needs two non-zero drive values")
    first, second = positive[np.argsort(np.abs(drive[positive]))[:2]]
    d1, d2 = abs(drive[first]), abs(drive[second])
    c1, c2 = (1 - xi2[first]) / d1 ** order, (1 - xi2[second]) / d2 ** order
    w1, w2 = d1 ** order, d2 ** order
    return float((w2 * c1 - w1 * c2) / (w2 - w1))


def first_crossing(drive: np.ndarray, error: np.ndarray, threshold: float) -> float:
    """Smallest |drive| where ``error`` first exceeds ``threshold`` (interpolated), else inf."""
    order = np.argsort(np.abs(drive))
    d, e = np.abs(drive[order]), error[order]
    above = np.flatnonzero(e > threshold)
    if above.size == 0:
        return float("inf")
    k = int(above[0])
    if k == 0:
        return float(d[0])
    return float(d[k - 1] + (threshold - e[k - 1]) * (d[k] - d[k - 1]) / (e[k] - e[k - 1]))


def extrapolate_inverse_N(N: np.ndarray, values: np.ndarray) -> tuple[float, float, int]:
    """Linear fit of ``values`` in 1/N over the larger half of N (at least the two largest):
    (intercept, slope, points)."""
    finite = np.isfinite(values)
    Ns, ys = np.asarray(N, dtype=float)[finite], np.asarray(values)[finite]
    keep = Ns >= min(np.median(Ns), np.sort(Ns)[-2]) if Ns.size >= 2 else Ns > np.inf
    if keep.sum() < 2:
        return float("nan"), float("nan"), int(keep.sum())
    slope, intercept = np.polyfit(1 / Ns[keep], ys[keep], 1)
    return float(intercept), float(slope), int(keep.sum())


def _deficit_error(exact: xr.DataArray, pt: xr.DataArray) -> xr.DataArray:
    deficit = 1 - exact
    return np.abs((1 - pt) - deficit) / np.abs(deficit).where(np.abs(deficit) > 1e-14)


def _fit_variables(fit: Fit, names: dict[str, str], labels: dict[str, str | int]
                   ) -> dict[str, xr.Variable]:
    """Scalar variables of a fit: each parameter in ``names`` (param -> variable), its
    standard error and window spread; the other parameters and the window as attributes."""
    window = {"fit_form": fit.form, "fit_N_min": fit.N_min, "fit_N_max": fit.N_max,
              "fit_rms_relative_residual": fit.rms_relative_residual}
    others = {f"fit_{k}": v for k, v in fit.params.items() if k not in names}
    others.update({f"fit_{k}_stderr": v for k, v in fit.stderr.items() if k not in names})
    out = {}
    for param, name in names.items():
        for suffix, value in (("", fit.params[param]), ("_stderr", fit.stderr[param]),
                              ("_window_spread", fit.window_spread[param])):
            out[name + suffix] = xr.Variable((), value,
                                             {**attrs(name + suffix, **labels), **window, **others})
    return out


#: the fewest N of a fit of the drive at the minimum over the larger half of the N (two per
#: parameter); with fewer, all N are used. The driven Dicke minima to N = 10⁶ (17 N) are
#: fitted over N ≥ 1000: over all N from 20, the corrections at small N pulled d_c to
#: 0.5005 ± 0.0002, where the larger half gives 0.50002 ± 0.00001 (Γ/2 = 0.5)
APPROACH_POINTS = 6

#: fitted form -> (what it fits: the located ξ²_min or the drive there, its parameters
#: stored as variables: param -> variable name)
FORM_VARIABLES = {"power_law": ("xi2_min", {"nu": "nu"}),
                   "log_power": ("xi2_min", {"nu": "nu_log"}),
                   "log_asymptotic": ("xi2_min", {"s": "asymptote_s", "b": "asymptote_b"}),
                   "approach": ("drive_at_min", {"mu": "mu", "d_c": "drive_c_fit"}),
                   "approach_log": ("drive_at_min", {"mu": "mu_log", "d_c": "drive_c_fit_log"})}


def fitted_curve(ds: xr.Dataset, form: str, N: np.ndarray) -> np.ndarray:
    """The fit of ``form`` stored in a scaling dataset (its parameters as variables, the
    others as ``fit_*`` attributes, :func:`minimum_fits`), evaluated at N."""
    function, names, _ = FORMS[form]
    variables = FORM_VARIABLES[form][1]
    first = ds[next(iter(variables.values()))].attrs
    params = [float(ds[variables[name]]) if name in variables else first[f"fit_{name}"]
              for name in names]
    return function(np.asarray(N, dtype=float), *params)


def minimum_fits(minima: xr.Dataset, labels: dict[str, str | int],
                 forms: tuple[str, ...] = ("power_law", "log_power", "approach")
                 ) -> dict[str, xr.Variable]:
    """The model's ``forms`` (:mod:`steadysqueeze.fits`) fitted to the located minima whose
    minimum lies inside the sweep: ξ²_min (e.g. N^-ν, plain and with the (ln N)^(1/3)
    correction) over the larger half of the N (at least 3), and the drive at the minimum
    (→ drive_c + a N^-μ, three parameters) over the larger half too where that holds
    :data:`APPROACH_POINTS` N, else over all of them (at least 4)."""
    inside = minima["minimum_interior"].values > 0
    N = minima["N"].values[inside]
    data = {"xi2_min": minima["xi2_min"].values[inside],
            "drive_at_min": np.abs(minima["drive_at_min"].values[inside])}
    out: dict[str, xr.Variable] = {}
    for form in forms:
        target, names = FORM_VARIABLES[form]
        if target == "xi2_min" and N.size >= 3:
            out.update(_fit_variables(fit_largest(form, N, data[target]), names, labels))
        elif target == "drive_at_min" and N.size >= 4:
            points = N.size // 2 if N.size // 2 >= APPROACH_POINTS else N.size
            out.update(_fit_variables(fit_largest(form, N, data[target], points=points),
                                      names, labels))
    return out


def scaling_dataset(exact: xr.Dataset, pt: xr.Dataset, minima: xr.Dataset, *,
                    model: type[Model], drive: str, order: int,
                    critical_drive: float) -> xr.Dataset:
    """The finite-N scaling dataset of one model (see the module docstring); ``minima``
    holds the located minima of every located N (:mod:`steadysqueeze.optimum`), stored
    along ``N_located``."""
    if set(exact["xi2"].dims) != {"N", drive}:
        raise ValueError(f"scaling needs a study over (N, {drive}); got {exact['xi2'].dims}")
    Ns, d = exact["N"].values, exact[drive].values
    unit = exact[drive].attrs.get("units", "1")
    per_N: dict[str, list[float]] = {k: [] for k in (
        "onset_exact", "onset_pt", "pt_validity_1pct", "pt_validity_10pct")}
    error = _deficit_error(exact["xi2"], pt["xi2"])
    for N in Ns:
        xe, xp = exact["xi2"].sel(N=N).values, pt["xi2"].sel(N=N).values
        per_N["onset_exact"].append(onset_coefficient(d, xe, order))
        per_N["onset_pt"].append(onset_coefficient(d, xp, order))
        # 0/0 where both deficits vanish; where PT did not apply, it is not valid
        err = np.where(np.isnan(xp), np.inf, np.nan_to_num(error.sel(N=N).values, nan=0.0))
        per_N["pt_validity_1pct"].append(first_crossing(d, err, 0.01))
        per_N["pt_validity_10pct"].append(first_crossing(d, err, 0.10))
    onset_units = "1" if unit == "1" else f"{unit}^-{order}"
    labels = {"drive": drive, "order": order, "drive_units": unit, "onset_units": onset_units}
    data = {k: xr.Variable(("N",), np.array(v), attrs(k, **labels)) for k, v in per_N.items()}
    for name in ("xi2_min", "drive_at_min", "minimum_evaluations", "minimum_interior"):
        data[name] = xr.Variable(("N_located",), minima[name].values, attrs(name, **labels))
    point_vars = {
        "xi2_exact": exact["xi2"], "xi2_pt": pt["xi2"], "purity": exact["purity"],
        "entropy": exact["entropy"], "inverse_xi2": 1 / exact["xi2"],
        "qfi_over_N": exact["qfi"] / exact["N"], "pt_deficit_error": error,
    }
    for name, array in point_vars.items():
        data[name] = xr.Variable(("N", drive), array.transpose("N", drive).values, attrs(name))
    data["drive_c_mean_field"] = xr.Variable((), critical_drive,
                                             attrs("drive_c_mean_field", **labels))
    data.update(minimum_fits(minima, labels, model.finite_size_forms))
    scalars = {k: v for k, v in exact.coords.items() if v.ndim == 0}
    located = xr.Variable("N_located", minima["N"].values, {
        **exact["N"].attrs, "long_name": "N of the located minima (the grid's and minima_N)"})
    ds = xr.Dataset(data, coords={"N": exact["N"], drive: exact[drive], "N_located": located,
                                  **scalars})
    intercept, slope, points = extrapolate_inverse_N(Ns, ds["onset_exact"].values)
    meta = attrs("onset_exact", **labels)
    ds["onset_exact_extrapolated"] = xr.Variable((), intercept, {
        "long_name": f"{meta['long_name']}, extrapolated to N -> infinity (linear in 1/N)",
        "units": meta["units"], "fit_slope_in_inverse_N": slope, "fit_points": points})
    ds.attrs.update(drive=drive, order=order, model_name=model.name)
    return ds
