"""The figures of Huybrechts & Roscilde (arXiv:2402.16824), drawn from the datasets.

Each figure is one draw function followed by its :func:`.register` entry: the model
and swept parameters its study must have, and its report caption. Exact steady
states are solid, first-order (xyz, tfi) or second-order (dicke) pure-state
perturbation theory is dashed, the N = ∞ limit (``gaussian`` dataset) dash-dotted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from .registry import FigureSpec, register
from .style import (COLOURS, EXACT_STYLE, LIMIT_LABEL, LIMIT_STYLE, MEAN_FIELD_STYLE, PT_STYLE,
                    axis_label, drive_axis, drive_scale, fixed_parameters, mark_minimum,
                    method_legend, plot_limit)

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.collections import QuadMesh
    from matplotlib.figure import Figure

__all__ = ["draw_fig3", "draw_fig4", "draw_fig6", "draw_fig7", "draw_fig9", "draw_figB"]


def draw_fig3(data: Mapping[str, xr.Dataset]) -> Figure:
    """Paper Fig. 3: xyz model, ξ_R² and squeezing angle versus δ𝒥 for several 𝒥.

    Parameters
    ----------
    data
        ``exact``, ``perturbative`` and ``gaussian`` (N = ∞) datasets of an xyz study
        sweeping ``J`` and ``dJ`` (Eq. 35; perturbation theory of Eqs. 44–49); the first
        N is drawn.

    Returns
    -------
    Figure
        (a) ξ_R² (Eq. 18), (b) θ_min/π, one colour per 𝒥.
    """
    exact, pt = data["exact"].isel(N=0), data["perturbative"].isel(N=0)
    limit = data["gaussian"]
    fig, (ax_xi, ax_theta) = plt.subplots(1, 2, figsize=(7.0, 2.8), constrained_layout=True)
    for colour, J in zip(COLOURS, exact["J"].values):
        label = rf"$\mathcal{{J}} = {J:g}\gamma$"
        e, p, g = exact.sel(J=J), pt.sel(J=J), limit.sel(J=J)
        ax_xi.plot(e["dJ"], e["xi2"], color=colour, label=label, **EXACT_STYLE)
        ax_xi.plot(p["dJ"], p["xi2"], color=colour, **PT_STYLE)
        plot_limit(ax_xi, g["dJ"], g["xi2"], float(g["drive_c"]), color=colour)
        ax_theta.plot(e["dJ"], e["theta"] / np.pi, color=colour, label=label, **EXACT_STYLE)
        ax_theta.plot(p["dJ"], p["theta"] / np.pi, color=colour, **PT_STYLE)
        plot_limit(ax_theta, g["dJ"], g["theta"] / np.pi, float(g["drive_c"]), color=colour)
    N = int(data["exact"]["N"].values[0])
    ax_xi.set(xlabel=axis_label(exact, "dJ"), ylabel=r"$\xi_R^2$",
              title=rf"(a) $N = {N}$, $\mathcal{{J}}_z = {float(exact['Jz']):g}\gamma$")
    ax_xi.axhline(1.0, color="0.5", linewidth=0.8)
    ax_xi.set_ylim(top=1.05)
    ax_theta.set(xlabel=axis_label(exact, "dJ"), ylabel=r"squeezing angle $\theta_{\min}/\pi$",
                 ylim=(0, 1), title="(b)")
    method_legend(ax_theta, loc="center left")
    return fig


register(FigureSpec(
    name="fig3", draw=draw_fig3, model="xyz", sweep=frozenset({"J", "dJ"}),
    caption="""
    **Paper Fig. 3** — dissipative XYZ model (Eq. 35) with local emission at rate γ,
    study ``{study}``: N = {N} emitters, {fixed} (couplings in units of γ), mean
    coupling 𝒥 = (Jx + Jy)/2 = {sweep[J]}, anisotropy δ𝒥 = (Jx − Jy)/2 swept over
    {sweep[dJ]}.

    **(a)** Squeezing parameter ξ_R² (Eq. 18, minimised perpendicular to the mean spin) versus
    δ𝒥, one colour per 𝒥: exact steady state of the Lindblad equation (solid), first-order
    pure-state perturbation theory (dashed, Eqs. 44–49) and the N = ∞ limit, Gaussian
    fluctuations about the mean-field steady state (dash-dotted; about each ferromagnetic
    branch past the transition). **(b)** Angle θ_min/π of the squeezed
    component in the plane transverse to the mean spin (undefined, hence not drawn, at
    δ𝒥 = 0 where the transverse variances are equal).

    **What to look for:** ξ_R² < 1 on both sides of δ𝒥 = 0 — any U(1)-breaking perturbation
    squeezes the steady state (Sec. 6.1.1); the dashed lines are tangent to the solid ones at
    δ𝒥 → 0 (linear onset); agreement over a wider δ𝒥 range the farther 𝒥 is from 𝒥_z (the
    SU(2) point), where the ferromagnetic transition lies farther away. In (b) perturbation
    theory predicts which component is squeezed.
    """))


def _angle_map(ax: Axes, ds: xr.Dataset, x: str, y: str, title: str) -> QuadMesh:
    """Squeezing angle θ/π over a parameter plane, cyclic colour map (θ is defined mod π)."""
    theta = ds["theta"].isel(N=0).transpose(y, x) / np.pi
    cmap = plt.get_cmap("twilight").with_extremes(bad="0.85")
    image = ax.pcolormesh(ds[x], ds[y], theta, cmap=cmap, vmin=0, vmax=1, shading="nearest",
                          rasterized=True)
    ax.set(xlabel=axis_label(ds, x), ylabel=axis_label(ds, y), title=title, aspect="equal")
    return image


def _mean_field_boundary(ax: Axes, model: xr.Dataset, x: str, y: str) -> None:
    """Dashed mean-field paramagnetic-instability boundary (growth rate = 0)."""
    rate = model["mean_field_growth_rate"].isel(N=0).transpose(y, x)
    ax.contour(model[x], model[y], rate, levels=[0.0], colors="k", linestyles="--",
               linewidths=1.0)


def _angle_maps(data: Mapping[str, xr.Dataset], x: str, y: str) -> Figure:
    """Figs. 4 and 7: θ from (a) perturbation theory, (b) exact, and (c) exact ξ_R²."""
    pt, exact, model = data["perturbative"], data["exact"], data["model"]
    fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.4), constrained_layout=True)
    _angle_map(axes[0], pt, x, y, "(a) perturbation theory")
    image = _angle_map(axes[1], exact, x, y, "(b) exact")
    fig.colorbar(image, ax=axes[:2], label=r"squeezing angle $\theta/\pi$", shrink=0.85)
    xi2 = exact["xi2"].isel(N=0).transpose(y, x)
    squeeze = axes[2].pcolormesh(exact[x], exact[y], xi2, cmap="viridis", shading="nearest",
                                 vmin=0, vmax=min(2.0, float(xi2.max())), rasterized=True)
    axes[2].set(xlabel=axis_label(exact, x), ylabel=axis_label(exact, y), aspect="equal",
                title=r"(c) exact $\xi_R^2$")
    fig.colorbar(squeeze, ax=axes[2], label=r"$\xi_R^2$", shrink=0.85)
    for ax in axes:
        _mean_field_boundary(ax, model, x, y)
    axes[0].plot([], [], "k--", label="mean-field instability")
    axes[0].legend(loc="lower left", frameon=True, fontsize=7)
    fixed = fixed_parameters(exact)
    fig.suptitle(f"$N = {int(exact['N'][0])}$" + (f", {fixed}" if fixed else ""))
    return fig


def draw_fig4(data: Mapping[str, xr.Dataset]) -> Figure:
    """Paper Fig. 4: xyz squeezing angle over the (Jx, Jy) plane (Sec. 6.1.2).

    Parameters
    ----------
    data
        ``model``, ``perturbative`` and ``exact`` datasets of an xyz study sweeping
        ``Jx`` and ``Jy``; ``model`` holds the mean-field growth rate.

    Returns
    -------
    Figure
        θ/π from (a) perturbation theory (Eq. 48) and (b) exact; (c) exact ξ_R².
    """
    return _angle_maps(data, "Jx", "Jy")


register(FigureSpec(
    name="fig4", draw=draw_fig4, model="xyz", sweep=frozenset({"Jx", "Jy"}), min_points=2,
    caption="""
    **Paper Fig. 4** — dissipative XYZ model (Eq. 35), local emission γ, study ``{study}``:
    N = {N}, {fixed}, over the (Jx, Jy) plane (units of γ).

    **(a)** Squeezing angle θ/π from first-order perturbation theory (Eq. 48), **(b)** from the
    exact steady state, on a cyclic colour map (θ is defined mod π; grey where undefined, on the
    U(1) line Jx = Jy). **(c)** Exact ξ_R² over the same plane (not in the paper). Dashed: the
    mean-field paramagnetic-instability boundary (Jx − Jz)(Jz − Jy) = γ²/4, derived in code from
    the linearised mean-field equations.

    **What to look for:** four quadrants about the axes δJ = 0 and J = Jz (Sec. 6.1.2, Fig. 5)
    with θ ≈ 0 (mod π) in quadrants I and III and θ ≈ π/2 in II and IV, smooth crossovers set
    by γ; perturbation theory and exact agree inside the paramagnetic phase, between the dashed
    lines; ξ_R² rises above 1 past the boundary (ferromagnetic, mixed steady states).
    """))


def draw_fig6(data: Mapping[str, xr.Dataset]) -> Figure:
    """Paper Fig. 6: tfi ξ_R² versus Jx at fixed Δ, squeezing angle in an inset.

    Parameters
    ----------
    data
        ``perturbative``, ``exact`` and ``gaussian`` (N = ∞: its curve and the root-found
        mean-field transition) datasets of a tfi study (Eq. 53) sweeping ``Jx``;
        perturbation theory of Eqs. 58–60. The first N is drawn.

    Returns
    -------
    Figure
        ξ_R² (exact solid, PT dashed) with the mean-field transition dotted, and θ/π
        in an inset whose labels stay inside the main axes.
    """
    exact, pt = (data[k].isel(N=0) for k in ("exact", "perturbative"))
    fig, ax = plt.subplots(figsize=(4.6, 3.4), constrained_layout=True)
    ax.plot(exact["Jx"], exact["xi2"], color="k", label="exact (Lindblad)", **EXACT_STYLE)
    ax.plot(pt["Jx"], pt["xi2"], color=COLOURS[2], label="perturbation theory", **PT_STYLE)
    limit = data["gaussian"]
    plot_limit(ax, limit["Jx"], limit["xi2"], float(limit["drive_c"]), color=COLOURS[0],
               label=LIMIT_LABEL)
    if np.isfinite(float(limit["drive_c"])):   # root-found, not read off the grid
        ax.axvline(float(limit["drive_c"]), **MEAN_FIELD_STYLE, label="mean-field transition")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set(xlabel=axis_label(exact, "Jx"), ylabel=r"$\xi_R^2$",
           title=rf"$N = {int(data['exact']['N'][0])}$, $\Delta = {float(exact['Delta']):g}\gamma$")
    ax.set_ylim(bottom=0.0)
    ax.legend(loc="upper left", frameon=False)  # above ξ_R² = 1, left of the transition
    # Lower left, below the curves (ξ_R² starts at 1 and decreases with Jx), offset
    # from the main axes' edges by the width of the inset's own tick and axis labels.
    inset = ax.inset_axes([0.2, 0.19, 0.3, 0.23])
    inset.plot(exact["Jx"], exact["theta"] / np.pi, color="k", **EXACT_STYLE)
    inset.plot(pt["Jx"], pt["theta"] / np.pi, color=COLOURS[2], **PT_STYLE)
    inset.set(xlim=ax.get_xlim(), ylim=(0, 1), yticks=[0, 0.5, 1])
    inset.set_xlabel(axis_label(exact, "Jx"), fontsize=7, labelpad=1)
    inset.set_ylabel(r"$\theta_{\min}/\pi$", fontsize=7, labelpad=1)
    inset.tick_params(labelsize=6, pad=1)
    inset.patch.set_alpha(0.9)
    return fig


register(FigureSpec(
    name="fig6", draw=draw_fig6, model="tfi", sweep=frozenset({"Jx"}),
    caption="""
    **Paper Fig. 6** — dissipative transverse-field Ising model (Eq. 53), study ``{study}``:
    N = {N}, {fixed} (units of γ). ξ_R² versus Jx: exact (solid black), first-order
    perturbation theory (dashed, Eqs. 58–60) and the N = ∞ limit (dash-dotted: Gaussian
    fluctuations about the mean field; about each ferromagnetic branch past the
    transition); inset: squeezing angle θ/π. Dotted: the mean-field transition
    −Δ(Δ + Jx) = γ²/4.

    **What to look for:** the linear onset of squeezing captured by perturbation theory, the
    exact curve departing from it as the steady state gains entropy and the ferromagnetic
    transition is approached, and ξ_R² rising past the transition.
    """))


def draw_fig7(data: Mapping[str, xr.Dataset]) -> Figure:
    """Paper Fig. 7: tfi squeezing angle over the (Jx, Δ) plane (Sec. 6.2).

    Parameters
    ----------
    data
        ``model``, ``perturbative`` and ``exact`` datasets of a tfi study sweeping
        ``Jx`` and ``Delta``.

    Returns
    -------
    Figure
        θ/π from (a) perturbation theory (Eqs. 58–60 with Eq. 48) and (b) exact;
        (c) exact ξ_R².
    """
    return _angle_maps(data, "Jx", "Delta")


register(FigureSpec(
    name="fig7", draw=draw_fig7, model="tfi", sweep=frozenset({"Jx", "Delta"}), min_points=2,
    caption="""
    **Paper Fig. 7** — dissipative transverse-field Ising model (Eq. 53), local emission γ,
    study ``{study}``: N = {N}, over the (Jx, Δ) plane (units of γ).

    **(a)** Squeezing angle θ/π from first-order perturbation theory (Eqs. 58–60 with Eq. 48),
    **(b)** exact, cyclic colour map (grey: undefined at Jx = 0). **(c)** Exact ξ_R² (not in the
    paper). Dashed: mean-field paramagnetic-instability boundary −Δ(Δ + Jx) = γ²/4.

    **What to look for:** the quadrant rule of Sec. 6.2 — θ ≈ 0 (mod π) where Jx and Δ have
    the same sign, θ ≈ π/2 where they differ, with a smooth crossover across Δ = 0 set by γ;
    agreement of (a) and (b) in the paramagnetic region.
    """))


def draw_fig9(data: Mapping[str, xr.Dataset]) -> Figure:
    """Paper Fig. 9: driven Dicke model, ξ_R² versus 2Ω/Γ for several N.

    Parameters
    ----------
    data
        ``exact``, ``perturbative`` and ``gaussian`` (N = ∞) datasets of a dicke study
        (Eq. 62) sweeping ``Omega``; second-order perturbation theory, ξ_R² = 1 − 2Ω²/Γ²
        (Eq. 70).
        Optional ``scaling``: the dicke scaling dataset, whose located minima are
        marked for the N drawn.

    Returns
    -------
    Figure
        Exact ξ_R², one colour per N, PT of the largest N dashed, the
        superradiant transition 2Ω = Γ dotted, and the located minima.
    """
    exact, pt = data["exact"], data["perturbative"]
    drive, drive_label = drive_axis(exact)
    scaling = data.get("scaling")
    located = [N for N in exact["N"].values if scaling is not None and N in scaling["N_located"]]
    fig, ax = plt.subplots(figsize=(4.6, 3.4), constrained_layout=True)
    for colour, N in zip(COLOURS, exact["N"].values):
        ax.plot(drive, exact["xi2"].sel(N=N), color=colour, label=f"$N = {N}$", **EXACT_STYLE)
        if N in located:
            mark_minimum(ax, scaling, N, colour, drive_scale(scaling, "Omega")[0])
    ax.plot(drive, pt["xi2"].isel(N=-1), color="k", label="2nd-order PT", **PT_STYLE)
    ax.plot(drive_axis(data["gaussian"])[0], data["gaussian"]["xi2"], color="k",
            label=LIMIT_LABEL, **LIMIT_STYLE)
    if located:
        ax.plot([], [], "o", color="0.2", label="located minimum")
    ax.axvline(1.0, **MEAN_FIELD_STYLE, label=r"superradiant transition $2\Omega = \Gamma$")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set(xlabel=drive_label, ylabel=r"$\xi_R^2$", ylim=(0, 1.3),
           title="driven Dicke model, collective emission")
    ax.legend(loc="lower left", frameon=False)
    return fig


register(FigureSpec(
    name="fig9", draw=draw_fig9, model="dicke", sweep=frozenset({"Omega"}),
    caption="""
    **Paper Fig. 9** (its caption says "TFI"; it shows the driven Dicke model) — H = −ΩJx
    (Eq. 62) with collective emission √(Γ/N) J⁻, study ``{study}``: N = {N}.
    ξ_R² versus 2Ω/Γ: exact steady states in the symmetric J = N/2 block (solid, one colour per
    N), second-order pure-state perturbation theory, ξ_R² = 1 − 2Ω²/Γ² (dashed, Eq. 70) and
    the N = ∞ limit (dash-dotted): the linearised jump operator's dark state, a squeezed
    vacuum with ξ_R² = √(1 − 4Ω²/Γ²), which reaches 0 at the transition; above it the
    mean field oscillates and has no stationary Gaussian limit. Dotted: the superradiant
    transition 2Ω/Γ = 1.

    Markers: the minimum of the exact ξ_R² located by bounded minimisation on exact solves
    (finite-N scaling study of the model, where there is one), for the N drawn.

    **What to look for:** the quadratic onset of squeezing; agreement with perturbation theory
    over roughly half of the paramagnetic phase; a minimum that deepens with N just below the
    transition, and the loss of squeezing beyond it.
    """, with_scaling=True))


def draw_figB(data: Mapping[str, xr.Dataset]) -> Figure:
    """Supplementary figure: the moments of paper App. B against the exact steady state.

    Parameters
    ----------
    data
        ``exact``, ``perturbative`` and ``gaussian`` (N = ∞, per emitter) datasets of a
        dicke study sweeping ``Omega``; the smallest N is drawn.

    Returns
    -------
    Figure
        ⟨J^y⟩/N (Eq. 80), (⟨J^z⟩ + N/2)/N (Eq. 81), Var(J^x)/N (Eq. 83) and
        Cov(J^y, J^z)/N (Eqs. 80, 81, 88) versus 2Ω/Γ.
    """
    exact, pt = (data[k].isel(N=0) for k in ("exact", "perturbative"))
    N = int(data["exact"]["N"][0])
    drive, drive_label = drive_axis(exact)
    panels = [
        (r"$\langle J^y\rangle/N$ (Eq. 80)", lambda d: d["mean_J"].sel(component="y") / N),
        (r"$(\langle J^z\rangle + N/2)/N$ (Eq. 81)",
         lambda d: (d["mean_J"].sel(component="z") + N / 2) / N),
        (r"$\mathrm{Var}(J^x)/N$ (Eq. 83)",
         lambda d: d["covariance"].sel(component="x", component_b="x") / N),
        (r"$\mathrm{Cov}(J^y, J^z)/N$ (Eqs. 80, 81, 88)",
         lambda d: d["covariance"].sel(component="y", component_b="z") / N),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(7.0, 5.0), constrained_layout=True, sharex=True)
    limit = data["gaussian"]
    per_emitter = limit.assign(mean_J=limit["mean_J"] * N, covariance=limit["covariance"] * N)
    for ax, (label, quantity) in zip(axes.flat, panels):
        ax.plot(drive, quantity(exact), color="k", label="exact", **EXACT_STYLE)
        ax.plot(drive, quantity(pt), color=COLOURS[2], label="2nd-order PT (App. B)", **PT_STYLE)
        ax.plot(drive_axis(limit)[0], quantity(per_emitter), color=COLOURS[0],
                label=LIMIT_LABEL, **LIMIT_STYLE)
        ax.set_ylabel(label)
        ax.axvline(1.0, color="0.3", linestyle=":", linewidth=1.0)
    for ax in axes[1]:
        ax.set_xlabel(drive_label)
    axes[0, 0].legend(frameon=False)
    fig.suptitle(f"driven Dicke model, $N = {N}$: collective-spin moments")
    return fig


register(FigureSpec(
    name="figB", draw=draw_figB, model="dicke", sweep=frozenset({"Omega"}),
    caption="""
    **Supplementary (paper App. B)** — driven Dicke model, study ``{study}``, smallest N of
    the study. Collective-spin moments versus 2Ω/Γ: second-order perturbation theory expanded
    consistently to O(Ω²) (dashed; Eqs. 80, 81, 83 and 88) against the exact steady state
    (solid) and the N = ∞ limit per emitter (dash-dotted; mean field and Gaussian
    fluctuations): ⟨J^y⟩/N, (⟨J^z⟩ + N/2)/N, Var(J^x)/N and Cov(J^y, J^z)/N.

    **What to look for:** tangency at Ω → 0 and the breakdown of the expansion on approach to
    the superradiant transition (dotted).
    """))
