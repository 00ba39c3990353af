"""The asyncio Curator queues against a real ZooKeeper: order, sync interop, take_locked, cancellation, close.

The Curator side is in ``integration/curator/test_aio_queue_interop.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, GatedClient, children, until

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import (
    DistributedDelayQueue,
    DistributedIdQueue,
    DistributedPriorityQueue,
    DistributedQueue,
    ErrorMode,
    SimpleDistributedQueue,
)
from zkrecipes.recipes.curator import DistributedQueue as SyncDistributedQueue
from zkrecipes.recipes.curator import SimpleDistributedQueue as SyncSimpleQueue
from zkrecipes.recipes.curator._queue_rules import MARKER_PREFIX
from zkrecipes.testing import expire_session

SYNC = pytest.mark.parametrize("zk_handler_name", ["threading"])


async def item_locks(zk: AsyncZkClient, lock_path: str) -> list[str]:
    return [name for name in await children(zk, lock_path) if not name.startswith(MARKER_PREFIX)]


async def test_the_family_in_its_orders(zk_aio_client: AsyncZkClient) -> None:
    async with zk_aio_client.DistributedQueue("/f") as fifo:
        assert isinstance(fifo, DistributedQueue)
        await fifo.put(b"a")
        await fifo.put_multi([b"b", b"c"])
        assert [await fifo.take(5) for _ in range(4)] == [b"a", b"b", b"c", None]
    async with zk_aio_client.DistributedPriorityQueue("/p") as urgent:
        assert isinstance(urgent, DistributedPriorityQueue)
        for item, priority in [(b"later", 10), (b"first", -5), (b"then", 0)]:
            await urgent.put(item, priority)
        assert [await urgent.take(5) for _ in range(3)] == [b"first", b"then", b"later"]
    async with zk_aio_client.DistributedDelayQueue("/d") as timers:
        assert isinstance(timers, DistributedDelayQueue)
        await timers.put_after(b"ring", 0.5)
        await timers.put(b"old", 1)
        assert await timers.take(0) == b"old"  # timeout 0 still looks once
        assert await timers.take(0) is None  # not due yet: invisible
        assert await timers.take(WAIT) == b"ring"  # woken at its due time
    async with zk_aio_client.DistributedIdQueue("/i") as tasks:
        assert isinstance(tasks, DistributedIdQueue)
        await tasks.put(b"resize", "img/1")
        await tasks.put(b"thumb", "img-2")
        assert await tasks.is_queued("img/1")
        assert await tasks.remove("img/1") == 1
        assert await tasks.take(5) == b"thumb"
    simple = zk_aio_client.SimpleDistributedQueue("/s")
    assert isinstance(simple, SimpleDistributedQueue)
    assert await simple.poll() is None
    await simple.offer(b"x")
    assert await simple.peek() == b"x"
    assert await simple.take() == b"x"
    await simple.close()


@SYNC
async def test_shared_with_the_sync_recipes(zk_client_factory: Any, zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    sync_queue = SyncDistributedQueue(sync_zk, "/sh", lock_path="/sh-locks")
    await loop.run_in_executor(None, sync_queue.start)
    await loop.run_in_executor(None, sync_queue.put, b"from-sync")
    async with DistributedQueue(zk_aio_client, "/sh", lock_path="/sh-locks") as queue:
        assert await queue.take(WAIT) == b"from-sync"
        await queue.put(b"from-async")
        assert await loop.run_in_executor(None, sync_queue.take, WAIT) == b"from-async"
    sync_simple = SyncSimpleQueue(sync_zk, "/ss")
    await SimpleDistributedQueue(zk_aio_client, "/ss").offer(b"one")
    assert await loop.run_in_executor(None, sync_simple.poll, WAIT) == b"one"
    await loop.run_in_executor(None, sync_simple.offer, b"two")
    assert await SimpleDistributedQueue(zk_aio_client, "/ss").poll(WAIT) == b"two"
    await loop.run_in_executor(None, sync_queue.close)


async def test_take_locked_finishes_after_the_block(zk_aio_client: AsyncZkClient) -> None:
    async with DistributedQueue(zk_aio_client, "/tl", lock_path="/tl-locks") as queue:
        await queue.put(b"a")
        await queue.put_multi([b"b", b"c"])
        async with queue.take_locked(WAIT) as item:
            assert item == b"a"
            (lock,) = await item_locks(zk_aio_client, "/tl-locks")
            assert lock in await children(zk_aio_client, "/tl")  # still queued while we work
        with pytest.raises(RuntimeError):
            async with queue.take_locked(WAIT) as item:
                assert item == b"b"
                raise RuntimeError("work failed")  # REQUEUE: the whole node goes back
        async with queue.take_locked(WAIT) as item:
            assert item == b"b"
        async with queue.take_locked(WAIT) as item:  # the rest, requeued by the finish
            assert item == b"c"
        async with queue.take_locked(0) as item:
            assert item is None
        assert await children(zk_aio_client, "/tl") == []
        assert await item_locks(zk_aio_client, "/tl-locks") == []
    async with DistributedQueue(zk_aio_client, "/tl", lock_path="/tl-locks",
                                error_mode=ErrorMode.DELETE) as queue:
        await queue.put(b"d")
        with pytest.raises(ValueError):
            async with queue.take_locked(WAIT):
                raise ValueError("dropped")
        assert await children(zk_aio_client, "/tl") == []


async def test_take_locked_with_a_real_expiry_inside_the_block(
        zk_aio_client: AsyncZkClient, zk_aio_client_factory: Any, zk_hosts: str) -> None:
    other = await zk_aio_client_factory()
    async with DistributedQueue(zk_aio_client, "/xq", lock_path="/xq-locks") as queue, \
            DistributedQueue(other, "/xq", lock_path="/xq-locks") as rival:
        await queue.put(b"x")
        taking = queue.take_locked(WAIT)
        async with taking as item:
            assert item == b"x"
            client_id = zk_aio_client.client_id
            assert client_id is not None
            await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, client_id)
            rivals = rival.take_locked(WAIT)
            async with rivals as again:  # the rival takes x once our lock went with our session
                assert again == b"x"
                await until(lambda: _reconnected(zk_aio_client, client_id), message="our new session")
                (name,) = await children(other, "/xq")
        assert taking.finished is False  # left: our exit deleted nothing of the rival's
        assert rivals.finished is True
        assert await children(other, "/xq") == [] and await item_locks(other, "/xq-locks") == []
        assert name.startswith("queue-")


async def _reconnected(zk: AsyncZkClient, old: tuple[int, bytes]) -> bool:
    return zk.connected and zk.client_id is not None and zk.client_id[0] != old[0]


@pytest.mark.parametrize("how", ["cancel", "timeout"])
@pytest.mark.parametrize("lock_path", [None, "/cq-locks"])
async def test_cancelled_take_loses_nothing_and_leaves_no_lock(zk_aio_client: AsyncZkClient,
                                                                lock_path: str | None, how: str) -> None:
    if lock_path:  # hold the item's lock create (the claim), or the item's delete (no lock path)
        gated = GatedClient(zk_aio_client, "create", match=f"{lock_path}/queue-")
    else:
        gated = GatedClient(zk_aio_client, "delete", match="/cq/")
    async with DistributedQueue(gated, "/cq", lock_path=lock_path) as queue:  # type: ignore[arg-type]
        waiting = asyncio.ensure_future(queue.take(None if how == "cancel" else 5.0))
        await asyncio.sleep(0)
        await DistributedQueue(zk_aio_client, "/cq").put(b"kept")
        await asyncio.wait_for(gated.reached.wait(), WAIT)  # the lock create / the delete was applied
        if how == "cancel":
            waiting.cancel()
            await asyncio.wait({waiting})
            assert waiting.cancelled()
        else:  # the take's timeout bounds its lock and delete steps too
            assert await asyncio.wait_for(waiting, WAIT) is None
        gated.release.set()  # the shielded step ends: its lock is given back, or the item put back
        await until(lambda: _queued(zk_aio_client, lock_path), message="the item back, no lock node")
        assert await queue.take(WAIT) == b"kept"
        assert await children(zk_aio_client, "/cq") == []


async def _queued(zk: AsyncZkClient, lock_path: str | None) -> bool:
    there = len(await children(zk, "/cq")) == 1
    return there and (lock_path is None or await item_locks(zk, lock_path) == [])


async def test_consumer_coroutine_and_close_removes_its_watches_and_listener(
        zk_aio_client: AsyncZkClient) -> None:
    got: list[bytes] = []
    done = asyncio.Event()
    listeners: list[Any] = []
    real_add, real_remove = zk_aio_client.add_listener, zk_aio_client.remove_listener

    def add(listener: Any) -> None:
        listeners.append(listener)
        real_add(listener)

    def remove(listener: Any) -> None:
        listeners.remove(listener)
        real_remove(listener)

    zk_aio_client.add_listener = add  # type: ignore[method-assign]
    zk_aio_client.remove_listener = remove  # type: ignore[method-assign]

    async def work(item: bytes) -> None:
        got.append(item)
        if item == b"bad" and got.count(b"bad") == 1:
            raise RuntimeError("first try fails: requeued")
        if len(got) == 4:
            done.set()

    queue = DistributedQueue(zk_aio_client, "/wq", consumer=work, lock_path="/wq-locks")
    await queue.start()
    await queue.put(b"one")
    await queue.put(b"bad")
    await queue.put(b"two")
    await asyncio.wait_for(done.wait(), WAIT)
    assert sorted(got) == [b"bad", b"bad", b"one", b"two"]
    assert queue._watches.watched  # the consumer waits on a child watch
    await queue.close()
    assert not queue._watches.watched and listeners == []
    with pytest.raises(RuntimeError):
        await queue.take()
