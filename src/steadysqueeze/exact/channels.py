r"""The jump terms of the six PIQS dissipation channels in the block representation.

The channels, their rate conventions and their no-jump part
:math:`\sum_j\gamma_j L_j^\dagger L_j` (:func:`~steadysqueeze.channels.decay_operator`)
are in :mod:`steadysqueeze.channels`, which the models use too. On
:math:`\rho = \bigoplus_J\rho^J` (blocks carrying all :math:`d_J` copies) each channel
is :math:`G\rho^J + \rho^J G^\dagger` with :math:`G = -\tfrac12\sum_j\gamma_j L_j^\dagger L_j`
plus separable jump terms :math:`c\,A\rho^{s}A^{T}` from block s to block J
(:class:`JumpChannel`, :func:`channel_jumps`). The local coefficients are PIQS's
``gamma2`` … ``gamma9`` (Shammah et al., PRA 98, 063815 (2018), Appendix; Chase &
Geremia, PRA 78, 052101 (2008)), evaluated here in double precision (PIQS stores them as
single-precision floats):

* emission: :func:`local_emission_jumps`;
* pumping: emission mirrored :math:`M \to -M` (``gamma7``–``gamma9``);
* dephasing: J → J with :math:`A = J^z` and :math:`c = \frac{\gamma}{2}\frac{N/2+1}{J(J+1)}`,
  J → J − 1 with :math:`A_{MM} = \sqrt{J^2-M^2}`, :math:`c = \frac{\gamma}{2}
  \frac{N/2+J+1}{J(2J+1)}`, J → J + 1 with :math:`A_{MM} = \sqrt{(J+1)^2-M^2}`,
  :math:`c = \frac{\gamma}{2}\frac{N/2-J}{(J+1)(2J+1)}` (``gamma1``, ``gamma5``, ``gamma6``).

Every term shifts M and M' alike, so all six conserve the parity of M − M'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..channels import (CHANNELS, COLLECTIVE_CHANNELS, LOCAL_CHANNELS, check_rates,
                        dark_decay_operator, decay_operator)
from ..spin import CollectiveSpin, collective_spin

__all__ = ["LOCAL_CHANNELS", "COLLECTIVE_CHANNELS", "CHANNELS", "decay_operator",
           "dark_decay_operator", "JumpChannel", "local_emission_jumps", "channel_jumps",
           "jump_map"]


@dataclass(frozen=True)
class JumpChannel:
    r"""One separable jump term :math:`c\,A\rho^{s}A^T` leaving a block of spin j.

    ``block_step``: target block index minus source index (blocks by descending J: 0 for
    J → J, +1 for J → J − 1, −1 for J → J + 1); ``amplitude[i]``: the entry of A on
    source index i (M = −j + i), which lands on target index ``i + index_shift``.
    """

    block_step: int
    coefficient: float
    amplitude: np.ndarray
    index_shift: int


def local_emission_jumps(N: int, gamma: float, j: float) -> list[JumpChannel]:
    r"""Local emission :math:`\gamma\sum_i D[S_i^-]` in the Dicke basis (Shammah et al.,
    PRA 98, 063815 (2018)), the terms leaving block j (m its magnetisation):

    same block :math:`\frac{\gamma}{2}\frac{N/2+1}{j(j+1)}\sqrt{(j+m)(j-m+1)}`,
    :math:`j\to j-1`: :math:`\frac{\gamma}{2}\frac{N/2+j+1}{j(2j+1)}\sqrt{(j+m)(j+m-1)}`,
    :math:`j\to j+1`: :math:`\frac{\gamma}{2}\frac{N/2-j}{(j+1)(2j+1)}\sqrt{(j-m+1)(j-m+2)}`
    (each square root once per side, so the term is :math:`cA\rho A^T`), in double precision.
    """
    half_n = N / 2
    m = -j + np.arange(int(round(2 * j + 1)))
    channels = []
    if j > 0:
        channels.append(JumpChannel(0, gamma / 2 * (half_n + 1) / (j * (j + 1)),
                                    np.sqrt(np.clip((j + m) * (j - m + 1), 0, None)), -1))
        if j - 1 >= (N % 2) / 2:
            channels.append(JumpChannel(1, gamma / 2 * (half_n + j + 1) / (j * (2 * j + 1)),
                                        np.sqrt(np.clip((j + m) * (j + m - 1), 0, None)), -2))
    if j + 1 <= half_n:
        channels.append(JumpChannel(-1, gamma / 2 * (half_n - j) / ((j + 1) * (2 * j + 1)),
                                    np.sqrt((j - m + 1) * (j - m + 2)), 0))
    return channels


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
    check_rates(rates)
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
