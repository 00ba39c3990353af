"""kazoo's ``kazoo.recipe.cache`` names."""

from __future__ import annotations

from zkrecipes.recipes.cache import NodeData, TreeCache, TreeEvent

__all__ = ["NodeData", "TreeCache", "TreeEvent"]
