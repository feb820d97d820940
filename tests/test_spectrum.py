r"""Tests of the slowest Liouvillian eigenvalues (:mod:`steadysqueeze.exact.spectrum`).

References (tolerances next to the assertions; measured deviations in tests/README.md)
------------------------------------------------------------------------------------------
(a) Brute force on the full :math:`2^N` space, N = 4, 5, 6: the Lindbladian built from
    site operators (``numpy.kron``, :mod:`conftest`) applied to a basis of the
    permutation-invariant operators (the indicator matrices of the classes of
    :math:`(|r\rangle, \langle c|)` under simultaneous permutation of the N sites: the
    symmetrised products of :math:`|a\rangle\langle b|`), its matrix in that basis
    diagonalised densely, split by the parity of M − M'.
(b) ``qutip.piqs``: the Liouvillian of :class:`qutip.piqs.Dicke` restricted to its
    physical (block-diagonal) entries, N = 10, 13, 16, diagonalised densely (PIQS stores
    its rates in single precision).
(c) The project's own assembled Liouvillian (``liouvillian(model, N).full_matrix``),
    diagonalised densely per sector, N = 20, 21, 22: checks the shift-invert Arnoldi path
    and the excitation window at sizes where they, not the dense path, run; and the
    window against the full problem at N = 36.
(d) The driven Dicke model: at Ω = 0 the Liouvillian :math:`(\Gamma/N)D[J^-]` is
    triangular in the Dicke basis (:func:`dicke_zero_drive_spectrum`), so its spectrum is
    known in closed form; at Ω > 0 ``qutip.liouvillian`` of
    :math:`-\Omega J^x` and :math:`\sqrt{\Gamma/N}J^-` on the symmetric manifold, and
    below the transition the N = ∞ limit of the gap, :math:`(\Gamma/2)\sqrt{1 -
    4\Omega^2/\Gamma^2}`, approached like 1/N.
"""

from __future__ import annotations

import numpy as np
import pytest
import qutip
import scipy.sparse as sp
from conftest import _SM, _SZ, brute_collective, brute_hamiltonian, local_operator
from qutip import piqs

from steadysqueeze.exact.liouvillian import liouvillian
from steadysqueeze.exact.spectrum import (Spectrum, SpectrumMemoryError, SpectrumOptions,
                                          slowest_eigenvalues, spectrum_memory_bytes)
from steadysqueeze.models import make_model
from steadysqueeze.models.declared import load_declarations

XYZ_FERRO = dict(Jx=1.6, Jy=-2.0, Jz=1.0, gamma=0.7)     # mixed, ordered phase
XYZ_PARA = dict(Jx=0.2, Jy=-1.8, Jz=1.0)                  # J = -0.8, dJ = 1.0
TFI_FERRO = dict(Jx=4.0, Delta=-2.0, gamma=1.3)

DECLARED = load_declarations("""
models:
  xyz_pumped:       # xyz with local emission, dephasing and pumping: even H
    parameters: {Jx: 1.6, Jy: -2.0, Jz: 1.0, gamma: 1.0, gamma_phi: 0.3, w: 0.2}
    hamiltonian: "(Jx*Sx**2 + Jy*Sy**2 + Jz*Sz**2)/N"
    dissipation: {emission: gamma, dephasing: gamma_phi, pumping: w}
  odd_all:          # odd H (no parity sectors), local and collective channels
    parameters: {Omega: 0.7, Jz: 1.0}
    hamiltonian: "Omega*(Sx + 0.5*Sy) + Jz*Sz**2/N"
    dissipation: {emission: 1.0, dephasing: 0.3, pumping: 0.2, collective_emission: 1/N,
                  collective_dephasing: 0.1}
""")
PUMPED = dict(Jx=1.6, Jy=-2.0, Jz=1.0, gamma=1.0, gamma_phi=0.3, w=0.2)

#: tight tolerances for the comparisons at 1e-9 (the defaults, 1e-10, leave ~1e-9 on the
#: k-th eigenvalue, whose Ritz value converges last)
TIGHT = SpectrumOptions(arpack_tolerance=1e-12, solve_tolerance=1e-12)
ARNOLDI = SpectrumOptions(arpack_tolerance=1e-12, solve_tolerance=1e-12, dense_below=0)


def model_of(name: str, params: dict):
    if name in DECLARED:
        return DECLARED[name].from_parameters(params)
    return make_model(name, params)


def nonzero(values: np.ndarray) -> np.ndarray:
    """The eigenvalues without the steady state's 0 (the one nearest 0)."""
    return np.delete(values, np.argmin(np.abs(values)))


def deviation(spectrum: Spectrum, reference: dict[str, np.ndarray]) -> float:
    """Largest distance between the computed eigenvalues and the reference of their sector,
    both ways: every computed value must be a reference eigenvalue, and every reference
    eigenvalue inside the sector's radius must have been found."""
    worst = 0.0
    for sector in set(spectrum.sectors):
        ours, ref = spectrum.in_sector(sector), reference[sector]
        worst = max(worst, float(np.abs(ours[:, None] - ref[None, :]).min(axis=1).max()))
        inside = ref[np.abs(ref) < spectrum.radius[sector] - 1e-6]
        if inside.size:
            worst = max(worst, float(np.abs(inside[:, None] - ours[None, :]).min(axis=1).max()))
    return worst


def by_parity(matrix: np.ndarray, parity: np.ndarray, steady: bool = True
              ) -> dict[str, np.ndarray]:
    """Dense eigenvalues of a parity-conserving matrix per sector (the steady state's 0
    removed from the even one); ``parity`` of M − M' per index."""
    out = {}
    for p, name in ((0, "even"), (1, "odd")):
        idx = np.flatnonzero(parity == p)
        off = np.abs(matrix[np.ix_(idx, np.flatnonzero(parity != p))])
        assert off.max(initial=0.0) == 0.0   # the sectors decouple exactly
        values = np.linalg.eigvals(matrix[np.ix_(idx, idx)])
        out[name] = nonzero(values) if p == 0 and steady else values
    return out


# -- (a) brute force on the full 2^N space -----------------------------------------------------
def dissipator_terms(N: int, rates: dict[str, float]) -> list[np.ndarray]:
    """√rate × jump operators on every site: emission σ⁻, dephasing σᶻ/2, pumping σ⁺."""
    single = {"emission": _SM, "dephasing": _SZ, "pumping": _SM.T.copy()}
    return [np.sqrt(rate) * local_operator(single[name], i, N)
            for name, rate in rates.items() if rate for i in range(N)]


def permutation_invariant_restriction(H: np.ndarray, jumps: list[np.ndarray], N: int
                                      ) -> tuple[np.ndarray, np.ndarray]:
    r"""The Lindbladian on the permutation-invariant operators: basis B_j = indicator of a
    class of (r, c) under simultaneous permutation of the sites (key: how many sites carry
    each pair of bits), matrix entry i, j = (L B_j) at a representative of class i. Also
    the parity of M − M' of each class (the number of sites where r and c differ)."""
    dim = 2 ** N
    bits = (np.arange(dim)[:, None] >> np.arange(N)[None, :]) & 1
    pair = 2 * bits[:, None, :] + bits[None, :, :]                  # dim × dim × N
    counts = np.stack([(pair == t).sum(axis=2) for t in range(4)], axis=-1)
    key = ((counts[..., 1] * (N + 1) + counts[..., 2]) * (N + 1) + counts[..., 3])
    classes, first = np.unique(key.ravel(), return_index=True)
    rows, cols = np.divmod(first, dim)
    decay = sum((A.conj().T @ A for A in jumps), np.zeros(H.shape, dtype=complex))
    M = np.empty((classes.size, classes.size), dtype=complex)
    for j, cls in enumerate(classes):
        B = (key == cls).astype(complex)
        LB = -1j * (H @ B - B @ H) - 0.5 * (decay @ B + B @ decay)
        for A in jumps:
            LB += A @ B @ A.conj().T
        assert np.allclose(LB, LB[rows, cols][np.searchsorted(classes, key)], atol=1e-12)
        M[:, j] = LB[rows, cols]
    parity = (counts[rows, cols, 1] + counts[rows, cols, 2]) % 2
    return M, parity


def brute_reference(name: str, params: dict, N: int) -> dict[str, np.ndarray]:
    if name == "xyz_pumped":
        Jx, Jy, Jz = brute_collective(N)
        H = (params["Jx"] * Jx @ Jx + params["Jy"] * Jy @ Jy + params["Jz"] * Jz @ Jz) / N
        rates = {"emission": params["gamma"], "dephasing": params["gamma_phi"],
                 "pumping": params["w"]}
    else:
        H, rates = brute_hamiltonian(name, params, N), {"emission": params.get("gamma", 1.0)}
    M, parity = permutation_invariant_restriction(H, dissipator_terms(N, rates), N)
    return by_parity(M, parity)


@pytest.mark.parametrize("path", ["arnoldi", "dense"])
@pytest.mark.parametrize("name,params", [("xyz", XYZ_FERRO), ("xyz", XYZ_PARA),
                                         ("tfi", TFI_FERRO), ("xyz_pumped", PUMPED)])
@pytest.mark.parametrize("N", [4, 5, 6])
def test_brute_force(name, params, N, path):
    """(a): every eigenvalue found is one of the permutation-invariant sector's, and none
    nearer zero is missed; tolerance 1e-9 (absolute, rates of order 1)."""
    reference = brute_reference(name, params, N)
    spectrum = slowest_eigenvalues(model_of(name, params), N, k=4,
                                   options=ARNOLDI if path == "arnoldi" else TIGHT)
    assert set(spectrum.sectors) == {"even", "odd"}
    assert deviation(spectrum, reference) <= 1e-9
    assert spectrum.info["even_dense"] == (path == "dense")


def test_brute_force_sector_count():
    """The permutation-invariant operators number Σ_J (2J+1)² = C(N+3, 3) (Schur–Weyl): the
    same unknowns as the block representation, so no eigenvalue is spurious or lost."""
    M, _ = permutation_invariant_restriction(np.zeros((64, 64)), [], 6)
    assert M.shape == (84, 84)
    assert liouvillian(make_model("xyz", XYZ_FERRO), 6).full_matrix.shape == (84, 84)


# -- (b) qutip.piqs on its physical entries ----------------------------------------------------
def piqs_reference(N: int, H: qutip.Qobj, **rates: float) -> dict[str, np.ndarray]:
    """PIQS's Liouvillian (column-stacked vec of its Dicke-basis matrix: blocks from
    J = N/2 down, M descending) on the entries inside the blocks, per parity sector."""
    nds = piqs.num_dicke_states(N)
    superop = piqs.Dicke(N, hamiltonian=H, **rates).liouvillian().data_as("csr_matrix")
    index, parity, offset = [], [], 0
    for J in np.arange(N / 2, -0.1, -1):
        d = int(round(2 * J + 1))
        a, b = np.divmod(np.arange(d * d), d)
        index.append((offset + a) + nds * (offset + b))
        parity.append((a - b) % 2)
        offset += d
    idx = np.concatenate(index)
    return by_parity(sp.csr_matrix(superop)[idx][:, idx].toarray(), np.concatenate(parity))


@pytest.mark.parametrize("name,params,N", [("xyz", XYZ_FERRO, 10), ("tfi", TFI_FERRO, 13),
                                           ("xyz_pumped", PUMPED, 16)])
def test_against_piqs(name, params, N):
    """(b): tolerance 1e-7 relative to the largest rate max|L_ij| (PIQS stores its rates in
    single precision, relative error 6e-8; near-degenerate eigenvalues move by several
    times that)."""
    jx, jy, jz = piqs.jspin(N)
    if name == "tfi":
        H, rates = params["Jx"] / N * jx * jx + params["Delta"] * jz, \
            {"emission": params["gamma"]}
    else:
        H = (params["Jx"] * jx * jx + params["Jy"] * jy * jy + params["Jz"] * jz * jz) / N
        rates = {"emission": params.get("gamma", 1.0)}
        if name == "xyz_pumped":
            rates.update(dephasing=params["gamma_phi"], pumping=params["w"])
    model = model_of(name, params)
    spectrum = slowest_eigenvalues(model, N, k=6, options=TIGHT)
    scale = liouvillian(model, N).rate_scale
    assert deviation(spectrum, piqs_reference(N, H, **rates)) <= 1e-7 * scale


# -- (c) the project's own Liouvillian, dense --------------------------------------------------
def own_reference(model, N: int) -> dict[str, np.ndarray]:
    """Dense eigenvalues of the assembled block Liouvillian (all Σ_J (2J+1)² entries)."""
    L = liouvillian(model, N)
    parity = np.concatenate([np.subtract(*np.divmod(np.arange(s.dim ** 2), s.dim)) % 2
                             for s in L.spins])
    matrix = L.full_matrix.toarray()
    if not model.conserves_parity:
        return {"all": nonzero(np.linalg.eigvals(matrix))}
    return by_parity(matrix, parity)


@pytest.mark.parametrize("name,params,N,first_window,solve_tolerance", [
    ("xyz", XYZ_FERRO, 20, None, 1e-12),     # ordered phase: the odd gap is small
    # odd N; the window grows to the full problem; at 1e-12 GMRES needs 170 iterations per
    # solve in the odd sector (10 s), at 1e-11 12 (1 s)
    ("tfi", TFI_FERRO, 21, 6, 1e-11),
    ("xyz", XYZ_PARA, 22, 8, 1e-12),         # paramagnetic, windows too narrow: full problem
    ("xyz_pumped", PUMPED, 20, 8, 1e-12),    # pumping raises n: the window does not suffice
    ("odd_all", dict(), 20, None, 1e-12),    # no parity: one sector, collective channels too
])
def test_shift_invert_against_dense(name, params, N, first_window, solve_tolerance):
    """(c): tolerance 1e-9 (absolute)."""
    model = model_of(name, params)
    options = SpectrumOptions(arpack_tolerance=1e-12, solve_tolerance=solve_tolerance,
                              first_window=first_window or 32)
    spectrum = slowest_eigenvalues(model, N, k=4, options=options)
    assert not any(spectrum.info.get(f"{s}_dense") for s in spectrum.radius)
    assert deviation(spectrum, own_reference(model, N)) <= 1e-9
    assert np.all(spectrum.residuals <= 1e-9)


def test_window_is_used_at_a_paramagnetic_point():
    """Deep in the paramagnetic phase (J = -0.8, dJ = 0.15, N = 36) the eigenvectors decay
    with the excitation number: a window of 12 is too narrow, one of 24 suffices, and it
    gives the eigenvalues of the full problem to 1e-9."""
    model = make_model("xyz", dict(J=-0.8, dJ=0.15, Jz=1.0))
    options = dict(arpack_tolerance=1e-12, solve_tolerance=1e-12, first_window=12)
    windowed = slowest_eigenvalues(model, 36, k=4, options=SpectrumOptions(**options))
    full = slowest_eigenvalues(model, 36, k=4,
                               options=SpectrumOptions(**options, excitation_window=False))
    for sector in ("even", "odd"):
        assert windowed.info[f"{sector}_windows"] == 2
        assert windowed.info[f"{sector}_window"] == 24
    assert full.info["even_window"] == full.info["odd_window"] == 36
    np.testing.assert_allclose(windowed.eigenvalues, full.eigenvalues, rtol=0, atol=1e-9)
    assert windowed.residuals.max() <= 1e-9


# -- (d) the driven Dicke model ----------------------------------------------------------------
def dicke_zero_drive_spectrum(N: int, Gamma: float) -> np.ndarray:
    r"""Eigenvalues of :math:`(\Gamma/N)D[J^-]` on J = N/2: in the basis
    :math:`|i\rangle\langle i'|` (i = M + N/2) the jump :math:`J^-\rho J^+` lowers i + i'
    and the rest is diagonal, :math:`-\frac{\Gamma}{2N}(a_i + a_{i'})|i\rangle\langle i'|`
    with :math:`a_i = \langle i|J^+J^-|i\rangle = i(N + 1 - i)`; so L is triangular and
    :math:`\lambda_{ii'} = -\frac{\Gamma}{2N}[i(N+1-i) + i'(N+1-i')]`. The gap, from
    (i, i') = (1, 0), (0, 1), (N, 0), (0, N), is Γ/2 at every N."""
    a = np.arange(N + 1) * (N + 1 - np.arange(N + 1))
    return -(Gamma / (2 * N)) * (a[:, None] + a[None, :]).ravel()


@pytest.mark.parametrize("N,Gamma", [(10, 1.0), (31, 2.0), (150, 1.0)])
def test_dicke_zero_drive_closed_form(N, Gamma):
    """(d) Ω = 0: gap Γ/2 to 1e-10 (relative), every eigenvalue in the closed-form set to
    1e-9 (degenerate eigenvalues may be listed fewer times than they occur)."""
    spectrum = slowest_eigenvalues(make_model("dicke", dict(Omega=0.0, Gamma=Gamma)), N, k=4)
    assert spectrum.sectors == ("all",) * spectrum.eigenvalues.size
    assert spectrum.gap == pytest.approx(Gamma / 2, rel=1e-10)
    exact = nonzero(dicke_zero_drive_spectrum(N, Gamma))
    assert np.abs(spectrum.eigenvalues[:, None] - exact[None, :]).min(axis=1).max() <= 1e-9
    assert np.abs(spectrum.eigenvalues.imag).max() <= 1e-9


def test_driven_dicke_gap_approaches_the_gaussian_limit():
    r"""(d) Below the transition the gap tends to that of the linearised (Holstein–Primakoff)
    fluctuations about the mean-field state, :math:`(\Gamma/2)\sqrt{1 - 4\Omega^2/\Gamma^2}`
    (the N = ∞ theory of ``steadysqueeze.gaussian``), with 1/N corrections: Ω = 0.2Γ,
    N = 50, 100, 200 fitted by c0 + c1/N + c2/N² (Richardson); tolerance 1e-5 on c0."""
    Ns = np.array([50, 100, 200])
    gaps = [slowest_eigenvalues(make_model("dicke", dict(Omega=0.2)), N, k=2).gap for N in Ns]
    c0 = np.linalg.solve(np.vander(1.0 / Ns, 3, increasing=True), gaps)[0]
    assert c0 == pytest.approx(0.5 * np.sqrt(1 - 4 * 0.2 ** 2), abs=1e-5)
    assert np.all(np.diff(gaps) > 0)   # approached from below


@pytest.mark.parametrize("Omega", [0.2, 0.5, 0.9])
def test_driven_dicke_against_qutip(Omega):
    """(d) Ω > 0, N = 20: against the dense spectrum of ``qutip.liouvillian`` on the
    (N + 1)-dimensional manifold; tolerance 1e-9."""
    N = 20
    L = qutip.liouvillian(-Omega * qutip.jmat(N / 2, "x"),
                          [np.sqrt(1 / N) * qutip.jmat(N / 2, "-")])
    reference = {"all": nonzero(np.linalg.eigvals(L.full()))}
    spectrum = slowest_eigenvalues(make_model("dicke", dict(Omega=Omega)), N, k=6, options=TIGHT)
    assert deviation(spectrum, reference) <= 1e-9


# -- the result and refusals -------------------------------------------------------------------
def test_spectrum_fields():
    """Sorted by |Re λ|; the gap is the first; the steady state's 0 is not listed; conjugate
    pairs come whole; residuals small."""
    spectrum = slowest_eigenvalues(make_model("xyz", XYZ_FERRO), 12, k=3)
    re = np.abs(spectrum.eigenvalues.real)
    assert np.all(np.diff(re) >= 0)
    assert spectrum.gap == re[0] and spectrum.sector == spectrum.sectors[0]
    assert spectrum.gap == min(spectrum.gap_of(s) for s in ("even", "odd"))
    assert np.abs(spectrum.eigenvalues).min() > 1e-6
    for sector in ("even", "odd"):
        values = spectrum.in_sector(sector)
        assert np.allclose(np.sort_complex(values), np.sort_complex(values.conj()))
    assert spectrum.residuals.shape == spectrum.eigenvalues.shape
    assert spectrum.residuals.max() <= 1e-9


def test_memory_refusal_before_work(monkeypatch):
    """Refused like a solve: an estimate above the limit raises before anything is built."""
    import steadysqueeze.exact.spectrum as spectrum_module

    def no_work(*args, **kwargs):
        raise AssertionError("built an operator after the refusal")

    monkeypatch.setattr(spectrum_module, "_view", no_work)
    model = make_model("xyz", XYZ_FERRO)
    assert spectrum_memory_bytes(model, 200) > spectrum_memory_bytes(model, 100) > 0
    with pytest.raises(SpectrumMemoryError, match="needs an estimated"):
        slowest_eigenvalues(model, 200, options=SpectrumOptions(max_memory_bytes=1e8))


@pytest.mark.parametrize("N,k", [(1, 4), (4, 0), (4.0, 2), (True, 2)])
def test_bad_arguments(N, k):
    with pytest.raises(ValueError):
        slowest_eigenvalues(make_model("xyz", XYZ_FERRO), N, k=k)


def test_bad_options():
    with pytest.raises(ValueError, match="solve_tolerance"):
        SpectrumOptions(solve_tolerance=0.0)
    with pytest.raises(ValueError, match="first_window"):
        SpectrumOptions(first_window=0)
