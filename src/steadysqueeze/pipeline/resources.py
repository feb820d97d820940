"""Job resources of the workflow's rules: memory and runtime of the exact solves.

Upper bounds from ``benchmarks/bench_exact.py`` and the default run (2 cores), see
``benchmarks/README.md``.
"""

from __future__ import annotations

import os

from ..models import Model

__all__ = ["exact_job_resources", "local_memory_budget_mb"]


def exact_job_resources(model: type[Model], N: int) -> dict[str, float]:
    """Memory (MB) of one exact solve at N and its runtime (minutes per point).

    Local emission at N = 300 took 14 s / 3.8 GB (paramagnetic) to 207 s / 6.2 GB
    (strongly mixed ferromagnetic point) per point, and a finite-N shard of 14 points
    near the mean-field transition peaked at 13.1 GB; N = 100 at most 1.5 s / 0.2 GB.
    Memory grows with the ~N³/12 unknowns, time faster. Collective emission at N = 300
    (one J = N/2 block): 0.5 s and 0.4 GB per point.
    """
    if model.dissipation == "collective":
        return {"mem_mb": 1000, "runtime": 0.05}
    unknowns = (N + 1) * (N + 2) * (N + 3) / 12
    return {"mem_mb": int(1000 + 6000 * unknowns / 1e6), "runtime": 0.05 + 4 * (N / 300) ** 4}


def local_memory_budget_mb(fraction: float = 0.85) -> int:
    """``fraction`` of this machine's physical memory, in MB.

    Local runs use it as the default ``mem_mb`` budget, so that several large-N
    jobs never run side by side beyond the machine's memory.
    """
    return int(fraction * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e6)
