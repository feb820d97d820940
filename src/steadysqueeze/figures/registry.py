"""The figure registry: what each figure is drawn from, and whether a study fits it.

A figure is one draw function plus one :class:`FigureSpec` passed to :func:`register`.
The spec says which datasets the figure reads (``source``), what the study must be
(``model`` and ``sweep``), its report caption and its SLURM group;
:func:`check_figure_study` and :func:`check_figure_studies` check a config's choice of
studies against it. The workflow jobs that draw the figures are :mod:`.jobs`.

This module imports neither matplotlib nor xarray.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from ..studies import ConfigError

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.figure import Figure

__all__ = ["FigureSpec", "FIGURES", "register", "unregister", "check_figure_study",
           "check_figure_studies", "study_figure_names", "SOURCES", "StudyLike"]

#: where a figure's datasets come from; see :class:`FigureSpec`
Source = Literal["study", "studies", "scaling", "all_scaling"]
SOURCES: tuple[str, ...] = ("study", "studies", "scaling", "all_scaling")
DrawFunction = Callable[[Mapping[str, "xr.Dataset"]], "Figure"]


@dataclass(frozen=True)
class FigureSpec:
    """What the workflow needs to know about one figure.

    Parameters
    ----------
    name
        Registry key. For ``source="study"`` the key of the config's ``figures:``
        section (``fig3``, ...), which is also the output name; for ``"scaling"``
        outputs are named ``{name}_{model}``; for ``"all_scaling"`` the output name.
    draw
        Draws the figure from the datasets by role (see ``source``) and returns it;
        it never recomputes physics.
    source
        ``"study"``: roles ``model``, ``perturbative``, ``exact`` and ``gaussian`` (the
        N = ∞ limit), the datasets of
        the study chosen for the figure in config ``figures:`` (``{study: NAME}``).
        ``"studies"``: several studies, one per key of ``roles``, chosen in config
        ``figures:`` as ``{studies: {ROLE: NAME}}``; roles ``ROLE_model``,
        ``ROLE_perturbative``, ``ROLE_exact`` and ``ROLE_gaussian``. ``"scaling"``: role
        ``scaling``, ``results/scaling/{model}.nc``, one output per model of config
        ``scaling:``. ``"all_scaling"``: one role per model of config ``scaling:``;
        drawn once if there is any scaling study.
    model
        ``"study"``: the model the study must be; ``"scaling"``: if given, the only
        model the figure is drawn for.
    sweep
        ``"study"``: the study's swept parameters, exactly.
    roles
        ``"studies"``: role -> the swept parameters of its study, exactly (any model).
    min_points
        ``"study"`` and ``"studies"``: the fewest values each swept parameter needs (2
        for a map over a plane, whose contours need a 2 × 2 grid at least).
    with_minima
        ``"study"`` and ``"studies"``: also read the located minima of the exact ξ²
        over the model's ``scaling_drive`` (rule ``minima``, :func:`minima_path`) as
        role ``minima`` (``ROLE_minima``: for ``"studies"``, of the roles of ``drives``).
    drives
        ``"studies"`` with ``with_minima``: role -> the swept parameter the figure
        reads as the drive, which must be the scaling drive of the role's model (the
        parameter its minima are taken over); roles not listed get no minima.
    caption
        Report caption, reStructuredText. ``{name}`` (output name), ``{study}``,
        ``{model}``, ``{N}``, ``{fixed}``, ``{sweep[AXIS]}`` and ``{models}`` (scaling
        models) are replaced from the config (:attr:`FigureJob.caption`); literal
        braces are doubled. Indentation is removed as from a docstring.
    category
        Report category the figure is listed under.
    group
        SLURM job group (``"post"``: with the gather of its study's exact results);
        ``None`` for a figure that reads several studies, which must stay apart.
    message
        Short description for the workflow log: ``"Drawing NAME: MESSAGE"``.
    study_roles
        ``"scaling"`` only: datasets of the model's scaling study read besides ``scaling``,
        by role (those of :data:`~.jobs.STUDY_ROLES`, and ``gap``, ``results/gap/{study}.nc``,
        which a study has with its ``gap:`` option: a figure reading it is drawn only for the
        models whose scaling study has it).
    with_scaling
        ``"study"`` only: also read ``results/scaling/{model}.nc`` as role ``scaling``
        when config ``scaling:`` has a study of the figure's model (the draw function
        must do without it otherwise). The job then reads two studies, so it leaves
        ``group`` unless the scaling study is the figure's own study.
    """

    name: str
    draw: DrawFunction
    source: Source = "study"
    model: str | None = None
    sweep: frozenset[str] = field(default_factory=frozenset)
    min_points: int = 1
    caption: str = ""
    category: str = "Paper figures"
    group: str | None = "post"
    message: str = ""
    with_scaling: bool = False
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    with_minima: bool = False
    drives: Mapping[str, str] = field(default_factory=dict)
    study_roles: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        """Check the name and source; store ``sweep`` and the roles' sweeps as frozensets."""
        if not self.name.isidentifier():
            raise ValueError(f"figure name must be an identifier, got {self.name!r}")
        if self.source not in SOURCES:
            raise ValueError(f"figure {self.name!r}: source must be one of {SOURCES}, "
                             f"got {self.source!r}")
        object.__setattr__(self, "sweep", frozenset(self.sweep))
        object.__setattr__(self, "study_roles", frozenset(self.study_roles))
        object.__setattr__(self, "roles", {r: frozenset(s) for r, s in self.roles.items()})
        if self.source == "study" and (self.model is None or not self.sweep):
            raise ValueError(f"figure {self.name!r}: a study figure needs model and sweep")
        if (self.source == "studies") != bool(self.roles):
            raise ValueError(f"figure {self.name!r}: roles are for (and needed by) "
                             "source 'studies'")
        if self.with_minima and self.source not in ("study", "studies"):
            raise ValueError(f"figure {self.name!r}: with_minima is for study figures")
        if self.with_scaling and self.source != "study":
            raise ValueError(f"figure {self.name!r}: with_scaling is for study figures")
        if self.study_roles and self.source != "scaling":
            raise ValueError(f"figure {self.name!r}: study_roles are for scaling figures")
        if not set(self.drives) <= set(self.roles):
            raise ValueError(f"figure {self.name!r}: drives name roles it does not have")

    def minima_roles(self) -> frozenset[str]:
        """The roles whose located minima the figure reads (``""``: the one study of a
        ``"study"`` figure)."""
        if not self.with_minima:
            return frozenset()
        return frozenset(self.drives) if self.source == "studies" else frozenset({""})


#: the registered figures by name, in registration order
FIGURES: dict[str, FigureSpec] = {}


def register(spec: FigureSpec) -> FigureSpec:
    """Add a figure to :data:`FIGURES`.

    Parameters
    ----------
    spec
        The figure; its name must not be registered yet.

    Returns
    -------
    FigureSpec
        ``spec``, unchanged.

    Raises
    ------
    ValueError
        If a figure of that name is registered already.
    """
    if spec.name in FIGURES:
        raise ValueError(f"figure {spec.name!r} is registered already")
    FIGURES[spec.name] = spec
    return spec


def unregister(name: str) -> FigureSpec:
    """Remove figure ``name`` from :data:`FIGURES` and return its spec."""
    return FIGURES.pop(name)


def study_figure_names() -> tuple[str, ...]:
    """Names accepted in the config's ``figures:`` section (figures of chosen studies)."""
    return tuple(name for name, spec in FIGURES.items() if spec.source in ("study", "studies"))


class StudyLike(Protocol):
    """What the figures read of a study (:class:`steadysqueeze.studies.Study`)."""

    name: str
    model: str
    model_class: Any
    sweep: Mapping[str, Any]
    block: Mapping[str, Any]

    def perturbation_theory_note(self) -> str: ...


_S = TypeVar("_S", bound=StudyLike)


def _spec_of(figure: str, source: str) -> FigureSpec:
    """The registered figure ``figure`` of ``source`` (ConfigError naming it otherwise)."""
    spec = FIGURES.get(figure)
    if spec is None or spec.source not in ("study", "studies"):
        raise ConfigError(f"figures.{figure}: unknown; available: "
                          f"{', '.join(study_figure_names())}")
    if spec.source != source:
        form = "{studies: {ROLE: NAME}}" if spec.source == "studies" else "{study: NAME}"
        raise ConfigError(f"figures.{figure}: this figure is chosen as {form}")
    return spec


def _check_points(where: str, study: StudyLike, min_points: int) -> None:
    for axis, values in study.sweep.items():
        if len(values) < min_points:
            raise ConfigError(f"{where}: study {study.name!r} field 'sweep.{axis}' has "
                              f"{len(values)} value(s); the figure needs at least {min_points}")


def check_figure_study(figure: str, study: _S) -> _S:
    """Check that ``study`` can be drawn as figure ``figure`` (config ``figures:``).

    Parameters
    ----------
    figure
        Key of the config's ``figures:`` section.
    study
        The study chosen for it (``name``, ``model`` and ``sweep`` are read).

    Returns
    -------
    study
        ``study``, unchanged.

    Raises
    ------
    ConfigError
        If the figure is unknown, or the study is not of the figure's model or does
        not sweep exactly the figure's parameters; the message names the figure.
    """
    spec = _spec_of(figure, "study")
    if study.model != spec.model or set(study.sweep) != spec.sweep:
        raise ConfigError(f"figures.{figure}.study: study {study.name!r} must be model "
                          f"{spec.model!r} sweeping {', '.join(sorted(spec.sweep))}; it is "
                          f"{study.model!r} sweeping {', '.join(study.sweep) or 'nothing'}")
    _check_points(f"figures.{figure}.study", study, spec.min_points)
    return study


def check_figure_studies(figure: str, studies: Mapping[str, _S]) -> Mapping[str, _S]:
    """Check the studies chosen by role for a ``"studies"`` figure (config
    ``figures: {FIGURE: {studies: {ROLE: NAME}}}``): exactly the spec's roles, each study
    sweeping exactly its role's parameters. Returns ``studies``; raises
    :class:`ConfigError` naming the figure and the role."""
    spec = _spec_of(figure, "studies")
    if set(studies) != set(spec.roles):
        raise ConfigError(f"figures.{figure}.studies: needs exactly the roles "
                          f"{', '.join(spec.roles)}; got {', '.join(studies) or 'none'}")
    for role, study in studies.items():
        where = f"figures.{figure}.studies.{role}"
        if set(study.sweep) != spec.roles[role]:
            raise ConfigError(f"{where}: study {study.name!r} must sweep "
                              f"{', '.join(sorted(spec.roles[role]))}; it sweeps "
                              f"{', '.join(study.sweep) or 'nothing'}")
        drive = spec.drives.get(role)
        if drive is not None and study.model_class.scaling_drive != drive:
            raise ConfigError(f"{where}: study {study.name!r}: its model "
                              f"{study.model!r} must have scaling_drive {drive} (the drive "
                              f"its minima are taken over), not "
                              f"{study.model_class.scaling_drive}")
        _check_points(where, study, spec.min_points)
    return studies
