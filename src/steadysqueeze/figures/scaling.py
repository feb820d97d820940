"""Finite-N figures (not in the paper), drawn from the scaling datasets.

``results/scaling/{model}.nc`` (:mod:`steadysqueeze.scaling`) holds, per N, the onset
of squeezing, the deepest squeezing, the range of validity of perturbation theory
and the entropy of the exact steady state, plus ξ_R⁻² and QFI/N at every drive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from .registry import FigureSpec, register
from .style import COLOURS, PT_STYLE, axis_label, fixed_parameters, n_colours

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
    ax.set(xlabel="$1/N$", title="(a) onset of squeezing",
           ylabel=rf"$\lim\,(1-\xi_R^2)/|{ds[drive].attrs.get('latex', drive)}|{power}$")
    ax.ticklabel_format(axis="y", useOffset=False)
    onsets = np.concatenate([ds["onset_exact"].values, ds["onset_pt"].values])
    centre = float(np.mean(onsets))
    if np.ptp(onsets) < 1e-3 * abs(centre):  # agreement below the plot's resolution
        ax.set_ylim(0.99 * centre, 1.01 * centre)
    ax.legend(frameon=False)


def _deepest_panel(ax: Axes, ds: xr.Dataset) -> None:
    """(b) Deepest exact squeezing over the sweep, and the drive where it occurs."""
    Ns = ds["N"].values
    ax.plot(Ns, ds["xi2_min"], "o-", color=COLOURS[0], label=r"$\min \xi_R^2$")
    ax.set(xlabel="$N$", ylabel=r"minimum of exact $\xi_R^2$",
           title="(b) deepest squeezing over the sweep")
    twin = ax.twinx()
    twin.plot(Ns, ds["drive_at_min"], "s--", color=COLOURS[1], mfc="none")
    twin.set_ylabel(f"drive at the minimum, {axis_label(ds, ds.attrs['drive'])}",
                    color=COLOURS[1])
    twin.grid(False)


def _validity_panel(ax: Axes, ds: xr.Dataset) -> None:
    """(c) Drive up to which the PT squeezing deficit is within 1 % and 10 % of exact."""
    Ns = ds["N"].values
    sweep_end = float(np.abs(ds[ds.attrs["drive"]]).max())
    for colour, (key, marker, text) in zip(COLOURS, (("pt_validity_1pct", "o", "1 %"),
                                                     ("pt_validity_10pct", "s", "10 %"))):
        values = ds[key].values
        beyond = np.isinf(values)
        ax.plot(Ns, np.where(beyond, np.nan, values), marker + "-", color=colour,
                label=f"PT deficit off by {text}")
        if beyond.any():  # PT within the threshold over the whole sweep
            ax.plot(Ns[beyond], np.full(beyond.sum(), sweep_end), "^", color=colour, mfc="none",
                    label=f"{text}: not reached up to the sweep end")
    ax.set(xlabel="$N$", ylabel=f"validity range of PT, {axis_label(ds, ds.attrs['drive'])}",
           title="(c) range of validity of perturbation theory")
    ax.legend(frameon=False, loc="best", fontsize=7)  # the least covered corner


def _entropy_panel(ax: Axes, ds: xr.Dataset) -> None:
    """(d) Von Neumann entropy of the exact steady state versus the drive, per N."""
    drive = ds.attrs["drive"]
    Ns = ds["N"].values
    for colour, N in zip(n_colours(Ns), Ns):
        ax.plot(ds[drive], ds["entropy"].sel(N=N), color=colour, label=f"$N = {N}$")
    ax.set(xlabel=axis_label(ds, drive), ylabel="von Neumann entropy / nat",
           title="(d) entropy of the exact steady state")
    ax.legend(frameon=False, ncol=2, fontsize=6)


def draw_scaling(data: Mapping[str, xr.Dataset]) -> Figure:
    """Finite-N scaling of one model: onset, deepest squeezing, PT validity, entropy.

    Parameters
    ----------
    data
        ``scaling``: the model's ``results/scaling/{model}.nc``.

    Returns
    -------
    Figure
        Four panels (a)–(d), see :func:`_onset_panel` … :func:`_entropy_panel`.
    """
    ds = data["scaling"]
    fig, axes = plt.subplots(2, 2, figsize=(7.2, 5.6), constrained_layout=True)
    _onset_panel(axes[0, 0], ds)
    _deepest_panel(axes[0, 1], ds)
    _validity_panel(axes[1, 0], ds)
    _entropy_panel(axes[1, 1], ds)
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
    against 1/N, with a linear extrapolation to N → ∞. **(b)** Deepest exact squeezing over the
    sweep and the drive where it occurs. **(c)** Range of validity of perturbation theory: the
    drive at which the perturbative squeezing deficit 1 − ξ² differs from the exact one by
    1 % and 10 %. **(d)** Von Neumann entropy of the exact steady state (PIQS degeneracy
    weights) versus the drive.

    **What to look for:** whether the range of validity of perturbation theory shrinks with N,
    and whether the steady-state entropy stays small (subextensive) in the squeezed regime.
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
        One panel per model: QFI/N against ξ_R⁻², one curve per N, and the diagonal.
    """
    fig, axes = plt.subplots(1, len(data), figsize=(3.2 * len(data), 3.2),
                             constrained_layout=True, squeeze=False)
    for ax, (model, ds) in zip(axes[0], data.items()):
        Ns = ds["N"].values
        for colour, N in zip(n_colours(Ns), Ns):
            ax.plot(ds["inverse_xi2"].sel(N=N), ds["qfi_over_N"].sel(N=N), ".-", color=colour,
                    markersize=3, linewidth=0.8, label=f"$N = {N}$")
        top = float(max(ds["inverse_xi2"].max(), ds["qfi_over_N"].max()))
        ax.plot([1, top], [1, top], "k--", linewidth=1.0, label=r"$\xi_R^{-2} = $ QFI$/N$")
        ax.set(xlabel=r"$\xi_R^{-2}$", ylabel="QFI$/N$", title=f"model {model}")
        ax.legend(frameon=False, fontsize=6, ncol=2)
    fig.suptitle("minimal uncertainty (Eq. 21): points on the diagonal saturate the bound")
    return fig


register(FigureSpec(
    name="minimal_uncertainty", draw=draw_minimal_uncertainty, source="all_scaling",
    category=CATEGORY, group=None, message="minimal-uncertainty check (Eq. 21)",
    caption="""
    **Minimal uncertainty** (new; paper Eqs. 20–21, 33, 71) — for every model of the
    finite-N studies ({models}) and every N, QFI/N of the anti-squeezed component against
    ξ_R⁻², one point per drive value. The bound ξ_R⁻² ≤ QFI/N holds for every state; equality
    (dashed diagonal) marks a minimal-uncertainty state, for which squeezing is the optimal
    metrological resource.

    **What to look for:** points on the diagonal at weak drive (the perturbative regime), and
    where they leave it as the steady state becomes mixed.
    """))
