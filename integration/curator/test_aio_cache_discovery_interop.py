"""The asyncio ServiceDiscovery and ServiceCache next to Curator's and the sync zkrecipes ones.

Each side registers; the asyncio queries and ServiceCache (one-shot watches),
Curator's ServiceDiscovery and ServiceCache and the sync query all see the
same instances, on the same JSON. A real expiry of the asyncio registrant's
session: its instance is registered again in the new session and every cache
ends with both instances; close leaves nothing in the client.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable
from typing import Any

from _cache_peer import service_cache_close, service_cache_ids, service_cache_start

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import CacheWatchMode
from zkrecipes.recipes.curator import ServiceDiscovery as SyncServiceDiscovery
from zkrecipes.recipes.curator import ServiceInstance
from zkrecipes.states import ZkState
from zkrecipes.testing import expire_session
from zkrecipes.testing.curator import CuratorSession

WAIT = 30.0


async def until(predicate: Callable[[], Any], timeout: float = WAIT) -> None:
    """Poll ``predicate`` (run in a thread: it may call the peer) until true, within ``timeout``."""
    async def poll() -> None:
        while not await asyncio.to_thread(predicate):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


class Views:
    """A ServiceCache listener with coroutine methods: the id list after each change, the states."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache
        self.seen: list[list[str]] = []
        self.states: list[object] = []

    async def cache_changed(self) -> None:
        self.seen.append([i.id for i in self.cache.get_instances()])

    async def state_changed(self, client: object, state: object) -> None:
        self.states.append(state)


async def test_asyncio_discovery_and_cache_with_curator_and_sync_through_an_expiry(
        curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client: AsyncZkClient,
        zk_hosts: str) -> None:
    refs = await scenario(curator_peer, zk_client, zk_aio_client, zk_hosts)
    gc.collect()
    assert [ref() for ref in refs] == [None, None], "the client keeps a closed discovery or cache alive"


async def scenario(curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client: AsyncZkClient,
                   zk_hosts: str) -> list[weakref.ref[Any]]:
    mine = ServiceInstance("svc", id="aio-1", address="10.0.0.1", port=81, payload={"side": "aio"})
    discovery = zk_aio_client.ServiceDiscovery("/services", mine)
    await discovery.start()
    await asyncio.to_thread(curator_peer.discovery_register, "/services", "svc", "java-1", port=82,
                            payload={"side": "java"})
    cache = discovery.service_cache("svc", mode=CacheWatchMode.ONE_SHOT)
    views = Views(cache)
    cache.add_listener(views)
    assert await cache.start(timeout=WAIT)
    assert [i.id for i in cache.get_instances()] == ["aio-1", "java-1"]
    java = cache.get_instances()[1]
    assert (java.port, java.payload, java.address) == (82, {"side": "java"}, "127.0.0.1")
    assert await discovery.query_for_names() == ["svc"]
    assert await discovery.query_for_instances("svc") == cache.get_instances()
    sync_view = SyncServiceDiscovery(zk_client, "/services")
    assert await asyncio.to_thread(sync_view.query_for_instance, "svc", "aio-1") == mine
    queried = await asyncio.to_thread(curator_peer.discovery_query, "/services", "svc")
    assert {(q["id"], q["port"]) for q in queried} == {("aio-1", 81), ("java-1", 82)}
    await asyncio.to_thread(service_cache_start, curator_peer, "sc", "/services", "svc")
    await until(lambda: service_cache_ids(curator_peer, "sc") == ["aio-1", "java-1"])
    stat = await zk_aio_client.exists("/services/svc/aio-1")
    assert stat is not None and stat.ephemeralOwner != 0

    old = zk_aio_client.client_id
    assert old is not None
    await asyncio.to_thread(expire_session, zk_hosts, old)

    def back() -> bool:  # registered again by the new session, seen by both caches
        now = zk_aio_client.client_id
        node = zk_client.exists("/services/svc/aio-1")
        return (now is not None and now[0] != old[0] and node is not None and node.ephemeralOwner == now[0]
                and [i.id for i in cache.get_instances()] == ["aio-1", "java-1"]
                and service_cache_ids(curator_peer, "sc") == ["aio-1", "java-1"])

    await until(back)
    # the cache shares the expired session: it hears LOST and, once back, whatever differs
    assert ZkState.LOST in views.states and views.seen[-1] == ["aio-1", "java-1"]

    await discovery.unregister_service(mine)
    await until(lambda: service_cache_ids(curator_peer, "sc") == ["java-1"]
                and [i.id for i in cache.get_instances()] == ["java-1"])
    await discovery.close()
    assert cache.get_instances() == []  # closed with the discovery
    await asyncio.to_thread(service_cache_close, curator_peer, "sc")
    return [weakref.ref(discovery), weakref.ref(cache)]
