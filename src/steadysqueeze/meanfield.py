r"""Mean-field dynamics per emitter, derived from any permutation-invariant model.

As :math:`N\to\infty` the collective spin per emitter :math:`\mathbf{m} =
\langle\mathbf{J}\rangle/N` of an all-to-all model obeys closed mean-field equations
(exact in the limit: Carollo & Lesanovsky, PRL 126, 230601 (2021), ref. [45] of
Huybrechts & Roscilde, arXiv:2402.16824). They are derived here from the model itself:

* the Hamiltonian, read off its matrix as :math:`H = c + \mathbf{h}\cdot\mathbf{J} +
  \frac1N\sum_{ab}K_{ab}\,\tfrac12\{J^a, J^b\}` (:func:`collective_hamiltonian`; linear
  terms of order :math:`N^0`, quadratic ones of order :math:`1/N`, anything else is not
  extensive and refused), gives :math:`\dot{\mathbf{m}} = \nabla e\times\mathbf{m}` with
  the energy per emitter :math:`e(\mathbf{m}) = \mathbf{h}\cdot\mathbf{m} +
  \mathbf{m}^T K\mathbf{m}`;
* each local channel of PIQS (rate γ, :math:`\gamma\sum_i D[\ell_i]` with
  :math:`\ell = \sigma^-, \sigma^z/2, \sigma^+`) acts on every emitter alone: an affine
  Bloch equation :math:`\dot{\mathbf{m}} = G\mathbf{m} + \mathbf{g}`, read off the
  one-spin adjoint Lindbladian (:data:`LOCAL_JUMPS`);
* each collective channel :math:`\gamma D[L]`, :math:`L = \boldsymbol{\lambda}\cdot
  \mathbf{J}` (:math:`J^-, J^z, J^+`), extensive when :math:`\kappa = \gamma N` is of order
  one (the paper's Γ/N), gives :math:`\dot{\mathbf{m}} = \kappa\,\mathrm{Re}
  [\overline{\boldsymbol{\lambda}\cdot\mathbf{m}}\;i\,\boldsymbol{\lambda}\times\mathbf{m}]`.

Without a local channel the spin length :math:`|\mathbf{m}| = 1/2` of the symmetric block
is conserved, and fixed points, stability and fluctuations live on the sphere's tangent
plane. :func:`fixed_points` finds every fixed point in the Bloch ball (Newton from a
spread of starts) with its stability; :func:`critical_drive` locates where the stable
fixed point reached from the weakest drive loses stability along a sweep; the Gaussian
fluctuations about a fixed point are in :mod:`steadysqueeze.gaussian`.

For ``xyz`` and ``tfi`` the paramagnet :math:`\mathbf{m} = (0, 0, -1/2)` turns unstable
where :math:`(\mathcal{J}_x-\mathcal{J}_z)(\mathcal{J}_z-\mathcal{J}_y) = \gamma^2/4` and
:math:`-\Delta(\Delta+\mathcal{J}_x) = \gamma^2/4` (the dashed lines of Figs. 4 and 7).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp

from .models import Model
from .models.base import ModelInputError
from .models.declared import DeclaredModel
from .spin import CollectiveSpin, collective_spin

__all__ = ["MeanField", "FixedPoint", "NotExtensiveError", "collective_hamiltonian",
           "mean_field", "fixed_points", "critical_drive", "paramagnet_growth_rate",
           "has_paramagnet", "PARAMAGNET", "LOCAL_JUMPS", "COLLECTIVE_JUMPS"]

#: the all-down paramagnet of the local-emission models
PARAMAGNET = np.array([0.0, 0.0, -0.5])
_S = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]]) / 2
#: one-spin jump operator of each local PIQS channel (rate γ: γ Σ_i D[ℓ_i])
LOCAL_JUMPS: dict[str, np.ndarray] = {
    "emission": np.array([[0, 0], [1, 0]], dtype=complex),    # σ⁻ (basis: up, down)
    "dephasing": _S[2].astype(complex),                         # σᶻ/2
    "pumping": np.array([[0, 1], [0, 0]], dtype=complex),      # σ⁺
}
#: λ of each collective PIQS channel, L = λ·J (rate γ: γ D[L])
COLLECTIVE_JUMPS: dict[str, np.ndarray] = {
    "collective_emission": np.array([1, -1j, 0]),
    "collective_dephasing": np.array([0, 0, 1], dtype=complex),
    "collective_pumping": np.array([1, 1j, 0]),
}
#: N at which coefficients are read off (a power of two: 1/N is exact; large enough for
#: corrections of relative order 1/N to fall below 1e-3, small enough that rounding in
#: the linear terms does not leak into N times the quadratic ones); extensivity is checked
#: between this N and twice it
_N_EVAL = 2.0 ** 10
#: total-spin blocks of the extensivity check: two Casimirs, so every term is unique
_CHECK_BLOCKS = (2.0, 2.5)
#: block the coefficients of each point are read off in: J = 1 holds nine independent
#: Hermitian operators (ranks 0, 1, 2), and there Sz*Sz = 2 - Sx*Sx - Sy*Sy (the Casimir),
#: so Sz*Sz is left out: K is read up to a multiple of the identity, which drops out of
#: the dynamics (|m|² is conserved by every Hamiltonian)
_READ_BLOCKS = (1.0,)
_TERMS = ("1", "Sx", "Sy", "Sz", "Sx*Sx", "Sy*Sy", "Sz*Sz", "(Sx*Sy+Sy*Sx)/2",
          "(Sx*Sz+Sz*Sx)/2", "(Sy*Sz+Sz*Sy)/2")
_PAIRS = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


class NotExtensiveError(ModelInputError):
    """A model whose N → ∞ mean-field limit does not exist (message names the term)."""


def _basis_operators(spin: CollectiveSpin) -> list[np.ndarray]:
    J = [spin.jx.toarray(), spin.jy.toarray(), spin.jz.toarray()]
    quadratic = [(J[a] @ J[b] + J[b] @ J[a]) / 2 for a, b in _PAIRS]
    return [np.eye(spin.dim), *J, *quadratic]


def _used_terms(blocks: tuple[float, ...]) -> list[int]:
    """Indices of :data:`_TERMS` read off in ``blocks`` (all but Sz*Sz in a single block)."""
    return list(range(len(_TERMS))) if len(blocks) > 1 else [k for k in range(len(_TERMS))
                                                              if _TERMS[k] != "Sz*Sz"]


@functools.cache
def _terms_matrix(blocks: tuple[float, ...]) -> np.ndarray:
    """The operators of :func:`_used_terms` as columns: their entries in ``blocks``,
    stacked."""
    columns = [np.concatenate([op.ravel() for op in ops])
               for ops in zip(*(_basis_operators(collective_spin(J)) for J in blocks))]
    return np.stack(columns, axis=1)[:, _used_terms(blocks)]


@functools.cache
def _reader(blocks: tuple[float, ...]) -> np.ndarray:
    """Pseudo-inverse of :func:`_terms_matrix`: stacked entries -> coefficients."""
    return np.linalg.pinv(_terms_matrix(blocks))


def _coefficients(operator: Callable[[float, CollectiveSpin], sp.sparray], N: float,
                  blocks: tuple[float, ...] = _READ_BLOCKS) -> tuple[np.ndarray, float]:
    """Coefficients of ``operator(N, spin)`` on :data:`_TERMS` (0 for a term not read),
    and the relative residual of that fit (> 0: terms beyond quadratic order)."""
    stacked = np.concatenate([sp.csr_array(operator(N, collective_spin(J))).toarray().ravel()
                              for J in blocks])
    used = _reader(blocks) @ stacked
    residual = np.linalg.norm(_terms_matrix(blocks) @ used - stacked)
    coefficients = np.zeros(len(_TERMS))
    coefficients[_used_terms(blocks)] = used.real
    return coefficients, float(residual / max(np.linalg.norm(stacked), 1e-300))


def _hamiltonian_parts(model: Model) -> dict[str, Callable[[float, CollectiveSpin], sp.sparray]]:
    """The Hamiltonian by declared field (``hamiltonian`` or ``h0`` and ``drive``)."""
    if isinstance(model, DeclaredModel):
        return {key: functools.partial(_declared_operator, model, key)
                for key in model.expressions}
    return {"h0": model.h0, "drive": model.h1}


def _declared_operator(model: DeclaredModel, key: str, N: float,
                       spin: CollectiveSpin) -> sp.sparray:
    return model.expressions[key].operator(model.values(N), spin)   # type: ignore[arg-type]


def _check_term_scaling(model: Model, field: str,
                        operator: Callable[[float, CollectiveSpin], sp.sparray]) -> None:
    """Refuse a Hamiltonian term that is not extensive (linear terms must not grow with N,
    quadratic ones must fall as 1/N) or goes beyond quadratic order."""
    low, fit_low = _coefficients(operator, _N_EVAL, _CHECK_BLOCKS)
    high, fit_high = _coefficients(operator, 2 * _N_EVAL, _CHECK_BLOCKS)
    if max(fit_low, fit_high) > 1e-9:
        raise NotExtensiveError(
            f"{model.name}: field {field!r}: has terms beyond quadratic order in the "
            "collective spin; the mean-field limit (N -> infinity) is derived for "
            "H = h.J + (1/N) J.K.J")
    scale = max(np.abs(low[1:4]).max(), _N_EVAL * np.abs(low[4:]).max(), 1e-300)
    for term, a, b, expected in zip(_TERMS[1:], low[1:], high[1:], [1.0] * 3 + [0.5] * 6):
        weight = 1.0 if expected == 1.0 else _N_EVAL
        if max(abs(a), abs(b)) * weight <= 1e-9 * scale:
            continue
        if abs(b - expected * a) > 1e-6 * max(abs(a), abs(b)):
            power = np.log2(abs(b / a)) if a and b else float("nan")
            want = "N^0" if expected == 1.0 else "1/N"
            raise NotExtensiveError(
                f"{model.name}: field {field!r}: the term in {term} scales as N^{power:.3g}; "
                f"the mean-field limit (N -> infinity) needs it of order {want}")


def _generic_model(model_class: type[Model]) -> Model:
    """An instance at generic parameter values (every term present), for structure checks."""
    rng = np.random.default_rng(11)
    names = model_class.parameter_names()
    return model_class.from_parameters(dict(zip(names, rng.uniform(0.3, 1.7, len(names)))))


def _channel_rates(model: Model, N: float) -> dict[str, float]:
    if isinstance(model, DeclaredModel):
        return model.channel_rates(N)   # type: ignore[arg-type]
    if model.dissipation == "local":
        return {"emission": model.rate}
    return {"collective_emission": model.rate / N}


def _check_rate_scaling(model: Model) -> None:
    low, high = _channel_rates(model, _N_EVAL), _channel_rates(model, 2 * _N_EVAL)
    for channel in low:
        expected = 1.0 if channel in LOCAL_JUMPS else 0.5
        a, b = low[channel], high[channel]
        if a == b == 0 or abs(b - expected * a) <= 1e-6 * max(abs(a), abs(b)):
            continue
        power = np.log2(abs(b / a)) if a and b else float("nan")
        want = "N^0" if expected == 1.0 else "1/N (e.g. Gamma/N)"
        raise NotExtensiveError(
            f"{model.name}: field 'dissipation.{channel}': the rate scales as "
            f"N^{power:.3g}; the mean-field limit (N -> infinity) needs it of order {want}")


@functools.cache
def check_extensive(model_class: type[Model]) -> None:
    """Refuse a model whose Hamiltonian or rates are not extensive, naming the field and
    the term (checked once per class, at generic parameter values)."""
    model = _generic_model(model_class)
    for field, operator in _hamiltonian_parts(model).items():
        _check_term_scaling(model, field, operator)
    _check_rate_scaling(model)


def collective_hamiltonian(model: Model) -> tuple[np.ndarray, np.ndarray]:
    r"""(h, K) of :math:`H = \mathbf{h}\cdot\mathbf{J} + \frac1N\mathbf{J}\cdot K\mathbf{J}`
    (symmetrised products; constants dropped, K up to a multiple of the identity), read
    off the model's matrix as N → ∞."""
    check_extensive(type(model))
    coefficients, _ = _coefficients(model.hamiltonian, _N_EVAL)
    coefficients[4:] *= _N_EVAL
    scale = np.abs(coefficients[1:]).max()
    coefficients[np.abs(coefficients) < 1e-12 * scale] = 0.0   # rounding of the read-off
    K = np.zeros((3, 3))
    for (a, b), value in zip(_PAIRS, coefficients[4:]):
        K[a, b] = K[b, a] = value if a == b else value / 2
    return coefficients[1:4], K


def _one_spin_adjoint(jump: np.ndarray, operator: np.ndarray) -> np.ndarray:
    r""":math:`D^\dagger[\ell](X) = \ell^\dagger X\ell - \tfrac12\{\ell^\dagger\ell, X\}`."""
    decay = jump.conj().T @ jump
    return jump.conj().T @ operator @ jump - (decay @ operator + operator @ decay) / 2


def _pauli_components(operator: np.ndarray) -> tuple[float, np.ndarray]:
    """(t0, t) of X = t0 + t·s, s = σ/2 (X Hermitian)."""
    return (float(np.trace(operator).real / 2),
            np.array([2 * np.trace(operator @ s).real for s in _S]))


@functools.cache
def _local_bloch(channel: str) -> tuple[np.ndarray, np.ndarray]:
    r"""(G, g) of the one-spin Bloch equation :math:`\dot{\mathbf{m}} = G\mathbf{m} +
    \mathbf{g}` of a unit-rate local channel."""
    G, g = np.zeros((3, 3)), np.zeros(3)
    for a in range(3):
        g[a], G[a] = _pauli_components(_one_spin_adjoint(LOCAL_JUMPS[channel], _S[a]))
    return G, g


@functools.cache
def _local_noise(channel: str) -> tuple[np.ndarray, np.ndarray]:
    r"""(D0, D1) of the one-spin noise :math:`\mathrm{Re}\,\mathrm{tr}\,\rho_1
    [\ell^\dagger, s_a][s_b, \ell]`, symmetrised, :math:`= D0_{ab} + D1_{abc} m_c` for
    :math:`\rho_1 = \tfrac12 + 2\mathbf{m}\cdot\mathbf{s}` (unit rate)."""
    jump = LOCAL_JUMPS[channel]
    D0, D1 = np.zeros((3, 3)), np.zeros((3, 3, 3))
    for a, b in itertools.product(range(3), repeat=2):
        product = (jump.conj().T @ _S[a] - _S[a] @ jump.conj().T) @ (_S[b] @ jump - jump @ _S[b])
        hermitian = (product + product.conj().T) / 2
        t0, t = _pauli_components(hermitian)
        D0[a, b], D1[a, b] = t0, t   # tr[(1/2 + 2 m.s)(t0 + t.s)] = t0 + m.t
    return (D0 + D0.T) / 2, (D1 + D1.transpose(1, 0, 2)) / 2


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point of the mean-field equations with its linear stability."""

    m: np.ndarray
    #: eigenvalues of the drift (on the tangent plane when the spin length is conserved)
    eigenvalues: np.ndarray

    @property
    def growth_rate(self) -> float:
        """Largest real part of the drift's eigenvalues (< 0: stable)."""
        return float(self.eigenvalues.real.max())

    @property
    def stable(self) -> bool:
        return self.growth_rate < -1e-9


@dataclass(frozen=True)
class MeanField:
    r"""The mean-field equations :math:`\dot{\mathbf{m}} = \mathbf{f}(\mathbf{m})` per
    emitter (module docstring), their Jacobian and the noise of the fluctuations."""

    field: np.ndarray
    coupling: np.ndarray
    #: local channel -> rate γ
    local_rates: Mapping[str, float]
    #: collective channel -> κ = γ N
    collective_rates: Mapping[str, float]

    @property
    def conserves_length(self) -> bool:
        """No local channel acts: |m| is conserved (the symmetric block, |m| = 1/2)."""
        return not any(self.local_rates.values())

    def velocity(self, m: np.ndarray) -> np.ndarray:
        r""":math:`\mathbf{f}(\mathbf{m})` for ``m`` of shape (..., 3)."""
        gradient = self.field + 2 * m @ self.coupling
        out = np.cross(gradient, m)
        for channel, rate in self.local_rates.items():
            G, g = _local_bloch(channel)
            out = out + rate * (m @ G.T + g)
        for channel, kappa in self.collective_rates.items():
            lam = COLLECTIVE_JUMPS[channel]
            projection = np.conj(m @ lam)[..., None]
            out = out + kappa * np.real(projection * 1j * np.cross(lam, m))
        return out

    @functools.cached_property
    def polynomial(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""(c, L, Q) of :math:`f_i = c_i + L_{ij}m_j + Q_{ijk}m_j m_k` (Q symmetric in j, k):
        the velocity is quadratic, so seven evaluations (at 0, ±e_j, e_j + e_k) fix it."""
        eye = np.eye(3)
        pairs = list(itertools.combinations(range(3), 2))
        points = np.vstack([np.zeros((1, 3)), eye, -eye, [eye[j] + eye[k] for j, k in pairs]])
        values = self.velocity(points)
        c, plus, minus, both = values[0], values[1:4], values[4:7], values[7:]
        L = ((plus - minus) / 2).T
        Q = np.zeros((3, 3, 3))
        for j in range(3):
            Q[:, j, j] = (plus[j] + minus[j]) / 2 - c
        for (j, k), value in zip(pairs, both):
            Q[:, j, k] = Q[:, k, j] = (value - c - L[:, j] - L[:, k]
                                       - Q[:, j, j] - Q[:, k, k]) / 2
        return c, L, Q

    def jacobian(self, m: np.ndarray) -> np.ndarray:
        r""":math:`A = \partial\mathbf{f}/\partial\mathbf{m} = L + 2Q\mathbf{m}`, for ``m`` of
        shape (..., 3)."""
        _, L, Q = self.polynomial
        return L + 2 * np.einsum("ijk,...k->...ij", Q, m)

    def _fast_velocity(self, m: np.ndarray) -> np.ndarray:
        c, L, Q = self.polynomial
        return c + m @ L.T + np.einsum("ijk,...j,...k->...i", Q, m, m)

    def diffusion(self, m: np.ndarray) -> np.ndarray:
        r"""Noise matrix :math:`D` of the fluctuations per emitter (3 × 3, symmetric):
        :math:`\gamma\,\mathrm{Re}\langle[\ell^\dagger, s^a][s^b, \ell]\rangle` per local
        channel, :math:`\kappa\,\mathrm{Re}(\bar w_a w_b)`, :math:`\mathbf{w} =
        i\boldsymbol{\lambda}\times\mathbf{m}`, per collective one."""
        D = np.zeros((3, 3))
        for channel, rate in self.local_rates.items():
            D0, D1 = _local_noise(channel)
            D = D + rate * (D0 + D1 @ m)
        for channel, kappa in self.collective_rates.items():
            w = 1j * np.cross(COLLECTIVE_JUMPS[channel], m)
            D = D + kappa * np.real(np.outer(w.conj(), w))
        return D

    def tangent_basis(self, m: np.ndarray) -> np.ndarray:
        """Columns spanning the directions the fluctuations live in: all three, or the
        plane perpendicular to m when the spin length is conserved."""
        if not self.conserves_length:
            return np.eye(3)
        n = m / np.linalg.norm(m)
        return scipy.linalg.null_space(n[None, :])

    def drift(self, m: np.ndarray) -> np.ndarray:
        """The Jacobian on :meth:`tangent_basis`."""
        P = self.tangent_basis(m)
        return P.T @ self.jacobian(m) @ P

    def fixed_point(self, m: np.ndarray) -> FixedPoint:
        return FixedPoint(m=m, eigenvalues=np.linalg.eigvals(self.drift(m)))

    def _newton_function(self, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Residual and Jacobian (batched) of the fixed-point equation; with a conserved
        length, f(m) + (|m|² − 1/4) m, whose zeros are those of f on the sphere (and m = 0)."""
        residual, jac = self._fast_velocity(m), self.jacobian(m)
        if self.conserves_length:
            excess = np.sum(m * m, axis=-1) - 0.25
            residual = residual + excess[:, None] * m
            jac = jac + excess[:, None, None] * np.eye(3) + 2 * m[:, :, None] * m[:, None, :]
        return residual, jac

    def newton(self, starts: np.ndarray, iterations: int = 30) -> tuple[np.ndarray, np.ndarray]:
        """Damped Newton from each start (rows), each stopped once its step is below 1e-13
        or once it has left the ball |m| ≤ 1 (no physical fixed point that way): the end
        points and their residuals."""
        m = np.array(starts, dtype=float)
        active = np.arange(len(m))
        for _ in range(iterations):
            residual, jac = self._newton_function(m[active])
            try:
                delta = np.linalg.solve(jac, residual[..., None])[..., 0]
            except np.linalg.LinAlgError:
                delta = np.stack([np.linalg.lstsq(j, r, rcond=None)[0]
                                  for j, r in zip(jac, residual)])
            norm = np.linalg.norm(delta, axis=-1, keepdims=True)
            m[active] -= delta * np.minimum(1.0, 0.25 / np.maximum(norm, 1e-300))
            active = active[(norm[:, 0] >= 1e-13) & (np.linalg.norm(m[active], axis=-1) <= 1)]
            if active.size == 0:
                break
        return m, np.linalg.norm(self._newton_function(m)[0], axis=-1)

    @property
    def scale(self) -> float:
        """A rate scale of the equations (for tolerances)."""
        return float(max(np.abs(self.field).max(), np.abs(self.coupling).max(),
                         *self.local_rates.values(), *self.collective_rates.values(), 1e-300))


def mean_field(model: Model) -> MeanField:
    """The mean-field equations of ``model`` (refused, naming the term, if not extensive)."""
    h, K = collective_hamiltonian(model)
    rates = _channel_rates(model, _N_EVAL)
    local = {c: float(r) for c, r in rates.items() if c in LOCAL_JUMPS and r}
    collective = {c: float(r * _N_EVAL) for c, r in rates.items() if c in COLLECTIVE_JUMPS and r}
    return MeanField(field=h, coupling=K, local_rates=local, collective_rates=collective)


@functools.cache
def _starts() -> np.ndarray:
    """Starting points of the fixed-point search: spread over spheres of radius 1/2 and 1/4
    (Fibonacci lattices) and the centre."""
    def sphere(count: int, radius: float) -> np.ndarray:
        k = np.arange(count) + 0.5
        z, phi = 1 - 2 * k / count, np.pi * (1 + 5 ** 0.5) * k
        r = np.sqrt(1 - z * z)
        return radius * np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)
    return np.vstack([sphere(24, 0.5), sphere(8, 0.25), np.zeros((1, 3))])


def fixed_points(equations: MeanField, starts: np.ndarray | None = None) -> list[FixedPoint]:
    """Every fixed point in the Bloch ball |m| ≤ 1/2 (on the sphere |m| = 1/2 when the
    length is conserved), with its stability, most stable first. ``starts``: more points
    (rows) to start Newton from, e.g. the fixed points at a neighbouring drive, since near
    a fold the spread of starts can miss a branch (the driven Dicke model with local
    emission γ = 0.1Γ, 7e-4Γ below the fold of its squeezed branch)."""
    spread = _starts() if starts is None or not len(starts) else \
        np.vstack([_starts(), np.reshape(starts, (-1, 3))])
    ends, residual = equations.newton(spread)
    tol = 1e-11 * equations.scale
    norms = np.linalg.norm(ends, axis=-1)
    keep = (residual < tol) & (norms <= 0.5 + 1e-9)
    if equations.conserves_length:
        keep &= norms > 0.25
    found = np.empty((0, 3))
    for m in ends[keep]:
        if not np.any(np.abs(found - m).max(axis=-1, initial=0.0) < 1e-7):
            found = np.vstack([found, m])
    points = [equations.fixed_point(m) for m in found]
    return sorted(points, key=lambda p: (p.growth_rate, tuple(np.round(p.m, 9))))


def _tracked(equations: MeanField, start: np.ndarray) -> FixedPoint | None:
    """The fixed point Newton reaches from ``start`` (None if it does not converge)."""
    end, residual = equations.newton(start[None, :], iterations=40)
    if residual[0] > 1e-11 * equations.scale or np.linalg.norm(end[0]) > 0.5 + 1e-9:
        return None
    return equations.fixed_point(end[0])


#: farthest a fixed point followed along the drive may move in one step (|m| ≤ 1/2).
#: Newton landing farther has jumped to another branch: with weak local emission the
#: slow relaxation of the spin length (rate γ) leaves Newton's Jacobian nearly singular
#: along it (the driven Dicke model at γ = 1e-3 Γ jumped to a mixed branch at Ω = 0.055Γ,
#: its squeezed branch ending at 0.354Γ)
MAX_STEP_MOVE = 0.05
#: halvings of one step of the drive before the branch is taken to end within it (the
#: march along the sweep, and the bisection closing its bracket, whose steps are short)
MAX_HALVINGS = 12
BISECTION_HALVINGS = 4


def _on_branch(equations: MeanField, m: np.ndarray) -> FixedPoint | None:
    """The fixed point Newton reaches from ``m`` if it lies within :data:`MAX_STEP_MOVE`
    of ``m`` (the same branch), else None (another branch, or none)."""
    found = _tracked(equations, m)
    if found is None or np.linalg.norm(found.m - m) > MAX_STEP_MOVE:
        return None
    return found


def _continued(model_at: Callable[[float], Model], m: np.ndarray, start: float, stop: float,
               halvings: int = MAX_HALVINGS) -> FixedPoint | None:
    """The stable branch through ``m`` at drive ``start``, followed to ``stop`` by Newton.
    Where Newton does not land on a stable point of the same branch (:func:`_on_branch`),
    the step is halved, up to ``halvings`` times: near a fold Newton can land on the
    unstable partner, with weak local emission on a branch far away. Returns the stable
    point at ``stop``, or else what Newton reaches there directly (an unstable point of
    the branch, or None: the branch ends)."""
    found = _on_branch(mean_field(model_at(stop)), m)
    if (found is not None and found.stable) or halvings == 0:
        return found
    middle = (start + stop) / 2
    half = _continued(model_at, m, start, middle, halvings - 1)
    if half is None or not half.stable:
        return found
    return _continued(model_at, half.m, middle, stop, halvings - 1)


def critical_drive(model_at: Callable[[float], Model], drives: np.ndarray,
                   tol: float = 1e-10) -> float:
    """The mean-field critical drive along a sweep: where the stable fixed point reached
    from the weakest drive of ``drives`` loses stability (or ceases to exist), marching
    toward the end of ``drives`` with the larger |drive|; NaN if it stays stable to that
    end (or no fixed point is stable at the weakest drive).

    The branch is followed in steps of 1/64 of the sweep at most (fewer where ``drives``
    is denser), each halved while Newton lands on another branch (:func:`_continued`).
    The bracket is closed by Brent's method on the growth rate when the fixed point
    persists (a pitchfork or Hopf), by bisection on its existence otherwise (a
    saddle-node), to ``tol`` relative.
    """
    drives = np.asarray(drives, dtype=float)
    weakest = drives[np.argmin(np.abs(drives))]
    far = drives.max() if abs(drives.max()) >= abs(drives.min()) else drives.min()
    if far == weakest:
        return float("nan")
    stable = [p for p in fixed_points(mean_field(model_at(weakest))) if p.stable]
    if not stable:
        return float("nan")
    path = np.union1d(np.linspace(weakest, far, 65),
                      drives[(drives - weakest) * (far - weakest) >= 0])
    path = path if far > weakest else path[::-1]
    point = stable[0]
    for previous, drive in itertools.pairwise(path):
        following = _continued(model_at, point.m, previous, drive)
        if following is None or not following.stable:
            return _close_bracket(model_at, previous, drive, point.m, following is not None, tol)
        point = following
    return float("nan")


def _close_bracket(model_at: Callable[[float], Model], stable_drive: float,
                   unstable_drive: float, m: np.ndarray, persists: bool, tol: float) -> float:
    """The end of the bracket [stable_drive, unstable_drive] of the branch through ``m``
    at ``stable_drive`` (followed by :func:`_continued`)."""
    def growth(drive: float) -> float:
        tracked = _continued(model_at, m, stable_drive, drive, BISECTION_HALVINGS)
        return np.inf if tracked is None else tracked.growth_rate

    if persists and np.isfinite(growth(unstable_drive)):
        try:
            return float(scipy.optimize.brentq(growth, stable_drive, unstable_drive,
                                               xtol=tol * max(1.0, abs(stable_drive)),
                                               rtol=4 * np.finfo(float).eps))
        except ValueError:   # the growth rate is not continuous across the bracket
            pass
    lo, hi = stable_drive, unstable_drive
    while abs(hi - lo) > tol * max(1.0, abs(lo)):
        mid = (lo + hi) / 2
        tracked = _continued(model_at, m, lo, mid, BISECTION_HALVINGS)
        if tracked is not None and tracked.stable:
            lo, m = mid, tracked.m
        else:
            hi = mid
    return float((lo + hi) / 2)


def has_paramagnet(model: Model) -> bool:
    """Whether the all-down paramagnet is a fixed point of the model's local-emission
    mean-field equations (the paramagnet linearisation of Figs. 4 and 7 applies)."""
    if model.dissipation != "local":
        return False
    equations = mean_field(model)
    return bool(np.linalg.norm(equations.velocity(PARAMAGNET)) < 1e-12 * equations.scale)


def paramagnet_growth_rate(model: Model) -> float:
    r"""Largest real part of the eigenvalues of the mean-field dynamics linearised about
    the paramagnet :math:`\mathbf{m} = (0, 0, -1/2)`; > 0 means the paramagnet is unstable."""
    if not has_paramagnet(model):
        raise ValueError(f"{model.name}: the paramagnet linearisation is defined for local "
                         "emission; the driven Dicke model has its transition at Omega = Gamma/2")
    return mean_field(model).fixed_point(PARAMAGNET).growth_rate
