r"""The six permutation-invariant dissipation channels of PIQS in the block representation.

Channel names and rate conventions are those of the same-named arguments of
:class:`qutip.piqs.Dicke` (Shammah et al., PRA 98, 063815 (2018), Eq. 1), with
:math:`D[A]\rho = A\rho A^\dagger - \tfrac12\{A^\dagger A, \rho\}`:

============================  =====================================================
``emission`` γ                :math:`\gamma\sum_i D[\sigma_i^-]`
``dephasing`` γ               :math:`\gamma\sum_i D[\sigma_i^z/2]` (= :math:`D[s_i^z]`)
``pumping`` γ                 :math:`\gamma\sum_i D[\sigma_i^+]`
``collective_emission`` γ     :math:`\gamma D[J^-]` (the paper's Γ/N of Sec. 3.1)
``collective_dephasing`` γ    :math:`\gamma D[J^z]`
``collective_pumping`` γ      :math:`\gamma D[J^+]`
============================  =====================================================

On :math:`\rho = \bigoplus_J\rho^J` (blocks carrying all :math:`d_J` copies) each channel
is :math:`G\rho^J + \rho^J G^\dagger` with :math:`G = -\tfrac12\sum_j\gamma_j L_j^\dagger L_j`
(:func:`decay_operator`, collective since :math:`\sum_i` of one-spin operators is) plus
separable jump terms :math:`c\,A\rho^{s}A^{T}` from block s to block J
(:func:`channel_jumps`). The local coefficients are PIQS's ``gamma2`` … ``gamma9``
(Shammah et al., Appendix; Chase & Geremia, PRA 78, 052101 (2008)), evaluated here in
double precision (PIQS stores them as single-precision floats):

* emission: :func:`~steadysqueeze.exact.liouvillian.local_emission_jumps`;
* pumping: emission mirrored :math:`M \to -M` (``gamma7``–``gamma9``);
* dephasing: J → J with :math:`A = J^z` and :math:`c = \frac{\gamma}{2}\frac{N/2+1}{J(J+1)}`,
  J → J − 1 with :math:`A_{MM} = \sqrt{J^2-M^2}`, :math:`c = \frac{\gamma}{2}
  \frac{N/2+J+1}{J(2J+1)}`, J → J + 1 with :math:`A_{MM} = \sqrt{(J+1)^2-M^2}`,
  :math:`c = \frac{\gamma}{2}\frac{N/2-J}{(J+1)(2J+1)}` (``gamma1``, ``gamma5``, ``gamma6``).

Every term shifts M and M' alike, so all six conserve the parity of M − M'.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from ..spin import CollectiveSpin, collective_spin
from .liouvillian import JumpChannel, local_emission_jumps

__all__ = ["LOCAL_CHANNELS", "COLLECTIVE_CHANNELS", "CHANNELS", "decay_operator",
           "channel_jumps", "jump_map"]

LOCAL_CHANNELS = ("emission", "dephasing", "pumping")
COLLECTIVE_CHANNELS = ("collective_emission", "collective_dephasing", "collective_pumping")
CHANNELS = LOCAL_CHANNELS + COLLECTIVE_CHANNELS


def _check_rates(rates: Mapping[str, float]) -> None:
    unknown = sorted(set(rates) - set(CHANNELS))
    if unknown:
        raise ValueError(f"unknown dissipation channel(s) {', '.join(unknown)}; "
                         f"known: {', '.join(CHANNELS)}")
    negative = {k: v for k, v in rates.items() if not v >= 0}
    if negative:
        raise ValueError(f"dissipation rates must be >= 0, got {negative}")


def decay_operator(rates: Mapping[str, float], N: int, spin: CollectiveSpin) -> sp.csr_array:
    r""":math:`\sum_j \gamma_j L_j^\dagger L_j` in the block of ``spin``.

    Emission :math:`\gamma(J^z + N/2)`, pumping :math:`\gamma(N/2 - J^z)`, dephasing
    :math:`\gamma N/4`, collective: :math:`\gamma J^+J^-`, :math:`\gamma (J^z)^2`,
    :math:`\gamma J^-J^+` (the diagonal ``gamma1`` of Shammah et al.).
    """
    _check_rates(rates)
    eye = sp.eye_array(spin.dim, dtype=complex, format="csr")
    r = {name: float(rates.get(name, 0.0)) for name in CHANNELS}
    total = ((r["emission"] - r["pumping"]) * spin.jz
             + ((r["emission"] + r["pumping"]) * N / 2 + r["dephasing"] * N / 4) * eye)
    if r["collective_emission"]:
        total = total + r["collective_emission"] * (spin.jp @ spin.jm)
    if r["collective_pumping"]:
        total = total + r["collective_pumping"] * (spin.jm @ spin.jp)
    if r["collective_dephasing"]:
        total = total + r["collective_dephasing"] * (spin.jz @ spin.jz)
    return sp.csr_array(total)


def dark_decay_operator(rates: Mapping[str, float], N: int,
                        spin: CollectiveSpin) -> sp.csr_array:
    r""":math:`\sum_j \gamma_j L_j^\dagger L_j` with each Hermitian jump operator shifted to
    annihilate :math:`|\phi_0\rangle = |N/2, -N/2\rangle`.

    :math:`D[L + c] = D[L]` for Hermitian L and real c, so local dephasing
    :math:`D[\sigma^z_i/2] = D[P^\uparrow_i]` and collective dephasing
    :math:`D[J^z] = D[J^z + N/2]`: the same Lindbladian, whose jump operators now leave
    :math:`|\phi_0\rangle` dark, as pure-state perturbation theory (Sec. 2) needs. They add
    :math:`\gamma(J^z + N/2)` and :math:`\gamma(J^z + N/2)^2` to :func:`decay_operator`
    without dephasing; their jumps never feed the dissipative line of Eq. 13
    (:math:`L^\dagger|\phi_0\rangle = 0`). Pumping cannot be shifted dark.
    """
    _check_rates(rates)
    up = spin.jz + (N / 2) * sp.eye_array(spin.dim, dtype=complex, format="csr")
    rest = {name: rate for name, rate in rates.items() if "dephasing" not in name}
    return sp.csr_array(decay_operator(rest, N, spin)
                        + float(rates.get("dephasing", 0.0)) * up
                        + float(rates.get("collective_dephasing", 0.0)) * (up @ up))


def _mirrored(channel: JumpChannel) -> JumpChannel:
    """The channel under M → −M: a lowering term becomes the raising one (emission →
    pumping); the target index moves by +2 relative to lowering."""
    return JumpChannel(channel.block_step, channel.coefficient, channel.amplitude[::-1].copy(),
                       channel.index_shift + 2)


def _dephasing_jumps(N: int, gamma: float, j: float) -> list[JumpChannel]:
    """Local dephasing γ Σ_i D[s_i^z], the terms leaving block j (module docstring)."""
    half_n = N / 2
    m = -j + np.arange(int(round(2 * j + 1)))
    channels = []
    if j > 0:
        channels.append(JumpChannel(0, gamma / 2 * (half_n + 1) / (j * (j + 1)), m.copy(), 0))
        if j - 1 >= (N % 2) / 2:
            channels.append(JumpChannel(1, gamma / 2 * (half_n + j + 1) / (j * (2 * j + 1)),
                                        np.sqrt(np.clip(j * j - m * m, 0, None)), -1))
    if j + 1 <= half_n:
        channels.append(JumpChannel(-1, gamma / 2 * (half_n - j) / ((j + 1) * (2 * j + 1)),
                                    np.sqrt((j + 1) ** 2 - m * m), 1))
    return channels


def channel_jumps(rates: Mapping[str, float], N: int, j: float) -> list[JumpChannel]:
    r"""All jump terms :math:`c\,A\rho^{j}A^T` leaving block j, for the given channel rates.

    Collective channels stay in the block: :math:`\gamma J^-\rho J^+`,
    :math:`\gamma J^+\rho J^-`, :math:`\gamma J^z\rho J^z`.
    """
    _check_rates(rates)
    spin = collective_spin(j)
    lowering = np.concatenate(([0.0], spin.lowering_amplitudes))   # on source index
    jumps: list[JumpChannel] = []
    if rates.get("emission", 0.0):
        jumps += local_emission_jumps(N, rates["emission"], j)
    if rates.get("pumping", 0.0):
        jumps += [_mirrored(c) for c in local_emission_jumps(N, rates["pumping"], j)]
    if rates.get("dephasing", 0.0):
        jumps += _dephasing_jumps(N, rates["dephasing"], j)
    if rates.get("collective_emission", 0.0):
        jumps.append(JumpChannel(0, rates["collective_emission"], lowering, -1))
    if rates.get("collective_pumping", 0.0):
        jumps.append(JumpChannel(0, rates["collective_pumping"], lowering[::-1].copy(), 1))
    if rates.get("collective_dephasing", 0.0):
        jumps.append(JumpChannel(0, rates["collective_dephasing"], spin.m.copy(), 0))
    return jumps


def jump_map(source: CollectiveSpin, target: CollectiveSpin, channel: JumpChannel
             ) -> sp.csr_array:
    """The rectangular A of ``channel``: A[i + index_shift, i] = amplitude[i]."""
    columns = np.arange(source.dim)
    rows = columns + channel.index_shift
    inside = (rows >= 0) & (rows < target.dim)
    if np.any(channel.amplitude[~inside] != 0):
        raise AssertionError("jump amplitude leaves the target block")   # a coding error
    return sp.csr_array((channel.amplitude[inside], (rows[inside], columns[inside])),
                        shape=(target.dim, source.dim))
