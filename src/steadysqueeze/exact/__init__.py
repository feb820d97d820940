r"""Exact steady states of the Lindblad equation on the physical permutation-invariant unknowns.

:func:`steady_state` solves one point, :class:`Scan` a sequence of neighbouring points
(each reusing its predecessor's work); :class:`SolverOptions` says how. Modules:
:mod:`.liouvillian` (the operator of any model), :mod:`.emission` (local and collective
emission, assembled), :mod:`.general` and :mod:`.channels` (declared models, any PIQS
channels), :mod:`.realblocks` (local emission in real coordinates, matrix-free),
:mod:`.hermitianblocks` (declared models with local channels in real coordinates, by J
block), :mod:`.preconditioner` (block Gauss–Seidel over J),
:mod:`.krylov` (GMRES), :mod:`.window` (the excitation window of the local-emission
Krylov path), :mod:`.direct` (sparse LU), :mod:`.solve` (dispatch and checks),
:mod:`.scan` (neighbour reuse), :mod:`.memory` (the memory a solve needs),
:mod:`.progress` (reports of long solves).
"""

from __future__ import annotations

from ..state import DEFAULT_RESIDUAL_TOLERANCE, SolverError, SteadyState
from .liouvillian import CollectiveEmissionLiouvillian, LocalEmissionLiouvillian, liouvillian
from .options import SolverOptions
from .progress import Progress
from .scan import Scan, steady_states
from .solve import steady_state

__all__ = ["steady_state", "steady_states", "Scan", "SolverOptions", "Progress",
           "SolverError", "SteadyState", "LocalEmissionLiouvillian",
           "CollectiveEmissionLiouvillian", "liouvillian", "DEFAULT_RESIDUAL_TOLERANCE"]
