r"""The Liouvillian and steady state of any declared permutation-invariant model.

A declared model (:mod:`steadysqueeze.models.declared`) has a collective Hamiltonian and
any of the six channels of :mod:`.channels` (PIQS's, Shammah et al., PRA 98, 063815
(2018)). On block J the Liouvillian is

.. math::
    \mathcal{L}[\rho]^J = G_J\rho^J + \rho^J G_J^\dagger
        + \sum_{s}\sum_{c} c_{s\to J}\, A_{s\to J}\,\rho^{s} A_{s\to J}^{T},
    \qquad G_J = -iH_J - \tfrac12\sum_j\gamma_j L_j^\dagger L_j ,

assembled exactly like :class:`~.emission.LocalEmissionLiouvillian` (same unknowns:
blocks by descending J, row-major; same trace row and anchor equation), of which
:class:`GeneralLiouvillian` is a subclass that replaces the jump terms.

Parity
    All six channels shift M and M' alike; if H changes M only by even amounts
    (``model.conserves_parity``, decided from the structure of the expression), only
    the sector with M − M' even is kept, where the steady state connected to
    :math:`|\phi_0\rangle` (M − M' = 0) lives. Otherwise nothing is dropped.

Only collective channels
    H and every collective jump operator commute with :math:`\mathbf{J}^2`, so the dynamics
    never leaves a total-spin block: the full space has one steady state per block J, and
    the one connected to :math:`|\phi_0\rangle = |N/2, -N/2\rangle` lives in the symmetric
    block J = N/2. Only that :math:`(N+1)`-dimensional block is kept (exact, not an
    approximation), as for the built-in ``dicke`` model.
"""

from __future__ import annotations

import scipy.sparse as sp

from ..models import Model
from ..spin import CollectiveSpin, collective_spin, spin_values
from .channels import LOCAL_CHANNELS, channel_jumps, jump_map
from .emission import LocalEmissionLiouvillian

__all__ = ["GeneralLiouvillian"]


class GeneralLiouvillian(LocalEmissionLiouvillian):
    r"""Liouvillian of a declared model on its physical blocks (see the module docstring).

    ``model`` must provide ``channel_rates() -> {channel: rate}``, ``hamiltonian``,
    ``decay_operator`` (:math:`\sum_j\gamma_j L_j^\dagger L_j` of its channels) and the
    class fact ``conserves_parity``.
    """

    def __init__(self, model: Model, N: int) -> None:
        # not super().__init__(), which accepts local emission only
        self.model, self.N = model, int(N)
        self.rates = dict(model.channel_rates(self.N))
        self.collective = not any(self.rates.get(c, 0.0) for c in LOCAL_CHANNELS)
        values = spin_values(self.N)
        self.spins = [collective_spin(J) for J in (values[:1] if self.collective else values)]
        self.gamma = max(self.rates.values(), default=0.0)

    def jump_terms(self, source: CollectiveSpin) -> list[tuple[int, float, sp.csr_array]]:
        r"""Jump terms leaving block ``source``: (target index, :math:`c`, :math:`A`),
        from :func:`~.channels.channel_jumps`."""
        k = int(round(self.N / 2 - source.J))
        terms = []
        for channel in channel_jumps(self.rates, self.N, source.J):
            target = k + channel.block_step
            if 0 <= target < len(self.spins):
                terms.append((target, channel.coefficient,
                              jump_map(source, self.spins[target], channel)))
        return terms
