"""kazoo's ``kazoo.recipe.watchers`` names."""

from __future__ import annotations

from zkrecipes.recipes.watchers import ChildrenWatch, DataWatch, PatientChildrenWatch

__all__ = ["ChildrenWatch", "DataWatch", "PatientChildrenWatch"]
