"""One workflow job per figure output: inputs, caption and SLURM group from the registry.

From a validated config, :func:`figure_jobs` lists the outputs to draw, each a
:class:`FigureJob` with the datasets it reads by role, its report caption (the spec's,
with the config's values filled in) and its group; ``workflow/rules/figures.smk`` turns
each into a rule ``figure_<name>``.

This module imports neither matplotlib nor xarray.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ..perturbative.checks import PT_EVERYWHERE
from .registry import (FIGURES, FigureSpec, StudyLike, check_figure_studies,
                       check_figure_study)

__all__ = ["FigureJob", "figure_jobs", "minima_path", "STUDY_ROLES", "OPTIONAL_ROLES"]

#: datasets of one study, by role, and the stage directory each is read from
STUDY_ROLES: dict[str, str] = {"model": "models", "perturbative": "perturbative",
                               "exact": "exact", "gaussian": "gaussian"}
#: datasets a study has only with the option of its block of the same name (``gap:``):
#: role -> stage directory
OPTIONAL_ROLES: dict[str, str] = {"gap": "gap"}


class _Config(Protocol):
    studies: Mapping[str, StudyLike]
    #: figure -> study name, or role -> study name for source "studies"
    figures: Mapping[str, str | Mapping[str, str]]
    scaling: Mapping[str, str]


@dataclass(frozen=True)
class FigureJob:
    """One figure output of the workflow: rule ``figure_{name}``.

    Attributes
    ----------
    name
        Output name: ``results/figures/{name}.pdf`` and ``.png``.
    spec
        The registered figure it draws.
    inputs
        Dataset paths by role, as passed to the draw function.
    study
        Config block of the study it is drawn from; ``None`` for ``"all_scaling"``.
    caption
        Report caption, reStructuredText, with the config's values filled in.
    category
        Report category.
    group
        SLURM job group, or ``None``.
    """

    name: str
    spec: FigureSpec
    inputs: Mapping[str, str]
    study: Mapping[str, Any] | None
    caption: str
    category: str
    group: str | None

    @property
    def rule(self) -> str:
        """Name of the Snakemake rule drawing this output."""
        return f"figure_{self.name}"

    @property
    def outputs(self) -> dict[str, str]:
        """Output paths: ``pdf``, ``png`` and ``provenance`` (the sidecar JSON)."""
        stem = f"results/figures/{self.name}"
        return {"pdf": f"{stem}.pdf", "png": f"{stem}.png",
                "provenance": f"{stem}.provenance.json"}

    @property
    def log(self) -> str:
        """Log file of the rule."""
        return f"logs/figures/{self.name}.log"

    @property
    def benchmark(self) -> str:
        """Benchmark file of the rule."""
        return f"results/benchmarks/figures/{self.name}.tsv"

    @property
    def message(self) -> str:
        """Log line of the rule."""
        return f"Drawing {self.name}" + (f": {self.spec.message}" if self.spec.message else "")


def _values(spec: Any) -> str:
    """A config value (number, list or ``{start, stop, num}``) in caption text."""
    if isinstance(spec, Mapping):
        return f"[{spec['start']}, {spec['stop']}] in {spec['num']} points"
    if isinstance(spec, Sequence) and not isinstance(spec, str):
        return ", ".join(str(v) for v in spec)
    return str(spec)


def _context(block: Mapping[str, Any]) -> dict[str, Any]:
    """Caption placeholders of one study block."""
    fixed = block.get("fixed") or {}
    return {
        "study": block.get("name", ""),
        "model": block.get("model", ""),
        "N": _values(block.get("N", "")),
        "minima_N": _values(block.get("minima_N") or "none"),
        "fixed": ", ".join(f"{k} = {v}" for k, v in fixed.items()),
        "sweep": {k: _values(v) for k, v in (block.get("sweep") or {}).items()},
    }


def _rst_text(text: str) -> str:
    """Plain text safe in reStructuredText (``|`` would open a substitution reference)."""
    return text.replace("|", "\\|")


def _caption(spec: FigureSpec, name: str, studies: Mapping[str, StudyLike],
             models: Iterable[str]) -> str:
    """The spec's caption with the config's values filled in (``studies``: by role; the
    one study of a ``"study"`` figure under role ``""``), and where perturbation theory
    does not apply in a study, why."""
    context = {"name": name, "models": ", ".join(models),
               **_context(studies[""].block if "" in studies else {}),
               "roles": {role: _context(study.block) for role, study in studies.items()}}
    caption = inspect.cleandoc(spec.caption).format_map(context)
    notes = [f"Perturbation theory in study {study.name}: {_rst_text(note)}."
             for study in studies.values()
             for note in [study.perturbation_theory_note()] if note != PT_EVERYWHERE]
    return "\n\n".join([caption, *notes])


def _job(spec: FigureSpec, name: str, inputs: dict[str, str],
         studies: Mapping[str, StudyLike], models: Iterable[str]) -> FigureJob:
    """The job drawing ``spec`` as output ``name`` from ``inputs`` (role -> path); the
    job records the study block when it reads one study."""
    block = dict(studies[""].block) if set(studies) == {""} else None
    return FigureJob(name=name, spec=spec, inputs=inputs, study=block,
                     caption=_caption(spec, name, studies, models), category=spec.category,
                     group=spec.group if block is not None else None)


def _study_inputs(spec: FigureSpec, study: StudyLike, role: str = "") -> dict[str, str]:
    """The datasets of the study chosen for ``role`` (``""``: the one study of a
    ``"study"`` figure), by dataset role (prefixed ``ROLE_`` for a figure of studies)."""
    prefix = f"{role}_" if role else ""
    inputs = {prefix + kind: f"results/{stage}/{study.name}.nc"
              for kind, stage in STUDY_ROLES.items()}
    if role in spec.minima_roles():
        inputs[prefix + "minima"] = minima_path(study.name)
    return inputs


def _chosen_job(config: _Config, figure: str, chosen: str | Mapping[str, str],
                models: list[str]) -> FigureJob:
    """The job of one entry of the config's ``figures:``."""
    spec = FIGURES[figure]
    if spec.source == "studies":
        assert isinstance(chosen, Mapping)
        studies = check_figure_studies(figure, {r: config.studies[n] for r, n in chosen.items()})
        inputs = {k: v for role, study in studies.items()
                  for k, v in _study_inputs(spec, study, role).items()}
        return _job(spec, figure, inputs, studies, models)
    assert isinstance(chosen, str)
    study = check_figure_study(figure, config.studies[chosen])
    inputs = _study_inputs(spec, study)
    scaling_study = config.scaling.get(study.model) if spec.with_scaling else None
    if scaling_study is not None:
        inputs["scaling"] = _scaling_path(study.model)
    job = _job(spec, figure, inputs, {"": study}, models)
    if scaling_study not in (None, chosen):  # two studies: no shared "post" job
        job = replace(job, group=None)
    return job


def figure_jobs(config: _Config) -> list[FigureJob]:
    """The figure outputs of a validated config, one :class:`FigureJob` each.

    Parameters
    ----------
    config
        Validated config: ``studies`` (name -> study with ``name``, ``model``,
        ``sweep`` and ``block``), ``figures`` (figure -> study name, or role -> study
        name) and ``scaling`` (model -> study name).

    Returns
    -------
    list of FigureJob
        First the config's ``figures:`` in their order (with role ``scaling`` if the
        spec is ``with_scaling`` and ``scaling:`` has its model; such a job has no group
        when that is another study, nor has a figure of several studies), then, in
        registration order, each ``"scaling"`` figure once per model of ``scaling:``
        (with the datasets of its ``study_roles``; where one is optional, only for the
        models whose study has it) and each ``"all_scaling"`` figure once (neither
        without a scaling study).

    Raises
    ------
    ConfigError
        If a figure of ``figures:`` is unknown or its studies do not fit it.
    """
    models = list(config.scaling)
    jobs = [_chosen_job(config, figure, chosen, models)
            for figure, chosen in config.figures.items()]
    for spec in FIGURES.values():
        if spec.source == "scaling":
            jobs += [_job(spec, f"{spec.name}_{model}", _scaling_inputs(spec, model, study),
                          {"": study}, models)
                     for model, study in ((m, config.studies[name])
                                          for m, name in config.scaling.items())
                     if spec.model in (None, model) and _has_roles(study, spec.study_roles)]
        elif spec.source == "all_scaling" and models:
            jobs.append(_job(spec, spec.name, {model: _scaling_path(model) for model in models},
                             {}, models))
    return jobs


def _has_roles(study: StudyLike, roles: Iterable[str]) -> bool:
    """Whether ``study`` has the datasets of ``roles``: an optional one
    (:data:`OPTIONAL_ROLES`) only with the option of that name."""
    return all(getattr(study, role, None) is not None for role in roles
               if role in OPTIONAL_ROLES)


def _scaling_inputs(spec: FigureSpec, model: str, study: StudyLike) -> dict[str, str]:
    """The datasets of a ``"scaling"`` figure of ``model``: its scaling dataset and those
    of its study's ``spec.study_roles``."""
    stages = STUDY_ROLES | OPTIONAL_ROLES
    return {"scaling": _scaling_path(model),
            **{role: f"results/{stages[role]}/{study.name}.nc"
               for role in sorted(spec.study_roles)}}


def _scaling_path(model: str) -> str:
    """The finite-N scaling dataset of ``model`` (rule ``scaling``)."""
    return f"results/scaling/{model}.nc"


def minima_path(study: str) -> str:
    """The located minima of the exact ξ² of ``study``, every N (rule ``minima``)."""
    return f"results/minima/{study}.nc"
