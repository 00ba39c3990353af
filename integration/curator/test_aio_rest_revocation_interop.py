"""asyncio revocation with real Curator: each side asks the other's revocable holder to let go."""

from __future__ import annotations

import asyncio
from typing import Any

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import InterProcessMutex, Revoker
from zkrecipes.testing.curator import CuratorSession

WAIT = 30.0


async def in_thread(func: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(func, *args, **kwargs)


async def test_asyncio_revoker_asks_a_curator_holder(curator_peer: CuratorSession,
                                                     zk_aio_client: AsyncZkClient) -> None:
    await in_thread(curator_peer.mutex_make_revocable, "c", "/arv")
    assert await in_thread(curator_peer.acquire, "mutex", "c", "/arv", 10)
    (name,) = await zk_aio_client.get_children("/arv")
    assert (await zk_aio_client.get("/arv/" + name))[0] == b""  # a revocable holder's node is empty
    await Revoker.attempt_revoke(zk_aio_client, "/arv/" + name)
    await Revoker.attempt_revoke(zk_aio_client, "/arv/gone")  # a node already gone is fine

    async def told() -> None:
        while await in_thread(curator_peer.mutex_revocations, "c") < 1:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(told(), WAIT)
    await in_thread(curator_peer.release, "mutex", "c")


async def test_curator_revokes_an_asyncio_holder(curator_peer: CuratorSession,
                                                 zk_aio_client: AsyncZkClient) -> None:
    asked = asyncio.Event()
    mutex = InterProcessMutex(zk_aio_client, "/arv2")

    async def listener(forlock: InterProcessMutex) -> None:  # a coroutine listener is awaited
        assert forlock is mutex
        asked.set()

    mutex.make_revocable(listener)
    assert await mutex.acquire(timeout=10)
    node = mutex.node
    assert node is not None and (await zk_aio_client.get("/arv2/" + node))[0] == b""
    waiting = curator_peer.acquire_async("mutex", "c", "/arv2", timeout=WAIT)
    await in_thread(curator_peer.revoke, "/arv2/" + node)
    await asyncio.wait_for(asked.wait(), WAIT)
    await mutex.release()  # the holder decides to let go
    assert (await in_thread(waiting.result))["acquired"] is True
    await in_thread(curator_peer.release, "mutex", "c")


async def test_plain_listener_object_and_a_second_request(zk_aio_client: AsyncZkClient) -> None:
    told: list[InterProcessMutex] = []
    mutex = InterProcessMutex(zk_aio_client, "/arv3")

    class Listener:
        def revocation_requested(self, forlock: InterProcessMutex) -> None:
            told.append(forlock)

    mutex.make_revocable(Listener())
    async with mutex:
        path = "/arv3/" + str(mutex.node)
        for expected in (1, 2):  # the watch is set again after each request
            await Revoker.attempt_revoke(zk_aio_client, path)

            async def reached(n: int = expected) -> None:
                while len(told) < n:
                    await asyncio.sleep(0.02)

            await asyncio.wait_for(reached(), WAIT)
            await zk_aio_client.set(path, b"")  # clear it, so the next request is a change
    assert told == [mutex, mutex]
    assert mutex.node is None and await zk_aio_client.get_children("/arv3") == []
