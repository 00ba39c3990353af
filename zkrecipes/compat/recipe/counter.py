"""kazoo's ``kazoo.recipe.counter`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.exceptions import BadVersionError, ForceRetryError
from zkrecipes.recipes.counter import Counter

__all__ = [
    "BadVersionError",
    "Counter",
    "ForceRetryError",
]
