r"""Mean-field dynamics of the local-emission models and the paramagnetic instability.

The dashed lines of Figs. 4 and 7 of Huybrechts & Roscilde (arXiv:2402.16824): where the
all-down paramagnet :math:`\mathbf{s} = (0, 0, -1/2)` of the mean-field equations turns
unstable. Closed forms reproduced here: ``xyz`` is unstable iff
:math:`(\mathcal{J}_x-\mathcal{J}_z)(\mathcal{J}_z-\mathcal{J}_y) > \gamma^2/4`; ``tfi`` iff
:math:`-\Delta(\Delta+\mathcal{J}_x) > \gamma^2/4`.
"""

from __future__ import annotations

import numpy as np

from .models import Model

__all__ = ["has_paramagnet", "paramagnet_growth_rate"]


def has_paramagnet(model: Model) -> bool:
    """Whether the paramagnet linearisation applies: local emission and a mean-field energy."""
    return model.dissipation == "local" and callable(getattr(model, "mean_field", None))


def _mean_field_velocity(model: Model, s: np.ndarray) -> np.ndarray:
    r"""Mean-field equations of motion per spin with local emission:
    :math:`\dot{\mathbf{s}} = \mathbf{h}(\mathbf{s})\times\mathbf{s}
    - \gamma\,(s_x/2,\ s_y/2,\ s_z + 1/2)`."""
    damping = model.rate * np.array([s[0] / 2, s[1] / 2, s[2] + 0.5])
    return np.cross(model.mean_field(s), s) - damping  # type: ignore[attr-defined]


def paramagnet_growth_rate(model: Model) -> float:
    r"""Largest real part of the eigenvalues of the mean-field dynamics linearised about
    the paramagnet :math:`\mathbf{s} = (0, 0, -1/2)`; > 0 means the paramagnet is unstable.

    The Jacobian is taken by central differences (exact up to rounding: the
    equations are quadratic).
    """
    if not has_paramagnet(model):
        raise ValueError(f"{model.name}: the paramagnet linearisation is defined for local "
                         "emission; the driven Dicke model has its transition at Omega = Gamma/2")
    s0, step = np.array([0.0, 0.0, -0.5]), 1e-4
    jacobian = np.column_stack([
        (_mean_field_velocity(model, s0 + step * e) - _mean_field_velocity(model, s0 - step * e))
        / (2 * step) for e in np.eye(3)])
    return float(np.linalg.eigvals(jacobian).real.max())
