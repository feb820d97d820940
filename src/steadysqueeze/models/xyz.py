r"""The collective dissipative XYZ model with local emission (Sec. 6.1, Figs. 3 and 4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import scipy.sparse as sp

from ..spin import CollectiveSpin
from .base import Dissipation, Model, ModelInputError, Parameter, register
from .common import GAMMA

__all__ = ["XYZ"]


@register
@dataclass(frozen=True, kw_only=True)
class XYZ(Model):
    r"""Collective dissipative XYZ model, Eq. 35, with local emission at rate γ.

    :math:`H = \frac{1}{N}\left[\mathcal{J}_x (J^x)^2 + \mathcal{J}_y (J^y)^2
    + \mathcal{J}_z (J^z)^2\right]`, split as Eqs. 37–38:
    :math:`H_0 = \frac{\mathcal{J}}{N}[(J^x)^2 + (J^y)^2] + \frac{\mathcal{J}_z}{N}(J^z)^2`,
    :math:`\lambda H_1 = \frac{\delta\mathcal{J}}{2N}[(J^+)^2 + (J^-)^2]` with
    :math:`\mathcal{J} = (\mathcal{J}_x + \mathcal{J}_y)/2`,
    :math:`\delta\mathcal{J} = (\mathcal{J}_x - \mathcal{J}_y)/2` (Eq. 39), which are
    accepted as the aliases ``J`` and ``dJ``.
    """

    name: ClassVar[str] = "xyz"
    dissipation: ClassVar[Dissipation] = "local"
    rate_name: ClassVar[str] = "gamma"
    aliases: ClassVar[tuple[str, ...]] = ("J", "dJ")
    scaling_drive: ClassVar[str] = "dJ"
    parameters: ClassVar[dict[str, Parameter]] = {
        "Jx": Parameter("coupling J_x", r"\mathcal{J}_x"),
        "Jy": Parameter("coupling J_y", r"\mathcal{J}_y"),
        "Jz": Parameter("coupling J_z", r"\mathcal{J}_z"),
        "J": Parameter("mean in-plane coupling (Jx + Jy)/2, Eq. 39", r"\mathcal{J}"),
        "dJ": Parameter("in-plane anisotropy (Jx - Jy)/2, Eq. 39", r"\delta\mathcal{J}"),
        "gamma": GAMMA,
    }

    Jx: float
    Jy: float
    Jz: float
    gamma: float = 1.0

    @property
    def J(self) -> float:
        return (self.Jx + self.Jy) / 2

    @property
    def dJ(self) -> float:
        return (self.Jx - self.Jy) / 2

    @classmethod
    def _resolve_aliases(cls, params: dict[str, float]) -> dict[str, float]:
        if "J" not in params and "dJ" not in params:
            return params
        if not ("J" in params and "dJ" in params) or "Jx" in params or "Jy" in params:
            raise ModelInputError("xyz: give either Jx and Jy, or J and dJ (Eq. 39), "
                                  f"not {sorted(params)}")
        J, dJ = params.pop("J"), params.pop("dJ")
        return {**params, "Jx": J + dJ, "Jy": J - dJ}

    def h0(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return ((self.J * (spin.jx @ spin.jx + spin.jy @ spin.jy)
                 + self.Jz * (spin.jz @ spin.jz)) / N).tocsr()

    def h1(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return (self.dJ / (2 * N) * (spin.jp @ spin.jp + spin.jm @ spin.jm)).tocsr()
