r"""When pure-state perturbation theory applies: the assumptions of Sec. 2, checked numerically.

Pure-state PT (Huybrechts & Roscilde, arXiv:2402.16824, Sec. 2) needs a U(1)-symmetric
:math:`H_0`, Eq. 11 (:math:`[\sum_j\gamma_jL_j^\dagger L_j, H_0] = 0`), a dark unperturbed
state :math:`|\phi_0\rangle` and non-vanishing denominators in Eq. 12.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..models import Model
from ..spin import CollectiveSpin
from .theory import PerturbationError, unperturbed_energies

__all__ = ["ASSUMPTION_TOLERANCE", "assumption_checks", "require_assumptions"]

#: largest accepted violation of the assumptions of Sec. 2 (relative to the couplings)
ASSUMPTION_TOLERANCE = 1e-12

_VIOLATIONS = ("u1_violation", "eq11_violation", "dark_violation")


def _max_abs(op: sp.sparray) -> float:
    """Largest entry modulus of a sparse operator (0 for an empty one)."""
    return float(abs(op).max()) if op.nnz else 0.0


def assumption_checks(model: Model, N: int) -> dict[str, float]:
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
    energies = unperturbed_energies(model, N)
    return {
        "u1_violation": _max_abs(h0 @ spin.jz - spin.jz @ h0),
        "eq11_violation": _max_abs(decay @ h0 - h0 @ decay),
        "dark_violation": float(np.abs(decay @ phi0).max()),
        "min_denominator": float(np.abs(energies[1:]).min()),
    }


def require_assumptions(model: Model, N: int, where: str) -> dict[str, float]:
    """:func:`assumption_checks`, raising :class:`PerturbationError` (naming ``where``) if
    any violation exceeds :data:`ASSUMPTION_TOLERANCE` relative to the couplings."""
    checks = assumption_checks(model, N)
    scale = max(1.0, *(abs(getattr(model, p)) for p in model.parameter_names()))
    for name in _VIOLATIONS:
        if checks[name] > ASSUMPTION_TOLERANCE * scale ** 2:
            raise PerturbationError(f"{where}: {name} = {checks[name]:.2e}")
    return checks
