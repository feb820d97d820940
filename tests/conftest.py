r"""Shared reference solutions for the physics tests.

Everything here is built *independently* of :mod:`steadysqueeze`: the operators
come from ``numpy.kron`` of 2x2 Pauli matrices (brute force on the full
:math:`2^N` space) or from :func:`qutip.jmat` / :mod:`qutip.piqs`, and the
steady states from :func:`qutip.steadystate`. See ``tests/README.md`` for the
list of references and their tolerances.
"""

from __future__ import annotations

import os

# The matrices in these tests are small (at most 4096 x 4096): BLAS threads do
# not speed them up, and on a loaded 2-core machine OpenBLAS's spinning threads
# slowed the sparse LU here by 10-50x (N = 6 brute force: 28 s with 2 threads,
# 2 s with 1). Must run before numpy/scipy load OpenBLAS; an explicit setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from functools import lru_cache, reduce  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import qutip  # noqa: E402
import scipy.sparse as sp  # noqa: E402

# Single-spin operators, basis (|up>, |down>) like qutip.jmat(1/2).
_SX = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=complex) / 2
_SY = np.array([[0.0, -1j], [1j, 0.0]], dtype=complex) / 2
_SZ = np.diag([0.5, -0.5]).astype(complex)
_SM = np.array([[0.0, 0.0], [1.0, 0.0]], dtype=complex)  # |down><up|


def local_operator(op: np.ndarray, site: int, N: int) -> np.ndarray:
    """``op`` acting on spin ``site`` of ``N`` (dense, 2^N x 2^N)."""
    factors = [np.eye(2, dtype=complex)] * N
    factors[site] = op
    return reduce(np.kron, factors)


@lru_cache(maxsize=None)
def brute_collective(N: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Collective :math:`J^a = \sum_i S_i^a` on the full :math:`2^N` space."""
    return tuple(sum(local_operator(s, i, N) for i in range(N)) for s in (_SX, _SY, _SZ))


def brute_hamiltonian(name: str, params: dict[str, float], N: int) -> np.ndarray:
    """Eq. 35 (``xyz``) or Eq. 53 (``tfi``) written with the site operators of the full space."""
    Jx, Jy, Jz = brute_collective(N)
    if name == "xyz":
        return (params["Jx"] * Jx @ Jx + params["Jy"] * Jy @ Jy + params["Jz"] * Jz @ Jz) / N
    if name == "tfi":
        return params["Jx"] / N * Jx @ Jx + params["Delta"] * Jz
    raise ValueError(name)


@lru_cache(maxsize=None)
def _brute_steady_state_cached(name: str, items: tuple, N: int) -> np.ndarray:
    params = dict(items)
    H = brute_hamiltonian(name, params, N)
    dims = [[2] * N, [2] * N]
    gamma = params.get("gamma", 1.0)
    c_ops = [qutip.Qobj(sp.csr_matrix(np.sqrt(gamma) * local_operator(_SM, i, N)), dims=dims)
             for i in range(N)]
    # sparse LU with the minimum-degree ordering on A^T + A: N = 6 (4096 unknowns)
    # in ~2 s, against ~6 s for qutip's dense default and 6-25 s for COLAMD
    rho = qutip.steadystate(qutip.Qobj(sp.csr_matrix(H), dims=dims), c_ops,
                            solver="spsolve", permc_spec="MMD_AT_PLUS_A")
    return rho.full()


def brute_steady_state(name: str, params: dict[str, float], N: int) -> np.ndarray:
    r"""Steady state of the Lindblad equation on the full :math:`2^N` space.

    Hamiltonian from :func:`brute_hamiltonian`, N local jump operators
    :math:`\sqrt{\gamma}\,S_i^-`, solved by :func:`qutip.steadystate`.
    Cached: every (model, parameters, N) is solved once per session.
    """
    return _brute_steady_state_cached(name, tuple(sorted(params.items())), N)


def qfi_from_eigendecomposition(rho: np.ndarray, generator: np.ndarray) -> float:
    r"""QFI of a mixed state, Eq. 19 with the denominator :math:`p_k + p_l`.

    :math:`F = 2\sum_{kl} (p_k - p_l)^2/(p_k + p_l)\,|\langle k|A|l\rangle|^2`,
    pairs with :math:`p_k + p_l = 0` omitted.
    """
    p, V = np.linalg.eigh(rho)
    p = np.clip(p, 0.0, None)
    A = V.conj().T @ generator @ V
    total = p[:, None] + p[None, :]
    diff2 = (p[:, None] - p[None, :]) ** 2
    mask = total > 0
    return float(2.0 * np.sum(diff2[mask] / total[mask] * np.abs(A[mask]) ** 2))


def moments_of(rho: np.ndarray, ops) -> tuple[np.ndarray, np.ndarray]:
    """Mean and symmetrised covariance of three operators in the dense state ``rho``."""
    mean = np.array([np.trace(rho @ o).real for o in ops])
    second = np.array([[np.trace(rho @ (a @ b + b @ a)).real / 2 for b in ops] for a in ops])
    return mean, second - np.outer(mean, mean)


def reversed_basis(matrix: np.ndarray) -> np.ndarray:
    """Reorder a spin-J matrix from M ascending (steadysqueeze) to M descending (qutip)."""
    return np.asarray(matrix)[::-1, ::-1]


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so that every "random" test input is reproducible."""
    return np.random.default_rng(20240611)


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory: pytest.TempPathFactory):
    """One run of ``config/quick.yaml`` in a fresh copy of the workflow, shared by the
    end-to-end tests (the run takes about a minute on 2 cores)."""
    from workflow_helpers import copy_workflow, snakemake

    workdir = copy_workflow(tmp_path_factory.mktemp("quick"))
    result = snakemake(workdir, "--cores", "2", "--configfile", "config/quick.yaml")
    assert result.returncode == 0, result.stderr[-5000:]
    return workdir


def dicke_closed_form(N: int, Omega: float, Gamma: float = 1.0) -> np.ndarray:
    r"""Steady state of the driven Dicke model (H = −Ω Jˣ, jump √(Γ/N) J⁻) in closed form.

    Puri & Lawande (1979), Carmichael (1980): with A = J⁻ − g, g = iΩN/Γ, the Liouvillian
    is (Γ/N) D[A] (since D[J⁻ − g]ρ = D[J⁻]ρ − i[−ΩJˣ, ρ]), and ρ ∝ (A†A)⁻¹ = A⁻¹A⁻†
    solves D[A]ρ = 0. A is bidiagonal: with c_j = ⟨j−1|J⁻|j⟩ (index j = M + N/2),
    |A⁻¹[a, m]| = u_m v_a, ln u_m = S(m) − (m+1) ln|g|, ln v_a = a ln|g| − S(a),
    S(m) = Σ_{j≤m} ln c_j, and the phase of A⁻¹[a,m] conj(A⁻¹[b,m]) is i^(a−b) for Ω > 0,
    so ρ[a,b] = i^(a−b) v_a v_b W(max(a,b)) / Z, W(m) = Σ_{m'≥m} u_{m'}², evaluated in
    log space (no overflow at any N). Dense, M ascending, trace 1.
    """
    from scipy.special import logsumexp

    J = N / 2
    M = -J + np.arange(N + 1)
    c = np.sqrt(np.maximum(J * (J + 1) - M[1:] * (M[1:] - 1), 0.0))
    S = np.concatenate(([0.0], np.cumsum(np.log(c))))
    log_g = np.log(abs(Omega) * N / Gamma)
    index = np.arange(N + 1)
    log_u, log_v = S - (index + 1) * log_g, index * log_g - S
    log_W = np.logaddexp.accumulate((2 * log_u)[::-1])[::-1]
    log_Z = logsumexp(2 * log_v + log_W)
    R = np.exp(log_v[:, None] + log_v[None, :] + log_W[np.maximum.outer(index, index)] - log_Z)
    phase = (1j if Omega > 0 else -1j) ** (index % 4)
    return phase[:, None] * phase.conj()[None, :] * R


def wineland_xi2(rho: np.ndarray, ops, N: int) -> float:
    """ξ_R² = N min_⊥ Var / |⟨J⟩|² of a dense state, from its moments (Eq. 18)."""
    mean, cov = moments_of(rho, ops)
    n = mean / np.linalg.norm(mean)
    trial = np.eye(3)[int(np.argmin(np.abs(n)))]
    e1 = trial - (trial @ n) * n
    e1 /= np.linalg.norm(e1)
    plane = np.stack([e1, np.cross(n, e1)])
    return float(N * np.linalg.eigvalsh(plane @ cov @ plane.T)[0] / (mean @ mean))
