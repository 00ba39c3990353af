"""kazoo's ``kazoo.recipe.election`` names."""

from __future__ import annotations

from zkrecipes.recipes.election import Election

__all__ = ["Election"]
