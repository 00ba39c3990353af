"""kazoo's ``kazoo.recipe.election`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.exceptions import CancelledError
from zkrecipes.recipes.election import Election

__all__ = [
    "CancelledError",
    "Election",
]
