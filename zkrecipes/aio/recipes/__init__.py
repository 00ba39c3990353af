"""Recipes for :class:`~zkrecipes.aio.AsyncZkClient`, from the threaded recipes' logic.

``from zkrecipes.aio.recipes import Lock, ReadLock, WriteLock, Semaphore, Election`` (or
``zk.Lock(path)`` … on the client). Node layout, policies, naming, checks,
deadlines and fencing are those of :mod:`zkrecipes.recipes`; this package adds
the awaited acquire loop (:mod:`._acquire`), the session guard (:mod:`._guard`)
and the node clean-up (:mod:`._nodes`). See ``docs/asyncio.md``.
"""

from __future__ import annotations

from zkrecipes.aio.recipes.election import Election
from zkrecipes.aio.recipes.lock import Lock, ReadLock, WriteLock
from zkrecipes.aio.recipes.semaphore import Semaphore

__all__ = ["Election", "Lock", "ReadLock", "Semaphore", "WriteLock"]
