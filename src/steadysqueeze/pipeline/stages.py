"""The workflow's stages, one function per rule: model → perturbative → exact (sharded) →
gather → scaling, and the N = ∞ limit (gaussian) beside them.

Each Snakemake rule calls exactly one of these with explicit paths; every output is a
labelled netCDF dataset with the provenance record of :mod:`steadysqueeze.provenance`,
written atomically (:mod:`steadysqueeze.io`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from .. import exact, perturbative
from ..datasets import (coordinate_attrs, gap_dataset, gap_points, grid_dataset, limit_dataset,
                        points_dataset, solved_points, study_coords)
from ..exact.spectrum import Spectrum, slowest_eigenvalues
from ..io import write_atomic
from ..meanfield import has_paramagnet, paramagnet_growth_rate
from ..observables import Squeezing
from ..models import Model
from ..optimum import (LocatedMinimum, closed_form_grid, extrapolated_drive, locate_minimum,
                       locate_minimum_near)
from ..provenance import dataset_attributes, make_record
from ..scaling import scaling_dataset
from ..studies import Study
from ..variables import attrs

__all__ = ["write_model", "write_perturbative", "write_gaussian", "write_exact_shard",
           "write_exact_gather", "write_exact", "write_minimum", "write_minima",
           "located_minimum", "write_scaling", "write_gap_shard", "write_gap"]

log = logging.getLogger("steadysqueeze")
PathLike = str | os.PathLike[str]


def _previous_history(paths: Sequence[PathLike]) -> list[str]:
    lines: list[str] = []
    for path in paths:
        with xr.open_dataset(path) as ds:
            lines.extend(str(ds.attrs.get("history", "")).splitlines())
    return lines


def _finish(ds: xr.Dataset, *, rule: str, study: Study, inputs: Sequence[PathLike],
            title: str, output: PathLike) -> None:
    record = make_record(rule=rule, study=study.block, inputs=inputs)
    ds.attrs.update(dataset_attributes(record, title=title,
                                       previous_history=_previous_history(inputs)))
    write_atomic(ds, output)
    log.info("wrote %s", output)


def write_model(study: Study, output: PathLike) -> None:
    """Rule ``model``: the study grid, the model's canonical parameters and, at every
    point, whether pure-state perturbation theory applies (the checks of Sec. 2) and if
    not, why (attribute ``perturbation_theory``; such points are solved exactly only)."""
    values: dict[str, list[float]] = {}
    verdicts = []
    for index in range(study.size):
        N, model = study.model_at(index)
        verdict = perturbative.applicability(model, N)
        verdicts.append(verdict)
        row = {**{p: getattr(model, p) for p in model.parameter_names() if p not in study.dims},
               **verdict.checks, "pt_applicable": float(verdict.applies)}
        if has_paramagnet(model):
            row["mean_field_growth_rate"] = paramagnet_growth_rate(model)
        for key, value in row.items():
            values.setdefault(key, []).append(float(value))
    coords = study_coords(study)
    data = {}
    for key, column in values.items():
        meta = ({"long_name": f"model parameter {key}", "units": "rate"}
                if key in study.model_class.parameter_names() else attrs(key))
        data[key] = xr.Variable(study.dims, np.reshape(column, study.shape), meta)
    ds = xr.Dataset(data, coords={k: v for k, v in coords.items() if k in study.dims})
    ds.attrs.update(model=study.model, perturbation_theory=perturbative.summary(verdicts))
    _finish(ds, rule="model", study=study, inputs=[], output=output,
            title=f"{study.name}: {study.model} model grid and perturbation-theory checks")


def write_perturbative(study: Study, model_path: PathLike, output: PathLike) -> None:
    """Rule ``perturbative``: consistent-order PT observables at every grid point where
    the model stage found that PT applies; NaN elsewhere, with the model stage's reason
    in the attribute ``perturbation_theory``."""
    with xr.open_dataset(model_path) as model_ds:
        applicable = model_ds["pt_applicable"].values.ravel().astype(bool)
        verdict = str(model_ds.attrs["perturbation_theory"])
    order = study.pt_order
    results, truncated, failures = [], [], []
    for index in range(study.size):
        N, model = study.model_at(index)
        if applicable[index]:
            try:
                result = perturbative.squeezing(model, N, order)
                diagnostic = perturbative.truncated_state_squeezing(model, N, order).xi2
                results.append(result)
                truncated.append(diagnostic)
                continue
            except perturbative.PerturbationError as exc:   # passed the checks, not Eq. 12
                failures.append(f"point {study.point(index)}: {exc}")
                applicable[index] = False
        results.append(Squeezing.not_computed())
        truncated.append(float("nan"))
    if failures:
        verdict += f"; failed at {len(failures)} more point(s): {failures[0]}"
    extra = {"xi2_truncated_state": truncated, "order": [order] * study.size,
             "pt_applicable": applicable}
    points = points_dataset(range(study.size), results, extra)
    ds = grid_dataset(study, points)
    ds.attrs.update(method="perturbative", perturbation_theory=verdict)
    if not applicable.all():
        log.info("perturbation theory %s", verdict)
    _finish(ds, rule="perturbative", study=study, inputs=[model_path], output=output,
            title=f"{study.name}: pure-state perturbation theory (Eqs. 12-13)")


def _scan(study: Study) -> exact.Scan:
    """A scan of exact solves (progress to the log) with the study's ``exact_tolerance``."""
    options = exact.SolverOptions() if study.exact_tolerance is None else \
        exact.SolverOptions(tolerance=study.exact_tolerance)
    return exact.Scan(options, progress=exact.Progress(log.info), report=log.info)


def _solved_shard(study: Study, shard: int) -> xr.Dataset:
    """Exact steady states at the grid points of one shard (dim ``point``), in grid order,
    as one scan (each point reuses its neighbour's work, :class:`~.exact.Scan`)."""
    indices = study.shard_indices(shard)
    scan = _scan(study)
    points = [(N, model, f"{study.name} point {index}: N={N} {model}")
              for index in indices for N, model in [study.model_at(int(index))]]
    return solved_points(scan, points, indices.tolist())


def write_exact_shard(study: Study, shard: int, model_path: PathLike, output: PathLike) -> None:
    """Rule ``exact_shard``: exact steady states at the grid points of one shard."""
    ds = _solved_shard(study, shard)
    ds.attrs.update({"shard": shard, "shards": study.shards})
    _finish(ds, rule="exact_shard", study=study, inputs=[model_path], output=output,
            title=f"{study.name}: exact steady states, shard {shard + 1}/{study.shards}")


def write_exact(study: Study, model_path: PathLike, output: PathLike) -> None:
    """Rule ``exact`` for a study in one shard: its exact steady states, solved here."""
    if study.shards != 1:
        raise ValueError(f"{study.name} has {study.shards} shards: gather them")
    ds = grid_dataset(study, _solved_shard(study, 0))
    ds.attrs["method"] = "exact"
    _finish(ds, rule="exact", study=study, inputs=[model_path], output=output,
            title=f"{study.name}: exact steady states (Lindblad, Eq. 1)")


def write_exact_gather(study: Study, shard_paths: Sequence[PathLike], output: PathLike) -> None:
    """Rule ``exact``: join the shards into one dataset on the study grid."""
    parts = []
    for path in shard_paths:
        with xr.open_dataset(path) as part:
            parts.append(part.load())
    points = xr.concat(parts, dim="point", data_vars="all", coords="minimal",
                       compat="override", combine_attrs="override")
    ds = grid_dataset(study, points)
    ds.attrs["method"] = "exact"
    _finish(ds, rule="exact", study=study, inputs=list(shard_paths), output=output,
            title=f"{study.name}: exact steady states (Lindblad, Eq. 1)")


def write_minimum(study: Study, *, N: int, exact_path: PathLike | None,
                  output: PathLike, grid_minima_paths: Sequence[PathLike] = ()) -> None:
    """Rule ``minimum`` (studies sharded by N): the located minimum at one N
    (:func:`located_minimum`); ``grid_minima_paths``: the minima of the grid's N, which
    bracket an N of ``minima_N`` for a model without a closed form."""
    grid = xr.concat([xr.load_dataset(path) for path in grid_minima_paths], dim="N") \
        if grid_minima_paths else None
    ds = located_minimum(study, N, exact_path=exact_path, grid_minima=grid)
    inputs = [exact_path] if exact_path is not None else list(grid_minima_paths)
    _finish(ds, rule="minimum", study=study, inputs=inputs, output=output,
            title=f"{study.name}: located minimum of the exact xi_R^2 at N = {N}")


def write_minima(study: Study, minimum_paths: Sequence[PathLike], output: PathLike, *,
                 exact_path: PathLike | None = None) -> None:
    """Rule ``minima``: the located minima of every N of a study in one dataset, gathered
    from rule ``minimum`` (``minimum_paths``, studies sharded by N) or located here, N
    after N, from the exact dataset (``exact_path``: the other studies, whose N are
    cheap enough that a job per N would cost more to start than to run)."""
    if exact_path is None:
        parts = [xr.load_dataset(path) for path in minimum_paths]
        inputs = list(minimum_paths)
    else:
        parts = []
        for N in study.located_N:
            on_grid = N in study.N
            grid = None if on_grid or not study.extrapolates_minima else xr.concat(
                [part for part in parts if int(part["N"][0]) in study.N], dim="N")
            parts.append(located_minimum(study, N, exact_path=exact_path if on_grid else None,
                                         grid_minima=grid))
        inputs = [exact_path]
    ds = xr.concat(parts, dim="N", combine_attrs="drop")
    for key, value in study.fixed.items():
        ds.coords[key] = xr.Variable((), value, coordinate_attrs(study.model_class, key))
    ds.attrs["drive"] = study.model_class.scaling_drive
    _finish(ds, rule="minima", study=study, inputs=inputs, output=output,
            title=f"{study.name}: located minima of the exact xi_R^2 over "
                  f"{study.model_class.scaling_drive}")


def located_minimum(study: Study, N: int, *, exact_path: PathLike | None,
                    grid_minima: xr.Dataset | None) -> xr.Dataset:
    """The located minimum of the exact ξ_R² over the model's ``scaling_drive`` at one N
    (:mod:`steadysqueeze.optimum`), for every combination of the study's other swept
    parameters (dims ``N`` and those parameters). Bracketed by the exact dataset at the
    grid's N; at the N of ``minima_N`` by the closed form on the sweep, or, for a model
    without one, by exact solves near the grid's minima (``grid_minima``, dim N)
    extrapolated to N."""
    drive = study.model_class.scaling_drive
    others = [axis for axis in study.sweep if axis != drive]
    drives = study.sweep[drive]
    grid_xi2 = None
    if N in study.N:
        if exact_path is None:
            raise ValueError(f"N = {N} is on the grid of {study.name}: its exact dataset "
                             "brackets the minimum")
        with xr.open_dataset(exact_path) as e:
            grid_xi2 = e["xi2"].sel(N=N).transpose(*others, drive).values
    if grid_xi2 is None and study.extrapolates_minima and grid_minima is None:
        raise ValueError(f"N = {N} is beyond the grid of {study.name}, whose model has no "
                         "closed form: the grid's minima bracket it")
    scan = _scan(study)
    shape = tuple(len(study.sweep[axis]) for axis in others)
    values: dict[str, list[float]] = {}
    for index in np.ndindex(*shape):
        fixed = {axis: float(study.sweep[axis][i]) for axis, i in zip(others, index)}

        def model_at(d: float, fixed: dict[str, float] = fixed) -> Model:
            return study.model_with(**fixed, **{drive: d})

        if grid_xi2 is not None:
            found = locate_minimum(model_at, N, drives, grid_xi2[index], scan=scan,
                                   drive_rtol=study.minimum_rtol)
        elif not study.extrapolates_minima:
            found = locate_minimum(model_at, N, drives, closed_form_grid(model_at, N, drives),
                                   scan=scan, drive_rtol=study.minimum_rtol)
        else:
            assert grid_minima is not None
            found = _extrapolated_minimum(grid_minima.sel(fixed), model_at, N, drives, scan,
                                          study.minimum_rtol)
        log.info("N=%d %s: minimum xi2 = %.10g at %s = %.8g (%d evaluations%s)", N, fixed,
                 found.xi2, drive, found.drive, found.evaluations, "" if found.interior else
                 ", at the end of the sweep")
        for name, value in (("xi2_min", found.xi2), ("drive_at_min", found.drive),
                            ("minimum_evaluations", found.evaluations),
                            ("minimum_interior", float(found.interior))):
            values.setdefault(name, []).append(value)
    labels = {"drive": drive, "drive_units": study.model_class.rate_name}
    dims = ("N", *others)
    data = {name: xr.Variable(dims, np.reshape(column, (1, *shape)), attrs(name, **labels))
            for name, column in values.items()}
    coords = study_coords(study)
    return xr.Dataset(data, coords={"N": xr.Variable("N", [N], coords["N"].attrs),
                                    **{axis: coords[axis] for axis in others}})


def _extrapolated_minimum(grid: xr.Dataset, model_at: Callable[[float], Model], N: int,
                          drives: np.ndarray, scan: exact.Scan,
                          drive_rtol: float) -> LocatedMinimum:
    """The minimum at an N beyond the grid, searched where the grid's interior minima
    (``grid``: dim N) extrapolate to (:func:`~steadysqueeze.optimum.extrapolated_drive`)."""
    interior = grid["minimum_interior"].values.astype(bool)
    if interior.sum() < 2:
        raise ValueError(f"N = {N}: fewer than two of the grid's minima lie inside the sweep, "
                         "nothing to extrapolate from")
    guess, step = extrapolated_drive(grid["N"].values[interior],
                                     grid["drive_at_min"].values[interior], N)
    return locate_minimum_near(model_at, N, guess, step,
                               (float(np.min(drives)), float(np.max(drives))), scan=scan,
                               drive_rtol=drive_rtol)


def write_gaussian(study: Study, output: PathLike) -> None:
    """Rule ``gaussian``: the N = ∞ limit (mean field and Gaussian fluctuations,
    :mod:`steadysqueeze.gaussian`) on the study's grid without N, and the critical drive;
    from the model and the grid alone."""
    ds = limit_dataset(study.model_class, study.sweep, study.fixed)
    _finish(ds, rule="gaussian", study=study, inputs=[], output=output,
            title=f"{study.name}: N -> infinity limit (mean field, Gaussian fluctuations)")


def write_scaling(study: Study, *, exact_path: PathLike, perturbative_path: PathLike,
                  minima_path: PathLike, gaussian_path: PathLike, output: PathLike) -> None:
    """Rule ``scaling``: finite-N analysis of a study over (N, drive), with the located
    minima of every N, measured against the study's N = ∞ limit."""
    paths = [exact_path, perturbative_path, minima_path, gaussian_path]
    exact_ds, pt_ds, minima, limit = (xr.load_dataset(path) for path in paths)
    ds = scaling_dataset(exact_ds, pt_ds, minima, limit, model=study.model_class,
                         drive=study.model_class.scaling_drive, order=study.pt_order)
    _finish(ds, rule="scaling", study=study, inputs=paths, output=output,
            title=f"{study.model}: finite-N scaling of squeezing and of the validity of PT")


def _logged_spectrum(model: Model, N: int, k: int) -> Spectrum:
    """:func:`~steadysqueeze.exact.spectrum.slowest_eigenvalues`, its gap and time logged."""
    start = time.perf_counter()
    spectrum = slowest_eigenvalues(model, N, k)
    log.info("N=%d %s: gap %.6g (%s sector), max residual %.1e, %.1f s", N, model,
             spectrum.gap, spectrum.sector, float(spectrum.residuals.max()),
             time.perf_counter() - start)
    return spectrum


def _gap_points(study: Study, Ns: Sequence[int], gaussian_path: PathLike) -> xr.Dataset:
    """The gap of ``study`` at the N in ``Ns``, the critical drive from its N = ∞ dataset."""
    with xr.open_dataset(gaussian_path) as limit:
        drive_c = limit["drive_c"].load()
    return gap_points(study, Ns, drive_c, _logged_spectrum)


def write_gap_shard(study: Study, N: int, gaussian_path: PathLike, output: PathLike) -> None:
    """Rule ``gap_shard`` (a study sharded by N): the Liouvillian gap at one N."""
    _finish(_gap_points(study, [N], gaussian_path), rule="gap_shard", study=study,
            inputs=[gaussian_path], output=output,
            title=f"{study.name}: Liouvillian gap and slowest eigenvalues at N = {N}")


def write_gap(study: Study, gaussian_path: PathLike, output: PathLike,
              shard_paths: Sequence[PathLike] = ()) -> None:
    """Rule ``gap``: the Liouvillian gap of a study on its ``gap:`` sub-grid and at the
    critical drive, with the gap's power-law fit there, gathered from ``shard_paths`` (rule
    ``gap_shard``, one per N) or, without them, computed here."""
    if shard_paths:
        parts = [xr.load_dataset(path) for path in shard_paths]
    else:
        assert study.gap is not None
        parts = [_gap_points(study, study.gap.all_N, gaussian_path)]
    limit = xr.load_dataset(gaussian_path)
    _finish(gap_dataset(study, parts, limit), rule="gap", study=study,
            inputs=[gaussian_path, *shard_paths], output=output,
            title=f"{study.name}: Liouvillian gap and slowest eigenvalues (permutation-"
                  "invariant sector)")
