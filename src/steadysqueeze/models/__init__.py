"""The driven-dissipative emitter models: the interface and the paper's three models.

Adding a model is adding one module to this package that defines a :class:`Model`
subclass decorated with :func:`register`; every module here is imported on first use,
so the new model is at once available to configs, the CLI and the workflow.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import MODELS, Dissipation, Model, ModelInputError, Parameter, make_model, register
from .common import GAMMA


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_import_all()

from .dicke import DrivenDicke  # noqa: E402
from .tfi import TFI  # noqa: E402
from .xyz import XYZ  # noqa: E402

__all__ = ["Model", "ModelInputError", "Parameter", "Dissipation", "MODELS", "register",
           "make_model", "GAMMA", "XYZ", "TFI", "DrivenDicke"]
