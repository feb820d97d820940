"""The figure registry: a toy figure registered and drawn, the figure jobs of a config,
and the check that a figure's study has the figure's model and sweep axes; every
registered figure drawn from small datasets (paper figures from tiny studies run through
the pipeline stages, finite-N figures from synthetic scaling datasets assembled by
:func:`steadysqueeze.scaling.scaling_dataset`, with and without the fits)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
import yaml
from matplotlib.figure import Figure

from steadysqueeze.config import load_config
from steadysqueeze.datasets import coordinate_attrs, limit_dataset
from steadysqueeze.models import MODELS
from steadysqueeze.figures import (FIGURES, FigureSpec, check_figure_study, draw_figure,
                                   figure_jobs, register, unregister)
from steadysqueeze.figures.paper import draw_fig9
from steadysqueeze.figures.scaling import draw_scaling
from steadysqueeze.figures.style import value_pm
from steadysqueeze.figures.transition import draw_transition, transition_Ns
from steadysqueeze.pipeline import stages
from steadysqueeze.provenance import read_pdf_subject, read_png_text
from steadysqueeze.scaling import scaling_dataset
from steadysqueeze.studies import ConfigError, Study

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "config" / "quick.yaml"
QUICK_FIGURES = ["fig3", "fig4", "fig6", "fig7", "fig9", "figB", "robustness", "scaling_xyz",
                 "scaling_tfi",
                 "scaling_dicke", "minimal_uncertainty", "transition_xyz", "transition_tfi",
                 "transition_dicke", "approach_xyz", "approach_tfi", "approach_dicke",
                 "gap_xyz", "gap_tfi"]
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
    ({"name": "bad", "source": "scaling", "with_scaling": True}, "with_scaling"),
    ({"name": "bad", "source": "studies", "roles": {"a": {"J"}}, "with_minima": True,
      "drives": {"b": "J"}}, "drives name roles"),
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
                                 "exact": "results/exact/fig3.nc",
                                 "gaussian": "results/gaussian/fig3.nc"}
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
    # fig9 also reads the dicke scaling study (its located minima): a job of its own
    # and so does the robustness figure, which reads two studies
    assert {name: job.group for name, job in jobs.items() if job.group != "post"} == {
        "minimal_uncertainty": None, "fig9": None, "robustness": None}
    stages_by_kind = (("model", "models"), ("perturbative", "perturbative"),
                      ("exact", "exact"), ("gaussian", "gaussian"), ("minima", "minima"))
    assert dict(jobs["robustness"].inputs) == {  # minima only where the figure reads them
        f"{role}_{kind}": f"results/{stage}/{study}.nc"
        for role, study in (("emission", "robust_dicke"), ("dephasing", "robust_xyz"),
                            ("emission_curves", "robust_dicke_curves"),
                            ("dephasing_curves", "robust_xyz_curves"))
        for kind, stage in stages_by_kind if kind != "minima" or "curves" not in role}
    assert jobs["robustness"].study is None
    assert dict(jobs["fig9"].inputs) == {"model": "results/models/dicke.nc",
                                         "perturbative": "results/perturbative/dicke.nc",
                                         "exact": "results/exact/dicke.nc",
                                         "gaussian": "results/gaussian/dicke.nc",
                                         "scaling": "results/scaling/dicke.nc"}
    assert "scaling" not in jobs["figB"].inputs
    assert dict(jobs["transition_dicke"].inputs) == {"scaling": "results/scaling/dicke.nc"}
    assert {job.category for job in jobs.values()} == {"Paper figures", "Finite-N scaling",
                                                       "Beyond the paper"}
    # dephasing leaves |phi_0> dark (shifted): PT applies everywhere, nothing to say
    assert "Perturbation theory in study" not in jobs["robustness"].caption + fig3.caption
    for job in jobs.values():  # captions filled from the config
        assert job.caption and "{" not in job.caption and "}" not in job.caption
    assert "study ``fig3``: N = 20 emitters, Jz = 1.0, gamma = 1.0" in fig3.caption
    assert "[-0.6, 0.6] in 13 points" in fig3.caption
    assert "model ``tfi``, study ``scaling_tfi``:\nN = 4, 6, 8, 10." in scaling.caption


def test_caption_says_where_and_why_perturbation_theory_does_not_apply() -> None:
    data = yaml.safe_load(QUICK.read_text())
    data["models"]["xyz_dephasing"]["dissipation"]["pumping"] = "gamma_phi"
    [job] = [j for j in figure_jobs(load_config(data)) if j.name == "robustness"]
    assert ("Perturbation theory in study robust_xyz: not applicable at 48 of 64 points "
            "(exact only there): \\|phi_0> is not dark under pumping") in job.caption
    assert _rst_warnings(job.caption) == ""


def _rst_warnings(text: str) -> str:
    """What docutils reports while rendering ``text`` (the report's captions)."""
    import io

    import docutils.core

    stream = io.StringIO()
    docutils.core.publish_parts(text, writer="html",
                                settings_overrides={"warning_stream": stream,
                                                    "report_level": 2})
    return stream.getvalue()


def test_every_caption_is_valid_restructured_text() -> None:
    for config in (QUICK, ROOT / "config" / "config.yaml"):
        for job in figure_jobs(load_config(config)):
            assert _rst_warnings(job.caption) == "", job.name


def test_figure_jobs_without_figures_or_scaling() -> None:
    config = load_config(QUICK)
    bare = SimpleNamespace(studies=config.studies, figures={}, scaling={})
    assert figure_jobs(bare) == []
    one = SimpleNamespace(studies=config.studies, figures={}, scaling={"dicke": "scaling_dicke"})
    assert [job.name for job in figure_jobs(one)] == ["scaling_dicke", "minimal_uncertainty",
                                                      "transition_dicke", "approach_dicke"]


def test_fig9_reads_the_dicke_scaling_study_only_when_there_is_one() -> None:
    config = load_config(QUICK)
    alone = SimpleNamespace(studies=config.studies, figures={"fig9": "dicke"},
                            scaling={"xyz": "scaling_xyz"})
    [fig9] = [job for job in figure_jobs(alone) if job.name == "fig9"]
    assert "scaling" not in fig9.inputs and fig9.group == "post"
    same = SimpleNamespace(studies=config.studies, figures={"fig9": "scaling_dicke"},
                           scaling={"dicke": "scaling_dicke"})
    [fig9] = [job for job in figure_jobs(same) if job.name == "fig9"]
    # one study: the figure stays in that study's "post" job
    assert fig9.inputs["scaling"] == "results/scaling/dicke.nc" and fig9.group == "post"


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


# --- every registered figure, drawn -------------------------------------------------------

#: tiny studies for the paper figures (N = 4; model, perturbative and exact stages)
STUDY_BLOCKS = {
    "fig3": {"model": "xyz", "N": [4], "fixed": {"Jz": 1.0},
             "sweep": {"J": [-0.8, -0.2], "dJ": [-0.2, 0.0, 0.2]}},
    "fig4": {"model": "xyz", "N": [4], "fixed": {"Jz": 1.0},
             "sweep": {"Jx": [-1.0, 1.0, 3.0], "Jy": [-1.0, 1.0, 3.0]}},
    "fig6": {"model": "tfi", "N": [4], "fixed": {"Delta": -6.0},
             "sweep": {"Jx": [0.0, 2.0, 4.0, 7.0]}},
    "fig7": {"model": "tfi", "N": [4], "fixed": {}, "sweep": {"Jx": [-2.0, 2.0],
                                                              "Delta": [-2.0, 2.0]}},
    "fig9": {"model": "dicke", "N": [4, 8], "fixed": {"Gamma": 1.0},
             "sweep": {"Omega": [0.0, 0.2, 0.4, 0.6]}},
}
STUDY_BLOCKS["figB"] = STUDY_BLOCKS["fig9"]
#: synthetic scaling studies: drive, its values, fixed parameters, mean-field critical drive
SCALING = {
    "xyz": ("dJ", np.linspace(0.01, 2.4, 25), {"J": -0.8, "Jz": 1.0, "gamma": 1.0}, 1.868, 1),
    "tfi": ("Jx", np.linspace(0.01, 8.0, 25), {"Delta": -6.0, "gamma": 1.0}, 6.042, 1),
    "dicke": ("Omega", np.linspace(0.005, 0.6, 25), {"Gamma": 1.0}, 0.5, 2),
}


def synthetic_scaling(model: str, Ns: list[int], interior: bool = True) -> xr.Dataset:
    """A scaling dataset with the real layout: smooth synthetic exact and PT curves and
    located minima ξ²_min = 0.9 N^-0.2 (dicke: [1.5 (ln N + ln ln N + 0.5)/N]^(1/3)) at
    d* = d_c (1 − 0.8 N^-0.4), assembled by :func:`scaling_dataset` (which adds the fits
    when enough minima are interior)."""
    drive, values, fixed, critical, order = SCALING[model]
    N = np.asarray(Ns)[:, None]
    x = values[None, :] / critical
    xi2 = 1 - 0.6 * x ** order + 2.0 * np.clip(x - 0.9, 0, None) ** 2 * N
    entropy = np.log1p(N * x ** 4)
    cls = MODELS[model]
    coords = {"N": ("N", Ns, coordinate_attrs(cls, "N")),
              drive: (drive, values, coordinate_attrs(cls, drive)),
              **{k: ((), v, coordinate_attrs(cls, k)) for k, v in fixed.items()}}
    dims = ("N", drive)
    exact = xr.Dataset({"xi2": (dims, xi2), "entropy": (dims, entropy),
                        "purity": (dims, np.exp(-entropy)),
                        "qfi": (dims, N / xi2 * (1 + 0.1 * x))}, coords=coords)
    pt = xr.Dataset({"xi2": (dims, 1 - 0.6 * x ** order * (1 - 1 / N) + 0 * xi2)},
                    coords=coords)
    Nf = np.asarray(Ns, dtype=float)
    xi2_min = (np.cbrt(1.5 * (np.log(Nf) + np.log(np.log(Nf)) + 0.5) / Nf) if model == "dicke"
               else 0.9 * Nf ** -0.2)
    minima = xr.Dataset({"xi2_min": ("N", xi2_min),
                         "drive_at_min": ("N", critical * (1 - 0.8 * Nf ** -0.4)),
                         "minimum_evaluations": ("N", np.full(len(Ns), 12)),
                         "minimum_interior": ("N", np.full(len(Ns), int(interior)))},
                        coords={"N": Ns})
    limit = limit_dataset(cls, {drive: values}, fixed)
    return scaling_dataset(exact, pt, minima, limit, model=cls, drive=drive, order=order)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Input paths by role, per output name, like :attr:`FigureJob.inputs`."""
    where = tmp_path_factory.mktemp("figure_data")
    inputs: dict[str, dict[str, str]] = {}
    for model in SCALING:
        Ns = [4, 8, 20, 50, 100, 200, 300, 1000] if model == "dicke" else [4, 6, 8, 10, 12]
        synthetic_scaling(model, Ns).to_netcdf(where / f"scaling_{model}.nc")
        inputs[f"scaling_{model}"] = {"scaling": str(where / f"scaling_{model}.nc")}
        inputs[f"transition_{model}"] = inputs[f"scaling_{model}"]
        inputs[f"approach_{model}"] = inputs[f"scaling_{model}"]
        inputs[f"gap_{model}"] = {**inputs[f"scaling_{model}"], **_gap_inputs(where, model)}
    inputs["minimal_uncertainty"] = {m: str(where / f"scaling_{m}.nc") for m in SCALING}
    for name, block in STUDY_BLOCKS.items():
        study = Study.from_config({"name": name, **block})
        paths = {role: where / f"{name}_{role}.nc" for role in ("model", "perturbative", "exact")}
        stages.write_model(study, paths["model"])
        stages.write_perturbative(study, paths["model"], paths["perturbative"])
        shards = [where / f"{name}_shard{k}.nc" for k in range(study.shards)]
        for k, path in enumerate(shards):
            stages.write_exact_shard(study, k, paths["model"], path)
        stages.write_exact_gather(study, shards, paths["exact"])
        paths["gaussian"] = where / f"{name}_gaussian.nc"
        stages.write_gaussian(study, paths["gaussian"])
        inputs[name] = {role: str(path) for role, path in paths.items()}
    inputs["fig9"]["scaling"] = inputs["scaling_dicke"]["scaling"]
    inputs["robustness"] = _robustness_inputs(where)
    return inputs


def _gap_inputs(where: Path, model: str) -> dict[str, str]:
    """The gap figure's own datasets: a study through the model's transition at N = 4, 6
    with the gap option (also at N = 8 at the critical drive) and its N = ∞ dataset."""
    drive, _, fixed, critical, _ = SCALING[model]
    study = Study.from_config({"name": f"gap_{model}", "model": model, "N": [4, 6],
                               "fixed": fixed, "sweep": {drive: [0.3 * critical, critical * 0.8,
                                                                  1.2 * critical]},
                               "gap": {"k": 2, "critical_N": [8]}})
    paths = {role: where / f"gap_{model}_{role}.nc" for role in ("gaussian", "gap")}
    stages.write_gaussian(study, paths["gaussian"])
    stages.write_gap(study, paths["gaussian"], paths["gap"])
    return {role: str(path) for role, path in paths.items()}


def _robustness_inputs(where: Path) -> dict[str, str]:
    """The robustness figure's datasets from the quick config's declared-model studies at
    N = 4 (every stage, the located minima included)."""
    config = load_config(QUICK)
    with_minima = FIGURES["robustness"].minima_roles()
    inputs = {}
    for role, name in config.figures["robustness"].items():
        study = Study.from_config({**config.studies[name].block, "N": [4]})
        path = {kind: where / f"{name}_{kind}.nc" for kind in (
            "model", "perturbative", "exact", "gaussian", "minimum", "minima")}
        stages.write_model(study, path["model"])
        stages.write_perturbative(study, path["model"], path["perturbative"])
        stages.write_exact_shard(study, 0, path["model"], where / f"{name}_shard.nc")
        stages.write_exact_gather(study, [where / f"{name}_shard.nc"], path["exact"])
        stages.write_gaussian(study, path["gaussian"])
        kinds = ["model", "perturbative", "exact", "gaussian"]
        if role in with_minima:
            stages.write_minimum(study, N=4, exact_path=path["exact"], output=path["minimum"])
            stages.write_minima(study, [path["minimum"]], path["minima"])
            kinds.append("minima")
        inputs.update({f"{role}_{kind}": str(path[kind]) for kind in kinds})
    return inputs


def _output_names() -> list:
    names = []
    for name, spec in FIGURES.items():
        if spec.source == "scaling":
            names += [f"{name}_{model}" for model in SCALING]
        else:
            names.append(name)
    return names


@pytest.mark.parametrize("output", _output_names())
def test_every_registered_figure_is_drawn(output: str, datasets: dict, tmp_path: Path) -> None:
    spec = next(s for n, s in FIGURES.items() if output == n or output.startswith(n + "_")
                and s.source == "scaling")
    paths = {ext: str(tmp_path / f"{output}.{ext}") for ext in ("pdf", "png")}
    draw_figure(spec.name, inputs=datasets[output], pdf=paths["pdf"], png=paths["png"],
                provenance=str(tmp_path / f"{output}.json"), study=None, rule=f"figure_{output}")
    assert Path(paths["png"]).stat().st_size > 10_000 and Path(paths["pdf"]).exists()


def _labels(fig: Figure) -> list[str]:
    """The legend entries of every panel."""
    return [text.get_text() for ax in fig.axes if ax.get_legend()
            for text in ax.get_legend().get_texts()]


@pytest.mark.parametrize("model", sorted(SCALING))
def test_scaling_figures_without_the_fits(model: str, tmp_path: Path) -> None:
    """Too few interior minima: the dataset has no fits, and the figures say so."""
    for interior, Ns in ((True, [4, 8]), (False, [4, 6, 8, 10, 12])):
        ds = synthetic_scaling(model, Ns, interior=interior)
        assert not {"nu", "nu_log", "mu", "drive_c_fit"} & set(ds.data_vars)
        fig = draw_scaling({"scaling": ds})
        assert "too few interior minima to fit" in _labels(fig)
        fig.canvas.draw()  # lays the panels out
        plt.close(fig)
        fig = draw_transition({"scaling": ds})
        assert ("minimum at the sweep end" in _labels(fig)) is not interior
        plt.close(fig)
    path = tmp_path / f"{model}.nc"
    ds.to_netcdf(path)
    draw_figure("minimal_uncertainty", inputs={model: str(path)}, pdf=str(tmp_path / "m.pdf"),
                png=str(tmp_path / "m.png"), provenance=str(tmp_path / "m.json"), study=None,
                rule="figure_minimal_uncertainty")


def test_scaling_figure_draws_the_fits_and_the_dicke_asymptote() -> None:
    ds = synthetic_scaling("dicke", [10, 20, 40, 80, 160])
    assert {"nu", "nu_log", "mu", "drive_c_fit", "asymptote_s", "asymptote_b"} <= set(ds)
    fig = draw_scaling({"scaling": ds})
    labels = " ".join(_labels(fig))
    assert r"\nu = " in labels and r"\mu = " in labels and "(mean field)" in labels
    [line] = [line for line in fig.axes[1].lines if r"\ln\ln N" in line.get_label()]
    N, xi2 = line.get_data()
    s, b = float(ds["asymptote_s"]), float(ds["asymptote_b"])
    assert s == pytest.approx(1.5, rel=1e-6) and b == pytest.approx(0.5, abs=1e-5)
    np.testing.assert_allclose(xi2, np.cbrt(s * (np.log(N) + np.log(np.log(N)) + b) / N))
    plt.close(fig)
    fig = draw_scaling({"scaling": ds.drop_vars(["asymptote_s", "asymptote_b"])})
    assert r"\ln\ln N" not in " ".join(_labels(fig))  # drawn only from the dataset's fit
    plt.close(fig)


def test_transition_draws_at_most_six_N_and_the_located_minima() -> None:
    assert list(transition_Ns(np.array([4, 6, 8]))) == [4, 6, 8]
    assert list(transition_Ns(np.array([10, 20, 50, 100, 200, 300, 1000]))) == [
        20, 50, 100, 200, 300, 1000]
    assert len(transition_Ns(np.arange(2, 40, 2))) == 6
    assert list(transition_Ns(np.array([20, 30, 40, 50, 70, 100, 150]))) == [20, 50, 100, 150]
    ds = synthetic_scaling("dicke", [10, 20, 50, 100, 200, 300, 1000])
    fig = draw_transition({"scaling": ds})
    ax = fig.axes[0]
    markers = [line for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]
    assert len(markers) == 6
    # the Dicke drive as 2Ω/Γ: the minima at 2 d*/Γ, the mean-field line at 1
    x = sorted(float(line.get_xdata()[0]) for line in markers)
    expected = 2 * ds["drive_at_min"].sel(N_located=[20, 50, 100, 200, 300, 1000]).values
    np.testing.assert_allclose(x, np.sort(expected))
    assert ax.get_xlabel() == r"$2\Omega/\Gamma$"
    plt.close(fig)


def test_fig9_marks_the_located_minima_of_the_N_it_draws(datasets: dict) -> None:
    data = {role: xr.load_dataset(path) for role, path in datasets["fig9"].items()}
    fig = draw_fig9(data)
    drawn = [line for line in fig.axes[0].lines if line.get_marker() == "o"
             and len(line.get_xdata())]
    assert len(drawn) == 2  # N = 4 and 8, in both the study and the scaling dataset
    assert "located minimum" in _labels(fig)
    plt.close(fig)
    del data["scaling"]
    fig = draw_fig9(data)
    assert "located minimum" not in _labels(fig)
    plt.close(fig)


def test_values_with_errors_are_rounded_to_the_error() -> None:
    assert value_pm(0.15526, 0.0034) == r"0.1553 \pm 0.0034"
    assert value_pm(5.24, 65.7) == r"5 \pm 66"
    assert value_pm(1.234, float("nan")) == "1.23"
