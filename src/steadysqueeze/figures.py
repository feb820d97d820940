"""Publication figures, drawn only from the study datasets (never recomputing physics).

One style for all figures (:data:`STYLE`); each figure is saved as PDF and PNG with
its provenance record in the file metadata and in a sidecar JSON file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .provenance import make_record  # noqa: E402

__all__ = ["STYLE", "draw_figure", "save_figure", "FIGURES"]

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
EXACT_STYLE = {"linestyle": "-"}
PT_STYLE = {"linestyle": "--", "linewidth": 1.2}


def _label(ds: xr.Dataset, coord: str) -> str:
    """Axis label from a coordinate's attributes: ``$latex$ / units``."""
    attrs = ds[coord].attrs
    unit = attrs.get("units", "1")
    symbol = f"${attrs.get('latex', coord)}$"
    return symbol if unit == "1" else rf"{symbol} / $\{unit}$"


def _fig3(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Fig. 3: ξ_R² (a) and squeezing angle (b) vs δJ for several J (xyz, Eqs. 44–49)."""
    exact, pt = data["exact"].isel(N=0), data["perturbative"].isel(N=0)
    fig, (ax_xi, ax_theta) = plt.subplots(1, 2, figsize=(7.0, 2.8), constrained_layout=True)
    for colour, J in zip(COLOURS, exact["J"].values):
        label = rf"$\mathcal{{J}} = {J:g}\gamma$"
        e, p = exact.sel(J=J), pt.sel(J=J)
        ax_xi.plot(e["dJ"], e["xi2"], color=colour, label=label, **EXACT_STYLE)
        ax_xi.plot(p["dJ"], p["xi2"], color=colour, **PT_STYLE)
        ax_theta.plot(e["dJ"], e["theta"] / np.pi, color=colour, label=label, **EXACT_STYLE)
        ax_theta.plot(p["dJ"], p["theta"] / np.pi, color=colour, **PT_STYLE)
    N = int(data["exact"]["N"].values[0])
    ax_xi.set(xlabel=_label(exact, "dJ"), ylabel=r"$\xi_R^2$",
              title=rf"(a) $N = {N}$, $\mathcal{{J}}_z = {float(exact['Jz']):g}\gamma$")
    ax_xi.axhline(1.0, color="0.5", linewidth=0.8)
    ax_xi.set_ylim(top=1.05)
    ax_theta.set(xlabel=_label(exact, "dJ"), ylabel=r"squeezing angle $\theta_{\min}/\pi$",
                 ylim=(0, 1), title="(b)")
    _style_legend(ax_theta, loc="center left")
    return fig


def _style_legend(ax: plt.Axes, loc: str = "best") -> None:
    """Colour legend for the curve families plus one entry per method."""
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Line2D([], [], color="0.2", **EXACT_STYLE),
                plt.Line2D([], [], color="0.2", **PT_STYLE)]
    labels += ["exact (Lindblad)", "perturbation theory"]
    ax.legend(handles, labels, loc=loc, frameon=False)


FIGURES: dict[str, Callable[[Mapping[str, xr.Dataset]], plt.Figure]] = {"fig3": _fig3}


def _atomic_save(fig: plt.Figure, path: str | os.PathLike[str], **kwargs: Any) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, **kwargs)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_text(text: str, path: str | os.PathLike[str]) -> None:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, target)


def save_figure(fig: plt.Figure, record: Mapping[str, Any], *, pdf: str, png: str,
                provenance: str) -> None:
    """Save PDF and PNG with the provenance record in their metadata, plus the sidecar JSON."""
    text = json.dumps(record, sort_keys=True)
    title = f"steadysqueeze {record['rule']}"
    _atomic_save(fig, pdf, format="pdf",
                 metadata={"Title": title, "Subject": text, "Creator": "steadysqueeze",
                           "CreationDate": None})
    _atomic_save(fig, png, format="png", metadata={"Title": title, "provenance": text})
    _atomic_write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", provenance)


def _upstream(path: str) -> dict[str, Any]:
    with xr.open_dataset(path) as ds:
        keys = ("title", "rule", "source", "study_sha256", "created_utc", "history")
        return {k: ds.attrs.get(k) for k in keys}


def draw_figure(name: str, *, inputs: Mapping[str, str], pdf: str, png: str, provenance: str,
                study: Mapping[str, Any] | None) -> None:
    """Draw figure ``name`` from the datasets in ``inputs`` (role -> path) and save it."""
    data = {role: xr.load_dataset(path) for role, path in inputs.items()}
    with plt.rc_context(STYLE):
        fig = FIGURES[name](data)
        record = make_record(rule=f"figure_{name}", study=study, inputs=list(inputs.values()))
        record["datasets"] = {path: _upstream(path) for path in inputs.values()}
        save_figure(fig, record, pdf=pdf, png=png, provenance=provenance)
        plt.close(fig)
