"""kazoo's ``kazoo.recipe.lease`` names."""

from __future__ import annotations

from zkrecipes.recipes.lease import MultiNonBlockingLease, NonBlockingLease

__all__ = ["MultiNonBlockingLease", "NonBlockingLease"]
