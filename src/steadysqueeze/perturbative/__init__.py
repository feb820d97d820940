r"""Pure-state perturbation theory for the steady state (Sec. 2 of Huybrechts & Roscilde,
arXiv:2402.16824): the theory (:mod:`.theory`), truncated-series arithmetic
(:mod:`.series`), consistently expanded observables (:mod:`.squeezing`) and the checks of
when it applies (:mod:`.checks`).
"""

from __future__ import annotations

from .checks import (ASSUMPTION_TOLERANCE, Applicability, applicability, assumption_checks,
                     summary)
from .squeezing import squeezing, truncated_state_squeezing
from .theory import (PerturbationError, PerturbedState, expectation_series, perturbed_state,
                     unperturbed_energies)

__all__ = ["PerturbationError", "PerturbedState", "perturbed_state", "expectation_series",
           "unperturbed_energies", "squeezing", "truncated_state_squeezing",
           "assumption_checks", "applicability", "Applicability", "summary",
           "ASSUMPTION_TOLERANCE"]
