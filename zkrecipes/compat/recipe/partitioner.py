"""kazoo's ``kazoo.recipe.partitioner`` names."""

from __future__ import annotations

from zkrecipes.recipes.partitioner import PartitionState, SetPartitioner

__all__ = ["PartitionState", "SetPartitioner"]
