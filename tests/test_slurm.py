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
# The quick config's study fig3 to its figure: every kind of sbatch job the profile
# makes (group prep, exact shards, group post with a figure) in about a minute. The
# whole quick config is 39 sbatch jobs, ~5 min on a 2-core node; run it with
# STEADYSQUEEZE_SLURM_TARGETS=all (or name other targets, space-separated).
TARGETS = os.environ.get(
    "STEADYSQUEEZE_SLURM_TARGETS",
    "results/figures/fig3.pdf results/figures/fig3.png results/exact/fig3.nc",
)
TARGET_ARGS = [] if TARGETS.strip() == "all" else TARGETS.split()
SLURM_WALL_S = 180 if TARGET_ARGS else 600  # hard limits (SIGKILL) of the SLURM run
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
    for folder in ("workflow", "config", "envs"):  # envs: the rules' conda: files
        if (REPO / folder).is_dir():
            shutil.copytree(
                REPO / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__")
            )
    return dest


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SNAKEMAKE_PROFILE", None)  # only the profile named on the command line
    return env


def _snakemake(
    workdir: Path, args: list[str], wall_s: int
) -> tuple[subprocess.CompletedProcess, float]:
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


def _outputs(workdir: Path, pattern: str) -> list[str]:
    return sorted(str(p.relative_to(workdir)) for p in (workdir / "results").rglob(pattern))


def test_quick_config_on_slurm_matches_local_run(cluster, tmp_path):
    slurm_dir = _copy_workflow(tmp_path / "slurm")
    time.sleep(1.1)  # jobs cancelled while the cluster started ended before `since`
    since = time.strftime("%Y-%m-%dT%H:%M:%S")
    result, elapsed = _snakemake(
        slurm_dir,
        [
            *TARGET_ARGS,  # first: --configfile and --default-resources take lists
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

    # Every job ran under SLURM: the sbatch jobs in snakemake's log are exactly the
    # jobs sacct recorded since the run began, and all of them completed.
    jobs = slurm_cluster.submitted_jobs(log)
    assert jobs, f"no 'submitted with SLURM jobid' lines in the log\n{log[-4000:]}"
    deadline = time.monotonic() + 60  # job records reach slurmdbd asynchronously
    while True:
        states = slurm_cluster.sacct_states(since)
        done = set(states) == set(jobs) and set(states.values()) == {"COMPLETED"}
        if done or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert set(states) == set(jobs), f"sacct lists {states}; snakemake submitted {jobs}"
    assert set(states.values()) == {"COMPLETED"}, states

    # The profile's grouping: per study one "prep" job (model + perturbative) and one
    # "post" job (exact gather + the study's figures); every exact shard its own job.
    kinds = sorted(jobs.values())
    studies = list((slurm_dir / "results" / "exact").glob("*.nc"))
    assert not {"rule_model", "rule_perturbative", "rule_exact"} & set(kinds), kinds
    assert sum(k.startswith("group_prep") for k in kinds) == len(studies), kinds
    assert sum(k.startswith("group_post") for k in kinds) == len(studies), kinds
    assert "rule_exact_shard" in kinds, kinds
    print(
        f"\nSLURM run of {CONFIG} ({TARGETS}): {elapsed:.1f} s, {len(jobs)} sbatch jobs "
        f"({', '.join(f'{kinds.count(k)} {k}' for k in sorted(set(kinds)))})"
    )

    local_dir = _copy_workflow(tmp_path / "local")
    local, local_elapsed = _snakemake(
        local_dir, [*TARGET_ARGS, "--cores", "2", "--configfile", CONFIG], LOCAL_WALL_S
    )
    assert local.returncode == 0, (local.stdout + local.stderr)[-6000:]
    print(f"local run of {CONFIG}: {local_elapsed:.1f} s")

    figures = _outputs(local_dir, "*.pdf") + _outputs(local_dir, "*.png")
    assert figures and figures == _outputs(slurm_dir, "*.pdf") + _outputs(slurm_dir, "*.png")
    datasets = _outputs(local_dir, "*.nc")
    assert datasets and datasets == _outputs(slurm_dir, "*.nc")
    for path in datasets:
        with xr.open_dataset(slurm_dir / path) as on_slurm, xr.open_dataset(
            local_dir / path
        ) as here:
            # data variables and coordinates; the attributes differ (times, history)
            xr.testing.assert_equal(on_slurm.load(), here.load())
            assert on_slurm.attrs.get("rule") == here.attrs.get("rule"), path
