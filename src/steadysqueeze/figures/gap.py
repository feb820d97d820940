"""The Liouvillian gap through the transition (issue 24; not in the paper), drawn from a
scaling study with the ``gap:`` option: ``results/gap/{study}.nc`` beside the study's N = ∞
dataset and the model's scaling dataset.

(a) The exact gap of the permutation-invariant sector against the drive, one colour per N
(dashed: the gap of the even sector of M − M', where the gap is the odd sector's), with
the N = ∞ gap of the linearised mean-field dynamics (Gaussian theory), the mean-field
transition and, on each N's curve, the drive of that N's located minimum of ξ_R²;
(b) the gap at the mean-field critical drive against N, log–log, with its power-law fit
(:func:`steadysqueeze.scaling.critical_gap_fit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np

from ..scaling import GAP_FIT, fitted_curve
from .registry import FigureSpec, register
from .style import (LIMIT_LABEL, LIMIT_STYLE, MEAN_FIELD_STYLE, drive_scale, fixed_parameters,
                    log_log, n_colours, plot_limit, value_pm)

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_gap"]

#: marker of the drive of the located minimum of ξ_R², and of the gap at the critical drive
MINIMUM_MARKER: dict[str, Any] = {"marker": "v", "markersize": 6, "markeredgecolor": "k",
                                  "markeredgewidth": 0.6, "linestyle": "none", "zorder": 5}
CRITICAL_MARKER: dict[str, Any] = {"marker": "s", "markersize": 4.5, "linestyle": "none",
                                   "zorder": 4}
#: the gap of the even sector (which holds the steady state), where the gap is another's
EVEN_STYLE: dict[str, Any] = {"linestyle": "--", "linewidth": 0.9}


def _rate_label(ds: xr.Dataset, symbol: str) -> str:
    """``symbol / rate``: the gap in units of the decay rate (γ or Γ)."""
    return rf"{symbol} / $\{ds['gap'].attrs['units']}$"


def _colours(ds: xr.Dataset) -> dict[int, Any]:
    """One colour per N of the dataset (the sub-grid's and those at the critical drive)."""
    Ns = np.union1d(ds["N"].values, ds["N_critical"].values if "N_critical" in ds else [])
    return dict(zip(Ns.astype(int).tolist(), n_colours(Ns)))


def _mark_minimum(ax: Axes, x: np.ndarray, gap: np.ndarray, drive_at_min: float,
                  colour: Any) -> None:
    """The drive of the located ξ_R² minimum on one N's gap curve (placed on the curve by
    linear interpolation between the grid's drives; none outside them)."""
    order = np.argsort(x)
    if x.min() <= drive_at_min <= x.max():
        ax.plot(drive_at_min, np.interp(drive_at_min, x[order], gap[order]), color=colour,
                **MINIMUM_MARKER)


def _drive_panel(ax: Axes, ds: xr.Dataset, limit: xr.Dataset, scaling: xr.Dataset,
                 colours: dict[int, Any]) -> None:
    """(a) The gap against the drive for every N of the sub-grid, the N = ∞ gap, the
    mean-field transition, the minima of ξ_R² and the gap at the critical drive."""
    drive = scaling.attrs["drive"]
    factor, xlabel = drive_scale(ds, drive)
    x = factor * ds[drive].values
    critical = factor * float(ds["drive_c"]) if "drive_c" in ds else np.nan
    located = set(scaling["N_located"].values.tolist())
    even = ds["gap_by_sector"].sel(sector="even")
    with_even = bool(np.isfinite(even).any()) and not np.allclose(even, ds["gap"])
    for N in ds["N"].values.tolist():
        gap = ds["gap"].sel(N=N).values
        ax.plot(x, gap, "o-", color=colours[N], markersize=3, label=f"$N = {N}$")
        if with_even:
            ax.plot(x, even.sel(N=N).values, color=colours[N], **EVEN_STYLE)
        if N in located:
            _mark_minimum(ax, x, gap, factor * float(scaling["drive_at_min"].sel(N_located=N)),
                          colours[N])
    handles, labels = ax.get_legend_handles_labels()
    if with_even:
        handles.append(plt.Line2D([], [], color="0.4", **EVEN_STYLE))
        labels.append("even sector of $M - M'$")
    handles.append(plt.Line2D([], [], color="0.6", **MINIMUM_MARKER))
    labels.append(r"drive of the $\xi_R^2$ minimum")
    if "gap_critical" in ds and np.isfinite(critical):
        for N in ds["N_critical"].values.tolist():
            ax.plot(critical, float(ds["gap_critical"].sel(N_critical=N)), color=colours[N],
                    **CRITICAL_MARKER)
        ax.axvline(critical, **MEAN_FIELD_STYLE)
        handles += [plt.Line2D([], [], color="0.6", **CRITICAL_MARKER),
                    plt.Line2D([], [], **MEAN_FIELD_STYLE)]
        labels += ["at the critical drive (every N)",
                   f"mean-field transition, {xlabel} = {critical:.4g}"]
    plot_limit(ax, factor * limit[drive].values, limit["gap"].values, critical, color="k")
    handles.append(plt.Line2D([], [], color="k", **LIMIT_STYLE))
    labels.append(LIMIT_LABEL)
    ax.set(xlabel=xlabel, ylabel=_rate_label(ds, r"Liouvillian gap $\Delta$"),
           title="(a) gap through the transition")
    log_log(ax, x=False)
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False,
              fontsize=7, ncol=3)


def _critical_panel(ax: Axes, ds: xr.Dataset, colours: dict[int, Any]) -> None:
    """(b) The gap at the critical drive against N, log–log, with its power-law fit."""
    N = ds["N_critical"].values
    gap = ds["gap_critical"].values
    ax.scatter(N, gap, c=[colours[n] for n in N.tolist()], marker="s", s=18, zorder=3,
               label=r"$\Delta(d_c)$, exact")
    form, names = GAP_FIT
    if names["nu"] in ds:
        nu = ds[names["nu"]]
        fit_N = np.geomspace(N.min(), N.max(), 100)
        ax.plot(fit_N, fitted_curve(ds, form, fit_N, names), color="k", linewidth=1.0,
                label=rf"$a N^{{-\nu}}$, $\nu = {value_pm(float(nu), float(ds['nu_gap_stderr']))}$"
                      f" (N = {nu.attrs['fit_N_min']}–{nu.attrs['fit_N_max']})")
    ax.set(xlabel="$N$", ylabel=_rate_label(ds, r"$\Delta(d_c)$"),
           title="(b) gap at the critical drive")
    ax.legend(frameon=False, fontsize=7)
    if np.all(gap[np.isfinite(gap)] > 0):
        log_log(ax, N)


def draw_gap(data: Mapping[str, xr.Dataset]) -> Figure:
    """The Liouvillian gap through the transition and at the critical drive (module
    docstring).

    Parameters
    ----------
    data
        ``gap``: the scaling study's ``results/gap/{study}.nc``; ``gaussian``: its N = ∞
        dataset (the gap of the linearised dynamics); ``scaling``: the model's
        ``results/scaling/{model}.nc`` (the located minima of ξ_R²).

    Returns
    -------
    Figure
        Panel (a), and panel (b) where the gap at the critical drive depends on N alone.
    """
    ds, limit, scaling = data["gap"], data["gaussian"], data["scaling"]
    colours = _colours(ds)
    with_critical = "gap_critical" in ds and ds["gap_critical"].dims == ("N_critical",)
    fig, axes = plt.subplots(1, 2 if with_critical else 1, squeeze=False,
                             figsize=(10.0 if with_critical else 6.2, 4.4),
                             width_ratios=[1.6, 1] if with_critical else [1],
                             constrained_layout=True)
    _drive_panel(axes[0, 0], ds, limit, scaling, colours)
    if with_critical:
        _critical_panel(axes[0, 1], ds, colours)
    fixed = fixed_parameters(ds)
    fig.suptitle(f"model {scaling.attrs['model_name']}" + (f": {fixed}" if fixed else "")
                 + " — Liouvillian gap (permutation-invariant sector)")
    return fig


register(FigureSpec(
    name="gap", draw=draw_gap, source="scaling", study_roles=frozenset({"gap", "gaussian"}),
    category="Finite-N scaling", message="the Liouvillian gap through the transition",
    caption="""
    **The Liouvillian gap through the transition** (new) — model ``{model}``, study
    ``{study}``: {fixed} (units of the decay rate). The gap Δ is the smallest \\|Re λ\\|
    among the eigenvalues λ ≠ 0 of the Liouvillian on the permutation-invariant operators
    (the sector a permutation-invariant state never leaves; the full 4^N-dimensional
    Liouvillian has more eigenvalues), found by shift-invert Arnoldi per parity sector of
    M − M'.

    **(a)** Δ against the drive, one colour per N (log scale; dashed: the smallest
    \\|Re λ\\| of the even sector of M − M', which holds the steady state, where Δ is the
    odd sector's), the N = ∞ gap of the
    linearised mean-field dynamics (dash-dotted: about the paramagnet, then about either
    ordered branch), the mean-field transition (dotted), the gap at the mean-field critical
    drive (squares, also at N beyond the drive grid) and the drive of each N's located
    minimum of the exact ξ_R² (triangles, placed on the curve by linear interpolation).
    **(b)** Δ at the critical drive against N, log–log, with the fit Δ = a N^−ν over the
    larger half of the N.

    **What to look for:** whether the gap closes at the transition as a power of N; in
    the ordered phase the odd-sector gap, the tunnelling between the two symmetry-broken
    states, closing exponentially in N, while the N = ∞ gap about one branch stays
    finite; where the minimum of ξ_R² sits relative to the smallest gap.
    """))
