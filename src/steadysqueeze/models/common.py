"""Parameters shared by several models."""

from __future__ import annotations

from .base import Parameter

__all__ = ["GAMMA"]

#: the local emission rate γ, the unit of the couplings of local-emission models
GAMMA = Parameter("local emission rate gamma", r"\gamma")
