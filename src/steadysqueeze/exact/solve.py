r"""Exact steady state :math:`\mathcal{L}[\rho_{ss}] = 0` of the Lindblad equation, Eq. 1.

Dispatches to the direct solver (:mod:`.direct`, sparse LU of the assembled Liouvillian)
or to the Krylov solver (:mod:`.krylov`: the built-in local-emission models and the
declared models with local channels, both in real coordinates of the Hermitian blocks),
and checks what it returns (:func:`~steadysqueeze.state.check_physical`).
"""

from __future__ import annotations

import numpy as np

from ..models import Model
from ..models.declared import DeclaredModel
from ..state import SteadyState, check_physical
from .channels import LOCAL_CHANNELS
from .direct import solve_direct
from .general import GeneralLiouvillian
from .hermitianblocks import HermitianBlockLiouvillian
from .krylov import (KrylovSolution, TakePreconditioner, WarmStart, reusable,
                     solve_krylov)
from .liouvillian import LocalEmissionLiouvillian, liouvillian
from .memory import local_unknowns
from .options import SolverOptions
from .progress import Progress
from .window import solve_in_window

__all__ = ["steady_state", "chosen_method", "krylov_steady_state"]


def _check_N(N: int) -> int:
    if not isinstance(N, (int, np.integer)) or isinstance(N, bool) or N < 2:
        raise ValueError(f"N must be an integer >= 2, got {N!r}")
    return int(N)


def _declared_method(model: DeclaredModel, N: int, options: SolverOptions) -> str:
    """:func:`chosen_method` for a declared model: Krylov needs a local channel (with
    collective channels only the J = N/2 block is solved, by sparse LU)."""
    local = any(model.channel_rates(N).get(c, 0.0) for c in LOCAL_CHANNELS)
    if options.method == "closed-form":
        raise ValueError(f"method 'closed-form': the declared model {model.name} has no "
                         "closed-form steady state")
    if options.method == "krylov" and not local:
        raise ValueError(f"method 'krylov' needs a local channel; the declared model "
                         f"{model.name} has collective channels only (use 'direct' or 'auto')")
    if options.method == "auto":
        big = local_unknowns(N, model.conserves_parity) > options.auto_krylov_threshold
        return "krylov" if local and big else "direct"
    return options.method


def chosen_method(model: Model, N: int, options: SolverOptions) -> str:
    """``"direct"``, ``"krylov"`` or ``"closed-form"``: what ``options.method`` means for
    this model and N."""
    if isinstance(model, DeclaredModel):
        return _declared_method(model, N, options)
    local = model.dissipation == "local"
    has_closed_form = model.has_closed_form()
    if options.method == "closed-form" and not has_closed_form:
        raise ValueError(f"method 'closed-form': {model.name} has no closed-form steady state")
    if options.method == "krylov" and not (local and model.conserves_parity):
        raise ValueError(f"method 'krylov' is for local emission with a parity-conserving "
                         f"Hamiltonian; {model.name} has {model.dissipation} emission "
                         "(use 'direct' or 'auto')")
    if options.method == "auto":
        if has_closed_form:
            return "closed-form"
        big = local_unknowns(N, model.conserves_parity) > options.auto_krylov_threshold
        return "krylov" if local and model.conserves_parity and big else "direct"
    return options.method


def _hermitize(blocks: dict[float, np.ndarray]) -> tuple[dict[float, np.ndarray], float]:
    asym = max(float(np.abs(b - b.conj().T).max(initial=0.0)) for b in blocks.values())
    return {J: (b + b.conj().T) / 2 for J, b in blocks.items()}, asym


def _checked_state(model: Model, N: int, options: SolverOptions, method: str) -> SteadyState:
    """A direct or closed-form solve, its residual computed on the assembled Liouvillian."""
    L = liouvillian(model, N)
    closed = model.closed_form_steady_state(N) if method == "closed-form" else None
    if method == "closed-form" and closed is None:
        method = "direct"   # the model's closed form does not cover this point (e.g. Ω = 0)
    raw = closed if closed is not None else L.unpack(solve_direct(L))
    blocks, asym = _hermitize(raw)
    residual = float(np.abs(L.matvec(L.pack(blocks))).max()) / L.rate_scale
    local = isinstance(L, LocalEmissionLiouvillian) and not getattr(L, "collective", False)
    label = "closed-form" if closed is not None else "sparse-lu"
    state = SteadyState(N=N, blocks=blocks, residual=residual, method=label,
                        info={"unknowns": float(L.size), "antihermitian": asym,
                              "local": float(local)})
    check_physical(state, options.tolerance)
    return state


def krylov_steady_state(model: Model, N: int, options: SolverOptions, *,
                        warm: WarmStart | None = None,
                        take_preconditioner: TakePreconditioner | None = None,
                        progress: Progress | None = None
                        ) -> tuple[SteadyState, KrylovSolution]:
    """The Krylov path, exposing what a neighbouring solve can reuse (:mod:`.scan`):
    built-in local-emission models in real coordinates, in an excitation window
    (:mod:`.window`); declared models on the real J blocks of their assembled Liouvillian.
    ``warm``: a neighbouring point's solution to start from; ``take_preconditioner``: hands
    over its factorised preconditioner, reused where it fits."""
    if isinstance(model, DeclaredModel):
        L = HermitianBlockLiouvillian(GeneralLiouvillian(model, N))
        pre = reusable(None if take_preconditioner is None else take_preconditioner(), L)
        solution = solve_krylov(L, options, x0=None if warm is None else warm.x,
                                preconditioner=pre, progress=progress)
    else:
        solution = solve_in_window(model, N, options, warm=warm,
                                   take_preconditioner=take_preconditioner, progress=progress)
    # unknowns: the operator's, unless the window path recorded the full problem's
    state = SteadyState(N=N, blocks=solution.operator.to_blocks(solution.x),
                        residual=solution.residual, method="gmres-block-gauss-seidel",
                        iterations=solution.iterations,
                        info={"unknowns": float(solution.operator.size), **solution.info})
    check_physical(state, options.tolerance)
    if progress is not None:
        progress.done(solution.iterations, solution.residual)
    return state, solution


def steady_state(model: Model, N: int, options: SolverOptions | None = None, *,
                 progress: Progress | None = None) -> SteadyState:
    r"""Exact steady state of ``model`` for ``N`` emitters (see :class:`SolverOptions`).

    Checks what it returns: relative residual :math:`\|\mathcal{L}\rho\|_\infty /
    \max|\mathcal{L}_{ij}| \le` ``options.tolerance``, unit trace and positivity; raises
    :class:`~steadysqueeze.state.SolverError` otherwise (including a Krylov solve that
    hits its iteration cap). ``progress`` receives the iterations of a long Krylov solve.
    """
    options = options or SolverOptions()
    N = _check_N(N)
    method = chosen_method(model, N, options)
    if method == "krylov":
        return krylov_steady_state(model, N, options, progress=progress)[0]
    return _checked_state(model, N, options, method)
