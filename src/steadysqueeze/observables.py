r"""Collective-spin observables of a steady state (Sec. 4 of the paper).

* the mean spin :math:`\langle\mathbf{J}\rangle` and the symmetrised covariance
  :math:`C_{ab} = \tfrac12\langle\{J^a, J^b\}\rangle - \langle J^a\rangle\langle J^b\rangle`;
* the squeezing parameter, Eq. 18,
  :math:`\xi_R^2 = N\,\min_\perp \mathrm{Var}(J^\perp)/|\langle\mathbf{J}\rangle|^2`,
  minimised over directions perpendicular to the mean spin (for ``xyz``/``tfi`` the
  xy plane, for ``dicke`` the plane of Eq. 66);
* the squeezing angle θ: the squeezed axis is
  :math:`\cos\theta\,\mathbf{e}_1 + \sin\theta\,\mathbf{e}_2` in the transverse
  frame of :func:`transverse_frame` (for a mean spin along −z this is
  :math:`J_1^\perp = \cos\theta J^x + \sin\theta J^y`, Eq. 16), θ ∈ [0, π);
* the quantum Fisher information of the anti-squeezed component (Eq. 19 with the
  denominator :math:`p_k + p_l`), and purity / von Neumann entropy with the PIQS
  degeneracy weights :math:`d_J`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .state import SteadyState
from .spin import collective_spin, degeneracy

__all__ = ["Squeezing", "transverse_frame", "squeezing_from_moments", "moments",
           "diagonal_moments",
           "quantum_fisher_information", "purity", "entropy", "analyze",
           "ISOTROPY_TOLERANCE"]

AXES = "xyz"
#: relative splitting of the transverse variances below which θ is undefined (NaN)
ISOTROPY_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Squeezing:
    """Squeezing properties of one state. Vectors are (x, y, z) components."""

    xi2: float
    theta: float
    squeezed_axis: np.ndarray
    antisqueezed_axis: np.ndarray
    mean_J: np.ndarray
    covariance: np.ndarray
    var_min: float
    var_max: float
    qfi: float
    purity: float
    entropy: float

    @classmethod
    def not_computed(cls) -> "Squeezing":
        """All NaN: a point where the method does not apply (the dataset says why)."""
        vector, nan = np.full(3, np.nan), float("nan")
        return cls(xi2=nan, theta=nan, squeezed_axis=vector, antisqueezed_axis=vector,
                   mean_J=vector, covariance=np.full((3, 3), np.nan), var_min=nan,
                   var_max=nan, qfi=nan, purity=nan, entropy=nan)


def transverse_frame(mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Orthonormal :math:`(\mathbf{e}_1, \mathbf{e}_2)` perpendicular to the mean spin.

    :math:`\mathbf{e}_1` is :math:`\hat{x}` projected perpendicular to
    :math:`\mathbf{n} = \langle\mathbf{J}\rangle/|\langle\mathbf{J}\rangle|`, and
    :math:`\mathbf{e}_2 = \mathbf{e}_1 \times \mathbf{n}`. For :math:`\mathbf{n} = -\hat z`
    this is :math:`(\hat x, \hat y)`; for the rotated Dicke spin
    :math:`\mathbf{n} = (0, \cos\phi, \sin\phi)` it is :math:`\hat x` and the
    :math:`J^{\phi'}` direction of Eq. 66.
    """
    n = np.asarray(mean, dtype=float) / np.linalg.norm(mean)
    reference = np.eye(3)[int(np.argmin(np.abs(n)))] if abs(n[0]) > 0.9 else np.eye(3)[0]
    e1 = reference - (reference @ n) * n
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(e1, n)


def squeezing_from_moments(N: int, mean: np.ndarray, covariance: np.ndarray
                           ) -> tuple[float, float, np.ndarray, np.ndarray, float, float]:
    """ξ_R² (Eq. 18), θ, squeezed and anti-squeezed axes, var_min and var_max."""
    norm2 = float(mean @ mean)
    if norm2 <= (1e-12 * N) ** 2:
        raise ValueError("mean spin vanishes: the squeezing parameter (Eq. 18) is undefined")
    e1, e2 = transverse_frame(mean)
    frame = np.stack([e1, e2])
    plane = frame @ covariance @ frame.T
    variances, vectors = np.linalg.eigh(plane)
    axis_min, axis_max = vectors[:, 0] @ frame, vectors[:, 1] @ frame
    split = variances[1] - variances[0]
    theta = float(np.mod(np.arctan2(vectors[1, 0], vectors[0, 0]), np.pi))
    if split <= ISOTROPY_TOLERANCE * max(abs(variances).max(), 1.0):
        theta = float("nan")
    return (N * float(variances[0]) / norm2, theta, axis_min, axis_max,
            float(variances[0]), float(variances[1]))


def _block_moments(J: float, diagonals: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`\langle J^a\rangle` and :math:`\langle\{J^a, J^b\}\rangle/2` of one block,
    from the three diagonals :math:`\rho^J_{M,M+k}`, k = 0, 1, 2, that the collective
    operators reach.

    With :math:`a_M = \langle M+1|J^+|M\rangle`, :math:`P = \langle J^+\rangle =
    \sum_M \rho_{M,M+1}a_M`, :math:`Q = \langle (J^+)^2\rangle`,
    :math:`R = \langle\{J^z, J^+\}\rangle = \sum_M \rho_{M,M+1}(2M+1)a_M` and
    :math:`S = \langle J^+J^- + J^-J^+\rangle = 2\langle J(J+1) - (J^z)^2\rangle`:
    :math:`\langle J^x\rangle = \mathrm{Re}\,P`, :math:`\langle J^y\rangle = \mathrm{Im}\,P`,
    :math:`\langle (J^x)^2\rangle = (S + 2\,\mathrm{Re}\,Q)/4`,
    :math:`\langle (J^y)^2\rangle = (S - 2\,\mathrm{Re}\,Q)/4`, and the symmetrised
    :math:`xy`, :math:`xz`, :math:`yz` products :math:`\mathrm{Im}\,Q/2`,
    :math:`\mathrm{Re}\,R/2`, :math:`\mathrm{Im}\,R/2` (ρ Hermitian).
    """
    first, second_diagonal = diagonals[1], diagonals[2]
    p = np.asarray(diagonals[0]).real
    m = -J + np.arange(p.size)
    a = np.sqrt((J - m[:-1]) * (J + m[:-1] + 1))
    P = np.sum(first * a)
    Q = np.sum(second_diagonal * a[:-1] * a[1:])
    R = np.sum(first * (2 * m[:-1] + 1) * a)
    z, zz = np.sum(m * p), np.sum(m * m * p)
    S = 2 * (J * (J + 1) * np.sum(p) - zz)
    mean = np.array([P.real, P.imag, z])
    second = np.array([[(S + 2 * Q.real) / 4, Q.imag / 2, R.real / 2],
                       [Q.imag / 2, (S - 2 * Q.real) / 4, R.imag / 2],
                       [R.real / 2, R.imag / 2, zz]])
    return mean, second


def diagonal_moments(diagonals: Mapping[float, Sequence[np.ndarray]]
                     ) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean :math:`\langle J^a\rangle` and covariance :math:`C_{ab}` from the diagonals
    :math:`\rho^J_{M,M+k}` (k = 0, 1, 2) of every block: all the collective moments
    need (e.g. a closed form's, :meth:`~steadysqueeze.models.Model.closed_form_diagonals`)."""
    mean = np.zeros(3)
    second = np.zeros((3, 3))
    for J, block_diagonals in diagonals.items():
        block_mean, block_second = _block_moments(J, block_diagonals)
        mean += block_mean
        second += block_second
    return mean, second - np.outer(mean, mean)


def moments(state: SteadyState) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean :math:`\langle J^a\rangle` and covariance :math:`C_{ab}` over all blocks."""
    return diagonal_moments({J: [np.diagonal(rho, k) for k in range(3)]
                             for J, rho in state.blocks.items()})


def _block_qfi(p: np.ndarray, V: np.ndarray, op: np.ndarray) -> float:
    """QFI of one block from its spectrum ``p``, ``V`` (Eq. 19)."""
    p = np.clip(p, 0.0, None)
    A = V.conj().T @ op @ V
    total = p[:, None] + p[None, :]
    weight = np.divide((p[:, None] - p[None, :]) ** 2, total,
                       out=np.zeros_like(total), where=total > 1e-300)
    return 2.0 * float(np.sum(weight * np.abs(A) ** 2))


def quantum_fisher_information(state: SteadyState, axis: np.ndarray) -> float:
    r"""QFI of :math:`\mathbf{n}\cdot\mathbf{J}` (Eq. 19, denominator :math:`p_k+p_l`).

    The generator is block diagonal in J and in the copies, and the QFI is
    homogeneous of degree one in ρ, so the :math:`d_J` copies of weight
    :math:`\rho^J/d_J` add up to the QFI of the block :math:`\rho^J` itself.
    """
    return sum(_block_qfi(p, V, collective_spin(J).along(axis).toarray())
               for J, (p, V) in state.spectra.items())


def purity(state: SteadyState) -> float:
    r""":math:`\mathrm{Tr}\rho^2 = \sum_J \mathrm{Tr}(\rho^J)^2 / d_J`."""
    return float(sum(np.sum(np.abs(rho) ** 2) / float(degeneracy(state.N, J))
                     for J, rho in state.blocks.items()))


def entropy(state: SteadyState) -> float:
    r"""Von Neumann entropy :math:`-\sum_J\sum_k p_k\ln(p_k/d_J)` (natural log)."""
    total = 0.0
    for J, (p, _) in state.spectra.items():
        p = p[p > 1e-300]
        total -= float(np.sum(p * (np.log(p) - np.log(float(degeneracy(state.N, J))))))
    return total


def analyze(state: SteadyState) -> Squeezing:
    """All observables of an exact steady state."""
    mean, covariance = moments(state)
    xi2, theta, axis_min, axis_max, var_min, var_max = squeezing_from_moments(
        state.N, mean, covariance)
    return Squeezing(xi2=xi2, theta=theta, squeezed_axis=axis_min, antisqueezed_axis=axis_max,
                     mean_J=mean, covariance=covariance, var_min=var_min, var_max=var_max,
                     qfi=quantum_fisher_information(state, axis_max),
                     purity=purity(state), entropy=entropy(state))
