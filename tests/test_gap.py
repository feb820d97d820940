"""The Liouvillian gap in the workflow (issue 24): the study option ``gap:``, the dataset
``results/gap/{study}.nc`` built from :func:`~steadysqueeze.exact.spectrum.slowest_eigenvalues`,
the power-law fit of the gap at the critical drive, the figure ``gap_{model}`` and the
rules ``gap_shard``/``gap`` in the workflow's DAG. Small N throughout (each test a few
seconds at most)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr
import yaml
from workflow_helpers import ROOT, snakemake_on_config

from steadysqueeze.config import load_config
from steadysqueeze.datasets import SECTOR_CODES, eigen_width, gap_dataset, gap_points
from steadysqueeze.exact.spectrum import slowest_eigenvalues
from steadysqueeze.figures import figure_jobs
from steadysqueeze.figures.gap import draw_gap
from steadysqueeze.pipeline.resources import gap_job_resources
from steadysqueeze.scaling import critical_gap_fit
from steadysqueeze.state import SolverError
from steadysqueeze.studies import ConfigError, Study

QUICK = ROOT / "config" / "quick.yaml"
#: a small xyz study through the transition at dJ_c = 1.868 (J = -0.8, Jz = 1)
BLOCK = {"name": "gapped", "model": "xyz", "N": [4, 6], "fixed": {"J": -0.8, "Jz": 1.0},
         "sweep": {"dJ": [0.5, 1.2, 2.2]}, "gap": {"k": 2, "critical_N": [8]}}
DRIVE_C = 1.868


def _spectrum(model, N: int, k: int):
    return slowest_eigenvalues(model, N, k)


def _limit(drive_c: float = DRIVE_C) -> xr.Dataset:
    return xr.Dataset({"drive_c": xr.DataArray(drive_c)})


@pytest.fixture(scope="module")
def gapped() -> tuple[Study, xr.Dataset]:
    study = Study.from_config(BLOCK)
    part = gap_points(study, study.gap.all_N, _limit()["drive_c"], _spectrum)
    return study, gap_dataset(study, [part], _limit())


def test_dataset_matches_the_spectrum(gapped: tuple[Study, xr.Dataset]) -> None:
    study, ds = gapped
    assert ds["gap"].dims == ("N", "dJ") and ds["eigenvalue_real"].dims == ("N", "dJ", "eigen")
    assert ds.sizes["eigen"] == eigen_width(2)
    for N in (4, 6):
        for dJ in (0.5, 1.2, 2.2):
            direct = slowest_eigenvalues(study.model_with(dJ=dJ), N, 2)
            point = ds.sel(N=N, dJ=dJ)
            n = direct.eigenvalues.size
            assert float(point["gap"]) == direct.gap
            assert int(point["gap_sector"]) == SECTOR_CODES[direct.sector]
            np.testing.assert_array_equal(point["eigenvalue_real"][:n], direct.eigenvalues.real)
            np.testing.assert_array_equal(point["eigenvalue_imag"][:n], direct.eigenvalues.imag)
            np.testing.assert_array_equal(point["eigenvalue_residual"][:n], direct.residuals)
            assert [int(c) for c in point["eigenvalue_sector"][:n]] == [
                SECTOR_CODES[s] for s in direct.sectors]
            assert np.isnan(point["eigenvalue_real"][n:]).all()
            assert (point["eigenvalue_sector"][n:] == SECTOR_CODES["none"]).all()
            for sector in ("even", "odd"):
                assert float(point["gap_by_sector"].sel(sector=sector)) == direct.gap_of(sector)
    critical = slowest_eigenvalues(study.model_with(dJ=DRIVE_C), 8, 2)
    assert float(ds["gap_critical"].sel(N_critical=8)) == critical.gap
    assert list(ds["N_critical"].values) == [4, 6, 8]
    for name in ds.data_vars:
        assert {"long_name", "units"} <= set(ds[name].attrs), name
    assert ds["gap"].attrs["units"] == "gamma"


def test_parts_per_N_gather_to_the_same_dataset(gapped: tuple[Study, xr.Dataset]) -> None:
    """A study sharded by N: one part per N (N = 8 only at the critical drive), gathered."""
    study, whole = gapped
    parts = [gap_points(study, [N], _limit()["drive_c"], _spectrum) for N in (8, 4, 6)]
    assert "N" not in parts[0].dims   # only the critical drive at N = 8
    xr.testing.assert_identical(gap_dataset(study, parts, _limit()), whole)
    with pytest.raises(ValueError, match="do not cover"):
        gap_dataset(study, parts[:2], _limit())


def test_a_solver_failure_is_an_error_not_nan() -> None:
    study = Study.from_config(BLOCK)

    def failing(model, N: int, k: int):
        raise SolverError("ARPACK did not converge")

    with pytest.raises(SolverError, match="ARPACK"):
        gap_points(study, [4], _limit()["drive_c"], failing)


def test_no_critical_drive_is_nan_with_no_sector() -> None:
    study = Study.from_config({**BLOCK, "N": [4], "gap": {"k": 1}})
    ds = gap_dataset(study, [gap_points(study, [4], _limit(np.nan)["drive_c"], _spectrum)],
                     _limit(np.nan))
    assert np.isnan(ds["gap_critical"]).all()
    assert (ds["gap_critical_sector"] == SECTOR_CODES["none"]).all()
    assert "nu_gap" not in ds   # fewer than three N


def test_power_law_fit_recovers_the_exponent() -> None:
    N = np.array([20, 30, 40, 50, 70, 100])
    fit = critical_gap_fit(N, 0.9 * N ** -0.37, {})
    assert float(fit["nu_gap"]) == pytest.approx(0.37, abs=1e-8)
    assert fit["nu_gap"].attrs["fit_a"] == pytest.approx(0.9, rel=1e-7)
    assert fit["nu_gap"].attrs["fit_N_max"] == 100
    noisy = 0.9 * N ** -0.5 * (1 + 0.01 * np.cos(N))
    assert float(critical_gap_fit(N, noisy, {})["nu_gap"]) == pytest.approx(0.5, abs=0.02)
    # NaN (no critical drive) is left out; fewer than three values: no fit
    assert critical_gap_fit(N[:3], np.array([0.5, np.nan, 0.4]), {}) == {}


def _quick() -> dict:
    return yaml.safe_load(QUICK.read_text())


def _with_gap(gap: object, study: str = "scaling_xyz") -> dict:
    config = _quick()
    for block in config["studies"]:
        if block["name"] == study:
            block["gap"] = copy.deepcopy(gap)
    return config


@pytest.mark.parametrize(("gap", "field"), [
    ({"k": 0}, "gap.k"),
    ({"N": [5]}, "gap.N"),
    ({"N": [4, 4]}, "gap.N"),
    ({"sweep": {"dJ": [0.7]}}, "gap.sweep.dJ"),
    ({"sweep": {"J": [0.1]}}, "gap.sweep"),
    ({"critical_N": [4]}, "gap.critical_N"),
    ({"critical_N": [1]}, "gap.critical_N"),
    ({"ks": 3}, "gap"),
    ("yes", "gap"),
])
def test_bad_gap_options_name_the_field(gap: object, field: str) -> None:
    with pytest.raises(ConfigError, match=f"study 'scaling_xyz': field '{field}'"):
        load_config(_with_gap(gap))


def test_critical_N_needs_the_scaling_drive() -> None:
    config = _quick()
    with pytest.raises(ConfigError, match="field 'gap.critical_N'.*scaling drive 'dJ'"):
        load_config({**config, "studies": [{"name": "flat", "model": "xyz", "N": [4],
                                            "fixed": {"J": -0.8, "dJ": 1.0},
                                            "gap": {"critical_N": [6]}}]})


def test_gap_options_and_defaults() -> None:
    study = load_config(_with_gap(True)).studies["scaling_xyz"]
    assert study.gap.k == 4 and study.gap.N == (4, 6, 8, 10) and study.gap.critical_N == ()
    assert list(study.gap.sweep["dJ"]) == list(study.sweep["dJ"])
    assert study.gap_job_per_N
    assert load_config(_with_gap(False)).studies["scaling_xyz"].gap is None
    quick = load_config(QUICK).studies
    assert quick["scaling_xyz"].gap.all_N == (4, 6, 8, 10, 20)
    assert not quick["scaling_tfi"].gap_job_per_N   # shards: 1, one job


def test_gap_resources_grow_with_N() -> None:
    study = load_config(QUICK).studies["scaling_xyz"]
    small, large = gap_job_resources(study, [10]), gap_job_resources(study, [20])
    assert large["mem_mb"] >= small["mem_mb"] > 200
    assert large["runtime"] > small["runtime"] > 0   # one point each: at the critical drive
    assert gap_job_resources(study, [4])["runtime"] > gap_job_resources(study, [10])["runtime"]


def test_gap_figure_only_for_scaling_studies_with_the_option() -> None:
    config = load_config(QUICK)
    jobs = {job.name: job for job in figure_jobs(config)}
    assert dict(jobs["gap_xyz"].inputs) == {"scaling": "results/scaling/xyz.nc",
                                            "gap": "results/gap/scaling_xyz.nc",
                                            "gaussian": "results/gaussian/scaling_xyz.nc"}
    assert "gap_tfi" in jobs and "gap_dicke" not in jobs
    without = SimpleNamespace(studies={**config.studies, "scaling_xyz": Study.from_config(
        {k: v for k, v in config.studies["scaling_xyz"].block.items() if k != "gap"})},
        figures={}, scaling=config.scaling)
    assert "gap_xyz" not in {job.name for job in figure_jobs(without)}


def _scaling(drive_at_min: list[float]) -> xr.Dataset:
    return xr.Dataset({"drive_at_min": ("N_located", drive_at_min)},
                      coords={"N_located": [4, 6]}, attrs={"drive": "dJ", "model_name": "xyz"})


def test_figure_draws_both_panels(gapped: tuple[Study, xr.Dataset]) -> None:
    _, ds = gapped
    limit = xr.Dataset({"gap": ("dJ", [0.5, 0.5, 0.5, 0.6])},
                       coords={"dJ": [0.5, 1.2, 1.8, 2.2]})
    fig = draw_gap({"gap": ds, "gaussian": limit, "scaling": _scaling([0.9, 1.1])})
    drive, critical = fig.axes
    assert drive.get_yscale() == "log" and critical.get_xscale() == "log"
    texts = [t.get_text() for t in critical.get_legend().get_texts()]
    assert any(r"\nu = " in t for t in texts)
    minima = [line for line in drive.get_lines() if line.get_marker() == "v"
              and line.get_xdata().size == 1]
    assert [float(m.get_xdata()[0]) for m in minima] == [0.9, 1.1]
    assert "Liouvillian gap" in drive.get_ylabel() and r"\gamma" in drive.get_ylabel()


def test_workflow_dag_has_the_gap_rules_only_with_the_option(tmp_path: Path) -> None:
    config = _quick()
    config["figures"] = {}
    config["studies"] = [b for b in config["studies"] if b["name"] in ("scaling_xyz",
                                                                       "scaling_tfi")]
    config["scaling"] = {m: s for m, s in config["scaling"].items() if m in ("xyz", "tfi")}
    with_gap = snakemake_on_config(config, tmp_path, "-n", "--quiet", "rules")
    assert with_gap.returncode == 0, with_gap.stderr
    # the job counts: gap_shard per N of scaling_xyz (4, 6, 8, 10, 20), one gather each
    assert _job_counts(with_gap.stdout) >= {("gap_shard", 5), ("gap", 2),
                                            ("figure_gap_xyz", 1), ("figure_gap_tfi", 1)}
    for block in config["studies"]:
        block.pop("gap")
    without = snakemake_on_config(config, tmp_path, "-n", "--quiet", "rules")
    assert without.returncode == 0, without.stderr
    assert not {rule for rule, _ in _job_counts(without.stdout) if "gap" in rule}


def _job_counts(stdout: str) -> set[tuple[str, int]]:
    """(rule, jobs) of a dry run's job table."""
    return {(rule, int(count)) for rule, count in re.findall(r"^(\w+)\s+(\d+)$", stdout,
                                                              re.MULTILINE)}
