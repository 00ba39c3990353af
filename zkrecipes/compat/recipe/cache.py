"""kazoo's ``kazoo.recipe.cache`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.compat.protocol.states import KazooState
from zkrecipes.exceptions import KazooException, NoNodeError
from zkrecipes.recipes.cache import NodeData, TreeCache, TreeEvent
from zkrecipes.states import EventType

__all__ = [
    "EventType",
    "KazooException",
    "KazooState",
    "NoNodeError",
    "NodeData",
    "TreeCache",
    "TreeEvent",
]
