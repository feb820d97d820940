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
from .krylov import restart_length
from .options import SolverOptions
from .preconditioner import FILL_EXPONENT

__all__ = ["peak_memory_bytes", "machine_memory_bytes", "available_memory_bytes", "format_gb",
           "local_unknowns", "local_fill"]

#: resident size of a process that has imported the scientific stack and the package
_BASE_BYTES = 0.12e9
#: local emission (the Krylov path), above the base: single-precision block factors,
#: _FACTOR_BYTES_PER_FILL per unit of fill (:func:`local_fill`), plus per unknown the
#: operator's and the solver's vectors (_VECTOR_BYTES_PER_UNKNOWN) and the flexible-GMRES
#: basis (:func:`_basis_bytes_per_unknown`). Fitted to the peaks at the strongly mixed xyz
#: point (1.6, -2, 1), the worst case: 0.18, 0.51, 1.21, 2.87, 7.05, 14.59 GB at N = 100,
#: 150, 200, 300, 400, 500 (within 0.96-1.16x), then raised by _LOCAL_MARGIN to err high
_FACTOR_BYTES_PER_FILL = 67.0
_VECTOR_BYTES_PER_UNKNOWN = 58.0
_LOCAL_MARGIN = 1.1
#: GMRES iterations at that point, about 100 (N / 300)^0.75 (75, 101, 125, 151 at N = 200,
#: 300, 400, 500): the basis vectors that are touched
_REFERENCE_ITERATIONS, _ITERATIONS_EXPONENT = 100.0, 0.75
#: declared models with a local channel (Krylov on the assembled Liouvillian in real
#: coordinates, :mod:`.hermitianblocks`; u unknowns, not parity-reduced if H is odd): a
#: power of u, calibrated to bound every model of
#: benchmarks/bench_exact.py --declared: emission against pumping (79 iterations, 1.99 GB
#: at N = 200, u = 686 901) and all six channels with an odd H (3.13 GB at N = 200,
#: u = 1 373 701) within 1.0-1.25x; lighter models (the driven Dicke model with local
#: emission: 2.30 GB at N = 200) need down to 1/1.7 of it (benchmarks/README.md)
_DECLARED_REFERENCE_BYTES = 6.35e9
_DECLARED_REFERENCE_UNKNOWNS = 2_295_276     # N = 300, parity-reduced
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


def local_fill(N: int, conserves_parity: bool) -> float:
    r""":math:`\sum_J n_J^{a}`, n_J the unknowns of block J (halved by parity) and a the
    fill exponent of their factors (:data:`~.preconditioner.FILL_EXPONENT`): the factors'
    size up to a constant."""
    share = 2 if conserves_parity else 1
    return sum(((N - 2 * k + 1) ** 2 / share) ** FILL_EXPONENT for k in range(N // 2 + 1))


def _basis_bytes_per_unknown(N: int, unknowns: int) -> float:
    """The flexible-GMRES basis that a solve touches, per unknown: a double and a single
    vector per iteration up to the restart length, and the vectors a deflated restart keeps
    (twice, while it combines them) where the iterations pass it."""
    defaults = SolverOptions()
    vector_bytes, kept_bytes = 12, 8 * defaults.krylov_deflation
    restart = restart_length(defaults.krylov_basis_bytes, unknowns, vector_bytes, kept_bytes)
    iterations = _REFERENCE_ITERATIONS * (N / 300) ** _ITERATIONS_EXPONENT
    return vector_bytes * min(restart, iterations) + (2 * kept_bytes if iterations > restart
                                                       else 0)


def peak_memory_bytes(model: type[Model], N: int) -> float:
    """Estimated peak resident memory (bytes) of one exact solve of ``model`` at ``N``."""
    if model.has_closed_form():
        return _BASE_BYTES + _CLOSED_FORM_BYTES_PER_ENTRY * (N + 1) ** 2
    if model.dissipation == "collective":
        dim = N + 1
        fill = 12.0 * dim ** 2 * math.log2(max(dim, 2))
        return _BASE_BYTES + _COLLECTIVE_BYTES_PER_FILL * fill
    unknowns = local_unknowns(N, model.conserves_parity)
    if issubclass(model, DeclaredModel):
        relative = unknowns / _DECLARED_REFERENCE_UNKNOWNS
        return _BASE_BYTES + _DECLARED_REFERENCE_BYTES * relative ** _DECLARED_EXPONENT
    per_unknown = _VECTOR_BYTES_PER_UNKNOWN + _basis_bytes_per_unknown(N, unknowns)
    factors = _FACTOR_BYTES_PER_FILL * local_fill(N, model.conserves_parity)
    return _BASE_BYTES + _LOCAL_MARGIN * (factors + per_unknown * unknowns)


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
