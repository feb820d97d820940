"""Labelled xarray datasets of a study.

Dimensions are named after the swept parameters (``N``, ``dJ``, ``J``, ...); every
coordinate and variable has ``units`` and ``long_name`` (couplings in units of the
decay rate, ``"gamma"`` or ``"Gamma"``), taken from the model's parameter table and
from :mod:`steadysqueeze.variables`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from .models import Model
from .exact import Scan
from .observables import Squeezing, analyze
from .studies import Study
from .variables import OBSERVABLES, attrs, component_coords

__all__ = ["points_dataset", "solved_points", "grid_dataset", "labelled_grid", "coordinate_attrs",
           "grid_coords", "study_coords"]


def coordinate_attrs(model: type[Model], name: str) -> dict[str, str]:
    """Attributes of a grid coordinate: ``N`` or a parameter of ``model``."""
    if name == "N":
        return {"long_name": "number of emitters", "units": "1"}
    info = model.parameters[name]
    return {"long_name": info.long_name, "units": model.rate_name, "latex": info.latex}


def grid_coords(model: type[Model], grid: Mapping[str, np.ndarray]) -> dict[str, xr.Variable]:
    """Labelled coordinates of the grid axes (name -> values) and of the vector components."""
    coords = {dim: xr.Variable((dim,), values, coordinate_attrs(model, dim))
              for dim, values in grid.items()}
    coords.update(component_coords())
    return coords


def study_coords(study: Study) -> dict[str, xr.Variable]:
    return grid_coords(study.model_class, study.coords())


def points_dataset(indices: Sequence[int], results: Sequence[Squeezing],
                   extra: Mapping[str, Sequence[float]] | None = None) -> xr.Dataset:
    """Observables at the flat grid ``indices`` along a ``point`` dimension.

    ``extra`` adds per-point variables (name -> values); their metadata comes from
    :data:`steadysqueeze.variables.VARIABLES`.
    """
    if len(indices) != len(results):
        raise ValueError("one result per grid index is required")
    data: dict[str, xr.Variable] = {}
    for name, entry in OBSERVABLES.items():
        values = np.array([getattr(r, name) for r in results], dtype=float)
        data[name] = xr.Variable(("point",) + entry.extra_dims, values, attrs(name))
    for name, values in (extra or {}).items():
        data[name] = xr.Variable(("point",), np.asarray(values, dtype=float), attrs(name))
    coords = {"point": xr.Variable(("point",), np.asarray(indices, dtype=np.int64),
                                   {"long_name": "flat index into the study grid"}),
              **component_coords()}
    return xr.Dataset(data, coords=coords)


def solved_points(scan: Scan, points: Sequence[tuple[int, Model, str]],
                  indices: Sequence[int]) -> xr.Dataset:
    """Exact observables, solver residual and iterations at ``points`` ((N, model, label)),
    solved in order as one scan, along a ``point`` dimension holding ``indices``; an
    analysis that fails names the point by its label."""
    results, residuals, iterations = [], [], []
    for N, model, label in points:
        state = scan.solve(model, N, label=label)
        try:
            results.append(analyze(state))
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from exc
        residuals.append(state.residual)
        iterations.append(state.iterations)
    return points_dataset(indices, results, {"residual": residuals, "iterations": iterations})


def grid_dataset(study: Study, points: xr.Dataset) -> xr.Dataset:
    """Reshape a complete ``point`` dataset onto the study grid (named dims, coordinates).

    Every grid point must be present exactly once.
    """
    order = np.argsort(points["point"].values)
    flat = points["point"].values[order]
    if not np.array_equal(flat, np.arange(study.size)):
        missing = sorted(set(range(study.size)) - set(flat.tolist()))
        raise ValueError(f"study {study.name!r}: grid points missing or repeated "
                         f"(missing: {missing[:10]}{'...' if len(missing) > 10 else ''})")
    return labelled_grid(study.model_class, study.coords(), study.fixed,
                         points.isel(point=order))


def labelled_grid(model: type[Model], grid: Mapping[str, np.ndarray],
                  fixed: Mapping[str, float], points: xr.Dataset) -> xr.Dataset:
    """Reshape a ``point`` dataset, in C order over the ``grid`` axes (name -> values),
    onto named dimensions; ``fixed`` values become scalar coordinates. Labels come from
    the ``model`` class and :func:`coordinate_attrs`.
    """
    dims = tuple(grid)
    shape = tuple(len(values) for values in grid.values())
    data = {}
    for name, var in points.data_vars.items():
        values = var.values
        data[name] = xr.Variable(dims + var.dims[1:], values.reshape(shape + values.shape[1:]),
                                 dict(var.attrs))
    ds = xr.Dataset(data, coords=grid_coords(model, grid))
    for key, value in fixed.items():
        ds.coords[key] = xr.Variable((), value, coordinate_attrs(model, key))
    return ds
