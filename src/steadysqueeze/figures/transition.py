"""Finite-N squeezing through the transition (not in the paper; the paper's Fig. 9 for
every model), drawn from the scaling datasets ``results/scaling/{model}.nc``.

Exact ξ_R² against the drive for a handful of N, perturbation theory dashed, the N = ∞
limit dash-dotted, the mean-field transition dotted and the located minimum of each N as a
marker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from .registry import FigureSpec, register
from .style import (EXACT_STYLE, LIMIT_LABEL, MEAN_FIELD_STYLE, PT_STYLE, drive_scale,
                    fixed_parameters, mark_minimum, n_colours, plot_limit)

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.figure import Figure

__all__ = ["draw_transition", "transition_Ns", "minimum_only_Ns"]

#: the N drawn when the dataset has them (else every N, at most :data:`MAX_CURVES`)
PREFERRED_N = (20, 50, 100, 200, 300, 1000)
MAX_CURVES = 6
#: PT curves differing by less than this between the N drawn are drawn once
PT_SPREAD = 0.01
#: top of the ξ_R² axis: the curves rise far above 1 past the transition
XI2_TOP = 1.3


def transition_Ns(Ns: np.ndarray) -> np.ndarray:
    """The N to draw: those of :data:`PREFERRED_N` present (if two or more) and always the
    largest, else every N, thinned evenly to :data:`MAX_CURVES` keeping the smallest and
    the largest."""
    Ns = np.sort(np.asarray(Ns))
    chosen = np.array([N for N in PREFERRED_N if N in Ns])
    if chosen.size >= 2:
        return np.unique(np.append(chosen, Ns[-1]))
    if Ns.size <= MAX_CURVES:
        return Ns
    return Ns[np.unique(np.round(np.linspace(0, Ns.size - 1, MAX_CURVES)).astype(int))]


def minimum_only_Ns(ds: xr.Dataset) -> np.ndarray:
    """The N of :data:`PREFERRED_N` whose minimum was located beyond the grid (the study's
    ``minima_N``): drawn as a marker alone, there is no curve."""
    located = np.asarray(ds["N_located"].values)
    return np.array([N for N in PREFERRED_N if N in located and N not in ds["N"].values],
                    dtype=located.dtype)


def draw_transition(data: Mapping[str, xr.Dataset]) -> Figure:
    """Exact ξ_R² against the drive through the transition, one colour per N.

    Parameters
    ----------
    data
        ``scaling``: the model's ``results/scaling/{model}.nc``.

    Returns
    -------
    Figure
        Exact ξ_R² (solid) for the N of :func:`transition_Ns`; perturbation theory
        dashed (once, black, if it hardly depends on N, else one per N in its colour);
        the mean-field transition dotted; the located minima as markers (hollow where at
        the end of the sweep).
    """
    ds = data["scaling"]
    drive = ds.attrs["drive"]
    factor, xlabel = drive_scale(ds, drive)
    x = factor * ds[drive]
    Ns = transition_Ns(ds["N"].values)
    beyond = minimum_only_Ns(ds)
    colours = n_colours(np.concatenate([Ns, beyond]))
    pt = ds["xi2_pt"].sel(N=Ns)
    pt_per_N = float(np.abs(pt - pt.isel(N=-1)).max()) > PT_SPREAD
    fig, ax = plt.subplots(figsize=(6.2, 3.6), constrained_layout=True)
    for colour, N in zip(colours, Ns):
        ax.plot(x, ds["xi2_exact"].sel(N=N), color=colour, label=f"$N = {N}$", **EXACT_STYLE)
        if pt_per_N:
            ax.plot(x, pt.sel(N=N), color=colour, **PT_STYLE)
        mark_minimum(ax, ds, N, colour, factor)
    for colour, N in zip(colours[len(Ns):], beyond):
        mark_minimum(ax, ds, N, colour, factor, label=f"$N = {N}$, minimum only")
    if not pt_per_N:
        ax.plot(x, pt.isel(N=-1), color="k", **PT_STYLE)
    plot_limit(ax, x, ds["xi2_gaussian"], factor * float(ds["drive_c_mean_field"]), color="k",
               label=LIMIT_LABEL)
    critical = factor * float(ds["drive_c_mean_field"])
    sweep_end = float(np.abs(x).max())
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    shown = abs(critical) <= 1.5 * sweep_end  # else the sweep stays far from it
    if shown:
        ax.axvline(critical, **MEAN_FIELD_STYLE)
    lo = min(0.0, float(x.min()))
    hi = max(sweep_end, 1.04 * critical if shown else sweep_end)
    top = float(ds["xi2_exact"].sel(N=Ns).max())
    ax.set(xlabel=xlabel, ylabel=r"$\xi_R^2$", xlim=(lo, hi),
           ylim=(0.0, min(XI2_TOP, max(1.08, 1.05 * top))))
    fixed = fixed_parameters(ds)
    ax.set_title(f"model {ds.attrs['model_name']}" + (f": {fixed}" if fixed else ""))
    handles, labels = ax.get_legend_handles_labels()
    extra = [
        (plt.Line2D([], [], color="0.2", **EXACT_STYLE), "exact (Lindblad)"),
        (plt.Line2D([], [], color="0.2", **PT_STYLE),
         "perturbation theory" + ("" if pt_per_N else f", $N = {Ns[-1]}$")),
        (plt.Line2D([], [], marker="o", color="0.2", linestyle="none"), "located minimum"),
    ]
    if not ds["minimum_interior"].sel(N_located=np.concatenate([Ns, beyond])).all():
        extra.append((plt.Line2D([], [], marker="o", color="0.2", mfc="white",
                                  linestyle="none"), "minimum at the sweep end"))
    mf = f"mean-field transition, {xlabel} = {critical:.3g}"
    extra.append((plt.Line2D([], [], **MEAN_FIELD_STYLE), mf if shown else f"({mf})"))
    ax.legend(handles + [h for h, _ in extra], labels + [t for _, t in extra],
              loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


register(FigureSpec(
    name="transition", draw=draw_transition, source="scaling", category="Finite-N scaling",
    message="squeezing through the transition",
    caption="""
    **Squeezing through the transition** (new; paper Fig. 9 extended to every model) — model
    ``{model}``, study ``{study}``: N = {N} (at most six drawn: N = 20, 50, 100, 200, 300,
    1000 where present, else all), {fixed} (units of the decay rate). Exact ξ_R² versus the
    drive (solid, one colour per N; the Dicke drive as 2Ω/Γ), pure-state perturbation theory
    (dashed: first order for xyz and tfi, second order, Eq. 70, for dicke; one curve per N
    where it depends on N visibly, else that of the largest N), the N = ∞ limit
    (dash-dotted, black: Gaussian fluctuations about the mean-field steady state, about
    each ordered branch past the transition, broken there), the mean-field transition
    (dotted) and the located minimum of the exact ξ_R² of each N (markers, found by Brent
    minimisation on exact solves, not on the grid; hollow where the minimum lies at the end
    of the sweep, a bound only; a marker without a curve where only the minimum was
    located, beyond the grid). The ξ_R² axis is cut at 1.3.

    **What to look for:** the minimum deepening with N and moving towards the mean-field
    transition, perturbation theory leaving the exact curve well before it, and the loss of
    squeezing (ξ_R² > 1) beyond it.
    """))
