"""Recipes interoperable with Apache Curator 5.4 on the same znodes (``docs/curator.md``).

Curator's class names; Curator's methods in snake_case (``acquire(timeout)``,
``release()``, ``is_acquired_in_this_process()``, ``has_leadership()``,
``await_leadership(timeout)``, ``get_count()``, ``try_set_count(...)``). The
layouts, orderings and encodings are Curator's, so a Python process and a
Java one exclude each other, elect one leader and count together. The
kazoo-layout recipes in :mod:`zkrecipes.recipes` are unchanged.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zkrecipes.recipes.curator.atomic_value import AtomicStats, AtomicValue
    from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
    from zkrecipes.recipes.curator.curator_cache import CacheEventType, CuratorCache, CuratorCacheListener
    from zkrecipes.recipes.curator.distributed_atomic_long import DistributedAtomicLong
    from zkrecipes.recipes.curator.distributed_barrier import DistributedBarrier
    from zkrecipes.recipes.curator.distributed_delay_queue import DistributedDelayQueue
    from zkrecipes.recipes.curator.distributed_double_barrier import DistributedDoubleBarrier
    from zkrecipes.recipes.curator.distributed_id_queue import DistributedIdQueue
    from zkrecipes.recipes.curator.distributed_priority_queue import DistributedPriorityQueue
    from zkrecipes.recipes.curator.distributed_queue import DistributedQueue
    from zkrecipes.recipes.curator.group_member import GroupMember
    from zkrecipes.recipes.curator.inter_process_lock import InterProcessLock
    from zkrecipes.recipes.curator.inter_process_multi_lock import InterProcessMultiLock
    from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex
    from zkrecipes.recipes.curator.inter_process_read_write_lock import InterProcessReadWriteLock
    from zkrecipes.recipes.curator.inter_process_semaphore_mutex import InterProcessSemaphoreMutex
    from zkrecipes.recipes.curator.inter_process_semaphore_v2 import InterProcessSemaphoreV2
    from zkrecipes.recipes.curator.latch_types import CloseMode, LatchState, LeaderLatchListener
    from zkrecipes.recipes.curator.leader_latch import LeaderLatch
    from zkrecipes.recipes.curator.leader_selector import LeaderSelector, LeaderSelectorListener
    from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus
    from zkrecipes.recipes.curator.lease import Lease
    from zkrecipes.recipes.curator.participant import Participant
    from zkrecipes.recipes.curator.persistent_node import PersistentNode
    from zkrecipes.recipes.curator.promoted_to_lock import PromotedToLock
    from zkrecipes.recipes.curator.provider_strategies import (
        ProviderStrategy,
        RandomStrategy,
        RoundRobinStrategy,
        StickyStrategy,
    )
    from zkrecipes.recipes.curator.queue_error_mode import ErrorMode
    from zkrecipes.recipes.curator.retry_policy import RetryNTimes, RetryOneTime, RetryPolicy
    from zkrecipes.recipes.curator.revoker import RevocationListener, Revoker
    from zkrecipes.recipes.curator.service_cache import ServiceCache, ServiceCacheListener
    from zkrecipes.recipes.curator.service_cache_builder import ServiceCacheBuilder
    from zkrecipes.recipes.curator.service_discovery import ServiceDiscovery
    from zkrecipes.recipes.curator.service_instance import ServiceInstance
    from zkrecipes.recipes.curator.service_provider import ServiceProvider
    from zkrecipes.recipes.curator.service_provider_builder import ServiceProviderBuilder
    from zkrecipes.recipes.curator.service_type import ServiceType
    from zkrecipes.recipes.curator.shared_count import SharedCount, SharedCountListener
    from zkrecipes.recipes.curator.shared_value import SharedValue, SharedValueListener
    from zkrecipes.recipes.curator.simple_distributed_queue import SimpleDistributedQueue
    from zkrecipes.recipes.curator.versioned_value import VersionedValue

_MODULES = {
    "AtomicStats": "atomic_value",
    "AtomicValue": "atomic_value",
    "CacheEventType": "curator_cache",
    "CacheWatchMode": "cache_watch_mode",
    "CloseMode": "latch_types",
    "CuratorCache": "curator_cache",
    "CuratorCacheListener": "curator_cache",
    "DistributedAtomicLong": "distributed_atomic_long",
    "DistributedBarrier": "distributed_barrier",
    "DistributedDoubleBarrier": "distributed_double_barrier",
    "DistributedDelayQueue": "distributed_delay_queue",
    "DistributedIdQueue": "distributed_id_queue",
    "DistributedPriorityQueue": "distributed_priority_queue",
    "DistributedQueue": "distributed_queue",
    "ErrorMode": "queue_error_mode",
    "GroupMember": "group_member",
    "InterProcessLock": "inter_process_lock",
    "InterProcessMultiLock": "inter_process_multi_lock",
    "InterProcessMutex": "inter_process_mutex",
    "InterProcessReadWriteLock": "inter_process_read_write_lock",
    "InterProcessSemaphoreMutex": "inter_process_semaphore_mutex",
    "InterProcessSemaphoreV2": "inter_process_semaphore_v2",
    "LatchState": "latch_types",
    "LeaderLatch": "leader_latch",
    "LeaderLatchListener": "latch_types",
    "LeaderSelector": "leader_selector",
    "LeaderSelectorListener": "leader_selector",
    "LeaderStatus": "leadership_state",
    "LeadershipState": "leadership_state",
    "Lease": "lease",
    "Participant": "participant",
    "PersistentNode": "persistent_node",
    "PromotedToLock": "promoted_to_lock",
    "RetryNTimes": "retry_policy",
    "RetryOneTime": "retry_policy",
    "RetryPolicy": "retry_policy",
    "ProviderStrategy": "provider_strategies",
    "RandomStrategy": "provider_strategies",
    "RevocationListener": "revoker",
    "Revoker": "revoker",
    "RoundRobinStrategy": "provider_strategies",
    "ServiceCache": "service_cache",
    "ServiceCacheBuilder": "service_cache_builder",
    "ServiceCacheListener": "service_cache",
    "ServiceDiscovery": "service_discovery",
    "ServiceInstance": "service_instance",
    "ServiceProvider": "service_provider",
    "ServiceProviderBuilder": "service_provider_builder",
    "ServiceType": "service_type",
    "SharedCount": "shared_count",
    "SimpleDistributedQueue": "simple_distributed_queue",
    "StickyStrategy": "provider_strategies",
    "SharedCountListener": "shared_count",
    "SharedValue": "shared_value",
    "SharedValueListener": "shared_value",
    "VersionedValue": "versioned_value",
}

__all__ = [
    "AtomicStats",
    "AtomicValue",
    "CacheEventType",
    "CacheWatchMode",
    "CloseMode",
    "CuratorCache",
    "CuratorCacheListener",
    "DistributedAtomicLong",
    "DistributedBarrier",
    "DistributedDelayQueue",
    "DistributedDoubleBarrier",
    "DistributedIdQueue",
    "DistributedPriorityQueue",
    "DistributedQueue",
    "ErrorMode",
    "GroupMember",
    "InterProcessLock",
    "InterProcessMultiLock",
    "InterProcessMutex",
    "InterProcessReadWriteLock",
    "InterProcessSemaphoreMutex",
    "InterProcessSemaphoreV2",
    "LatchState",
    "LeaderLatch",
    "LeaderLatchListener",
    "LeaderSelector",
    "LeaderSelectorListener",
    "LeaderStatus",
    "LeadershipState",
    "Lease",
    "Participant",
    "PersistentNode",
    "PromotedToLock",
    "ProviderStrategy",
    "RandomStrategy",
    "RetryNTimes",
    "RetryOneTime",
    "RetryPolicy",
    "RevocationListener",
    "Revoker",
    "RoundRobinStrategy",
    "ServiceCache",
    "ServiceCacheBuilder",
    "ServiceCacheListener",
    "ServiceDiscovery",
    "ServiceInstance",
    "ServiceProvider",
    "ServiceProviderBuilder",
    "ServiceType",
    "SharedCount",
    "SharedCountListener",
    "SharedValue",
    "SharedValueListener",
    "SimpleDistributedQueue",
    "StickyStrategy",
    "VersionedValue",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
