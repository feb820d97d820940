r"""The driven Dicke model with collective emission (Sec. 7, Fig. 9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from ..spin import CollectiveSpin, collective_spin
from .base import Dissipation, Model, Parameter, register

__all__ = ["DrivenDicke"]


@register
@dataclass(frozen=True, kw_only=True)
class DrivenDicke(Model):
    r"""Driven Dicke model, Eq. 62: :math:`H_0 = 0`, :math:`\lambda H_1 = -\Omega J^x`,
    collective emission :math:`\sqrt{\Gamma/N}\,J^-`.

    The drive changes M by ±1, so the parity of M − M' is not conserved; squeezing
    first appears at second order in Ω (Eq. 70).
    """

    name: ClassVar[str] = "dicke"
    dissipation: ClassVar[Dissipation] = "collective"
    rate_name: ClassVar[str] = "Gamma"
    conserves_parity: ClassVar[bool] = False
    default_order: ClassVar[int] = 2
    scaling_drive: ClassVar[str] = "Omega"
    #: the exact steady state gives ξ²_min ≈ [3/2 (ln N + ln ln N + b)/N]^(1/3) at large N,
    #: and its drive approaches Γ/2 like (ln N / N)^(2/3) (located minima to N = 10⁶)
    finite_size_forms: ClassVar[tuple[str, ...]] = ("power_law", "log_power", "log_asymptotic",
                                                    "approach", "approach_log")
    parameters: ClassVar[dict[str, Parameter]] = {
        "Omega": Parameter("Rabi drive Omega, Eq. 62", r"\Omega"),
        "Gamma": Parameter("collective emission rate Gamma", r"\Gamma"),
    }

    Omega: float
    Gamma: float = 1.0

    def h0(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return sp.csr_array((spin.dim, spin.dim), dtype=complex)

    def h1(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return (-self.Omega * spin.jx).tocsr()

    def _closed_form_logs(self, N: int) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        r""":math:`\ln v_a`, :math:`\ln W_m`, :math:`\ln Z` and the phases
        :math:`(\pm i)^a` of the closed form (:meth:`closed_form_steady_state`), O(N)."""
        spin = collective_spin(N / 2)
        S = np.concatenate(([0.0], np.cumsum(np.log(spin.lowering_amplitudes))))
        log_g = np.log(abs(self.Omega) * N / self.Gamma)
        index = np.arange(spin.dim)
        log_u, log_v = S - (index + 1) * log_g, index * log_g - S
        log_W = np.logaddexp.accumulate((2 * log_u)[::-1])[::-1]
        log_Z = float(logsumexp(2 * log_v + log_W))
        phase = (1j if self.Omega > 0 else -1j) ** (index % 4)
        return log_v, log_W, log_Z, phase

    def closed_form_steady_state(self, N: int) -> dict[float, np.ndarray] | None:
        r"""The steady state in the symmetric block, in closed form (Puri & Lawande 1979;
        Carmichael 1980); None at Ω = 0, where it is :math:`|\phi_0\rangle`'s projector.

        With :math:`A = J^- - g`, :math:`g = i\Omega N/\Gamma`, the Liouvillian is
        :math:`(\Gamma/N)D[A]` (as :math:`D[J^- - g]\rho = D[J^-]\rho - i[-\Omega J^x,\rho]`),
        and :math:`\rho \propto (A^\dagger A)^{-1} = A^{-1}A^{-\dagger}` solves
        :math:`D[A]\rho = 0`. A is bidiagonal: with :math:`c_j = \langle j-1|J^-|j\rangle`
        (index :math:`j = M + N/2`), :math:`|A^{-1}_{am}| = u_m v_a`,
        :math:`\ln u_m = S_m - (m+1)\ln|g|`, :math:`\ln v_a = a\ln|g| - S_a`,
        :math:`S_m = \sum_{j\le m}\ln c_j`, and the phase of
        :math:`A^{-1}_{am}\overline{A^{-1}_{bm}}` is :math:`(\pm i)^{a-b}` (sign of Ω), so
        :math:`\rho_{ab} = (\pm i)^{a-b} v_a v_b W_{\max(a,b)}/Z`,
        :math:`W_m = \sum_{m'\ge m} u_{m'}^2`; evaluated in log space (no overflow).
        """
        if self.Omega == 0:
            return None
        log_v, log_W, log_Z, phase = self._closed_form_logs(N)
        index = np.arange(N + 1)
        R = np.exp(log_v[:, None] + log_v[None, :]
                   + log_W[np.maximum.outer(index, index)] - log_Z)
        return {N / 2: phase[:, None] * phase.conj()[None, :] * R}

    def closed_form_diagonals(self, N: int, count: int = 3
                              ) -> dict[float, list[np.ndarray]] | None:
        r"""The first ``count`` diagonals :math:`\rho_{a,a+k}` of the closed form (what
        the collective moments need, :func:`steadysqueeze.observables.diagonal_moments`)
        in O(N) time and memory: N = 10⁶ in a fraction of a second, where the dense
        state would need 16 TB. At Ω = 0 they are those of :math:`|\phi_0\rangle`'s
        projector."""
        if self.Omega == 0:
            dark = [np.zeros(N + 1 - k, dtype=complex) for k in range(count)]
            dark[0][0] = 1.0
            return {N / 2: dark}
        log_v, log_W, log_Z, phase = self._closed_form_logs(N)
        a = np.arange(N + 1)
        return {N / 2: [phase[a[:a.size - k]] * phase[a[k:]].conj()
                        * np.exp(log_v[:a.size - k] + log_v[k:] + log_W[k:] - log_Z)
                        for k in range(count)]}
