"""The asyncio CuratorCache on a server without persistent watches, and closed from its own listener.

The server here is 3.8, so the client is wrapped: everything goes to the real
client except ``add_watch``, which raises what ZooKeeper < 3.6 answers. AUTO falls
back to one-shot watches; PERSISTENT makes ``start()`` raise and leaves nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import CacheEventType, CacheWatchMode, CuratorCache
from zkrecipes.exceptions import UnimplementedError

WAIT = 30.0


class OldServer:
    """The real client, except that ``add_watch`` fails as on a server older than 3.6."""

    def __init__(self, client: AsyncZkClient) -> None:
        self._client = client
        self.add_watch_calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    async def add_watch(self, *args: Any, **kwargs: Any) -> None:
        self.add_watch_calls += 1
        raise UnimplementedError("addWatch: unknown request type")


async def test_auto_falls_back_to_one_shot_watches_and_persistent_fails(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/old/a", b"1", makepath=True)
    old = OldServer(zk)
    listeners = len(zk.state_listeners)
    async with CuratorCache(old, "/old") as cache:  # type: ignore[arg-type]
        assert await cache.wait_initialized(WAIT)
        assert cache.watch_mode is CacheWatchMode.ONE_SHOT and old.add_watch_calls == 1
        changes = cache.events()
        await zk.create("/old/a/b", b"2")
        await zk.set("/old/a", b"3")
        seen = [await asyncio.wait_for(anext(changes), WAIT) for _ in range(2)]
        assert sorted((e.type.value, (e.data or e.old_data).path) for e in seen) == [  # type: ignore[union-attr]
            ("NODE_CHANGED", "/old/a"), ("NODE_CREATED", "/old/a/b")]
    assert len(zk.state_listeners) == listeners

    strict = CuratorCache(old, "/old", mode=CacheWatchMode.PERSISTENT)  # type: ignore[arg-type]
    with pytest.raises(UnimplementedError):
        await strict.start()
    assert len(zk.state_listeners) == listeners and strict.size() == 0


async def test_close_from_a_listener_ends_the_cache(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    cache = zk.CuratorCache("/self")
    closed = asyncio.Event()

    class Closer:
        async def event(self, type: CacheEventType, old_data: Any, data: Any) -> None:  # noqa: A002
            if type is CacheEventType.NODE_CREATED and data.path == "/self/x":
                await cache.close()
                closed.set()

    cache.add_listener(Closer())
    await cache.start()
    assert await cache.wait_initialized(WAIT)
    worker = cache._tree._worker
    assert worker is not None
    await zk.create("/self/x")
    await asyncio.wait_for(closed.wait(), WAIT)
    await asyncio.wait_for(asyncio.wait({worker}), WAIT)  # the task ended
    assert cache.size() == 0
