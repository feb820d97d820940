r"""Tests of :mod:`steadysqueeze.models`: input validation and the operators of each model.

References
----------
* Hamiltonians written out from the paper with :func:`qutip.jmat` operators
  (an implementation independent of :mod:`steadysqueeze.spin`):
  Eq. 35 (``xyz``), Eq. 53 (``tfi``), Eq. 62 (``dicke``).
* :math:`U(1)` symmetry of the unperturbed part, :math:`[H_0, J^z] = 0` (Sec. 3.1,
  Eq. 11).
* :math:`\sum_j \gamma_j L_j^\dagger L_j` (Sec. 3.1): :math:`\gamma(J^z + N/2)` for
  local emission, :math:`(\Gamma/N) J^+J^-` for collective emission.

All operators have entries of order N (couplings of order one, quadratic
operators divided by N): they are compared to 1e-12 absolute, some thousand
ulps, since the only differences are the order of floating-point operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
import qutip

from steadysqueeze.models import MODELS, XYZ, TFI, DrivenDicke, ModelInputError, make_model
from steadysqueeze.spin import CollectiveSpin, spin_values

from conftest import reversed_basis

#: operator identities: a thousand ulps of entries of order N <= 10
OP_TOL = 1e-12

XYZ_POINTS = [dict(Jx=1.6, Jy=-2.0, Jz=1.0), dict(Jx=-0.6, Jy=-1.0, Jz=1.0, gamma=0.5),
              dict(Jx=0.3, Jy=2.2, Jz=-0.7, gamma=2.0)]
TFI_POINTS = [dict(Jx=4.0, Delta=-2.0), dict(Jx=-1.5, Delta=0.8, gamma=1.3)]
DICKE_POINTS = [dict(Omega=0.3), dict(Omega=-1.1, Gamma=2.5)]


# -- make_model: errors -------------------------------------------------------------
def test_unknown_model():
    with pytest.raises(ModelInputError, match="'ising'"):
        make_model("ising", {"Jx": 1.0})


@pytest.mark.parametrize("name, params, field", [
    ("xyz", {"Jx": 1.0, "Jy": 1.0, "Jz": 1.0, "Kx": 2.0}, "Kx"),
    ("tfi", {"Jx": 1.0, "Delta": 1.0, "Gamma": 1.0}, "Gamma"),   # tfi's rate is gamma
    ("dicke", {"Omega": 1.0, "gamma": 1.0}, "gamma"),            # dicke's rate is Gamma
])
def test_unknown_parameter(name, params, field):
    with pytest.raises(ModelInputError, match=f"unknown parameter.*{field}"):
        make_model(name, params)


@pytest.mark.parametrize("name, params, field", [
    ("xyz", {"Jx": 1.0, "Jy": 1.0}, "Jz"),
    ("tfi", {"Jx": 1.0}, "Delta"),
    ("dicke", {"Gamma": 1.0}, "Omega"),
])
def test_missing_parameter(name, params, field):
    with pytest.raises(ModelInputError, match=f"missing.*{field}"):
        make_model(name, params)


def test_rate_defaults_to_one():
    assert make_model("xyz", {"Jx": 1.0, "Jy": 0.0, "Jz": 1.0}).rate == 1.0
    assert make_model("dicke", {"Omega": 0.1}).rate == 1.0


def test_alias_J_dJ():
    model = make_model("xyz", {"J": -0.8, "dJ": 0.3, "Jz": 1.0, "gamma": 2.0})
    # Eq. 39: Jx = J + dJ, Jy = J - dJ; exact in binary up to one rounding
    assert model.Jx == pytest.approx(-0.5, abs=1e-15)
    assert model.Jy == pytest.approx(-1.1, abs=1e-15)
    assert model.J == pytest.approx(-0.8, abs=1e-15)
    assert model.dJ == pytest.approx(0.3, abs=1e-15)
    assert model.gamma == 2.0
    same = make_model("xyz", {"Jx": model.Jx, "Jy": model.Jy, "Jz": 1.0, "gamma": 2.0})
    assert same == model


@pytest.mark.parametrize("params", [
    {"J": 1.0, "Jz": 1.0},                                   # dJ missing
    {"dJ": 1.0, "Jz": 1.0},                                  # J missing
    {"J": 1.0, "dJ": 0.1, "Jx": 1.0, "Jz": 1.0},             # both parametrisations
    {"J": 1.0, "dJ": 0.1, "Jy": 1.0, "Jz": 1.0},
])
def test_alias_inconsistent(params):
    with pytest.raises(ModelInputError, match="J and dJ"):
        make_model("xyz", params)


@pytest.mark.parametrize("name, params, field", [
    ("xyz", {"Jx": math.nan, "Jy": 1.0, "Jz": 1.0}, "Jx"),
    ("xyz", {"Jx": 1.0, "Jy": 1.0, "Jz": math.inf}, "Jz"),
    ("tfi", {"Jx": 1.0, "Delta": -math.inf}, "Delta"),
    ("dicke", {"Omega": math.nan}, "Omega"),
    ("dicke", {"Omega": 1.0, "Gamma": math.inf}, "Gamma"),
    ("tfi", {"Jx": "1.0", "Delta": 1.0}, "Jx"),          # not a number
    ("tfi", {"Jx": True, "Delta": 1.0}, "Jx"),           # bool is not a coupling
])
def test_non_finite_or_non_numeric(name, params, field):
    with pytest.raises(ModelInputError, match=f"'{field}'.*finite"):
        make_model(name, params)


@pytest.mark.parametrize("name, params, field", [
    ("xyz", {"Jx": 1.0, "Jy": 1.0, "Jz": 1.0, "gamma": 0.0}, "gamma"),
    ("tfi", {"Jx": 1.0, "Delta": 1.0, "gamma": -1.0}, "gamma"),
    ("dicke", {"Omega": 1.0, "Gamma": 0.0}, "Gamma"),
    ("dicke", {"Omega": 1.0, "Gamma": -2.0}, "Gamma"),
])
def test_non_positive_rate(name, params, field):
    with pytest.raises(ModelInputError, match=f"'{field}'.*> 0"):
        make_model(name, params)


def test_model_input_error_is_value_error():
    assert issubclass(ModelInputError, ValueError)


def test_parameter_metadata_covers_every_parameter():
    for cls in MODELS.values():
        for name in cls.accepted_names():
            assert name in cls.parameters, (cls.name, name)


# -- operators ----------------------------------------------------------------------
def _blocks(N):
    """The symmetric block and the next one down (J = N/2 - 1) when it exists."""
    return [J for J in spin_values(N)[:2]]


def _qutip_ops(J):
    if J == 0:  # qutip.jmat(0) is not defined; the spin-0 operators are zero
        return [np.zeros((1, 1), dtype=complex)] * 5
    return [qutip.jmat(J, a).full() for a in "xyz+-"]


@pytest.mark.parametrize("N", [2, 3, 6, 9])
@pytest.mark.parametrize("params", XYZ_POINTS)
def test_xyz_hamiltonian_eq35(N, params):
    model = make_model("xyz", params)
    for J in _blocks(N):
        spin = CollectiveSpin(J)
        jx, jy, jz, _, _ = _qutip_ops(J)
        eq35 = (params["Jx"] * jx @ jx + params["Jy"] * jy @ jy + params["Jz"] * jz @ jz) / N
        ours = reversed_basis(model.hamiltonian(N, spin).toarray())
        np.testing.assert_allclose(ours, eq35, rtol=0, atol=OP_TOL)
        # Eq. 37 and Eq. 38 separately
        Jm, dJ = (params["Jx"] + params["Jy"]) / 2, (params["Jx"] - params["Jy"]) / 2
        jp, jm = _qutip_ops(J)[3:]
        eq37 = (Jm * (jx @ jx + jy @ jy) + params["Jz"] * jz @ jz) / N
        eq38 = dJ / (2 * N) * (jp @ jp + jm @ jm)
        np.testing.assert_allclose(reversed_basis(model.h0(N, spin).toarray()), eq37,
                                   rtol=0, atol=OP_TOL)
        np.testing.assert_allclose(reversed_basis(model.h1(N, spin).toarray()), eq38,
                                   rtol=0, atol=OP_TOL)


@pytest.mark.parametrize("N", [2, 3, 6, 9])
@pytest.mark.parametrize("params", TFI_POINTS)
def test_tfi_hamiltonian_eq53(N, params):
    model = make_model("tfi", params)
    for J in _blocks(N):
        spin = CollectiveSpin(J)
        jx, _, jz, _, _ = _qutip_ops(J)
        eq53 = params["Jx"] / N * jx @ jx + params["Delta"] * jz
        np.testing.assert_allclose(reversed_basis(model.hamiltonian(N, spin).toarray()), eq53,
                                   rtol=0, atol=OP_TOL)
        np.testing.assert_allclose(reversed_basis(model.h0(N, spin).toarray()),
                                   params["Delta"] * jz, rtol=0, atol=OP_TOL)  # Eq. 54


@pytest.mark.parametrize("N", [2, 3, 6, 9])
@pytest.mark.parametrize("params", DICKE_POINTS)
def test_dicke_hamiltonian_eq62(N, params):
    model = make_model("dicke", params)
    spin = CollectiveSpin(N / 2)
    jx = qutip.jmat(N / 2, "x").full()
    np.testing.assert_allclose(reversed_basis(model.hamiltonian(N, spin).toarray()),
                               -params["Omega"] * jx, rtol=0, atol=OP_TOL)
    assert model.h0(N, spin).count_nonzero() == 0  # H0 = 0 exactly


@pytest.mark.parametrize("name, points", [("xyz", XYZ_POINTS), ("tfi", TFI_POINTS),
                                          ("dicke", DICKE_POINTS)])
@pytest.mark.parametrize("N", [2, 5, 8])
def test_h0_is_u1_symmetric(name, points, N):
    for params in points:
        model = make_model(name, params)
        for J in _blocks(N):
            spin = CollectiveSpin(J)
            h0 = model.h0(N, spin)
            commutator = (h0 @ spin.jz - spin.jz @ h0).toarray()
            # Eq. 11: exactly diagonal operators; rounding only
            assert np.abs(commutator).max(initial=0.0) <= OP_TOL
        # and the full H breaks it in the symmetric block whenever the drive is non-zero
        spin = CollectiveSpin(N / 2)
        h = model.hamiltonian(N, spin)
        assert np.abs((h @ spin.jz - spin.jz @ h).toarray()).max() > 1e-3


@pytest.mark.parametrize("N", [2, 3, 6, 9])
def test_decay_operator(N):
    for name, params in [("xyz", XYZ_POINTS[1]), ("tfi", TFI_POINTS[1])]:
        model = make_model(name, params)
        gamma = params.get("gamma", 1.0)
        for J in _blocks(N):
            _, _, jz, _, _ = _qutip_ops(J)
            ref = gamma * (jz + N / 2 * np.eye(jz.shape[0]))
            ours = model.decay_operator(N, CollectiveSpin(J)).toarray()
            np.testing.assert_allclose(reversed_basis(ours), ref, rtol=0, atol=OP_TOL)
    for params in DICKE_POINTS:
        model = make_model("dicke", params)
        Gamma = params.get("Gamma", 1.0)
        _, _, _, jp, jm = _qutip_ops(N / 2)
        ours = model.decay_operator(N, CollectiveSpin(N / 2)).toarray()
        np.testing.assert_allclose(reversed_basis(ours), Gamma / N * jp @ jm, rtol=0,
                                   atol=OP_TOL)


def test_model_classes():
    assert MODELS == {"xyz": XYZ, "tfi": TFI, "dicke": DrivenDicke}
    assert XYZ.dissipation == TFI.dissipation == "local"
    assert DrivenDicke.dissipation == "collective"
    # parity of M - M' is conserved by two-emitter drives (M changes by 0, ±2) only
    assert XYZ.conserves_parity and TFI.conserves_parity and not DrivenDicke.conserves_parity


def test_a_registered_model_is_available_everywhere() -> None:
    """Adding a model is one class: registered, it is accepted by configs and solved."""
    import scipy.sparse as sp

    from steadysqueeze.config import load_config
    from steadysqueeze.exact import steady_state
    from steadysqueeze.models import GAMMA, Parameter, register

    @register
    @dataclass(frozen=True, kw_only=True)
    class OneAxisTwisting(TFI):
        """A toy: the tfi Hamiltonian under another name."""

        name: ClassVar[str] = "toy_twisting"
        parameters: ClassVar[dict[str, Parameter]] = {
            "Jx": Parameter("twisting strength", r"\chi"),
            "Delta": Parameter("field", r"\Delta"), "gamma": GAMMA}

    try:
        config = load_config({"studies": [{"name": "toy", "model": "toy_twisting", "N": [6],
                                           "fixed": {"Delta": -1.0},
                                           "sweep": {"Jx": [0.5, 1.0]}}]})
        N, model = config.studies["toy"].model_at(1)
        reference = steady_state(make_model("tfi", {"Jx": 1.0, "Delta": -1.0}), N)
        state = steady_state(model, N)
        for J, block in reference.blocks.items():
            np.testing.assert_array_equal(state.blocks[J], block)
        assert isinstance(model.h0(N, CollectiveSpin(3.0)), sp.csr_array)
    finally:
        del MODELS["toy_twisting"]
