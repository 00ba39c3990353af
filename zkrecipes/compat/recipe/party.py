"""kazoo's ``kazoo.recipe.party`` names."""

from __future__ import annotations

from zkrecipes.recipes.party import Party, ShallowParty

__all__ = ["Party", "ShallowParty"]
