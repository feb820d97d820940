"""The Snakemake workflow: dry run, lint, and an end-to-end run of the quick config.

The end-to-end run copies the workflow into a temporary directory and runs
``snakemake --cores 2 --configfile config/quick.yaml`` there, then checks that every
figure and dataset exists, is labelled, and carries its provenance record.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from steadysqueeze.studies import Study
from workflow_helpers import ROOT, snakemake

FIGURES = ("fig3", "fig4", "fig6", "fig7", "fig9", "figB", "scaling_xyz", "scaling_tfi",
           "scaling_dicke", "minimal_uncertainty", "transition_xyz", "transition_tfi",
           "transition_dicke", "approach_xyz", "approach_tfi", "approach_dicke", "gap_xyz",
           "gap_tfi")
STUDIES = ("fig3", "xyz_map", "tfi_line", "tfi_map", "dicke", "scaling_xyz", "scaling_tfi",
           "scaling_dicke")


@pytest.mark.parametrize("configfile", ["config/config.yaml", "config/quick.yaml",
                                        "config/transitions_large.yaml"])
def test_dry_run_is_clean(configfile: str) -> None:
    result = snakemake(ROOT, "-n", "--configfile", configfile, "--cores", "1")
    assert result.returncode == 0, result.stderr


def test_lint_is_clean() -> None:
    result = snakemake(ROOT, "--lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations" in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("figure", FIGURES)
def test_figures_exist_with_provenance(quick_run: Path, figure: str) -> None:
    out = quick_run / "results" / "figures"
    for ext in ("pdf", "png"):
        assert (out / f"{figure}.{ext}").stat().st_size > 10_000
    record = json.loads((out / f"{figure}.provenance.json").read_text())
    assert record["rule"] == f"figure_{figure}"
    assert record["source"]["commit"]
    if figure.startswith("fig"):
        own = {f"results/{stage}/{record['study']['name']}.nc"
               for stage in ("models", "perturbative", "exact", "gaussian")}
        extra = {"results/scaling/dicke.nc"} if figure == "fig9" else set()   # its minima
        assert set(record["inputs"]) == own | extra
    elif figure.startswith("gap_"):   # the scaling study's gap and N = infinity datasets
        study = record["study"]["name"]
        assert set(record["inputs"]) == {f"results/scaling/{figure[4:]}.nc",
                                         f"results/gap/{study}.nc",
                                         f"results/gaussian/{study}.nc"}
    else:
        assert all(p.startswith("results/scaling/") for p in record["inputs"])
    png_text = (out / f"{figure}.png").read_bytes()
    assert b"provenance" in png_text and record["created_utc"].encode() in png_text
    assert b"/Subject" in (out / f"{figure}.pdf").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("study", STUDIES)
def test_datasets_are_labelled_and_traceable(quick_run: Path, study: str) -> None:
    with xr.open_dataset(quick_run / "results" / "exact" / f"{study}.nc") as ds:
        for name in list(ds.data_vars) + [c for c in ds.coords if c not in
                                          ("component", "component_b")]:
            assert {"units", "long_name"} <= set(ds[name].attrs), name
        assert np.isfinite(ds["xi2"]).all()
        assert float(ds["residual"].max()) < 1e-9
        attrs = ds.attrs
        assert attrs["rule"] == "exact"
        assert json.loads(attrs["study"])["name"] == study
        history = attrs["history"].splitlines()
        assert " rule=exact " in history[0]
        assert any("rule=model" in line for line in history)
        inputs = json.loads(attrs["inputs"])
        shards = Study.from_config(json.loads(attrs["study"])).shards
        if shards == 1:   # solved by rule exact itself
            assert set(inputs) == {f"results/models/{study}.nc"}
        else:
            assert len(inputs) == shards
            assert all(p.startswith(f"results/exact/shards/{study}/") for p in inputs)
    assert not list((quick_run / "results").rglob("*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("study", STUDIES)
def test_limit_datasets_are_labelled_and_traceable(quick_run: Path, study: str) -> None:
    """Rule gaussian: the N = ∞ limit of every study, from the model and grid alone."""
    with xr.open_dataset(quick_run / "results" / "gaussian" / f"{study}.nc") as ds:
        assert "N" not in ds.dims and ds.attrs["rule"] == "gaussian"
        assert not json.loads(ds.attrs["inputs"])   # the model and the grid alone
        for name in ds.data_vars:
            assert {"units", "long_name"} <= set(ds[name].attrs), name
        unique = ds["limit_status"] == 0
        assert bool(unique.any()) and bool(np.isfinite(ds["xi2"].where(unique)).sum())


@pytest.mark.slow
def test_fig3_exact_is_tangent_to_perturbation_theory(quick_run: Path) -> None:
    """Near δJ = 0 exact and PT ξ² agree to first order: their difference is O(δJ²)."""
    results = quick_run / "results"
    exact = xr.open_dataset(results / "exact" / "fig3.nc").isel(N=0)
    pt = xr.open_dataset(results / "perturbative" / "fig3.nc").isel(N=0)
    small = exact["dJ"][np.abs(exact["dJ"]) <= 0.1 + 1e-12]
    gap = np.abs(exact["xi2"] - pt["xi2"]).sel(dJ=small)
    slope = np.abs(1 - pt["xi2"]).sel(dJ=small).max()
    assert float(gap.max()) < 0.1 * float(slope)
