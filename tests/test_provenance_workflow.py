"""Provenance of workflow-written results, end to end (``slow``).

The quick config runs once (``quick_run`` in tests/conftest.py) and the tests check
``provenance show``, ``provenance verify`` (clean, tampered data, changed config) and
the HTML report on copies of its results. A tiny run checks that ``verify --config``
reads a config as the workflow does, wherever the config file lies.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_provenance import flip_byte, run_cli
from workflow_helpers import copy_workflow, snakemake

#: one small study without ``fixed:`` (the schema's default fills it), no figures
TINY_CONFIG = """\
studies:
  - name: tiny
    model: xyz
    N: [4]
    sweep:
      J: [-0.8]
      Jz: [1.0]
      dJ: [0.1, 0.2]
"""


@pytest.fixture
def workflow_run(quick_run: Path) -> Path:
    """The shared run of the quick config (tests/conftest.py)."""
    return quick_run


@pytest.fixture
def results_copy(workflow_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the run's results/ and config/ (cwd), safe to tamper with."""
    shutil.copytree(workflow_run / "results", tmp_path / "results")
    shutil.copytree(workflow_run / "config", tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.slow
def test_e2e_verify_passes(results_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "provenance", "verify", "results",
                           "--config", "config/quick.yaml")
    assert code == 0, out
    assert "the provenance chain holds" in out


@pytest.mark.slow
def test_e2e_verify_names_a_tampered_dataset(results_copy: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    flip_byte(Path("results/models/fig3.nc"))
    code, out, _ = run_cli(capsys, "provenance", "verify")
    assert code == 1
    assert "FAIL results/models/fig3.nc: contents no longer match" in out
    assert "FAIL results/perturbative/fig3.nc: recorded input results/models/fig3.nc" in out
    assert "FAIL results/models/xyz_map.nc" not in out


@pytest.mark.slow
def test_e2e_verify_names_a_changed_study_block(results_copy: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    config = Path("config/quick.yaml")
    text = config.read_text()
    assert "num: 13" in text
    config.write_text(text.replace("num: 13", "num: 15", 1))
    code, out, _ = run_cli(capsys, "provenance", "verify", "results", "--config", str(config))
    assert code == 1
    assert "CHANGED study fig3" in out
    assert "FAIL results/models/fig3.nc: study 'fig3': config block changed" in out
    assert "FAIL results/figures/fig3.provenance.json: study 'fig3'" in out


@pytest.mark.slow
def test_e2e_verify_names_a_forged_recorded_block(results_copy: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    sidecar = Path("results/figures/fig3.provenance.json")
    record = json.loads(sidecar.read_text())
    record["study"]["N"] = [30]
    sidecar.write_text(json.dumps(record))
    code, out, _ = run_cli(capsys, "provenance", "verify")
    assert code == 1
    assert ("FAIL results/figures/fig3.provenance.json: recorded study block hashes to" in out)
    assert "FAIL results/figures/fig3.pdf: provenance in its metadata differs" in out


@pytest.mark.slow
def test_e2e_show_figure(results_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "provenance", "show", "results/figures/fig3.pdf")
    assert code == 0
    record = json.loads(Path("results/figures/fig3.provenance.json").read_text())
    assert out.startswith("results/figures/fig3.pdf  [PDF metadata]")
    assert "rule: figure_fig3" in out
    assert f"commit {record['source']['commit']}" in out
    assert f"study: fig3  sha256 {record['study_sha256']}" in out
    assert 'model: "xyz"' in out and "sweep: " in out
    for path, sha in record["inputs"].items():
        assert f"{path}  sha256 {sha}  ok" in out
    assert "rule: exact_shard" in out and "rule: model" in out


@pytest.mark.slow
def test_e2e_report(workflow_run: Path) -> None:
    report = workflow_run / "results" / "report.html"
    done = snakemake(workflow_run, "--cores", "2", "--configfile", "config/quick.yaml",
                     "--report", str(report), timeout=1200)
    assert done.returncode == 0, done.stderr[-4000:]
    html = report.read_text()
    assert "Paper Fig. 3" in html and "What to look for" in html
    assert "results/figures/fig3.pdf" in html
    assert "system-message" not in html  # no reStructuredText errors in captions


# ------------------------------------------------------------------ where the config lies


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of :data:`TINY_CONFIG` (in the workflow copy's config/) in a fresh copy."""
    workdir = copy_workflow(tmp_path_factory.mktemp("tiny"))
    (workdir / "config" / "mine.yaml").write_text(TINY_CONFIG)
    done = snakemake(workdir, "--cores", "2", "--configfile", "config/mine.yaml")
    assert done.returncode == 0, done.stderr[-5000:]
    return workdir


@pytest.mark.slow
@pytest.mark.parametrize("where", ["config", "elsewhere"])
def test_e2e_verify_config_without_fixed(tiny_run: Path, where: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A study without ``fixed:`` verifies against its config in config/ or anywhere else
    (the workflow and ``verify --config`` read the config with the same loader)."""
    config = tiny_run / "config" / "mine.yaml"
    if where == "elsewhere":
        config = tmp_path / "elsewhere" / "mine.yaml"
        config.parent.mkdir()
        config.write_text(TINY_CONFIG)
    results = tiny_run / "results"
    assert (results / "exact" / "tiny.nc").is_file()
    code, out, _ = run_cli(capsys, "provenance", "verify", str(results), "--config", str(config),
                           "--workdir", str(tiny_run))
    assert code == 0, out
    assert "config block changed" not in out and "the provenance chain holds" in out
