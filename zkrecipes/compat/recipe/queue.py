"""kazoo's ``kazoo.recipe.queue`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.exceptions import ForceRetryError, NodeExistsError, NoNodeError
from zkrecipes.recipes.queue import LockingQueue, Queue
from zkrecipes.states import EventType

__all__ = [
    "EventType",
    "ForceRetryError",
    "LockingQueue",
    "NoNodeError",
    "NodeExistsError",
    "Queue",
]
