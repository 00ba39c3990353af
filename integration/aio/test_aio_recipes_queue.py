"""asyncio Queue and LockingQueue against a real ZooKeeper: order, sync interop, cancellation, LOST."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, GatedClient, children, until

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import LockingQueue, Queue
from zkrecipes.recipes.queue import LockingQueue as SyncLockingQueue
from zkrecipes.recipes.queue import Queue as SyncQueue
from zkrecipes.testing import expire_session

SYNC = pytest.mark.parametrize("zk_handler_name", ["threading"])


async def test_queue_priority_order_and_empty(zk_aio_client: AsyncZkClient) -> None:
    queue = zk_aio_client.Queue("/q")
    assert isinstance(queue, Queue) and await queue.get() is None
    await queue.put(b"late", priority=200)
    await queue.put(b"first", priority=1)
    await queue.put_all([b"a", b"b"])
    assert await queue.length() == 4
    assert [await queue.get() for _ in range(5)] == [b"first", b"a", b"b", b"late", None]


@SYNC
async def test_queue_shared_with_the_sync_recipe(zk_client_factory: Any,
                                                zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    sync_queue = SyncQueue(sync_zk, "/sq")
    await loop.run_in_executor(None, lambda: sync_queue.put(b"from-sync", priority=5))
    await Queue(zk_aio_client, "/sq").put(b"from-async", priority=1)
    assert await Queue(zk_aio_client, "/sq").get() == b"from-async"
    assert await loop.run_in_executor(None, sync_queue.get) == b"from-sync"


async def test_cancelled_get_never_loses_the_entry(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await Queue(zk, "/cq").put(b"one")
    await Queue(zk, "/cq").put(b"two")
    before = await children(zk, "/cq")
    gated = GatedClient(zk, "delete")
    task = asyncio.ensure_future(Queue(gated, "/cq").get())  # type: ignore[arg-type]
    await asyncio.wait_for(gated.reached.wait(), WAIT)
    assert await children(zk, "/cq") == before[1:]  # the take landed; its reply is held
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled()
    gated.release.set()  # the late reply: the take's own task learns it took the entry

    async def restored() -> bool:
        return await children(zk, "/cq") == before

    await until(restored, message="the entry put back under its own name")
    assert [await Queue(zk, "/cq").get() for _ in range(3)] == [b"one", b"two", None]


async def test_get_cancelled_before_its_delete_touches_nothing(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await Queue(zk, "/rq").put(b"kept")
    before = await zk.exists("/rq")
    gated = GatedClient(zk, "get_children")
    task = asyncio.ensure_future(Queue(gated, "/rq").get())  # type: ignore[arg-type]
    await asyncio.wait_for(gated.reached.wait(), WAIT)  # listed; nothing deleted yet
    task.cancel()
    await asyncio.wait({task})
    gated.release.set()
    assert task.cancelled()
    after = await zk.exists("/rq")
    assert before is not None and after is not None and after.cversion == before.cversion  # no churn
    assert await Queue(zk, "/rq").get() == b"kept"


async def test_locking_queue_take_consume_release(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    qa, qb = a.LockingQueue("/lq"), LockingQueue(b, "/lq")
    assert isinstance(qa, LockingQueue)
    await qa.put(b"x")
    await qa.put(b"y")
    assert await qa.get(WAIT) == b"x" and await qa.holds_lock()
    assert await qa.get(WAIT) == b"x"  # held, not consumed: the same item again
    assert await qb.get(WAIT) == b"y"
    assert await qb.release() is True
    assert await qa.consume() is True and await qa.get(WAIT) == b"y"
    assert await qa.consume() is True
    assert await qb.get(0.2) is None  # empty: times out
    waiting = asyncio.ensure_future(qb.get(WAIT))
    await qa.put(b"z")
    assert await asyncio.wait_for(waiting, WAIT) == b"z"
    assert await qb.consume() and await children(a, "/lq/taken") == []


@SYNC
async def test_locking_queue_shared_with_the_sync_recipe(zk_client_factory: Any,
                                                         zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    sync_queue = SyncLockingQueue(sync_zk, "/slq")
    queue = LockingQueue(zk_aio_client, "/slq")
    await queue.put(b"1")
    await queue.put(b"2")
    assert await loop.run_in_executor(None, lambda: sync_queue.get(WAIT)) == b"1"
    assert await queue.get(WAIT) == b"2"  # the sync consumer's item is taken
    assert await loop.run_in_executor(None, sync_queue.consume) is True
    assert await queue.consume() is True
    assert await children(zk_aio_client, "/slq/entries") == []


@pytest.mark.parametrize("how", ["timeout", "cancel"])
async def test_cancelled_or_timed_out_locking_get_leaves_no_taken_node(
        how: str, zk_aio_client_factory: Any) -> None:
    zk, observer = await zk_aio_client_factory(), await zk_aio_client_factory()
    if how == "timeout":
        assert await LockingQueue(zk, "/tq").get(0.2) is None
    else:
        await LockingQueue(zk, "/tq").put(b"v")
        gated = GatedClient(zk, "create", match="/tq/taken/")
        task = asyncio.ensure_future(LockingQueue(gated, "/tq").get(WAIT))  # type: ignore[arg-type]
        await asyncio.wait_for(gated.reached.wait(), WAIT)
        assert len(await children(observer, "/tq/taken")) == 1  # taken; the reply is held
        task.cancel()
        await asyncio.wait({task})
        assert task.cancelled()
    assert await children(observer, "/tq/taken") == []
    if how == "cancel":
        assert await LockingQueue(observer, "/tq").get(WAIT) == b"v"  # free for others


async def test_locking_queue_item_back_after_real_expiry(zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk, other = await zk_aio_client_factory(), await zk_aio_client_factory()
    queue = LockingQueue(zk, "/eq")
    await queue.put(b"job")
    assert await queue.get(WAIT) == b"job"
    assert zk.client_id is not None
    await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, zk.client_id)

    async def forgotten() -> bool:
        return queue.processing_element is None

    await until(forgotten, message="the item forgotten on LOST")
    assert await LockingQueue(other, "/eq").get(WAIT) == b"job"  # back in the queue for others
    assert not await queue.holds_lock() and await queue.consume() is False
