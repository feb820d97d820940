"""Mean-field paramagnetic instability (dashed lines of Figs. 4 and 7), derived in code
from the linearised mean-field equations, against their closed forms (docs/conventions.md):
xyz unstable iff (Jx − Jz)(Jz − Jy) > γ²/4, growth rate −γ/2 + √((Jx−Jz)(Jz−Jy));
tfi unstable iff −Δ(Δ + Jx) > γ²/4, growth rate −γ/2 + √(−Δ(Δ+Jx)). Tolerance 1e-8
(central differences of a quadratic vector field are exact up to rounding)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from steadysqueeze.meanfield import paramagnet_growth_rate
from steadysqueeze.models import TFI, XYZ, DrivenDicke

rng = np.random.default_rng(7)
POINTS = [tuple(rng.uniform(-3, 3, 3)) + (rng.uniform(0.2, 2.0),) for _ in range(40)]


def closed_form(product: float, gamma: float) -> float:
    return -gamma / 2 + (math.sqrt(product) if product > 0 else 0.0)


@pytest.mark.parametrize("a, b, c, gamma", POINTS)
def test_xyz_growth_rate(a: float, b: float, c: float, gamma: float) -> None:
    model = XYZ(Jx=a, Jy=b, Jz=c, gamma=gamma)
    expected = closed_form((a - c) * (c - b), gamma)
    assert paramagnet_growth_rate(model) == pytest.approx(expected, abs=1e-8)
    assert (paramagnet_growth_rate(model) > 0) == ((a - c) * (c - b) > gamma ** 2 / 4)


@pytest.mark.parametrize("a, b, _, gamma", POINTS)
def test_tfi_growth_rate(a: float, b: float, _: float, gamma: float) -> None:
    model = TFI(Jx=a, Delta=b, gamma=gamma)
    expected = closed_form(-b * (b + a), gamma)
    assert paramagnet_growth_rate(model) == pytest.approx(expected, abs=1e-8)


def test_collective_emission_has_no_paramagnet_linearisation() -> None:
    with pytest.raises(ValueError, match="Gamma/2"):
        paramagnet_growth_rate(DrivenDicke(Omega=0.1))
