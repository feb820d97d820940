"""Options of the exact steady-state solver, passed explicitly (never module globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from ..state import DEFAULT_RESIDUAL_TOLERANCE

__all__ = ["SolverOptions", "SweepOptions", "Method", "Precision", "thread_budget",
           "TWO_DOMAINS_FROM"]

Method = Literal["auto", "direct", "krylov", "closed-form"]
_METHODS = ("auto", "direct", "krylov", "closed-form")
Precision = Literal["double", "single"]
#: unknowns from which a sweep is cut into two domains by default (686 851 at N = 200 for
#: the local-emission models, parity-reduced)
TWO_DOMAINS_FROM = 600_000


def thread_budget() -> int:
    """The threads this process may use: ``OMP_NUM_THREADS`` where set (the workflow
    sets it to a job's ``threads``, SLURM users to ``--cpus-per-task``), else the cores
    it may run on."""
    try:
        budget = int(os.environ.get("OMP_NUM_THREADS", "0"))
    except ValueError:
        budget = 0
    return budget if budget > 0 else len(os.sched_getaffinity(0))


@dataclass(frozen=True)
class SweepOptions:
    """How the preconditioner's block Gauss–Seidel sweep runs
    (:mod:`steadysqueeze.exact.preconditioner`).

    Attributes
    ----------
    precision
        ``"single"`` (factors in float32/complex64, flexible GMRES) or ``"double"``.
    domains
        Contiguous domains over J swept independently (1: the lexicographic sweep);
        None: :meth:`domains_for` the problem's size. Never derived from the machine,
        so that the answer is the same everywhere.
    workers
        Threads that factorise and sweep the domains (at most as many as domains are
        used; each domain's factors live in one of them); None: the :func:`thread_budget`.
    """

    precision: Precision = "single"
    domains: int | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.precision not in ("double", "single"):
            raise ValueError(f"precision must be 'double' or 'single', got {self.precision!r}")
        if self.domains is not None and (not isinstance(self.domains, int)
                                         or self.domains < 1):
            raise ValueError(f"domains must be an integer >= 1 or None, got {self.domains!r}")
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 1):
            raise ValueError(f"workers must be an integer >= 1 or None, got {self.workers!r}")

    def domains_for(self, unknowns: int) -> int:
        """The domains of a sweep over ``unknowns``: as set, else two from
        :data:`TWO_DOMAINS_FROM` unknowns on (N = 200 with local emission; smaller
        problems' block solves are too short for a second thread to pay, and a second
        domain costs 7-12% more iterations), else one."""
        if self.domains is not None:
            return self.domains
        return 2 if unknowns >= TWO_DOMAINS_FROM else 1

    def threads(self, domains: int) -> int:
        """Threads that factorise and sweep ``domains`` domains."""
        return max(1, min(domains, self.workers or thread_budget()))


@dataclass(frozen=True)
class SolverOptions:
    """How :func:`steadysqueeze.exact.steady_state` solves.

    Attributes
    ----------
    method
        ``"direct"`` (sparse LU of the whole Liouvillian), ``"krylov"`` (preconditioned
        GMRES; local emission with a parity-conserving Hamiltonian, or a declared model
        with a local channel and any Hamiltonian), ``"closed-form"`` (the model's
        closed-form steady state, where it has one, checked against the Liouvillian) or
        ``"auto"`` (the closed form where the model has one; else direct for collective
        channels only and for local ones up to ``auto_krylov_threshold`` unknowns, Krylov
        above).
    tolerance
        Largest accepted relative residual :math:`\\|\\mathcal{L}\\rho\\|_\\infty /
        \\max|\\mathcal{L}_{ij}|`.
    max_iterations
        Iteration cap of the Krylov solver; reaching it is a :class:`SolverError` (per
        excitation window: a windowed solve may spend it in each window it tries).
    krylov_basis_bytes
        Memory budget of the Krylov basis; sets the GMRES restart length, never below
        :data:`~steadysqueeze.exact.krylov.SHORTEST_RESTART`. A basis vector costs 8 bytes
        per unknown, 12 with single-precision factors (flexible GMRES also keeps the
        preconditioned vector, in single precision): 0.8 GB is 29 iterations before a
        restart at N = 300 (2.3 million unknowns), 97 at N = 200.
    krylov_deflation
        Harmonic Ritz vectors (the slowest directions) that a GMRES restart keeps
        (deflated restarting, :func:`~steadysqueeze.exact.krylov.gmres`); 0 restarts
        afresh. Measured at N = 300, xyz (1.6, −2, 1): a 29-vector basis needs 82
        iterations with 10 kept, 76 with the whole 87-vector basis, and about 120 without
        deflation at 43 vectors; the peak falls from 5.0 to 3.1 GB.
    auto_krylov_threshold
        Unknowns above which ``"auto"`` picks Krylov. Measured break-even near N = 20
        (≈ 900 unknowns); at N = 40 (6181) Krylov 0.10 s vs LU 0.18 s, at N = 60 0.8 s
        vs 2 s. Below N ≈ 32 the LU path keeps its machine-precision residual.
    excitation_window
        Whether the Krylov path of the built-in local-emission models first solves in an
        excitation window (at most K emitters up, :mod:`steadysqueeze.exact.window`),
        grown until ρ has decayed at its edge and checked on the full Liouvillian.
    window_tolerance
        A window is wide enough when its outermost entries are below this fraction of
        the largest entry of ρ.
    sweep
        How the Krylov path's preconditioner sweeps: precision, domains, threads.
    """

    method: Method = "auto"
    tolerance: float = DEFAULT_RESIDUAL_TOLERANCE
    max_iterations: int = 1000
    krylov_basis_bytes: float = 0.8e9
    krylov_deflation: int = 10
    auto_krylov_threshold: int = 3_000
    excitation_window: bool = True
    window_tolerance: float = 1e-14
    sweep: SweepOptions = field(default_factory=SweepOptions)

    def __post_init__(self) -> None:
        if not 0 < self.window_tolerance < 1:
            raise ValueError(f"window_tolerance must lie in (0, 1), got {self.window_tolerance}")
        if not isinstance(self.krylov_deflation, int) or self.krylov_deflation < 0:
            raise ValueError(f"krylov_deflation must be an integer >= 0, "
                             f"got {self.krylov_deflation!r}")
        if self.method not in _METHODS:
            raise ValueError(f"unknown steady-state method {self.method!r}; "
                             f"choose one of {', '.join(map(repr, _METHODS))}")
