"""The one config loader: schema defaults, semantic checks, then the schema's shape checks.

The workflow (``workflow/rules/common.smk``), the CLI and ``provenance verify --config``
all load a config through :func:`load_config`, so every one of them sees the same study
blocks (with the schema's defaults filled) and hashes them the same way.

Order: (1) fill the defaults of ``config.schema.yaml`` (shipped in the package), (2) the
semantic checks of :mod:`steadysqueeze.studies` and of the figure and scaling sections,
whose messages name the study and the field, (3) the schema's shape checks for anything
they do not look at. Every failure is a :class:`~steadysqueeze.studies.ConfigError`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .exact.memory import format_gb, machine_memory_bytes, peak_memory_bytes
from .exact.spectrum import spectrum_memory_bytes
from .expressions import DeclarationError
from .figures import FIGURES, check_figure_studies, check_figure_study
from .models import MODELS
from .models.declared import load_declarations
from .studies import ConfigError, Study, grid_size, parse_studies

__all__ = ["Config", "load_config", "schema", "ConfigError"]

_TOP_LEVEL_KEYS = ("models", "studies", "figures", "scaling", "max_grid_points",
                   "max_memory_gb")


@dataclass(frozen=True)
class Config:
    """A validated config: its studies, which study each figure and scaling uses, and
    which studies get located minima."""

    studies: dict[str, Study]
    #: figure name -> study name (or role -> study name, for a figure of several studies)
    figures: dict[str, str | dict[str, str]]
    #: model name -> name of its finite-N study
    scaling: dict[str, str]
    #: studies whose exact xi^2 is minimised over the drive at every N (rule ``minima``)
    minima: tuple[str, ...]
    #: the config as validated, defaults filled
    data: dict[str, Any]


@cache
def schema() -> dict[str, Any]:
    """The config's JSON schema (``steadysqueeze/config.schema.yaml``)."""
    return yaml.safe_load(files(__package__).joinpath("config.schema.yaml").read_text())


def _with_defaults(validator_class: type) -> type:
    """A validator class that fills each property's ``default`` where it is missing."""
    check_properties = validator_class.VALIDATORS["properties"]

    def properties(validator: Any, props: Mapping[str, Any], instance: Any,
                   subschema: Mapping[str, Any]) -> Iterator[Any]:
        if isinstance(instance, dict):
            for name, spec in props.items():
                if "default" in spec:
                    instance.setdefault(name, copy.deepcopy(spec["default"]))
        yield from check_properties(validator, props, instance, subschema)

    return jsonschema.validators.extend(validator_class, {"properties": properties})


def _validator() -> Any:
    cls = jsonschema.validators.validator_for(schema())
    return _with_defaults(cls)(schema())


def _read(source: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source))
    data = yaml.safe_load(Path(source).read_text())
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a config must be a mapping with a 'studies' list")
    return data


def _schema_error_message(error: jsonschema.ValidationError, data: Mapping[str, Any]) -> str:
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "studies" and isinstance(path[1], int):
        block = data["studies"][path[1]]
        name = block.get("name") if isinstance(block, Mapping) else None
        field = ".".join(str(p) for p in path[2:]) or "(study block)"
        return f"study {name!r}: field {field!r}: {error.message}"
    return f"field {'.'.join(str(p) for p in path) or '(top level)'!r}: {error.message}"


def _declare_models(data: dict[str, Any]) -> None:
    """Check the config's ``models:`` (declared models, :mod:`steadysqueeze.models.declared`)
    and copy each declaration into the blocks of the studies that use it, as
    ``model_declaration``: a study block then says alone what was solved, for the jobs
    and for the provenance record."""
    for block in data.get("studies") or []:
        if isinstance(block, Mapping) and "model_declaration" in block:
            raise ConfigError(f"study {block.get('name')!r}: field 'model_declaration' is set "
                              "by the loader; declare the model under the config's 'models:'")
    declared = data.get("models")
    if declared is None:
        return
    if not isinstance(declared, Mapping):
        raise ConfigError("config field 'models' must be a mapping NAME -> declaration")
    clash = sorted(set(map(str, declared)) & set(MODELS))
    if clash:
        raise ConfigError(f"models.{clash[0]}: {clash[0]!r} is a built-in model; "
                          "choose another name")
    try:
        load_declarations({"models": declared})
    except DeclarationError as exc:
        raise ConfigError(f"models: {exc}") from None
    for block in data.get("studies") or []:
        model = block.get("model") if isinstance(block, dict) else None
        if isinstance(model, str) and model in declared:
            block["model_declaration"] = copy.deepcopy(declared[model])


def _study(where: str, name: object, studies: Mapping[str, Study]) -> Study:
    if not isinstance(name, str) or name not in studies:
        raise ConfigError(f"{where}: {name!r} is not a study name")
    return studies[name]


def _entries(data: Mapping[str, Any], section: str) -> Mapping[str, Any]:
    entries = data.get(section) or {}
    if not isinstance(entries, Mapping):
        raise ConfigError(f"config field {section!r} must be a mapping KEY -> {{study: NAME}}")
    return entries


def _study_references(data: Mapping[str, Any], section: str,
                      studies: Mapping[str, Study]) -> dict[str, Study]:
    """Entries ``section.KEY: {study: NAME}`` resolved to studies."""
    return {key: _study(f"{section}.{key}.study",
                        spec.get("study") if isinstance(spec, Mapping) else None, studies)
            for key, spec in _entries(data, section).items()}


def _parse_figures(data: Mapping[str, Any],
                   studies: Mapping[str, Study]) -> dict[str, str | dict[str, str]]:
    """The ``figures`` section: figure -> ``{study: NAME}``, or ``{studies: {ROLE: NAME}}``
    for a figure drawn from several studies."""
    chosen: dict[str, str | dict[str, str]] = {}
    for figure, spec in _entries(data, "figures").items():
        roles = spec.get("studies") if isinstance(spec, Mapping) else None
        if roles is not None and not isinstance(roles, Mapping):
            raise ConfigError(f"figures.{figure}.studies: expected a mapping ROLE -> study "
                              f"name, got {roles!r}")
        if isinstance(roles, Mapping):
            resolved = {role: _study(f"figures.{figure}.studies.{role}", name, studies)
                        for role, name in roles.items()}
            check_figure_studies(figure, resolved)
            chosen[figure] = {role: study.name for role, study in resolved.items()}
        else:
            study = _study(f"figures.{figure}.study",
                           spec.get("study") if isinstance(spec, Mapping) else None, studies)
            chosen[figure] = check_figure_study(figure, study).name
    return chosen


def _minima_studies(figures: Mapping[str, str | Mapping[str, str]],
                    scaling: Mapping[str, str],
                    studies: Mapping[str, Study]) -> tuple[str, ...]:
    """Studies whose exact ξ² is minimised over the model's ``scaling_drive`` (rule
    ``minima``): the finite-N studies and the studies of figures that show located
    minima, which must sweep that drive."""
    names = list(scaling.values())
    for figure, chosen in figures.items():
        roles = FIGURES[figure].minima_roles()
        if isinstance(chosen, Mapping):
            names += [name for role, name in chosen.items() if role in roles]
        elif roles:
            names.append(chosen)
    for name in names:
        drive = studies[name].model_class.scaling_drive
        if drive not in studies[name].sweep:
            raise ConfigError(f"study {name!r}: field 'sweep' must sweep {drive} (the "
                              "drive its located minima are taken over)")
    return tuple(dict.fromkeys(names))


def _parse_scaling(data: Mapping[str, Any], studies: Mapping[str, Study]) -> dict[str, str]:
    """The ``scaling`` section: model -> study over (N, the model's drive), at least two N."""
    chosen: dict[str, str] = {}
    for model, study in _study_references(data, "scaling", studies).items():
        if model not in MODELS:
            raise ConfigError(f"scaling.{model}: the finite-N analysis needs a built-in model "
                              f"with a known mean-field critical drive ({', '.join(MODELS)})")
        drive = study.model_class.scaling_drive
        if study.model != model or list(study.sweep) != [drive] or len(study.N) < 2:
            raise ConfigError(f"scaling.{model}.study: study {study.name!r} must be model "
                              f"{model!r} sweeping only {drive} over at least two N")
        if int((study.sweep[drive] != 0).sum()) < 2:
            raise ConfigError(f"scaling.{model}.study: study {study.name!r} field "
                              f"'sweep.{drive}' needs at least two non-zero drive values "
                              "(the onset coefficient extrapolates from the two smallest)")
        chosen[model] = study.name
    return chosen


def _check_grid_sizes(data: Mapping[str, Any]) -> None:
    """Refuse a grid above ``max_grid_points`` before any grid is built (O(axes) per study)."""
    limit = data.get("max_grid_points")
    blocks = data.get("studies")
    if not isinstance(limit, int) or not isinstance(blocks, list):
        return  # the shape checks report it
    for block in blocks:
        size = grid_size(block) if isinstance(block, Mapping) else None
        if size is not None and size > limit:
            raise ConfigError(f"study {block.get('name')!r}: field 'sweep' makes a grid of "
                              f"{size:,} points, more than max_grid_points = {limit:,}; "
                              "use fewer points or raise max_grid_points")


def memory_limit_bytes(data: Mapping[str, Any]) -> tuple[float, str]:
    """The memory one exact solve may use: ``max_memory_gb`` or this machine's memory."""
    limit = data.get("max_memory_gb")
    if isinstance(limit, (int, float)) and not isinstance(limit, bool):
        return float(limit) * 1e9, f"max_memory_gb = {limit:g}"
    return machine_memory_bytes(), "this machine's memory; raise it with max_memory_gb"


def _check_memory(data: Mapping[str, Any], studies: Mapping[str, Study]) -> None:
    """Refuse a study whose largest exact solve (field ``N``) or largest spectrum of its
    ``gap:`` option (field ``gap``) would not fit in memory."""
    limit, origin = memory_limit_bytes(data)
    for study in studies.values():
        N = max(study.N)
        need = peak_memory_bytes(study.model_class, N)
        if need > limit:
            raise ConfigError(f"study {study.name!r}: field 'N': one exact solve at N = {N} "
                              f"needs an estimated {format_gb(need)}, more than "
                              f"{format_gb(limit)} ({origin})")
        if study.gap is None:
            continue
        N = max(study.gap.all_N)
        need = spectrum_memory_bytes(study.model_with(), N, study.gap.k)
        if need > limit:
            raise ConfigError(f"study {study.name!r}: field 'gap': the spectrum at N = {N} "
                              f"needs an estimated {format_gb(need)}, more than "
                              f"{format_gb(limit)} ({origin})")


def load_config(source: Mapping[str, Any] | str | os.PathLike[str]) -> Config:
    """Validate a config (a mapping, or the path of a YAML file); see the module docstring.

    The input mapping is not modified.
    """
    data = _read(source)
    validator = _validator()
    for _ in validator.iter_errors(data):  # fills the defaults; errors are reported below
        pass
    unknown = sorted(set(data) - set(_TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError(f"unknown top-level config key(s) {', '.join(unknown)}; "
                          f"accepted: {', '.join(_TOP_LEVEL_KEYS)}")
    _check_grid_sizes(data)
    _declare_models(data)
    studies = parse_studies(data)
    _check_memory(data, studies)
    figures = _parse_figures(data, studies)
    scaling = _parse_scaling(data, studies)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise ConfigError(_schema_error_message(error, data))
    return Config(studies=studies, figures=figures, scaling=scaling,
                  minima=_minima_studies(figures, scaling, studies), data=data)
