r"""Tests of :mod:`steadysqueeze.spin`: the Dicke-basis spin algebra.

References
----------
* su(2): :math:`[J^x, J^y] = iJ^z` and cyclic, :math:`\mathbf{J}^2 = J(J+1)`.
* :func:`qutip.jmat` (basis M descending; ours is M ascending).
* Counting of irreps of N spins-1/2: :math:`\sum_J d_J (2J+1) = 2^N`,
  :math:`d_J = (2J+1) N! / ((N/2+J+1)! (N/2-J)!)`, and
  :func:`qutip.piqs.state_degeneracy`.
* Number of block-diagonal Dicke entries, even N:
  :math:`\sum_J (2J+1)^2 = (N+1)(N+2)(N+3)/6`.

All matrices here have entries that are square roots of small integers, so
they are exact to a few ulps: the operator identities are checked to 1e-12
relative to J^2 (a few hundred ulps of the largest entry).
"""

from __future__ import annotations

from math import factorial

import numpy as np
import pytest
import qutip
from qutip import piqs

from steadysqueeze.spin import (CollectiveSpin, collective_spin, degeneracy, num_physical_unknowns,
                               spin_values)

SPINS = [0.5, 1.0, 1.5, 3.0, 7.5, 25.0]


def _dense(spin: CollectiveSpin):
    return [spin.component(a).toarray() for a in "xyz"]


@pytest.mark.parametrize("J", SPINS)
def test_commutation_relations(J):
    jx, jy, jz = _dense(CollectiveSpin(J))
    # entries are O(J); products O(J^2): 1e-12 * J^2 is ~1e3 ulps of the largest product
    tol = 1e-12 * max(1.0, J * J)
    np.testing.assert_allclose(jx @ jy - jy @ jx, 1j * jz, rtol=0, atol=tol)
    np.testing.assert_allclose(jy @ jz - jz @ jy, 1j * jx, rtol=0, atol=tol)
    np.testing.assert_allclose(jz @ jx - jx @ jz, 1j * jy, rtol=0, atol=tol)


@pytest.mark.parametrize("J", SPINS)
def test_casimir(J):
    jx, jy, jz = _dense(CollectiveSpin(J))
    casimir = jx @ jx + jy @ jy + jz @ jz
    # J^2 = J(J+1) times identity; same ulp budget as above
    np.testing.assert_allclose(casimir, J * (J + 1) * np.eye(int(2 * J + 1)), rtol=0,
                               atol=1e-12 * max(1.0, J * J))


@pytest.mark.parametrize("J", SPINS)
def test_operators_match_qutip_jmat(J):
    spin = CollectiveSpin(J)
    assert spin.dim == int(round(2 * J + 1))
    np.testing.assert_allclose(spin.m, np.arange(-J, J + 1))  # exact small numbers
    for ours, theirs in [(spin.jx, "x"), (spin.jy, "y"), (spin.jz, "z"),
                         (spin.jp, "+"), (spin.jm, "-")]:
        ref = qutip.jmat(J, theirs).full()[::-1, ::-1]  # qutip: M descending
        # both sides are sqrt of integers computed in double precision: 1e-13 absolute
        np.testing.assert_allclose(ours.toarray(), ref, rtol=0, atol=1e-13 * max(1.0, J))
    n = np.array([0.3, -0.4, np.sqrt(1 - 0.25)])
    expected = sum(c * spin.component(a).toarray() for c, a in zip(n, "xyz"))
    np.testing.assert_allclose(spin.along(n).toarray(), expected, rtol=0, atol=1e-13 * J)


@pytest.mark.parametrize("N", [1, 2, 3, 4, 7, 10, 21, 40])
def test_spin_values(N):
    values = spin_values(N)
    assert values[0] == N / 2
    assert values[-1] == (N % 2) / 2
    assert np.all(np.diff(values) == -1)


@pytest.mark.parametrize("N", [1, 2, 3, 4, 5, 6, 7, 10, 15, 20, 33, 64, 301])
def test_degeneracies_count_the_hilbert_space(N):
    # exact integer arithmetic: the identity must hold exactly
    assert sum(degeneracy(N, J) * int(round(2 * J + 1)) for J in spin_values(N)) == 2 ** N


@pytest.mark.parametrize("N", [1, 2, 5, 8, 13, 20, 300])
def test_degeneracy_closed_form(N):
    for J in spin_values(N):
        k = int(round(N / 2 - J))
        twoJ = int(round(2 * J))
        closed = (twoJ + 1) * factorial(N) // (factorial(N - k + 1) * factorial(k))
        assert degeneracy(N, J) == closed  # exact integers


@pytest.mark.parametrize("N", [2, 3, 6, 9, 20])
def test_degeneracy_matches_piqs(N):
    for J in spin_values(N):
        assert degeneracy(N, J) == piqs.state_degeneracy(N, J)


@pytest.mark.parametrize("N", [2, 4, 6, 20, 100, 300])
def test_num_physical_unknowns_even_N(N):
    assert num_physical_unknowns(N) == (N + 1) * (N + 2) * (N + 3) // 6


@pytest.mark.parametrize("N", [3, 5, 21])
def test_num_physical_unknowns_odd_N(N):
    # odd N: J = 1/2 ... N/2, block sizes 2, 4, ..., N+1
    assert num_physical_unknowns(N) == sum(k * k for k in range(2, N + 2, 2))


def test_collective_spin_is_shared():
    """One CollectiveSpin per J and process, so its operators are built once."""
    assert collective_spin(2.5) is collective_spin(2.5)
    assert collective_spin(3) is collective_spin(3.0)
    assert collective_spin(2.5) == CollectiveSpin(2.5)
