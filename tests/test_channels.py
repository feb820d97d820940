r"""Tests of the six PIQS dissipation channels (:mod:`steadysqueeze.exact.channels`) and of
the general Liouvillian of declared models (:mod:`steadysqueeze.exact.general`).

References
----------
(a) Brute force on the full :math:`2^N` space, N = 2 … 5: H from site operators
    (``numpy.kron``), jump operators :math:`\sqrt{\gamma}\,\sigma_i^-`,
    :math:`\sqrt{\gamma}\,\sigma_i^z/2`, :math:`\sqrt{\gamma}\,\sigma_i^+`,
    :math:`\sqrt{\gamma}\,J^{-}, J^{z}, J^{+}`, :func:`qutip.steadystate`. ⟨J⟩ and the
    covariance to 1e-10 absolute (double precision both sides; measured ≤ 1.1e-14).
(b) Only collective channels: the symmetric block against :func:`qutip.steadystate` on
    the :func:`qutip.jmat` manifold (the full space has one steady state per J), 1e-12 on
    ρ (measured ≤ 1.1e-15).
(c) :class:`qutip.piqs.Dicke` at N = 10 (``liouvillian()`` + :func:`qutip.steadystate`).
    PIQS computes and stores every Liouvillian coefficient as a single-precision float
    (relative error up to 6e-8 each), which the solve amplifies by the conditioning of
    the Liouvillian. With the dyadic rates used here (exact in float32) the moments agree
    to ≤ 8.7e-8 relative except emission + dephasing with the odd H, 1.35e-7; with rates
    0.3 / 0.2 (rounded in float32) up to 3.7e-7. Hence two checks: moments to 2e-7
    relative, and PIQS's own Liouvillian applied to our state (embedded in its Dicke
    basis), ≤ 1e-8 of max |L_ij| (measured ≤ 1.5e-9, the same as PIQS's own solution,
    ≤ 1.6e-9). And the Liouvillian matrix of each channel against
    ``Dicke(...).lindbladian()`` entry by entry, 2e-7 of its largest entry (float32
    coefficients; measured ≤ 5.8e-8).
(d) Trace preservation and the parity reduction.
"""

from __future__ import annotations

import numpy as np
import pytest
import qutip
import scipy.sparse as sp
from qutip import piqs

from steadysqueeze.exact.channels import CHANNELS, decay_operator
from steadysqueeze.exact import steady_state
from steadysqueeze.exact.general import GeneralLiouvillian
from steadysqueeze.models.declared import declare_model
from steadysqueeze.observables import moments
from steadysqueeze.spin import CollectiveSpin, num_physical_unknowns

from conftest import _SM, _SZ, brute_collective, local_operator, moments_of, reversed_basis

BRUTE_TOL = 1e-10
MANIFOLD_TOL = 1e-12
PIQS_RTOL = 2e-7
PIQS_RESIDUAL_TOL = 1e-8
PIQS_MATRIX_RTOL = 2e-7

#: (expression, the same written with the full-space collective operators)
HAMILTONIANS = {
    "even": ("(Sx**2 - 0.5*Sy**2)/N + 0.25*Sz",
             lambda x, y, z, N: (x @ x - 0.5 * y @ y) / N + 0.25 * z),
    "odd": ("0.75*Sx + Sz**2/N", lambda x, y, z, N: 0.75 * x + z @ z / N),
}
#: channel combinations with a unique steady state on the full space (dyadic rates)
MIXED_CHANNELS = [
    dict(emission=1.0),
    dict(pumping=0.75),
    dict(emission=1.0, dephasing=0.5),
    dict(emission=0.5, pumping=0.25, dephasing=0.125),
    dict(emission=1.0, collective_emission=0.25),
    dict(emission=1.0, collective_dephasing=0.5, collective_pumping=0.25),
    dict(pumping=1.0, collective_emission=0.75, dephasing=0.25),
    dict(dephasing=0.5, collective_emission=1.0),
]
COLLECTIVE_CHANNELS = [
    dict(collective_emission=1.0),
    dict(collective_emission=1.0, collective_dephasing=0.5),
    dict(collective_emission=1.0, collective_pumping=0.25, collective_dephasing=0.125),
]


def _model(hamiltonian: str, rates: dict[str, float]):
    spec = dict(parameters={"unused": 0.0}, hamiltonian=hamiltonian,
                dissipation={k: repr(v) for k, v in rates.items()})
    return declare_model("test", spec)()


def _ids(cases):
    return ["+".join(f"{k}{v}" for k, v in c.items()) for c in cases]


def _brute_moments(N: int, hamiltonian, rates: dict[str, float]):
    x, y, z = brute_collective(N)
    jm = x - 1j * y
    dims = [[2] * N, [2] * N]
    local = {"emission": _SM, "dephasing": _SZ, "pumping": _SM.T.copy()}
    collective = {"collective_emission": jm, "collective_dephasing": z,
                  "collective_pumping": jm.conj().T}
    ops = [np.sqrt(g) * local_operator(local[c], i, N)
           for c, g in rates.items() if c in local for i in range(N)]
    ops += [np.sqrt(g) * collective[c] for c, g in rates.items() if c in collective]
    c_ops = [qutip.Qobj(sp.csr_matrix(o), dims=dims) for o in ops]
    H = qutip.Qobj(sp.csr_matrix(hamiltonian(x, y, z, N)), dims=dims)
    rho = qutip.steadystate(H, c_ops, solver="spsolve", permc_spec="MMD_AT_PLUS_A").full()
    return moments_of(rho, (x, y, z))


# -- (a) brute force ----------------------------------------------------------------------
@pytest.mark.parametrize("N", [2, 3, 4, 5])
@pytest.mark.parametrize("rates", MIXED_CHANNELS, ids=_ids(MIXED_CHANNELS))
@pytest.mark.parametrize("parity", ["even", "odd"])
def test_against_brute_force(parity, rates, N):
    text, brute = HAMILTONIANS[parity]
    state = steady_state(_model(text, rates), N)
    mean, cov = moments(state)
    ref_mean, ref_cov = _brute_moments(N, brute, rates)
    np.testing.assert_allclose(mean, ref_mean, rtol=0, atol=BRUTE_TOL)
    np.testing.assert_allclose(cov, ref_cov, rtol=0, atol=BRUTE_TOL)


@pytest.mark.parametrize("N", [3, 4])
def test_dephasing_alone_gives_the_maximally_mixed_state(N):
    # unital channel, H = 0.75 Sx connects all configurations: ρ ∝ 1, ⟨J⟩ = 0,
    # C = N/4 · 1 (each spin contributes 1/4 per axis)
    state = steady_state(_model(HAMILTONIANS["odd"][0], dict(dephasing=0.5)), N)
    mean, cov = moments(state)
    np.testing.assert_allclose(mean, 0, atol=BRUTE_TOL)
    np.testing.assert_allclose(cov, N / 4 * np.eye(3), rtol=0, atol=BRUTE_TOL)
    ref_mean, ref_cov = _brute_moments(N, HAMILTONIANS["odd"][1], dict(dephasing=0.5))
    np.testing.assert_allclose(cov, ref_cov, rtol=0, atol=BRUTE_TOL)


# -- (b) only collective channels: the symmetric block ----------------------------------
@pytest.mark.parametrize("N", [2, 3, 5, 10])
@pytest.mark.parametrize("rates", COLLECTIVE_CHANNELS, ids=_ids(COLLECTIVE_CHANNELS))
@pytest.mark.parametrize("parity", ["even", "odd"])
def test_collective_only_against_qutip_manifold(parity, rates, N):
    J = N / 2
    x, y, z, jm = (qutip.jmat(J, a) for a in "xyz-")
    H = HAMILTONIANS[parity][1](x, y, z, N)
    ops = {"collective_emission": jm, "collective_pumping": jm.dag(), "collective_dephasing": z}
    rho = qutip.steadystate(H, [np.sqrt(g) * ops[c] for c, g in rates.items()]).full()
    state = steady_state(_model(HAMILTONIANS[parity][0], rates), N)
    assert list(state.blocks) == [J]
    np.testing.assert_allclose(reversed_basis(state.blocks[J]), rho, rtol=0, atol=MANIFOLD_TOL)


# -- (c) qutip.piqs at N = 10 -------------------------------------------------------------
PIQS_N = 10


def _piqs_hamiltonian(parity: str, N: int):
    jx, jy, jz = piqs.jspin(N)
    return HAMILTONIANS[parity][1](jx, jy, jz, N)


@pytest.mark.parametrize("rates", MIXED_CHANNELS, ids=_ids(MIXED_CHANNELS))
@pytest.mark.parametrize("parity", ["even", "odd"])
def test_against_piqs(parity, rates):
    N = PIQS_N
    L = piqs.Dicke(N, hamiltonian=_piqs_hamiltonian(parity, N), **rates).liouvillian()
    rho = qutip.steadystate(L).full()
    ref_mean, ref_cov = moments_of(rho, [o.full() for o in piqs.jspin(N)])
    state = steady_state(_model(HAMILTONIANS[parity][0], rates), N)
    mean, cov = moments(state)
    assert np.abs(mean - ref_mean).max() <= PIQS_RTOL * np.abs(ref_mean).max()
    assert np.abs(cov - ref_cov).max() <= PIQS_RTOL * np.abs(ref_cov).max()
    nds, offset = piqs.num_dicke_states(N), 0
    embedded = np.zeros((nds, nds), dtype=complex)   # PIQS: J descending, M descending
    for J in sorted(state.blocks, reverse=True):
        d = int(round(2 * J + 1))
        embedded[offset:offset + d, offset:offset + d] = reversed_basis(state.blocks[J])
        offset += d
    residual = (L * qutip.operator_to_vector(qutip.Qobj(embedded))).full()
    assert np.abs(residual).max() <= PIQS_RESIDUAL_TOL * np.abs(L.full()).max()


def _piqs_indices(L: GeneralLiouvillian, nds: int) -> np.ndarray:
    """Index in PIQS's column-stacked Dicke-basis vector of each of our full unknowns
    (blocks from J = N/2 down in both; M descending inside a PIQS block)."""
    out, offset = [], 0
    for spin in L.spins:
        d = spin.dim
        rows, cols = np.meshgrid(np.arange(d), np.arange(d), indexing="ij")
        out.append((offset + d - 1 - cols) * nds + offset + d - 1 - rows)
        offset += d
    return np.concatenate([o.ravel() for o in out])


@pytest.mark.parametrize("N", [4, 5])
@pytest.mark.parametrize("channel", CHANNELS)
def test_channel_matrix_against_piqs_lindbladian(channel, N):
    # every block kept (one local channel switched on at a vanishing rate would not do:
    # PIQS skips zero rates), so add local emission to the collective channels
    rates = {channel: 1.0} if channel in ("emission", "dephasing", "pumping") \
        else {channel: 1.0, "emission": 0.5}
    ours = GeneralLiouvillian(_model("0", rates), N).full_matrix
    nds = piqs.num_dicke_states(N)
    index = _piqs_indices(GeneralLiouvillian(_model("0", rates), N), nds)
    theirs = piqs.Dicke(N, **rates).lindbladian().full()[np.ix_(index, index)]
    assert ours.shape[0] == num_physical_unknowns(N)
    assert np.abs(ours.toarray() - theirs).max() <= PIQS_MATRIX_RTOL * np.abs(theirs).max()


# -- (d) structure ----------------------------------------------------------------------
@pytest.mark.parametrize("N", [4, 7])
@pytest.mark.parametrize("rates", MIXED_CHANNELS + COLLECTIVE_CHANNELS,
                         ids=_ids(MIXED_CHANNELS + COLLECTIVE_CHANNELS))
def test_trace_preserved_and_parity(rates, N):
    for parity in ("even", "odd"):
        L = GeneralLiouvillian(_model(HAMILTONIANS[parity][0], rates), N)
        assert np.abs(L.trace_row @ L.matrix).max() <= 1e-12 * L.rate_scale
        even = sum((s.dim ** 2 + 1) // 2 for s in L.spins)   # entries with M - M' even
        assert L.size == (even if parity == "even" else sum(s.dim ** 2 for s in L.spins))
        assert len(L.spins) == (1 if L.collective else N // 2 + 1)


def test_decay_operator_is_sum_of_ldagger_l():
    N, J = 5, 1.5
    spin = CollectiveSpin(J)
    rates = dict(emission=0.5, dephasing=0.25, pumping=0.75, collective_emission=1.0,
                 collective_dephasing=2.0, collective_pumping=0.125)
    jz, jp, jm = (qutip.jmat(J, a).full()[::-1, ::-1] for a in "z+-")
    one = np.eye(spin.dim)
    expected = (0.5 * (jz + N / 2 * one) + 0.25 * N / 4 * one + 0.75 * (N / 2 * one - jz)
                + 1.0 * jp @ jm + 2.0 * jz @ jz + 0.125 * jm @ jp)
    np.testing.assert_allclose(decay_operator(rates, N, spin).toarray(), expected, atol=1e-13)
    with pytest.raises(ValueError, match="unknown dissipation channel"):
        decay_operator({"spontaneous": 1.0}, N, spin)
    with pytest.raises(ValueError, match=">= 0"):
        decay_operator({"emission": -1.0}, N, spin)
