"""The preconditioner's sweep (:mod:`steadysqueeze.exact.preconditioner`) and flexible GMRES.

- With one domain the sweep is the symmetric block Gauss–Seidel operator
  :math:`(D + U)^{-1} D (D + L)^{-1}` of the anchored Liouvillian, built densely here.
- Domains, single-precision factors and worker threads change how GMRES gets there,
  not where: the steady state's ⟨J⟩ and covariance agree with the lexicographic
  double-precision solve to 1e-10 relative; the worker count changes nothing (1e-12).
- Flexible GMRES solves with a preconditioner that changes from one call to the next.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

from steadysqueeze.exact import SolverOptions, preconditioner, steady_state
from steadysqueeze.exact.floating import can_flush_subnormals, subnormals_flushed
from steadysqueeze.exact.krylov import gmres
from steadysqueeze.exact.options import SweepOptions, thread_budget
from steadysqueeze.exact.preconditioner import (
    SINGLE_PEAK_EXPONENT,
    BlockGaussSeidel,
    split_domains,
)
from steadysqueeze.exact.realblocks import RealBlockLiouvillian
from steadysqueeze.models import TFI, XYZ
from steadysqueeze.observables import moments

XYZ_FERRO = XYZ(Jx=1.6, Jy=-2.0, Jz=1.0, gamma=1.0)
TFI_FERRO = TFI(Jx=4.0, Delta=-2.0, gamma=1.0)
LEXICOGRAPHIC = SweepOptions(precision="double", domains=1, workers=1)


def _dense_anchored(L: RealBlockLiouvillian) -> np.ndarray:
    """L̃ densely: L with its first row replaced by the trace."""
    A = np.column_stack([L.matvec(e) for e in np.eye(L.size)])
    A[0] = 0.0
    A[0, L.diag_positions] = 1.0
    return A


def _block_parts(A: np.ndarray, ranges: list[tuple[int, int]]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The block diagonal, strictly lower and strictly upper block parts of A."""
    D, lower = np.zeros_like(A), np.zeros_like(A)
    for k, (a, b) in enumerate(ranges):
        D[a:b, a:b] = A[a:b, a:b]
        lower[b:, a:b] = A[b:, a:b]
    return D, lower, A - D - lower


@pytest.mark.parametrize("model", [XYZ_FERRO, TFI_FERRO], ids=["xyz", "tfi"])
def test_one_domain_is_symmetric_block_gauss_seidel(model):
    L = RealBlockLiouvillian(model, 8)
    D, lower, upper = _block_parts(_dense_anchored(L), L.block_range)
    expected = np.linalg.solve(D + upper, D @ np.linalg.inv(D + lower))
    sweep = BlockGaussSeidel(L, LEXICOGRAPHIC)
    got = np.column_stack([sweep(e) for e in np.eye(L.size)])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-11 * np.abs(expected).max())


@pytest.mark.parametrize("costs, domains", [
    ([9, 8, 7, 5, 3, 2, 1, 1, 1, 1], 2), ([1.0] * 12, 3), (list(range(40, 0, -1)), 4),
    ([5, 1, 1], 2), ([1, 1], 3), ([3, 2, 1, 1], 1)])
def test_domains_are_contiguous_and_balanced(costs, domains):
    cut = split_domains(costs, domains)
    assert cut[0][0] == 0 and cut[-1][1] == len(costs)
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(cut))
    assert all(b - a >= 2 for a, b in cut)
    assert len(cut) == max(1, min(domains, len(costs) // 2))
    loads = [sum(costs[a:b]) for a, b in cut]
    # each domain's load is within one block of the ideal share
    assert max(loads) - sum(costs) / len(cut) <= max(costs) + 1e-12


def _moments(model, N: int, sweep: SweepOptions) -> tuple[np.ndarray, int]:
    state = steady_state(model, N, SolverOptions(method="krylov", sweep=sweep))
    mean, covariance = moments(state)
    return np.concatenate([mean, covariance.ravel()]), state.iterations


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(max(np.abs(a[:3] - b[:3]).max() / np.abs(b[:3]).max(),
                     np.abs(a[3:] - b[3:]).max() / np.abs(b[3:]).max()))


@pytest.mark.parametrize("model", [XYZ_FERRO, TFI_FERRO], ids=["xyz", "tfi"])
@pytest.mark.parametrize("sweep", [
    SweepOptions(precision="single", domains=1, workers=1),
    SweepOptions(precision="double", domains=2, workers=1),
    SweepOptions(precision="single", domains=3, workers=2)],
    ids=["single", "2 domains", "single, 3 domains, 2 workers"])
def test_sweeps_reach_the_same_steady_state(model, sweep):
    reference, _ = _moments(model, 60, LEXICOGRAPHIC)
    got, _ = _moments(model, 60, sweep)
    assert _relative(got, reference) <= 1e-10


def test_worker_count_changes_nothing():
    one, iterations_one = _moments(XYZ_FERRO, 50, SweepOptions(domains=2, workers=1))
    two, iterations_two = _moments(XYZ_FERRO, 50, SweepOptions(domains=2, workers=2))
    assert iterations_one == iterations_two
    assert _relative(two, one) <= 1e-12


def test_single_precision_sweep_needs_flexible_gmres():
    L = RealBlockLiouvillian(XYZ_FERRO, 30)
    assert BlockGaussSeidel(L, LEXICOGRAPHIC).flexible_dtype is None
    single = BlockGaussSeidel(L, SweepOptions(precision="single"))
    assert single.flexible_dtype == np.float32
    assert single.nbytes < BlockGaussSeidel(L, LEXICOGRAPHIC).nbytes


@pytest.mark.parametrize("exponent", [SINGLE_PEAK_EXPONENT, 129],
                         ids=["scaled", "overflowing scale"])
def test_single_precision_block_solve(monkeypatch, exponent):
    """A right-hand side spanning 200 decades (as ρ does with the excitation number) is
    solved to single-precision accuracy; a scale that overflows float32 is retried
    unscaled rather than returned as inf."""
    monkeypatch.setattr(preconditioner, "SINGLE_PEAK_EXPONENT", exponent)
    L = RealBlockLiouvillian(XYZ_FERRO, 30)
    single = BlockGaussSeidel(L, SweepOptions(precision="single", domains=1))
    double = BlockGaussSeidel(L, LEXICOGRAPHIC)
    k = 3
    a, b = L.block_range[k]
    rhs = np.logspace(0, -200, b - a) * np.random.default_rng(2).choice([-1, 1], b - a)
    got, expected = single._solve(k, rhs), double._solve(k, rhs)
    assert np.isfinite(got).all()
    assert np.abs(got - expected).max() <= 1e-5 * np.abs(expected).max()


def test_flexible_gmres_solves_with_a_changing_preconditioner():
    rng = np.random.default_rng(7)
    n = 200
    A = np.eye(n) * 4 + rng.standard_normal((n, n)) / np.sqrt(n)
    b = rng.standard_normal(n)
    inverse = np.linalg.inv(A)
    calls = []

    def changing(v: np.ndarray) -> np.ndarray:
        """A different approximate inverse at every call."""
        calls.append(1)
        noise = 1e-3 * rng.standard_normal((n, n)) / np.sqrt(n)
        return (inverse + noise) @ v

    result = gmres(lambda x: A @ x, b, changing, 1e-13, 50, 200, flexible=np.dtype(float))
    assert np.linalg.norm(A @ result.x - b) <= 1e-12 * np.linalg.norm(b)
    assert len(calls) == result.iterations    # no extra application for the update


@pytest.mark.parametrize("bad, field", [
    ({"precision": "half"}, "precision"), ({"domains": 0}, "domains"),
    ({"workers": 0}, "workers"), ({"domains": 1.5}, "domains")])
def test_bad_sweep_options_name_the_field(bad, field):
    with pytest.raises(ValueError, match=field):
        SweepOptions(**bad)


@pytest.mark.parametrize("bad", [-1, 2.5, "10"])
def test_bad_deflation_names_the_field(bad):
    with pytest.raises(ValueError, match="krylov_deflation must be an integer >= 0"):
        SolverOptions(krylov_deflation=bad)


def test_thread_budget_follows_omp_num_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert thread_budget() == 3
    assert SweepOptions(domains=2).threads(2) == 2
    assert SweepOptions(domains=4, workers=1).threads(4) == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert thread_budget() >= 1


def test_default_domains_follow_the_problem_not_the_machine(monkeypatch):
    from steadysqueeze.exact.options import TWO_DOMAINS_FROM
    for budget in ("1", "16"):
        monkeypatch.setenv("OMP_NUM_THREADS", budget)
        assert SweepOptions().domains_for(TWO_DOMAINS_FROM - 1) == 1
        assert SweepOptions().domains_for(TWO_DOMAINS_FROM) == 2
    assert SweepOptions(domains=3).domains_for(10) == 3
    L = RealBlockLiouvillian(XYZ_FERRO, 40)
    assert len(BlockGaussSeidel(L).domains) == 1
    assert len(BlockGaussSeidel(L, SweepOptions(domains=3)).domains) == 3


@pytest.mark.skipif(not can_flush_subnormals(), reason="flushing acts on x86-64 Linux only")
def test_subnormals_are_flushed_inside_only():
    tiny = np.full(4, 1e-39, dtype=np.float32)
    half = np.float32(0.5)
    assert (tiny * half)[0] != 0          # a subnormal result
    with subnormals_flushed():
        assert (tiny * half)[0] == 0
        assert (tiny + np.float32(0))[0] == 0    # subnormal inputs read as zero (DAZ)
    assert (tiny * half)[0] != 0          # restored


@pytest.mark.skipif(not can_flush_subnormals(), reason="flushing acts on x86-64 Linux only")
def test_single_precision_sweep_threads_flush_and_restore():
    L = RealBlockLiouvillian(XYZ_FERRO, 30)
    sweep = BlockGaussSeidel(L, SweepOptions(precision="single", domains=2, workers=2))
    seen = []

    def probe(i: int) -> None:
        seen.append((np.full(1, 1e-39, dtype=np.float32) * np.float32(0.5))[0])
    sweep._each_domain(probe)
    assert seen == [0.0, 0.0]
    sweep(np.ones(L.size))
    assert (np.full(1, 1e-39, dtype=np.float32) * np.float32(0.5))[0] != 0


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_factors_made_in_worker_threads_are_freed():
    """Each domain is factorised in its owner thread, and its factors are freed there when
    the preconditioner goes (SciPy's SuperLU frees only in the allocating thread): six
    rounds of factorisation leave the resident memory as one round left it."""
    L = RealBlockLiouvillian(XYZ_FERRO, 100)
    options = SweepOptions(precision="double", domains=2, workers=2)
    sweep = BlockGaussSeidel(L, options)
    one_round = sweep.nbytes
    assert {id(owner) for owner in sweep._owners} == \
        {id(preconditioner.owner_thread(i)) for i in range(2)}
    del sweep
    after_first = _resident_bytes()
    for _ in range(5):
        sweep = BlockGaussSeidel(L, options)
        del sweep
    for i in range(2):     # the frees queued in the owner threads have run
        preconditioner.owner_thread(i).submit(lambda: None).result()
    assert _resident_bytes() - after_first < one_round


def _slow_modes(n: int, dtype: type, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A nonsymmetric system with five small eigenvalues (slow directions for GMRES)."""
    rng = np.random.default_rng(seed)
    A = np.diag(np.linspace(1, 3, n)) + 0.3 * rng.standard_normal((n, n)) / np.sqrt(n)
    if dtype is complex:
        A = A + 0.2j * rng.standard_normal((n, n)) / np.sqrt(n)
    A[np.arange(5), np.arange(5)] = [1e-3, 3e-3, 1e-2, 2e-2, 5e-2]
    b = rng.standard_normal(n).astype(dtype)
    return A, b


@pytest.mark.parametrize("dtype, flexible", [
    (float, None), (float, np.dtype(np.float32)), (complex, np.dtype(np.complex64))],
    ids=["real", "real flexible", "complex flexible"])
def test_deflated_restarts_keep_the_slow_directions(dtype, flexible):
    """Restarted every 20 iterations, GMRES forgets the slow directions and crawls; keeping
    6 harmonic Ritz vectors (GMRES-DR, FGMRES-DR) converges nearly as an unrestarted
    GMRES does, to the same solution."""
    A, b = _slow_modes(400, dtype)
    exact = np.linalg.solve(A, b)
    atol = 1e-10 * np.linalg.norm(b)

    def solve(restart: int, deflate: int):
        return gmres(lambda v: A @ v, b, lambda v: v.copy(), atol, restart, 3000,
                     flexible=flexible, deflate=deflate)
    plain, deflated, whole = solve(20, 0), solve(20, 6), solve(400, 0)
    assert deflated.residual_norm <= atol    # (the plain restarts may stagnate)
    assert deflated.cycles > 1
    assert deflated.iterations < min(plain.iterations / 5, 2 * whole.iterations)
    assert np.abs(deflated.x - exact).max() < 1e-7 * np.abs(exact).max()


def test_steady_state_with_deflated_restarts_matches_lexicographic():
    """A basis of 24 vectors with 10 kept at each restart: the moments agree with the
    unrestarted double-precision lexicographic solve to 1e-10."""
    reference, _ = _moments(XYZ_FERRO, 80, LEXICOGRAPHIC)
    options = SolverOptions(method="krylov", excitation_window=False, krylov_basis_bytes=0.0,
                            krylov_deflation=10)
    state = steady_state(XYZ_FERRO, 80, options)
    assert state.iterations > 24     # it restarted
    mean, cov = moments(state)
    got = np.concatenate([mean, cov.ravel()])
    assert np.abs(got - reference).max() < 1e-10 * np.abs(reference).max()
