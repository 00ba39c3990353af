"""Coordination recipes built on the public client API.

Each recipe states in its docstring what happens on SUSPENDED and on LOST.
Names are imported lazily at run time so that importing one recipe does not
load all of them; to a type checker the ``TYPE_CHECKING`` block below imports
every public name, so ``from zkrecipes.recipes import Lock`` is the real class.
The Curator-compatible recipes (``InterProcessMutex``, ``LeaderLatch``,
``SharedCount``, …) live in :mod:`zkrecipes.recipes.curator` and are
re-exported here. Every recipe takes as its first argument any client with the shape of
:class:`~zkrecipes.recipes._client.RecipeClient` (e.g. :class:`~zkrecipes.ZkClient`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zkrecipes.recipes.barrier import Barrier, DoubleBarrier
    from zkrecipes.recipes.cache import NodeData, TreeCache, TreeEvent
    from zkrecipes.recipes.counter import Counter
    from zkrecipes.recipes.curator import (
        CuratorCache,
        DistributedAtomicLong,
        DistributedBarrier,
        DistributedDelayQueue,
        DistributedDoubleBarrier,
        DistributedIdQueue,
        DistributedPriorityQueue,
        DistributedQueue,
        GroupMember,
        InterProcessMultiLock,
        InterProcessMutex,
        InterProcessReadWriteLock,
        InterProcessSemaphoreMutex,
        InterProcessSemaphoreV2,
        LeaderLatch,
        LeaderSelector,
        PersistentNode,
        PromotedToLock,
        ServiceCache,
        ServiceDiscovery,
        ServiceInstance,
        SharedCount,
        SharedValue,
        SimpleDistributedQueue,
    )
    from zkrecipes.recipes.election import Election
    from zkrecipes.recipes.lease import MultiNonBlockingLease, NonBlockingLease
    from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock
    from zkrecipes.recipes.partitioner import PartitionState, SetPartitioner
    from zkrecipes.recipes.party import Party, ShallowParty
    from zkrecipes.recipes.queue import LockingQueue, Queue
    from zkrecipes.recipes.semaphore import Semaphore
    from zkrecipes.recipes.watchers import ChildrenWatch, DataWatch, PatientChildrenWatch

_MODULES = {
    "Lock": "lock",
    "ReadLock": "lock",
    "WriteLock": "lock",
    "Semaphore": "semaphore",
    "Election": "election",
    "NonBlockingLease": "lease",
    "MultiNonBlockingLease": "lease",
    "Counter": "counter",
    "Barrier": "barrier",
    "DoubleBarrier": "barrier",
    "Queue": "queue",
    "LockingQueue": "queue",
    "Party": "party",
    "ShallowParty": "party",
    "SetPartitioner": "partitioner",
    "PartitionState": "partitioner",
    "DataWatch": "watchers",
    "ChildrenWatch": "watchers",
    "PatientChildrenWatch": "watchers",
    "TreeCache": "cache",
    "TreeEvent": "cache",
    "NodeData": "cache",
    # Curator-compatible recipes (Curator's layouts and names): zkrecipes.recipes.curator
    "CuratorCache": "curator",
    "DistributedAtomicLong": "curator",
    "DistributedBarrier": "curator",
    "DistributedDoubleBarrier": "curator",
    "DistributedDelayQueue": "curator",
    "DistributedIdQueue": "curator",
    "DistributedPriorityQueue": "curator",
    "DistributedQueue": "curator",
    "GroupMember": "curator",
    "InterProcessMultiLock": "curator",
    "InterProcessMutex": "curator",
    "InterProcessReadWriteLock": "curator",
    "InterProcessSemaphoreMutex": "curator",
    "InterProcessSemaphoreV2": "curator",
    "LeaderLatch": "curator",
    "LeaderSelector": "curator",
    "PersistentNode": "curator",
    "PromotedToLock": "curator",
    "ServiceCache": "curator",
    "ServiceDiscovery": "curator",
    "ServiceInstance": "curator",
    "SharedCount": "curator",
    "SharedValue": "curator",
    "SimpleDistributedQueue": "curator",
}

__all__ = [
    "Barrier",
    "ChildrenWatch",
    "Counter",
    "CuratorCache",
    "DataWatch",
    "DistributedAtomicLong",
    "DistributedBarrier",
    "DistributedDelayQueue",
    "DistributedDoubleBarrier",
    "DistributedIdQueue",
    "DistributedPriorityQueue",
    "DistributedQueue",
    "DoubleBarrier",
    "Election",
    "GroupMember",
    "InterProcessMultiLock",
    "InterProcessMutex",
    "InterProcessReadWriteLock",
    "InterProcessSemaphoreMutex",
    "InterProcessSemaphoreV2",
    "LeaderLatch",
    "LeaderSelector",
    "Lock",
    "LockingQueue",
    "MultiNonBlockingLease",
    "NodeData",
    "NonBlockingLease",
    "PartitionState",
    "Party",
    "PatientChildrenWatch",
    "PersistentNode",
    "PromotedToLock",
    "Queue",
    "ReadLock",
    "Semaphore",
    "ServiceCache",
    "ServiceDiscovery",
    "ServiceInstance",
    "SetPartitioner",
    "ShallowParty",
    "SharedCount",
    "SharedValue",
    "SimpleDistributedQueue",
    "TreeCache",
    "TreeEvent",
    "WriteLock",
]


def __getattr__(name: str) -> Any:
    """Import the recipe ``name`` on first use (run time only; mypy sees the imports above)."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'zkrecipes.recipes' has no attribute {name!r}")
    return getattr(importlib.import_module(f"zkrecipes.recipes.{module}"), name)
