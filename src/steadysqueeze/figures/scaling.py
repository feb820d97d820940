"""Finite-N figures (not in the paper), drawn from the scaling datasets.

``results/scaling/{model}.nc`` (:mod:`steadysqueeze.scaling`) holds, per N, the onset
of squeezing and the range of validity of perturbation theory; per ``N_located`` (the
grid's N and any ``minima_N`` beyond it) the located minimum of the exact squeezing (with
fits over N); and per drive the entropy and purity of
the exact steady state, ξ_R⁻² and QFI/N. ξ_R² through the transition is drawn in
:mod:`.transition`.
"""

from __future__ import annotations

import textwrap

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from ..scaling import LIMIT_FITS, fitted_curve
from .registry import FigureSpec, register
from .style import (COLOURS, LIMIT_STYLE, MEAN_FIELD_STYLE, PT_STYLE, drive_scale,
                    fixed_parameters, log_log, n_axis, n_colours, value_pm)

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_scaling", "draw_minimal_uncertainty"]

CATEGORY = "Finite-N scaling"


def _onset_panel(ax: Axes, ds: xr.Dataset) -> None:
    """(a) Onset coefficient of squeezing (Eq. 30; Eq. 70 for the Dicke drive) vs 1/N."""
    drive, order = ds.attrs["drive"], int(ds.attrs["order"])
    inv = 1 / ds["N"].values
    ax.plot(inv, ds["onset_exact"], "o", color=COLOURS[0], label="exact")
    ax.plot(inv, ds["onset_pt"], color=COLOURS[2], label="perturbation theory", **PT_STYLE)
    ax.plot(0, float(ds["onset_exact_extrapolated"]), "s", color=COLOURS[0], mfc="none",
            label=r"exact, extrapolated $N\to\infty$")
    power = "" if order == 1 else f"^{order}"
    unit = ds[drive].attrs.get("units", "1")
    unit = "" if unit == "1" else rf" / $\{unit}^{{-{order}}}$"
    ax.set(xlabel="$1/N$", title="(a) onset of squeezing",
           ylabel=rf"$\lim\,(1-\xi_R^2)/|{ds[drive].attrs.get('latex', drive)}|{power}$" + unit)
    ax.ticklabel_format(axis="y", useOffset=False)
    onsets = np.concatenate([ds["onset_exact"].values, ds["onset_pt"].values])
    centre = float(np.mean(onsets))
    if np.ptp(onsets) < 1e-3 * abs(centre):  # agreement below the plot's resolution
        ax.set_ylim(0.99 * centre, 1.01 * centre)
    ax.legend(frameon=False)


def _fit_label(ds: xr.Dataset, name: str, symbol: str) -> str:
    """``symbol = value ± stderr`` of fitted variable ``name``, the window spread in square
    brackets, and a warning where the standard error exceeds the value."""
    value, error = float(ds[name]), float(ds.get(name + "_stderr", np.nan))
    spread = float(ds.get(name + "_window_spread", np.nan))
    return (f"${symbol} = {value_pm(value, error)}$"
            + (f" [{spread:.2g}]" if np.isfinite(spread) and spread > 0 else "")
            + (" (unconstrained)" if error > abs(value) else ""))


def _legend_below(ax: Axes) -> None:
    """The legend of a fit panel, under its x axis (the points span the whole panel)."""
    ax.legend(frameon=False, fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16))


def _minima_points(ax: Axes, Ns: np.ndarray, y: np.ndarray, inside: np.ndarray,
                   label: str) -> None:
    """Located minima against N: filled inside the sweep, hollow at its end."""
    if inside.any():
        ax.plot(Ns[inside], y[inside], "o", color=COLOURS[0], label=label)
    if not inside.all():
        ax.plot(Ns[~inside], y[~inside], "o", color=COLOURS[0], mfc="white",
                label="at the sweep end (bound)")


def _limit_fit(ax: Axes, ds: xr.Dataset, grid: np.ndarray) -> None:
    """The N = ∞ value at the transition, ξ²_c (dash-dotted), the fit ξ²_c + a N^−ν, and
    the sentence saying which limit the minima support (:func:`~steadysqueeze.scaling.
    limit_fits`)."""
    xi2_c = float(ds["xi2_c"]) if "xi2_c" in ds else float("nan")
    if not np.isfinite(xi2_c):
        return
    if xi2_c > 0:
        ax.axhline(xi2_c, color="k", **LIMIT_STYLE,
                   label=rf"$\xi^2_c = {xi2_c:.4g}$: $N = \infty$ at the transition")
    variables = LIMIT_FITS["gaussian_limit"][2]
    if variables["nu"] in ds:
        ax.plot(grid, fitted_curve(ds, "offset_power", grid, variables), color=COLOURS[3],
                linewidth=1.0, label=r"$\xi^2_c + a N^{-\nu}$: "
                + _fit_label(ds, variables["nu"], r"\nu"))
    conclusion = ds.attrs.get("limit_conclusion")
    if conclusion:
        ax.plot([], [], " ", label=textwrap.fill(conclusion, 70))


def _xi2_min_panel(ax: Axes, ds: xr.Dataset) -> None:
    """(b) Deepest exact squeezing against N, log–log, with the fitted power laws."""
    Ns, inside = ds["N_located"].values, ds["minimum_interior"].values > 0
    _minima_points(ax, Ns, ds["xi2_min"].values, inside, r"located minimum $\xi^2_{\min}$")
    grid = np.geomspace(Ns.min(), Ns.max(), 60)
    for name, form, colour, latex in (("nu", "power_law", COLOURS[1], r"a N^{-\nu}"),
                                      ("nu_log", "log_power", COLOURS[2],
                                       r"a N^{-\nu}(\ln N)^{1/3}")):
        if name not in ds:
            continue
        attrs = ds[name].attrs
        ax.plot(grid, fitted_curve(ds, form, grid), color=colour, linewidth=1.0,
                label=f"${latex}$: " + _fit_label(ds, name, r"\nu"))
        window = f"fits over $N = {attrs['fit_N_min']}$–${attrs['fit_N_max']}$"
    if "asymptote_b" in ds:  # the exact large-N driven-Dicke steady state
        fitted = [_fit_label(ds, name, symbol) for name, symbol in
                  (("asymptote_s", "s"), ("asymptote_b", "b"))]
        curve = fitted_curve(ds, "log_asymptotic", grid)
        ax.plot(grid, np.where(curve > 0, curve, np.nan), color="0.6", linewidth=0.8,
                label=r"$[s(\ln N + \ln\ln N + b)/N]^{1/3}$: " + ", ".join(fitted))
    _limit_fit(ax, ds, grid)
    if "nu" in ds:
        ax.plot([], [], " ", label=window + " [window spread]")
    else:
        ax.plot([], [], " ", label="too few interior minima to fit")
    ax.set(xlabel="$N$", ylabel=r"$\xi^2_{\min}$ (exact)", title="(b) deepest squeezing")
    log_log(ax, Ns)
    _legend_below(ax)


def _approach_panel(ax: Axes, ds: xr.Dataset) -> None:
    """(c) Distance of the minimum from the mean-field transition, 1 − d*/d_c, log–log."""
    drive = ds.attrs["drive"]
    latex = ds[drive].attrs.get("latex", drive)
    unit = ds[drive].attrs.get("units", "1")
    unit = "" if unit == "1" else rf"\,\{unit}"
    star, d_c = "{%s}^*" % latex, rf"({latex})_c" if "_" in latex else f"{latex}_c"
    Ns, inside = ds["N_located"].values, ds["minimum_interior"].values > 0
    critical = float(ds["drive_c_mean_field"])
    gap = 1 - np.abs(ds["drive_at_min"].values) / critical
    positive = gap > 0
    _minima_points(ax, Ns[positive], gap[positive], inside[positive], "located minima")
    grid = np.geomspace(Ns.min(), Ns.max(), 60)
    forms = (("mu", "drive_c_fit", "approach", r"N^{-\mu}", COLOURS[1]),
             ("mu_log", "drive_c_fit_log", "approach_log", r"(\ln N/N)^{\mu}", COLOURS[2]))
    for mu, fitted_c, form, latex, colour in forms:
        if mu not in ds:
            continue
        fit_gap = 1 - fitted_curve(ds, form, grid) / critical
        fitted = value_pm(float(ds[fitted_c]), float(ds[f"{fitted_c}_stderr"]))
        ax.plot(grid, np.where(fit_gap > 0, fit_gap, np.nan), color=colour, linewidth=1.0,
                label=rf"${star} = {d_c} + a {latex}$: " + _fit_label(ds, mu, r"\mu")
                + rf", ${d_c} = {fitted}{unit}$")
    if "mu" not in ds:
        ax.plot([], [], " ", label="too few interior minima to fit")
    ax.plot([], [], " ", label=rf"${d_c}^{{\rm MF}} = {critical:.4g}{unit}$ (mean field)")
    if (~positive).any():
        ax.plot([], [], " ", label=f"{(~positive).sum()} N with the minimum past mean field")
    ax.set(xlabel="$N$", ylabel=rf"$1 - |{star}|/{d_c}^{{\rm MF}}$",
           title="(c) approach of the minimum to the transition")
    if positive.any():
        log_log(ax, Ns)
    _legend_below(ax)


def _validity_panel(ax: Axes, ds: xr.Dataset) -> None:
    """(d) Drive up to which the PT squeezing deficit is within 1 % and 10 % of exact."""
    Ns = ds["N"].values
    factor, xlabel = drive_scale(ds, ds.attrs["drive"])
    sweep_end = factor * float(np.abs(ds[ds.attrs["drive"]]).max())
    for colour, (key, marker, text) in zip(COLOURS, (("pt_validity_1pct", "o", "1 %"),
                                                     ("pt_validity_10pct", "s", "10 %"))):
        values = factor * ds[key].values
        beyond = np.isinf(values)
        ax.plot(Ns, np.where(beyond, np.nan, values), marker + "-", color=colour,
                label=f"PT deficit off by {text}")
        if beyond.any():  # PT within the threshold over the whole sweep
            ax.plot(Ns[beyond], np.full(beyond.sum(), sweep_end), "^", color=colour, mfc="none",
                    label=f"{text}: not reached up to the sweep end")
    if Ns.max() > 10 * Ns.min():
        n_axis(ax, Ns)
    ax.set(xlabel="$N$", ylabel=f"validity range of PT, {xlabel}",
           title="(d) range of validity of perturbation theory")
    ax.legend(frameon=False, loc="best", fontsize=7)  # the least covered corner


def _state_panel(ax: Axes, ds: xr.Dataset, name: str, ylabel: str, title: str) -> None:
    """Exact steady-state quantity ``name`` against the drive, one colour per N, with the
    mean-field transition dotted."""
    drive = ds.attrs["drive"]
    factor, xlabel = drive_scale(ds, drive)
    Ns = ds["N"].values
    for colour, N in zip(n_colours(Ns), Ns):
        ax.plot(factor * ds[drive], ds[name].sel(N=N), color=colour, label=f"$N = {N}$")
    critical = factor * float(ds["drive_c_mean_field"])
    if critical <= 1.5 * float(np.abs(factor * ds[drive]).max()):
        ax.axvline(critical, **MEAN_FIELD_STYLE, label="mean-field transition")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)


def draw_scaling(data: Mapping[str, xr.Dataset]) -> Figure:
    """Finite-N scaling of one model: onset, deepest squeezing, approach to the transition,
    PT validity, entropy and purity.

    Parameters
    ----------
    data
        ``scaling``: the model's ``results/scaling/{model}.nc``; the fits (``nu``,
        ``nu_log``, ``mu``, ``drive_c_fit``) and ``asymptote_b`` are drawn if present.

    Returns
    -------
    Figure
        Six panels (a)–(f) on a 2 × 3 grid.
    """
    ds = data["scaling"]
    fig, axes = plt.subplots(2, 3, figsize=(11.0, 7.6), constrained_layout=True)
    _onset_panel(axes[0, 0], ds)
    _xi2_min_panel(axes[0, 1], ds)
    _approach_panel(axes[0, 2], ds)
    _validity_panel(axes[1, 0], ds)
    _state_panel(axes[1, 1], ds, "entropy", "von Neumann entropy / nat",
                 "(e) entropy of the exact steady state")
    _state_panel(axes[1, 2], ds, "purity", r"purity Tr$\,\rho^2$",
                 "(f) purity of the exact steady state")
    log_log(axes[1, 2], x=False)
    axes[1, 2].legend(frameon=False, fontsize=6.5, ncol=2 if ds.sizes["N"] > 4 else 1,
                      loc="lower left")
    fixed = fixed_parameters(ds)
    fig.suptitle(f"finite-N scaling, model {ds.attrs['model_name']}"
                 + (f": {fixed}" if fixed else ""))
    return fig


register(FigureSpec(
    name="scaling", draw=draw_scaling, source="scaling", category=CATEGORY,
    message="finite-N scaling",
    caption="""
    **Finite-N scaling** (new; not in the paper) — model ``{model}``, study ``{study}``:
    N = {N}. **(a)** Onset coefficient lim (1 − ξ_R²) / abs(drive)^p (p = 1 for
    the two-emitter drives of xyz and tfi, Eq. 30; p = 2 for the Rabi drive of the Dicke model,
    Eq. 70), exact (Richardson-extrapolated from the two smallest drives) and perturbative,
    against 1/N, with a linear extrapolation to N → ∞. **(b)** Located minimum ξ²_min of the
    exact ξ_R² over the drive (bounded minimisation on exact solves; hollow: at the end of the
    sweep, a bound only) against N, log–log, with the fits a N^−ν and a N^−ν (ln N)^1/3 over
    the largest N whose minimum is inside the sweep (exponent ± standard error; in square
    brackets the spread as the fit window moves by one N); for the Dicke model, where
    available, the large-N asymptote [(3/2)(ln N + ln ln N + b)/N]^1/3 of the exact steady
    state (grey); dash-dotted, ξ²_c, the N = ∞ ξ_R² at the mean-field transition approached
    from the paramagnetic side (1/2 for xyz and tfi, 0 for dicke), with the fit
    ξ²_c + a N^−ν, and in the legend the sentence saying which limit the located minima
    support (c = 0, c = ξ²_c or c free, compared by the small-sample Akaike criterion AICc
    over the same N).
    **(c)** Distance 1 − d*/d_c of the drive d* at the minimum from the mean-field critical
    drive d_c, log–log, with the fit d* = d_c + a N^−μ (exponent ± standard error, and the
    fitted d_c against the mean-field one); for the Dicke model also d* = d_c + a (ln N/N)^μ,
    the logarithm its located minima show far beyond the grid (the study's minima_N,
    located from the O(N) diagonals of the closed-form steady state). Fits are left out where too few N have their
    minimum inside the sweep. **(d)** Range of validity of perturbation theory: the drive at
    which the perturbative squeezing deficit 1 − ξ² differs from the exact one by 1 % and
    10 %. **(e)** Von Neumann entropy and **(f)** purity (log scale) of the exact steady state
    (PIQS degeneracy weights) versus the drive, one colour per N; dotted: the mean-field
    transition.

    **What to look for:** ν and μ stable against the fit window; the fitted d_c close to the
    mean-field value; whether the range of validity of perturbation theory shrinks with N; the
    entropy staying small (subextensive) in the squeezed regime and growing past the transition.
    """))


def draw_minimal_uncertainty(data: Mapping[str, xr.Dataset]) -> Figure:
    """The bound ξ_R⁻² ≤ QFI/N (Eq. 21), with equality for minimal-uncertainty states.

    Parameters
    ----------
    data
        One scaling dataset per model, keyed by model name.

    Returns
    -------
    Figure
        One panel per model: QFI/N against ξ_R⁻², log–log (past the transition both
        fall by orders of magnitude), one curve per N, the diagonal, and ξ_R² = 1.
    """
    fig, axes = plt.subplots(1, len(data), figsize=(3.4 * len(data), 3.6),
                             constrained_layout=True, squeeze=False)
    for ax, (model, ds) in zip(axes[0], data.items()):
        Ns = ds["N"].values
        for colour, N in zip(n_colours(Ns), Ns):
            x, y = ds["inverse_xi2"].sel(N=N), ds["qfi_over_N"].sel(N=N)
            keep = (x > 0) & (y > 0)
            ax.plot(x[keep], y[keep], ".-", color=colour, markersize=3, linewidth=0.8,
                    label=f"$N = {N}$")
        values = np.concatenate([ds["inverse_xi2"].values.ravel(), ds["qfi_over_N"].values.ravel()])
        values = values[values > 0]
        ends = [float(values.min()) / 1.2, float(values.max()) * 1.2]
        ax.plot(ends, ends, "k--", linewidth=1.0, label=r"$\xi_R^{-2} = $ QFI$/N$")
        ax.axvline(1.0, color="0.5", linewidth=0.8)
        ax.set(xlabel=r"$\xi_R^{-2}$ (squeezed: $> 1$)", ylabel="QFI$/N$",
               title=f"model {model}", xlim=ends, ylim=ends)
        log_log(ax)
        ax.legend(frameon=False, fontsize=6, ncol=2, loc="lower right")  # below the bound
    fig.suptitle("minimal uncertainty (Eq. 21): points on the diagonal saturate the bound")
    return fig


register(FigureSpec(
    name="minimal_uncertainty", draw=draw_minimal_uncertainty, source="all_scaling",
    category=CATEGORY, group=None, message="minimal-uncertainty check (Eq. 21)",
    caption="""
    **Minimal uncertainty** (new; paper Eqs. 20–21, 33, 71) — for every model of the
    finite-N studies ({models}) and every N, QFI/N of the anti-squeezed component against
    ξ_R⁻², one point per drive value, log–log (grey: ξ_R² = 1; squeezed states to its
    right). The bound ξ_R⁻² ≤ QFI/N holds for every state; equality (dashed diagonal) marks a
    minimal-uncertainty state, for which squeezing is the optimal metrological resource.

    **What to look for:** points on the diagonal at weak drive (the perturbative regime), and
    where they leave it as the steady state becomes mixed past the transition (to the left
    of the grey line, where both quantities fall).
    """))
