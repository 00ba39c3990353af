"""kazoo's ``kazoo.recipe.partitioner`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.compat.protocol.states import KazooState
from zkrecipes.exceptions import KazooException, LockTimeout
from zkrecipes.recipes.partitioner import PartitionState, SetPartitioner
from zkrecipes.recipes.watchers import PatientChildrenWatch

__all__ = [
    "KazooException",
    "KazooState",
    "LockTimeout",
    "PartitionState",
    "PatientChildrenWatch",
    "SetPartitioner",
]
