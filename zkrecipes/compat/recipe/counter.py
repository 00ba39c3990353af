"""kazoo's ``kazoo.recipe.counter`` names."""

from __future__ import annotations

from zkrecipes.recipes.counter import Counter

__all__ = ["Counter"]
