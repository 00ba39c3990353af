"""asyncio Barrier and DoubleBarrier against a real ZooKeeper: behaviour, sync interop, cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, GatedClient, children, until

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import Barrier, DoubleBarrier
from zkrecipes.recipes.barrier import Barrier as SyncBarrier
from zkrecipes.recipes.barrier import DoubleBarrier as SyncDoubleBarrier
from zkrecipes.testing import expire_session

SYNC = pytest.mark.parametrize("zk_handler_name", ["threading"])  # the sync side runs in executor threads


async def test_barrier_wait_remove_and_timeout(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    barrier = zk.Barrier("/gate")
    assert isinstance(barrier, Barrier)
    assert await barrier.wait(timeout=0.1) is True  # not up: through at once
    await barrier.create()
    assert await barrier.wait(timeout=0.2) is False
    waiters = [asyncio.ensure_future(Barrier(zk, "/gate").wait(WAIT)) for _ in range(3)]
    assert await barrier.remove() is True
    assert await asyncio.wait_for(asyncio.gather(*waiters), WAIT) == [True, True, True]
    assert await barrier.remove() is False


async def test_cancelled_barrier_wait_leaves_no_listener(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    barrier = Barrier(zk, "/gate2")
    await barrier.create()
    listeners = len(zk.state_listeners)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(barrier.wait(), 0.3)
    assert len(zk.state_listeners) == listeners
    assert await zk.exists("/gate2") is not None  # the barrier itself is untouched


@SYNC
async def test_barrier_shared_with_the_sync_recipe(zk_client_factory: Any,
                                                  zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    SyncBarrier(sync_zk, "/shared").create()
    waiting = asyncio.ensure_future(Barrier(zk_aio_client, "/shared").wait(WAIT))
    sync_waiting = loop.run_in_executor(None, lambda: SyncBarrier(sync_zk, "/shared").wait(WAIT))
    assert await Barrier(zk_aio_client, "/shared").wait(0.1) is False
    assert await Barrier(zk_aio_client, "/shared").remove() is True
    assert await asyncio.wait_for(asyncio.gather(waiting, sync_waiting), WAIT) == [True, True]


async def _enter_leave(barrier: Any, log: list[str], name: str) -> None:
    assert await barrier.enter(WAIT)
    log.append(f"in-{name}")
    assert await barrier.leave(WAIT)
    log.append(f"out-{name}")


async def test_double_barrier_enters_and_leaves_together(zk_aio_client_factory: Any) -> None:
    clients = [await zk_aio_client_factory() for _ in range(3)]
    log: list[str] = []
    barriers = [c.DoubleBarrier("/db", 3, f"m{i}") for i, c in enumerate(clients)]
    assert all(isinstance(b, DoubleBarrier) for b in barriers)
    await asyncio.wait_for(asyncio.gather(*(_enter_leave(b, log, str(i)) for i, b in enumerate(barriers))),
                           WAIT * 2)
    assert all(entry.startswith("in-") for entry in log[:3]) and len(log) == 6
    assert not any(b.participating for b in barriers)
    assert await children(clients[0], "/db") == []


@SYNC
async def test_double_barrier_with_sync_members(zk_client_factory: Any, zk_aio_client_factory: Any) -> None:
    sync_zk, zk = zk_client_factory(), await zk_aio_client_factory()
    loop = asyncio.get_running_loop()
    sync_barrier = SyncDoubleBarrier(sync_zk, "/mixed", 2, "sync")
    barrier = DoubleBarrier(zk, "/mixed", 2, "async")

    def sync_side() -> None:
        assert sync_barrier.enter(WAIT) and sync_barrier.leave(WAIT)

    log: list[str] = []
    await asyncio.wait_for(asyncio.gather(loop.run_in_executor(None, sync_side),
                                          _enter_leave(barrier, log, "a")), WAIT * 2)
    assert log == ["in-a", "out-a"]
    assert await children(zk, "/mixed") == []


async def test_double_barrier_timeout_and_cancel_withdraw(zk_aio_client_factory: Any) -> None:
    zk, observer = await zk_aio_client_factory(), await zk_aio_client_factory()
    barrier = DoubleBarrier(zk, "/few", 2, "alone")
    assert await barrier.enter(timeout=0.3) is False  # not enough members: withdrawn
    assert await children(observer, "/few") == []
    task = asyncio.ensure_future(barrier.enter())

    async def joined() -> bool:
        return await children(observer, "/few") == [barrier.node_name]

    await until(joined, message="member node")
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled() and not barrier.participating
    assert await children(observer, "/few") == []


async def test_double_barrier_cancel_while_the_member_create_is_in_flight(zk_aio_client_factory: Any) -> None:
    zk, observer = await zk_aio_client_factory(), await zk_aio_client_factory()
    await zk.ensure_path("/flight")
    gated = GatedClient(zk, "create", match="/flight/")
    barrier = DoubleBarrier(gated, "/flight", 2, "m")  # type: ignore[arg-type]
    task = asyncio.ensure_future(barrier.enter())
    await asyncio.wait_for(gated.reached.wait(), WAIT)
    assert await children(observer, "/flight") == [barrier.node_name]  # applied, reply held
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled()
    assert await children(observer, "/flight") == []


async def test_entering_member_recreates_its_node_after_a_real_expiry(
        zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk, other = await zk_aio_client_factory(), await zk_aio_client_factory()
    first = DoubleBarrier(zk, "/lostdb", 2, "first")
    entering = asyncio.ensure_future(first.enter(WAIT * 2))

    async def member_there() -> bool:
        return await children(other, "/lostdb") == [first.node_name]

    await until(member_there, message="the first member's node")
    assert zk.client_id is not None
    old_session = zk.client_id[0]
    await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, zk.client_id)

    async def recreated() -> bool:
        stat = await other.exists(first.create_path)
        return stat is not None and stat.ephemeralOwner != old_session

    await until(recreated, message="the member node again, in the new session")
    second = DoubleBarrier(other, "/lostdb", 2, "second")
    assert await second.enter(WAIT) is True
    assert await asyncio.wait_for(entering, WAIT) is True
    await asyncio.wait_for(asyncio.gather(first.leave(WAIT), second.leave(WAIT)), WAIT)
    assert await children(other, "/lostdb") == []
