r"""Collective spin operators in the Dicke basis :math:`|J, M\rangle`.

A permutation-invariant state of :math:`N` spins-1/2 decomposes into blocks of
total spin :math:`J = N/2, N/2 - 1, \dots` (Sec. 3.2 of the paper). Inside one
block the collective operators :math:`J^z, J^\pm` act as the spin-:math:`J`
matrices built here. Basis order inside a block: :math:`M = -J, -J+1, \dots, J`
(index 0 is the lowest state, the unperturbed steady state :math:`|\phi_0\rangle`
when :math:`J = N/2`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from math import comb

import numpy as np
import scipy.sparse as sp

__all__ = ["CollectiveSpin", "collective_spin", "spin_values", "degeneracy", "num_physical_unknowns"]


def spin_values(N: int) -> np.ndarray:
    r"""Total-spin quantum numbers :math:`J = N/2, N/2 - 1, \dots, J_{\min}` (descending)."""
    return np.arange(N, -1, -2)[: N // 2 + 1] / 2.0


def degeneracy(N: int, J: float) -> int:
    r"""Number :math:`d_J` of spin-:math:`J` irreps of :math:`N` spins-1/2.

    :math:`d_J = \frac{(2J+1)\,N!}{(N/2+J+1)!\,(N/2-J)!}`, written with binomials
    as :math:`\binom{N}{N/2-J} - \binom{N}{N/2-J-1}` (exact integers, any N).
    """
    k = int(round(N / 2 - J))
    return comb(N, k) - (comb(N, k - 1) if k >= 1 else 0)


def num_physical_unknowns(N: int) -> int:
    r""":math:`\sum_J (2J+1)^2` — the size of a block-diagonal Dicke-basis density matrix."""
    return int(sum((2 * J + 1) ** 2 for J in spin_values(N)))


@dataclass(frozen=True)
class CollectiveSpin:
    r"""Spin-:math:`J` representation of :math:`J^z, J^\pm, J^x, J^y` (sparse CSR).

    Parameters
    ----------
    J : float
        Total spin (integer or half-integer).
    """

    J: float

    @property
    def dim(self) -> int:
        return int(round(2 * self.J + 1))

    @cached_property
    def m(self) -> np.ndarray:
        """Magnetic quantum numbers M, ascending."""
        return -self.J + np.arange(self.dim)

    @cached_property
    def lowering_amplitudes(self) -> np.ndarray:
        r""":math:`\langle M-1|J^-|M\rangle = \sqrt{(J+M)(J-M+1)}` for M = -J+1 … J."""
        m = self.m[1:]
        return np.sqrt((self.J + m) * (self.J - m + 1))

    @cached_property
    def jz(self) -> sp.csr_array:
        return sp.diags_array(self.m.astype(complex)).tocsr()

    @cached_property
    def jm(self) -> sp.csr_array:
        return sp.diags_array(self.lowering_amplitudes.astype(complex), offsets=1,
                              shape=(self.dim, self.dim)).tocsr()

    @cached_property
    def jp(self) -> sp.csr_array:
        return self.jm.T.tocsr()

    @cached_property
    def jx(self) -> sp.csr_array:
        return ((self.jp + self.jm) / 2).tocsr()

    @cached_property
    def jy(self) -> sp.csr_array:
        return ((self.jp - self.jm) / 2j).tocsr()

    def component(self, axis: str) -> sp.csr_array:
        """The operator :math:`J^a` for ``axis`` in ``"xyz"``."""
        return {"x": self.jx, "y": self.jy, "z": self.jz}[axis]

    def along(self, direction: np.ndarray) -> sp.csr_array:
        r""":math:`\mathbf{n}\cdot\mathbf{J}` for a real 3-vector :math:`\mathbf{n}`."""
        nx, ny, nz = (float(c) for c in direction)
        return (nx * self.jx + ny * self.jy + nz * self.jz).tocsr()


def collective_spin(J: float) -> CollectiveSpin:
    """The shared :class:`CollectiveSpin` of total spin J: its operators are built once per
    process, not once per parameter point (a scan over a map builds every block's L anew)."""
    return _shared_spin(float(J))


@lru_cache(maxsize=1024)
def _shared_spin(J: float) -> CollectiveSpin:
    return CollectiveSpin(J)
