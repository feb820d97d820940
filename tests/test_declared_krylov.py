r"""Tests of the Krylov path for declared models (:mod:`steadysqueeze.exact.hermitianblocks`).

References
----------
(a) The sparse-LU path (``method="direct"``) on the assembled Liouvillian of
    :class:`~steadysqueeze.exact.general.GeneralLiouvillian`, itself checked against
    ``qutip.piqs`` and brute-force Lindblad solves in ``test_channels.py``: the Krylov
    solution must agree entry by entry to 1e-9 in every block (measured ≤ 3e-12 for
    N = 6 … 20; the Krylov residual target is 1e-4 × the residual tolerance).
(b) The assembled complex matrix ``L.matrix``: the real-coordinate pieces
    :math:`\mathrm{Re}\,\mathcal{L} + (\mathrm{Im}\,\mathcal{L})\Pi` must reproduce it on
    Hermitian blocks to rounding, also for a Hamiltonian with imaginary entries (Sy).
(c) ``numpy.linalg.solve`` for the dtype-generic GMRES on a complex system.
"""

from __future__ import annotations

import numpy as np
import pytest

from steadysqueeze.exact import Scan, SolverOptions, steady_state
from steadysqueeze.exact.general import GeneralLiouvillian
from steadysqueeze.exact.hermitianblocks import HermitianBlockLiouvillian
from steadysqueeze.exact.krylov import gmres
from steadysqueeze.exact.memory import peak_memory_bytes
from steadysqueeze.models.declared import load_declarations

AGREEMENT = 1e-9

DECLARATIONS = load_declarations("""
models:
  rabi_local:       # driven Dicke + local emission: odd H, no parity reduction
    parameters: {Omega: 0.4, Gamma: 1.0, gamma: 0.03}
    hamiltonian: "-Omega*Sx"
    dissipation: {collective_emission: Gamma/N, emission: gamma}
  xyz_dephasing:    # even H: parity-reduced
    parameters: {Jx: 0.1, Jy: -1.7, Jz: 1.0, gamma: 1.0, gamma_phi: 0.2}
    hamiltonian: "(Jx*Sx**2 + Jy*Sy**2 + Jz*Sz**2)/N"
    dissipation: {emission: gamma, dephasing: gamma_phi}
  pumped:           # pumping against emission
    parameters: {Jx: 1.6, Jz: 1.0, gamma: 1.0, w: 0.3}
    hamiltonian: "(Jx*Sx**2 + Jz*Sz**2)/N"
    dissipation: {emission: gamma, pumping: w}
  all_six:          # every channel, odd H with imaginary entries (Sy)
    parameters: {Omega: 0.7, Jz: 1.0}
    hamiltonian: "Omega*(Sx + 0.5*Sy) + Jz*Sz**2/N"
    dissipation: {emission: 1.0, dephasing: 0.3, pumping: 0.2, collective_emission: 1/N,
                  collective_dephasing: 0.1, collective_pumping: 0.05/N}
  collective_only:
    parameters: {Omega: 0.5}
    hamiltonian: "-Omega*Sx"
    dissipation: {collective_emission: 1/N}
""")
LOCAL = ["rabi_local", "xyz_dephasing", "pumped", "all_six"]
KRYLOV = SolverOptions(method="krylov")


def model(name: str, **params: float):
    return DECLARATIONS[name].from_parameters(params)


def assert_same_blocks(a, b) -> None:
    assert a.blocks.keys() == b.blocks.keys()
    for J, block in b.blocks.items():
        assert np.abs(a.blocks[J] - block).max() <= AGREEMENT, J


@pytest.mark.parametrize("N", [6, 9, 16])
@pytest.mark.parametrize("name", LOCAL)
def test_krylov_matches_direct(name, N):
    """(a), forced ``method="krylov"``, even and odd N."""
    m = model(name)
    direct = steady_state(m, N, SolverOptions(method="direct"))
    krylov = steady_state(m, N, KRYLOV)
    assert direct.method == "sparse-lu"
    assert krylov.method == "gmres-block-gauss-seidel" and krylov.iterations >= 1
    assert len(krylov.blocks) == N // 2 + 1
    assert_same_blocks(krylov, direct)
    for block in krylov.blocks.values():
        np.testing.assert_array_equal(block, block.conj().T)


@pytest.mark.parametrize("name", ["rabi_local", "xyz_dephasing", "all_six"])
def test_real_coordinates_reproduce_assembled(name):
    """(b): L_R on R = Re ρ + Im ρ is the complex Liouvillian on Hermitian ρ."""
    N = 7
    L = GeneralLiouvillian(model(name), N)
    matrix = L.matrix.copy()
    R = HermitianBlockLiouvillian(L)
    rng = np.random.default_rng(3)
    blocks = {}
    for spin in L.spins:
        X = rng.standard_normal((spin.dim,) * 2) + 1j * rng.standard_normal((spin.dim,) * 2)
        blocks[spin.J] = X + X.conj().T
    packed = L.pack(blocks)          # parity-odd entries are dropped here if H allows
    expected = L.unpack(matrix @ packed)
    x = packed.real + packed.imag
    got = R.to_blocks(R.matvec(x))
    scale = float(abs(matrix).max())
    assert R.rate_scale == pytest.approx(scale, rel=1e-15)
    for J, block in expected.items():
        assert np.abs(got[J] - block).max() <= 1e-13 * scale * N, J
    assert R.relative_residual(x) == pytest.approx(
        float(np.abs(matrix @ packed).max()) / scale, rel=1e-12)


def test_auto_picks_krylov_above_threshold():
    m = model("rabi_local")
    assert steady_state(m, 12).method == "sparse-lu"          # 455 unknowns < 3000
    low = SolverOptions(auto_krylov_threshold=400)
    assert steady_state(m, 12, low).method == "gmres-block-gauss-seidel"
    assert steady_state(m, 11, low).method == "sparse-lu"     # 364 unknowns


def test_collective_channels_only_stay_direct():
    m = model("collective_only")
    assert steady_state(m, 12, SolverOptions(auto_krylov_threshold=10)).method == "sparse-lu"
    with pytest.raises(ValueError, match="local channel"):
        steady_state(m, 12, KRYLOV)
    no_local_rate = model("rabi_local", gamma=0.0)
    with pytest.raises(ValueError, match="local channel"):
        steady_state(no_local_rate, 12, KRYLOV)
    with pytest.raises(ValueError, match="closed-form"):
        steady_state(m, 12, SolverOptions(method="closed-form"))


def test_scan_reuses_work_and_matches_independent_solves():
    """A scan in Ω (warm start, reused preconditioner) gives the independent solves."""
    N = 16
    models = [model("rabi_local", Omega=omega) for omega in (0.3, 0.35, 0.4, 0.45)]
    scan = Scan(KRYLOV, refactor_ratio=100.0)
    states = [scan.solve(m, N) for m in models]
    assert [bool(s.info.get("preconditioner_reused")) for s in states] == [False] + [True] * 3
    for m, state in zip(models, states):
        assert_same_blocks(state, steady_state(m, N, SolverOptions(method="direct")))


def test_scan_switching_models_does_not_reuse_across_coordinates():
    scan = Scan(KRYLOV)
    scan.solve(model("rabi_local"), 12)
    state = scan.solve(model("rabi_local", gamma=0.05), 12)       # other local rate
    assert not state.info["preconditioner_reused"]
    assert_same_blocks(state, steady_state(model("rabi_local", gamma=0.05), 12,
                                           SolverOptions(method="direct")))


def test_gmres_is_dtype_generic():
    """(c): complex right-preconditioned GMRES with restarts."""
    rng = np.random.default_rng(0)
    n = 60
    A = np.eye(n) * 4 + rng.standard_normal((n, n)) / n ** 0.5 \
        + 1j * rng.standard_normal((n, n)) / n ** 0.5
    b = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    d = np.diag(A)
    result = gmres(lambda v: A @ v, b, lambda v: v / d, atol=1e-12, restart=7, maxiter=200)
    assert result.x.dtype == complex and result.cycles > 1
    np.testing.assert_allclose(result.x, np.linalg.solve(A, b), rtol=0, atol=1e-10)


def test_memory_estimate_covers_declared_models():
    odd, even = DECLARATIONS["rabi_local"], DECLARATIONS["xyz_dephasing"]
    assert peak_memory_bytes(odd, 100) > 1.5 * peak_memory_bytes(even, 100) - 0.12e9
    assert 0.2e9 < peak_memory_bytes(odd, 100) < 1e9
