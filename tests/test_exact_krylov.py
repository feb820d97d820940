r"""Tests of the large-N (Krylov) path of :func:`steadysqueeze.exact.steady_state`.

References
----------
(a) The sparse-LU path (``method="direct"``), itself verified against brute-force
    :math:`2^N` Lindblad solves in ``test_exact.py``: the Krylov solution must agree
    block by block to 1e-9 (measured ≤ 3e-11 at N = 20 … 40; the Krylov residual
    target is 1e-4 × the residual tolerance).
(b) The assembled sparse Liouvillian ``L.matrix``: the matrix-free operator of the
    Krylov path (real coordinates of Hermitian blocks) and its rate scale must
    reproduce it to rounding.
(c) Physicality at N = 100 (no independent solver is practical there): residual,
    Hermiticity, unit trace, positivity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from steadysqueeze import exact
from steadysqueeze.exact import (LocalEmissionLiouvillian, Scan, SolverError, SolverOptions,
                                 steady_state)
from steadysqueeze.exact.realblocks import RealBlockLiouvillian
from steadysqueeze.models import TFI, make_model

POINTS = [
    ("xyz", dict(Jx=-0.5, Jy=-1.1, Jz=1.0)),   # paramagnetic, nearly pure (J=-0.8, dJ=0.3)
    ("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0)),    # strongly mixed ferromagnet
    ("tfi", dict(Jx=1.0, Delta=-6.0)),         # paramagnetic
    ("tfi", dict(Jx=4.0, Delta=-2.0)),         # ferromagnetic: -Δ(Δ+Jx) = 4 > γ²/4
]
IDS = ["xyz-para", "xyz-ferro", "tfi-para", "tfi-ferro"]


def random_even_hermitian_blocks(L: LocalEmissionLiouvillian,
                                 rng: np.random.Generator) -> dict[float, np.ndarray]:
    """Random Hermitian ρ^J on the parity-even sector (entries with M − M' even)."""
    blocks = {}
    for spin in L.spins:
        X = rng.standard_normal((spin.dim,) * 2) + 1j * rng.standard_normal((spin.dim,) * 2)
        X = X + X.conj().T
        i = np.arange(spin.dim)
        X[(i[:, None] - i[None, :]) % 2 == 1] = 0
        blocks[spin.J] = X
    return blocks


@pytest.mark.parametrize("N", [5, 6, 21])
@pytest.mark.parametrize("name, params", POINTS, ids=IDS)
def test_real_coordinates_operator_matches_assembled(name, params, N):
    """(b): the real-coordinate operator is the assembled complex Liouvillian."""
    model = make_model(name, params)
    L, R = LocalEmissionLiouvillian(model, N), RealBlockLiouvillian(model, N)
    blocks = random_even_hermitian_blocks(L, np.random.default_rng(N))
    scale = float(abs(L.matrix).max())
    expected = L.unpack(L.matrix @ L.pack(blocks))
    got = R.to_blocks(R.matvec(R.from_blocks(blocks)))
    for J, block in expected.items():
        assert np.abs(got[J] - block).max() <= 1e-13 * scale * N, J
    assert R.rate_scale == pytest.approx(scale, rel=1e-14)
    x = R.from_blocks(blocks)
    a, b = R.block_range[1]
    only_block = np.zeros_like(x)
    only_block[a:b] = x[a:b]
    assert np.abs(R.block_matrix(1) @ x[a:b] - R.matvec(only_block)[a:b]).max() \
        <= 1e-13 * scale * N


@dataclass(frozen=True, kw_only=True)
class RabiDrivenTFI(TFI):
    """TFI plus a Rabi drive Ω Jˣ: local emission, parity of M − M' not conserved."""

    conserves_parity: ClassVar[bool] = False
    Omega: float = 0.3

    def h1(self, N, spin):
        return super().h1(N, spin) + self.Omega * spin.jx


def test_real_coordinates_refuse_what_they_cannot_represent():
    with pytest.raises(ValueError, match="local emission"):
        RealBlockLiouvillian(make_model("dicke", dict(Omega=0.5)), 6)
    with pytest.raises(ValueError, match="parity"):
        RealBlockLiouvillian(RabiDrivenTFI(Jx=1.0, Delta=-1.0), 6)
    assert steady_state(RabiDrivenTFI(Jx=1.0, Delta=-1.0), 40).method == "sparse-lu"


@pytest.mark.parametrize("N", [20, 31, 40])
@pytest.mark.parametrize("name, params", POINTS, ids=IDS)
def test_krylov_matches_direct(name, params, N):
    model = make_model(name, params)
    direct = steady_state(model, N, SolverOptions(method="direct"))
    krylov = steady_state(model, N, SolverOptions(method="krylov"))
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
    assert steady_state(make_model("dicke", dict(Omega=0.5)), 60).method == "closed-form"
    assert steady_state(make_model("dicke", dict(Omega=0.0)), 60).method == "sparse-lu"


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


def test_iteration_cap_raises():
    with pytest.raises(SolverError, match="did not converge"):
        steady_state(make_model(*POINTS[1]), 20, SolverOptions(method="krylov", max_iterations=1))


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="'cholesky'"):
        SolverOptions(method="cholesky")


def test_krylov_rejects_collective_emission():
    with pytest.raises(ValueError, match="krylov"):
        steady_state(make_model("dicke", dict(Omega=0.5)), 10, SolverOptions(method="krylov"))


def test_scan_reuses_work_and_matches_independent_solves():
    """A scan (warm start, reused preconditioner) gives the independent solves' states."""
    models = [make_model("xyz", dict(J=-0.8, dJ=dJ, Jz=1.0)) for dJ in (0.4, 0.6, 0.8, 2.0)]
    scan = Scan()
    states = [scan.solve(model, 40) for model in models]
    assert any(s.info.get("preconditioner_reused") for s in states)
    for model, state in zip(models, states):
        alone = steady_state(model, 40)
        for J, block in alone.blocks.items():
            assert np.abs(state.blocks[J] - block).max() <= 1e-9, J
        assert state.residual <= exact.DEFAULT_RESIDUAL_TOLERANCE


def test_progress_reports_long_solves():
    lines: list[str] = []
    progress = exact.Progress(lines.append, interval=0.0)
    progress.begin("xyz N=40")
    steady_state(make_model(*POINTS[1]), 40, progress=progress)
    assert lines and all(line.startswith("xyz N=40: ") for line in lines)
    assert "iteration" in lines[0] and "converged" in lines[-1]
