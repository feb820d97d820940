"""steadysqueeze: spin squeezing in the steady state of driven-dissipative emitter ensembles.

Reproduces and extends Huybrechts & Roscilde, "Quantum correlations in the steady
state of light-emitter ensembles from perturbation theory" (see README).

For notebooks, :func:`declare`, :func:`steady_state` and :func:`solve` (from
:mod:`steadysqueeze.api`) declare a model, solve it at one point or along a scan and
return the observables as an :class:`xarray.Dataset`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("steadysqueeze")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from .api import declare, solve, steady_state

__all__ = ["__version__", "declare", "steady_state", "solve"]

#: re-exported from .api on first use (keeps `import steadysqueeze` and the CLI fast)
_API = ("declare", "steady_state", "solve")


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(".api", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API))
