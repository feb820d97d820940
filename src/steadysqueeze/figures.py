"""Publication figures, drawn only from the study datasets (never recomputing physics).

One style for all figures (:data:`STYLE`); each figure is saved as PDF and PNG with
its provenance record in the file metadata and in a sidecar JSON file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .datasets import atomic_target  # noqa: E402
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


def _angle_map(ax: plt.Axes, ds: xr.Dataset, x: str, y: str, title: str):
    """Squeezing angle θ/π over a parameter plane, cyclic colour map (θ is defined mod π)."""
    theta = ds["theta"].isel(N=0).transpose(y, x) / np.pi
    cmap = plt.get_cmap("twilight").copy()
    cmap.set_bad("0.85")
    image = ax.pcolormesh(ds[x], ds[y], theta, cmap=cmap, vmin=0, vmax=1, shading="nearest",
                          rasterized=True)
    ax.set(xlabel=_label(ds, x), ylabel=_label(ds, y), title=title, aspect="equal")
    return image


def _mean_field_boundary(ax: plt.Axes, model: xr.Dataset, x: str, y: str) -> None:
    """Dashed mean-field paramagnetic-instability boundary (growth rate = 0)."""
    rate = model["mean_field_growth_rate"].isel(N=0).transpose(y, x)
    ax.contour(model[x], model[y], rate, levels=[0.0], colors="k", linestyles="--",
               linewidths=1.0)


def _angle_maps(data: Mapping[str, xr.Dataset], x: str, y: str) -> plt.Figure:
    """Figs. 4 and 7: θ from (a) perturbation theory, (b) exact, and (c) exact ξ_R²."""
    pt, exact, model = data["perturbative"], data["exact"], data["model"]
    fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.4), constrained_layout=True)
    _angle_map(axes[0], pt, x, y, "(a) perturbation theory")
    image = _angle_map(axes[1], exact, x, y, "(b) exact")
    fig.colorbar(image, ax=axes[:2], label=r"squeezing angle $\theta/\pi$", shrink=0.85)
    xi2 = exact["xi2"].isel(N=0).transpose(y, x)
    squeeze = axes[2].pcolormesh(exact[x], exact[y], xi2, cmap="viridis", shading="nearest",
                                 vmin=0, vmax=min(2.0, float(xi2.max())), rasterized=True)
    axes[2].set(xlabel=_label(exact, x), ylabel=_label(exact, y), aspect="equal",
                title=r"(c) exact $\xi_R^2$")
    fig.colorbar(squeeze, ax=axes[2], label=r"$\xi_R^2$", shrink=0.85)
    for ax in axes:
        _mean_field_boundary(ax, model, x, y)
    axes[0].plot([], [], "k--", label="mean-field instability")
    axes[0].legend(loc="lower left", frameon=True, fontsize=7)
    fixed = _fixed_parameters(exact)
    fig.suptitle(f"$N = {int(exact['N'][0])}$" + (f", {fixed}" if fixed else ""))
    return fig


def _fixed_parameters(ds: xr.Dataset) -> str:
    """The study's fixed parameters (scalar coordinates) as a LaTeX list."""
    return ", ".join(rf"${ds[k].attrs.get('latex', k)} = {float(ds[k]):g}\,\{ds[k].attrs['units']}$"
                     for k in ds.coords if ds[k].ndim == 0 and k != ds[k].attrs.get("units"))


def _fig4(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Fig. 4: xyz squeezing angle over the (Jx, Jy) plane (Sec. 6.1.2)."""
    return _angle_maps(data, "Jx", "Jy")


def _fig7(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Fig. 7: tfi squeezing angle over the (Jx, Δ) plane (Sec. 6.2)."""
    return _angle_maps(data, "Jx", "Delta")


def _fig6(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Fig. 6: tfi ξ_R² vs Jx at fixed Δ, angle in an inset; mean-field transition marked."""
    exact, pt, model = (data[k].isel(N=0) for k in ("exact", "perturbative", "model"))
    fig, ax = plt.subplots(figsize=(4.6, 3.4), constrained_layout=True)
    ax.plot(exact["Jx"], exact["xi2"], color="k", label="exact (Lindblad)", **EXACT_STYLE)
    ax.plot(pt["Jx"], pt["xi2"], color=COLOURS[2], label="perturbation theory", **PT_STYLE)
    _mark_instability(ax, model, "Jx")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set(xlabel=_label(exact, "Jx"), ylabel=r"$\xi_R^2$",
           title=rf"$N = {int(data['exact']['N'][0])}$, $\Delta = {float(exact['Delta']):g}\gamma$")
    ax.legend(loc="upper center", frameon=False)
    inset = ax.inset_axes([0.1, 0.1, 0.36, 0.3])
    inset.plot(exact["Jx"], exact["theta"] / np.pi, color="k", **EXACT_STYLE)
    inset.plot(pt["Jx"], pt["theta"] / np.pi, color=COLOURS[2], **PT_STYLE)
    inset.set_ylim(0, 1)
    inset.set_xlabel(_label(exact, "Jx"), fontsize=7)
    inset.set_ylabel(r"$\theta_{\min}/\pi$", fontsize=7)
    inset.tick_params(labelsize=6)
    return fig


def _mark_instability(ax: plt.Axes, model: xr.Dataset, x: str) -> None:
    """Dotted vertical lines where the mean-field paramagnet turns unstable."""
    rate = model["mean_field_growth_rate"].values
    crossings = np.flatnonzero(np.diff(np.sign(rate)) != 0)
    xs = model[x].values
    for k in crossings:  # linear interpolation of the zero crossing
        x0 = xs[k] - rate[k] * (xs[k + 1] - xs[k]) / (rate[k + 1] - rate[k])
        ax.axvline(x0, color="0.3", linestyle=":", linewidth=1.0,
                   label="mean-field transition" if k == crossings[0] else None)


def _fig9(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Fig. 9: driven Dicke ξ_R² vs 2Ω/Γ for several N (exact) and second-order PT."""
    exact, pt = data["exact"], data["perturbative"]
    gamma = float(exact["Gamma"]) if "Gamma" in exact.coords else 1.0
    drive = 2 * exact["Omega"] / gamma
    fig, ax = plt.subplots(figsize=(4.6, 3.4), constrained_layout=True)
    for colour, N in zip(COLOURS, exact["N"].values):
        ax.plot(drive, exact["xi2"].sel(N=N), color=colour, label=f"$N = {N}$", **EXACT_STYLE)
    ax.plot(drive, pt["xi2"].isel(N=-1), color="k", label="2nd-order PT", **PT_STYLE)
    ax.axvline(1.0, color="0.3", linestyle=":", linewidth=1.0,
               label=r"superradiant transition $2\Omega = \Gamma$")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.set(xlabel=r"$2\Omega/\Gamma$", ylabel=r"$\xi_R^2$", ylim=(0, 1.3),
           title="driven Dicke model, collective emission")
    ax.legend(loc="lower left", frameon=False)
    return fig


def _figB(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Supplementary: App. B moments (Eqs. 79–88) from second-order PT vs exact, smallest N."""
    exact, pt = (data[k].isel(N=0) for k in ("exact", "perturbative"))
    N = int(data["exact"]["N"][0])
    gamma = float(exact["Gamma"]) if "Gamma" in exact.coords else 1.0
    drive = 2 * exact["Omega"] / gamma
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
    for ax, (label, quantity) in zip(axes.flat, panels):
        ax.plot(drive, quantity(exact), color="k", label="exact", **EXACT_STYLE)
        ax.plot(drive, quantity(pt), color=COLOURS[2], label="2nd-order PT (App. B)", **PT_STYLE)
        ax.set_ylabel(label)
        ax.axvline(1.0, color="0.3", linestyle=":", linewidth=1.0)
    for ax in axes[1]:
        ax.set_xlabel(r"$2\Omega/\Gamma$")
    axes[0, 0].legend(frameon=False)
    fig.suptitle(f"driven Dicke model, $N = {N}$: collective-spin moments")
    return fig


def _N_colours(Ns: np.ndarray) -> list:
    return list(plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(Ns))))


def _drive_label(ds: xr.Dataset) -> str:
    drive = ds.attrs["drive"]
    return _label(ds, drive)


def _scaling(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Finite-N scaling of one model: onset, deepest squeezing, PT validity, entropy."""
    ds = data["scaling"]
    drive, order = ds.attrs["drive"], int(ds.attrs["order"])
    Ns = ds["N"].values
    inv = 1 / Ns
    fig, axes = plt.subplots(2, 2, figsize=(7.2, 5.6), constrained_layout=True)
    ax = axes[0, 0]
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
    ax = axes[0, 1]
    ax.plot(Ns, ds["xi2_min"], "o-", color=COLOURS[0], label=r"$\min \xi_R^2$")
    ax.set(xlabel="$N$", ylabel=r"minimum of exact $\xi_R^2$",
           title="(b) deepest squeezing over the sweep")
    twin = ax.twinx()
    twin.plot(Ns, ds["drive_at_min"], "s--", color=COLOURS[1], mfc="none")
    twin.set_ylabel(f"drive at the minimum, {_drive_label(ds)}", color=COLOURS[1])
    twin.grid(False)
    ax = axes[1, 0]
    sweep_end = float(np.abs(ds[drive]).max())
    for colour, (key, marker, text) in zip(COLOURS, (("pt_validity_1pct", "o", "1 %"),
                                                     ("pt_validity_10pct", "s", "10 %"))):
        values = ds[key].values
        beyond = np.isinf(values)
        ax.plot(Ns, np.where(beyond, np.nan, values), marker + "-", color=colour,
                label=f"PT deficit off by {text}")
        if beyond.any():  # PT within the threshold over the whole sweep
            ax.plot(Ns[beyond], np.full(beyond.sum(), sweep_end), "^", color=colour, mfc="none",
                    label=f"{text}: not reached up to the sweep end")
    ax.set(xlabel="$N$", ylabel=f"validity range of PT, {_drive_label(ds)}",
           title="(c) range of validity of perturbation theory")
    ax.legend(frameon=False, loc="lower right", fontsize=7)
    ax = axes[1, 1]
    for colour, N in zip(_N_colours(Ns), Ns):
        ax.plot(ds[drive], ds["entropy"].sel(N=N), color=colour, label=f"$N = {N}$")
    ax.set(xlabel=_drive_label(ds), ylabel="von Neumann entropy / nat",
           title="(d) entropy of the exact steady state")
    ax.legend(frameon=False, ncol=2, fontsize=6)
    fixed = _fixed_parameters(ds)
    fig.suptitle(f"finite-N scaling, model {ds.attrs['model_name']}"
                 + (f": {fixed}" if fixed else ""))
    return fig


def _minimal_uncertainty(data: Mapping[str, xr.Dataset]) -> plt.Figure:
    """Eq. 21: ξ_R⁻² ≤ QFI/N, with equality for minimal-uncertainty states."""
    fig, axes = plt.subplots(1, len(data), figsize=(3.2 * len(data), 3.2),
                             constrained_layout=True, squeeze=False)
    for ax, (model, ds) in zip(axes[0], data.items()):
        Ns = ds["N"].values
        for colour, N in zip(_N_colours(Ns), Ns):
            ax.plot(ds["inverse_xi2"].sel(N=N), ds["qfi_over_N"].sel(N=N), ".-", color=colour,
                    markersize=3, linewidth=0.8, label=f"$N = {N}$")
        top = float(max(ds["inverse_xi2"].max(), ds["qfi_over_N"].max()))
        ax.plot([1, top], [1, top], "k--", linewidth=1.0, label=r"$\xi_R^{-2} = $ QFI$/N$")
        ax.set(xlabel=r"$\xi_R^{-2}$", ylabel="QFI$/N$", title=f"model {model}")
        ax.legend(frameon=False, fontsize=6, ncol=2)
    fig.suptitle("minimal uncertainty (Eq. 21): points on the diagonal saturate the bound")
    return fig


FIGURES: dict[str, Callable[[Mapping[str, xr.Dataset]], plt.Figure]] = {
    "fig3": _fig3, "fig4": _fig4, "fig6": _fig6, "fig7": _fig7, "fig9": _fig9, "figB": _figB,
    "scaling": _scaling, "minimal_uncertainty": _minimal_uncertainty,
}


def save_figure(fig: plt.Figure, record: Mapping[str, Any], *, pdf: str, png: str,
                provenance: str) -> None:
    """Save PDF and PNG with the provenance record in their metadata, plus the sidecar JSON."""
    text = json.dumps(record, sort_keys=True)
    title = f"steadysqueeze {record['rule']}"
    with atomic_target(pdf, suffix=".pdf") as tmp:
        fig.savefig(tmp, format="pdf", metadata={"Title": title, "Subject": text,
                                                 "Creator": "steadysqueeze", "CreationDate": None})
    with atomic_target(png, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", metadata={"Title": title, "provenance": text})
    with atomic_target(provenance) as tmp:
        Path(tmp).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def _upstream(path: str) -> dict[str, Any]:
    with xr.open_dataset(path) as ds:
        keys = ("title", "rule", "source", "study_sha256", "created_utc", "history")
        return {k: ds.attrs.get(k) for k in keys}


def draw_figure(name: str, *, inputs: Mapping[str, str], pdf: str, png: str, provenance: str,
                study: Mapping[str, Any] | None, rule: str) -> None:
    """Draw figure ``name`` from the datasets in ``inputs`` (role -> path) and save it;
    ``rule`` is the producing Snakemake rule, recorded in the provenance."""
    data = {role: xr.load_dataset(path) for role, path in inputs.items()}
    with plt.rc_context(STYLE):
        fig = FIGURES[name](data)
        record = make_record(rule=rule, study=study, inputs=list(inputs.values()))
        record["datasets"] = {path: _upstream(path) for path in inputs.values()}
        save_figure(fig, record, pdf=pdf, png=png, provenance=provenance)
        plt.close(fig)
