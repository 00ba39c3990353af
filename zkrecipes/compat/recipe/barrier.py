"""kazoo's ``kazoo.recipe.barrier`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.exceptions import KazooException, NodeExistsError, NoNodeError
from zkrecipes.recipes.barrier import Barrier, DoubleBarrier
from zkrecipes.states import EventType

__all__ = [
    "Barrier",
    "DoubleBarrier",
    "EventType",
    "KazooException",
    "NoNodeError",
    "NodeExistsError",
]
