"""kazoo's ``kazoo.recipe.lock`` names (kazoo keeps Semaphore here too)."""

from __future__ import annotations

from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock
from zkrecipes.recipes.semaphore import Semaphore

__all__ = ["Lock", "ReadLock", "Semaphore", "WriteLock"]
