"""Curator-interoperable recipes on asyncio: ``zkrecipes.recipes.curator``'s layouts and rules, awaited.

The node layouts, encodings and rules (the pure modules of :mod:`zkrecipes.recipes.curator`)
are the sync recipes', so sync, asyncio and Curator participants share one path.
Made by the factories of the same names on ``AsyncZkClient`` (``zk.LeaderLatch(path, id)``, ...)
or directly.
"""

from __future__ import annotations

from zkrecipes.aio.recipes.curator.curator_cache import (
    CacheEvent,
    CacheEventType,
    CacheWatchMode,
    CuratorCache,
)
from zkrecipes.aio.recipes.curator.distributed_atomic_long import DistributedAtomicLong
from zkrecipes.aio.recipes.curator.distributed_barrier import DistributedBarrier
from zkrecipes.aio.recipes.curator.distributed_delay_queue import DistributedDelayQueue
from zkrecipes.aio.recipes.curator.distributed_double_barrier import DistributedDoubleBarrier
from zkrecipes.aio.recipes.curator.distributed_id_queue import DistributedIdQueue
from zkrecipes.aio.recipes.curator.distributed_priority_queue import DistributedPriorityQueue
from zkrecipes.aio.recipes.curator.distributed_queue import DistributedQueue
from zkrecipes.aio.recipes.curator.group_member import GroupMember
from zkrecipes.aio.recipes.curator.inter_process_multi_lock import InterProcessMultiLock
from zkrecipes.aio.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.aio.recipes.curator.inter_process_read_write_lock import InterProcessReadWriteLock
from zkrecipes.aio.recipes.curator.inter_process_semaphore_mutex import InterProcessSemaphoreMutex
from zkrecipes.aio.recipes.curator.inter_process_semaphore_v2 import InterProcessSemaphoreV2
from zkrecipes.aio.recipes.curator.leader_latch import LeaderLatch
from zkrecipes.aio.recipes.curator.leader_selector import LeaderSelector, LeaderSelectorListener
from zkrecipes.aio.recipes.curator.lease import Lease
from zkrecipes.aio.recipes.curator.persistent_node import PersistentNode
from zkrecipes.aio.recipes.curator.revoker import Revoker
from zkrecipes.aio.recipes.curator.service_cache import ServiceCache
from zkrecipes.aio.recipes.curator.service_discovery import ServiceDiscovery
from zkrecipes.aio.recipes.curator.service_provider import ServiceProvider
from zkrecipes.aio.recipes.curator.shared_count import SharedCount
from zkrecipes.aio.recipes.curator.shared_value import SharedValue
from zkrecipes.aio.recipes.curator.simple_distributed_queue import SimpleDistributedQueue
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

__all__ = [
    "CacheEvent",
    "CacheEventType",
    "CacheWatchMode",
    "CuratorCache",
    "DistributedAtomicLong",
    "DistributedBarrier",
    "DistributedDelayQueue",
    "DistributedDoubleBarrier",
    "DistributedIdQueue",
    "DistributedPriorityQueue",
    "DistributedQueue",
    "ErrorMode",
    "GroupMember",
    "InterProcessMultiLock",
    "InterProcessMutex",
    "InterProcessReadWriteLock",
    "InterProcessSemaphoreMutex",
    "InterProcessSemaphoreV2",
    "LeaderLatch",
    "LeaderSelector",
    "LeaderSelectorListener",
    "Lease",
    "PersistentNode",
    "Revoker",
    "ServiceCache",
    "ServiceDiscovery",
    "ServiceProvider",
    "SharedCount",
    "SharedValue",
    "SimpleDistributedQueue",
]
