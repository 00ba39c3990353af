"""asyncio Curator queues against real Curator: exactly once on a shared lock path; expiry in take_locked."""

from __future__ import annotations

import asyncio
import collections
from typing import Any

from test_queue_kinds_interop import CuratorQueue

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import DistributedPriorityQueue, DistributedQueue
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator._queue_rules import MARKER_PREFIX
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.expiry import expire_session

N = 30
WAIT = 60.0


async def children(zk: AsyncZkClient, path: str) -> list[str]:
    try:
        return sorted(await zk.get_children(path))
    except NoNodeError:
        return []


async def item_locks(zk: AsyncZkClient, lock_path: str) -> list[str]:
    return [name for name in await children(zk, lock_path) if not name.startswith(MARKER_PREFIX)]


async def in_thread(function: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


async def test_shared_lock_path_with_a_curator_consumer_is_exactly_once(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    counts: collections.Counter[str] = collections.Counter()

    async def consume(item: bytes) -> None:
        counts[item.decode()] += 1

    curator = await in_thread(lambda: CuratorQueue(curator_peer, "java", "/aq", lock_path="/aq-locks"))
    queue = DistributedQueue(zk_aio_client, "/aq", consumer=consume, lock_path="/aq-locks")
    await queue.start()
    curator_got: list[str] = []
    try:
        for index in range(N // 2):
            await in_thread(curator.put, f"j{index}")
            await queue.put(f"p{index}".encode())
        loop = asyncio.get_running_loop()
        end = loop.time() + WAIT
        while True:  # drain what Curator's consumer received (each take waits on the peer's queue)
            text, _at = await in_thread(curator.take, 0.2)
            if text is not None:
                curator_got.append(text)
            elif (sum(counts.values()) + len(curator_got) >= N and not await children(zk_aio_client, "/aq")
                  and not await item_locks(zk_aio_client, "/aq-locks")):
                break
            assert loop.time() < end, "not every item consumed in time"
    finally:
        await queue.close()
        await in_thread(curator.close)
    ours = sum(counts.values())
    counts.update(curator_got)
    assert set(counts) == {f"j{i}" for i in range(N // 2)} | {f"p{i}" for i in range(N // 2)}
    assert all(count == 1 for count in counts.values()), counts
    assert ours > 0 and curator_got, "vacuous: one consumer took every item"


async def test_expiry_inside_take_locked_leaves_the_item_to_curator(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient, zk_aio_client_factory: Any,
        zk_hosts: str) -> None:
    observer = await zk_aio_client_factory()
    producer = await in_thread(lambda: CuratorQueue(curator_peer, "producer", "/xq", "priority",
                                                    consume=False))
    await in_thread(lambda: producer.put("x", priority=3))
    async with DistributedPriorityQueue(zk_aio_client, "/xq", lock_path="/xq-locks") as queue:
        taking = queue.take_locked(WAIT)
        async with taking as item:
            assert item == b"x"
            (name,) = await children(observer, "/xq")
            client_id = zk_aio_client.client_id
            assert client_id is not None
            await in_thread(expire_session, zk_hosts, client_id)
            curator = await in_thread(lambda: CuratorQueue(curator_peer, "java", "/xq", "priority",
                                                           lock_path="/xq-locks", hold=True))
            assert await in_thread(curator.started) == "x"  # Curator holds x now
            lock = await observer.exists(f"/xq-locks/{name}")
            assert lock is not None and lock.ephemeralOwner != client_id[0]
        assert taking.finished is False
        assert await children(observer, "/xq") == [name]  # our exit deleted nothing of Curator's
        assert await observer.exists(f"/xq-locks/{name}") is not None
    await in_thread(curator.let_go)
    loop = asyncio.get_running_loop()
    end = loop.time() + WAIT
    while await children(observer, "/xq"):
        assert loop.time() < end, "Curator did not finish x"
        await asyncio.sleep(0.05)
    await in_thread(curator.close)


class HeldCreate:
    """``zk`` as the recipe sees it, with the first create under ``match`` held after it was applied."""

    def __init__(self, zk: AsyncZkClient, match: str) -> None:
        self._zk = zk
        self._match = match
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._zk, name)
        if name != "create":
            return real

        async def held(*args: Any, **kwargs: Any) -> Any:
            result = await real(*args, **kwargs)
            if self._match in str(args[0]) and not self.reached.is_set():
                self.reached.set()
                await self.release.wait()
            return result

        return held


async def test_a_cancelled_take_leaves_the_item_to_a_curator_consumer(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    held = HeldCreate(zk_aio_client, "/kq-locks/queue-")
    async with DistributedQueue(held, "/kq", lock_path="/kq-locks") as queue:  # type: ignore[arg-type]
        taking = asyncio.ensure_future(queue.take())
        await queue.put(b"kept")
        await asyncio.wait_for(held.reached.wait(), WAIT)  # our lock on the item exists now
        taking.cancel()
        await asyncio.wait({taking})
        assert taking.cancelled()
        held.release.set()  # the claim ends and gives its lock back
        loop = asyncio.get_running_loop()
        end = loop.time() + WAIT
        while await item_locks(zk_aio_client, "/kq-locks"):  # (Curator skips a locked item, unwatched)
            assert loop.time() < end, "our lock was not given back"
            await asyncio.sleep(0.05)
        assert len(await children(zk_aio_client, "/kq")) == 1
        curator = await in_thread(lambda: CuratorQueue(curator_peer, "java", "/kq", lock_path="/kq-locks"))
        text, _at = await in_thread(curator.take, 30.0)
        assert text == "kept"
        while await item_locks(zk_aio_client, "/kq-locks") or await children(zk_aio_client, "/kq"):
            assert loop.time() < end, "Curator did not finish the item"  # its lock goes after the hand-over
            await asyncio.sleep(0.05)
        await in_thread(curator.close)
