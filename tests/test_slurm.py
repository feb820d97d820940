"""HPC reproduction: the quick config through snakemake-executor-plugin-slurm on a
real one-node SLURM cluster started on this machine (tests/slurm_cluster.py) gives
the same datasets as a local run. Skips where SLURM cannot be started (not root,
Debian's SLURM packages absent); CI installs them (.ci/run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import xarray as xr

import slurm_cluster

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CONFIG = "config/quick.yaml"
DATASETS = ("results/models/fig3.nc", "results/perturbative/fig3.nc", "results/exact/fig3.nc")
FIGURES = ("results/figures/fig3.pdf", "results/figures/fig3.png")
SLURM_WALL_S = 300  # hard limit (SIGKILL) of the SLURM run; it takes ~1 min
LOCAL_WALL_S = 300


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    try:
        started = slurm_cluster.start(tmp_path_factory.mktemp("slurm"))
    except slurm_cluster.SlurmUnavailable as reason:
        pytest.skip(f"SLURM cannot be started here: {reason}")
    try:
        yield started
    finally:
        started.stop()


def _copy_workflow(dest: Path) -> Path:
    dest.mkdir()
    shutil.copy2(REPO / "Snakefile", dest / "Snakefile")
    for folder in ("workflow", "config"):
        shutil.copytree(
            REPO / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return dest


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SNAKEMAKE_PROFILE", None)  # only the profile named on the command line
    return env


def _snakemake(workdir: Path, args: list[str], wall_s: int) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    result = subprocess.run(
        ["timeout", "-s", "KILL", str(wall_s), "snakemake", *args],
        cwd=workdir,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=wall_s + 30,
    )
    return result, time.monotonic() - start


def _slurm_logs(workdir: Path) -> str:
    logs = sorted((workdir / ".snakemake" / "slurm_logs").rglob("*.log"))
    return "\n".join(f"--- {p}:\n{p.read_text(errors='replace')[-2000:]}" for p in logs)


def test_quick_config_on_slurm_matches_local_run(cluster, tmp_path):
    slurm_dir = _copy_workflow(tmp_path / "slurm")
    result, elapsed = _snakemake(
        slurm_dir,
        [
            "--executor", "slurm",
            "--workflow-profile", "workflow/profiles/slurm",
            "--configfile", CONFIG,
            "--default-resources",
            f"slurm_account={cluster.account}",
            f"slurm_partition={cluster.partition}",
            "--slurm-init-seconds-before-status-checks", "5",
            "--slurm-keep-successful-logs",
        ],
        SLURM_WALL_S,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"snakemake on SLURM exited {result.returncode} after {elapsed:.0f} s "
        f"(-9: killed at the {SLURM_WALL_S} s limit)\n{log[-6000:]}\n"
        f"{_slurm_logs(slurm_dir)}\n{cluster.logs()}"
    )

    # Every job ran under SLURM: one sbatch job per group job or ungrouped job --
    # the profile groups model+perturbative ("prep") and exact+figures ("post"),
    # and each of the study's 2 exact shards is its own job.
    job_ids = slurm_cluster.submitted_job_ids(log)
    assert len(job_ids) == 4, f"expected 4 sbatch jobs, got {job_ids}\n{log[-4000:]}"
    assert len(set(job_ids)) == len(job_ids)
    deadline = time.monotonic() + 60  # job completions reach slurmdbd asynchronously
    while True:
        states = slurm_cluster.sacct_states(job_ids)
        if all(states.get(j) == "COMPLETED" for j in job_ids) or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert all(states.get(j) == "COMPLETED" for j in job_ids), (
        f"sacct states {states} for the submitted jobs {job_ids}"
    )
    print(f"SLURM run of {CONFIG}: {elapsed:.1f} s, {len(job_ids)} sbatch jobs {job_ids}")

    local_dir = _copy_workflow(tmp_path / "local")
    local, local_elapsed = _snakemake(
        local_dir, ["--cores", "2", "--configfile", CONFIG], LOCAL_WALL_S
    )
    assert local.returncode == 0, (local.stdout + local.stderr)[-6000:]
    print(f"local run of {CONFIG}: {local_elapsed:.1f} s")

    for path in FIGURES:
        assert (slurm_dir / path).stat().st_size > 0, path
    for path in DATASETS:
        with xr.open_dataset(slurm_dir / path) as on_slurm, xr.open_dataset(
            local_dir / path
        ) as here:
            # data variables and coordinates; attributes differ (times, history)
            xr.testing.assert_equal(on_slurm.load(), here.load())
            assert on_slurm.attrs["rule"] == here.attrs["rule"]
