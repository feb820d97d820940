r"""The collective dissipative transverse-field Ising model (Sec. 6.2, Figs. 6 and 7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import scipy.sparse as sp

from ..spin import CollectiveSpin
from .base import Dissipation, Model, Parameter, register
from .common import GAMMA

__all__ = ["TFI"]


@register
@dataclass(frozen=True, kw_only=True)
class TFI(Model):
    r"""Collective dissipative transverse-field Ising model, Eq. 53, local emission γ.

    :math:`H = \frac{\mathcal{J}_x}{N}(J^x)^2 + \Delta J^z`, split as Eqs. 54–55:
    :math:`H_0 = \Delta J^z`, :math:`\lambda H_1 = \frac{\mathcal{J}_x}{N}(J^x)^2`.
    """

    name: ClassVar[str] = "tfi"
    dissipation: ClassVar[Dissipation] = "local"
    rate_name: ClassVar[str] = "gamma"
    scaling_drive: ClassVar[str] = "Jx"
    parameters: ClassVar[dict[str, Parameter]] = {
        "Jx": Parameter("coupling J_x", r"\mathcal{J}_x"),
        "Delta": Parameter("transverse field Delta, Eq. 53", r"\Delta"),
        "gamma": GAMMA,
    }

    Jx: float
    Delta: float
    gamma: float = 1.0

    def h0(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return (self.Delta * spin.jz).tocsr()

    def h1(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return (self.Jx / N * (spin.jx @ spin.jx)).tocsr()
