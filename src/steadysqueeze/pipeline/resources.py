"""Job resources of the workflow's rules: memory, runtime and threads of the exact solves.

From ``benchmarks/bench_exact.py`` and the default run (2 cores), see
``benchmarks/README.md``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from ..exact.memory import local_unknowns, peak_memory_bytes
from ..exact.options import SweepOptions
from ..exact.spectrum import spectrum_memory_bytes
from ..models import Model
from ..studies import Study

__all__ = ["exact_job_resources", "exact_job_threads", "minimum_job_resources",
           "gap_job_resources", "local_memory_budget_mb"]

#: a minimum located from a closed form at N (:attr:`Study.minima_N`): measured 0.27 GB and
#: 0.4 s per evaluation at N = 10⁶ (diagonals of the closed form, O(N))
_CLOSED_FORM_MINIMUM_MB_PER_N = 0.4e-3


def exact_job_threads(model: type[Model], N: int) -> int:
    """Threads of an exact job at N: one per domain of the preconditioner's sweep, whose
    block solves run in parallel (local channels from N = 200, see
    :meth:`~steadysqueeze.exact.options.SweepOptions.domains_for`), else one."""
    if model.has_closed_form() or model.dissipation == "collective":
        return 1
    return SweepOptions().domains_for(local_unknowns(N, model.conserves_parity))


def exact_job_resources(model: type[Model], N: int) -> dict[str, float]:
    """Memory (MB) of an exact job at N, its runtime (minutes per point) and threads.

    Memory: the estimated peak of one solve (:func:`~steadysqueeze.exact.memory.
    peak_memory_bytes`) with room for a scan, which holds its predecessor's solution and
    preconditioner while it refactorises. Runtime: local emission at N = 300 took up to
    200 s per point past the transition on a loaded 2-core machine, N = 100 a few
    seconds, growing like N⁴; collective emission (closed form) ~1 s per point at N = 1000.
    """
    mem_mb = int(1.5 * peak_memory_bytes(model, N) / 1e6) + 200
    threads = exact_job_threads(model, N)
    if model.dissipation == "collective":
        return {"mem_mb": mem_mb, "runtime": 0.05 + 0.05 * (N / 1000) ** 2, "threads": threads}
    return {"mem_mb": mem_mb, "runtime": 0.05 + 4 * (N / 300) ** 4, "threads": threads}


def minimum_job_resources(study: Study, N: int) -> dict[str, float]:
    """Memory (MB) and runtime (minutes) of rule ``minimum`` at one N: about 20 exact
    solves for every combination of the study's other swept parameters; at the N of
    :attr:`Study.minima_N`, O(N) evaluations of the closed form where the model has one."""
    searches = study.size // (len(study.N) * len(study.sweep[study.model_class.scaling_drive]))
    if N in study.minima_N and not study.extrapolates_minima:
        return {"mem_mb": int(_CLOSED_FORM_MINIMUM_MB_PER_N * N) + 300,
                "runtime": 0.05 * searches * max(N / 1e5, 1), "threads": 1}
    job = exact_job_resources(study.model_class, N)
    return {**job, "runtime": 20 * job["runtime"] * searches}


def _spectrum_minutes(model: type[Model], N: int) -> float:
    """Minutes of one spectrum (k = 4) at N, from ``benchmarks/bench_spectrum.py``: local
    emission up to 100-160 s at N = 100 and 34 min at N = 200 in the ordered phase (about
    N⁴; a paramagnetic point costs 15-25 s at either N); collective emission 20 s at N = 400."""
    if model.dissipation == "collective":
        return 0.05 + 0.4 * (N / 400) ** 3
    return 0.05 + 2.5 * (N / 100) ** 4


def gap_job_resources(study: Study, Ns: Sequence[int]) -> dict[str, float]:
    """Memory (MB), runtime (minutes) and threads of a gap job over the N in ``Ns`` (rule
    ``gap_shard`` at one N, or rule ``gap`` over all of them): the spectrum's memory
    estimate (:func:`~steadysqueeze.exact.spectrum.spectrum_memory_bytes`) at the largest N
    with a margin, each N's points (the sub-grid's, and one per value of the other swept
    parameters at the critical drive), and the threads of an exact job at the largest N
    (the spectrum's solves use the same preconditioner sweep)."""
    request = study.gap
    if request is None:
        raise ValueError(f"study {study.name!r} has no 'gap' option")
    model = study.model_with()
    mem_mb = int(1.2 * spectrum_memory_bytes(model, max(Ns), request.k) / 1e6) + 200
    grid = math.prod(request.shape[1:])
    drive = study.model_class.scaling_drive
    critical = grid // len(request.sweep[drive]) if drive in request.sweep else 0
    points = {N: grid * (N in request.N) + critical for N in Ns}
    return {"mem_mb": mem_mb,
            "runtime": sum(n * _spectrum_minutes(study.model_class, N) for N, n in points.items()),
            "threads": exact_job_threads(study.model_class, max(Ns))}


def local_memory_budget_mb(fraction: float = 0.85) -> int:
    """``fraction`` of this machine's physical memory, in MB.

    Local runs use it as the default ``mem_mb`` budget, so that several large-N
    jobs never run side by side beyond the machine's memory.
    """
    return int(fraction * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e6)
