r"""The driven Dicke model with collective emission (Sec. 7, Fig. 9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import scipy.sparse as sp

from ..spin import CollectiveSpin
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

    @property
    def superradiant_threshold(self) -> float:
        r"""Drive :math:`\Omega_c = \Gamma/2` of the superradiant transition (Sec. 7.1)."""
        return self.Gamma / 2
