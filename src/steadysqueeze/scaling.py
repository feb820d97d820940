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
           "limit_fits", "critical_gap_fit", "scaling_dataset", "fitted_curve",
           "FORM_VARIABLES", "LIMIT_FITS", "GAP_FIT"]


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


#: fits of ξ²_min against the N = ∞ limit, over the same points (:data:`LIMIT_FIT_SHARE`):
#: name -> (form, the parameter fixed at the Gaussian ξ²_c or at 0, param -> variable)
LIMIT_FITS: dict[str, tuple[str, str | None, dict[str, str]]] = {
    "zero_limit": ("offset_power", "c", {"nu": "nu_zero_limit"}),
    "gaussian_limit": ("offset_power", "c", {"nu": "nu_gaussian_limit"}),
    "free_limit": ("offset_power", None, {"nu": "nu_free_limit", "c": "xi2_limit_free"}),
}
#: share of the located N (the largest) that the limit fits use
LIMIT_FIT_SHARE = 2 / 3


def fitted_curve(ds: xr.Dataset, form: str, N: np.ndarray,
                 variables: dict[str, str] | None = None) -> np.ndarray:
    """The fit of ``form`` stored in a scaling dataset (its parameters as ``variables``,
    param -> variable, default those of :data:`FORM_VARIABLES`; the others as ``fit_*``
    attributes, :func:`minimum_fits`), evaluated at N."""
    function, names, _ = FORMS[form]
    variables = FORM_VARIABLES[form][1] if variables is None else variables
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


def limit_fits(minima: xr.Dataset, xi2_c: float, labels: dict[str, str | int]
               ) -> tuple[dict[str, xr.Variable], str]:
    r"""ξ²_min(N) fitted over the larger :data:`LIMIT_FIT_SHARE` of the located N (interior
    minima) as :math:`c + aN^{-\nu}` with c = 0, with c the Gaussian :math:`\xi^2_c`
    (:mod:`steadysqueeze.gaussian`) and with c free (:data:`LIMIT_FITS`): the variables
    (ν and c with errors and window spreads, each fit's AICc, the preferred fit's ν as
    ``nu_limit`` and its name as ``limit_form``: the lowest AICc among the fits whose c is
    not negative beyond two standard errors) and one sentence saying which limit the data
    support."""
    inside = minima["minimum_interior"].values > 0
    N, y = minima["N"].values[inside], minima["xi2_min"].values[inside]
    points = max(4, int(np.ceil(LIMIT_FIT_SHARE * N.size)))
    if N.size < points or not np.isfinite(xi2_c):
        return {}, "too few located minima (or no Gaussian limit) to compare limits"
    out: dict[str, xr.Variable] = {}
    fits: dict[str, Fit] = {}
    for name, (form, fixed, names) in LIMIT_FITS.items():
        held = {fixed: 0.0 if name == "zero_limit" else xi2_c} if fixed else None
        fit = fits[name] = fit_largest(form, N, y, points=points, fixed=held)
        out.update(_fit_variables(fit, names, labels))
        out[f"aic_{name}"] = xr.Variable((), fit.aic, {
            "long_name": f"Akaike criterion with small-sample correction (AICc) of the "
            f"{name.replace('_', ' ')} fit of xi2_min (relative residuals; lower is better)",
            "units": "1", "fit_N_min": fit.N_min,
            "fit_N_max": fit.N_max})
    chosen = min((k for k in fits if _physical(fits[k])), key=lambda k: fits[k].aic)
    best = fits[chosen]
    out["nu_limit"] = xr.Variable((), best.params["nu"], {
        **attrs("nu_limit", **labels), "fit": chosen, "fit_form": best.form,
        "nu_stderr": best.stderr["nu"], "nu_window_spread": best.window_spread["nu"]})
    out["limit_form"] = xr.Variable((), chosen, {"long_name": "fit of xi2_min the located "
                                                 "minima support best (lowest AICc)"})
    return out, _limit_sentence(fits, chosen, xi2_c)


#: the fit of the gap at the critical drive: form and param -> variable (:func:`fitted_curve`)
GAP_FIT = ("power_law", {"nu": "nu_gap"})


def critical_gap_fit(N: np.ndarray, gap: np.ndarray, labels: dict[str, str | int]
                     ) -> dict[str, xr.Variable]:
    r"""The Liouvillian gap at the mean-field critical drive against N fitted as
    :math:`\Delta_c = a N^{-\nu}` (:data:`GAP_FIT`; relative residuals) over the larger half
    of the N with a finite gap (at least 3; :func:`~steadysqueeze.fits.fit_largest`): ``nu_gap``
    with its standard error and its spread when the window moves by one N, the amplitude
    and the window as attributes. At a continuous dissipative transition the gap closes as
    a power of N (Kessler et al., PRA 86, 012116 (2012)); empty with fewer than three N."""
    N, gap = np.asarray(N, dtype=float), np.asarray(gap, dtype=float)
    finite = np.isfinite(gap) & (gap > 0)
    if finite.sum() < 3:
        return {}
    form, names = GAP_FIT
    return _fit_variables(fit_largest(form, N[finite], gap[finite]), names, labels)


def _physical(fit: Fit) -> bool:
    """A limit c of ξ² that is not negative beyond two standard errors (ξ² ≥ 0; a fixed
    c, such as the Dicke model's ξ²_c = 0 extrapolated to ~1e-8, within 1e-6)."""
    c, error = fit.params["c"], fit.stderr.get("c", 0.0)
    return bool(c + 2 * np.nan_to_num(error) >= -1e-6)


def _limit_sentence(fits: dict[str, Fit], chosen: str, xi2_c: float) -> str:
    """One sentence: which limit ξ²_min approaches and how fast, by the AICc."""
    free, best = fits["free_limit"], fits[chosen]
    others = ", ".join(f"{k.replace('_', ' ')} (AICc {fits[k].aic - best.aic:+.1f}"
                       + ("" if _physical(fits[k]) else ", excluded: c < 0") + ")"
                       for k in fits if k != chosen)
    shown = round(xi2_c, 6) + 0.0   # the Dicke model's ξ²_c = 0 is extrapolated to ~1e-8
    limit = {"zero_limit": "0", "gaussian_limit": f"the Gaussian xi2_c = {shown:.4g}",
             "free_limit": f"c = {free.params['c']:.4f}"}[chosen]
    return (f"xi2_min -> {limit} as N^-{best.params['nu']:.3f} (+- {best.stderr['nu']:.3f}, "
            f"window spread {best.window_spread['nu']:.3f}; N = {best.N_min}-{best.N_max}), "
            f"preferred over {others}; c free: {free.params['c']:.4f} "
            f"+- {free.stderr['c']:.4f}")


def scaling_dataset(exact: xr.Dataset, pt: xr.Dataset, minima: xr.Dataset,
                    limit: xr.Dataset, *, model: type[Model], drive: str,
                    order: int) -> xr.Dataset:
    """The finite-N scaling dataset of one model (see the module docstring); ``minima``
    holds the located minima of every located N (:mod:`steadysqueeze.optimum`), stored
    along ``N_located``; ``limit`` is the study's N = ∞ limit
    (:func:`steadysqueeze.datasets.limit_dataset`: ξ² on the drive grid, the critical
    drive and ξ²_c there)."""
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
    data["drive_c_mean_field"] = xr.Variable((), float(limit["drive_c"]),
                                             attrs("drive_c_mean_field", **labels))
    data["xi2_gaussian"] = xr.Variable((drive,), limit["xi2"].sel({drive: d}).values,
                                       attrs("xi2_gaussian"))
    data["xi2_c"] = xr.Variable((), float(limit["xi2_c"]), attrs("xi2_c", **labels))
    data.update(minimum_fits(minima, labels, model.finite_size_forms))
    fits, conclusion = limit_fits(minima, float(limit["xi2_c"]), labels)
    data.update(fits)
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
    ds.attrs.update(drive=drive, order=order, model_name=model.name,
                    limit_conclusion=conclusion)
    return ds
