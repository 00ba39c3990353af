"""kazoo's ``kazoo.recipe.party`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes.party import Party, ShallowParty

__all__ = [
    "NoNodeError",
    "NodeExistsError",
    "Party",
    "ShallowParty",
]
