"""Studies: a model, fixed parameters, a swept parameter grid and the emitter numbers N.

A study is one block of ``config/config.yaml``::

    - name: fig3
      model: xyz
      N: [20]
      fixed: {Jz: 1.0, gamma: 1.0}
      sweep:
        J: [-1.8, -0.8, -0.2]
        dJ: {start: -0.6, stop: 0.6, num: 61}
      shards: 4

The grid is the Cartesian product of ``N`` and the sweep axes, in that order
(dimension names are the parameter names). Validation here is semantic (model and
parameter names, values, ranges) and raises :class:`ConfigError` naming the study
and the field; :func:`steadysqueeze.config.load_config` is the one entry point that
fills the schema's defaults first.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .expressions import DeclarationError
from .models import MODELS, Model, ModelInputError
from .models.declared import declare_model
from .perturbative.checks import Applicability, summary

__all__ = ["ConfigError", "Study", "GapRequest", "parse_studies", "config_sha256", "axis_values",
           "grid_size"]


class ConfigError(ValueError):
    """A config entry that cannot describe a study; the message names study and field."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(study: str, field: str, value: Any) -> float:
    if not _is_number(value) or not math.isfinite(value):
        raise ConfigError(f"study {study!r}: field {field!r} must be a finite number, got {value!r}")
    return float(value)


def axis_values(study: str, name: str, spec: Any, field: str | None = None) -> np.ndarray:
    """Values of one sweep axis: a non-empty list, or ``{start, stop, num}`` (inclusive);
    errors name ``field`` (default ``sweep.NAME``)."""
    field = field or f"sweep.{name}"
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"start", "stop", "num"}
        if unknown or not {"start", "stop", "num"} <= set(spec):
            raise ConfigError(f"study {study!r}: field {field!r} needs exactly start, stop, num; "
                              f"got {sorted(spec)}")
        start, stop = (_finite(study, f"{field}.{k}", spec[k]) for k in ("start", "stop"))
        num = spec["num"]
        if not isinstance(num, int) or isinstance(num, bool) or num < 1:
            raise ConfigError(f"study {study!r}: field {field}.num must be an integer >= 1, "
                              f"got {num!r}")
        return np.linspace(start, stop, num)
    if isinstance(spec, Sequence) and not isinstance(spec, str):
        if len(spec) == 0:
            raise ConfigError(f"study {study!r}: field {field!r} is an empty grid")
        values = np.array([_finite(study, f"{field}[{i}]", v) for i, v in enumerate(spec)])
        if len(np.unique(values)) != len(values):
            raise ConfigError(f"study {study!r}: field {field!r} has repeated values")
        return values
    raise ConfigError(f"study {study!r}: field {field!r} must be a list or {{start, stop, num}}, "
                      f"got {spec!r}")


def _axis_length(spec: Any) -> int | None:
    """Number of values of a sweep axis, without materialising it (None if malformed)."""
    if isinstance(spec, Mapping):
        num = spec.get("num")
        return num if isinstance(num, int) and not isinstance(num, bool) else None
    if isinstance(spec, Sequence) and not isinstance(spec, str):
        return len(spec)
    return None


def grid_size(block: Mapping[str, Any]) -> int | None:
    """Points of a study's grid from its raw config block, in O(number of axes).

    None when the block is too malformed to tell (the semantic checks then say why).
    """
    Ns = block.get("N")
    size = len(Ns) if isinstance(Ns, list) else 1
    sweep = block.get("sweep") or {}
    if not isinstance(sweep, Mapping):
        return None
    for spec in sweep.values():
        length = _axis_length(spec)
        if length is None:
            return None
        size *= max(length, 0)
    return size


def config_sha256(block: Mapping[str, Any]) -> str:
    """sha256 of a config block in canonical JSON (sorted keys, no whitespace)."""
    return hashlib.sha256(json.dumps(block, sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()


_STUDY_KEYS = {"name", "model", "N", "fixed", "sweep", "shards", "shard_by", "order",
               "description", "model_declaration", "minima_N", "gap", "minimum_rtol",
               "exact_tolerance"}
_GAP_KEYS = {"k", "N", "sweep", "critical_N"}
#: eigenvalues per parity sector of the Liouvillian gap's spectrum when ``gap.k`` is not given
DEFAULT_GAP_K = 4
#: default relative accuracy of a located minimum's drive (:mod:`steadysqueeze.optimum`)
MINIMUM_RTOL = 1e-4


@functools.cache
def _declared_class(name: str, declaration_json: str) -> type[Model]:
    """The class of a declared model, built once per declaration (canonical JSON)."""
    return declare_model(name, json.loads(declaration_json))


def _model_class(study: str, block: Mapping[str, Any]) -> type[Model]:
    """The study's model: a registered one, or the declaration that
    :func:`steadysqueeze.config.load_config` copied into the block from the config's
    ``models:`` (so that the block alone says what was solved)."""
    model, declaration = block.get("model"), block.get("model_declaration")
    if not isinstance(model, str):
        raise ConfigError(f"study {study!r}: field 'model' must be a model name, got {model!r}")
    if declaration is not None and model not in MODELS:
        try:
            return _declared_class(model, json.dumps(declaration, sort_keys=True))
        except (DeclarationError, TypeError) as exc:
            raise ConfigError(f"study {study!r}: field 'model_declaration': {exc}") from None
    if model not in MODELS:
        raise ConfigError(f"study {study!r}: field 'model' must be one of "
                          f"{', '.join(MODELS)} or a model of the config's 'models:', "
                          f"got {model!r}")
    return MODELS[model]


def _minima_N(name: str, block: Mapping[str, Any], model_class: type[Model],
              Ns: list[int], sweep: Mapping[str, np.ndarray]) -> tuple[int, ...]:
    """The study's ``minima_N``: integers >= 2, none of them in ``N``, for a study that
    sweeps the model's scaling drive. With a closed-form ξ_R² each minimum is bracketed on
    the sweep; otherwise it is extrapolated from the grid's minima, so the study needs
    two N at least and every value of ``minima_N`` above them."""
    values = block.get("minima_N")
    if values is None:
        return ()
    where = f"study {name!r}: field 'minima_N'"
    if not isinstance(values, list) or not values or any(
            not isinstance(n, int) or isinstance(n, bool) or n < 2 for n in values):
        raise ConfigError(f"{where} must be a list of integers >= 2, got {values!r}")
    if len(set(values)) != len(values) or set(values) & set(Ns):
        raise ConfigError(f"{where} has repeated values or values already in 'N'")
    if not model_class.has_closed_form_diagonals() and (len(Ns) < 2 or min(values) <= max(Ns)):
        raise ConfigError(f"{where}: {model_class.name} has no closed-form steady state, so "
                          "its minima beyond the grid are extrapolated from those of the "
                          "grid's N: give two N at least, all below every value of minima_N")
    drive = getattr(model_class, "scaling_drive", None)
    if drive is None or drive not in sweep:
        raise ConfigError(f"{where}: the study must sweep the scaling drive "
                          f"{drive!r} of {model_class.name}, which brackets each minimum")
    return tuple(values)


@dataclass(frozen=True)
class GapRequest:
    """A study's ``gap:`` option: the Liouvillian gap and the k slowest eigenvalues per parity
    sector (:func:`steadysqueeze.exact.spectrum.slowest_eigenvalues`) on a sub-grid of the
    study (``N`` × ``sweep``, each a subset of the study's values, ascending), and the gap at
    the mean-field critical drive at every N of ``N`` and ``critical_N``."""

    k: int
    N: tuple[int, ...]
    sweep: dict[str, np.ndarray]
    #: N beyond the sub-grid where only the gap at the critical drive is computed
    critical_N: tuple[int, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.N),) + tuple(len(v) for v in self.sweep.values())

    @property
    def all_N(self) -> tuple[int, ...]:
        """Every N with a gap job's work: the sub-grid's and ``critical_N``, ascending."""
        return tuple(sorted(self.N + self.critical_N))

    def points(self) -> Iterator[dict[str, float]]:
        """The swept values of the sub-grid's points at one N, in C order over the axes."""
        for values in itertools.product(*self.sweep.values()):
            yield dict(zip(self.sweep, map(float, values)))


def _int_list(where: str, values: Any) -> list[int]:
    if not isinstance(values, list) or not values or any(
            not isinstance(n, int) or isinstance(n, bool) or n < 2 for n in values):
        raise ConfigError(f"{where} must be a non-empty list of integers >= 2, got {values!r}")
    if len(set(values)) != len(values):
        raise ConfigError(f"{where} has repeated values")
    return sorted(values)


def _subset(where: str, values: np.ndarray, of: np.ndarray) -> np.ndarray:
    """The study's values ``of`` that ``values`` name (to rounding), ascending."""
    close = np.isclose(np.asarray(values)[:, None], of[None, :], rtol=1e-12, atol=1e-14)
    outside = [float(v) for v, hit in zip(values, close.any(axis=1)) if not hit]
    if outside:
        raise ConfigError(f"{where} must be values of the study's grid; not on it: {outside}")
    return np.sort(of[close.any(axis=0)])


def _gap(name: str, block: Mapping[str, Any], model_class: type[Model], Ns: list[int],
         sweep: Mapping[str, np.ndarray]) -> GapRequest | None:
    """The study's ``gap:`` (:class:`GapRequest`): ``true`` for the whole grid, or a mapping
    ``{k, N, sweep, critical_N}``, ``N`` and each axis of ``sweep`` a subset of the study's
    (default: all of it); ``critical_N`` needs a study sweeping the model's scaling drive."""
    spec = block.get("gap")
    if spec is None or spec is False:
        return None
    spec = {} if spec is True else spec
    where = f"study {name!r}: field 'gap"
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where}' must be true or a mapping {{k, N, sweep, critical_N}}, "
                          f"got {spec!r}")
    unknown = sorted(set(spec) - _GAP_KEYS)
    if unknown:
        raise ConfigError(f"{where}' has unknown key(s) {', '.join(map(str, unknown))}; "
                          f"accepted: {', '.join(sorted(_GAP_KEYS))}")
    k = spec.get("k", DEFAULT_GAP_K)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ConfigError(f"{where}.k' must be an integer >= 1, got {k!r}")
    gap_N = _int_list(f"{where}.N'", spec["N"]) if "N" in spec else sorted(Ns)
    if set(gap_N) - set(Ns):
        raise ConfigError(f"{where}.N' must be N values of the study; not in its 'N': "
                          f"{sorted(set(gap_N) - set(Ns))}")
    axes = spec.get("sweep") or {}
    if not isinstance(axes, Mapping) or set(axes) - set(sweep):
        raise ConfigError(f"{where}.sweep' must map axes of the study's sweep "
                          f"({', '.join(sweep) or 'none'}) to values, got {axes!r}")
    gap_sweep = {axis: _subset(f"{where}.sweep.{axis}'",
                               axis_values(name, axis, axes[axis], f"gap.sweep.{axis}"), values)
                 if axis in axes else np.sort(values) for axis, values in sweep.items()}
    critical_N = tuple(_int_list(f"{where}.critical_N'", spec["critical_N"])) \
        if "critical_N" in spec else ()
    if set(critical_N) & set(gap_N):
        raise ConfigError(f"{where}.critical_N' repeats N of 'gap.N' (the gap at the "
                          "critical drive is computed at every N of both)")
    if critical_N and model_class.scaling_drive not in sweep:
        raise ConfigError(f"{where}.critical_N': the study must sweep the scaling drive "
                          f"{model_class.scaling_drive!r} of {model_class.name}, whose "
                          "mean-field critical value it needs")
    return GapRequest(k=k, N=tuple(gap_N), sweep=gap_sweep, critical_N=critical_N)


@dataclass(frozen=True)
class Study:
    """A validated study. ``sweep`` keeps the config's axis order."""

    name: str
    model: str
    N: tuple[int, ...]
    fixed: dict[str, float]
    sweep: dict[str, np.ndarray]
    shards: int
    shard_by: str
    order: int | None
    block: dict[str, Any]
    model_class: type[Model] = field(compare=False, repr=False)
    #: N beyond the grid where only the located minimum is computed
    minima_N: tuple[int, ...] = ()
    #: the ``gap:`` option: the Liouvillian gap on a sub-grid (None: not computed)
    gap: GapRequest | None = None
    #: relative accuracy of the drive of a located minimum (ξ²_min is second order in it)
    minimum_rtol: float = MINIMUM_RTOL
    #: largest accepted relative residual of an exact solve (None: the solver's default)
    exact_tolerance: float | None = None

    @property
    def minimum_job_per_N(self) -> bool:
        """Whether each N's located minimum is a job of its own (rule ``minimum``): for
        studies sharded by N, whose N are expensive; the others' minima are located in
        one job (rule ``minima``), cheaper than starting a job per N."""
        return self.shard_by == "N"

    @property
    def gap_job_per_N(self) -> bool:
        """Whether the Liouvillian gap of each N is a job of its own (rule ``gap_shard``,
        gathered by rule ``gap``): for a study sharded by N with a gap at several N; else
        rule ``gap`` computes it all."""
        return self.gap is not None and self.shard_by == "N" and len(self.gap.all_N) > 1

    @property
    def extrapolates_minima(self) -> bool:
        """Whether a minimum at an N of :attr:`minima_N` is searched where the grid's minima
        extrapolate to (exact solves), rather than bracketed on the sweep by the model's
        closed form."""
        return not self.model_class.has_closed_form_diagonals()

    @property
    def located_N(self) -> tuple[int, ...]:
        """Every N whose minimum over the scaling drive is located: the grid's and
        :attr:`minima_N`, ascending."""
        return tuple(sorted(self.N + self.minima_N))

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> "Study":
        name = block.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(f"study name must be an identifier string, got {name!r}")
        unknown = sorted(set(block) - _STUDY_KEYS)
        if unknown:
            raise ConfigError(f"study {name!r}: unknown key(s) {', '.join(unknown)}")
        model_class = _model_class(name, block)
        Ns = block.get("N")
        Ns = [Ns] if not isinstance(Ns, list) else Ns
        if not Ns or any(not isinstance(n, int) or isinstance(n, bool) or n < 2 for n in Ns):
            raise ConfigError(f"study {name!r}: field 'N' must be integers >= 2, got {block.get('N')!r}")
        if len(set(Ns)) != len(Ns):
            raise ConfigError(f"study {name!r}: field 'N' has repeated values")
        fixed = block.get("fixed", {}) or {}
        sweep_spec = block.get("sweep", {}) or {}
        if not isinstance(fixed, Mapping) or not isinstance(sweep_spec, Mapping):
            raise ConfigError(f"study {name!r}: fields 'fixed' and 'sweep' must be mappings")
        both = sorted(set(fixed) & set(sweep_spec))
        if both:
            raise ConfigError(f"study {name!r}: parameter(s) {', '.join(both)} both fixed and swept")
        fixed_values = {k: _finite(name, f"fixed.{k}", v) for k, v in fixed.items()}
        sweep = {k: axis_values(name, k, v) for k, v in sweep_spec.items()}
        shard_by = block.get("shard_by", "point")
        if shard_by not in ("point", "N"):
            raise ConfigError(f"study {name!r}: field 'shard_by' must be 'point' or 'N', "
                              f"got {shard_by!r}")
        shards = block.get("shards", 1)
        if shard_by == "N":
            if "shards" in block:
                raise ConfigError(f"study {name!r}: field 'shards' is fixed by shard_by: N "
                                  "(one job per N); remove it")
            shards = len(Ns)
        if not isinstance(shards, int) or isinstance(shards, bool) or shards < 1:
            raise ConfigError(f"study {name!r}: field 'shards' must be an integer >= 1, got {shards!r}")
        points = len(Ns) * math.prod(len(v) for v in sweep.values())
        if shards > points:
            raise ConfigError(f"study {name!r}: field 'shards' is {shards}, more than the "
                              f"{points} grid point(s); use at most {points}")
        order = block.get("order")
        if order is not None and order not in (1, 2):
            raise ConfigError(f"study {name!r}: field 'order' must be 1 or 2, got {order!r}")
        minima_N = _minima_N(name, block, model_class, Ns, sweep)
        rtol = block.get("minimum_rtol", MINIMUM_RTOL)
        if not _is_number(rtol) or not 0 < rtol <= 0.1:
            raise ConfigError(f"study {name!r}: field 'minimum_rtol' must be a number in "
                              f"(0, 0.1], got {rtol!r}")
        tolerance = block.get("exact_tolerance")
        if tolerance is not None and (not _is_number(tolerance) or not 0 < tolerance < 1e-6):
            raise ConfigError(f"study {name!r}: field 'exact_tolerance' must be a number in "
                              f"(0, 1e-6), got {tolerance!r}")
        study = cls(name=name, model=model_class.name, N=tuple(Ns), fixed=fixed_values, sweep=sweep,
                    shards=shards, shard_by=shard_by, order=order, block=dict(block),
                    model_class=model_class, minima_N=minima_N,
                    gap=_gap(name, block, model_class, Ns, sweep), minimum_rtol=float(rtol),
                    exact_tolerance=None if tolerance is None else float(tolerance))
        study._check_model_parameters()
        return study

    def _check_model_parameters(self) -> None:
        first = {k: float(v[0]) for k, v in self.sweep.items()}
        try:
            self.model_class.from_parameters({**self.fixed, **first})
            for axis, values in self.sweep.items():
                for v in values:
                    self.model_class.from_parameters({**self.fixed, **first, axis: float(v)})
        except ModelInputError as exc:
            raise ConfigError(f"study {self.name!r}: {exc}") from exc

    def perturbation_theory_note(self) -> str:
        """Where pure-state perturbation theory cannot apply in this study and why, from
        the models' structure alone (:meth:`Model.perturbation_obstruction`; cheap, for
        captions; the model stage adds the numeric checks of Sec. 2)."""
        verdicts = []
        for N, params in self.points():
            reason = self.model_class.from_parameters(params).perturbation_obstruction(N)
            verdicts.append(Applicability(reason is None, reason or ""))
        return summary(verdicts)

    @property
    def pt_order(self) -> int:
        """Order of perturbation theory: the config's ``order`` or the model's default."""
        return self.order or self.model_class.default_order

    # -- grid --------------------------------------------------------------------
    @property
    def dims(self) -> tuple[str, ...]:
        return ("N",) + tuple(self.sweep)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.N),) + tuple(len(v) for v in self.sweep.values())

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def coords(self) -> dict[str, np.ndarray]:
        return {"N": np.array(self.N), **self.sweep}

    def point(self, flat_index: int) -> tuple[int, dict[str, float]]:
        """(N, parameters) of grid point ``flat_index`` (C order over :attr:`dims`)."""
        index = np.unravel_index(flat_index, self.shape)
        params = dict(self.fixed)
        for (axis, values), i in zip(self.sweep.items(), index[1:]):
            params[axis] = float(values[i])
        return int(self.N[index[0]]), params

    def model_with(self, **parameters: float) -> Model:
        """The model at the study's fixed parameters, the sweep's first values and
        ``parameters`` (e.g. one value of the drive)."""
        first = {axis: float(values[0]) for axis, values in self.sweep.items()}
        return self.model_class.from_parameters({**self.fixed, **first, **parameters})

    def model_at(self, flat_index: int) -> tuple[int, Model]:
        N, params = self.point(flat_index)
        return N, self.model_class.from_parameters(params)

    def shard_indices(self, shard: int) -> np.ndarray:
        """Flat grid indices of ``shard``: a contiguous run of the grid, in grid order.

        Neighbouring points of a sweep stay together and in order, so that each point of
        a shard can reuse its predecessor's solve (:class:`steadysqueeze.exact.Scan`).
        ``shard_by: N``: every point of the k-th N (jobs whose resources grow with N).
        """
        if not 0 <= shard < self.shards:
            raise ValueError(f"shard {shard} outside 0..{self.shards - 1}")
        return np.array_split(np.arange(self.size), self.shards)[shard]

    def shard_max_N(self, shard: int) -> int:
        """Largest N among the points of ``shard`` (sets the job's resources)."""
        return max(self.point(int(i))[0] for i in self.shard_indices(shard))

    def points(self) -> Iterator[tuple[int, dict[str, float]]]:
        return (self.point(i) for i in range(self.size))

    @property
    def sha256(self) -> str:
        return config_sha256(self.block)


def parse_studies(config: Mapping[str, Any]) -> dict[str, Study]:
    """Validate the ``studies`` list of a config; names must be unique."""
    blocks = config.get("studies")
    if not isinstance(blocks, list) or not blocks:
        raise ConfigError("config field 'studies' must be a non-empty list of study blocks")
    studies: dict[str, Study] = {}
    for block in blocks:
        if not isinstance(block, Mapping):
            raise ConfigError(f"each entry of 'studies' must be a mapping, got {block!r}")
        study = Study.from_config(block)
        if study.name in studies:
            raise ConfigError(f"study {study.name!r}: duplicate study name")
        studies[study.name] = study
    return studies
