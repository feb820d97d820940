"""Labelled xarray datasets of a study, and atomic netCDF writing.

Dimensions are named after the swept parameters (``N``, ``dJ``, ``J``, ...), every
coordinate and variable has ``units`` and ``long_name`` (couplings in units of the
decay rate, ``"gamma"`` or ``"Gamma"``). Standard variables follow design.md.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from .models import MODELS, PARAMETERS
from .observables import Squeezing
from .studies import Study

__all__ = ["VARIABLES", "points_dataset", "grid_dataset", "write_atomic", "atomic_target",
           "coordinate_attrs",
           "study_coords"]

COMPONENTS = ("x", "y", "z")

#: name -> (long_name, units, extra dimensions)
VARIABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "xi2": ("squeezing parameter xi_R^2, Eq. 18", "1", ()),
    "theta": ("squeezing angle in the plane transverse to <J> (NaN where isotropic)", "rad", ()),
    "mean_J": ("mean collective spin <J^a>", "1", ("component",)),
    "covariance": ("symmetrised covariance (<J^a J^b + J^b J^a>/2 - <J^a><J^b>)", "1",
                   ("component", "component_b")),
    "squeezed_axis": ("unit vector of the squeezed spin component", "1", ("component",)),
    "var_min": ("variance of the squeezed transverse component", "1", ()),
    "var_max": ("variance of the anti-squeezed transverse component", "1", ()),
    "qfi": ("quantum Fisher information of the anti-squeezed component, Eq. 19", "1", ()),
    "purity": ("purity Tr rho^2 (PIQS degeneracy weights)", "1", ()),
    "entropy": ("von Neumann entropy (PIQS degeneracy weights)", "nat", ()),
}


def coordinate_attrs(model_name: str, name: str) -> dict[str, str]:
    if name == "N":
        return {"long_name": "number of emitters", "units": "1"}
    rate_unit = MODELS[model_name].rate_name
    info = PARAMETERS[name]
    return {"long_name": info.long_name, "units": rate_unit, "latex": info.latex}


def study_coords(study: Study) -> dict[str, xr.Variable]:
    coords = {dim: xr.Variable((dim,), values, coordinate_attrs(study.model, dim))
              for dim, values in study.coords().items()}
    coords.update(_component_coords())
    return coords


def _component_coords() -> dict[str, xr.Variable]:
    return {name: xr.Variable((name,), list(COMPONENTS), {"long_name": "Cartesian component"})
            for name in ("component", "component_b")}


def points_dataset(study: Study, indices: Sequence[int], results: Sequence[Squeezing],
                   extra: Mapping[str, tuple[str, str, Sequence[float]]] | None = None
                   ) -> xr.Dataset:
    """Observables at the flat grid ``indices`` along a ``point`` dimension.

    ``extra`` adds per-point variables: name -> (long_name, units, values).
    """
    if len(indices) != len(results):
        raise ValueError("one result per grid index is required")
    data: dict[str, xr.Variable] = {}
    for name, (long_name, units, extra_dims) in VARIABLES.items():
        values = np.array([getattr(r, name) for r in results], dtype=float)
        data[name] = xr.Variable(("point",) + extra_dims, values,
                                 {"long_name": long_name, "units": units})
    for name, (long_name, units, values) in (extra or {}).items():
        data[name] = xr.Variable(("point",), np.asarray(values, dtype=float),
                                 {"long_name": long_name, "units": units})
    coords = {"point": xr.Variable(("point",), np.asarray(indices, dtype=np.int64),
                                   {"long_name": "flat index into the study grid"}),
              **_component_coords()}
    return xr.Dataset(data, coords=coords)


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
    coords = study_coords(study)
    data = {}
    for name, var in points.data_vars.items():
        values = var.values[order]
        extra_dims = var.dims[1:]
        data[name] = xr.Variable(study.dims + extra_dims,
                                 values.reshape(study.shape + values.shape[1:]), dict(var.attrs))
    ds = xr.Dataset(data, coords=coords)
    for key, value in study.fixed.items():
        ds.coords[key] = xr.Variable((), value, coordinate_attrs(study.model, key))
    return ds


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    An interrupted or failing writer never leaves a partial file under the final name.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(ds: xr.Dataset, path: str | os.PathLike[str]) -> None:
    """Write netCDF to a temporary file in the target directory, then rename it into place."""
    with atomic_target(path) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4")
