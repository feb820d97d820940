"""The figure registry: a toy figure registered and drawn, the figure jobs of a config,
and the check that a figure's study has the figure's model and sweep axes."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from matplotlib.figure import Figure

from steadysqueeze.config import load_config
from steadysqueeze.figures import (FIGURES, FigureSpec, check_figure_study, draw_figure,
                                   figure_jobs, register, unregister)
from steadysqueeze.provenance import read_pdf_subject, read_png_text
from steadysqueeze.studies import ConfigError

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "config" / "quick.yaml"
QUICK_FIGURES = ["fig3", "fig4", "fig6", "fig7", "fig9", "figB", "scaling_xyz", "scaling_tfi",
                 "scaling_dicke", "minimal_uncertainty"]
TOY_BLOCK = {"name": "toy_study", "model": "xyz", "N": [4], "fixed": {"Jz": 1.0},
             "sweep": {"J": [0.5], "dJ": [0.0, 0.1]}}


def draw_toy(data: Mapping[str, xr.Dataset]) -> Figure:
    """A line through the toy dataset's points."""
    ds = data["line"]
    fig, ax = plt.subplots(figsize=(2.0, 1.5))
    ax.plot(ds["x"], ds["y"])
    return fig


@pytest.fixture
def toy() -> Iterator[FigureSpec]:
    spec = register(FigureSpec(name="toy", draw=draw_toy, model="xyz",
                               sweep=frozenset({"J", "dJ"}), caption="Toy of ``{study}``."))
    try:
        yield spec
    finally:
        unregister("toy")
    assert "toy" not in FIGURES


def test_toy_figure_is_drawn_with_its_provenance(toy: FigureSpec, tmp_path: Path) -> None:
    x = np.linspace(0.0, 1.0, 5)
    path = tmp_path / "line.nc"
    xr.Dataset({"y": ("x", x**2)}, coords={"x": x}).to_netcdf(path)
    out = {ext: str(tmp_path / "figures" / f"toy.{ext}") for ext in ("pdf", "png")}
    sidecar = tmp_path / "figures" / "toy.provenance.json"
    draw_figure("toy", inputs={"line": str(path)}, pdf=out["pdf"], png=out["png"],
                provenance=str(sidecar), study=TOY_BLOCK, rule="figure_toy")

    record = json.loads(sidecar.read_text())
    assert record["rule"] == "figure_toy"
    assert record["study"] == TOY_BLOCK and record["study_sha256"]
    assert list(record["inputs"]) == [str(path)]
    assert set(record["datasets"]) == {str(path)}
    assert record["source"]["package"] == "steadysqueeze"
    # the same record in the PDF's /Subject and the PNG's text chunk
    assert json.loads(read_pdf_subject(out["pdf"])) == record
    assert json.loads(read_png_text(out["png"])) == record
    assert not list((tmp_path / "figures").glob(".*"))  # no temporaries left behind


def test_registering_a_name_twice_is_refused(toy: FigureSpec) -> None:
    with pytest.raises(ValueError, match="toy"):
        register(toy)


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "bad name", "model": "xyz", "sweep": {"J"}}, "identifier"),
    ({"name": "bad", "source": "elsewhere"}, "source"),
    ({"name": "bad"}, "model and sweep"),
])
def test_malformed_specs_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FigureSpec(draw=draw_toy, **kwargs)


def test_figure_jobs_of_the_quick_config() -> None:
    config = load_config(QUICK)
    jobs = {job.name: job for job in figure_jobs(config)}
    assert list(jobs) == QUICK_FIGURES
    fig3 = jobs["fig3"]
    assert fig3.rule == "figure_fig3" and fig3.spec is FIGURES["fig3"]
    assert dict(fig3.inputs) == {"model": "results/models/fig3.nc",
                                 "perturbative": "results/perturbative/fig3.nc",
                                 "exact": "results/exact/fig3.nc"}
    assert fig3.study == config.studies["fig3"].block
    assert fig3.outputs == {"pdf": "results/figures/fig3.pdf",
                            "png": "results/figures/fig3.png",
                            "provenance": "results/figures/fig3.provenance.json"}
    assert jobs["fig4"].inputs["exact"] == "results/exact/xyz_map.nc"
    scaling = jobs["scaling_tfi"]
    assert scaling.spec.name == "scaling" and dict(scaling.inputs) == {
        "scaling": "results/scaling/tfi.nc"}
    assert scaling.study["name"] == "scaling_tfi"
    minimal = jobs["minimal_uncertainty"]
    assert dict(minimal.inputs) == {m: f"results/scaling/{m}.nc" for m in ("xyz", "tfi", "dicke")}
    assert minimal.study is None
    # one SLURM job per study: every figure joins its study's "post" group, except the
    # one that reads every scaling study
    assert {name: job.group for name, job in jobs.items() if job.group != "post"} == {
        "minimal_uncertainty": None}
    assert {job.category for job in jobs.values()} == {"Paper figures", "Finite-N scaling"}
    for job in jobs.values():  # captions filled from the config
        assert job.caption and "{" not in job.caption and "}" not in job.caption
    assert "study ``fig3``: N = 20 emitters, Jz = 1.0, gamma = 1.0" in fig3.caption
    assert "[-0.6, 0.6] in 13 points" in fig3.caption
    assert "model ``tfi``, study ``scaling_tfi``:\nN = 4, 6, 8, 10, 12." in scaling.caption


def test_figure_jobs_without_figures_or_scaling() -> None:
    config = load_config(QUICK)
    bare = SimpleNamespace(studies=config.studies, figures={}, scaling={})
    assert figure_jobs(bare) == []
    one = SimpleNamespace(studies=config.studies, figures={}, scaling={"dicke": "scaling_dicke"})
    assert [job.name for job in figure_jobs(one)] == ["scaling_dicke", "minimal_uncertainty"]


def test_a_registered_figure_is_drawn_when_the_config_names_it(toy: FigureSpec) -> None:
    config = load_config(QUICK)
    chosen = SimpleNamespace(studies=config.studies, figures={"toy": "fig3"}, scaling={})
    [job] = figure_jobs(chosen)
    assert (job.name, job.rule, job.spec) == ("toy", "figure_toy", toy)
    assert job.caption == "Toy of ``fig3``."


def test_a_study_of_the_wrong_model_is_rejected() -> None:
    studies = load_config(QUICK).studies
    assert check_figure_study("fig3", studies["fig3"]) is studies["fig3"]
    with pytest.raises(ConfigError, match=r"figures\.fig3\.study: study 'dicke' must be model "
                       r"'xyz' sweeping J, dJ; it is 'dicke' sweeping Omega"):
        check_figure_study("fig3", studies["dicke"])


def test_a_study_of_the_wrong_axes_is_rejected() -> None:
    studies = load_config(QUICK).studies
    with pytest.raises(ConfigError, match=r"figures\.fig4\.study: study 'fig3' must be model "
                       r"'xyz' sweeping Jx, Jy; it is 'xyz' sweeping J, dJ"):
        check_figure_study("fig4", studies["fig3"])
    config = SimpleNamespace(studies=studies, figures={"fig6": "tfi_map"}, scaling={})
    with pytest.raises(ConfigError, match=r"figures\.fig6\.study: study 'tfi_map'"):
        figure_jobs(config)


def test_an_unknown_figure_is_rejected() -> None:
    studies = load_config(QUICK).studies
    with pytest.raises(ConfigError, match=r"figures\.fig5: unknown; available: fig3, fig4"):
        check_figure_study("fig5", studies["fig3"])
    with pytest.raises(ConfigError, match=r"figures\.scaling: unknown"):  # not a study figure
        check_figure_study("scaling", studies["scaling_xyz"])
