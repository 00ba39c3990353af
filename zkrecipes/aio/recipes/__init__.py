"""Recipes for :class:`~zkrecipes.aio.AsyncZkClient`, from the threaded recipes' logic.

``from zkrecipes.aio.recipes import Lock, Barrier, DataWatch, …`` (or
``zk.Lock(path)``, ``zk.Barrier(path)`` … on the client). Node layout, policies,
naming, encodings, checks, deadlines and fencing are those of
:mod:`zkrecipes.recipes` (threaded and asyncio processes share a path); this
package adds the awaited loops, the session guard, the node clean-up that
makes every cancellation safe, and iteration where it reads naturally. Each
recipe is typed against :class:`._client.AsyncRecipeClient`. See ``docs/asyncio.md``.
"""

from __future__ import annotations

from zkrecipes.aio.recipes.barrier import Barrier, DoubleBarrier
from zkrecipes.aio.recipes.cache import NodeData, TreeCache, TreeEvent
from zkrecipes.aio.recipes.counter import Counter
from zkrecipes.aio.recipes.election import Election
from zkrecipes.aio.recipes.lease import MultiNonBlockingLease, NonBlockingLease
from zkrecipes.aio.recipes.lock import Lock, ReadLock, WriteLock
from zkrecipes.aio.recipes.partitioner import PartitionState, SetPartitioner
from zkrecipes.aio.recipes.party import Party, ShallowParty
from zkrecipes.aio.recipes.queue import LockingQueue, Queue
from zkrecipes.aio.recipes.semaphore import Semaphore
from zkrecipes.aio.recipes.watchers import ChildrenWatch, DataWatch

__all__ = [
    "Barrier",
    "ChildrenWatch",
    "Counter",
    "DataWatch",
    "DoubleBarrier",
    "Election",
    "Lock",
    "LockingQueue",
    "MultiNonBlockingLease",
    "NodeData",
    "NonBlockingLease",
    "PartitionState",
    "Party",
    "Queue",
    "ReadLock",
    "Semaphore",
    "SetPartitioner",
    "ShallowParty",
    "TreeCache",
    "TreeEvent",
    "WriteLock",
]
