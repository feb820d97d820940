r"""Tests of the large-N (Krylov) path of :func:`steadysqueeze.exact.steady_state`.

References
----------
(a) The sparse-LU path (``method="direct"``), itself verified against brute-force
    :math:`2^N` Lindblad solves in ``test_exact.py``: the Krylov solution must agree
    block by block to 1e-9 (measured ≤ 3e-11 at N = 20 … 40; the Krylov residual
    target is 1e-4 × the residual tolerance).
(b) The assembled sparse Liouvillian ``L.matrix``: the matrix-free operator of the
    Krylov path and its rate scale must reproduce it to rounding.
(c) Physicality at N = 100 (no independent solver is practical there): residual,
    Hermiticity, unit trace, positivity.
"""

from __future__ import annotations

import numpy as np
import pytest

from steadysqueeze import exact
from steadysqueeze.exact import LocalEmissionLiouvillian, SolverError, steady_state
from steadysqueeze.models import make_model

POINTS = [
    ("xyz", dict(Jx=-0.5, Jy=-1.1, Jz=1.0)),   # paramagnetic, nearly pure (J=-0.8, dJ=0.3)
    ("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0)),    # strongly mixed ferromagnet
    ("tfi", dict(Jx=1.0, Delta=-6.0)),         # paramagnetic
    ("tfi", dict(Jx=4.0, Delta=-2.0)),         # ferromagnetic: -Δ(Δ+Jx) = 4 > γ²/4
]
IDS = ["xyz-para", "xyz-ferro", "tfi-para", "tfi-ferro"]


@pytest.mark.parametrize("N", [5, 6, 21])
@pytest.mark.parametrize("name, params", POINTS, ids=IDS)
def test_matrix_free_operator_matches_assembled(name, params, N):
    L = LocalEmissionLiouvillian(make_model(name, params), N)
    rng = np.random.default_rng(N)
    x = rng.standard_normal(L.size) + 1j * rng.standard_normal(L.size)
    scale = float(abs(L.matrix).max())
    assert np.abs(L.matvec(x) - L.matrix @ x).max() <= 1e-13 * scale
    assert L.rate_scale == pytest.approx(scale, rel=1e-14)
    block = L.system.block_matrix(1).toarray()
    a, b = L.system.block_range[1]
    dense = (L.matrix[L.system.perm][:, L.system.perm])[a:b, a:b].toarray()
    assert np.abs(block - dense).max() <= 1e-13 * scale


@pytest.mark.parametrize("N", [20, 31, 40])
@pytest.mark.parametrize("name, params", POINTS, ids=IDS)
def test_krylov_matches_direct(name, params, N):
    model = make_model(name, params)
    direct = steady_state(model, N, method="direct")
    krylov = steady_state(model, N, method="krylov")
    assert direct.method == "sparse-lu" and direct.iterations == 0
    assert krylov.method == "gmres-block-gauss-seidel" and krylov.iterations >= 1
    assert krylov.blocks.keys() == direct.blocks.keys()
    for J, block in direct.blocks.items():
        assert np.abs(krylov.blocks[J] - block).max() <= 1e-9, J
    assert krylov.residual <= exact.DEFAULT_RESIDUAL_TOLERANCE


def test_auto_picks_by_size():
    model = make_model(*POINTS[1])
    assert steady_state(model, 20).method == "sparse-lu"
    assert steady_state(model, 40).method == "gmres-block-gauss-seidel"
    assert steady_state(make_model("dicke", dict(Omega=0.5)), 60).method == "sparse-lu"


@pytest.mark.parametrize("name, params", [POINTS[0], POINTS[1]], ids=IDS[:2])
def test_large_n_is_physical(name, params):
    N = 100
    state = steady_state(make_model(name, params), N)
    assert state.method == "gmres-block-gauss-seidel"
    assert 0 <= state.residual <= exact.DEFAULT_RESIDUAL_TOLERANCE
    assert abs(state.trace - 1) <= 1e-12
    assert len(state.blocks) == N // 2 + 1
    lowest = np.inf
    for J, block in state.blocks.items():
        assert block.shape == (round(2 * J + 1),) * 2
        np.testing.assert_array_equal(block, block.conj().T)
        lowest = min(lowest, np.linalg.eigvalsh(block)[0])
    assert lowest >= -1e-10


def test_iteration_cap_raises(monkeypatch):
    monkeypatch.setattr(exact, "_KRYLOV_MAX_ITERATIONS", 1)
    with pytest.raises(SolverError, match="did not converge"):
        steady_state(make_model(*POINTS[1]), 20, method="krylov")


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="'cholesky'"):
        steady_state(make_model(*POINTS[0]), 10, method="cholesky")


def test_krylov_rejects_collective_emission():
    with pytest.raises(ValueError, match="krylov"):
        steady_state(make_model("dicke", dict(Omega=0.5)), 10, method="krylov")
