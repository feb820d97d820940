"""Options of the exact steady-state solver, passed explicitly (never module globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..state import DEFAULT_RESIDUAL_TOLERANCE

__all__ = ["SolverOptions", "Method"]

Method = Literal["auto", "direct", "krylov", "closed-form"]
_METHODS = ("auto", "direct", "krylov", "closed-form")


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
        Memory budget of the Krylov basis (real vectors); sets the GMRES restart length.
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
    """

    method: Method = "auto"
    tolerance: float = DEFAULT_RESIDUAL_TOLERANCE
    max_iterations: int = 1000
    krylov_basis_bytes: float = 1.6e9
    auto_krylov_threshold: int = 3_000
    excitation_window: bool = True
    window_tolerance: float = 1e-14

    def __post_init__(self) -> None:
        if not 0 < self.window_tolerance < 1:
            raise ValueError(f"window_tolerance must lie in (0, 1), got {self.window_tolerance}")
        if self.method not in _METHODS:
            raise ValueError(f"unknown steady-state method {self.method!r}; "
                             f"choose one of {', '.join(map(repr, _METHODS))}")
