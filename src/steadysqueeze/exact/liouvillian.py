"""The Lindblad Liouvillian (Eq. 1) of any model on its physical unknowns.

:func:`liouvillian` picks the operator of a model: for the paper's models local or
collective emission (:mod:`.emission`: :class:`LocalEmissionLiouvillian`,
:class:`CollectiveEmissionLiouvillian`), for a declared model any of the six PIQS
channels (:mod:`.general`: :class:`~.general.GeneralLiouvillian`, a subclass of
:class:`LocalEmissionLiouvillian`). It sits above both, so that neither knows the other's
models.
"""

from __future__ import annotations

from ..models import Model
from ..models.declared import DeclaredModel
from .emission import (CollectiveEmissionLiouvillian, Liouvillian, LocalEmissionLiouvillian,
                       block_kron, kron_entries)
from .general import GeneralLiouvillian

__all__ = ["LocalEmissionLiouvillian", "CollectiveEmissionLiouvillian", "GeneralLiouvillian",
           "Liouvillian", "liouvillian", "block_kron", "kron_entries"]


def liouvillian(model: Model, N: int) -> Liouvillian:
    """The Liouvillian of ``model`` on its physical unknowns."""
    if isinstance(model, DeclaredModel):
        return GeneralLiouvillian(model, N)
    if model.dissipation == "local":
        return LocalEmissionLiouvillian(model, N)
    return CollectiveEmissionLiouvillian(model, N)
