"""The approach of the finite-N results to their N = ∞ limit (not in the paper), drawn from
the scaling datasets ``results/scaling/{model}.nc``.

(a) Inside the paramagnetic phase the exact ξ_R² tends to the Gaussian limit as 1/N;
(b) the located minimum ξ²_min(N) tends to ξ²_c, the Gaussian limit at the critical
drive, as a power of N; (c) the drive of the minimum tends to the mean-field critical
drive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from ..scaling import LIMIT_FITS, fitted_curve
from .registry import FigureSpec, register
from .style import COLOURS, drive_scale, fixed_parameters, log_log, n_colours, value_pm

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_approach", "paramagnetic_drives"]

#: fractions of the critical drive at which panel (a) follows ξ²(N)
FRACTIONS = (0.25, 0.5, 0.75)


def paramagnetic_drives(ds: xr.Dataset) -> np.ndarray:
    """Grid drives nearest :data:`FRACTIONS` of the critical drive (distinct, non-zero,
    with a finite N = ∞ value)."""
    drive = ds.attrs["drive"]
    grid = ds[drive].values
    usable = grid[(grid != 0) & np.isfinite(ds["xi2_gaussian"].values)]
    critical = float(ds["drive_c_mean_field"])
    if not np.isfinite(critical) or usable.size == 0:
        return usable[:3]
    chosen = [usable[np.argmin(np.abs(usable - f * critical))] for f in FRACTIONS]
    return np.unique(chosen)


def _inverse_N_panel(ax: Axes, ds: xr.Dataset) -> None:
    """|ξ²(N) − ξ²_∞| at fixed paramagnetic drives, log–log, with a 1/N guide."""
    drive = ds.attrs["drive"]
    factor, label = drive_scale(ds, drive)
    Ns = ds["N"].values
    for colour, d in zip(COLOURS, paramagnetic_drives(ds)):
        gap = np.abs(ds["xi2_exact"].sel({drive: d}) - ds["xi2_gaussian"].sel({drive: d}))
        ax.plot(Ns, gap, "o-", color=colour, markersize=3.5, label=f"{label} = {factor * d:.3g}")
        ax.plot(Ns, float(gap.isel(N=-1)) * Ns[-1] / Ns, color=colour, linestyle=":",
                linewidth=0.9)
    ax.plot([], [], color="0.3", linestyle=":", label=r"$\propto 1/N$")
    ax.set(xlabel="$N$", ylabel=r"$|\xi_R^2(N) - \xi^2_{R,\infty}|$",
           title="(a) paramagnetic phase")
    ax.legend(frameon=False, fontsize=7)
    log_log(ax, Ns)


def _minimum_panel(ax: Axes, ds: xr.Dataset) -> None:
    """ξ²_min(N) − ξ²_c, log–log, with the fit whose c is the Gaussian ξ²_c."""
    xi2_c = float(ds["xi2_c"])
    inside = ds["minimum_interior"].values > 0
    N = ds["N_located"].values[inside]
    excess = ds["xi2_min"].values[inside] - xi2_c
    colours = n_colours(N)
    ax.scatter(N, excess, c=colours, s=16, zorder=3, label=r"located minima")
    variables = LIMIT_FITS["gaussian_limit"][2]
    if variables["nu"] in ds:
        fit_N = np.geomspace(N.min(), N.max(), 100)
        nu = ds[variables["nu"]]
        ax.plot(fit_N, fitted_curve(ds, "offset_power", fit_N, variables) - xi2_c, color="k",
                linewidth=1.0, label=rf"$a N^{{-\nu}}$, $\nu = "
                rf"{value_pm(float(nu), float(ds[variables['nu'] + '_stderr']))}$")
    ax.set(xlabel="$N$", ylabel=rf"$\xi^2_{{R,\min}}(N) - \xi^2_c$, $\xi^2_c = {xi2_c:.4g}$",
           title="(b) minimum against its limit")
    ax.legend(frameon=False, fontsize=7)
    if np.all(excess > 0):
        log_log(ax, N)


def _drive_panel(ax: Axes, ds: xr.Dataset) -> None:
    """d_c − d*(N) (the drive of the minimum against the mean-field critical drive)."""
    drive = ds.attrs["drive"]
    factor, label = drive_scale(ds, drive)
    critical = float(ds["drive_c_mean_field"])
    inside = ds["minimum_interior"].values > 0
    N = ds["N_located"].values[inside]
    distance = factor * np.abs(critical - np.abs(ds["drive_at_min"].values[inside]))
    ax.scatter(N, distance, c=n_colours(N), s=16, zorder=3)
    if "mu" in ds:
        fit_N = np.geomspace(N.min(), N.max(), 100)
        fitted = np.abs(critical - fitted_curve(ds, "approach", fit_N))
        ax.plot(fit_N, factor * fitted, color="k", linewidth=1.0,
                label=rf"$d_c - d^*$ of $d^* = d_c' + a N^{{-\mu}}$, $\mu = "
                      rf"{value_pm(float(ds['mu']), float(ds['mu_stderr']))}$")
        ax.legend(frameon=False, fontsize=7)
    ax.set(xlabel="$N$", ylabel=rf"$|d_c - d^*(N)|$ in units of {label}",
           title=f"(c) drive of the minimum: {label} at $d_c$ = {factor * critical:.6g}")
    if np.all(distance > 0):
        log_log(ax, N)


def draw_approach(data: Mapping[str, xr.Dataset]) -> Figure:
    """The finite-N results against their N = ∞ limit (module docstring).

    Parameters
    ----------
    data
        ``scaling``: the model's ``results/scaling/{model}.nc`` (with ``xi2_gaussian``,
        ``xi2_c``, the limit fits and the located minima).

    Returns
    -------
    Figure
        Three panels, log–log against N.
    """
    ds = data["scaling"]
    fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.3), constrained_layout=True)
    _inverse_N_panel(axes[0], ds)
    if np.isfinite(float(ds["xi2_c"])):
        _minimum_panel(axes[1], ds)
    if np.isfinite(float(ds["drive_c_mean_field"])):
        _drive_panel(axes[2], ds)
    fixed = fixed_parameters(ds)
    fig.suptitle(f"model {ds.attrs['model_name']}" + (f": {fixed}" if fixed else "")
                 + " — approach to N = ∞")
    return fig


register(FigureSpec(
    name="approach", draw=draw_approach, source="scaling", category="Finite-N scaling",
    message="finite-N results against their N = infinity limit",
    caption="""
    **The approach to the thermodynamic limit** (new) — model ``{model}``, study
    ``{study}``: N = {N}, {fixed} (units of the decay rate). The N = ∞ reference is the
    mean-field steady state with Gaussian fluctuations about it (the Lyapunov equation of
    the linearised dynamics), computed from the model alone.

    **(a)** \\|ξ_R²(N) − ξ_R²(∞)\\| at three drives inside the paramagnetic phase (near a
    quarter, a half and three quarters of the critical drive), log–log, with 1/N guides
    (dotted) through the largest N. **(b)** The located minimum of the exact ξ_R² minus
    ξ²_c, the limit of the N = ∞ ξ_R² as the drive approaches the critical drive from the
    paramagnetic side, with the fit ξ²_min = ξ²_c + a N^−ν (ξ²_c fixed). **(c)** The
    distance of the drive of the minimum from the mean-field critical drive (root-found),
    with the fit d* = d_c' + a N^−μ.

    **What to look for:** 1/N convergence in the paramagnetic phase; whether the minima
    converge to ξ²_c (3 dB, ξ²_c = 1/2, for the parametric instabilities of xyz and tfi; 0
    for the driven Dicke model) and how fast; the minimum's drive closing in on the
    transition.
    """))
