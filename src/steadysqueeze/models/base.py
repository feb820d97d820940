r"""The model interface: every fact the project knows about a model is an attribute here.

A model splits its Hamiltonian as :math:`H = H_0 + \lambda H_1` (Eq. 36 of Huybrechts &
Roscilde, arXiv:2402.16824) with a :math:`U(1)`-symmetric :math:`H_0`
(:math:`[H_0, J^z] = 0`) and a symmetry-breaking drive :math:`\lambda H_1`; the drive
amplitude is part of :meth:`Model.h1`, so the perturbative order counts powers of that
amplitude. Dissipation is either local emission :math:`\sqrt{\gamma}\,S_i^-` on every
emitter or collective emission :math:`\sqrt{\Gamma/N}\,J^-` (Sec. 3.1).

All operators are collective, so they are given inside one total-spin block
:math:`J` (see :mod:`steadysqueeze.spin`); couplings are in units of the decay rate.

A concrete model is a frozen, keyword-only dataclass whose fields are its canonical
parameters; decorating it with :func:`register` makes it available to configs, the CLI
and the workflow under its :attr:`Model.name`.
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, Literal, TypeVar

import numpy as np
import scipy.sparse as sp

from ..spin import CollectiveSpin

__all__ = ["Model", "ModelInputError", "Parameter", "Dissipation", "MODELS", "register",
           "make_model"]

Dissipation = Literal["local", "collective"]


class ModelInputError(ValueError):
    """A model name or parameter that cannot describe a physical model."""


@dataclass(frozen=True)
class Parameter:
    """How a parameter (or sweep coordinate) is labelled: long name and LaTeX symbol."""

    long_name: str
    latex: str


@dataclass(frozen=True, kw_only=True)
class Model(abc.ABC):
    """Common interface; a concrete model fills in :meth:`h0`, :meth:`h1` and the class facts."""

    #: name in configs, on the command line and in file names
    name: ClassVar[str]
    dissipation: ClassVar[Dissipation]
    #: name of the decay-rate parameter; couplings are in its units
    rate_name: ClassVar[str]
    #: long name and LaTeX symbol of every accepted parameter (aliases included)
    parameters: ClassVar[Mapping[str, Parameter]]
    #: alternative parameter names accepted by :meth:`from_parameters` (see ``_resolve_aliases``)
    aliases: ClassVar[tuple[str, ...]] = ()
    #: whether H changes M only by 0 or ±2 (then the parity of M - M' is conserved)
    conserves_parity: ClassVar[bool] = True
    #: lowest order of perturbation theory that predicts squeezing (Sec. 7)
    default_order: ClassVar[int] = 1
    #: the drive swept by the finite-N scaling study of this model
    scaling_drive: ClassVar[str]
    #: forms fitted to the located minima of the finite-N study (steadysqueeze.fits)
    finite_size_forms: ClassVar[tuple[str, ...]] = ("power_law", "log_power", "approach")

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

    def perturbation_obstruction(self, N: int) -> str | None:
        """Why pure-state perturbation theory (Sec. 2) cannot apply at this point, read
        off the model's structure alone (no operator is built); ``None`` when nothing
        structural stands in the way. The numeric checks of
        :func:`steadysqueeze.perturbative.applicability` decide the rest."""
        return None

    @classmethod
    def has_closed_form(cls) -> bool:
        """Whether the model overrides :meth:`closed_form_steady_state`."""
        return cls.closed_form_steady_state is not Model.closed_form_steady_state

    @classmethod
    def has_closed_form_diagonals(cls) -> bool:
        """Whether the model overrides :meth:`closed_form_diagonals` (ξ_R² at any N in O(N))."""
        return cls.closed_form_diagonals is not Model.closed_form_diagonals

    def closed_form_steady_state(self, N: int) -> dict[float, np.ndarray] | None:
        """The exact steady state in closed form (blocks J -> rho^J), if one is known."""
        return None

    def closed_form_diagonals(self, N: int, count: int = 3
                              ) -> dict[float, list[np.ndarray]] | None:
        r"""The first ``count`` diagonals :math:`\rho^J_{a,a+k}` (k = 0 … count − 1) of
        every block of the closed-form steady state, without the dense blocks, if the
        model has such a form (O(N) for the driven Dicke model)."""
        return None

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

    def dark_decay_operator(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        r""":math:`\sum_j \gamma_j L_j^\dagger L_j` in the form pure-state perturbation theory
        (Sec. 2, Eq. 14) uses: every Hermitian jump operator shifted to annihilate
        :math:`|\phi_0\rangle` (the same Lindbladian). Emission needs no shift."""
        return self.decay_operator(N, spin)

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
        unknown = sorted(set(params) - set(cls.accepted_names()))
        if unknown:
            raise ModelInputError(f"{cls.name}: unknown parameter(s) {', '.join(unknown)}; "
                                  f"accepted: {', '.join(cls.accepted_names())}")
        canonical = cls._resolve_aliases(dict(params))
        missing = [n for n in cls.parameter_names()
                   if n not in canonical and n != cls.rate_name]
        if missing:
            raise ModelInputError(f"{cls.name}: missing parameter(s) {', '.join(missing)}")
        return cls(**canonical)

    @classmethod
    def _resolve_aliases(cls, params: dict[str, float]) -> dict[str, float]:
        return params


#: every registered model by name (filled by :func:`register`)
MODELS: dict[str, type[Model]] = {}
_M = TypeVar("_M", bound=type[Model])


def register(model: _M) -> _M:
    """Class decorator: make ``model`` available under ``model.name``."""
    if model.name in MODELS:
        raise ValueError(f"model name {model.name!r} is registered twice")
    MODELS[model.name] = model
    return model


def make_model(name: str, params: Mapping[str, float]) -> Model:
    """Build model ``name`` from a parameter mapping, with one clear error on bad input."""
    if name not in MODELS:
        raise ModelInputError(f"unknown model {name!r}; available: {', '.join(MODELS)}")
    return MODELS[name].from_parameters(params)
