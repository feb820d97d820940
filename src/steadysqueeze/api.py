r"""Exact steady states from Python, for notebooks: declare, solve, analyse.

Three calls cover what the workflow does for one study:

* :func:`declare` builds a model class from a declaration (a dict or YAML text, in the
  format of :mod:`steadysqueeze.models.declared`);
* :func:`steady_state` solves one point and returns the
  :class:`~steadysqueeze.state.SteadyState` (``.to_qutip()`` gives it to qutip);
* :func:`solve` solves one point or a grid (a scan: neighbouring points reuse each
  other's work, :class:`steadysqueeze.exact.Scan`) and returns the observables as an
  :class:`xarray.Dataset` with the variables, long names and units of the workflow's
  ``results/exact/{study}.nc``; with ``N="inf"`` it returns the N = ∞ limit (mean field
  plus Gaussian fluctuations, :mod:`steadysqueeze.gaussian`) as the workflow's
  ``results/gaussian/{study}.nc``.

A model is named (``"xyz"``, ``"tfi"``, ``"dicke"`` or any registered model) or given as
a class (from :func:`declare`). Bad input raises one :class:`ValueError` that names the
model, the parameter or the field, before any solve.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
import yaml

from . import exact
from .datasets import labelled_grid, limit_dataset, solved_points
from .expressions import DeclarationError
from .models import MODELS, Model, ModelInputError
from .models.declared import DeclaredModel, declare_model, load_declarations
from .state import SteadyState

__all__ = ["declare", "steady_state", "solve"]

ModelSpec = str | type[Model]


def declare(source: str | Mapping[str, Any], name: str | None = None
            ) -> type[DeclaredModel] | dict[str, type[DeclaredModel]]:
    """Declare a model from YAML text or a dict (format: :mod:`steadysqueeze.models.declared`).

    Parameters
    ----------
    source
        Either a ``models:`` mapping of declarations (``{"models": {NAME: {...}}}``), or
        a single declaration (``{"parameters": ..., "hamiltonian": ..., ...}``, then
        ``name`` is required); as a dict or as YAML text. Nothing in it is executed:
        expressions are parsed and checked node by node.
    name
        The model's name for a single declaration; for a ``models:`` mapping, the one
        model to return.

    Returns
    -------
    type[DeclaredModel] or dict[str, type[DeclaredModel]]
        The model class when one model is declared (or selected by ``name``), otherwise
        a dict name -> class of all of them. The classes are not registered: pass the
        class itself to :func:`steady_state` or :func:`solve`.

    Raises
    ------
    ValueError
        A malformed declaration (:class:`~steadysqueeze.expressions.DeclarationError`,
        naming the model and the field), or a ``name`` that is not declared.

    Examples
    --------
    >>> model = declare('''
    ... models:
    ...   dicke_local:
    ...     parameters: {Omega: null, Gamma: 1.0, gamma: 0.03}
    ...     hamiltonian: "-Omega*Sx"
    ...     dissipation: {collective_emission: Gamma/N, emission: gamma}
    ... ''')
    >>> model.name, model.parameter_names()
    ('dicke_local', ('Omega', 'Gamma', 'gamma'))
    >>> declare({"parameters": {"Delta": None}, "hamiltonian": "Delta*Sz",
    ...          "dissipation": {"emission": 1}}, name="precession").name
    'precession'
    """
    if isinstance(source, str):
        try:
            source = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            raise DeclarationError(f"declaration: not valid YAML ({exc})") from None
    if not isinstance(source, Mapping):
        raise DeclarationError("declaration: expected a mapping (a 'models:' mapping or one "
                               f"model's fields), got {type(source).__name__}")
    if "models" not in source:
        if name is None:
            raise DeclarationError("declaration: a single model's fields need name=...; or "
                                   "give a mapping {'models': {NAME: {...}}}")
        return declare_model(name, source)
    models = load_declarations(source)
    if name is not None:
        if name not in models:
            raise DeclarationError(f"declaration: model {name!r} is not declared; declared: "
                                   f"{', '.join(models)}")
        return models[name]
    return next(iter(models.values())) if len(models) == 1 else models


def _model_class(model: ModelSpec) -> type[Model]:
    if isinstance(model, type) and issubclass(model, Model):
        return model
    if isinstance(model, str) and model in MODELS:
        return MODELS[model]
    raise ModelInputError(f"model: unknown model {model!r}; give one of {', '.join(MODELS)} "
                          "or a model class from steadysqueeze.declare")


def _N(value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)) \
            or value < 2:
        raise ValueError(f"N: must be an integer >= 2, got {value!r}")
    return int(value)


def steady_state(model: ModelSpec, N: int, **parameters: float) -> SteadyState:
    r"""The exact steady state of ``model`` for ``N`` emitters at one parameter point.

    Parameters
    ----------
    model
        A registered model's name (``"xyz"``, ``"tfi"``, ``"dicke"``, ...) or a model
        class, e.g. from :func:`declare`.
    N
        Number of emitters (an integer >= 2).
    **parameters
        The model's parameters (numbers); those with a default may be left out.

    Returns
    -------
    SteadyState
        :math:`\rho = \bigoplus_J \rho^J` (:class:`~steadysqueeze.state.SteadyState`,
        checked: residual, unit trace, positivity); :meth:`~.SteadyState.to_qutip` gives
        it as a :class:`qutip.Qobj` in the Dicke basis of :mod:`qutip.piqs`, and
        :func:`steadysqueeze.observables.analyze` its squeezing observables.

    Raises
    ------
    ValueError
        An unknown model, an unknown, missing or non-finite parameter, or a bad ``N``
        (the message names it).

    Examples
    --------
    >>> from steadysqueeze.observables import analyze
    >>> state = steady_state("dicke", 10, Omega=0.3)
    >>> list(state.blocks)
    [5.0]
    >>> print(f"{analyze(state).xi2:.4f}")
    0.8032
    """
    return exact.steady_state(_model_class(model).from_parameters(parameters), _N(N))


def _axis(name: str, values: Any) -> np.ndarray | None:
    """The values of a swept axis, or None for a scalar (numbers only)."""
    array = np.asarray(values)
    if not (np.issubdtype(array.dtype, np.number) and not np.issubdtype(array.dtype, np.bool_)):
        raise ValueError(f"{name}: expected a number or a 1-D sequence of numbers, got "
                         f"{values!r}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: parameter {name!r} must be a finite number, got {values!r}")
    if array.ndim == 0:
        return None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name}: expected a number or a non-empty 1-D sequence of numbers, "
                         f"got shape {array.shape}")
    if len(np.unique(array)) != array.size:
        raise ValueError(f"{name}: the swept values repeat")
    return array


def _split(parameters: dict[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(swept, fixed): sequences become grid axes (checked by :func:`_axis`), numbers stay."""
    swept: dict[str, np.ndarray] = {}
    fixed: dict[str, Any] = {}
    for name, values in parameters.items():
        axis = _axis(name, values)
        if axis is None:
            fixed[name] = values
        else:
            swept[name] = axis
    return swept, fixed


def _is_infinite(N: Any) -> bool:
    return (isinstance(N, str) and N.lower() in ("inf", "infinity")) or \
        (isinstance(N, float) and N == float("inf"))


def solve(model: ModelSpec, N: int | Sequence[int] | str | float,
          **parameters: float | Sequence[float]) -> xr.Dataset:
    r"""Exact steady-state observables at one point or on a grid, as an :class:`xarray.Dataset`.

    Parameters
    ----------
    model
        A registered model's name or a model class (e.g. from :func:`declare`).
    N
        Number of emitters, or a list of them (a grid dimension ``N``); or ``"inf"``
        (``math.inf``) for the N = ∞ limit: the mean-field steady state and Gaussian
        fluctuations about it, values per emitter, with the gap, every fixed point
        (dimension ``branch``), the status of the reported state and, where the model's
        scaling drive is swept, the critical drive (the workflow's
        ``results/gaussian/{study}.nc``).
    **parameters
        The model's parameters: a number fixes one; a 1-D sequence (list, array) sweeps
        it. Parameters with a default may be left out.

    Returns
    -------
    xarray.Dataset
        The variables of the workflow's exact datasets (``results/exact/{study}.nc``),
        with the same names, long names and units
        (:data:`steadysqueeze.variables.OBSERVABLES`, ``residual``, ``iterations``):
        ``xi2`` (:math:`\xi_R^2`, Eq. 18), ``theta``, ``mean_J``, ``covariance``,
        ``squeezed_axis``, ``var_min``, ``var_max``, ``qfi``, ``purity``, ``entropy``.
        Dimensions: ``N`` if a list was given, then the swept parameters in the order
        given (plus ``component``/``component_b`` of vectors); the grid is their
        Cartesian product. Fixed values (``N`` included) are scalar coordinates; the
        attributes name the ``model`` and the ``method`` ("exact").

    Raises
    ------
    ValueError
        An unknown model, an unknown, missing or non-finite parameter at any grid point,
        a bad ``N`` or a malformed sweep (the message names it), before any solve.
    steadysqueeze.state.SolverError
        A solve that fails its checks.

    Notes
    -----
    The points are solved in grid order (C order, ``N`` slowest) as one
    :class:`steadysqueeze.exact.Scan`, as a workflow shard is: each point at the same
    ``N`` starts from its predecessor's solution. For the states themselves, use
    :func:`steady_state`.

    Examples
    --------
    >>> print(solve("dicke", "inf", Omega=0.3).xi2.round(6).values)   # √(1 − (2Ω/Γ)²)
    0.8
    >>> ds = solve("dicke", 10, Omega=[0.2, 0.3])
    >>> ds.xi2.dims, ds.xi2.attrs["long_name"]
    (('Omega',), 'squeezing parameter xi_R^2, Eq. 18')
    >>> print(ds.xi2.round(4).values)
    [0.9168 0.8032]
    >>> solve("xyz", [4, 6], Jx=0.5, Jy=-0.3, Jz=1.0).xi2.dims
    ('N',)
    """
    model_class = _model_class(model)
    if _is_infinite(N):
        return _limit(model_class, parameters)
    Ns = _axis("N", N)
    grid: dict[str, np.ndarray] = {} if Ns is None else {"N": np.array([_N(n) for n in Ns])}
    fixed: dict[str, float] = {} if Ns is not None else {"N": _N(N)}
    swept, held = _split(parameters)
    grid.update(swept)
    fixed.update(held)
    points = []   # every point validated before any solve
    for values in itertools.product(*grid.values()):
        point = {**fixed, **dict(zip(grid, values))}
        size = point.pop("N")
        points.append((int(size), model_class.from_parameters(point),
                       f"{model_class.name} at N={int(size)}, {point}"))
    # valid numbers now: label them as the workflow does (floats, N integer)
    grid = {k: v if k == "N" else v.astype(float) for k, v in grid.items()}
    fixed = {k: v if k == "N" else float(v) for k, v in fixed.items()}
    flat = solved_points(exact.Scan(), points, range(len(points)))
    ds = labelled_grid(model_class, grid, fixed, flat)
    ds.attrs.update({"model": model_class.name, "method": "exact"})
    return ds


def _limit(model_class: type[Model], parameters: dict[str, Any]) -> xr.Dataset:
    """The N = ∞ limit on the grid of ``parameters`` (numbers fixed, sequences swept)."""
    swept, held = _split(parameters)
    grid = {k: v.astype(float) for k, v in swept.items()}
    fixed = {k: float(v) for k, v in held.items()}
    for point in itertools.product(*grid.values()):   # every point validated first
        model_class.from_parameters({**fixed, **dict(zip(grid, point))})
    return limit_dataset(model_class, grid, fixed)
