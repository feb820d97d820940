"""steadysqueeze: spin squeezing in the steady state of driven-dissipative emitter ensembles.

Reproduces and extends Huybrechts & Roscilde, "Quantum correlations in the steady
state of light-emitter ensembles from perturbation theory" (see README).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("steadysqueeze")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
