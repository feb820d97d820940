r"""When pure-state perturbation theory applies: the assumptions of Sec. 2, checked numerically.

Pure-state PT (Huybrechts & Roscilde, arXiv:2402.16824, Sec. 2) needs a U(1)-symmetric
:math:`H_0`, Eq. 11 (:math:`[\sum_j\gamma_jL_j^\dagger L_j, H_0] = 0`), an unperturbed
state :math:`|\phi_0\rangle` that every jump operator annihilates, and a non-degenerate
:math:`|\phi_0\rangle` (non-vanishing denominators in Eq. 12). :func:`applicability`
says whether they hold at one point and, if not, why; the workflow then solves that
point exactly only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..models import Model
from ..spin import collective_spin
from .theory import DENOMINATOR_TOLERANCE

__all__ = ["ASSUMPTION_TOLERANCE", "CHECKS", "PT_EVERYWHERE", "Applicability", "assumption_checks",
           "applicability", "summary"]

#: largest accepted violation of the assumptions of Sec. 2 (relative to the couplings)
ASSUMPTION_TOLERANCE = 1e-12

#: what :func:`summary` says when PT applies at every point
PT_EVERYWHERE = "applies at every point"

#: the checks of :func:`assumption_checks`, each with the assumption it tests
CHECKS = {"u1_violation": "H0 is not U(1)-symmetric",
          "eq11_violation": "Eq. 11 fails",
          "dark_violation": "|phi_0> is not dark",
          "min_denominator": "|phi_0> is degenerate (a denominator of Eq. 12 vanishes)"}


def _max_abs(op: sp.sparray) -> float:
    """Largest entry modulus of a sparse operator (0 for an empty one)."""
    return float(abs(op).max()) if op.nnz else 0.0


def assumption_checks(model: Model, N: int) -> dict[str, float]:
    r"""The assumptions of pure-state perturbation theory (Sec. 2, Eq. 11), as numbers.

    Returns max-norms (in the symmetric block) of :math:`[H_0, J^z]` (U(1) symmetry),
    :math:`[\sum_j\gamma_jL_j^\dagger L_j, H_0]` (Eq. 11) and
    :math:`\sum_j\gamma_jL_j^\dagger L_j|\phi_0\rangle` (dark unperturbed state), and the
    smallest :math:`|\varepsilon_n|` over n ≠ 0 of the diagonal energies (Eq. 14).
    """
    spin = collective_spin(N / 2)
    h0, decay = model.h0(N, spin), model.dark_decay_operator(N, spin)
    phi0 = np.zeros(spin.dim)
    phi0[0] = 1.0
    energies = h0.diagonal() - 0.5j * decay.diagonal()
    return {
        "u1_violation": _max_abs(h0 @ spin.jz - spin.jz @ h0),
        "eq11_violation": _max_abs(decay @ h0 - h0 @ decay),
        "dark_violation": float(np.abs(decay @ phi0).max()),
        "min_denominator": float(np.abs(energies[1:] - energies[0]).min()),
    }


@dataclass(frozen=True)
class Applicability:
    """Whether pure-state PT applies at one point; ``reason`` says why not."""

    applies: bool
    reason: str = ""
    #: :func:`assumption_checks`, where they could be computed
    checks: dict[str, float] = field(default_factory=dict)


def _violated(model: Model, checks: dict[str, float]) -> str:
    """The first failed assumption with its value ('' if none)."""
    scale = max(1.0, *(abs(getattr(model, p)) for p in model.parameter_names()))
    tolerance = ASSUMPTION_TOLERANCE * scale ** 2
    for name, assumption in CHECKS.items():
        value = checks[name]
        if name == "min_denominator":   # a rate; the criterion of perturbed_state
            failed = value < DENOMINATOR_TOLERANCE * max(1.0, model.rate)
        else:
            failed = value > tolerance
        if failed:
            return f"{assumption} ({name} = {value:.2e})"
    return ""


def applicability(model: Model, N: int) -> Applicability:
    """Whether pure-state PT applies to ``model`` at ``N``: first the model's structure
    (:meth:`~steadysqueeze.models.Model.perturbation_obstruction`), then the numeric
    checks of :func:`assumption_checks` at :data:`ASSUMPTION_TOLERANCE`."""
    obstruction = model.perturbation_obstruction(N)
    if not getattr(model, "supports_perturbation", True):   # no H0 to check
        return Applicability(False, obstruction or "the model has no h0 + drive split")
    checks = assumption_checks(model, N)
    reason = obstruction or _violated(model, checks)
    return Applicability(not reason, reason, checks)


def summary(verdicts: Sequence[Applicability], shown: int = 3) -> str:
    """One line on where PT applies among ``verdicts`` and, if not everywhere, why (the
    first ``shown`` distinct reasons)."""
    failed = [v.reason for v in verdicts if not v.applies]
    if not failed:
        return PT_EVERYWHERE
    reasons = list(dict.fromkeys(failed))
    more = f"; and {len(reasons) - shown} more" if len(reasons) > shown else ""
    return (f"not applicable at {len(failed)} of {len(verdicts)} points (exact only there): "
            + "; ".join(reasons[:shown]) + more)
