"""Robustness of steady-state squeezing to dissipation the paper leaves out (declared models).

(a, b) The driven Dicke model (Eq. 62) with collective emission plus local emission γ on
every emitter, as in free-space driven ensembles (related work: Leppenen & Shahmoon,
arXiv:2404.02134): does the deep squeezing below the superradiant transition survive
individual decay? (c, d) The XYZ model (Eqs. 35–38) with local dephasing γ_φ next to
local emission: does the linear onset of squeezing, 1 − ξ² ∝ |δJ| (Sec. 5), survive?
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from .registry import FigureSpec, register
from .style import (COLOURS, EXACT_STYLE, LIMIT_LABEL, LIMIT_STYLE, PT_STYLE, axis_label,
                    drive_scale, method_legend, n_colours, plot_limit)

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_robustness"]


def _relative_rate(ds: xr.Dataset, rate: str, unit: str) -> tuple[np.ndarray, str]:
    """The values of a swept rate in units of the fixed rate ``unit`` (a scalar
    coordinate, 1 if absent), and the symbol of the ratio."""
    scale = float(ds[unit]) if unit in ds.coords else 1.0
    symbol = f"{ds[rate].attrs.get('latex', rate)}/{ds[unit].attrs.get('latex', unit)}" \
        if unit in ds.coords else ds[rate].attrs.get("latex", rate)
    return ds[rate].values / scale, symbol


def _curves_by_rate(ax: Axes, data: Mapping[str, xr.Dataset], role: str, rate: str,
                    drive: str, unit: str) -> None:
    """ξ² against the drive at the largest N, one colour per value of ``rate`` (in units
    of the fixed rate ``unit``): exact solid, PT dashed (where it applies), located minima
    as markers."""
    exact, pt, minima, limit = (data[f"{role}_{k}"]
                                for k in ("exact", "perturbative", "minima", "gaussian"))
    N = int(exact["N"].max())
    factor, _ = drive_scale(exact, drive)
    ratios, symbol = _relative_rate(exact, rate, unit)
    for colour, value, ratio in zip(COLOURS, exact[rate].values, ratios):
        at = {"N": N, rate: value}
        x = factor * exact[drive].values
        ax.plot(x, exact["xi2"].sel(at), color=colour, **EXACT_STYLE,
                label=rf"${symbol} = {ratio:g}$")
        ax.plot(x, pt["xi2"].sel(at), color=colour, **PT_STYLE)
        at_rate = limit.sel({rate: value})
        plot_limit(ax, factor * limit[drive].values, at_rate["xi2"],
                   factor * float(at_rate["drive_c"]), color=colour)
        ax.plot(factor * float(minima["drive_at_min"].sel(at)),
                float(minima["xi2_min"].sel(at)), "o", color=colour, markersize=4.5, zorder=5)
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set_title(f"$N = {N}$")


def _minimum_against_rate(ax: Axes, minima: xr.Dataset, limit: xr.Dataset, rate: str,
                          unit: str) -> None:
    """The located minimum ξ²_min against the added rate (in units of ``unit``), one line
    per N, and the N = ∞ ξ² minimised over the drive grid (every stable branch) and its
    critical end."""
    ratios, symbol = _relative_rate(minima, rate, unit)
    for colour, N in zip(n_colours(minima["N"].values), np.sort(minima["N"].values)):
        ax.plot(ratios, minima["xi2_min"].sel(N=N), "o-", color=colour,
                markersize=4, label=f"$N = {int(N)}$")
    drive = minima.attrs["drive"]   # every stable branch counts (bistable ranges too)
    branches = limit["xi2_branch"].min((drive, "branch"), skipna=True)
    best = np.fmin(branches, limit["xi2_c"]).sel({rate: minima[rate]})
    ax.plot(ratios, best, color="k", label=LIMIT_LABEL, **LIMIT_STYLE)
    ax.set(xlabel=f"${symbol}$", ylabel=r"located minimum $\xi^2_{R,\min}$")
    ax.legend(frameon=False, loc="lower right")


def _onset(ax: Axes, data: Mapping[str, xr.Dataset], rate: str, drive: str) -> None:
    """(1 − ξ²)/δJ against δJ at the largest N: a linear onset flattens to a non-zero
    value as δJ → 0, a quadratic one falls to zero."""
    exact, pt = data["dephasing_exact"], data["dephasing_perturbative"]
    N = int(exact["N"].max())
    d = exact[drive].where(exact[drive] > 0, drop=True)
    ratios, symbol = _relative_rate(exact, rate, "gamma")
    for colour, value, ratio in zip(COLOURS, exact[rate].values, ratios):
        at = {"N": N, rate: value, drive: d}
        ax.plot(d, (1 - exact["xi2"].sel(at)) / d, color=colour, **EXACT_STYLE,
                label=rf"${symbol} = {ratio:g}$")
        ax.plot(d, (1 - pt["xi2"].sel(at)) / d, color=colour, **PT_STYLE)
    ax.axhline(0.0, color="0.5", linewidth=0.8)
    ax.set_xscale("log")
    symbol = exact[drive].attrs.get("latex", drive)
    ax.set(xlabel=axis_label(exact, drive), title=f"onset, $N = {N}$",
           ylabel=rf"$(1 - \xi_R^2)\,/\,{symbol}$ / $\gamma^{{-1}}$")


def draw_robustness(data: Mapping[str, xr.Dataset]) -> Figure:
    """Squeezing with dissipation beyond the paper's: driven Dicke + local emission, and
    XYZ + local dephasing (module docstring).

    Parameters
    ----------
    data
        Roles ``emission_*`` (a declared driven-Dicke model sweeping ``gamma`` and
        ``Omega``, collective rate ``Gamma`` fixed) and ``dephasing_*`` (a declared XYZ
        model sweeping ``gamma_phi`` and ``dJ``), each with ``exact``, ``perturbative``,
        ``gaussian`` (N = ∞) and ``minima`` (located minima of ξ² over the drive, per N
        and rate).

    Returns
    -------
    Figure
        (a) ξ² vs 2Ω/Γ at the largest N per γ/Γ; (b) ξ²_min vs γ/Γ per N; (c) ξ² vs δJ at
        the largest N per γ_φ/γ; (d) (1 − ξ²)/δJ vs δJ. Exact solid, PT dashed where it
        applies, located minima as markers.
    """
    fig, axes = plt.subplots(2, 2, figsize=(7.6, 6.0), constrained_layout=True)
    (a, b), (c, d) = axes
    _curves_by_rate(a, data, "emission", "gamma", "Omega", "Gamma")
    a.axvline(1.0, color="0.3", linestyle=":", linewidth=1.0)   # 2Ω = Γ
    a.set(xlabel=drive_scale(data["emission_exact"], "Omega")[1], ylabel=r"$\xi_R^2$",
          ylim=(0, 1.2))
    a.set_title("(a) driven Dicke + local emission, " + a.get_title())
    method_legend(a, loc="lower left")
    _minimum_against_rate(b, data["emission_minima"], data["emission_gaussian"], "gamma",
                          "Gamma")
    b.set_title("(b) deepest squeezing vs local emission")
    _curves_by_rate(c, data, "dephasing", "gamma_phi", "dJ", "gamma")
    c.set(xlabel=axis_label(data["dephasing_exact"], "dJ"), ylabel=r"$\xi_R^2$",
          ylim=(0, 1.4))
    c.set_title("(c) XYZ + local dephasing, " + c.get_title())
    method_legend(c, loc="lower left")
    _onset(d, data, "gamma_phi", "dJ")
    d.set_title("(d) " + d.get_title())
    return fig


register(FigureSpec(
    name="robustness", draw=draw_robustness, source="studies",
    roles={"emission": frozenset({"gamma", "Omega"}),
           "dephasing": frozenset({"gamma_phi", "dJ"})},
    with_minima=True, drives={"emission": "Omega", "dephasing": "dJ"},
    category="Beyond the paper",
    message="squeezing with added local emission and dephasing",
    caption="""
    **Robustness of steady-state squeezing** to dissipation the paper leaves out (declared
    models). (a) Driven Dicke model, H = −ΩJx (Eq. 62), collective emission Γ/N D[J⁻] plus
    local emission γ Σᵢ D[sᵢ⁻] (study ``{roles[emission][study]}``, N = {roles[emission][N]},
    γ/Γ = {roles[emission][sweep][gamma]}): ξ_R² versus 2Ω/Γ at the largest N, exact
    (solid), second-order pure-state PT (dashed; local emission leaves \\|φ₀⟩ dark, so PT
    applies), the N = ∞ limit (dash-dotted: Gaussian fluctuations about the mean field) and
    the located minima (markers); dotted: the superradiant transition of the
    collective model. (b) The located minimum versus γ/Γ, one line per N, and the N = ∞
    ξ_R² minimised over the drive grid, over every stable mean-field branch (with local
    emission the squeezed branch coexists with a strongly mixed one over a range of Ω:
    bistability, where panel (a) draws no N = ∞ curve), and its limit at the critical
    drive (dash-dotted, black). Related work:
    Leppenen & Shahmoon, arXiv:2404.02134.
    (c) XYZ model at {roles[dephasing][fixed]} with local emission and local dephasing
    γ_φ Σᵢ D[sᵢᶻ] (study ``{roles[dephasing][study]}``, N = {roles[dephasing][N]},
    γ_φ/γ = {roles[dephasing][sweep][gamma_phi]}): ξ_R² versus δJ at the largest N, exact
    (solid), first-order PT (dashed) and N = ∞ (dash-dotted; mixed mean-field states where
    γ_φ > 0): D[σᶻ/2] = D[P↑], so dephasing leaves \\|φ₀⟩ dark
    and adds γ_φ to the decay of the excited Dicke states in Eq. 14. (d) (1 − ξ_R²)/δJ: a
    linear onset of squeezing (Sec. 5) tends to a non-zero value as δJ → 0.

    **What to look for:** how fast the deep Dicke squeezing near 2Ω = Γ fills in with γ/Γ
    and how that depends on N; whether dephasing keeps the linear onset of squeezing, and
    how much it lowers its slope.
    """))
