"""The one plotting style shared by every figure, and the label helpers.

Colours, line styles and axis labels are defined here once, so that the paper's
figures (:mod:`.paper`) and the finite-N figures (:mod:`.scaling`) read alike:
exact steady states of the Lindblad equation are solid lines, pure-state
perturbation theory (Eqs. 12–13 of Huybrechts & Roscilde) is dashed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes

__all__ = ["STYLE", "COLOURS", "EXACT_STYLE", "PT_STYLE", "axis_label", "fixed_parameters",
           "method_legend", "n_colours", "drive_axis"]

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
    gamma = float(ds["Gamma"]) if "Gamma" in ds.coords else 1.0
    return 2 * ds["Omega"] / gamma, r"$2\Omega/\Gamma$"


def method_legend(ax: Axes, loc: str = "best") -> None:
    """Legend of the curve families plus one entry per method (exact solid, PT dashed).

    Parameters
    ----------
    ax
        Axes whose labelled lines are the curve families.
    loc
        Legend location, as for :meth:`matplotlib.axes.Axes.legend`.
    """
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Line2D([], [], color="0.2", **EXACT_STYLE),
                plt.Line2D([], [], color="0.2", **PT_STYLE)]
    labels += ["exact (Lindblad)", "perturbation theory"]
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
