"""close() leaves nothing behind (apache/curator#1292): no session listener, no watch registration.

A client cannot take back a watch from the server (ZooKeeper keeps one watch per
session and path; a one-shot one ends when it fires, a persistent one with the
session on 3.8), so what must go is the client's side: the session listeners
(``state_listeners``) and every registered watch callback. The proof is a weak
reference: once closed and dropped, nothing of the recipe may be kept alive by
the client.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import (
    CacheWatchMode,
    CuratorCache,
    GroupMember,
    ServiceDiscovery,
    ServiceInstance,
)
from zkrecipes.testing.client_fixtures import ClientFactory

MODES = [CacheWatchMode.PERSISTENT, CacheWatchMode.ONE_SHOT]


def use_cache(zk: ZkClient, mode: CacheWatchMode) -> list[Any]:
    cache = CuratorCache(zk, "/c", mode=mode)
    cache.start()
    assert cache.await_initialized(10) and cache.size() == 2
    return [cache]


def use_service_cache(zk: ZkClient, mode: CacheWatchMode) -> list[Any]:
    discovery = ServiceDiscovery(zk, "/s", ServiceInstance("svc", id="i-1"))
    discovery.start()
    provider = discovery.service_provider_builder().service_name("svc").watch_mode(mode).build()
    assert provider.start(timeout=10)
    cache = discovery.service_cache("svc", mode=mode)
    assert cache.start(timeout=10)
    wait_until(zk, lambda: len(cache.get_instances()) == 1, message="the instance cached")
    return [discovery, provider, cache]  # discovery.close() closes the provider and the cache


def use_group(zk: ZkClient, mode: CacheWatchMode) -> list[Any]:
    member = GroupMember(zk, "/g", "m-1", b"x", mode=mode)
    member.start()
    assert member.wait_for_initial_create(10) and member.await_initialized(10)
    return [member]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("use", [use_cache, use_service_cache, use_group], ids=["cache", "service", "group"])
def test_close_leaves_nothing_on_the_client(use: Callable[[ZkClient, CacheWatchMode], list[Any]],
                                            mode: CacheWatchMode, zk_client: ZkClient,
                                            zk_client_factory: ClientFactory) -> None:
    zk_client.create("/c/a", b"", makepath=True)
    zk = zk_client_factory()
    listeners = list(zk.state_listeners)
    recipes = use(zk, mode)
    assert len(zk.state_listeners) > len(listeners)
    refs = [weakref.ref(recipe) for recipe in recipes]
    recipes[0].close()
    del recipes
    assert zk.state_listeners == listeners
    zk_client.create("/c/a/new", b"")  # a watch still registered would fire (and hold its recipe)
    zk_client.create("/s/svc/i-2", b"{}", makepath=True)
    zk_client.create("/g/m-2", b"", makepath=True)
    wait_until(zk, lambda: gc.collect() >= 0 and all(ref() is None for ref in refs),
               message="the closed recipes to be freed")


def test_a_listener_may_close_its_cache(zk_client: ZkClient) -> None:
    closed = zk_client.handler.event_object()

    class CloseOnChange:
        def event(self, type: object, old_data: object, data: object) -> None:  # noqa: A002
            if data is not None and getattr(data, "path", "") == "/c/stop":
                cache.close()
                closed.set()

    cache = CuratorCache(zk_client, "/c")
    cache.add_listener(CloseOnChange())
    cache.start()
    assert cache.await_initialized(10)
    zk_client.create("/c/stop", b"")
    assert closed.wait(10) and cache.size() == 0
