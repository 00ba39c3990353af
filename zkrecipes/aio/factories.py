"""The Curator-interoperable recipes as ``AsyncZkClient`` factories (``zk.InterProcessMutex(path)``, ...).

The asyncio twin of :class:`zkrecipes.client.factories.CuratorRecipeFactories`:
a base of :class:`~zkrecipes.aio.AsyncZkClient` holding only descriptors, each
typed from its recipe's ``__init__`` and importing its module
(``zkrecipes.aio.recipes.curator.*``) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.client.factories import recipe

if TYPE_CHECKING:
    from zkrecipes.aio.recipes.curator import (
        curator_cache,
        distributed_atomic_long,
        distributed_barrier,
        distributed_delay_queue,
        distributed_double_barrier,
        distributed_id_queue,
        distributed_priority_queue,
        distributed_queue,
        group_member,
        inter_process_multi_lock,
        inter_process_mutex,
        inter_process_read_write_lock,
        inter_process_semaphore_mutex,
        inter_process_semaphore_v2,
        leader_latch,
        leader_selector,
        persistent_node,
        service_cache,
        service_discovery,
        shared_count,
        shared_value,
        simple_distributed_queue,
    )

__all__ = ["AsyncCuratorRecipeFactories"]

_C = "zkrecipes.aio.recipes.curator."


class AsyncCuratorRecipeFactories:
    """The asyncio Curator recipes as client factories (descriptors only)."""

    __slots__ = ()

    LeaderLatch = recipe(_C + "leader_latch.LeaderLatch", leader_latch.LeaderLatch if TYPE_CHECKING else None)
    LeaderSelector = recipe(
        _C + "leader_selector.LeaderSelector",
        leader_selector.LeaderSelector if TYPE_CHECKING else None)
    InterProcessMutex = recipe(
        _C + "inter_process_mutex.InterProcessMutex",
        inter_process_mutex.InterProcessMutex if TYPE_CHECKING else None)
    InterProcessSemaphoreMutex = recipe(
        _C + "inter_process_semaphore_mutex.InterProcessSemaphoreMutex",
        inter_process_semaphore_mutex.InterProcessSemaphoreMutex if TYPE_CHECKING else None)
    InterProcessReadWriteLock = recipe(
        _C + "inter_process_read_write_lock.InterProcessReadWriteLock",
        inter_process_read_write_lock.InterProcessReadWriteLock if TYPE_CHECKING else None)
    InterProcessSemaphoreV2 = recipe(
        _C + "inter_process_semaphore_v2.InterProcessSemaphoreV2",
        inter_process_semaphore_v2.InterProcessSemaphoreV2 if TYPE_CHECKING else None)
    InterProcessMultiLock = recipe(
        _C + "inter_process_multi_lock.InterProcessMultiLock",
        inter_process_multi_lock.InterProcessMultiLock if TYPE_CHECKING else None)
    SimpleDistributedQueue = recipe(
        _C + "simple_distributed_queue.SimpleDistributedQueue",
        simple_distributed_queue.SimpleDistributedQueue if TYPE_CHECKING else None)
    DistributedQueue = recipe(
        _C + "distributed_queue.DistributedQueue",
        distributed_queue.DistributedQueue if TYPE_CHECKING else None)
    DistributedPriorityQueue = recipe(
        _C + "distributed_priority_queue.DistributedPriorityQueue",
        distributed_priority_queue.DistributedPriorityQueue if TYPE_CHECKING else None)
    DistributedDelayQueue = recipe(
        _C + "distributed_delay_queue.DistributedDelayQueue",
        distributed_delay_queue.DistributedDelayQueue if TYPE_CHECKING else None)
    DistributedIdQueue = recipe(
        _C + "distributed_id_queue.DistributedIdQueue",
        distributed_id_queue.DistributedIdQueue if TYPE_CHECKING else None)
    SharedValue = recipe(_C + "shared_value.SharedValue", shared_value.SharedValue if TYPE_CHECKING else None)
    SharedCount = recipe(_C + "shared_count.SharedCount", shared_count.SharedCount if TYPE_CHECKING else None)
    DistributedAtomicLong = recipe(
        _C + "distributed_atomic_long.DistributedAtomicLong",
        distributed_atomic_long.DistributedAtomicLong if TYPE_CHECKING else None)
    DistributedBarrier = recipe(
        _C + "distributed_barrier.DistributedBarrier",
        distributed_barrier.DistributedBarrier if TYPE_CHECKING else None)
    DistributedDoubleBarrier = recipe(
        _C + "distributed_double_barrier.DistributedDoubleBarrier",
        distributed_double_barrier.DistributedDoubleBarrier if TYPE_CHECKING else None)
    CuratorCache = recipe(
        _C + "curator_cache.CuratorCache",
        curator_cache.CuratorCache if TYPE_CHECKING else None)
    PersistentNode = recipe(
        _C + "persistent_node.PersistentNode",
        persistent_node.PersistentNode if TYPE_CHECKING else None)
    GroupMember = recipe(_C + "group_member.GroupMember", group_member.GroupMember if TYPE_CHECKING else None)
    ServiceDiscovery = recipe(
        _C + "service_discovery.ServiceDiscovery",
        service_discovery.ServiceDiscovery if TYPE_CHECKING else None)
    ServiceCache = recipe(
        _C + "service_cache.ServiceCache",
        service_cache.ServiceCache if TYPE_CHECKING else None)
