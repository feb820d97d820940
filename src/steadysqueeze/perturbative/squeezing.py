r"""Perturbative squeezing observables, consistently expanded to the order of the theory.

Every moment is the series :math:`\langle O\rangle_k = \sum_{a+b=k}\langle\psi_a|O|\psi_b\rangle`
(:func:`~.theory.expectation_series`) and ξ_R² is built from these series by truncated
power-series arithmetic (:mod:`.series`). Evaluating observables on the truncated,
renormalised state instead adds higher-order terms that grow with N; that variant is
kept only as the labelled diagnostic ``xi2_truncated_state``.
"""

from __future__ import annotations

import numpy as np

from ..models import Model
from ..observables import ISOTROPY_TOLERANCE, Squeezing, analyze
from ..state import SteadyState
from .series import dot, mul, quadratic_form, reciprocal, split_magnitude, transverse_frame_series
from .theory import expectation_series, perturbed_state

__all__ = ["squeezing", "truncated_state_squeezing"]


def squeezing(model: Model, N: int, order: int | None = None) -> Squeezing:
    r"""Perturbative squeezing observables, consistently expanded to ``order``.

    ξ_R² is Eq. 18 with every ingredient a series in the drive; the minimum over
    the transverse plane is :math:`t - |\mathbf{d}|` with :math:`t` the mean
    transverse variance and :math:`\mathbf{d}` its anisotropy. The squeezing angle is
    the one of the leading anisotropy (Eq. 48 at first order, θ = 0 at second order
    for the driven Dicke model, Eq. 70). The state is pure: purity 1, entropy 0,
    QFI = 4 var_max.
    """
    order = model.default_order if order is None else order
    state = perturbed_state(model, N, order)
    spin = state.spin
    ops = [spin.component(a) for a in "xyz"]
    mean = np.stack([expectation_series(state, o).real for o in ops], axis=-1)
    second = np.empty((order + 1, 3, 3))
    for a in range(3):
        for b in range(3):
            second[:, a, b] = expectation_series(state, (ops[a] @ ops[b] + ops[b] @ ops[a]) / 2).real
    covariance = second - mul(mean[:, :, None], mean[:, None, :])
    e1, e2 = transverse_frame_series(mean)
    c11, c22 = quadratic_form(e1, covariance, e1), quadratic_form(e2, covariance, e2)
    c12 = quadratic_form(e1, covariance, e2)
    mean_variance = (c11 + c22) / 2
    anisotropy = np.stack([(c11 - c22) / 2, c12], axis=-1)
    split, q = split_magnitude(anisotropy, order, scale=N / 4, tolerance=ISOTROPY_TOLERANCE)
    var_min, var_max = mean_variance - split, mean_variance + split
    xi2 = N * mul(var_min, reciprocal(dot(mean, mean)))
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
    order = model.default_order if order is None else order
    psi = sum(perturbed_state(model, N, order).corrections)
    psi = psi / np.linalg.norm(psi)
    rho = SteadyState(N=N, blocks={N / 2: np.outer(psi, psi.conj())}, residual=float("nan"),
                      method="truncated-perturbative")
    return analyze(rho)
