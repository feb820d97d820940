"""Reliability: solver failures fail loudly, interrupted runs recover, results are deterministic.

The workflow tests use a tiny config (two studies, small N) so that ten interrupted
runs fit in CI; the code paths are the same as for the default config.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from steadysqueeze import exact
from steadysqueeze.pipeline import stages
from steadysqueeze.studies import Study

from workflow_helpers import copy_workflow

TINY = {
    "studies": [
        {"name": "fig3", "model": "xyz", "N": [6], "fixed": {"Jz": 1.0, "gamma": 1.0},
         "sweep": {"J": [-0.8], "dJ": {"start": -0.4, "stop": 0.4, "num": 5}}, "shards": 2},
        {"name": "dicke", "model": "dicke", "N": [6, 10], "fixed": {"Gamma": 1.0},
         "sweep": {"Omega": [0.0, 0.2, 0.4, 0.6]}, "shards": 2},
    ],
    "figures": {"fig3": {"study": "fig3"}, "fig9": {"study": "dicke"}},
}


#: the interruption test runs one study only (six jobs), ten times over
ONE_STUDY = {"studies": TINY["studies"][:1], "figures": {"fig3": {"study": "fig3"}}}


def tiny_workflow(where: Path, *, shards: int | None = None, base: dict = TINY) -> Path:
    config = yaml.safe_load(yaml.safe_dump(base))
    if shards is not None:
        for study in config["studies"]:
            study["shards"] = shards
    copy_workflow(where)
    (where / "config" / "tiny.yaml").write_text(yaml.safe_dump(config))
    return where


def snakemake_args(cores: int) -> list[str]:
    # --configfile replaces config/config.yaml (see the Snakefile)
    return [sys.executable, "-m", "snakemake", "--cores", str(cores), "--configfile",
            "config/tiny.yaml"]


def run_to_completion(workdir: Path, cores: int = 2) -> None:
    subprocess.run([*snakemake_args(cores), "--unlock"], cwd=workdir, capture_output=True,
                   timeout=120, check=True)
    result = subprocess.run([*snakemake_args(cores), "--rerun-incomplete"], cwd=workdir,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]


def datasets(workdir: Path) -> dict[str, xr.Dataset]:
    return {str(p.relative_to(workdir)): xr.load_dataset(p)
            for p in sorted((workdir / "results").glob("*/*.nc"))}


def assert_same_data(a: dict[str, xr.Dataset], b: dict[str, xr.Dataset]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        xr.testing.assert_equal(a[name].drop_attrs(), b[name].drop_attrs())


# -- solver failures -----------------------------------------------------------------
def test_failing_exact_solve_fails_the_shard_and_writes_nothing(tmp_path: Path,
                                                               monkeypatch) -> None:
    study = Study.from_config(TINY["studies"][0])
    model = tmp_path / "model.nc"
    stages.write_model(study, model)

    def no_convergence(*args, **kwargs):
        raise exact.SolverError("GMRES did not converge in 1 iterations")

    monkeypatch.setattr(exact.Scan, "solve", no_convergence)
    out = tmp_path / "shard.nc"
    with pytest.raises(exact.SolverError, match="did not converge"):
        stages.write_exact_shard(study, 0, model, out)
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_impossible_residual_tolerance_is_an_error() -> None:
    from steadysqueeze.models import make_model
    with pytest.raises(exact.SolverError, match="residual"):
        exact.steady_state(make_model("xyz", {"J": -0.8, "dJ": 0.3, "Jz": 1}), 6,
                           exact.SolverOptions(tolerance=0.0))


def test_workflow_reports_a_failing_job(tmp_path: Path) -> None:
    """A study whose exact solve cannot succeed makes snakemake fail, naming the rule."""
    workdir = tiny_workflow(tmp_path)
    sitecustomize = tmp_path / "fail" / "sitecustomize.py"
    sitecustomize.parent.mkdir()
    sitecustomize.write_text(
        "import steadysqueeze.exact as e\n"
        "def _fail(*a, **k):\n    raise e.SolverError('forced failure for the test')\n"
        "e.Scan.solve = _fail\n")
    env = {**os.environ, "PYTHONPATH": str(sitecustomize.parent)}
    result = subprocess.run(snakemake_args(2), cwd=workdir, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode != 0
    assert "exact_shard" in result.stderr
    logs = "".join(p.read_text() for p in (workdir / "logs" / "exact").rglob("*.log"))
    assert "forced failure for the test" in logs
    assert not (workdir / "results" / "exact" / "fig3.nc").exists()


# -- interruption --------------------------------------------------------------------
@pytest.fixture(scope="module")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, xr.Dataset]:
    workdir = tiny_workflow(tmp_path_factory.mktemp("reference"))
    run_to_completion(workdir)
    return datasets(workdir)


KILL_AFTER_SECONDS = (0.3, 0.8, 1.3, 1.8, 2.4, 3.0, 3.7, 4.5, 5.5, 7.0)


def all_netcdf_files_complete(workdir: Path) -> None:
    """Every .nc under a final name opens; temporary files never carry a final name."""
    for path in (workdir / "results").rglob("*.nc"):
        with xr.open_dataset(path) as ds:
            ds.load()


@pytest.mark.slow
def test_sigkill_at_ten_moments_then_rerun_matches(tmp_path: Path,
                                                   reference_run: dict[str, xr.Dataset]) -> None:
    workdir = tiny_workflow(tmp_path, base=ONE_STUDY)
    reference = {k: v for k, v in reference_run.items() if k.endswith("/fig3.nc")}
    interrupted = 0
    for delay in KILL_AFTER_SECONDS:
        process = subprocess.Popen([*snakemake_args(2), "--rerun-incomplete"], cwd=workdir,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(delay)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            interrupted += 1
        process.wait(timeout=60)
        all_netcdf_files_complete(workdir)
        run_to_completion(workdir)
        all_netcdf_files_complete(workdir)
        assert_same_data(datasets(workdir), reference)
        # start the next round from scratch, so that every kill hits a fresh run
        for path in (workdir / "results").rglob("*.nc"):
            path.unlink()
    assert interrupted >= 5, "the kills came too late to interrupt the run"


# -- determinism ---------------------------------------------------------------------
@pytest.mark.slow
def test_cores_and_shards_do_not_change_the_data(tmp_path: Path,
                                                 reference_run: dict[str, xr.Dataset]) -> None:
    """Unsharded on one core equals the reference run (2 shards per study, 2 cores)."""
    workdir = tiny_workflow(tmp_path, shards=1)
    run_to_completion(workdir, cores=1)
    assert_same_data(datasets(workdir), reference_run)


def test_repeated_solves_are_bitwise_identical() -> None:
    from steadysqueeze.models import make_model
    from steadysqueeze.observables import analyze
    model = make_model("tfi", {"Jx": 4.0, "Delta": -2.0})
    a, b = (analyze(exact.steady_state(model, 10)) for _ in range(2))
    assert a.xi2 == b.xi2 and np.array_equal(a.covariance, b.covariance)
