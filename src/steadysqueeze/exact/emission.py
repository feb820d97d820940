r"""The Lindblad Liouvillian (Eq. 1) of local or collective emission on the physical unknowns
of a permutation-invariant state.

Local emission (models ``xyz``, ``tfi``)
    The Liouvillian is permutation invariant, so :math:`\rho = \bigoplus_J \rho^J`
    (:mod:`steadysqueeze.state`). Only the :math:`\sum_J (2J+1)^2` physical unknowns
    are solved for (``qutip.piqs`` works on the full :math:`(N/2+1)^2\times(N/2+1)^2`
    Dicke space, whose extra entries are decoupled and can make its system singular).
    On block :math:`J` the Liouvillian is

    .. math::
        \mathcal{L}[\rho]^J = G_J\rho^J + \rho^J G_J^\dagger
            + \sum_{s\in\{J-1, J, J+1\}} c_{s\to J}\, A_{s\to J}\,\rho^{s} A_{s\to J}^{T},
        \qquad G_J = -iH_J - \tfrac{\gamma}{2}(J^z + N/2),

    where every jump term is separable: :math:`A_{s\to J}` lowers M by one and
    :math:`c_{s\to J}` depends on :math:`J, s, N` only (coefficients of PIQS's
    ``gamma2``–``gamma4``, here in double precision).

Collective emission (model ``dicke``)
    :math:`H` and :math:`J^-` commute with :math:`\mathbf{J}^2`, so the dynamics
    never leaves the total-spin block it starts in. The unperturbed steady state
    :math:`|\phi_0\rangle = |N/2, -N/2\rangle` lies in the symmetric block
    :math:`J = N/2` and so does the steady state continuously connected to it: the
    reduction to that :math:`(N+1)`-dimensional block is exact, not an
    approximation. (The full space has one steady state per block; the others are
    not reached from :math:`|\phi_0\rangle`.)

Declared models (any of the six channels of :mod:`.channels`) have their own subclass,
:class:`~.general.GeneralLiouvillian`; :func:`~.liouvillian.liouvillian` picks the
Liouvillian of any model.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ..models import Model
from ..spin import CollectiveSpin, collective_spin, spin_values
from .channels import local_emission_jumps

__all__ = ["LocalEmissionLiouvillian", "CollectiveEmissionLiouvillian", "Liouvillian",
           "block_kron", "kron_entries"]


def block_kron(left: sp.sparray, right: sp.sparray) -> sp.csr_array:
    """Superoperator of ρ ↦ left · ρ · rightᵀ on row-major vec(ρ)."""
    return sp.kron(left, right, format="csr")


def kron_entries(left: sp.sparray, right: sp.sparray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (rows, columns, values) of :func:`block_kron` (left, right), without building
    it: the whole Liouvillian is then assembled once, not block by block (at N = 20 the
    per-block sparse constructors cost more than the LU solve)."""
    (ra, ca, va), (rb, cb, vb) = _entries(left), _entries(right)
    m, n = right.shape
    rows = (ra[:, None] * m + rb[None, :]).ravel()
    cols = (ca[:, None] * n + cb[None, :]).ravel()
    return rows, cols, (va[:, None] * vb[None, :]).ravel()


def _entries(A: sp.sparray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, columns, values) of a sparse matrix (read off CSR without a COO copy)."""
    csr = A if isinstance(A, sp.csr_array) else sp.csr_array(A)
    rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
    return rows, csr.indices, csr.data


def _lowering_map(source: CollectiveSpin, target: CollectiveSpin, amplitudes: np.ndarray
                  ) -> sp.csr_array:
    """Rectangular A with A[m−1 in target, m in source] = amplitudes[m] (zeros dropped)."""
    m_src = source.m
    m_tgt = m_src - 1
    keep = (np.abs(m_tgt) <= target.J + 1e-9) & (amplitudes != 0)
    rows = np.rint(m_tgt[keep] + target.J).astype(int)
    cols = np.rint(m_src[keep] + source.J).astype(int)
    return sp.csr_array((amplitudes[keep], (rows, cols)), shape=(target.dim, source.dim))


class LocalEmissionLiouvillian:
    r"""Liouvillian of a collective Hamiltonian with local emission on the physical blocks.

    Unknowns: the entries of every :math:`\rho^J`, blocks ordered by descending J,
    row-major inside a block. If the model conserves the parity of :math:`M-M'`
    (Hamiltonians changing M by 0 or ±2), only the even sector is kept, where the
    steady state connected to :math:`|\phi_0\rangle` lives (it has M − M' = 0).
    """

    def __init__(self, model: Model, N: int) -> None:
        if model.dissipation != "local":
            raise ValueError(f"{model.name} has {model.dissipation} emission, not local")
        self.model, self.N = model, int(N)
        self.spins = [collective_spin(J) for J in spin_values(self.N)]
        self.gamma = model.rate

    # -- structure ---------------------------------------------------------------
    @cached_property
    def _full_offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum([s.dim ** 2 for s in self.spins])])

    @cached_property
    def kept(self) -> np.ndarray:
        """Indices (into the full block vector) of the unknowns kept by the parity reduction."""
        pieces = []
        for spin, offset in zip(self.spins, self._full_offsets[:-1]):
            mm = spin.m[:, None] - spin.m[None, :]
            keep = np.ones_like(mm, dtype=bool)
            if self.model.conserves_parity:
                keep = (np.rint(mm).astype(int) % 2) == 0
            pieces.append(offset + np.flatnonzero(keep.ravel()))
        return np.concatenate(pieces)

    @property
    def size(self) -> int:
        return int(self.kept.size)

    @cached_property
    def block_ranges(self) -> list[tuple[int, int]]:
        """[start, stop) of every block ρ^J among the kept unknowns (blocks by descending J)."""
        bounds = np.searchsorted(self.kept, self._full_offsets).tolist()
        return list(zip(bounds[:-1], bounds[1:]))

    def kept_in_block(self, k: int) -> np.ndarray:
        """Row-major indices inside ρ^J (block k) of its kept unknowns."""
        a, b = self.block_ranges[k]
        return self.kept[a:b] - self._full_offsets[k]

    # -- operator pieces -----------------------------------------------------------
    def coherent_generator(self, spin: CollectiveSpin) -> sp.csr_array:
        r""":math:`G_J = -iH_J - \frac{\gamma}{2}(J^z + N/2)` (non-Hermitian Hamiltonian, Eq. 14)."""
        H = self.model.hamiltonian(self.N, spin)
        decay = self.model.decay_operator(self.N, spin)
        return (-1j * H - 0.5 * decay).tocsr()

    def jump_terms(self, source: CollectiveSpin) -> list[tuple[int, float, sp.csr_array]]:
        r"""Jump terms leaving block ``source``: (target index, :math:`c_{s\to J}`,
        :math:`A_{s\to J}`), from :func:`.channels.local_emission_jumps`."""
        k = int(round(self.N / 2 - source.J))
        terms = []
        for channel in local_emission_jumps(self.N, self.gamma, source.J):
            target = self.spins[k + channel.block_step]
            terms.append((k + channel.block_step, channel.coefficient,
                          _lowering_map(source, target, channel.amplitude)))
        return terms

    def terms(self) -> Iterator[tuple[int, int, sp.sparray, sp.sparray]]:
        r"""Every term of the Liouvillian as (target block, source block, left, right):
        :math:`\rho^{s} \mapsto \mathrm{left}\,\rho^{s}\,\mathrm{right}^T`
        (:math:`G_J\rho^J`, :math:`\rho^J G_J^\dagger` and the jumps
        :math:`c\,A\rho^s A^T`, the coefficient in ``left``)."""
        for k, spin in enumerate(self.spins):
            G = self.coherent_generator(spin)
            eye = sp.eye_array(spin.dim, format="csr")
            yield k, k, G, eye
            yield k, k, eye, G.conj()
            for target, coefficient, A in self.jump_terms(spin):
                yield target, k, coefficient * A, A

    def block_grid(self) -> list[list[sp.sparray | None]]:
        """The Liouvillian as [target block][source block] pieces (None: zero)."""
        n = len(self.spins)
        grid: list[list[sp.sparray | None]] = [[None] * n for _ in range(n)]
        for target, source, left, right in self.terms():
            term = block_kron(left, right)
            grid[target][source] = term if grid[target][source] is None \
                else grid[target][source] + term
        return grid

    def _assembled(self, position: np.ndarray, size: int) -> sp.csr_array:
        """The Liouvillian on ``size`` unknowns; ``position[i]``: where block entry i
        (full, row-major, blocks by descending J) goes, −1 if it is dropped."""
        rows, cols, values = [], [], []
        offsets = self._full_offsets
        for target, source, left, right in self.terms():
            r, c, v = kron_entries(left, right)
            r, c = position[offsets[target] + r], position[offsets[source] + c]
            keep = (r >= 0) & (c >= 0)
            rows.append(r[keep])
            cols.append(c[keep])
            values.append(v[keep])
        return sp.csr_array((np.concatenate(values), (np.concatenate(rows),
                                                      np.concatenate(cols))),
                            shape=(size, size))   # duplicate entries are summed

    @cached_property
    def full_matrix(self) -> sp.csr_array:
        """Sparse Liouvillian on all Σ_J (2J+1)² block entries (before parity reduction)."""
        n = int(self._full_offsets[-1])
        return self._assembled(np.arange(n), n)

    @cached_property
    def matrix(self) -> sp.csr_array:
        """Liouvillian restricted to the kept (parity-even) unknowns."""
        position = np.full(int(self._full_offsets[-1]), -1)
        position[self.kept] = np.arange(self.size)
        return self._assembled(position, self.size)

    @cached_property
    def trace_row(self) -> np.ndarray:
        """Coefficients of Σ_J Tr ρ^J on the kept unknowns."""
        diag = np.zeros(self._full_offsets[-1])
        for spin, offset in zip(self.spins, self._full_offsets[:-1]):
            diag[offset + np.arange(spin.dim) * (spin.dim + 1)] = 1.0
        return diag[self.kept]

    def anchor_row(self) -> int:
        """A diagonal-element equation (linearly dependent by trace conservation)."""
        return int(np.flatnonzero(self.trace_row)[0])

    def unpack(self, x: np.ndarray) -> dict[float, np.ndarray]:
        """Kept-unknown vector → dict J ↦ ρ^J (dense)."""
        full = np.zeros(self._full_offsets[-1], dtype=complex)
        full[self.kept] = x
        return {spin.J: full[a:b].reshape(spin.dim, spin.dim)
                for spin, a, b in zip(self.spins, self._full_offsets[:-1], self._full_offsets[1:])}

    def pack(self, blocks: dict[float, np.ndarray]) -> np.ndarray:
        full = np.concatenate([blocks[s.J].ravel() for s in self.spins])
        return full[self.kept]

    @property
    def rate_scale(self) -> float:
        """max |L_ij| over the kept unknowns."""
        return float(abs(self.matrix).max())

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """L x for x on the kept unknowns."""
        return self.matrix @ x


class CollectiveEmissionLiouvillian:
    r"""Liouvillian on the symmetric block :math:`J = N/2` for collective emission.

    :math:`\mathcal{L}[\rho] = -i[H,\rho] + \frac{\Gamma}{N}\left(J^-\rho J^+
    - \tfrac12\{J^+J^-, \rho\}\right)`, as an :math:`(N+1)^2` sparse matrix.
    """

    def __init__(self, model: Model, N: int) -> None:
        if model.dissipation != "collective":
            raise ValueError(f"{model.name} has {model.dissipation} emission, not collective")
        self.model, self.N = model, int(N)
        self.spin = collective_spin(self.N / 2)
        self.spins = [self.spin]

    @cached_property
    def generator(self) -> sp.csr_array:
        r""":math:`G = -iH - \frac{\Gamma}{2N}J^+J^-`, so that
        :math:`\mathcal{L}[\rho] = G\rho + \rho G^\dagger + \frac{\Gamma}{N}J^-\rho J^+`."""
        return (-1j * self.model.hamiltonian(self.N, self.spin)
                - 0.5 * self.model.decay_operator(self.N, self.spin)).tocsr()

    @cached_property
    def matrix(self) -> sp.csr_array:
        spin, G = self.spin, self.generator
        eye = sp.eye_array(spin.dim, format="csr")
        jump = self.model.rate / self.N * block_kron(spin.jm, spin.jm)
        return (block_kron(G, eye) + block_kron(eye, G.conj()) + jump).tocsr()

    @cached_property
    def trace_row(self) -> np.ndarray:
        return np.eye(self.spin.dim).ravel()

    def anchor_row(self) -> int:
        return 0

    @property
    def size(self) -> int:
        return self.spin.dim ** 2

    def unpack(self, x: np.ndarray) -> dict[float, np.ndarray]:
        return {self.spin.J: x.reshape(self.spin.dim, self.spin.dim)}

    def pack(self, blocks: dict[float, np.ndarray]) -> np.ndarray:
        return blocks[self.spin.J].ravel()

    @property
    def rate_scale(self) -> float:
        """max |L_ij|, from the pieces (G ⊗ 1, 1 ⊗ Ḡ and the jump never share an entry
        off the diagonal), without assembling the matrix."""
        G = self.generator
        d = G.diagonal()
        off = (G - sp.diags_array(d)).tocsr()
        amplitudes = self.spin.lowering_amplitudes
        return max(float(np.abs(d[:, None] + d.conj()[None, :]).max()),
                   float(np.abs(off.data).max(initial=0.0)),
                   self.model.rate / self.N * float(amplitudes.max(initial=0.0)) ** 2)

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """L x, matrix-free on the dense (N+1) × (N+1) block."""
        G, jm = self.generator, self.spin.jm
        X = np.asarray(x).reshape(self.spin.dim, self.spin.dim)
        Y = G @ X + (G.conj() @ X.T).T + self.model.rate / self.N * (jm @ (jm @ X.T).T)
        return Y.ravel()


Liouvillian = LocalEmissionLiouvillian | CollectiveEmissionLiouvillian

