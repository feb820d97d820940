r"""Tests of :mod:`steadysqueeze.exact` against independent steady-state solvers.

References
----------
(a) Brute force on the full :math:`2^N` space, N = 2 … 6: Hamiltonian from site
    operators (``numpy.kron``), N local jump operators :math:`\sqrt{\gamma}S_i^-`,
    :func:`qutip.steadystate`. Observables of the brute-force ρ computed here
    from its matrix and its eigendecomposition. Tolerance 1e-10: both sides are
    double-precision direct solves of well-conditioned systems of at most 4096
    unknowns; the measured deviations are ≤ 2.2e-14 (see README).
(b) :mod:`qutip.piqs` at N = 20: ``Dicke(N, hamiltonian=H, emission=γ).liouvillian()``
    with ``H`` from :func:`qutip.piqs.jspin`, then :func:`qutip.steadystate`.
    Tolerance 1e-7 relative: PIQS stores its local-emission rates in single
    precision (relative error ~1e-8 per entry), measured deviations up to 8.4e-8.
(c) Driven Dicke model: :func:`qutip.steadystate` on the (N+1)-dimensional
    :func:`qutip.jmat` manifold, tolerance 1e-9 (double precision, measured
    ≤ 3e-15 on ρ, 3e-13 relative on the moments); and the full PIQS Dicke space
    at small N, where our J = N/2 solution embedded into PIQS's Dicke-basis
    matrix must be annihilated by PIQS's Liouvillian to 1e-6 relative (single
    precision, measured ≤ 1.4e-8).
(d) Trace preservation of the assembled Liouvillian and the solver's error paths.
"""

from __future__ import annotations

import numpy as np
import pytest
import qutip
import scipy.sparse as sp
from qutip import piqs

from steadysqueeze.exact import (CollectiveEmissionLiouvillian, LocalEmissionLiouvillian,
                                 SolverError, SolverOptions, steady_state)
from steadysqueeze.models import make_model
from steadysqueeze.observables import analyze, moments
from steadysqueeze.spin import num_physical_unknowns

from conftest import (brute_collective, brute_steady_state, moments_of,
                      qfi_from_eigendecomposition, reversed_basis)

#: (a) double precision on both sides; measured ≤ 2.2e-14, so 1e-10 leaves 3 digits
BRUTE_TOL = 1e-10
#: (b) single-precision rates inside PIQS (measured ≤ 8.4e-8 relative)
PIQS_RTOL = 1e-7
#: (c) double precision on both sides, (N+1)^2 ≤ 1681 unknowns; measured ≤ 3e-13
DICKE_TOL = 1e-9
#: (c) PIQS Liouvillian applied to our state, relative to its largest entry (single precision)
PIQS_RESIDUAL_TOL = 1e-6

MIXED_FERRO_XYZ = ("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0))
MIXED_FERRO_TFI = ("tfi", dict(Jx=4.0, Delta=-2.0))
LOCAL_POINTS = [
    MIXED_FERRO_XYZ,                                   # strongly mixed, purity 0.14 at N = 6
    ("xyz", dict(Jx=-0.6, Jy=-1.0, Jz=1.0)),          # paramagnetic, J = -0.8, dJ = 0.2
    ("xyz", dict(Jx=2.0, Jy=0.4, Jz=-1.0, gamma=0.7)),  # non-unit rate
    MIXED_FERRO_TFI,                                   # ferromagnetic side of Fig. 7
    ("tfi", dict(Jx=1.0, Delta=-6.0)),                 # Fig. 6 regime
    ("tfi", dict(Jx=-1.5, Delta=0.8, gamma=1.3)),
]


def _ids(points):
    return [f"{name}-" + "-".join(f"{k}{v}" for k, v in p.items()) for name, p in points]


# -- (a) brute force on the full 2^N space --------------------------------------------
def _brute_cases():
    cases = [(name, params, N) for name, params in LOCAL_POINTS for N in range(2, 6)]
    # N = 6 (4096 unknowns) costs ~6 s per point here: only the two mixed ferromagnetic ones
    cases += [(*MIXED_FERRO_XYZ, 6), (*MIXED_FERRO_TFI, 6)]
    return cases


def _transverse_axes(mean: np.ndarray, covariance: np.ndarray):
    """Squeezed/anti-squeezed axes perpendicular to the mean, and the variances."""
    n = mean / np.linalg.norm(mean)
    e1 = np.array([1.0, 0.0, 0.0]) - n[0] * n
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(n, e1)
    frame = np.stack([e1, e2])
    variances, vectors = np.linalg.eigh(frame @ covariance @ frame.T)
    return vectors[:, 0] @ frame, vectors[:, 1] @ frame, variances


BRUTE_CASES = _brute_cases()


@pytest.mark.parametrize("name, params, N", BRUTE_CASES,
                         ids=[f"{i}-N{N}" for i, (*_, N) in zip(_ids([c[:2] for c in BRUTE_CASES]),
                                                                BRUTE_CASES)])
def test_against_brute_force(name, params, N):
    rho = brute_steady_state(name, params, N)
    ops = brute_collective(N)
    mean, cov = moments_of(rho, ops)
    p = np.linalg.eigvalsh(rho)
    purity = float(np.sum(p ** 2))
    p_pos = p[p > 0]
    entropy = float(-np.sum(p_pos * np.log(p_pos)))
    _, anti_axis, variances = _transverse_axes(mean, cov)
    # the chosen points are clearly anisotropic, so the anti-squeezed axis is well defined
    assert variances[1] - variances[0] > 1e-6 * variances[1]
    generator = sum(c * o for c, o in zip(anti_axis, ops))
    qfi = qfi_from_eigendecomposition(rho, generator)
    xi2 = N * variances[0] / float(mean @ mean)

    state = steady_state(make_model(name, params), N)
    ours = analyze(state)
    our_mean, our_cov = moments(state)
    np.testing.assert_allclose(our_mean, mean, rtol=0, atol=BRUTE_TOL)
    np.testing.assert_allclose(our_cov, cov, rtol=0, atol=BRUTE_TOL)
    assert abs(ours.purity - purity) <= BRUTE_TOL
    assert abs(ours.entropy - entropy) <= BRUTE_TOL
    assert abs(ours.qfi - qfi) <= BRUTE_TOL
    assert abs(ours.xi2 - xi2) <= BRUTE_TOL
    assert abs(ours.var_min - variances[0]) <= BRUTE_TOL
    assert abs(ours.var_max - variances[1]) <= BRUTE_TOL
    # the anti-squeezed axis itself (up to its sign)
    assert abs(abs(ours.antisqueezed_axis @ anti_axis) - 1) <= BRUTE_TOL


# -- (b) qutip.piqs at N = 20 -----------------------------------------------------------
PIQS_N = 20
PIQS_POINTS = [
    MIXED_FERRO_XYZ,                               # purity 0.018
    ("xyz", dict(Jx=-1.6, Jy=-2.0, Jz=1.0)),      # J = -1.8, dJ = 0.2 (Fig. 3, blue)
    ("xyz", dict(Jx=0.5, Jy=-0.3, Jz=1.0)),
    MIXED_FERRO_TFI,                               # purity 0.050
    ("tfi", dict(Jx=1.0, Delta=-6.0)),
    # Left out: PIQS's steady-state system is singular ("Matrix is singular" from
    # qutip.steadystate) for xyz Jx=-0.6, Jy=-1.0, Jz=1 (J=-0.8, dJ=0.2) and for
    # xyz Jx=1, Jy=-1, Jz=0 (H = (Sx^2 - Sy^2)/N) at N = 20; it works on the
    # full Dicke space, whose unphysical off-block entries are decoupled.
]


def _piqs_hamiltonian(name, params, N):
    jx, jy, jz = piqs.jspin(N)
    if name == "xyz":
        return (params["Jx"] * jx * jx + params["Jy"] * jy * jy + params["Jz"] * jz * jz) / N
    return params["Jx"] / N * jx * jx + params["Delta"] * jz


@pytest.mark.parametrize("name, params", PIQS_POINTS, ids=_ids(PIQS_POINTS))
def test_against_piqs(name, params):
    N = PIQS_N
    H = _piqs_hamiltonian(name, params, N)
    L = piqs.Dicke(N, hamiltonian=H, emission=params.get("gamma", 1.0)).liouvillian()
    rho = qutip.steadystate(L)
    ops = [o.full() for o in piqs.jspin(N)]
    mean, cov = moments_of(rho.full(), ops)   # tr(rho_D O_D) in the Dicke basis
    purity = piqs.purity_dicke(rho)

    state = steady_state(make_model(name, params), N)
    our_mean, our_cov = moments(state)
    ours = analyze(state)
    assert np.abs(our_mean - mean).max() <= PIQS_RTOL * np.abs(mean).max()
    assert np.abs(our_cov - cov).max() <= PIQS_RTOL * np.abs(cov).max()
    assert abs(ours.purity - purity) <= PIQS_RTOL * purity


# -- (c) driven Dicke model: collective emission ----------------------------------------
DICKE_DRIVES = [(0.1, 1.0), (0.3, 1.0), (0.6, 1.0), (1.5, 1.0), (0.8, 2.5)]


@pytest.mark.parametrize("N", [2, 3, 5, 10, 21, 40])
@pytest.mark.parametrize("Omega, Gamma", DICKE_DRIVES)
def test_dicke_against_qutip_manifold(N, Omega, Gamma):
    jx, jm = qutip.jmat(N / 2, "x"), qutip.jmat(N / 2, "-")
    rho = qutip.steadystate(-Omega * jx, [np.sqrt(Gamma / N) * jm]).full()
    state = steady_state(make_model("dicke", dict(Omega=Omega, Gamma=Gamma)), N)
    assert list(state.blocks) == [N / 2]
    ours = reversed_basis(state.blocks[N / 2])   # qutip orders M descending
    np.testing.assert_allclose(ours, rho, rtol=0, atol=DICKE_TOL)   # entries ≤ 1
    mean, cov = moments_of(rho, [qutip.jmat(N / 2, a).full() for a in "xyz"])
    our_mean, our_cov = moments(state)
    assert np.abs(our_mean - mean).max() <= DICKE_TOL * np.abs(mean).max()
    assert np.abs(our_cov - cov).max() <= DICKE_TOL * np.abs(cov).max()


@pytest.mark.parametrize("N", [2, 3, 4, 6])
@pytest.mark.parametrize("Omega", [0.1, 0.6, 1.5])
def test_dicke_is_steady_in_full_piqs_space(N, Omega):
    Gamma = 1.0
    state = steady_state(make_model("dicke", dict(Omega=Omega, Gamma=Gamma)), N)
    symmetric = reversed_basis(state.blocks[N / 2])
    nds = piqs.num_dicke_states(N)
    # PIQS's Dicke basis: blocks from J = N/2 down, M descending inside a block
    embedded = np.zeros((nds, nds), dtype=complex)
    embedded[:N + 1, :N + 1] = symmetric
    rho_D = qutip.Qobj(embedded)
    first_block = piqs.dicke_blocks(rho_D)[0]
    np.testing.assert_array_equal(np.asarray(first_block), symmetric)   # ordering check
    jz = piqs.jspin(N, "z")
    # same <Jz> through PIQS's own operator: confirms M descending (rounding only)
    assert abs(qutip.expect(jz, rho_D) - moments(state)[0][2]) <= 1e-12 * N

    H = -Omega * piqs.jspin(N, "x")
    L = piqs.Dicke(N, hamiltonian=H, collective_emission=Gamma / N).liouvillian()
    residual = (L * qutip.operator_to_vector(rho_D)).full()
    assert np.abs(residual).max() <= PIQS_RESIDUAL_TOL * np.abs(L.full()).max()


# -- (d) trace preservation and error paths ---------------------------------------------
@pytest.mark.parametrize("N", [2, 3, 6, 11])
@pytest.mark.parametrize("name, params", [MIXED_FERRO_XYZ, MIXED_FERRO_TFI,
                                          ("xyz", dict(Jx=2.0, Jy=0.4, Jz=-1.0, gamma=0.7)),
                                          ("dicke", dict(Omega=0.7, Gamma=1.3))],
                         ids=["xyz-ferro", "tfi-ferro", "xyz-gamma", "dicke"])
def test_liouvillian_preserves_trace(name, params, N):
    model = make_model(name, params)
    local = model.dissipation == "local"
    L = (LocalEmissionLiouvillian if local else CollectiveEmissionLiouvillian)(model, N)
    drift = np.abs(L.trace_row @ L.matrix).max()
    # sums of O(N) rates cancelling: a few ulps of the largest entry
    assert drift <= 1e-12 * L.rate_scale
    if local:
        assert L.full_matrix.shape == (num_physical_unknowns(N),) * 2
    else:
        assert L.matrix.shape == ((N + 1) ** 2,) * 2


@pytest.mark.parametrize("N", [3, 6])
def test_assembled_liouvillian_matches_its_blocks(N):
    """The one-shot assembly (entries of every term at once) is the block-by-block one,
    which the real-coordinate Krylov operators cut up, restricted to the kept unknowns."""
    L = LocalEmissionLiouvillian(make_model(*MIXED_FERRO_XYZ), N)
    blocks = sp.block_array(L.block_grid(), format="csr")
    assert abs(L.full_matrix - blocks).max() <= 1e-15 * L.rate_scale
    assert abs(L.matrix - blocks[L.kept][:, L.kept]).max() <= 1e-15 * L.rate_scale


@pytest.mark.parametrize("name, params", [MIXED_FERRO_XYZ, ("dicke", dict(Omega=0.4))])
def test_steady_state_is_checked(name, params):
    model = make_model(name, params)
    state = steady_state(model, 8)
    assert 0 < state.residual <= 1e-9   # default tolerance
    assert abs(state.trace - 1) <= 1e-12
    for block in state.blocks.values():
        np.testing.assert_allclose(block, block.conj().T, rtol=0, atol=1e-15)   # hermitised
        assert np.linalg.eigvalsh(block)[0] >= -1e-12
    # a tolerance below the residual actually reached must fail (deterministic for a
    # direct solve, which N = 8 gets: same input, same LU, same residual)
    with pytest.raises(SolverError, match="residual"):
        steady_state(model, 8, SolverOptions(tolerance=state.residual / 2))
    with pytest.raises(SolverError):
        steady_state(model, 8, SolverOptions(tolerance=0.0))


def test_singular_liouvillian_raises():
    # Omega = 0 and (bypassing validation) Gamma = 0: L vanishes identically, every
    # trace-one matrix is "steady", and the solver must refuse rather than pick one
    model = make_model("dicke", dict(Omega=0.0, Gamma=1.0))
    object.__setattr__(model, "Gamma", 0.0)
    with pytest.raises(SolverError):
        steady_state(model, 4)


@pytest.mark.parametrize("N", [1, 0, 4.0, "4"])
def test_invalid_N(N):
    with pytest.raises(ValueError):
        steady_state(make_model("tfi", dict(Jx=1.0, Delta=-1.0)), N)
