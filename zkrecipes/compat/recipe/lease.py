"""kazoo's ``kazoo.recipe.lease`` names (and those kazoo's module re-exports)."""

from __future__ import annotations

from zkrecipes.exceptions import CancelledError
from zkrecipes.recipes.lease import MultiNonBlockingLease, NonBlockingLease

__all__ = [
    "CancelledError",
    "MultiNonBlockingLease",
    "NonBlockingLease",
]
