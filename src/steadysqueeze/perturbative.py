r"""Pure-state perturbation theory for the steady state (Sec. 2 of the paper).

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
degree k in the drive. Observables are the *consistent* expansion to the order of
the theory: every moment is the series :math:`\langle O\rangle_k =
\sum_{a+b=k}\langle\psi_a|O|\psi_b\rangle`, and ξ_R² is built from these series by
truncated power-series arithmetic (Eq. 30 at first order; Eqs. 68–71 at second).
Evaluating observables on the truncated, renormalised state instead adds
higher-order terms that grow with N; that variant is kept only as the labelled
diagnostic ``xi2_truncated_state``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exact import SteadyState
from .models import Model
from .observables import ISOTROPY_TOLERANCE, Squeezing, analyze
from .spin import CollectiveSpin

__all__ = ["PerturbationError", "PerturbedState", "perturbed_state", "expectation_series",
           "squeezing", "truncated_state_squeezing", "default_order"]


class PerturbationError(ArithmeticError):
    """Pure-state perturbation theory does not apply (Eq. 11 broken, vanishing denominator)."""


#: order at which squeezing first appears: two-emitter drives at 1, Rabi drive at 2 (Sec. 7)
_DEFAULT_ORDER = {"xyz": 1, "tfi": 1, "dicke": 2}


def default_order(model: Model) -> int:
    """Lowest order of the theory that predicts squeezing for ``model``."""
    return _DEFAULT_ORDER[model.name]


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
        return CollectiveSpin(self.N / 2)


def _diagonal_or_raise(op, name: str, model: Model) -> np.ndarray:
    dense = op.toarray()
    diag = np.diag(dense).copy()
    off = np.abs(dense - np.diag(diag)).max(initial=0.0)
    if off > 1e-12 * max(1.0, np.abs(diag).max(initial=0.0)):
        raise PerturbationError(f"{model.name}: {name} is not diagonal in the Dicke basis "
                                f"(off-diagonal norm {off:.2e}); Eq. 11 / U(1) symmetry fails")
    return diag


def unperturbed_energies(model: Model, N: int) -> np.ndarray:
    r"""Complex energies :math:`\langle H_0^{(\mathrm{NH})}\rangle_n - E_0` (Eq. 14), n = 0 … N."""
    spin = CollectiveSpin(N / 2)
    energies = _diagonal_or_raise(model.h0(N, spin), "H0", model)
    decay = _diagonal_or_raise(model.decay_operator(N, spin), "sum_j gamma_j L_j^dag L_j", model)
    if abs(decay[0]) > 1e-12 * model.rate:
        raise PerturbationError(f"{model.name}: |phi_0> is not dark (L_j|phi_0> != 0)")
    return (energies - 0.5j * decay) - energies[0]


def perturbed_state(model: Model, N: int, order: int) -> PerturbedState:
    """Corrections to the steady state up to ``order`` (1 or 2), Eqs. 12–13."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    spin = CollectiveSpin(N / 2)
    eps = unperturbed_energies(model, N)
    if np.any(np.abs(eps[1:]) < 1e-14 * max(1.0, model.rate)):
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


def expectation_series(state: PerturbedState, op) -> np.ndarray:
    r"""Orders :math:`k=0..p` of :math:`\langle O\rangle`: :math:`\sum_{a+b=k}\langle\psi_a|O|\psi_b\rangle`."""
    psi = state.corrections
    images = [op @ v for v in psi]
    return np.array([sum(np.vdot(psi[a], images[k - a]) for a in range(k + 1))
                     for k in range(state.order + 1)])


# -- truncated power series (axis 0 = order in the drive) --------------------------
def _mul(a: np.ndarray, b: np.ndarray, length: int | None = None) -> np.ndarray:
    length = length or a.shape[0]
    out = np.zeros((length,) + np.broadcast_shapes(a.shape[1:], b.shape[1:]),
                   dtype=np.result_type(a, b))
    for k in range(length):
        for i in range(max(0, k - b.shape[0] + 1), min(k, a.shape[0] - 1) + 1):
            out[k] += a[i] * b[k - i]
    return out


def _reciprocal(a: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    out[0] = 1.0 / a[0]
    for k in range(1, a.shape[0]):
        out[k] = -sum(a[i] * out[k - i] for i in range(1, k + 1)) / a[0]
    return out


def _sqrt(a: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    out[0] = np.sqrt(a[0])
    for k in range(1, a.shape[0]):
        out[k] = (a[k] - sum(out[i] * out[k - i] for i in range(1, k))) / (2 * out[0])
    return out


def _dot(a: np.ndarray, b: np.ndarray, length: int | None = None) -> np.ndarray:
    return _mul(a, b, length).sum(axis=-1)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    for k in range(a.shape[0]):
        for i in range(k + 1):
            out[k] += np.cross(a[i], b[k - i])
    return out


def _transverse_frame_series(mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Series version of :func:`steadysqueeze.observables.transverse_frame`."""
    n = _mul(mean, _reciprocal(_sqrt(_dot(mean, mean)))[:, None])
    lead = n[0] / np.linalg.norm(n[0])
    reference = np.eye(3)[int(np.argmin(np.abs(lead)))] if abs(lead[0]) > 0.9 else np.eye(3)[0]
    ref = np.zeros_like(n)
    ref[0] = reference
    e1 = ref - _mul(_dot(ref, n)[:, None], n)
    e1 = _mul(e1, _reciprocal(_sqrt(_dot(e1, e1)))[:, None])
    return e1, _cross(e1, n)


def _quadratic_form(u: np.ndarray, C: np.ndarray, v: np.ndarray) -> np.ndarray:
    return _dot(u, _mul(C, v[:, None, :]).sum(axis=-1))


def _split_magnitude(d: np.ndarray, order: int, scale: float) -> tuple[np.ndarray, int | None]:
    r"""Series of :math:`|\mathbf{d}|` for a 2-vector series whose lowest non-zero order is q.

    :math:`|\mathbf{d}| = \lambda^q\sqrt{\sum_k (\mathbf{d}\cdot\mathbf{d})_{k+2q}\lambda^k}`,
    which needs :math:`\mathbf{d}\cdot\mathbf{d}` to order p + q (available from d to order p).
    """
    norms = np.linalg.norm(d, axis=1)
    nonzero = np.flatnonzero(norms > ISOTROPY_TOLERANCE * scale)
    magnitude = np.zeros(order + 1)
    if nonzero.size == 0:
        return magnitude, None
    q = int(nonzero[0])
    dd = _dot(d, d, length=order + q + 1)
    magnitude[q:] = _sqrt(dd[2 * q:2 * q + order - q + 1])
    return magnitude, q


def squeezing(model: Model, N: int, order: int | None = None) -> Squeezing:
    r"""Perturbative squeezing observables, consistently expanded to ``order``.

    ξ_R² is Eq. 18 with every ingredient a series in the drive; the minimum over
    the transverse plane is :math:`t - |\mathbf{d}|` with :math:`t` the mean
    transverse variance and :math:`\mathbf{d}` its anisotropy. The squeezing angle is
    the one of the leading anisotropy (Eq. 48 at first order, θ = 0 at second order
    for the driven Dicke model, Eq. 70). The state is pure: purity 1, entropy 0,
    QFI = 4 var_max.
    """
    order = default_order(model) if order is None else order
    state = perturbed_state(model, N, order)
    spin = state.spin
    ops = [spin.component(a) for a in "xyz"]
    mean = np.stack([expectation_series(state, o).real for o in ops], axis=-1)
    second = np.empty((order + 1, 3, 3))
    for a in range(3):
        for b in range(3):
            second[:, a, b] = expectation_series(state, (ops[a] @ ops[b] + ops[b] @ ops[a]) / 2).real
    covariance = second - _mul(mean[:, :, None], mean[:, None, :])
    e1, e2 = _transverse_frame_series(mean)
    c11, c22 = _quadratic_form(e1, covariance, e1), _quadratic_form(e2, covariance, e2)
    c12 = _quadratic_form(e1, covariance, e2)
    mean_variance = (c11 + c22) / 2
    anisotropy = np.stack([(c11 - c22) / 2, c12], axis=-1)
    split, q = _split_magnitude(anisotropy, order, scale=N / 4)
    var_min, var_max = mean_variance - split, mean_variance + split
    xi2 = N * _mul(var_min, _reciprocal(_dot(mean, mean)))
    if q is None:
        theta = float("nan")
        angle = 0.0
    else:
        angle = 0.5 * np.arctan2(-anisotropy[q, 1], -anisotropy[q, 0])
        theta = float(np.mod(angle, np.pi))
    frame1, frame2 = e1.sum(axis=0), e2.sum(axis=0)
    axis_min = np.cos(angle) * frame1 + np.sin(angle) * frame2
    axis_max = -np.sin(angle) * frame1 + np.cos(angle) * frame2
    return Squeezing(xi2=float(xi2.sum()), theta=theta,
                     squeezed_axis=axis_min / np.linalg.norm(axis_min),
                     antisqueezed_axis=axis_max / np.linalg.norm(axis_max),
                     mean_J=mean.sum(axis=0), covariance=covariance.sum(axis=0),
                     var_min=float(var_min.sum()),
                     var_max=float(var_max.sum()), qfi=4 * float(var_max.sum()),
                     purity=1.0, entropy=0.0)


def truncated_state_squeezing(model: Model, N: int, order: int | None = None) -> Squeezing:
    r"""Diagnostic: observables of the normalised truncated state :math:`\sum_k|\psi_k\rangle`.

    Not a consistent expansion: it carries spurious higher-order terms that grow with N.
    """
    order = default_order(model) if order is None else order
    psi = sum(perturbed_state(model, N, order).corrections)
    psi = psi / np.linalg.norm(psi)
    rho = SteadyState(N=N, blocks={N / 2: np.outer(psi, psi.conj())}, residual=float("nan"),
                      method="truncated-perturbative")
    return analyze(rho)
