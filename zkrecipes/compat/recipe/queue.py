"""kazoo's ``kazoo.recipe.queue`` names."""

from __future__ import annotations

from zkrecipes.recipes.queue import LockingQueue, Queue

__all__ = ["LockingQueue", "Queue"]
