"""The asyncio DistributedBarrier/DistributedDoubleBarrier with sync zkrecipes members; cancellation.

Released for both front ends; a cancelled ``wait_on_barrier`` or ``enter``
keeps no watch (none on the server after a reconnect's SetWatches) and, for
``enter``, no member node.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, until

from zkrecipes import WatcherType, ZkClient, ZkState
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import DistributedBarrier, DistributedDoubleBarrier
from zkrecipes.exceptions import NoWatcherError
from zkrecipes.recipes.curator import DistributedBarrier as SyncBarrier
from zkrecipes.recipes.curator import DistributedDoubleBarrier as SyncDoubleBarrier


@pytest.fixture
def zk_handler_name() -> str:
    """The sync client runs on the threading handler: it is driven from executor threads."""
    return "threading"

async def in_thread(func: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


async def watched_paths(zk: AsyncZkClient) -> str:
    """The server's watches by session (``wchc``): full paths, chroot included."""
    return await zk.command(b"wchc")


async def test_barrier_released_for_both(zk_aio_client: AsyncZkClient, zk_client: ZkClient) -> None:
    barrier = zk_aio_client.DistributedBarrier("/b/gate")
    sync_barrier = SyncBarrier(zk_client, "/b/gate")
    await barrier.set_barrier()
    assert await barrier.wait_on_barrier(0.1) is False
    waiting = asyncio.ensure_future(barrier.wait_on_barrier(WAIT))
    sync_waiting = asyncio.ensure_future(in_thread(sync_barrier.wait_on_barrier, WAIT))

    async def watched() -> bool:
        return (await watched_paths(zk_aio_client)).count("/b/gate") >= 2

    await until(watched, message="both waiters watching")
    await in_thread(sync_barrier.remove_barrier)
    assert await asyncio.wait_for(waiting, WAIT) is True
    assert await asyncio.wait_for(sync_waiting, WAIT) is True
    sync_barrier.set_barrier()
    waiting = asyncio.ensure_future(barrier.wait_on_barrier(WAIT))
    sync_waiting = asyncio.ensure_future(in_thread(sync_barrier.wait_on_barrier, WAIT))
    await barrier.remove_barrier()
    assert await asyncio.wait_for(waiting, WAIT) is True
    assert await asyncio.wait_for(sync_waiting, WAIT) is True


async def test_double_barrier_asyncio_and_sync_members(zk_aio_client_factory: Any,
                                                       zk_client: ZkClient) -> None:
    first, second = await zk_aio_client_factory(), await zk_aio_client_factory()
    aio1 = first.DistributedDoubleBarrier("/db", 3)
    aio2 = DistributedDoubleBarrier(second, "/db", 3)
    sync_member = SyncDoubleBarrier(zk_client, "/db", 3)
    entering = [asyncio.ensure_future(aio1.enter(WAIT)), asyncio.ensure_future(aio2.enter(WAIT))]

    async def two_in() -> bool:
        return await first.exists("/db") is not None and len(await first.get_children("/db")) == 2

    await until(two_in, message="two asyncio members in")
    assert not any(task.done() for task in entering)  # nobody through before the third
    assert await in_thread(sync_member.enter, WAIT) is True
    assert await asyncio.gather(*entering) == [True, True]
    leaving = [asyncio.ensure_future(aio1.leave(WAIT)), asyncio.ensure_future(aio2.leave(WAIT))]
    assert await in_thread(sync_member.leave, WAIT) is True
    assert await asyncio.gather(*leaving) == [True, True]
    assert await first.get_children("/db") == []


async def assert_no_watches_after_reconnect(client: AsyncZkClient, proxy: Any, *paths: str) -> None:
    """``client`` keeps no watch on ``paths``: after a reconnect (SetWatches re-registers every
    watch the client still holds) the server has none for its session."""
    states: list[ZkState] = []
    client.add_listener(states.append)
    proxy.drop()
    proxy.resume()

    async def reconnected() -> bool:
        return ZkState.SUSPENDED in states and states[-1] == ZkState.CONNECTED

    await until(reconnected, message="reconnected")
    client.remove_listener(states.append)
    for path in paths:
        with pytest.raises(NoWatcherError):
            await client.remove_all_watches(path, WatcherType.ANY)


async def test_cancelled_waits_leave_no_watch_and_no_member(fault_proxy: Any, zk_aio_client_factory: Any,
                                                            zk_chroot: str) -> None:
    client = await zk_aio_client_factory(fault_proxy.hosts)
    barrier = DistributedBarrier(client, "/gate")
    await barrier.set_barrier()
    member = DistributedDoubleBarrier(client, "/db", 2)
    waits = [asyncio.ensure_future(barrier.wait_on_barrier()), asyncio.ensure_future(member.enter())]

    async def both_waiting() -> bool:
        watches = await watched_paths(client)
        return f"{zk_chroot}/gate" in watches and f"{zk_chroot}/db/ready" in watches

    await until(both_waiting, message="both waiting on their watches")
    assert await client.get_children("/db") == [member.our_name]
    for wait in waits:
        wait.cancel()
    for wait in waits:
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(wait, WAIT)
    assert await client.get_children("/db") == []  # the member withdrew
    await assert_no_watches_after_reconnect(client, fault_proxy, "/gate", "/db/ready")
    assert await DistributedDoubleBarrier(client, "/db", 2).enter(0.1) is False  # timed out: withdrawn
    assert await client.get_children("/db") == []
