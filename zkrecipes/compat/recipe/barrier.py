"""kazoo's ``kazoo.recipe.barrier`` names."""

from __future__ import annotations

from zkrecipes.recipes.barrier import Barrier, DoubleBarrier

__all__ = ["Barrier", "DoubleBarrier"]
