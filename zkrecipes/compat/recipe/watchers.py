"""kazoo's ``kazoo.recipe.watchers`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.compat.protocol.states import KazooState
from zkrecipes.compat.retry import KazooRetry
from zkrecipes.exceptions import ConnectionClosedError, KazooException, NoNodeError
from zkrecipes.recipes.watchers import ChildrenWatch, DataWatch, PatientChildrenWatch

__all__ = [
    "ChildrenWatch",
    "ConnectionClosedError",
    "DataWatch",
    "KazooException",
    "KazooRetry",
    "KazooState",
    "NoNodeError",
    "PatientChildrenWatch",
]
