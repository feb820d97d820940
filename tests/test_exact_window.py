r"""Tests of the excitation window of the Krylov path (:mod:`steadysqueeze.exact.window`).

References
----------
(a) The full real-coordinate operator (:class:`RealBlockLiouvillian` without a window,
    itself checked against the assembled Liouvillian in ``test_exact_krylov.py``): the
    windowed operator must be its principal submatrix on the window, and local emission
    must never lead out of the window.
(b) The unwindowed Krylov solve (``SolverOptions(excitation_window=False)``), verified
    against sparse LU and brute force in ``test_exact_krylov.py``: a windowed solve must
    give the same ⟨J⟩ and covariance to 1e-10 relative to each quantity, with the same
    full-operator residual tolerance (measured: ≤ 1.6e-11 at N = 60 and 80, against a
    reference converged to 1e-13). Points a scan solves in the full problem, at the
    default tolerance, are held to 1e-9: the default unwindowed solve itself differs from
    the reference by up to 5.6e-10 (Var Jᶻ of a nearly pure state); measured ≤ 6.7e-11.
"""

from __future__ import annotations

import weakref

import numpy as np
import pytest

from steadysqueeze.exact import Scan, SolverOptions, steady_state
from steadysqueeze.exact.preconditioner import BlockGaussSeidel
from steadysqueeze.exact.realblocks import RealBlockLiouvillian
from steadysqueeze.exact.window import EDGE_SHELLS, next_window, wide_enough
from steadysqueeze.models import make_model
from steadysqueeze.observables import moments
from steadysqueeze.state import SteadyState

PARA = ("xyz", dict(Jx=-0.5, Jy=-1.1, Jz=1.0))        # J = −0.8, δJ = 0.3: decays fast
FERRO = ("xyz", dict(Jx=1.6, Jy=-2.0, Jz=1.0))        # strongly mixed: needs every level
#: the reference: unwindowed, converged further than the default so that its own error
#: (~1e-11 relative in Var Jᶻ of a nearly pure state) does not dominate the comparison
FULL = SolverOptions(method="krylov", excitation_window=False, tolerance=1e-13)
WINDOWED = SolverOptions(method="krylov")


def window_mask(R: RealBlockLiouvillian, full: RealBlockLiouvillian) -> np.ndarray:
    """Positions of the full operator's coordinates that lie inside R's window."""
    x = R.from_blocks(full.to_blocks(np.arange(full.size, dtype=float)))
    return x.astype(int)


@pytest.mark.parametrize("N, K", [(10, 4), (11, 6), (12, 0)])
def test_windowed_operator_is_principal_submatrix(N: int, K: int) -> None:
    """(a): L_K = P L Pᵀ for the coordinates P of the window; jumps never leave it."""
    model = make_model(*PARA)
    full, R = RealBlockLiouvillian(model, N), RealBlockLiouvillian(model, N, max_excitations=K)
    assert R.size < full.size
    inside = window_mask(R, full)
    rng = np.random.default_rng(N)
    y = rng.standard_normal(R.size)
    padded = np.zeros(full.size)
    padded[inside] = y
    np.testing.assert_allclose(R.matvec(y), full.matvec(padded)[inside], rtol=0, atol=1e-12)
    # without the Hamiltonian nothing leaves the window: local emission only lowers n
    dark = make_model("xyz", dict(Jx=0.0, Jy=0.0, Jz=0.0))
    full0 = RealBlockLiouvillian(dark, N)
    outside = np.ones(full0.size, dtype=bool)
    outside[inside] = False
    assert np.abs(full0.matvec(padded)[outside]).max() == 0.0
    for k in range(R.nblocks):
        a, b = R.block_range[k]
        only = np.zeros_like(y)
        only[a:b] = y[a:b]
        np.testing.assert_allclose(R.block_matrix(k) @ y[a:b], R.matvec(only)[a:b],
                                   rtol=0, atol=1e-12)


def test_excitation_profile_counts_the_larger_index() -> None:
    """profile[n] is the largest |ρ_MM'| with max(M, M') + N/2 = n, from every block."""
    N = 8
    model = make_model(*PARA)
    R = RealBlockLiouvillian(model, N)
    blocks = {J: np.zeros_like(b) for J, b in R.to_blocks(np.zeros(R.size)).items()}
    blocks[4.0][0, 2] = blocks[4.0][2, 0] = 0.5j      # J = N/2: n = max(0, 2) = 2
    blocks[3.0][3, 1] = blocks[3.0][1, 3] = 0.25      # J = N/2 − 1: n = 3 + 1 = 4
    profile = R.excitation_profile(R.from_blocks(blocks))
    expected = np.zeros(N + 1)
    expected[2], expected[4] = 0.5, 0.25
    np.testing.assert_allclose(profile, expected, rtol=1e-15)


def test_window_decisions() -> None:
    K, N, tol = 32, 200, 1e-14
    decayed = 10.0 ** -np.arange(N + 1, dtype=float)       # 1e-14 reached at n = 14
    assert wide_enough(decayed, K, tol)
    slow = 10.0 ** (-0.25 * np.arange(N + 1, dtype=float))  # a decade per 4 levels
    edge = slow.copy()
    edge[K - EDGE_SHELLS + 1:] = 0.0
    assert wide_enough(edge, K, tol)                          # only the edge counts
    assert not wide_enough(slow, K, tol)
    # one decade below 1e-14 at n = 60, rounded up to a multiple of 8
    assert next_window(slow, K, N, tol) == 64
    assert next_window(np.ones(N + 1), K, N, tol) is None     # no decay: the full problem
    assert next_window(10.0 ** (-0.1 * np.arange(N + 1.0)), K, N, tol) is None   # K > 0.75 N


def relative_difference(a: SteadyState, b: SteadyState) -> float:
    """Largest difference of ⟨J⟩ and covariance entries, relative to each entry's size
    (entries that vanish by symmetry compared to the largest)."""
    (ma, ca), (mb, cb) = moments(a), moments(b)
    xa, xb = np.concatenate([ma, ca.ravel()]), np.concatenate([mb, cb.ravel()])
    scale = np.maximum(np.abs(xb), 1e-12 * np.abs(xb).max())
    return float((np.abs(xa - xb) / scale).max())


@pytest.mark.parametrize("N", [60, 80])
def test_windowed_solve_matches_full_at_paramagnetic_point(N: int) -> None:
    """(b) at a paramagnetic point: a window well below N, the same state."""
    model = make_model(*PARA)
    windowed, full = steady_state(model, N, WINDOWED), steady_state(model, N, FULL)
    assert windowed.info["excitation_window"] < 0.6 * N
    assert windowed.residual <= WINDOWED.tolerance
    assert relative_difference(windowed, full) <= 1e-10


def test_mixed_point_goes_to_the_full_problem() -> None:
    """A strongly mixed state never decays inside a window: the full problem is solved."""
    state = steady_state(make_model(*FERRO), 60, WINDOWED)
    assert state.info["excitation_window"] == 60
    assert state.residual <= WINDOWED.tolerance


def test_scan_through_the_transition_matches_independent_full_solves() -> None:
    """(b) along a scan from the paramagnet into the ferromagnet (windows grow, then the
    full problem; warm starts and reused preconditioners)."""
    N = 60
    models = [make_model("xyz", dict(Jx=-0.8 + d, Jy=-0.8 - d, Jz=1.0))
              for d in (0.3, 0.9, 1.5, 1.9, 2.3)]
    scan = Scan(WINDOWED)
    windows = []
    for model in models:
        state = scan.solve(model, N)
        windows.append(state.info["excitation_window"])
        assert relative_difference(state, steady_state(model, N, FULL)) <= 1e-9
    assert windows[0] < windows[-1] and windows == sorted(windows)
    # and back: the windows shrink again (each starts from its neighbour's decay)
    back = [scan.solve(model, N).info["excitation_window"]
            for model in [*reversed(models), models[0]]]
    assert back == sorted(back, reverse=True) and back[-1] < N


def test_scan_frees_a_preconditioner_before_factorising_the_next(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays flat along a scan: whenever a new preconditioner is factorised (a new
    window, the full problem, or a refactorisation), no earlier one is still alive."""
    alive_at_factorisation: list[int] = []
    earlier: list[weakref.ref] = []
    factorise = BlockGaussSeidel.__init__

    def recording(self: BlockGaussSeidel, L: RealBlockLiouvillian, *args: object,
                  **kwargs: object) -> None:
        alive_at_factorisation.append(sum(ref() is not None for ref in earlier))
        factorise(self, L, *args, **kwargs)
        earlier.append(weakref.ref(self))

    monkeypatch.setattr(BlockGaussSeidel, "__init__", recording)
    scan = Scan(WINDOWED, refactor_ratio=0.0)     # refactorise at every point
    for d in (0.3, 1.5, 2.3, 2.4):
        scan.solve(make_model("xyz", dict(Jx=-0.8 + d, Jy=-0.8 - d, Jz=1.0)), 60)
    assert len(alive_at_factorisation) >= 4
    assert alive_at_factorisation == [0] * len(alive_at_factorisation)


@pytest.mark.parametrize("value", [0.0, -1e-14, 1.0])
def test_window_tolerance_outside_zero_one_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="window_tolerance must lie in"):
        SolverOptions(window_tolerance=value)
