r"""Tests of :mod:`steadysqueeze.observables` on states with known answers.

References
----------
* Coherent spin state (CSS) :math:`|N/2, -N/2\rangle` and any rotation of it:
  :math:`\xi_R^2 = 1`, QFI/N = 1 for every transverse axis, purity 1, entropy 0
  (Sec. 4, Eq. 15). Its mean spin is the rotated :math:`-\hat z` (Rodrigues' formula).
* One-axis twisting (Kitagawa & Ueda, PRA 47, 5138 (1993)): a CSS along x evolved
  with :math:`e^{-i\mu (J^z)^2/2}` has :math:`|\langle\mathbf J\rangle| =
  \tfrac N2\cos^{N-1}(\mu/2)` and minimal transverse variance
  :math:`\tfrac N4\{1 + \tfrac{N-1}4[A - \sqrt{A^2+B^2}]\}`,
  :math:`A = 1-\cos^{N-2}\mu`, :math:`B = 4\sin(\mu/2)\cos^{N-2}(\mu/2)`; being pure
  it satisfies :math:`\xi_R^{-2} \le \mathrm{QFI}/N` (Eq. 21) with QFI = 4 Var.
* QFI of a two-level mixture of Dicke states, written out from Eq. 19 with the
  denominator :math:`p_k + p_l`; purity and entropy of a state spread over two
  blocks with the degeneracy :math:`d_J` of each (PIQS convention).
* Weak drive, exact steady state (``xyz``, N = 20, Jz = γ): minimal uncertainty
  :math:`\xi_R^{-2} \approx \mathrm{QFI}/N` (Eq. 21 saturated), and the slope
  :math:`(1-\xi_R^2)/|\delta\mathcal{J}|` tends to the first-order slope
  :math:`8|\alpha|/(N|\delta\mathcal J|\sqrt{\beta^2+\gamma^2})` (Eq. 49).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl

from steadysqueeze.exact import steady_state
from steadysqueeze.state import SteadyState
from steadysqueeze.models import make_model
from steadysqueeze.observables import (analyze, entropy, moments, purity,
                                       quantum_fisher_information,
                                       squeezing_from_moments, transverse_frame)
from steadysqueeze.perturbative import squeezing
from steadysqueeze.spin import CollectiveSpin, degeneracy, spin_values

#: dense pure states built with expm: rounding of O(N) matrices, 1e-10 leaves margin
#: over the measured ≤ 5e-14
PURE_TOL = 1e-10


def _pure_state(N: int, psi: np.ndarray) -> SteadyState:
    return SteadyState(N=N, blocks={N / 2: np.outer(psi, psi.conj())}, residual=0.0,
                       method="test")


def _css(N: int) -> np.ndarray:
    psi = np.zeros(N + 1, dtype=complex)
    psi[0] = 1.0   # M = -N/2
    return psi


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation matrix about the unit ``axis``."""
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


@pytest.mark.parametrize("N", [2, 5, 20, 51])
def test_coherent_spin_state(N):
    state = _pure_state(N, _css(N))
    result = analyze(state)
    np.testing.assert_allclose(result.mean_J, [0, 0, -N / 2], rtol=0, atol=1e-14 * N)
    assert abs(result.xi2 - 1) <= 1e-12          # exact arithmetic up to rounding
    assert abs(result.qfi / N - 1) <= 1e-12
    assert abs(result.purity - 1) <= 1e-12
    assert abs(result.entropy) <= 1e-12
    assert np.isnan(result.theta)                 # isotropic: no squeezing axis
    assert result.var_min == pytest.approx(N / 4, abs=1e-12 * N)   # Eq. 15
    for phi in np.linspace(0, np.pi, 5):
        axis = np.array([np.cos(phi), np.sin(phi), 0.0])
        assert quantum_fisher_information(state, axis) / N == pytest.approx(1, abs=1e-12)


ROTATIONS = [  # (rotation axis, angle): where the mean spin ends up
    (np.array([0.0, 1.0, 0.0]), np.pi / 2),      # along -x: the special case of the frame
    (np.array([1.0, 0.0, 0.0]), np.pi / 2),      # along +y
    (np.array([1.0, 0.0, 0.0]), np.pi),          # along +z
    (np.array([1.0, 2.0, -0.5]) / np.sqrt(5.25), 1.234),
    (np.array([0.3, -0.1, 0.9]) / np.linalg.norm([0.3, -0.1, 0.9]), 2.9),
]


@pytest.mark.parametrize("N", [3, 10, 30])
@pytest.mark.parametrize("axis, angle", ROTATIONS)
def test_rotated_coherent_state(N, axis, angle):
    spin = CollectiveSpin(N / 2)
    psi = sl.expm(-1j * angle * spin.along(axis).toarray()) @ _css(N)
    result = analyze(_pure_state(N, psi))
    expected_mean = _rotation(axis, angle) @ np.array([0.0, 0.0, -N / 2])
    np.testing.assert_allclose(result.mean_J, expected_mean, rtol=0, atol=PURE_TOL * N)
    # the transverse frame follows the mean spin: still a CSS, xi2 = 1, QFI/N = 1
    assert abs(result.xi2 - 1) <= PURE_TOL
    assert abs(result.qfi / N - 1) <= PURE_TOL
    assert abs(result.purity - 1) <= PURE_TOL
    for v in (result.squeezed_axis, result.antisqueezed_axis):
        assert abs(v @ expected_mean) <= PURE_TOL * N
        assert abs(np.linalg.norm(v) - 1) <= PURE_TOL


@pytest.mark.parametrize("mean", [np.array([0, 0, -2.0]), np.array([0, 3.0, 1.0]),
                                  np.array([-1.0, 0.1, 0.0]), np.array([0.4, -0.3, 0.8])])
def test_transverse_frame_is_orthonormal(mean):
    e1, e2 = transverse_frame(mean)
    n = mean / np.linalg.norm(mean)
    frame = np.stack([e1, e2, n])
    np.testing.assert_allclose(frame @ frame.T, np.eye(3), rtol=0, atol=1e-14)
    # e2 = e1 x n (documented), so that for n = -z the frame is (x, y), Eq. 16
    np.testing.assert_allclose(e2, np.cross(e1, n), rtol=0, atol=1e-14)


@pytest.mark.parametrize("phi", [-2.0, -1.3, 0.4])
def test_transverse_frame_conventions(phi):
    # mean along -z: (e1, e2) = (x, y), so theta is the angle of Eq. 16
    e1, e2 = transverse_frame(np.array([0.0, 0.0, -3.0]))
    np.testing.assert_allclose(np.stack([e1, e2]), [[1, 0, 0], [0, 1, 0]], rtol=0, atol=1e-15)
    # Dicke mean (0, cos phi, sin phi), Eq. 64: e1 = x and e2 the J^phi' direction of Eq. 66
    e1, e2 = transverse_frame(np.array([0.0, np.cos(phi), np.sin(phi)]))
    np.testing.assert_allclose(e1, [1, 0, 0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(e2, [0, -np.sin(phi), np.cos(phi)], rtol=0, atol=1e-15)


def test_squeezing_from_moments_rejects_zero_mean():
    with pytest.raises(ValueError, match="mean spin vanishes"):
        squeezing_from_moments(4, np.zeros(3), np.eye(3))


@pytest.mark.parametrize("N", [4, 10, 31])
@pytest.mark.parametrize("mu", [0.05, 0.2])
def test_one_axis_twisting_kitagawa_ueda(N, mu):
    spin = CollectiveSpin(N / 2)
    jy, jz = spin.jy.toarray(), spin.jz.toarray()
    psi = sl.expm(-1j * np.pi / 2 * jy) @ _css(N)             # CSS along -x
    psi = sl.expm(-1j * mu / 2 * jz @ jz) @ psi                # twist: H = chi Jz^2, mu = 2 chi t
    result = analyze(_pure_state(N, psi))
    A = 1 - np.cos(mu) ** (N - 2)
    B = 4 * np.sin(mu / 2) * np.cos(mu / 2) ** (N - 2)
    var_min = N / 4 * (1 + (N - 1) / 4 * (A - np.sqrt(A * A + B * B)))
    length = N / 2 * np.cos(mu / 2) ** (N - 1)
    assert abs(np.linalg.norm(result.mean_J) - length) <= PURE_TOL * N
    assert abs(result.var_min - var_min) <= PURE_TOL * N
    assert abs(result.xi2 - N * var_min / length ** 2) <= PURE_TOL
    assert result.xi2 < 1
    # Eq. 21, and for a pure state QFI = 4 Var of the anti-squeezed component
    assert 1 / result.xi2 <= result.qfi / N * (1 + 1e-12)
    assert abs(result.qfi - 4 * result.var_max) <= PURE_TOL * N


@pytest.mark.parametrize("p", [0.9, 0.6, 0.5, 0.2])
def test_qfi_of_a_dicke_mixture(p):
    # rho = p|M=-2><M=-2| + (1-p)|M=-1><M=-1| in J = 2 (N = 4), generator J^x.
    # Eq. 19 with p_k + p_l: pairs (-2,-1) [both populated] and (-1,0) [p_0 = 0]
    N = 4
    rho = np.diag([p, 1 - p, 0, 0, 0]).astype(complex)
    state = SteadyState(N=N, blocks={2.0: rho}, residual=0.0, method="test")
    a01 = np.sqrt((2 + 2) * (2 - 2 + 1)) / 2        # <M+1|Jx|M> = sqrt((J-M)(J+M+1))/2, M = -2
    a12 = np.sqrt((2 + 1) * (2 - 1 + 1)) / 2        # M = -1
    expected = 2 * 2 * ((2 * p - 1) ** 2 / 1.0 * a01 ** 2 + (1 - p) * a12 ** 2)
    qfi = quantum_fisher_information(state, np.array([1.0, 0.0, 0.0]))
    assert abs(qfi - expected) <= 1e-12 * expected
    # (Eq. 19 as printed, with p_k - p_l in the denominator, is antisymmetric in k, l
    # and would sum to zero for every state)
    assert qfi > 0


def test_purity_and_entropy_with_degeneracies():
    # weight w in |N/2, -N/2> and 1 - w in |N/2 - 1, -(N/2 - 1)>; the second stands for
    # d_J = N - 1 copies of weight (1 - w)/(N - 1) each
    N, w = 6, 0.3
    d = degeneracy(N, N / 2 - 1)
    assert d == N - 1
    top = np.zeros((N + 1, N + 1), dtype=complex)
    top[0, 0] = w
    low = np.zeros((N - 1, N - 1), dtype=complex)
    low[0, 0] = 1 - w
    state = SteadyState(N=N, blocks={N / 2: top, N / 2 - 1: low}, residual=0.0, method="test")
    assert purity(state) == pytest.approx(w ** 2 + (1 - w) ** 2 / d, abs=1e-15)
    expected = -(w * np.log(w) + (1 - w) * np.log((1 - w) / d))
    assert entropy(state) == pytest.approx(expected, abs=1e-14)


# -- weak drive, exact steady state -------------------------------------------------------
WEAK_J = [-1.8, -0.8, -0.2]


@pytest.mark.parametrize("J", WEAK_J)
def test_minimal_uncertainty_at_weak_drive(J):
    N, dJ = 20, 0.02
    result = analyze(steady_state(make_model("xyz", dict(J=J, dJ=dJ, Jz=1.0)), N))
    assert result.xi2 < 1
    assert 1 / result.xi2 <= result.qfi / N * (1 + 1e-12)     # Eq. 21
    # measured |1/xi2 - QFI/N| = 2.0e-11, 1.4e-10, 8.0e-10 for J = -1.8, -0.8, -0.2 (it
    # scales like dJ^4, while 1/xi2 - 1 ~ 0.03-0.07): bound 1e-8 keeps a factor > 10
    assert abs(1 / result.xi2 - result.qfi / N) <= 1e-8


@pytest.mark.parametrize("J", WEAK_J)
def test_exact_approaches_first_order(J):
    N, dJ, Jz = 20, 1e-3, 1.0
    model = make_model("xyz", dict(J=J, dJ=dJ, Jz=Jz))
    exact = analyze(steady_state(model, N))
    first = squeezing(model, N, order=1)
    slope_exact = (1 - exact.xi2) / abs(dJ)
    slope_pt = (1 - first.xi2) / abs(dJ)
    # second-order corrections: measured relative gap 3.9e-4, 5.9e-4, 8.4e-4 at dJ = 1e-3
    # (linear in dJ: 7.7e-3 ... 1.7e-2 at dJ = 0.02)
    assert abs(slope_exact / slope_pt - 1) <= 1e-3
    # the angle too: measured gap <= 2.2e-8 rad
    assert abs(np.angle(np.exp(2j * (exact.theta - first.theta)))) / 2 <= 1e-6


@pytest.mark.parametrize("N", [2, 7, 8])
def test_moments_from_the_diagonals_equal_dense_traces(N: int) -> None:
    """:func:`moments` reads ⟨J^a⟩ and ⟨{J^a, J^b}⟩/2 off three diagonals of each block;
    against Tr(ρ^J A) with dense spin matrices, random Hermitian blocks: 1e-13 relative
    to the largest second moment (measured ~1e-16)."""
    rng = np.random.default_rng(N)
    blocks = {}
    for J in spin_values(N):
        d = int(round(2 * J + 1))
        X = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        blocks[float(J)] = X @ X.conj().T
    mean, cov = moments(SteadyState(N=N, blocks=blocks, residual=0.0, method="test"))
    ref_mean, ref_second = np.zeros(3), np.zeros((3, 3))
    for J, rho in blocks.items():
        spin = CollectiveSpin(J)
        ops = [spin.component(axis).toarray() for axis in "xyz"]
        for a in range(3):
            ref_mean[a] += np.trace(rho @ ops[a]).real
            for b in range(3):
                ref_second[a, b] += np.trace(rho @ (ops[a] @ ops[b] + ops[b] @ ops[a])).real / 2
    scale = np.abs(ref_second).max()
    assert np.abs(mean - ref_mean).max() <= 1e-13 * scale
    assert np.abs(cov - (ref_second - np.outer(ref_mean, ref_mean))).max() <= 1e-13 * scale
