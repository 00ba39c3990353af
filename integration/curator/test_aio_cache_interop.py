"""The asyncio CuratorCache next to Curator's CuratorCache and the sync zkrecipes one; expiry; close.

Curator writes a tree; an asyncio cache on a persistent watch (events by a
coroutine listener), one forced onto one-shot watches (events by ``async for
... in events()``), each on its own client (ZOOKEEPER-4466), and Curator's own
CuratorCache must hear exactly the same events. A real session expiry with
writes while the cache is offline ends with the tree's content and no second
``initialized``; close (and a cancelled start) leave nothing in the client.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from _cache_peer import Seen, cache_close, cache_events, cache_start, create, delete, set_data

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import CacheEvent, CacheEventType, CacheWatchMode, CuratorCache
from zkrecipes.recipes.cache import NodeData
from zkrecipes.states import ZkState
from zkrecipes.testing import expire_session
from zkrecipes.testing.aio_fixtures import AioClientFactory
from zkrecipes.testing.curator import CuratorSession

WAIT = 30.0
MODES = [CacheWatchMode.PERSISTENT, CacheWatchMode.ONE_SHOT]


def seen(type: CacheEventType, old: NodeData | None, data: NodeData | None) -> Seen:  # noqa: A002
    node = data or old
    assert node is not None
    return (type.value, node.path, old.data if old else None, data.data if data else None)


class Heard:
    """A listener with coroutine methods, recording events as Curator's peer reports them."""

    def __init__(self) -> None:
        self.events: list[Seen] = []
        self.inits = 0
        self.ready = asyncio.Event()

    async def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002
                    data: NodeData | None) -> None:
        self.events.append(seen(type, old_data, data))

    async def initialized(self) -> None:
        self.inits += 1
        self.ready.set()


async def until(predicate: Callable[[], Any], timeout: float = WAIT) -> None:
    """Poll ``predicate`` (run in a thread: it may call the peer) until true, within ``timeout``."""
    async def poll() -> None:
        while not await asyncio.to_thread(predicate):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def test_both_asyncio_modes_hear_what_curator_hears(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient,
        zk_aio_client_factory: AioClientFactory) -> None:
    other = zk_aio_client_factory.new()
    await other.start()
    heard = Heard()
    persistent = zk_aio_client.CuratorCache("/tree", create_root=False)
    persistent.add_listener(heard)
    one_shot = CuratorCache(other, "/tree", mode=CacheWatchMode.ONE_SHOT, create_root=False)
    await persistent.start()
    await one_shot.start()
    assert await persistent.wait_initialized(WAIT) and await one_shot.wait_initialized(WAIT)
    assert [c.watch_mode for c in (persistent, one_shot)] == MODES
    streamed: list[Seen] = []
    changes = one_shot.events()  # listening from here on

    async def stream() -> None:
        event: CacheEvent
        async for event in changes:
            streamed.append(seen(*event))

    reader = asyncio.create_task(stream())
    await asyncio.to_thread(cache_start, curator_peer, "cc", "/tree")
    await until(lambda: cache_events(curator_peer, "cc")[0] == 1)
    steps = [
        (lambda: create(curator_peer, "/tree", b"root"), 1),
        (lambda: create(curator_peer, "/tree/a", b"1"), 1),
        (lambda: create(curator_peer, "/tree/a/b", b"2"), 1),
        (lambda: set_data(curator_peer, "/tree/a", b"3"), 1),
        (lambda: create(curator_peer, "/tree/c", b"4", ephemeral=True), 1),
        (lambda: delete(curator_peer, "/tree/a/b"), 1),
        (lambda: set_data(curator_peer, "/tree", b"root2"), 1),
        (lambda: delete(curator_peer, "/tree"), 3),  # /tree/a, /tree/c, then /tree
    ]
    expected = 0
    for step, count in steps:
        await asyncio.to_thread(step)
        expected += count
        await until(lambda n=expected: len(heard.events) >= n and len(streamed) >= n  # type: ignore[misc]
                    and len(cache_events(curator_peer, "cc")[1]) >= n)
    initialized, curators = await asyncio.to_thread(cache_events, curator_peer, "cc")
    assert heard.events == curators
    assert streamed == curators
    assert curators[-1] == ("NODE_DELETED", "/tree", b"root2", None)
    assert (initialized, heard.inits) == (1, 1)
    await persistent.close()
    await one_shot.close()
    await asyncio.wait_for(reader, WAIT)  # close ends the iterator
    await asyncio.to_thread(cache_close, curator_peer, "cc")
    await other.stop()


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
async def test_real_expiry_ends_with_the_tree_written_meanwhile(
        mode: CacheWatchMode, curator_peer: CuratorSession, zk_client: ZkClient,
        zk_aio_client: AsyncZkClient, zk_hosts: str) -> None:
    await asyncio.to_thread(zk_client.create, "/e/gone", b"g", makepath=True)
    await asyncio.to_thread(zk_client.create, "/e/kept", b"k1")
    heard = Heard()
    cache = CuratorCache(zk_aio_client, "/e", mode=mode)
    cache.add_listener(heard)
    async with cache:
        assert await cache.wait_initialized(WAIT)
        assert [n.path for n in cache.stream()] == ["/e", "/e/gone", "/e/kept"]
        lost = asyncio.Event()
        zk_aio_client.add_listener(lambda state: lost.set() if state == ZkState.LOST else None)
        client_id = zk_aio_client.client_id
        assert client_id is not None
        await asyncio.to_thread(expire_session, zk_hosts, client_id)
        await asyncio.wait_for(lost.wait(), WAIT)
        # written while the cache's session is gone: sync zkrecipes and Curator
        await asyncio.to_thread(zk_client.delete, "/e/gone")
        await asyncio.to_thread(zk_client.set, "/e/kept", b"k2")
        await asyncio.to_thread(create, curator_peer, "/e/new/deep", b"d")
        await until(lambda: cache.get("/e/new/deep") is not None and cache.get("/e/gone") is None
                    and getattr(cache.get("/e/kept"), "data", None) == b"k2")
        assert [(n.path, n.data) for n in cache.stream()] == [
            ("/e", b""), ("/e/kept", b"k2"), ("/e/new", b""), ("/e/new/deep", b"d")]
        # and the watch is back: a later change is heard
        await asyncio.to_thread(set_data, curator_peer, "/e/new", b"n")
        await until(lambda: getattr(cache.get("/e/new"), "data", None) == b"n")
    assert heard.inits == 1
    assert ("NODE_DELETED", "/e/gone", b"g", None) in heard.events
    assert ("NODE_CHANGED", "/e/kept", b"k1", b"k2") in heard.events
    assert cache.size() == 0


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
async def test_close_and_cancelled_start_leave_nothing_in_the_client(
        mode: CacheWatchMode, zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/c/x/y", b"1", makepath=True)
    listeners = len(zk.state_listeners)
    cache = CuratorCache(zk, "/c", mode=mode)
    await cache.start()
    assert await cache.wait_initialized(WAIT) and cache.size() == 3
    await cache.close()
    gone = weakref.ref(cache)
    del cache
    gc.collect()
    assert gone() is None, "the client keeps a closed cache alive"
    assert len(zk.state_listeners) == listeners

    cancelled = CuratorCache(zk, "/c", mode=mode)
    start = asyncio.create_task(cancelled.start())
    await asyncio.sleep(0)  # the start is under way (its first request sent)
    start.cancel()
    await asyncio.wait({start})
    assert start.cancelled()
    gone = weakref.ref(cancelled)
    del cancelled, start
    gc.collect()
    assert gone() is None, "the client keeps a cache whose start was cancelled"
    assert len(zk.state_listeners) == listeners
