"""Requests the tool cannot serve are refused at once: one message, no traceback, < 5 s.

One test per way a request can ask for too much (memory, grid size, shards) or for an
output that cannot be made (a scaling study without two non-zero drives, a figure
without its axes): on the CLI exit code 2, in the workflow a WorkflowError before any
job runs. Each asserts the exit code, that no traceback appears, that the message names
the field, and the time the refusal took.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from steadysqueeze.config import load_config
from steadysqueeze.exact.memory import peak_memory_bytes
from steadysqueeze.models import MODELS
from steadysqueeze.studies import ConfigError

from workflow_helpers import snakemake_on_config

ROOT = Path(__file__).resolve().parents[1]
#: a refusal is immediate; the limit leaves room for interpreter start-up on a loaded machine
REFUSAL_SECONDS = 5.0


def timed_run(args: list[str], **kwargs: Any) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    return result, time.perf_counter() - start


CLI_REFUSALS = {
    "local emission, N = 4000": (
        ["solve", "xyz", "--N", "4000", "--param", "Jx=1", "--param", "Jy=-1", "--param", "Jz=1"],
        "--N 4000"),
    "collective emission, N = 200000": (
        ["solve", "dicke", "--N", "200000", "--param", "Omega=0.3"], "--N 200000"),
    "a limit below a small solve": (
        ["solve", "dicke", "--N", "20", "--param", "Omega=0.3", "--max-memory", "0.01"],
        "--max-memory 0.01"),
    "a non-numeric limit": (
        ["solve", "dicke", "--N", "20", "--param", "Omega=0.3", "--max-memory", "lots"],
        "--max-memory"),
}


@pytest.mark.parametrize("case", sorted(CLI_REFUSALS))
def test_cli_refuses_what_cannot_fit(case: str) -> None:
    args, field = CLI_REFUSALS[case]
    result, seconds = timed_run([sys.executable, "-m", "steadysqueeze.cli", *args])
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert field in result.stderr
    assert seconds < REFUSAL_SECONDS


def test_max_memory_lets_a_small_solve_through() -> None:
    result, _ = timed_run([sys.executable, "-m", "steadysqueeze.cli", "solve", "dicke", "--N",
                           "20", "--param", "Omega=0.3", "--max-memory", "2"])
    assert result.returncode == 0, result.stderr


def test_memory_estimate_grows_with_the_unknowns() -> None:
    xyz, dicke = MODELS["xyz"], MODELS["dicke"]
    assert peak_memory_bytes(xyz, 300) > 2 * peak_memory_bytes(xyz, 200)
    # the driven Dicke model's closed form: dense (N+1)^2 matrices
    assert peak_memory_bytes(dicke, 20000) > 100 * peak_memory_bytes(dicke, 300)
    assert peak_memory_bytes(xyz, 100) > peak_memory_bytes(dicke, 100)


# -- the config ------------------------------------------------------------------------
def quick() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())


def edit_study(name: str, **changes: Any):
    def edit(config: dict[str, Any]) -> None:
        block = next(s for s in config["studies"] if s["name"] == name)
        block.update(copy.deepcopy(changes))
    return edit


CONFIG_REFUSALS = {
    "N = 5000": (edit_study("tfi_line", N=[5000]), ["tfi_line", "'N'", "max_memory_gb"]),
    "10^8 grid points": (edit_study("tfi_line", sweep={"Jx": {"start": 0, "stop": 1,
                                                               "num": 100_000_000}}),
                         ["tfi_line", "'sweep'", "max_grid_points"]),
    "more shards than points": (edit_study("tfi_line", shards=1000),
                                ["tfi_line", "'shards'", "10 grid point"]),
    "scaling with one drive value": (edit_study("scaling_xyz", sweep={"dJ": [0.2]}, gap=True),
                                     ["scaling_xyz", "sweep.dJ", "two non-zero"]),
    "scaling with a zero and one drive value": (
        edit_study("scaling_tfi", sweep={"Jx": [0.0, 0.5]}, gap=True),
        ["scaling_tfi", "sweep.Jx", "two non-zero"]),
    "scaling over one N": (edit_study("scaling_dicke", N=[20], shard_by="point"),
                           ["scaling.dicke.study", "two N"]),
    "a map figure over one row": (edit_study("xyz_map", sweep={"Jx": [-1.0, 1.0],
                                                                "Jy": [0.5]}),
                                  ["fig4", "Jy"]),
}


@pytest.mark.parametrize("case", sorted(CONFIG_REFUSALS))
def test_config_refuses_what_cannot_run(case: str) -> None:
    edit, words = CONFIG_REFUSALS[case]
    config = quick()
    edit(config)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert time.perf_counter() - start < REFUSAL_SECONDS
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_max_memory_gb_raises_the_limit() -> None:
    config = quick()
    edit_study("tfi_line", N=[400])(config)
    with pytest.raises(ConfigError, match="max_memory_gb"):
        load_config({**config, "max_memory_gb": 1.0})
    load_config({**config, "max_memory_gb": 1000.0})


def test_max_grid_points_is_configurable() -> None:
    config = quick()
    with pytest.raises(ConfigError, match="max_grid_points = 10"):
        load_config({**config, "max_grid_points": 10})


@pytest.mark.parametrize("case", ["N = 5000", "10^8 grid points", "more shards than points",
                                  "scaling with one drive value"])
def test_workflow_refuses_before_any_job(case: str, tmp_path: Path) -> None:
    edit, words = CONFIG_REFUSALS[case]
    config = quick()
    edit(config)
    start = time.perf_counter()
    result = snakemake_on_config(config, tmp_path, "-n")
    seconds = time.perf_counter() - start
    output = result.stdout + result.stderr  # a dry run reports on stdout
    assert result.returncode != 0
    assert "invalid config" in output
    assert "Traceback" not in output
    assert all(word in output for word in words), output
    assert not (tmp_path / "results").exists()
    assert seconds < 3 * REFUSAL_SECONDS  # snakemake's own start-up included
