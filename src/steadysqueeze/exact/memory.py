r"""How much memory an exact solve needs, estimated before any of it is allocated.

One function, :func:`peak_memory_bytes`, serves the CLI (which refuses a solve that
cannot fit), the config checks (``max_memory_gb``) and the workflow's job resources
(``mem_mb``). It is calibrated on ``benchmarks/bench_exact.py`` (peak RSS of one solve in
a fresh process, imports included; see ``benchmarks/README.md``) and errs on the high side.
"""

from __future__ import annotations

import math
import os

from ..models import Model
from ..models.declared import DeclaredModel

__all__ = ["peak_memory_bytes", "machine_memory_bytes", "available_memory_bytes", "format_gb",
           "local_unknowns"]

#: resident size of a process that has imported the scientific stack and the package
_BASE_BYTES = 0.12e9
#: local emission, above the base: peak = _LOCAL_REFERENCE_BYTES (u / _LOCAL_REFERENCE_UNKNOWNS)
#: ** _LOCAL_EXPONENT for u parity-reduced unknowns (single-precision block factors whose
#: fill grows with the block size, and a flexible-GMRES basis, a double and a single vector
#: per iteration, that grows with the iterations). Measured peaks at the strongly mixed xyz
#: point (1.6, -2, 1), the worst case: 0.18 GB at N = 100, 0.51 GB at N = 150, 1.20 GB at
#: N = 200, 5.22 GB at N = 300; this errs high by 1.0-1.2x there. Beyond N = 300 the basis
#: stops growing (its budget, SolverOptions.krylov_basis_bytes) and the estimate errs higher
_LOCAL_REFERENCE_BYTES = 5.2e9
_LOCAL_REFERENCE_UNKNOWNS = 2_295_276     # N = 300
_LOCAL_EXPONENT = 1.25
#: declared models with a local channel (Krylov on the assembled Liouvillian in real
#: coordinates, :mod:`.hermitianblocks`; u unknowns, not parity-reduced if H is odd): the
#: same form with its own constants, calibrated to bound every model of
#: benchmarks/bench_exact.py --declared: emission against pumping (79 iterations, 1.99 GB
#: at N = 200, u = 686 901) and all six channels with an odd H (3.13 GB at N = 200,
#: u = 1 373 701) within 1.0-1.25x; lighter models (the driven Dicke model with local
#: emission: 2.30 GB at N = 200) need down to 1/1.7 of it (benchmarks/README.md)
_DECLARED_REFERENCE_BYTES = 6.35e9
_DECLARED_EXPONENT = 1.0
#: collective emission: bytes per LU factor entry (value and index) of the (N+1)^2 system,
#: whose nested-dissection fill is about 12 (N+1)^2 log2(N+1) entries
_COLLECTIVE_BYTES_PER_FILL = 28.0
#: a closed-form steady state: a few dense (N+1)^2 complex matrices (ρ, its eigenvectors,
#: the QFI generator); measured 0.17 GB in all at N = 1000
_CLOSED_FORM_BYTES_PER_ENTRY = 100.0


def local_unknowns(N: int, conserves_parity: bool) -> int:
    r"""Physical unknowns :math:`\sum_J (2J+1)^2` of local channels, halved by parity."""
    total = sum((N - 2 * k + 1) ** 2 for k in range(N // 2 + 1))
    return (total + 1) // 2 if conserves_parity else total


def peak_memory_bytes(model: type[Model], N: int) -> float:
    """Estimated peak resident memory (bytes) of one exact solve of ``model`` at ``N``."""
    if model.has_closed_form():
        return _BASE_BYTES + _CLOSED_FORM_BYTES_PER_ENTRY * (N + 1) ** 2
    if model.dissipation == "collective":
        dim = N + 1
        fill = 12.0 * dim ** 2 * math.log2(max(dim, 2))
        return _BASE_BYTES + _COLLECTIVE_BYTES_PER_FILL * fill
    relative = local_unknowns(N, model.conserves_parity) / _LOCAL_REFERENCE_UNKNOWNS
    if issubclass(model, DeclaredModel):
        return _BASE_BYTES + _DECLARED_REFERENCE_BYTES * relative ** _DECLARED_EXPONENT
    return _BASE_BYTES + _LOCAL_REFERENCE_BYTES * relative ** _LOCAL_EXPONENT


def machine_memory_bytes() -> float:
    """Physical memory of this machine."""
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def available_memory_bytes() -> float:
    """Memory available to a new process now (``MemAvailable``; physical memory if unknown)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return machine_memory_bytes()


def format_gb(n_bytes: float) -> str:
    """``12.3 GB`` (decimal gigabytes, as ``max_memory_gb`` and ``--max-memory``)."""
    return f"{n_bytes / 1e9:.3g} GB"
