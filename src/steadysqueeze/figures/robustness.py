"""Robustness of steady-state squeezing to dissipation the paper leaves out (declared models).

Top row: the driven Dicke model (Eq. 62) with collective emission plus local emission γ
on every emitter, as in free-space driven ensembles (related work: Leppenen & Shahmoon,
arXiv:2404.02134). Bottom row: the XYZ model (Eqs. 35–38) with local dephasing γ_φ next
to local emission. Per row: the located minimum of ξ² over the drive against the added
rate over decades, one curve per N, with its N = ∞ bound; the crossover rate γ*(N)
(:mod:`steadysqueeze.crossover`) against N with its power law; ξ² against the drive at
a few rates on a fine drive grid, with the mean-field bistable ranges shaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from ..crossover import crossover_fit, crossover_rates
from .registry import FigureSpec, register
from .style import (COLOURS, EXACT_STYLE, LIMIT_LABEL, LIMIT_STYLE, axis_label, drive_scale,
                    log_log, n_colours, value_pm)

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_robustness"]

#: where rate 0 is drawn on a log axis, as a fraction of the smallest non-zero rate
ZERO_POSITION = 0.25
BISTABLE_COLOUR = "0.85"


def _relative_rate(ds: xr.Dataset, rate: str, unit: str) -> tuple[np.ndarray, str]:
    """The values of a swept rate in units of the fixed rate ``unit`` (a scalar
    coordinate, 1 if absent), and the symbol of the ratio."""
    scale = float(ds[unit]) if unit in ds.coords else 1.0
    symbol = f"{ds[rate].attrs.get('latex', rate)}/{ds[unit].attrs.get('latex', unit)}" \
        if unit in ds.coords else ds[rate].attrs.get("latex", rate)
    return ds[rate].values / scale, symbol


def _log_positions(ratios: np.ndarray) -> tuple[np.ndarray, float]:
    """Positions on a log axis: rate 0 at :data:`ZERO_POSITION` of the smallest non-zero
    rate (labelled 0 by :func:`_zero_tick`), and that position."""
    zero = ZERO_POSITION * ratios[ratios > 0].min()
    return np.where(ratios > 0, ratios, zero), zero


def _zero_tick(ax: Axes, ratios: np.ndarray, zero: float) -> None:
    """Decade ticks on a log x axis, and rate 0 at ``zero``, labelled 0 and set apart by
    a dashed line."""
    positive = ratios[ratios > 0]
    decades = 10.0 ** np.arange(np.floor(np.log10(positive.min())),
                                np.ceil(np.log10(positive.max())) + 1)
    ax.axvline(np.sqrt(zero * positive.min()), color="0.6", linewidth=0.6,
               linestyle=(0, (2, 2)))
    ax.set_xticks([zero, *decades], ["0", *[f"$10^{{{np.log10(t):.0f}}}$" for t in decades]])
    ax.minorticks_off()
    ax.set_xlim(zero / 1.6, positive.max() * 1.6)


def _bistable_rates(ax: Axes, limit: xr.Dataset, positions: np.ndarray) -> bool:
    """Shade the rates at which the mean field is bistable somewhere along the drive
    (from one grid rate to the next, on a log axis); whether there are any."""
    bistable = np.isfinite(limit["bistable_from"].values)
    for k in np.flatnonzero(bistable):
        low = np.sqrt(positions[k] * positions[k - 1]) if k > 0 else positions[k]
        high = np.sqrt(positions[k] * positions[k + 1]) if k + 1 < positions.size \
            else positions[k]
        ax.axvspan(low, high, color=BISTABLE_COLOUR, linewidth=0, zorder=0)
    return bool(bistable.any())


def _minimum_against_rate(ax: Axes, minima: xr.Dataset, limit: xr.Dataset,
                          crossover: xr.DataArray, rate: str, unit: str) -> None:
    """ξ²_min against the rate (log axis, rate 0 apart), one curve per N, the crossover
    γ*(N) marked (stars), and the N = ∞ bound: ξ²_∞ minimised over the drive on every
    branch an exact state can approach (``xi2_min_limit``; open where the minimum sits at
    the end of the sweep)."""
    ratios, symbol = _relative_rate(minima, rate, unit)
    x, zero = _log_positions(ratios)
    order = np.argsort(x)
    scale = ratios[ratios > 0][0] / minima[rate].values[ratios > 0][0]
    ax.set_xscale("log")
    shaded = _bistable_rates(ax, limit.sel({rate: minima[rate]}), x)
    positive = ratios[order] > 0
    for colour, N in zip(n_colours(minima["N"].values), np.sort(minima["N"].values)):
        y = minima["xi2_min"].sel(N=N).values[order]
        ax.plot(x[order][positive], y[positive], "o-", color=colour, markersize=3.5,
                label=f"$N = {int(N)}$")
        ax.plot(x[order][~positive], y[~positive], "o", color=colour, markersize=3.5)
        star = float(crossover.sel(N=N))
        if np.isfinite(star):
            plateau = y[positive][0]
            ax.plot(star * scale, np.sqrt(plateau), "*", color=colour, markersize=10,
                    markeredgecolor="k", markeredgewidth=0.5, zorder=6)
    bound = limit["xi2_min_limit"].sel({rate: minima[rate]}).values[order]
    interior = limit["minimum_limit_interior"].sel({rate: minima[rate]}).values[order] > 0
    ax.plot(x[order][positive], bound[positive], color="k", label=LIMIT_LABEL, **LIMIT_STYLE)
    ax.plot(x[order][~interior], bound[~interior], "o", color="k", markerfacecolor="white",
            markersize=4)
    ax.plot(x[order][~positive], bound[~positive], "D", color="k", markersize=3.5)
    ax.plot([], [], "*", color="0.5", markeredgecolor="k", markersize=9,
            label=r"crossover $\gamma^*$")
    _zero_tick(ax, ratios, zero)
    ax.set(xlabel=f"${symbol}$", ylabel=r"located minimum $\xi^2_{R,\min}$")
    handles, labels = ax.get_legend_handles_labels()
    if shaded:
        handles.append(Patch(facecolor=BISTABLE_COLOUR, edgecolor="0.6"))
        labels.append("mean field bistable")
    ax.legend(handles, labels, frameon=False, fontsize=7,
              loc="lower right" if shaded else "upper left")


def _crossover_against_N(ax: Axes, crossover: xr.DataArray, symbol: str, scale: float,
                         colour: str, rates: np.ndarray) -> None:
    """γ*(N) log–log with its power law (:func:`~steadysqueeze.crossover.crossover_fit`);
    the N where the rate grid does not bracket γ* are listed."""
    N, values = crossover["N"].values, crossover.values * scale
    finite = np.isfinite(values)
    ax.plot(N[finite], values[finite], "o", color=colour)
    fit = crossover_fit(crossover)
    if fit is not None:
        grid = np.geomspace(N.min(), N.max(), 50)
        nu, error = fit.params["nu"], fit.stderr.get("nu")
        ax.plot(grid, scale * fit.params["a"] * grid ** -nu, color=colour, linewidth=1.0,
                label=rf"$\propto N^{{{-nu:+.2f}}}$" + (
                    f" (exponent ${value_pm(-nu, error)}$)" if error is not None else ""))
        ax.legend(frameon=False, fontsize=7, loc="best")
    else:
        ax.text(0.03, 0.94, "fewer than three N with a crossover: no fit",
                transform=ax.transAxes, fontsize=7)
    outside = [str(int(n)) for n in N[~finite]]
    if outside:
        ax.text(0.97, 0.04, f"beyond {rates.max():g} at N = {', '.join(outside)}",
                transform=ax.transAxes, fontsize=7, ha="right")
    log_log(ax, N)
    ax.set(xlabel="$N$", ylabel=rf"crossover ${symbol}^*$")


def _curves_by_rate(ax: Axes, exact: xr.Dataset, limit: xr.Dataset, rate: str, drive: str,
                    unit: str) -> None:
    """ξ² against the drive at the largest N of a fine-grid study, one colour per rate:
    exact (solid), the N = ∞ ξ² of the approachable branches (dash-dotted, every
    inequivalent one where bistable) and the mean-field bistable range (shaded)."""
    N = int(exact["N"].max())
    factor, label = drive_scale(exact, drive)
    ratios, symbol = _relative_rate(exact, rate, unit)
    for colour, value, ratio in zip(COLOURS, exact[rate].values, ratios):
        ax.plot(factor * exact[drive].values, exact["xi2"].sel({"N": N, rate: value}),
                color=colour, **EXACT_STYLE, label=rf"${symbol} = {ratio:.3g}$")
        at = limit.sel({rate: value})
        ax.plot(factor * limit[drive].values, at["xi2_approachable"], color=colour,
                **LIMIT_STYLE)
        if np.isfinite(float(at["bistable_from"])):
            ax.axvspan(factor * float(at["bistable_from"]), factor * float(at["bistable_to"]),
                       color=colour, alpha=0.12, linewidth=0)
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set(xlabel=label, ylabel=r"$\xi_R^2$", ylim=(0, 1.5), title=f"$N = {N}$")
    ax.plot([], [], color="k", label="exact", **EXACT_STYLE)
    ax.plot([], [], color="k", label=r"$N = \infty$", **LIMIT_STYLE)
    ax.legend(frameon=False, fontsize=7, loc="lower left")


def _row(axes: np.ndarray, data: Mapping[str, xr.Dataset], role: str, rate: str, drive: str,
         unit: str, colour: str) -> None:
    """One model: ξ²_min against the rate, γ*(N), ξ² against the drive."""
    minima, limit = data[f"{role}_minima"], data[f"{role}_gaussian"]
    crossover = crossover_rates(minima, rate)
    ratios, symbol = _relative_rate(minima, rate, unit)
    scale = float(minima[unit]) if unit in minima.coords else 1.0
    _minimum_against_rate(axes[0], minima, limit, crossover, rate, unit)
    _crossover_against_N(axes[1], crossover, symbol.split("/")[0], 1 / scale, colour, ratios)
    _curves_by_rate(axes[2], data[f"{role}_curves_exact"], data[f"{role}_curves_gaussian"],
                    rate, drive, unit)


def draw_robustness(data: Mapping[str, xr.Dataset]) -> Figure:
    """Squeezing with dissipation beyond the paper's: driven Dicke + local emission, and
    XYZ + local dephasing (module docstring).

    Parameters
    ----------
    data
        Roles ``emission_*`` (a declared driven-Dicke model sweeping ``gamma`` and
        ``Omega``, collective rate ``Gamma`` fixed) and ``dephasing_*`` (a declared XYZ
        model sweeping ``gamma_phi`` and ``dJ``), each with ``gaussian`` (N = ∞) and
        ``minima`` (located minima of ξ² over the drive, per N and rate); roles
        ``emission_curves_*`` and ``dephasing_curves_*``, the same models on a fine drive
        grid at a few rates, with ``exact`` and ``gaussian``.

    Returns
    -------
    Figure
        Rows: (a–c) driven Dicke + local emission, (d–f) XYZ + local dephasing; columns:
        ξ²_min against the rate, γ*(N), ξ² against the drive.
    """
    fig, axes = plt.subplots(2, 3, figsize=(11.5, 6.8), constrained_layout=True)
    _row(axes[0], data, "emission", "gamma", "Omega", "Gamma", COLOURS[0])
    _row(axes[1], data, "dephasing", "gamma_phi", "dJ", "gamma", COLOURS[1])
    titles = ("(a) Dicke + local emission", "(b) crossover, Dicke", "(c) Dicke, ",
              "(d) XYZ + local dephasing", "(e) crossover, XYZ", "(f) XYZ, ")
    for ax, title in zip(axes.ravel(), titles):
        ax.set_title(title + (ax.get_title() if title.endswith(" ") else ""), fontsize=9)
    axes[0, 2].axvline(1.0, color="0.3", linestyle=":", linewidth=1.0)   # 2Ω = Γ
    axes[1, 2].set_xlabel(axis_label(data["dephasing_curves_exact"], "dJ"))
    return fig


register(FigureSpec(
    name="robustness", draw=draw_robustness, source="studies",
    roles={"emission": frozenset({"gamma", "Omega"}),
           "dephasing": frozenset({"gamma_phi", "dJ"}),
           "emission_curves": frozenset({"gamma", "Omega"}),
           "dephasing_curves": frozenset({"gamma_phi", "dJ"})},
    with_minima=True, drives={"emission": "Omega", "dephasing": "dJ"},
    category="Beyond the paper",
    message="squeezing with added local emission and dephasing, and the crossover rate",
    caption="""
    **Robustness of steady-state squeezing** to dissipation the paper leaves out (declared
    models). Top: the driven Dicke model, H = −ΩJx (Eq. 62), collective emission
    Γ/N D[J⁻] plus local emission γ Σᵢ D[sᵢ⁻] (study ``{roles[emission][study]}``,
    N = {roles[emission][N]} and the located minima at
    {roles[emission][minima_N]}, γ/Γ = {roles[emission][sweep][gamma]}). Bottom: the
    XYZ model at {roles[dephasing][fixed]} with local emission and local dephasing
    γ_φ Σᵢ D[sᵢᶻ] (study ``{roles[dephasing][study]}``, N = {roles[dephasing][N]} and
    the located minima at {roles[dephasing][minima_N]},
    γ_φ/γ = {roles[dephasing][sweep][gamma_phi]}).

    **(a, d)** The minimum of the exact ξ_R² over the drive, located at every rate and N
    (rule ``minimum``: Brent's method on exact solves from the bracket of the study's
    drive grid, or near the grid's minima extrapolated in N), against the rate on a log
    axis, rate 0 drawn apart; black dash-dotted: the N = ∞ bound, ξ_R² of Gaussian
    fluctuations about the mean field minimised over the drive on every stable branch
    an exact state can approach, its limit at the fold or critical drive included (open
    circles: at the end of the drive sweep; the symmetry-related ordered branches of XYZ
    are left out, since the exact state is their symmetric mixture). Grey: rates at which
    the mean field is bistable somewhere along the drive. Stars: the crossover γ*(N),
    where ξ²_min has lost half of its squeezing in decibels, ξ²_min(γ*) =
    [ξ²_min(γ₁)]^(1/2), γ₁ the smallest non-zero rate (the plateau), interpolated
    linearly in (ln γ, ln ξ²_min) between grid rates. **(b, e)** γ*(N), log–log, with a
    power law fitted over every N where the grid brackets γ* (± its standard error).

    **(c, f)** ξ_R² against the drive at a few rates on a fine drive grid (studies
    ``{roles[emission_curves][study]}``, γ/Γ = {roles[emission_curves][sweep][gamma]},
    and ``{roles[dephasing_curves][study]}``, γ_φ/γ =
    {roles[dephasing_curves][sweep][gamma_phi]}, largest N): exact (solid) and N = ∞
    (dash-dotted; in a bistable range the lower of the two branches); shaded in each
    rate's colour, the drives where the mean field is bistable (status ``bistable``:
    the squeezed branch coexists with a strongly mixed one). There the exact state is a
    mixture of the two branches, with weights mean-field stability does not decide, and
    its ξ² rises steeply toward the mixed branch; the N = ∞ line is a lower bound there.
    Dotted: the superradiant transition of the collective model, 2Ω = Γ.

    **What to look for:** the driven Dicke model's deep squeezing at γ = 0 is lost for any
    local emission, however weak: the steady state at γ = 0 is degenerate (every total-spin
    sector J has its own), and local emission fixes the weights of the sectors, so that
    ξ²_min jumps at γ = 0⁺ to a plateau independent of γ; mean-field bistability with a
    mixed branch sets in at the same time. For XYZ dephasing only shifts the parametric
    transition to larger δJ, where the N = ∞ limit stays at the 3 dB bound 1/2.
    """))
