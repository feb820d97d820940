r"""Models declared as data: a Hamiltonian and dissipation channels written in a config.

.. code-block:: yaml

    models:
      xyz_dephasing:
        description: "XYZ model with local emission and local dephasing"
        parameters: {Jx: null, Jy: null, Jz: 1.0, gamma: 1.0, gamma_phi: 0.0}  # null: required
        hamiltonian: "(Jx*Sx**2 + Jy*Sy**2 + Jz*Sz**2)/N"    # or h0: + drive:
        dissipation: {emission: gamma, dephasing: gamma_phi}

Expressions are parsed safely by :mod:`steadysqueeze.expressions` (never ``eval``);
channel names and rate conventions are those of :class:`qutip.piqs.Dicke` (Shammah et al.,
PRA 98, 063815 (2018), Eq. 1; see :mod:`steadysqueeze.channels`). ``hamiltonian:``
alone gives an exact-only model; ``h0:`` (:math:`U(1)`-symmetric, :math:`[H_0, J^z] = 0`)
with ``drive:`` (:math:`\lambda H_1`, Eq. 36 of arXiv:2402.16824) also allows the
perturbation theory, which applies when the channels leave :math:`|\phi_0\rangle` dark
(emission, and dephasing in its shifted form
:func:`~steadysqueeze.channels.dark_decay_operator`; not pumping).

:func:`declare_model` builds a frozen :class:`~.base.Model` subclass; nothing is added to
:data:`~.base.MODELS` unless :func:`register_declared` is called.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, make_dataclass
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
import yaml

from .. import channels as piqs_channels
from ..channels import CHANNELS, NOT_DARK_CHANNELS
from ..expressions import DeclarationError, Expression, RESERVED_NAMES, parse_expression
from ..spin import CollectiveSpin, collective_spin
from .base import Model, ModelInputError, Parameter, register

__all__ = ["DeclaredModel", "declare_model", "load_declarations", "register_declared",
           "BUILTIN_DECLARATIONS", "CHANNEL_NAMES"]

#: PIQS's channel names (:data:`steadysqueeze.channels.CHANNELS`), local ones first
CHANNEL_NAMES = CHANNELS
_KEYS = {"description", "parameters", "hamiltonian", "h0", "drive", "dissipation",
         "scaling_drive", "default_order"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")

#: the paper's three models in the declared format (equivalence with the hand-written
#: classes is tested in tests/test_declared.py)
BUILTIN_DECLARATIONS = """
models:
  xyz:
    description: "Collective dissipative XYZ model, Eqs. 35-38, local emission"
    parameters: {Jx: null, Jy: null, Jz: null, gamma: 1.0}
    h0: "((Jx + Jy)/2*(Sx**2 + Sy**2) + Jz*Sz**2)/N"
    drive: "(Jx - Jy)/(4*N)*(Sp**2 + Sm**2)"
    dissipation: {emission: gamma}
    scaling_drive: Jx
  tfi:
    description: "Collective dissipative transverse-field Ising model, Eqs. 53-55"
    parameters: {Jx: null, Delta: null, gamma: 1.0}
    h0: "Delta*Sz"
    drive: "Jx/N*Sx**2"
    dissipation: {emission: gamma}
    scaling_drive: Jx
  dicke:
    description: "Driven Dicke model, Eq. 62, collective emission Gamma/N D[J^-]"
    parameters: {Omega: null, Gamma: 1.0}
    h0: "0"
    drive: "-Omega*Sx"
    dissipation: {collective_emission: Gamma/N}
    scaling_drive: Omega
    default_order: 2
"""


_GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
    "tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi "
    "Omega".split())


def _latex(name: str) -> str:
    """LaTeX symbol of a declared parameter: Greek names as letters, ``_x`` a subscript,
    a ``d`` before a capital a δ (``gamma_phi`` -> ``\\gamma_{\\phi}``, ``dJ`` ->
    ``\\delta J``)."""
    def symbol(part: str) -> str:
        if len(part) > 1 and part[0] == "d" and part[1].isupper():
            return "\\delta " + part[1:]
        return "\\" + part if part in _GREEK else part
    head, _, tail = name.partition("_")
    return symbol(head) + (f"_{{{symbol(tail)}}}" if tail else "")


def _maxabs(A: sp.sparray) -> float:
    return float(np.abs(A.data).max()) if A.nnz else 0.0


@dataclass(frozen=True, kw_only=True)
class DeclaredModel(Model):
    """Base of the classes built by :func:`declare_model` (frozen, keyword-only)."""

    description: ClassVar[str] = ""
    #: the parsed expressions: "hamiltonian" or "h0" and "drive"
    expressions: ClassVar[Mapping[str, Expression]]
    #: channel name -> parsed rate expression
    channels: ClassVar[Mapping[str, Expression]]
    #: whether h0 and drive were declared (Eq. 36); that the channels leave |phi_0> dark
    #: (emission only) is checked by the perturbation theory itself
    supports_perturbation: ClassVar[bool] = False

    def __post_init__(self) -> None:
        super().__post_init__()
        for channel, rate in self.channel_rates(2 if self._rates_use_N() else None).items():
            if rate < 0:
                raise ModelInputError(f"{self.name}: rate of {channel!r} is {rate!r} < 0 for "
                                      f"these parameters")

    def perturbation_obstruction(self, N: int) -> str | None:
        r"""A declaration without the h0/drive split (Eq. 36), or pumping at a non-zero rate
        (its jump operators cannot annihilate :math:`|\phi_0\rangle`)."""
        if not self.supports_perturbation:
            return "declared with 'hamiltonian:' only (no h0 + drive split, Eq. 36)"
        rates = self.channel_rates(N)
        active = [c for c in NOT_DARK_CHANNELS if rates.get(c, 0.0) > 0]
        if active:
            return f"|phi_0> is not dark under {' and '.join(active)} (Sec. 2)"
        return None

    def values(self, N: int | None = None) -> dict[str, float]:
        """Parameter values by name, with ``N`` if given."""
        out = {f.name: float(getattr(self, f.name)) for f in fields(self)}
        return out if N is None else {**out, "N": float(N)}

    @classmethod
    def _rates_use_N(cls) -> bool:
        return any("N" in e.symbols for e in cls.channels.values())

    def channel_rates(self, N: int | None = None) -> dict[str, float]:
        """Rate of every declared channel (PIQS conventions); ``N`` is required when a
        rate expression uses it."""
        if N is None and self._rates_use_N():
            raise ModelInputError(f"{self.name}: the rates depend on N; pass N")
        values = self.values(N)
        return {c: e.scalar(values) for c, e in self.channels.items()}

    @property
    def rate(self) -> float:
        """Largest channel rate (at N = 2 if a rate depends on N)."""
        return max(self.channel_rates(2 if self._rates_use_N() else None).values())

    def _operator(self, key: str, N: int, spin: CollectiveSpin) -> sp.csr_array:
        if key not in self.expressions:
            raise NotImplementedError(f"{self.name}: declares 'hamiltonian:' only; declare "
                                      "'h0:' and 'drive:' for the perturbation theory")
        return self.expressions[key].operator(self.values(N), spin)

    def h0(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return self._operator("h0", N, spin)

    def h1(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return self._operator("drive", N, spin)

    def hamiltonian(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        if "hamiltonian" in self.expressions:
            H = self._operator("hamiltonian", N, spin)
        else:
            H = (self.h0(N, spin) + self.h1(N, spin)).tocsr()
        if _maxabs(H - H.conj().T) > 1e-12 * max(1.0, _maxabs(H)):
            raise ModelInputError(f"{self.name}: the Hamiltonian is not Hermitian for these "
                                  "parameters")
        return H

    def decay_operator(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return piqs_channels.decay_operator(self.channel_rates(N), N, spin)

    def dark_decay_operator(self, N: int, spin: CollectiveSpin) -> sp.csr_array:
        return piqs_channels.dark_decay_operator(self.channel_rates(N), N, spin)

    def jump_weight(self, N: int) -> float:
        """κ of :meth:`Model.jump_weight`: γ/N for local emission plus γ_c for collective
        emission γ_c D[J^-] (only meaningful if :attr:`supports_perturbation`)."""
        rates = self.channel_rates(N)
        return rates.get("emission", 0.0) / N + rates.get("collective_emission", 0.0)

    @classmethod
    def from_parameters(cls, params: Mapping[str, float]) -> "Model":
        """As :meth:`Model.from_parameters`; parameters with a declared default may be left out."""
        defaults = {f.name: f.default for f in fields(cls) if f.default is not MISSING}
        return super().from_parameters({**defaults, **params})


def _generic_values(names: list[str], seed: int) -> dict[str, float]:
    """Reproducible generic parameter values (checks of structure, not of one point)."""
    rng = np.random.default_rng(seed)
    return dict(zip(names, rng.uniform(0.3, 1.7, len(names)).tolist()))


def _parameters(name: str, spec: Any) -> dict[str, float | None]:
    if not isinstance(spec, Mapping) or not spec:
        raise DeclarationError(f"model {name!r}: field 'parameters': expected a non-empty "
                               "mapping name -> default (null: required)")
    out: dict[str, float | None] = {}
    for pname, default in spec.items():
        where = f"model {name!r}: field 'parameters.{pname}'"
        if isinstance(default, str):   # PyYAML reads 1e-3 (no dot) as text
            try:
                default = float(default)
            except ValueError:
                pass
        if not isinstance(pname, str) or not pname.isidentifier() or keyword.iskeyword(pname) \
                or pname.startswith("_") or pname in RESERVED_NAMES \
                or hasattr(DeclaredModel, pname):
            raise DeclarationError(f"{where}: invalid or reserved parameter name")
        if default is not None and (isinstance(default, bool) or not isinstance(
                default, (int, float)) or not math.isfinite(default)):
            raise DeclarationError(f"{where}: default must be a finite number or null, "
                                   f"got {default!r}")
        out[pname] = None if default is None else float(default)
    return out


def _check_operator(name: str, key: str, expr: Expression, names: list[str], *,
                    u1: bool) -> None:
    """Hermiticity (and [H0, Jz] = 0 if ``u1``) at two generic points in two blocks whose
    dimension exceeds every M change of the expression."""
    top = max(2, max(abs(c) for c in expr.charges))
    for seed, J in ((1, top), (2, top + 0.5)):
        spin = collective_spin(J)
        H = expr.operator({**_generic_values(names, seed), "N": 2 * J}, spin)
        scale = 1e-12 * max(1.0, _maxabs(H))
        if _maxabs(H - H.conj().T) > scale:
            raise DeclarationError(f"model {name!r}: field {key!r}: not Hermitian")
        if u1 and _maxabs(H @ spin.jz - spin.jz @ H) > scale * J:
            raise DeclarationError(f"model {name!r}: field {key!r}: does not commute with "
                                   "Sz (h0 must be U(1)-symmetric; put the rest in 'drive')")


def _hamiltonian(name: str, spec: Mapping, names: list[str]) -> dict[str, Expression]:
    has_h, has_split = "hamiltonian" in spec, ("h0" in spec or "drive" in spec)
    if has_h == has_split or (has_split and not ("h0" in spec and "drive" in spec)):
        raise DeclarationError(f"model {name!r}: field 'hamiltonian': give either "
                               "'hamiltonian:' or both 'h0:' and 'drive:'")
    keys = ("hamiltonian",) if has_h else ("h0", "drive")
    out = {k: parse_expression(spec[k], model=name, field=k, parameters=names, operators=True)
           for k in keys}
    for k, expr in out.items():
        _check_operator(name, k, expr, names, u1=(k == "h0"))
    return out


def _channels(name: str, spec: Any, params: dict[str, float | None]) -> dict[str, Expression]:
    if not isinstance(spec, Mapping) or not spec:
        raise DeclarationError(f"model {name!r}: field 'dissipation': expected a non-empty "
                               f"mapping channel -> rate; channels: {', '.join(CHANNEL_NAMES)}")
    out = {}
    for channel, text in spec.items():
        key = f"dissipation.{channel}"
        if channel not in CHANNEL_NAMES:
            raise DeclarationError(f"model {name!r}: field {key!r}: unknown channel; "
                                   f"known: {', '.join(CHANNEL_NAMES)}")
        expr = parse_expression(text, model=name, field=key, parameters=list(params),
                                operators=False)
        if all(params.get(s) is not None for s in expr.symbols - {"N"}):
            defaults = {k: v for k, v in params.items() if v is not None}
            if expr.scalar({**defaults, "N": 2.0}) < 0:
                raise DeclarationError(f"model {name!r}: field {key!r}: negative rate "
                                       "for the declared defaults")
        out[channel] = expr
    return out


def _rate_name(channels: Mapping[str, Expression], params: Mapping[str, float | None]) -> str:
    """The parameter couplings are measured in (axis units): the one parameter of a
    channel's rate, collective channels first (``Gamma`` of ``collective_emission:
    Gamma/N`` next to ``emission: gamma``), preferring a non-zero default."""
    order = CHANNEL_NAMES[3:] + CHANNEL_NAMES[:3]
    candidates = [symbols.pop() for c in order if c in channels
                  for symbols in [set(channels[c].symbols) - {"N"}] if len(symbols) == 1]
    nonzero = [p for p in candidates if params[p] is None or params[p] != 0]
    return (nonzero or candidates or list(params))[0]


def declare_model(name: str, spec: Mapping[str, Any]) -> type[DeclaredModel]:
    """Build the :class:`~.base.Model` subclass that ``spec`` declares (module docstring).

    Raises :class:`~steadysqueeze.expressions.DeclarationError` (a ValueError) naming the
    model and the field for any malformed declaration; nothing in it is executed.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise DeclarationError(f"model {name!r}: invalid model name (letters, digits, _)")
    if not isinstance(spec, Mapping):
        raise DeclarationError(f"model {name!r}: expected a mapping of fields")
    unknown = sorted(map(str, set(spec) - _KEYS))
    if unknown:
        raise DeclarationError(f"model {name!r}: field {unknown[0]!r}: unknown field; "
                               f"known: {', '.join(sorted(_KEYS))}")
    params = _parameters(name, spec.get("parameters"))
    names = list(params)
    expressions = _hamiltonian(name, spec, names)
    channels = _channels(name, spec.get("dissipation"), params)
    charges = frozenset().union(*(e.charges for e in expressions.values()))
    drive = spec.get("scaling_drive", names[0])
    if drive not in params:
        raise DeclarationError(f"model {name!r}: field 'scaling_drive': unknown parameter "
                               f"{drive!r}")
    order = spec.get("default_order", 1)
    if order not in (1, 2) or isinstance(order, bool):
        raise DeclarationError(f"model {name!r}: field 'default_order': must be 1 or 2")
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise DeclarationError(f"model {name!r}: field 'description': expected text")
    local = any(c in CHANNEL_NAMES[:3] for c in channels)
    namespace = {
        "name": name, "description": description, "__doc__": description or None,
        "dissipation": "local" if local else "collective",
        "rate_name": _rate_name(channels, params),
        "parameters": {p: Parameter(f"parameter {p} of declared model {name}", _latex(p))
                       for p in names},
        "conserves_parity": all(c % 2 == 0 for c in charges),
        "default_order": order, "scaling_drive": drive,
        "expressions": expressions, "channels": channels,
        "supports_perturbation": "h0" in expressions,
    }
    spec_fields = [(p, float) if d is None else (p, float, field(default=d))
                   for p, d in params.items()]
    cls = make_dataclass(f"Declared_{name}", spec_fields, bases=(DeclaredModel,),
                         namespace=namespace, frozen=True, kw_only=True)
    cls.__module__ = __name__
    return cls


def load_declarations(source: str | Mapping[str, Any]) -> dict[str, type[DeclaredModel]]:
    """Declared models of a ``models:`` mapping (YAML text or an already loaded mapping)."""
    if isinstance(source, str):
        try:
            source = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            raise DeclarationError(f"models: not valid YAML ({exc})") from None
    if not isinstance(source, Mapping) or not isinstance(source.get("models"), Mapping):
        raise DeclarationError("expected a mapping with a 'models:' mapping of declarations")
    return {name: declare_model(name, spec) for name, spec in source["models"].items()}


def register_declared(models: Mapping[str, type[DeclaredModel]]) -> None:
    """Add declared models to :data:`~.base.MODELS` (a name already there is an error)."""
    for cls in models.values():
        register(cls)

