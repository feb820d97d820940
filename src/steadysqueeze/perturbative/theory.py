r"""Pure-state perturbation theory for the steady state (Sec. 2 of Huybrechts & Roscilde,
arXiv:2402.16824).

The unperturbed steady state is :math:`|\phi_0\rangle = |J=N/2, M=-N/2\rangle`.
Under Eq. 11 the eigenbasis of :math:`H_0` is also that of
:math:`\sum_j\gamma_j L_j^\dagger L_j`; for the collective models here it is the
Dicke basis of the symmetric block, and the complex energies are
:math:`\varepsilon_n = \langle H_0^{(\mathrm{NH})}\rangle_n - E_0` (Eq. 14).
The corrections are computed numerically from the model's operators:

* first order, Eq. 12:
  :math:`|\psi_1\rangle = -\sum_{n\ne0} \frac{\langle n|H_1|0\rangle}{\varepsilon_n}|n\rangle`;
* second order, Eq. 13:
  :math:`|\psi_2\rangle = \sum_{n\ne0}\frac{1}{\varepsilon_n}\Big[-\langle n|H_1|\psi_1\rangle
  + \langle 0|H_1|0\rangle\,\langle n|\psi_1\rangle
  - i\kappa\,\langle n|J^-|\psi_1\rangle\langle\psi_1|J^+|0\rangle\Big]|n\rangle
  - \tfrac12\langle\psi_1|\psi_1\rangle|0\rangle`,
  where the dissipative fourth line uses
  :math:`\sum_j\gamma_jL_j|\psi_1\rangle\langle\psi_1|L_j^\dagger|0\rangle
  = \kappa J^-|\psi_1\rangle\langle\psi_1|J^+|0\rangle` (:meth:`Model.jump_weight`).

The drive amplitude is inside :math:`\lambda H_1`, so "order k" means the terms of
degree k in the drive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..models import Model
from ..spin import CollectiveSpin, collective_spin

__all__ = ["PerturbationError", "PerturbedState", "unperturbed_energies", "perturbed_state",
           "expectation_series"]


#: smallest accepted |epsilon_n| (n != 0) of Eq. 12, relative to the decay rate
DENOMINATOR_TOLERANCE = 1e-14


class PerturbationError(ArithmeticError):
    """Pure-state perturbation theory does not apply (Eq. 11 broken, vanishing denominator)."""


@dataclass(frozen=True)
class PerturbedState:
    r"""The corrections :math:`[|\phi_0\rangle, |\psi_1\rangle, |\psi_2\rangle, \dots]`
    in the symmetric block, basis :math:`M=-N/2,\dots,N/2`."""

    N: int
    corrections: list[np.ndarray]
    denominators: np.ndarray

    @property
    def order(self) -> int:
        return len(self.corrections) - 1

    @property
    def spin(self) -> CollectiveSpin:
        return collective_spin(self.N / 2)


def _diagonal_or_raise(op: sp.sparray, name: str, model: Model) -> np.ndarray:
    dense = op.toarray()
    diag = np.diag(dense).copy()
    off = np.abs(dense - np.diag(diag)).max(initial=0.0)
    if off > 1e-12 * max(1.0, np.abs(diag).max(initial=0.0)):
        raise PerturbationError(f"{model.name}: {name} is not diagonal in the Dicke basis "
                                f"(off-diagonal norm {off:.2e}); Eq. 11 / U(1) symmetry fails")
    return diag


def unperturbed_energies(model: Model, N: int) -> np.ndarray:
    r"""Complex energies :math:`\langle H_0^{(\mathrm{NH})}\rangle_n - E_0` (Eq. 14), n = 0 … N."""
    spin = collective_spin(N / 2)
    energies = _diagonal_or_raise(model.h0(N, spin), "H0", model)
    decay = _diagonal_or_raise(model.dark_decay_operator(N, spin), "sum_j gamma_j L_j^dag L_j",
                               model)
    if abs(decay[0]) > 1e-12 * model.rate:
        raise PerturbationError(f"{model.name}: |phi_0> is not dark (L_j|phi_0> != 0)")
    return (energies - 0.5j * decay) - energies[0]


def perturbed_state(model: Model, N: int, order: int) -> PerturbedState:
    """Corrections to the steady state up to ``order`` (1 or 2), Eqs. 12–13."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    if not getattr(model, "supports_perturbation", True):
        raise PerturbationError(f"{model.name}: declared with 'hamiltonian:' only; declare "
                                "'h0:' and 'drive:' (Eq. 36) for the perturbation theory")
    spin = collective_spin(N / 2)
    eps = unperturbed_energies(model, N)
    if np.any(np.abs(eps[1:]) < DENOMINATOR_TOLERANCE * max(1.0, model.rate)):
        raise PerturbationError(f"{model.name}: vanishing denominator in Eq. 12 "
                                "(an excited state is degenerate with |phi_0> and undamped)")
    H1 = model.h1(N, spin)
    phi0 = np.zeros(spin.dim, dtype=complex)
    phi0[0] = 1.0
    inverse = np.zeros(spin.dim, dtype=complex)
    inverse[1:] = 1.0 / eps[1:]
    psi1 = -inverse * (H1 @ phi0)
    corrections = [phi0, psi1]
    if order == 2:
        h00 = (H1 @ phi0)[0]
        feed = (spin.jp @ phi0) @ psi1.conj()           # <psi1|J^+|phi0>
        dissipative = model.jump_weight(N) * feed * (spin.jm @ psi1)
        psi2 = inverse * (-(H1 @ psi1) + h00 * psi1 - 1j * dissipative)
        psi2[0] = -0.5 * np.vdot(psi1, psi1)
        corrections.append(psi2)
    return PerturbedState(N=N, corrections=corrections, denominators=eps)


def expectation_series(state: PerturbedState, op: sp.sparray) -> np.ndarray:
    r"""Orders :math:`k=0..p` of :math:`\langle O\rangle`: :math:`\sum_{a+b=k}\langle\psi_a|O|\psi_b\rangle`."""
    psi = state.corrections
    images = [op @ v for v in psi]
    return np.array([sum(np.vdot(psi[a], images[k - a]) for a in range(k + 1))
                     for k in range(state.order + 1)])
