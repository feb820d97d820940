"""Labelled xarray datasets of a study.

Dimensions are named after the swept parameters (``N``, ``dJ``, ``J``, ...); every
coordinate and variable has ``units`` and ``long_name`` (couplings in units of the
decay rate, ``"gamma"`` or ``"Gamma"``), taken from the model's parameter table and
from :mod:`steadysqueeze.variables`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import xarray as xr

from .exact import Scan
from .exact.spectrum import SECTORS, Spectrum
from .gaussian import (PROFILE_POINTS, DriveProfile, Limit, LimitStatus, approachable_xi2,
                       bistable_range, critical_squeezing, drive_profile,
                       minimum_over_drive, thermodynamic_limit)
from .meanfield import critical_drive
from .models import Model
from .observables import Squeezing, analyze
from .scaling import critical_gap_fit
from .studies import Study
from .variables import OBSERVABLES, PER_EMITTER, attrs, component_coords, variable

__all__ = ["points_dataset", "solved_points", "grid_dataset", "labelled_grid", "coordinate_attrs",
           "grid_coords", "study_coords", "limit_dataset", "gap_points", "gap_dataset",
           "spectrum_row", "eigen_width", "SECTOR_CODES"]


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


_LIMIT_SCALARS = ("xi2", "theta", "var_min", "var_max", "gap", "stable", "limit_status",
                  "n_stable", "xi2_approachable")
_LIMIT_VECTORS = ("mean_J", "squeezed_axis")
_BRANCH_VALUES = ("fixed_point_growth_rate", "xi2_branch", "gap_branch")


def _limit_row(limit: Limit) -> dict[str, np.ndarray | float]:
    """The values of one point's N = ∞ limit (NaN where it has no reported state)."""
    row: dict[str, np.ndarray | float] = {name: np.nan for name in _LIMIT_SCALARS}
    row.update({name: np.full(3, np.nan) for name in _LIMIT_VECTORS})
    row["covariance"] = np.full((3, 3), np.nan)
    reported = limit.reported
    row.update(stable=float(reported is not None), limit_status=float(limit.status),
               n_stable=float(len(limit.branches)), xi2_approachable=approachable_xi2(limit))
    if reported is not None:
        row.update(gap=reported.gap, mean_J=reported.mean, covariance=reported.covariance)
        if limit.status != LimitStatus.mean_spin_vanishes:
            xi2, theta, axis, var_min, var_max = reported.squeezing()
            row.update(xi2=xi2, theta=theta, squeezed_axis=axis, var_min=var_min,
                       var_max=var_max)
    stable = {id(b.fixed_point): b for b in limit.branches}
    row["fixed_point"] = [p.m for p in limit.fixed_points]
    row["fixed_point_growth_rate"] = [p.growth_rate for p in limit.fixed_points]
    row["xi2_branch"] = [stable[id(p)].squeezing()[0] if id(p) in stable
                         and limit.status != LimitStatus.mean_spin_vanishes else np.nan
                         for p in limit.fixed_points]
    row["gap_branch"] = [stable[id(p)].gap if id(p) in stable else np.nan
                         for p in limit.fixed_points]
    return row


def _padded(rows: Sequence[Sequence], width: int, trailing: tuple[int, ...]) -> np.ndarray:
    out = np.full((len(rows), width) + trailing, np.nan)
    for i, row in enumerate(rows):
        if len(row):
            out[i, :len(row)] = np.asarray(row)
    return out


def _limit_attrs(name: str, labels: Mapping[str, str]) -> dict[str, object]:
    meta: dict[str, object] = dict(attrs(name, **labels))
    if name in PER_EMITTER:
        meta["long_name"] = f"{PER_EMITTER[name]}, N -> infinity"
    elif name in OBSERVABLES:
        meta["long_name"] = f"{meta['long_name']}, N -> infinity (Gaussian fluctuations)"
    if name == "limit_status":
        meta.update(flag_values=np.array([int(s) for s in LimitStatus]),
                    flag_meanings=" ".join(s.name for s in LimitStatus),
                    flag_descriptions="; ".join(f"{s.name}: {s.meaning}" for s in LimitStatus))
    return meta


#: per value of the grid's other axes: the critical drive, the minimum over the drive
#: and the bistable range of the N = ∞ limit
_ALONG_DRIVE = ("drive_c", "xi2_c", "xi2_c_error", "xi2_min_limit", "drive_at_min_limit",
                "minimum_limit_interior", "bistable_from", "bistable_to")


def _along_drive(model_at: Callable[[float], Model], drives: np.ndarray
                 ) -> tuple[DriveProfile, dict[str, float]]:
    """The N = ∞ profile along one sweep of the drive (:func:`~.gaussian.drive_profile`)
    and the values of :data:`_ALONG_DRIVE` from it."""
    weakest = float(drives[np.argmin(np.abs(drives))])
    drive_c = critical_drive(model_at, drives)
    profile = drive_profile(model_at, drives)
    xi2_c, error = critical_squeezing(model_at, drive_c, weakest, profile.starts_near(drive_c)) \
        if np.isfinite(drive_c) else (float("nan"), float("nan"))
    lowest = minimum_over_drive(model_at, profile, (drive_c, xi2_c, error))
    low, high = bistable_range(model_at, profile)
    return profile, {"drive_c": drive_c, "xi2_c": xi2_c, "xi2_c_error": error,
                     "xi2_min_limit": lowest.xi2, "drive_at_min_limit": lowest.drive,
                     "minimum_limit_interior": float(lowest.where != "end"),
                     "bistable_from": low, "bistable_to": high}


def _grid_limits(model: type[Model], grid: Mapping[str, np.ndarray],
                 fixed: Mapping[str, float]
                 ) -> tuple[list[Limit], dict[str, np.ndarray] | None]:
    """The N = ∞ limit at every grid point, in C order, and the values of
    :data:`_ALONG_DRIVE` over the grid's other axes (None where the drive is not swept).
    Along a swept drive both come from one profile per line, whose fixed-point searches
    start from their neighbours' too, so that no branch is lost near a fold."""
    drive = model.scaling_drive
    if drive not in grid:
        return [thermodynamic_limit(model.from_parameters({**fixed, **dict(zip(grid, values))}))
                for values in itertools.product(*grid.values())], None
    axes = list(grid)
    others = [axis for axis in axes if axis != drive]
    drives = np.asarray(grid[drive], dtype=float)
    values = {name: np.full(tuple(len(grid[a]) for a in others), np.nan) for name in _ALONG_DRIVE}
    limits: dict[tuple[int, ...], Limit] = {}
    for index in np.ndindex(*(len(grid[axis]) for axis in others)):
        point = {axis: float(grid[axis][i]) for axis, i in zip(others, index)}

        def model_at(d: float, point: dict[str, float] = point) -> Model:
            return model.from_parameters({**fixed, **point, drive: d})

        profile, along = _along_drive(model_at, drives)
        for name, value in along.items():
            values[name][index] = value
        for k, d in enumerate(drives):
            at = {**dict(zip(others, index)), drive: k}
            limits[tuple(at[axis] for axis in axes)] = \
                profile.limits[int(np.searchsorted(profile.drives, d))]
    return [limits[index] for index in np.ndindex(*(len(grid[a]) for a in axes))], values


def _critical_values(model: type[Model], grid: Mapping[str, np.ndarray],
                     values: dict[str, np.ndarray] | None, labels: Mapping[str, str]
                     ) -> dict[str, xr.Variable]:
    """The values of :data:`_ALONG_DRIVE` (drive_c, xi2_c, the minimum over the drive, the
    bistable range) over the grid axes other than the model's scaling drive (scalar NaN,
    with the reason, where the grid does not sweep the drive)."""
    drive = model.scaling_drive
    if values is None:
        reason = {"comment": f"the grid does not sweep the drive {drive}"}
        return {name: xr.Variable((), np.nan, {**attrs(name, **labels), **reason})
                for name in _ALONG_DRIVE}
    weakest = float(grid[drive][np.argmin(np.abs(grid[drive]))])
    dims = tuple(axis for axis in grid if axis != drive)
    note = {"comment": f"drive_c followed along {drive} from its weakest value {weakest:g} to "
            "the end of the sweep with the larger |value|; the minimum and the bistable "
            f"range over the sweep ({PROFILE_POINTS} evenly spaced drives and the sweep's "
            "own, refined)"}
    return {name: xr.Variable(dims, v, {**attrs(name, **labels), **note})
            for name, v in values.items()}


def limit_dataset(model: type[Model], grid: Mapping[str, np.ndarray],
                  fixed: Mapping[str, float]) -> xr.Dataset:
    """The N = ∞ limit (:mod:`steadysqueeze.gaussian`) on a grid of parameters (name ->
    values, C order; no ``N``): the reported state's ξ², θ, mean spin and covariance per
    emitter and gap, every fixed point along ``branch`` with its stability, and the
    critical drive with xi2_c along the grid's other axes."""
    labels = {"rate": model.rate_name, "drive": model.scaling_drive,
              "drive_units": model.rate_name}
    limits, along_drive = _grid_limits(model, grid, fixed)
    rows = [_limit_row(limit) for limit in limits]
    dims = tuple(grid)
    shape = tuple(len(v) for v in grid.values())
    width = max(1, max(len(r["fixed_point"]) for r in rows))
    data: dict[str, xr.Variable] = {}
    for name in _LIMIT_SCALARS:
        data[name] = xr.Variable(dims, np.reshape([r[name] for r in rows], shape),
                                 _limit_attrs(name, labels))
    for name in _LIMIT_VECTORS:
        data[name] = xr.Variable(dims + ("component",), np.reshape(
            [r[name] for r in rows], shape + (3,)), _limit_attrs(name, labels))
    data["covariance"] = xr.Variable(dims + ("component", "component_b"), np.reshape(
        [r["covariance"] for r in rows], shape + (3, 3)), _limit_attrs("covariance", labels))
    data["fixed_point"] = xr.Variable(
        dims + ("branch", "component"),
        _padded([r["fixed_point"] for r in rows], width, (3,)).reshape(shape + (width, 3)),
        _limit_attrs("fixed_point", labels))
    for name in _BRANCH_VALUES:
        data[name] = xr.Variable(dims + ("branch",), _padded(
            [r[name] for r in rows], width, ()).reshape(shape + (width,)),
            _limit_attrs(name, labels))
    data["limit_status"] = data["limit_status"].astype(np.int8)
    data.update(_critical_values(model, grid, along_drive, labels))
    coords = {k: v for k, v in grid_coords(model, grid).items()}
    coords["branch"] = xr.Variable(("branch",), np.arange(width), {
        "long_name": "mean-field fixed point, most stable first"})
    ds = xr.Dataset(data, coords=coords)
    for key, value in fixed.items():
        ds.coords[key] = xr.Variable((), value, coordinate_attrs(model, key))
    ds.attrs.update(model=model.name, method="gaussian", branches=(
        "with one stable fixed point its values; with several symmetry-related ones "
        "(symmetric_branches) each branch's (equal) values, the finite-N exact state being "
        "their symmetric mixture; with inequivalent ones (bistable) values per branch only"))
    return ds


# -- the Liouvillian gap at finite N (results/gap) ---------------------------------------------
#: codes of the sector variables (flag_values): -1 where no eigenvalue (padding)
SECTOR_CODES: dict[str, int] = {"none": -1, **{name: code for code, name in enumerate(SECTORS)}}
#: the values of one spectrum, by variable (their extra dims from the variables registry)
_SPECTRUM_VALUES = ("gap", "gap_sector", "gap_by_sector", "spectrum_radius", "eigenvalue_real",
                    "eigenvalue_imag", "eigenvalue_sector", "eigenvalue_residual")
#: the values of the spectrum at the critical drive: spectrum value -> variable
_CRITICAL_VALUES = {"gap": "gap_critical", "gap_sector": "gap_critical_sector",
                    "gap_by_sector": "gap_critical_by_sector"}
_SECTOR_FLAGS = ("gap_sector", "eigenvalue_sector", "gap_critical_sector")
SpectrumFunction = Callable[[Model, int, int], Spectrum]


def eigen_width(k: int) -> int:
    """Eigenvalues stored per point: k per parity sector, plus one where the k-th is half of
    a complex-conjugate pair (:func:`~steadysqueeze.exact.spectrum.slowest_eigenvalues`)."""
    return 2 * (k + 1)


def spectrum_row(spectrum: Spectrum, width: int) -> dict[str, float | np.ndarray]:
    """One point's values of :data:`_SPECTRUM_VALUES` (eigenvalues padded to ``width``)."""
    n = spectrum.eigenvalues.size
    if n > width:
        raise ValueError(f"{n} eigenvalues, more than the {width} stored per point")
    padding = np.full(width - n, np.nan)
    return {
        "gap": spectrum.gap, "gap_sector": SECTOR_CODES[spectrum.sector],
        "gap_by_sector": np.array([spectrum.gap_of(s) if s in spectrum.radius else np.nan
                                   for s in SECTORS]),
        "spectrum_radius": np.array([spectrum.radius.get(s, np.nan) for s in SECTORS]),
        "eigenvalue_real": np.concatenate([spectrum.eigenvalues.real, padding]),
        "eigenvalue_imag": np.concatenate([spectrum.eigenvalues.imag, padding]),
        "eigenvalue_sector": np.concatenate([[SECTOR_CODES[s] for s in spectrum.sectors],
                                             np.full(width - n, SECTOR_CODES["none"])]),
        "eigenvalue_residual": np.concatenate([spectrum.residuals, padding]),
    }


def _no_critical_row() -> dict[str, float | np.ndarray]:
    """The critical values where the N = ∞ limit has no critical drive."""
    return {"gap": np.nan, "gap_sector": SECTOR_CODES["none"],
            "gap_by_sector": np.full(len(SECTORS), np.nan)}


def _spectrum_variables(rows: Sequence[Mapping[str, float | np.ndarray]], names: Mapping[str, str],
                        dims: tuple[str, ...], shape: tuple[int, ...], width: int,
                        labels: Mapping[str, str]) -> dict[str, xr.Variable]:
    """The rows (C order over ``dims``) as variables (row key -> variable name in ``names``)."""
    extent = {"sector": len(SECTORS), "eigen": width}
    out = {}
    for key, name in names.items():
        extra = variable(key).extra_dims
        values = np.reshape(np.array([row[key] for row in rows]),
                            shape + tuple(extent[d] for d in extra))
        meta: dict[str, object] = dict(attrs(name, **labels))
        if name in _SECTOR_FLAGS:
            values = values.astype(np.int8)
            meta.update(flag_values=np.array(list(SECTOR_CODES.values()), dtype=np.int8),
                        flag_meanings=" ".join(SECTOR_CODES))
        out[name] = xr.Variable(dims + extra, values, meta)
    return out


def _gap_labels(model: type[Model]) -> dict[str, str]:
    return {"rate": model.rate_name, "drive": model.scaling_drive, "drive_units": model.rate_name}


def gap_points(study: Study, Ns: Sequence[int], drive_c: xr.DataArray | None,
               spectrum: SpectrumFunction) -> xr.Dataset:
    r"""The Liouvillian gap of ``study`` at the N in ``Ns`` (its ``gap:`` option,
    :class:`~steadysqueeze.studies.GapRequest`): on the sub-grid (dims ``N``, the swept
    parameters and ``eigen``/``sector``) the gap, its sector, the gap and the completeness
    radius of each sector and the k slowest eigenvalues per sector with their residuals;
    where the study sweeps the model's scaling drive, the gap at the critical drive
    ``drive_c`` (the N = ∞ dataset's, over the other swept parameters) along ``N_critical``.

    ``spectrum(model, N, k)`` computes one spectrum
    (:func:`~steadysqueeze.exact.spectrum.slowest_eigenvalues`); a solver failure raises.
    """
    request = study.gap
    if request is None:
        raise ValueError(f"study {study.name!r} has no 'gap' option")
    model, drive = study.model_class, study.model_class.scaling_drive
    labels, width = _gap_labels(model), eigen_width(request.k)
    grid_N = [N for N in Ns if N in request.N]
    rows = [spectrum_row(spectrum(study.model_with(**point), N, request.k), width)
            for N in grid_N for point in request.points()]
    data = _spectrum_variables(rows, {key: key for key in _SPECTRUM_VALUES},
                               ("N",) + tuple(request.sweep), (len(grid_N),) + request.shape[1:],
                               width, labels)
    coords = {"N": xr.Variable(("N",), np.array(grid_N, dtype=np.int64),
                               coordinate_attrs(model, "N"))}
    if drive in study.sweep:
        if drive_c is None:
            raise ValueError(f"study {study.name!r} sweeps {drive}: the gap at its critical "
                             "value needs the N = ∞ drive_c")
        others = {axis: values for axis, values in request.sweep.items() if axis != drive}
        critical = []
        for N in Ns:
            for values in itertools.product(*others.values()):
                point = dict(zip(others, map(float, values)))
                d_c = float(drive_c.sel(point)) if point else float(drive_c)
                critical.append(spectrum_row(spectrum(study.model_with(**point, **{drive: d_c}),
                                                      N, request.k), width)
                                if np.isfinite(d_c) else _no_critical_row())
        data.update(_spectrum_variables(critical, _CRITICAL_VALUES,
                                        ("N_critical",) + tuple(others),
                                        (len(Ns),) + tuple(len(v) for v in others.values()),
                                        width, labels))
        coords["N_critical"] = xr.Variable(("N_critical",), np.array(Ns, dtype=np.int64), {
            **coordinate_attrs(model, "N"), "long_name": "N of the gap at the critical drive"})
    if not grid_N:   # only the critical drive at these N
        data = {k: v for k, v in data.items() if "N" not in v.dims}
        del coords["N"]
    return xr.Dataset(data, coords=coords)


def gap_dataset(study: Study, parts: Sequence[xr.Dataset], limit: xr.Dataset) -> xr.Dataset:
    """The Liouvillian gap dataset of ``study`` from the :func:`gap_points` of its N (in any
    split, ascending within each part): the parts joined along ``N`` and ``N_critical``,
    the labelled coordinates, the N = ∞ ``drive_c`` and, where the gap at the critical
    drive depends on N alone, its power-law fit (:func:`~steadysqueeze.scaling.
    critical_gap_fit`)."""
    request = study.gap
    if request is None:
        raise ValueError(f"study {study.name!r} has no 'gap' option")
    model = study.model_class
    joined = [xr.concat([part[[v for v in part.data_vars if dim in part[v].dims]]
                         for part in parts if dim in part.dims], dim=dim).sortby(dim)
              for dim in ("N", "N_critical") if any(dim in part.dims for part in parts)]
    ds = xr.merge(joined, combine_attrs="override")   # the variables' attributes
    ds.attrs = {}   # not the parts' provenance
    if list(ds["N"].values) != list(request.N) or (
            "N_critical" in ds.dims and list(ds["N_critical"].values) != list(request.all_N)):
        raise ValueError(f"study {study.name!r}: the gap parts do not cover its N exactly")
    width = eigen_width(request.k)
    ds = ds.assign_coords(
        {axis: xr.Variable((axis,), values, coordinate_attrs(model, axis))
         for axis, values in request.sweep.items()}
        | {"sector": xr.Variable(("sector",), list(SECTORS), {
            "long_name": "parity sector of M - M' (all: H does not conserve it)"}),
           "eigen": xr.Variable(("eigen",), np.arange(width), {
               "long_name": "eigenvalue index, by |Re lambda| then |Im lambda|"})})
    for key, value in study.fixed.items():
        ds.coords[key] = xr.Variable((), value, coordinate_attrs(model, key))
    labels = _gap_labels(model)
    if "gap_critical" in ds:
        drive_c = limit["drive_c"].sel({axis: ds[axis].values for axis in limit["drive_c"].dims})
        ds["drive_c"] = drive_c.assign_attrs({**attrs("drive_c", **labels), **drive_c.attrs})
        if ds["gap_critical"].dims == ("N_critical",):
            ds = ds.assign(critical_gap_fit(ds["N_critical"].values, ds["gap_critical"].values,
                                            labels))
    ds.attrs.update(model=model.name, method="spectrum", k=request.k,
                    sector_of_the_spectrum=(
                        "the permutation-invariant sector: the eigenvalues of L on the "
                        "permutation-invariant operators (physical PIQS blocks), the sector a "
                        "permutation-invariant state never leaves"))
    return ds
