"""Config validation: every malformed config is rejected before any job runs.

Each bad config goes through exactly what ``workflow/rules/common.smk`` does at parse
time (:func:`steadysqueeze.config.load_config`); a few also go through a real
``snakemake`` to show the wiring. The message must name the study and the field.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from steadysqueeze.config import load_config, schema
from steadysqueeze.studies import ConfigError, Study

from workflow_helpers import snakemake_on_config

ROOT = Path(__file__).resolve().parents[1]


def quick_config() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "config" / "quick.yaml").read_text())


def check(config: dict[str, Any]) -> None:
    """The workflow's parse-time validation."""
    load_config(config)


def study(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in config["studies"] if s["name"] == name)


def mutate(path: str, value: Any, name: str = "fig3"):
    """A config edit: set ``study[name][path...] = value`` (``...`` separated by dots)."""
    def edit(config: dict[str, Any]) -> None:
        target: Any = study(config, name)
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return edit


DELETE = object()

BAD_CONFIGS = {
    "unknown model": (mutate("model", "ising"), ["fig3", "model"]),
    "missing model": (mutate("model", DELETE), ["fig3", "model"]),
    "unknown parameter": (mutate("fixed.Jq", 1.0), ["fig3", "Jq"]),
    "missing parameter": (mutate("fixed.Jz", DELETE), ["fig3", "Jz"]),
    "J without dJ": (mutate("sweep.dJ", DELETE), ["fig3", "dJ"]),
    "N not integer": (mutate("N", [20.5]), ["fig3", "N"]),
    "N string": (mutate("N", ["twenty"]), ["fig3", "N"]),
    "N below 2": (mutate("N", [1]), ["fig3", "N"]),
    "N repeated": (mutate("N", [20, 20]), ["fig3", "N"]),
    "N missing": (mutate("N", DELETE), ["fig3", "N"]),
    "zero decay rate": (mutate("fixed.gamma", 0.0), ["fig3", "gamma"]),
    "negative decay rate": (mutate("fixed.gamma", -1.0), ["fig3", "gamma"]),
    "negative swept rate": (mutate("fixed.Gamma", -0.5, "dicke"), ["dicke", "Gamma"]),
    "NaN fixed": (mutate("fixed.Jz", math.nan), ["fig3", "Jz"]),
    "inf in grid": (mutate("sweep.J", [-1.8, math.inf]), ["fig3", "sweep.J"]),
    "empty grid": (mutate("sweep.J", []), ["fig3", "sweep.J"]),
    "non-numeric grid": (mutate("sweep.J", ["a", "b"]), ["fig3", "sweep.J"]),
    "repeated grid values": (mutate("sweep.J", [1.0, 1.0]), ["fig3", "sweep.J"]),
    "linspace num zero": (mutate("sweep.dJ.num", 0), ["fig3", "sweep.dJ.num"]),
    "linspace missing stop": (mutate("sweep.dJ.stop", DELETE), ["fig3", "sweep.dJ"]),
    "linspace unknown key": (mutate("sweep.dJ.step", 0.1), ["fig3", "sweep.dJ"]),
    "both fixed and swept": (mutate("fixed.J", 1.0), ["fig3", "J"]),
    "unknown study key": (mutate("nshards", 2), ["fig3", "nshards"]),
    "shards zero": (mutate("shards", 0), ["fig3", "shards"]),
    "order three": (mutate("order", 3), ["fig3", "order"]),
    "minimum_rtol zero": (mutate("minimum_rtol", 0.0), ["fig3", "minimum_rtol"]),
    "minimum_rtol too loose": (mutate("minimum_rtol", 0.5), ["fig3", "minimum_rtol"]),
    "exact_tolerance too loose": (mutate("exact_tolerance", 1e-3), ["fig3", "exact_tolerance"]),
    "exact_tolerance string": (mutate("exact_tolerance", "tight"), ["fig3", "exact_tolerance"]),
    "bad study name": (mutate("name", "fig 3"), ["fig 3"]),
    "duplicate study names": (
        lambda c: c["studies"].append(copy.deepcopy(study(c, "fig3"))), ["fig3", "duplicate"]),
    "unknown top-level key": (lambda c: c.update(studis=[]), ["studis"]),
    "no studies": (lambda c: c.update(studies=[]), ["studies"]),
    "figure of unknown study": (
        lambda c: c["figures"].update(fig3={"study": "nope"}), ["fig3", "nope"]),
    "figure of wrong model": (
        lambda c: c["figures"].update(fig3={"study": "dicke"}), ["fig3", "dicke", "xyz"]),
    "unknown figure": (lambda c: c["figures"].update(fig5={"study": "fig3"}), ["fig5"]),
    # declared models (config ``models:``) and figures of several studies
    "declared model named like a built-in": (
        lambda c: c["models"].update(xyz=c["models"]["dicke_local"]), ["models.xyz", "built-in"]),
    "declared model with unknown channel": (
        lambda c: c["models"]["dicke_local"]["dissipation"].update(decay="gamma"),
        ["dicke_local", "dissipation.decay"]),
    "declared model with code": (
        lambda c: c["models"]["dicke_local"].update(drive="__import__('os')"),
        ["dicke_local", "drive"]),
    "declared model parameter missing in study": (
        mutate("fixed.J", DELETE, "robust_xyz"), ["robust_xyz", "J"]),
    "models not a mapping": (lambda c: c.update(models=["dicke_local"]), ["models"]),
    "figure role missing": (
        lambda c: c["figures"]["robustness"]["studies"].pop("dephasing"),
        ["robustness", "roles"]),
    "figure role of wrong sweep": (
        lambda c: c["figures"]["robustness"]["studies"].update(dephasing="robust_dicke"),
        ["robustness", "dephasing", "gamma_phi"]),
    "figure of several studies chosen as one": (
        lambda c: c["figures"].update(robustness={"study": "robust_dicke"}),
        ["robustness", "studies"]),
    "figure roles not a mapping": (
        lambda c: c["figures"].update(robustness={"studies": ["robust_dicke"]}),
        ["robustness", "studies"]),
    "figure study not a name": (
        lambda c: c["figures"].update(fig3={"study": ["fig3"]}), ["fig3", "study"]),
    "model not a name": (mutate("model", ["xyz"]), ["fig3", "model"]),
    "declared model in scaling": (
        lambda c: c["scaling"].update(dicke_local={"study": "robust_dicke"}),
        ["scaling.dicke_local", "built-in"]),
    "model_declaration written by hand": (
        mutate("model_declaration", {"parameters": {"J": None}}), ["fig3", "model_declaration"]),
    "minima_N inside the grid of a model without closed form": (
        mutate("minima_N", [5], "scaling_xyz"), ["scaling_xyz", "minima_N", "closed-form"]),
    "minima_N repeating N": (mutate("minima_N", [10], "scaling_dicke"),
                             ["scaling_dicke", "minima_N"]),
    "minima_N not integers": (mutate("minima_N", [1e6], "scaling_dicke"),
                              ["scaling_dicke", "minima_N"]),
    "minima_N without the drive swept": (
        lambda c: study(c, "scaling_dicke").update(minima_N=[500], fixed={"Omega": 0.3},
                                                   sweep={"Gamma": [1.0, 2.0]}),
        ["scaling_dicke", "minima_N", "Omega"]),
    "figure drive is not the model's drive": (
        lambda c: c["models"]["dicke_local"].update(scaling_drive="gamma"),
        ["robustness", "emission", "scaling_drive Omega"]),
}


def test_quick_and_default_configs_are_valid() -> None:
    check(quick_config())
    check(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))
    check(yaml.safe_load((ROOT / "config" / "transitions_large.yaml").read_text()))


def test_the_accuracy_of_minima_and_solves_is_read_from_the_study() -> None:
    """minimum_rtol and exact_tolerance reach the study (defaults 1e-4 and the solver's)."""
    block = {"name": "s", "model": "xyz", "N": [4], "fixed": {"J": -0.8, "Jz": 1.0},
             "sweep": {"dJ": [0.1, 0.2]}}
    default = Study.from_config(block)
    assert (default.minimum_rtol, default.exact_tolerance) == (1e-4, None)
    tight = Study.from_config({**block, "minimum_rtol": 0.01, "exact_tolerance": 1e-12})
    assert (tight.minimum_rtol, tight.exact_tolerance) == (0.01, 1e-12)


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_rejected_naming_the_field(case: str) -> None:
    edit, words = BAD_CONFIGS[case]
    config = quick_config()
    edit(config)
    with pytest.raises(ConfigError) as error:
        check(config)
    message = str(error.value)
    for word in words:
        assert word in message, f"{case}: {word!r} not in {message!r}"


def test_at_least_twenty_bad_configs() -> None:
    assert len(BAD_CONFIGS) >= 20


@pytest.mark.parametrize("case", ["unknown model", "N below 2", "NaN fixed"])
def test_snakemake_rejects_bad_config_before_any_job(case: str, tmp_path: Path) -> None:
    edit, words = BAD_CONFIGS[case]
    config = quick_config()
    edit(config)
    result = snakemake_on_config(config, tmp_path)
    assert result.returncode != 0
    assert "invalid config" in result.stderr
    assert all(w in result.stderr for w in words), result.stderr
    assert not (tmp_path / "results").exists()


def test_odd_N_is_valid_physics() -> None:
    s = Study.from_config({"name": "odd", "model": "xyz", "N": [5, 7],
                           "fixed": {"Jx": 1.0, "Jy": 0.5, "Jz": 1.0}})
    assert s.N == (5, 7) and s.size == 2


def test_grid_order_and_sharding_cover_every_point_once() -> None:
    s = Study.from_config({"name": "g", "model": "tfi", "N": [4, 6], "shards": 3,
                           "fixed": {"Delta": -1.0},
                           "sweep": {"Jx": {"start": 0, "stop": 1, "num": 5}}})
    assert s.dims == ("N", "Jx") and s.shape == (2, 5)
    covered = sorted(i for k in range(3) for i in s.shard_indices(k))
    assert covered == list(range(10))
    assert s.point(7) == (6, {"Delta": -1.0, "Jx": 0.5})


def test_defaults_are_filled_before_the_semantic_checks() -> None:
    """The one loader fills the schema's defaults, so every consumer hashes the same block."""
    config = {"studies": [{"name": "s", "model": "tfi", "N": [4],
                           "sweep": {"Jx": [0.5], "Delta": [-1.0]}}]}
    loaded = load_config(config)
    assert loaded.studies["s"].block["fixed"] == {}
    assert "fixed" not in config["studies"][0], "the input mapping is not modified"
    assert loaded.studies["s"].sha256 == load_config(loaded.data).studies["s"].sha256


def test_loads_a_file_and_a_mapping_alike(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text((ROOT / "config" / "quick.yaml").read_text())
    from_file, from_mapping = load_config(path), load_config(quick_config())
    assert {k: s.sha256 for k, s in from_file.studies.items()} == \
        {k: s.sha256 for k, s in from_mapping.studies.items()}
    assert from_file.figures == from_mapping.figures and from_file.scaling == from_mapping.scaling


def test_schema_is_shipped_with_the_package() -> None:
    assert schema()["required"] == ["studies"]


def test_shape_errors_name_the_study_and_field() -> None:
    config = quick_config()
    study(config, "fig3")["description"] = 3
    with pytest.raises(ConfigError, match="study 'fig3': field 'description'"):
        check(config)


def test_a_declared_model_of_the_config_is_a_study_model() -> None:
    config = load_config(quick_config())
    robust = config.studies["robust_dicke"]
    assert robust.model == "dicke_local" and robust.model_class.name == "dicke_local"
    # the declaration travels in the study block: the jobs and the provenance see it
    assert robust.block["model_declaration"] == quick_config()["models"]["dicke_local"]
    again = Study.from_config(robust.block)
    assert again.model_class is robust.model_class
    N, model = again.model_at(again.size - 1)
    assert (N, model.gamma, model.Omega) == (6, 1.0, 0.7)
    assert config.minima == ("scaling_xyz", "scaling_tfi", "scaling_dicke", "robust_dicke",
                             "robust_xyz")
