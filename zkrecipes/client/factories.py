"""Recipe factories on the client (``client.Lock(path)``, …): typed, imported lazily.

``client.X(*args, **kwargs)`` is ``X(client, *args, **kwargs)`` for the recipe
class ``X``. A :class:`RecipeFactory` is a descriptor generic over the recipe
constructor's parameters (minus the client) and the recipe type, so
``zk.Lock("/l")`` is a ``Lock`` to mypy and its arguments are checked against
``Lock.__init__`` — the parameter lists are never written twice. The recipe
modules are imported only for the type checker (by the client module); at run
time the class is looked up on first use (``import zkrecipes.client`` loads no recipe).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

if TYPE_CHECKING:
    from zkrecipes.recipes.curator import (
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

__all__ = ["CuratorRecipeFactories", "RecipeFactory", "recipe"]

P = ParamSpec("P")
R = TypeVar("R")


class RecipeFactory(Generic[P, R]):
    """On an instance: ``functools.partial(recipe_class, instance)``; on the class: itself."""

    __slots__ = ("_class", "_where")

    def __init__(self, where: str) -> None:
        self._where = where
        self._class: Callable[..., R] | None = None

    def recipe_class(self) -> Callable[..., R]:
        """The recipe class (imported on first use)."""
        cls = self._class
        if cls is None:
            module, _, name = self._where.rpartition(".")
            cls = self._class = getattr(importlib.import_module(module), name)
        return cls

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> RecipeFactory[P, R]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> Callable[P, R]: ...
    def __get__(self, instance: object, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return functools.partial(self.recipe_class(), instance)

    def __repr__(self) -> str:
        return f"<recipe factory {self._where}>"


def recipe(where: str, cls: Callable[Concatenate[Any, P], R] | None) -> RecipeFactory[P, R]:
    """A factory for the recipe class at ``where`` (``module.Class``).

    ``cls`` is that class for the type checker only: pass
    ``module.Class if TYPE_CHECKING else None`` so that nothing is imported at run time.
    """
    return RecipeFactory(where)


_C = "zkrecipes.recipes.curator."


class CuratorRecipeFactories:
    """The Curator-compatible recipes as client factories (``zk.InterProcessMutex(path)``, …).

    A base of the client classes, holding only descriptors: each is typed from
    the recipe's ``__init__`` like the kazoo-layout factories, and imports its
    recipe module on first use.
    """

    __slots__ = ()

    InterProcessMutex = recipe(
        _C + "inter_process_mutex.InterProcessMutex",
        inter_process_mutex.InterProcessMutex if TYPE_CHECKING else None)
    InterProcessSemaphoreMutex = recipe(
        _C + "inter_process_semaphore_mutex.InterProcessSemaphoreMutex",
        inter_process_semaphore_mutex.InterProcessSemaphoreMutex if TYPE_CHECKING else None)
    InterProcessSemaphoreV2 = recipe(
        _C + "inter_process_semaphore_v2.InterProcessSemaphoreV2",
        inter_process_semaphore_v2.InterProcessSemaphoreV2 if TYPE_CHECKING else None)
    InterProcessReadWriteLock = recipe(
        _C + "inter_process_read_write_lock.InterProcessReadWriteLock",
        inter_process_read_write_lock.InterProcessReadWriteLock if TYPE_CHECKING else None)
    LeaderLatch = recipe(_C + "leader_latch.LeaderLatch", leader_latch.LeaderLatch if TYPE_CHECKING else None)
    LeaderSelector = recipe(
        _C + "leader_selector.LeaderSelector", leader_selector.LeaderSelector if TYPE_CHECKING else None)
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
    InterProcessMultiLock = recipe(
        _C + "inter_process_multi_lock.InterProcessMultiLock",
        inter_process_multi_lock.InterProcessMultiLock if TYPE_CHECKING else None)
    ServiceDiscovery = recipe(
        _C + "service_discovery.ServiceDiscovery",
        service_discovery.ServiceDiscovery if TYPE_CHECKING else None)
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
    SimpleDistributedQueue = recipe(
        _C + "simple_distributed_queue.SimpleDistributedQueue",
        simple_distributed_queue.SimpleDistributedQueue if TYPE_CHECKING else None)
    PersistentNode = recipe(
        _C + "persistent_node.PersistentNode", persistent_node.PersistentNode if TYPE_CHECKING else None)
    GroupMember = recipe(_C + "group_member.GroupMember", group_member.GroupMember if TYPE_CHECKING else None)
    CuratorCache = recipe(
        _C + "curator_cache.CuratorCache", curator_cache.CuratorCache if TYPE_CHECKING else None)
    ServiceCache = recipe(
        _C + "service_cache.ServiceCache", service_cache.ServiceCache if TYPE_CHECKING else None)
