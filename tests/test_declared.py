r"""Tests of declared models (:mod:`steadysqueeze.models.declared`) and of the safe
expression parser (:mod:`steadysqueeze.expressions`).

References
----------
* The paper's models written as data (``BUILTIN_DECLARATIONS``) against the hand-written
  classes: H0, H1 and Σγ L†L to 1e-13·N (measured ≤ 1.8e-15), exact steady states to 1e-12
  (measured ≤ 6.8e-16; bitwise equal for xyz/tfi), perturbative ξ² to 1e-12 relative
  (measured ≤ 2.2e-16).
* Malformed declarations: each raises one :class:`DeclarationError` whose message names
  the model and the field; a canary shows that no expression is executed.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from steadysqueeze import perturbative
from steadysqueeze.exact import SolverOptions, steady_state
from steadysqueeze.expressions import DeclarationError, parse_expression
from steadysqueeze.models import MODELS, ModelInputError, make_model
from steadysqueeze.models.declared import (BUILTIN_DECLARATIONS, DeclaredModel, declare_model,
                                           load_declarations, register_declared)
from steadysqueeze.observables import moments
from steadysqueeze.spin import CollectiveSpin

EQUIVALENCE_TOL = 1e-12

POINTS = [
    ("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0)),
    ("xyz", dict(Jx=2.0, Jy=0.4, Jz=-1.0, gamma=0.7)),
    ("tfi", dict(Jx=4.0, Delta=-2.0)),
    ("tfi", dict(Jx=-1.5, Delta=0.8, gamma=1.3)),
    ("dicke", dict(Omega=0.6, Gamma=1.3)),
    ("dicke", dict(Omega=1.5)),
]
EXAMPLE = """
models:
  xyz_dephasing:
    description: "XYZ model with local emission and local dephasing"
    parameters: {Jx: null, Jy: null, Jz: 1.0, gamma: 1.0, gamma_phi: 0.0}
    hamiltonian: "(Jx*Sx**2 + Jy*Sy**2 + Jz*Sz**2)/N"
    dissipation:
      emission: gamma
      dephasing: gamma_phi
"""


@pytest.fixture(scope="module")
def builtin():
    return load_declarations(BUILTIN_DECLARATIONS)


def _ids(points):
    return [f"{n}-" + "-".join(f"{k}{v}" for k, v in p.items()) for n, p in points]


# -- the paper's models as data ------------------------------------------------------------
@pytest.mark.parametrize("name, params", POINTS, ids=_ids(POINTS))
def test_builtin_declarations_equal_hand_written(builtin, name, params):
    declared, hand = builtin[name].from_parameters(params), make_model(name, params)
    assert declared.dissipation == hand.dissipation
    assert declared.conserves_parity == hand.conserves_parity
    assert declared.default_order == hand.default_order
    for N in (2, 5, 8):
        for J in (N / 2, N / 2 - 1):
            spin = CollectiveSpin(J)
            for op in ("h0", "h1", "decay_operator"):
                diff = getattr(declared, op)(N, spin) - getattr(hand, op)(N, spin)
                assert abs(diff).max() <= 1e-13 * N
        assert declared.jump_weight(N) == pytest.approx(hand.jump_weight(N), rel=1e-15)
        ours = steady_state(declared, N)
        ref = steady_state(hand, N, SolverOptions(method="direct"))
        assert sorted(ours.blocks) == sorted(ref.blocks)
        for J in ref.blocks:
            np.testing.assert_allclose(ours.blocks[J], ref.blocks[J], rtol=0,
                                       atol=EQUIVALENCE_TOL)


@pytest.mark.parametrize("name, params", [POINTS[0], POINTS[2], POINTS[4]],
                         ids=_ids([POINTS[0], POINTS[2], POINTS[4]]))
def test_builtin_declarations_perturbation_theory(builtin, name, params):
    declared, hand = builtin[name].from_parameters(params), make_model(name, params)
    assert declared.supports_perturbation
    for N in (4, 11):
        a = perturbative.squeezing(declared, N, hand.default_order)
        b = perturbative.squeezing(hand, N, hand.default_order)
        assert a.xi2 == pytest.approx(b.xi2, rel=EQUIVALENCE_TOL)


def test_example_from_the_issue():
    models = load_declarations(EXAMPLE)
    cls = models["xyz_dephasing"]
    assert issubclass(cls, DeclaredModel) and cls.name == "xyz_dephasing"
    assert "xyz_dephasing" not in MODELS          # nothing registered at import or load
    model = cls.from_parameters(dict(Jx=1.6, Jy=-2.0))
    assert (model.Jz, model.gamma, model.gamma_phi) == (1.0, 1.0, 0.0)
    assert model.conserves_parity and not model.supports_perturbation
    with pytest.raises(NotImplementedError, match="h0"):
        model.h0(4, CollectiveSpin(2))
    # gamma_phi = 0 and Jz = 1: the built-in xyz point
    same = steady_state(model, 5)
    ref = steady_state(make_model("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0)), 5)
    np.testing.assert_allclose(moments(same)[1], moments(ref)[1], rtol=0, atol=1e-12)
    dephased = steady_state(cls.from_parameters(dict(Jx=1.6, Jy=-2.0, gamma_phi=0.5)), 5)
    assert abs(moments(dephased)[1] - moments(ref)[1]).max() > 1e-3
    with pytest.raises(ModelInputError, match="missing parameter.*Jy"):
        cls.from_parameters(dict(Jx=1.0))
    with pytest.raises(ModelInputError, match="unknown parameter"):
        cls.from_parameters(dict(Jx=1.0, Jy=1.0, Delta=2.0))
    with pytest.raises(ModelInputError, match="'dephasing'.*< 0"):
        cls.from_parameters(dict(Jx=1.0, Jy=1.0, gamma_phi=-0.1))
    with pytest.raises(ModelInputError, match="finite"):
        cls.from_parameters(dict(Jx=float("nan"), Jy=1.0))


def test_register_declared(monkeypatch):
    monkeypatch.setattr("steadysqueeze.models.base.MODELS", dict(MODELS))
    from steadysqueeze.models import base

    models = load_declarations(EXAMPLE)
    register_declared(models)
    assert base.MODELS["xyz_dephasing"] is models["xyz_dephasing"]
    with pytest.raises(ValueError, match="registered twice"):
        register_declared(models)
    assert "xyz_dephasing" not in MODELS


def test_parity_and_u1_detection():
    def declare(**fields):
        return declare_model("m", dict(parameters={"a": 1.0}, dissipation={"emission": 1},
                                       **fields))
    assert declare(hamiltonian="a*(Sx**2 - Sy**2) + Sz").conserves_parity
    assert declare(hamiltonian="Sp**3 + Sm**3 + Sp*Sm").conserves_parity is False
    assert declare(hamiltonian="a*Sx").conserves_parity is False
    assert declare(h0="Sx**2 + Sy**2", drive="a*Sx").supports_perturbation   # U(1) h0
    with pytest.raises(DeclarationError, match="model 'm': field 'h0': does not commute"):
        declare(h0="Sx**2", drive="0")


# -- malformed declarations --------------------------------------------------------------
def _spec(**change):
    spec = dict(parameters={"Jx": None, "gamma": 1.0}, hamiltonian="Jx*Sx**2/N",
                dissipation={"emission": "gamma"})
    spec.update(change)
    return {k: v for k, v in spec.items() if v is not None}


MALFORMED = [
    ("unknown symbol", _spec(hamiltonian="foo*Sx"), "hamiltonian", "unknown symbol 'foo'"),
    ("unknown channel", _spec(dissipation={"spontaneous": "gamma"}), "dissipation.spontaneous",
     "unknown channel"),
    ("non-Hermitian", _spec(hamiltonian="Sp"), "hamiltonian", "not Hermitian"),
    ("non-Hermitian generic", _spec(hamiltonian="Jx*Sp + gamma*Sm"), "hamiltonian",
     "not Hermitian"),
    ("negative rate", _spec(dissipation={"emission": "-1"}), "dissipation.emission",
     "negative rate"),
    ("negative default rate", _spec(dissipation={"emission": "gamma - 2"}),
     "dissipation.emission", "negative rate"),
    ("operator in rate", _spec(dissipation={"emission": "gamma*Sz"}), "dissipation.emission",
     "operator 'Sz' is not allowed"),
    ("syntax error", _spec(hamiltonian="Jx*(Sx**2"), "hamiltonian", "syntax error"),
    ("huge operator power", _spec(hamiltonian="Sx**100000"), "hamiltonian", "power 100000"),
    ("tower of powers", _spec(hamiltonian="2**10**10*Sz"), "hamiltonian",
     "exponent must be a number literal"),
    ("huge scalar power", _spec(dissipation={"emission": "gamma**1000"}),
     "dissipation.emission", "exceeds 8"),
    ("fractional operator power", _spec(hamiltonian="Sz**0.5"), "hamiltonian", "integer"),
    ("import", _spec(hamiltonian="__import__('os').system('touch CANARY')"), "hamiltonian",
     "Call is not allowed"),
    ("attribute", _spec(hamiltonian="Sx.real"), "hamiltonian", "Attribute is not allowed"),
    ("lambda", _spec(hamiltonian="(lambda: Sx)()"), "hamiltonian", "is not allowed"),
    ("lambda alone", _spec(hamiltonian="lambda x: x"), "hamiltonian", "Lambda is not allowed"),
    ("function call", _spec(hamiltonian="abs(Jx)*Sz"), "hamiltonian", "Call is not allowed"),
    ("subscript", _spec(hamiltonian="Sx[0]"), "hamiltonian", "Subscript is not allowed"),
    ("comparison", _spec(hamiltonian="Sx if Jx > 0 else Sz"), "hamiltonian", "not allowed"),
    ("comparison alone", _spec(dissipation={"emission": "gamma > 0"}), "dissipation.emission",
     "Compare is not allowed"),
    ("boolean", _spec(dissipation={"emission": "gamma or 1"}), "dissipation.emission",
     "BoolOp is not allowed"),
    ("f-string", _spec(hamiltonian="f'{Sx}'"), "hamiltonian", "JoinedStr is not allowed"),
    ("string literal", _spec(hamiltonian="'Sx'"), "hamiltonian", "only real numbers"),
    ("complex literal", _spec(hamiltonian="1j*Sx"), "hamiltonian", "only real numbers"),
    ("modulo", _spec(hamiltonian="Sx % 2"), "hamiltonian", "BinOp is not allowed"),
    ("division by operator", _spec(hamiltonian="1/Sz"), "hamiltonian", "division by an operator"),
    ("statement", _spec(hamiltonian="import os"), "hamiltonian", "syntax error"),
    ("walrus", _spec(hamiltonian="(x := 2)*Sz"), "hamiltonian", "NamedExpr is not allowed"),
    ("overflowing literal", _spec(hamiltonian="1e400*Sz"), "hamiltonian", "not finite"),
    ("too long", _spec(hamiltonian="+".join(["Sz"] * 600)), "hamiltonian", "longer than"),
    ("missing hamiltonian", _spec(hamiltonian=None), "hamiltonian", "give either"),
    ("both forms", _spec(h0="Sz", drive="Sx"), "hamiltonian", "give either"),
    ("h0 without drive", _spec(hamiltonian=None, h0="Sz"), "hamiltonian", "give either"),
    ("no channels", _spec(dissipation={}), "dissipation", "non-empty"),
    ("reserved parameter", _spec(parameters={"N": 1.0}), "parameters.N", "reserved"),
    ("shadowing parameter", _spec(parameters={"rate": 1.0}), "parameters.rate", "reserved"),
    ("bad default", _spec(parameters={"Jx": "one", "gamma": 1.0}), "parameters.Jx",
     "finite number"),
    ("unknown field", _spec(hamiltonain="Sz"), "hamiltonain", "unknown field"),
    ("bool expression", _spec(hamiltonian=True), "hamiltonian", "expected an expression"),
    ("empty expression", _spec(hamiltonian="  "), "hamiltonian", "empty"),
]


@pytest.mark.parametrize("spec, field, message", [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed_declaration(spec, field, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    with pytest.raises(DeclarationError) as info:
        declare_model("bad", spec)
    assert time.perf_counter() - start < 1.0   # refused before any large computation
    text = str(info.value)
    assert text.startswith(f"model 'bad': field '{field}':"), text
    assert message in text, text
    assert not (tmp_path / "CANARY").exists()   # nothing was executed


def test_malformed_files():
    with pytest.raises(DeclarationError, match="not valid YAML"):
        load_declarations("models: [unclosed")
    with pytest.raises(DeclarationError, match="'models:'"):
        load_declarations("xyz: {}")
    with pytest.raises(DeclarationError, match="invalid model name"):
        load_declarations({"models": {"../x": _spec()}})


def test_expression_evaluation():
    spin = CollectiveSpin(1.5)
    e = parse_expression("-(a + 1)**2/N*Sz + 2*Sp*Sm - Sz**0 + a**-1", model="m", field="f",
                         parameters=["a"], operators=True)
    expected = (-(4.0 / 3) * spin.jz + 2 * (spin.jp @ spin.jm)
                - np.eye(4) + 1.0 * np.eye(4))
    np.testing.assert_allclose(e.operator({"a": 1.0, "N": 3.0}, spin).toarray(), expected,
                               atol=1e-14)
    assert e.charges == frozenset({0}) and e.symbols == {"a", "N", "Sz", "Sp", "Sm"}
    rate = parse_expression("a**0.5/N", model="m", field="r", parameters=["a"],
                            operators=False)
    assert rate.scalar({"a": 4.0, "N": 8.0}) == 0.25
    with pytest.raises(DeclarationError, match="model 'm': field 'r': .*not a real number"):
        rate.scalar({"a": -4.0, "N": 8.0})
    with pytest.raises(DeclarationError, match="model 'm': field 'r': cannot be evaluated"):
        parse_expression("1/(a - 1)", model="m", field="r", parameters=["a"],
                         operators=False).scalar({"a": 1.0})


def test_solver_dispatches_declared_models_to_the_general_liouvillian(builtin):
    """``steady_state`` solves declared models on the general Liouvillian (sparse LU; Krylov
    on request or above the size threshold, see test_declared_krylov.py)."""
    from steadysqueeze.exact import liouvillian
    from steadysqueeze.exact.general import GeneralLiouvillian

    model = builtin["xyz"].from_parameters(dict(Jx=1.6, Jy=-2.0, Jz=1.0))
    assert isinstance(liouvillian(model, 4), GeneralLiouvillian)
    assert steady_state(model, 6).method == "sparse-lu"
    assert steady_state(model, 6, SolverOptions(method="krylov")).method \
        == "gmres-block-gauss-seidel"
