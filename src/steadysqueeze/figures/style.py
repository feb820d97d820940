"""The one plotting style shared by every figure, and the label helpers.

Colours, line styles and axis labels are defined here once, so that the paper's
figures (:mod:`.paper`) and the finite-N figures (:mod:`.scaling`) read alike:
exact steady states of the Lindblad equation are solid lines, pure-state
perturbation theory (Eqs. 12–13 of Huybrechts & Roscilde) is dashed, the N = ∞ limit
(mean field plus Gaussian fluctuations, :mod:`steadysqueeze.gaussian`) dash-dotted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import (FuncFormatter, LogFormatterSciNotation,  # noqa: E402
                               LogLocator, MaxNLocator, NullFormatter, NullLocator)

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes

__all__ = ["STYLE", "COLOURS", "EXACT_STYLE", "PT_STYLE", "LIMIT_STYLE", "LIMIT_LABEL",
           "plot_limit",
           "axis_label", "fixed_parameters",
           "method_legend", "n_colours", "drive_axis", "drive_scale", "MEAN_FIELD_STYLE",
           "mark_minimum", "value_pm", "log_log", "n_axis"]

#: matplotlib rc parameters of every figure (applied by :func:`.save.draw_figure`)
STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.labelsize": 9,
    "axes.titlesize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "lines.linewidth": 1.4,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "figure.dpi": 150,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
}
#: one colour per curve family, in order (colour-blind safe, Okabe–Ito)
COLOURS = ("#0072B2", "#A0282D", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000")
#: line style of exact steady states
EXACT_STYLE: dict[str, Any] = {"linestyle": "-"}
#: line style of perturbation theory
PT_STYLE: dict[str, Any] = {"linestyle": "--", "linewidth": 1.2}
#: line style of the N = ∞ limit (mean field plus Gaussian fluctuations)
LIMIT_STYLE: dict[str, Any] = {"linestyle": "-.", "linewidth": 1.1}
#: legend text of the N = ∞ limit
LIMIT_LABEL = r"$N = \infty$ (mean field + Gaussian)"
#: the mean-field transition (a vertical line)
MEAN_FIELD_STYLE: dict[str, Any] = {"color": "0.3", "linestyle": ":", "linewidth": 1.0}


def plot_limit(ax: Axes, x: Any, y: Any, critical: float = float("nan"), **style: Any) -> None:
    """The N = ∞ curve (:data:`LIMIT_STYLE`), broken at the critical drive ``critical``
    (in the units of ``x``): the paramagnetic state and the ordered branches past the
    transition are different states, not one curve."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.isfinite(critical) and x.min() < critical < x.max():
        order = np.argsort(x)
        x, y = x[order], y[order]
        cut = int(np.searchsorted(x, critical))
        x, y = np.insert(x, cut, critical), np.insert(y, cut, np.nan)
    ax.plot(x, y, **{**LIMIT_STYLE, **style})


def axis_label(ds: xr.Dataset, coord: str) -> str:
    """Axis label of a coordinate from its attributes.

    Parameters
    ----------
    ds
        Dataset holding ``coord``.
    coord
        Coordinate name; its ``latex`` and ``units`` attributes are used.

    Returns
    -------
    str
        ``$symbol$`` for dimensionless coordinates, else ``$symbol$ / $\\unit$``
        (couplings are in units of the decay rate γ or Γ).
    """
    attrs = ds[coord].attrs
    unit = attrs.get("units", "1")
    symbol = f"${attrs.get('latex', coord)}$"
    return symbol if unit == "1" else rf"{symbol} / $\{unit}$"


def fixed_parameters(ds: xr.Dataset) -> str:
    """The study's fixed parameters (scalar coordinates) as a LaTeX list.

    Parameters
    ----------
    ds
        Dataset whose zero-dimensional coordinates are the fixed parameters.

    Returns
    -------
    str
        For example ``"$J_z = 1\\,\\gamma$, $\\gamma = 1\\,\\gamma$"``; empty if none.
    """
    return ", ".join(rf"${ds[k].attrs.get('latex', k)} = {float(ds[k]):g}\,\{ds[k].attrs['units']}$"
                     for k in ds.coords if ds[k].ndim == 0 and k != ds[k].attrs.get("units"))


def drive_scale(ds: xr.Dataset, drive: str) -> tuple[float, str]:
    """Factor and axis label that put a drive in the units the figures plot it in.

    Parameters
    ----------
    ds
        Dataset holding coordinate ``drive`` (and, for the Dicke drive ``Omega``, the
        scalar ``Gamma`` if fixed).
    drive
        The drive's coordinate name.

    Returns
    -------
    tuple
        For ``Omega``: 2/Γ and the label 2Ω/Γ (the paper's Eq. 62 units, the
        superradiant transition at 1); otherwise 1 and :func:`axis_label`.
    """
    if drive == "Omega":
        gamma = float(ds["Gamma"]) if "Gamma" in ds.coords else 1.0
        return 2 / gamma, r"$2\Omega/\Gamma$"
    return 1.0, axis_label(ds, drive)


def drive_axis(ds: xr.Dataset) -> tuple[xr.DataArray, str]:
    """The Dicke-model drive in units of the collective decay rate, 2Ω/Γ (Eq. 62).

    Parameters
    ----------
    ds
        Dataset of a ``dicke`` study (coordinate ``Omega``; scalar ``Gamma`` if fixed).

    Returns
    -------
    tuple
        The values of 2Ω/Γ and their axis label.
    """
    factor, label = drive_scale(ds, "Omega")
    return factor * ds["Omega"], label


def method_legend(ax: Axes, loc: str = "best") -> None:
    """Legend of the curve families plus one entry per method (exact solid, PT dashed,
    N = ∞ dash-dotted).

    Parameters
    ----------
    ax
        Axes whose labelled lines are the curve families.
    loc
        Legend location, as for :meth:`matplotlib.axes.Axes.legend`.
    """
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Line2D([], [], color="0.2", **style)
                for style in (EXACT_STYLE, PT_STYLE, LIMIT_STYLE)]
    labels += ["exact (Lindblad)", "perturbation theory", LIMIT_LABEL]
    ax.legend(handles, labels, loc=loc, frameon=False)


def n_colours(Ns: np.ndarray) -> list[tuple[float, float, float, float]]:
    """One colour per emitter number N, from a sequential colour map (viridis).

    Parameters
    ----------
    Ns
        The emitter numbers, in plotting order.

    Returns
    -------
    list
        RGBA colours, dark for the first N and light for the last.
    """
    return list(plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(Ns))))


def mark_minimum(ax: Axes, scaling: xr.Dataset, N: int, colour: Any, factor: float = 1.0,
                 label: str | None = None) -> None:
    """Marker at the located minimum of the exact ξ_R² of one N (a scaling dataset).

    Parameters
    ----------
    ax
        Axes whose x axis is the drive times ``factor``.
    scaling
        Scaling dataset (``drive_at_min``, ``xi2_min``, ``minimum_interior`` per
        ``N_located``).
    N
        Emitter number, a coordinate value of ``scaling``.
    colour
        Marker colour (the curve of that N).
    factor
        Drive units of the x axis (:func:`drive_scale`).
    label
        Legend label, if any.

    Notes
    -----
    Filled where the minimum lies inside the sweep, hollow where it is at the sweep's
    end (a bound on the minimum, not the minimum).
    """
    point = scaling.sel(N_located=N)
    inside = bool(point["minimum_interior"]) if "minimum_interior" in point else True
    ax.plot(factor * float(point["drive_at_min"]), float(point["xi2_min"]), "o", markersize=5,
            color=colour, markeredgecolor=colour, mfc=colour if inside else "white",
            markeredgewidth=1.2, linestyle="none", zorder=5, label=label)


def value_pm(value: float, error: float | None = None) -> str:
    """``value ± error`` in LaTeX, to two significant digits of the error.

    Parameters
    ----------
    value
        The value.
    error
        Its standard error; without a finite positive one, the value alone (3 digits).
        The value is shown to 5 significant digits at most (the error then as
        ``7\\times 10^{-16}``).

    Returns
    -------
    str
        For example ``"0.155 \\pm 0.013"`` (no dollar signs).
    """
    if error is None or not np.isfinite(error) or error <= 0:
        return f"{value:.3g}"
    digits = max(0, 1 - int(np.floor(np.log10(error))))
    most = max(0, 4 - int(np.floor(np.log10(abs(value))))) if value else digits  # 5 digits
    if digits > most:  # an error far below the value's last digit shown
        mantissa, exponent = f"{error:.0e}".split("e")
        return f"{value:.{most}f} \\pm {mantissa}\\times 10^{{{int(exponent)}}}"
    return f"{value:.{digits}f} \\pm {error:.{digits}f}"


def _plain_log(axis: Any, low: float, high: float) -> None:
    """Plain tick labels (0.7, not 7×10⁻¹) on a log axis spanning [low, high]: evenly
    spaced ticks across less than a factor 3, then the minor ticks 2 and 5 × 10^k labelled
    up to a decade and a half, none across more."""
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    some = FuncFormatter(lambda value, _: f"{value:g}" if f"{value:.0e}"[0] in "25" else "")
    ratio = high / low if low > 0 else np.inf
    if ratio < 3:  # too few powers and minor ticks: evenly spaced nice values
        axis.set_major_locator(MaxNLocator(5))
        axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(plain)
    axis.set_minor_formatter(some if ratio < 30 else NullFormatter())


def n_axis(ax: Axes, Ns: np.ndarray) -> None:
    """Logarithmic x axis of emitter numbers, ticks at the N values (plain; thinned so that
    neighbouring labels are a tenth of the axis apart at least, the largest N kept); over
    more than three decades (located minima far beyond the grid), at the powers of ten.

    Parameters
    ----------
    ax
        The axes.
    Ns
        The emitter numbers.
    """
    Ns = np.sort(np.asarray(Ns, dtype=float))
    if Ns[-1] / Ns[0] > 1e3:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10))
        ax.xaxis.set_major_formatter(LogFormatterSciNotation(base=10))
        ax.xaxis.set_minor_formatter(NullFormatter())
        return
    gap = (Ns[-1] / Ns[0]) ** 0.1  # a tenth of the axis (in log N)
    ticks: list[float] = []
    for N in Ns[::-1]:  # from the largest down
        if not ticks or ticks[-1] / N >= gap:
            ticks.append(N)
    ax.set_xscale("log")
    ax.set_xticks(ticks[::-1])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def log_log(ax: Axes, Ns: np.ndarray | None = None, *, x: bool = True) -> None:
    """Log–log axes (log y only if not ``x``) with plain tick labels (0.7, not 7×10⁻¹).

    Parameters
    ----------
    ax
        The axes, with their final limits (the range decides which minor ticks are
        labelled).
    Ns
        If given, the x axis is one of emitter numbers (:func:`n_axis`).
    x
        Whether the x axis is logarithmic too.
    """
    ax.set_yscale("log")
    _plain_log(ax.yaxis, *ax.get_ylim())
    if not x:
        return
    if Ns is not None:
        n_axis(ax, Ns)
        return
    ax.set_xscale("log")
    _plain_log(ax.xaxis, *ax.get_xlim())
