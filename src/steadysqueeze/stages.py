"""The workflow's stages as plain functions: model → perturbative → exact (sharded) → gather.

Each Snakemake rule calls exactly one of these with explicit paths; every output
is a labelled netCDF dataset with the provenance record of
:mod:`steadysqueeze.provenance`, written atomically.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np
import xarray as xr

from . import exact, perturbative
from .datasets import grid_dataset, points_dataset, study_coords, write_atomic
from .models import Model, paramagnet_growth_rate
from .observables import analyze
from .provenance import dataset_attributes, make_record
from .spin import CollectiveSpin
from .scaling import scaling_dataset
from .studies import Study, scaling_drive

__all__ = ["model_checks", "write_model", "write_perturbative", "write_exact_shard",
           "write_exact_gather", "write_scaling", "exact_job_resources"]

log = logging.getLogger("steadysqueeze")
PathLike = str | os.PathLike[str]
#: largest accepted violation of the assumptions of Sec. 2 (relative to the couplings)
ASSUMPTION_TOLERANCE = 1e-12


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


def _max_abs(op) -> float:
    """Largest entry modulus of a sparse operator (0 for an empty one)."""
    return float(abs(op).max()) if op.nnz else 0.0


def model_checks(model: Model, N: int) -> dict[str, float]:
    r"""Violations of the assumptions of pure-state perturbation theory (Sec. 2, Eq. 11).

    Returns max-norms (in the symmetric block) of :math:`[H_0, J^z]` (U(1) symmetry),
    :math:`[\sum_j\gamma_jL_j^\dagger L_j, H_0]` (Eq. 11) and
    :math:`\sum_j\gamma_jL_j^\dagger L_j|\phi_0\rangle` (dark unperturbed state), and the
    smallest :math:`|\varepsilon_n|` (Eq. 12 denominators).
    """
    spin = CollectiveSpin(N / 2)
    h0, decay = model.h0(N, spin), model.decay_operator(N, spin)
    phi0 = np.zeros(spin.dim)
    phi0[0] = 1.0
    energies = perturbative.unperturbed_energies(model, N)
    return {
        "u1_violation": _max_abs(h0 @ spin.jz - spin.jz @ h0),
        "eq11_violation": _max_abs(decay @ h0 - h0 @ decay),
        "dark_violation": float(np.abs(decay @ phi0).max()),
        "min_denominator": float(np.abs(energies[1:]).min()),
    }


_CHECKS = {
    "u1_violation": ("max |[H0, J^z]| (U(1) symmetry of H0)", "rate"),
    "eq11_violation": ("max |[sum_j gamma_j L_j^dag L_j, H0]| (Eq. 11)", "rate^2"),
    "dark_violation": ("max |sum_j gamma_j L_j^dag L_j phi_0| (phi_0 dark)", "rate"),
    "min_denominator": ("smallest |<H0^NH>_n - E0| over n != 0 (Eq. 12)", "rate"),
    "mean_field_growth_rate": ("growth rate of fluctuations about the mean-field paramagnet "
                               "(> 0: unstable)", "rate"),
}


def write_model(study: Study, output: PathLike) -> None:
    """Rule ``model``: the study grid, the model's canonical parameters and the checks
    that pure-state perturbation theory applies at every point (fails loudly if not)."""
    values: dict[str, list[float]] = {}
    for index in range(study.size):
        N, model = study.model_at(index)
        checks = model_checks(model, N)
        scale = max(1.0, *(abs(getattr(model, p)) for p in model.parameter_names()))
        for name in ("u1_violation", "eq11_violation", "dark_violation"):
            if checks[name] > ASSUMPTION_TOLERANCE * scale ** 2:
                raise perturbative.PerturbationError(
                    f"study {study.name!r}, point {study.point(index)}: {name} = {checks[name]:.2e}")
        row = {**{p: getattr(model, p) for p in model.parameter_names() if p not in study.dims},
               **checks}
        if model.dissipation == "local":
            row["mean_field_growth_rate"] = paramagnet_growth_rate(model)
        for key, value in row.items():
            values.setdefault(key, []).append(float(value))
    coords = study_coords(study)
    data = {}
    for key, column in values.items():
        long_name, units = _CHECKS.get(key, (f"model parameter {key}", "rate"))
        data[key] = xr.Variable(study.dims, np.reshape(column, study.shape),
                                {"long_name": long_name, "units": units})
    ds = xr.Dataset(data, coords={k: v for k, v in coords.items() if k in study.dims})
    ds.attrs["model"] = study.model
    _finish(ds, rule="model", study=study, inputs=[], output=output,
            title=f"{study.name}: {study.model} model grid and perturbation-theory checks")


def write_perturbative(study: Study, model_path: PathLike, output: PathLike) -> None:
    """Rule ``perturbative``: consistent-order PT observables at every grid point."""
    results, truncated, orders = [], [], []
    for index in range(study.size):
        N, model = study.model_at(index)
        order = study.order or perturbative.default_order(model)
        results.append(perturbative.squeezing(model, N, order))
        truncated.append(perturbative.truncated_state_squeezing(model, N, order).xi2)
        orders.append(order)
    extra = {"xi2_truncated_state": ("diagnostic: xi_R^2 of the renormalised truncated state "
                                     "(not a consistent expansion)", "1", truncated),
             "order": ("order of perturbation theory", "1", orders)}
    points = points_dataset(study, range(study.size), results, extra)
    ds = grid_dataset(study, points)
    ds.attrs["method"] = "perturbative"
    _finish(ds, rule="perturbative", study=study, inputs=[model_path], output=output,
            title=f"{study.name}: pure-state perturbation theory (Eqs. 12-13)")


def write_exact_shard(study: Study, shard: int, model_path: PathLike, output: PathLike) -> None:
    """Rule ``exact_shard``: exact steady states at the grid points of one shard."""
    indices = study.shard_indices(shard)
    results, residuals, iterations = [], [], []
    for index in indices:
        N, model = study.model_at(int(index))
        log.info("exact %s point %d: N=%d %s", study.name, index, N, model)
        state = exact.steady_state(model, N)
        results.append(analyze(state))
        residuals.append(state.residual)
        iterations.append(state.iterations)
    extra = {"residual": ("relative residual max|L rho| / max|L_ij|", "1", residuals),
             "iterations": ("iterations of the steady-state solver (0: direct)", "1", iterations)}
    ds = points_dataset(study, indices.tolist(), results, extra)
    ds.attrs.update({"shard": shard, "shards": study.shards})
    _finish(ds, rule="exact_shard", study=study, inputs=[model_path], output=output,
            title=f"{study.name}: exact steady states, shard {shard + 1}/{study.shards}")


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


def exact_job_resources(model: str, N: int) -> dict[str, float]:
    """Memory (MB) of one exact solve at N and its runtime (minutes per point).

    Upper bounds from ``benchmarks/bench_exact.py`` and the default run (2 cores):
    local emission at N = 300 took 14 s / 3.8 GB (paramagnetic) to 207 s / 6.2 GB
    (strongly mixed ferromagnetic point) per point, and a finite-N shard of 14 points
    near the mean-field transition peaked at 13.1 GB; N = 100 at most 1.5 s / 0.2 GB.
    Memory grows with the ~N³/12 unknowns, time faster. Collective emission
    (``dicke``) at N = 300: 0.5 s and 0.4 GB per point.
    """
    if model == "dicke":
        return {"mem_mb": 1000, "runtime": 0.05}
    unknowns = (N + 1) * (N + 2) * (N + 3) / 12
    return {"mem_mb": int(1000 + 6000 * unknowns / 1e6), "runtime": 0.05 + 4 * (N / 300) ** 4}


def write_scaling(study: Study, *, exact_path: PathLike, perturbative_path: PathLike,
                  output: PathLike) -> None:
    """Rule ``scaling``: finite-N analysis of a study over (N, drive)."""
    order = study.order or perturbative.default_order(study.model_at(0)[1])
    with xr.open_dataset(exact_path) as e, xr.open_dataset(perturbative_path) as p:
        ds = scaling_dataset(e.load(), p.load(), model=study.model,
                             drive=scaling_drive(study.model), order=order)
    _finish(ds, rule="scaling", study=study, inputs=[exact_path, perturbative_path],
            output=output,
            title=f"{study.model}: finite-N scaling of squeezing and of the validity of PT")
