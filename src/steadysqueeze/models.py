r"""The three driven-dissipative emitter models of the paper.

Every model splits its Hamiltonian as :math:`H = H_0 + \lambda H_1` (Eq. 36) with a
:math:`U(1)`-symmetric :math:`H_0` (:math:`[H_0, J^z] = 0`) and a symmetry-breaking
drive :math:`\lambda H_1`; the drive amplitude is part of :meth:`h1`, so the
perturbative order counts powers of that amplitude. Dissipation is either local
emission :math:`\sqrt{\gamma}\,S_i^-` on every emitter or collective emission
:math:`\sqrt{\Gamma/N}\,J^-` (Sec. 3.1).

All operators are collective, so they are given inside one total-spin block
:math:`J` (see :mod:`steadysqueeze.spin`); couplings are in units of the decay rate.
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, Literal

import numpy as np
import scipy.sparse as sp

from .spin import CollectiveSpin

__all__ = ["Model", "XYZ", "TFI", "DrivenDicke", "MODELS", "PARAMETERS", "make_model",
           "ModelInputError", "paramagnet_growth_rate"]

Dissipation = Literal["local", "collective"]


class ModelInputError(ValueError):
    """A model name or parameter that cannot describe a physical model."""


@dataclass(frozen=True)
class ParameterInfo:
    long_name: str
    latex: str


#: Long names and plot labels of every parameter and sweep coordinate.
PARAMETERS: dict[str, ParameterInfo] = {
    "Jx": ParameterInfo("coupling J_x", r"\mathcal{J}_x"),
    "Jy": ParameterInfo("coupling J_y", r"\mathcal{J}_y"),
    "Jz": ParameterInfo("coupling J_z", r"\mathcal{J}_z"),
    "J": ParameterInfo("mean in-plane coupling (Jx + Jy)/2, Eq. 39", r"\mathcal{J}"),
    "dJ": ParameterInfo("in-plane anisotropy (Jx - Jy)/2, Eq. 39", r"\delta\mathcal{J}"),
    "Delta": ParameterInfo("transverse field Delta, Eq. 53", r"\Delta"),
    "Omega": ParameterInfo("Rabi drive Omega, Eq. 62", r"\Omega"),
    "gamma": ParameterInfo("local emission rate gamma", r"\gamma"),
    "Gamma": ParameterInfo("collective emission rate Gamma", r"\Gamma"),
}


@dataclass(frozen=True, kw_only=True)
class Model(abc.ABC):
    """Common interface; concrete models below fill in :meth:`h0` and :meth:`h1`."""

    name: ClassVar[str]
    dissipation: ClassVar[Dissipation]
    rate_name: ClassVar[str]
    #: alternative parameter names accepted by :meth:`from_parameters` (see ``_resolve_aliases``)
    aliases: ClassVar[tuple[str, ...]] = ()
    #: whether H changes M only by 0 or ±2 (then the parity of M - M' is conserved)
    conserves_parity: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)) \
                    or not math.isfinite(value):
                raise ModelInputError(f"{self.name}: parameter {f.name!r} must be a finite "
                                      f"number, got {value!r}")
            object.__setattr__(self, f.name, float(value))
        if self.rate <= 0:
            raise ModelInputError(f"{self.name}: decay rate {self.rate_name!r} must be > 0, "
                                  f"got {self.rate!r}")

    @property
    def rate(self) -> float:
        """Decay rate: γ for local emission, Γ for collective emission."""
        return float(getattr(self, self.rate_name))

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def accepted_names(cls) -> tuple[str, ...]:
        return cls.parameter_names() + tuple(cls.aliases)

    @abc.abstractmethod
    def h0(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        """The U(1)-symmetric part :math:`H_0` in the block of ``spin``."""

    @abc.abstractmethod
    def h1(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        r"""The symmetry-breaking drive :math:`\lambda H_1` (amplitude included)."""

    def hamiltonian(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        r"""Full Hamiltonian :math:`H = H_0 + \lambda H_1` in the block of ``spin``."""
        return (self.h0(N, spin) + self.h1(N, spin)).tocsr()

    def decay_operator(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        r""":math:`\sum_j \gamma_j L_j^\dagger L_j` in the block of ``spin`` (Sec. 3.1).

        Local emission: :math:`\gamma (J^z + N/2)`; collective emission:
        :math:`(\Gamma/N) J^+ J^-`.
        """
        if self.dissipation == "local":
            return (self.rate * (spin.jz + (N / 2) * sp.eye_array(spin.dim))).tocsr()
        return (self.rate / N * (spin.jp @ spin.jm)).tocsr()

    def jump_weight(self, N: int) -> float:
        r"""κ in :math:`\sum_j \gamma_j L_j|\psi\rangle\langle\psi|L_j^\dagger|\phi_0\rangle
        = \kappa\, J^-|\psi\rangle\langle\psi|J^+|\phi_0\rangle` (fourth line of Eq. 13).

        Collective emission: a single jump :math:`J^-` at rate Γ/N, so κ = Γ/N.
        Local emission: for a permutation-symmetric :math:`|\psi\rangle` every
        :math:`\langle\psi|S_j^+|\phi_0\rangle` equals
        :math:`\langle\psi|J^+|\phi_0\rangle/N`, and :math:`\sum_j S_j^- = J^-`, so κ = γ/N.
        """
        return self.rate / N

    @classmethod
    def from_parameters(cls, params: Mapping[str, float]) -> "Model":
        """Build the model from canonical parameters or their aliases (rate defaults to 1)."""
        _check_names(cls, params)
        canonical = cls._resolve_aliases(dict(params))
        missing = [n for n in cls.parameter_names()
                   if n not in canonical and n != cls.rate_name]
        if missing:
            raise ModelInputError(f"{cls.name}: missing parameter(s) {', '.join(missing)}")
        return cls(**canonical)

    @classmethod
    def _resolve_aliases(cls, params: dict[str, float]) -> dict[str, float]:
        return params


def _check_names(model: type[Model], params: Mapping[str, float]) -> None:
    unknown = sorted(set(params) - set(model.accepted_names()))
    if unknown:
        raise ModelInputError(f"{model.name}: unknown parameter(s) {', '.join(unknown)}; "
                              f"accepted: {', '.join(model.accepted_names())}")


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

    def mean_field(self, s: np.ndarray) -> np.ndarray:
        r"""Effective field :math:`\partial e/\partial\mathbf{s}` of the energy per spin
        :math:`e = \sum_a \mathcal{J}_a s_a^2` (:math:`\mathbf{s} = \langle\mathbf{J}\rangle/N`)."""
        return 2 * np.array([self.Jx, self.Jy, self.Jz]) * s


@dataclass(frozen=True, kw_only=True)
class TFI(Model):
    r"""Collective dissipative transverse-field Ising model, Eq. 53, local emission γ.

    :math:`H = \frac{\mathcal{J}_x}{N}(J^x)^2 + \Delta J^z`, split as Eqs. 54–55:
    :math:`H_0 = \Delta J^z`, :math:`\lambda H_1 = \frac{\mathcal{J}_x}{N}(J^x)^2`.
    """

    name: ClassVar[str] = "tfi"
    dissipation: ClassVar[Dissipation] = "local"
    rate_name: ClassVar[str] = "gamma"

    Jx: float
    Delta: float
    gamma: float = 1.0

    def h0(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return (self.Delta * spin.jz).tocsr()

    def h1(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return (self.Jx / N * (spin.jx @ spin.jx)).tocsr()

    def mean_field(self, s: np.ndarray) -> np.ndarray:
        r"""Effective field of the energy per spin :math:`e = \mathcal{J}_x s_x^2 + \Delta s_z`."""
        return np.array([2 * self.Jx * s[0], 0.0, self.Delta])


@dataclass(frozen=True, kw_only=True)
class DrivenDicke(Model):
    r"""Driven Dicke model, Eq. 62: :math:`H_0 = 0`, :math:`\lambda H_1 = -\Omega J^x`,
    collective emission :math:`\sqrt{\Gamma/N}\,J^-`.

    The drive changes M by ±1, so the parity of M − M' is not conserved.
    """

    name: ClassVar[str] = "dicke"
    dissipation: ClassVar[Dissipation] = "collective"
    rate_name: ClassVar[str] = "Gamma"
    conserves_parity: ClassVar[bool] = False

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


def _mean_field_velocity(model: Model, s: np.ndarray) -> np.ndarray:
    r"""Mean-field equations of motion per spin with local emission:
    :math:`\dot{\mathbf{s}} = \mathbf{h}(\mathbf{s})\times\mathbf{s}
    - \gamma\,(s_x/2,\ s_y/2,\ s_z + 1/2)`."""
    damping = model.rate * np.array([s[0] / 2, s[1] / 2, s[2] + 0.5])
    return np.cross(model.mean_field(s), s) - damping


def paramagnet_growth_rate(model: Model) -> float:
    r"""Largest real part of the eigenvalues of the mean-field dynamics linearised about
    the paramagnet :math:`\mathbf{s} = (0, 0, -1/2)`; > 0 means the paramagnet is unstable.

    The Jacobian is taken by central differences (exact up to rounding: the
    equations are quadratic). Closed forms it reproduces (design.md, dashed lines of
    Figs. 4 and 7): ``xyz`` unstable iff :math:`(\mathcal{J}_x-\mathcal{J}_z)
    (\mathcal{J}_z-\mathcal{J}_y) > \gamma^2/4`; ``tfi`` iff
    :math:`-\Delta(\Delta+\mathcal{J}_x) > \gamma^2/4`.
    """
    if model.dissipation != "local":
        raise ValueError(f"{model.name}: the paramagnet linearisation is defined for local "
                         "emission; the driven Dicke model has its transition at Omega = Gamma/2")
    s0, step = np.array([0.0, 0.0, -0.5]), 1e-4
    jacobian = np.column_stack([
        (_mean_field_velocity(model, s0 + step * e) - _mean_field_velocity(model, s0 - step * e))
        / (2 * step) for e in np.eye(3)])
    return float(np.linalg.eigvals(jacobian).real.max())


MODELS: dict[str, type[Model]] = {m.name: m for m in (XYZ, TFI, DrivenDicke)}


def make_model(name: str, params: Mapping[str, float]) -> Model:
    """Build model ``name`` from a parameter mapping, with one clear error on bad input."""
    if name not in MODELS:
        raise ModelInputError(f"unknown model {name!r}; available: {', '.join(MODELS)}")
    return MODELS[name].from_parameters(params)
