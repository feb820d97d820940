r"""The six permutation-invariant dissipation channels of PIQS and their no-jump part.

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

This module holds what a model needs to know of its channels: their names, the check
of a rate mapping, and :math:`\sum_j \gamma_j L_j^\dagger L_j`, which is collective
(:math:`\sum_i` of one-spin operators is) and so acts inside one block of
:class:`~steadysqueeze.spin.CollectiveSpin` (:func:`decay_operator`,
:func:`dark_decay_operator`). Their jump terms between the blocks of a
permutation-invariant state, which only the exact solvers need, are in
:mod:`steadysqueeze.exact.channels`. It imports nothing of the package but the spin
algebra.
"""

from __future__ import annotations

from collections.abc import Mapping

import scipy.sparse as sp

from .spin import CollectiveSpin

__all__ = ["LOCAL_CHANNELS", "COLLECTIVE_CHANNELS", "CHANNELS", "NOT_DARK_CHANNELS",
           "check_rates", "decay_operator", "dark_decay_operator"]

LOCAL_CHANNELS = ("emission", "dephasing", "pumping")
COLLECTIVE_CHANNELS = ("collective_emission", "collective_dephasing", "collective_pumping")
#: PIQS's channel names, local ones first
CHANNELS = LOCAL_CHANNELS + COLLECTIVE_CHANNELS
#: channels whose jump operators cannot annihilate |phi_0> = |N/2, -N/2> (dephasing can,
#: shifted: :func:`dark_decay_operator`)
NOT_DARK_CHANNELS = ("pumping", "collective_pumping")


def check_rates(rates: Mapping[str, float]) -> None:
    """Raise :class:`ValueError` for an unknown channel name or a negative rate."""
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
    check_rates(rates)
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
    check_rates(rates)
    up = spin.jz + (N / 2) * sp.eye_array(spin.dim, dtype=complex, format="csr")
    rest = {name: rate for name, rate in rates.items() if "dephasing" not in name}
    return sp.csr_array(decay_operator(rest, N, spin)
                        + float(rates.get("dephasing", 0.0)) * up
                        + float(rates.get("collective_dephasing", 0.0)) * (up @ up))
