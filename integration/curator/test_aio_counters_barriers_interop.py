"""The asyncio counters and barriers (zkrecipes.aio.recipes.curator) with real Curator on the same paths.

Exact totals seen from both sides (Curator and asyncio counting at once);
barriers released for both (an asyncio and a Curator waiter; a double
barrier of asyncio and Curator members).
"""

from __future__ import annotations

import asyncio
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import SharedCount
from zkrecipes.testing.curator import CuratorSession

ROUNDS = 30
WAIT = 30.0


async def in_thread(func: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


async def until(predicate: Any, message: str) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(poll(), WAIT)
    except TimeoutError:
        raise AssertionError(f"{message}: not met in time") from None


async def test_asyncio_and_curator_shared_count_sum_exactly(curator_peer: CuratorSession,
                                                            zk_aio_client: AsyncZkClient) -> None:
    seen: list[int] = []

    async def listener(count: SharedCount, new_count: int) -> None:
        seen.append(new_count)

    async with zk_aio_client.SharedCount("/sum", 0) as count:
        count.add_listener(listener)
        curator = curator_peer.peer.submit("count.add", 120.0, path="/sum", delta=1, n=ROUNDS, seed=0)
        for _ in range(ROUNDS):
            while not await count.try_set_count(count.get_versioned_value(), count.get_count() + 1):
                pass
        assert int((await in_thread(curator.result))["count"]) >= ROUNDS
        await until(lambda: count.get_count() == 2 * ROUNDS and max(seen, default=0) == 2 * ROUNDS,
                    "the listener told the last count")
    assert await in_thread(curator_peer.count_get, "/sum") == 2 * ROUNDS


async def test_asyncio_and_curator_shared_value_both_ways(curator_peer: CuratorSession,
                                                          zk_aio_client: AsyncZkClient) -> None:
    await in_thread(lambda: curator_peer.value_set("/v", b"from curator", seed=b""))
    async with zk_aio_client.SharedValue("/v", b"seed") as value:
        assert value.get_value() == b"from curator"
        assert await value.try_set_value(value.get_versioned_value(), b"from asyncio")
    assert await in_thread(lambda: curator_peer.value_get("/v")) == b"from asyncio"


async def test_asyncio_and_curator_atomic_long_sum_exactly(curator_peer: CuratorSession,
                                                           zk_aio_client: AsyncZkClient) -> None:
    counter = zk_aio_client.DistributedAtomicLong("/along")
    curator = curator_peer.atomic_add_async("/along", 1, ROUNDS)
    mine = 0
    for _ in range(ROUNDS):
        while not (await counter.increment()).succeeded():
            pass
        mine += 1
    await in_thread(curator.result)
    assert (await counter.get()).post_value() == mine + ROUNDS == 2 * ROUNDS
    assert await in_thread(curator_peer.atomic_get, "/along") == 2 * ROUNDS
    await counter.force_set(-7)
    assert await in_thread(curator_peer.atomic_get, "/along") == -7


async def test_asyncio_and_curator_barrier_released_for_both(curator_peer: CuratorSession,
                                                             zk_aio_client: AsyncZkClient,
                                                             zk_client: ZkClient) -> None:
    barrier = zk_aio_client.DistributedBarrier("/b/gate")
    await in_thread(curator_peer.barrier_set, "/b/gate")
    assert await barrier.wait_on_barrier(0.1) is False
    java = curator_peer.barrier_wait_async("/b/gate", WAIT)
    waiting = asyncio.ensure_future(barrier.wait_on_barrier(WAIT))
    await barrier.remove_barrier()
    assert await asyncio.wait_for(waiting, WAIT) is True
    assert (await in_thread(java.result))["passed"] is True
    await barrier.set_barrier()
    assert zk_client.get("/b/gate")[0] == curator_peer.local_address.encode()  # Curator's default data
    java = curator_peer.barrier_wait_async("/b/gate", WAIT)
    waiting = asyncio.ensure_future(barrier.wait_on_barrier(WAIT))
    await in_thread(curator_peer.barrier_remove, "/b/gate")
    assert await asyncio.wait_for(waiting, WAIT) is True
    assert (await in_thread(java.result))["passed"] is True


async def test_asyncio_and_curator_double_barrier(curator_peer: CuratorSession, zk_aio_client: AsyncZkClient,
                                                  zk_client: ZkClient) -> None:
    member = zk_aio_client.DistributedDoubleBarrier("/db", 3)
    java1 = curator_peer.double_enter_async("j1", "/db", 3, WAIT)
    java2 = curator_peer.double_enter_async("j2", "/db", 3, WAIT)
    await until(lambda: zk_client.exists("/db") is not None and len(zk_client.get_children("/db")) == 2,
                "two Curator members in")
    assert not java1.done() and not java2.done()
    assert await member.enter(WAIT) is True  # the third member lets everybody in
    assert (await in_thread(java1.result))["done"] is True and (await in_thread(java2.result))["done"] is True
    leave1 = curator_peer.double_leave_async("j1", WAIT)
    leave2 = curator_peer.double_leave_async("j2", WAIT)
    assert await member.leave(WAIT) is True
    assert (await in_thread(leave1.result))["done"] is True
    assert (await in_thread(leave2.result))["done"] is True
    await until(lambda: zk_client.get_children("/db") == [], "the barrier to empty")
