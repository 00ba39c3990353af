"""The asyncio SharedCount/SharedValue/DistributedAtomicLong with sync zkrecipes on one node; cancellation.

Exact totals from both front ends counting at once; listeners (plain and
coroutine) told the last value; a cancelled conditional write settled as a
lost reply with the real fault (the proxy): proven not applied →
CancelledError, applied but unprovable → OutcomeUnknownError from the
cancellation — never counted silently.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_fenced_outcomes import TIMEOUT, _HoldRepliesFrom
from test_aio_recipes_gate import WAIT, until

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import DistributedAtomicLong, SharedCount, SharedValue
from zkrecipes.exceptions import OutcomeUnknownError
from zkrecipes.recipes.curator import DistributedAtomicLong as SyncAtomicLong
from zkrecipes.recipes.curator import SharedCount as SyncSharedCount
from zkrecipes.recipes.curator import SharedValue as SyncSharedValue

ROUNDS = 25



@pytest.fixture
def zk_handler_name() -> str:
    """The sync client runs on the threading handler: it is driven from executor threads."""
    return "threading"

async def in_thread(func: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def sync_count_adds(zk: ZkClient, path: str, n: int) -> None:
    with SyncSharedCount(zk, path, 0) as count:
        for _ in range(n):
            while not count.try_set_count(count.get_versioned_value(), count.get_count() + 1):
                pass


async def test_shared_count_sync_and_asyncio_sum_exactly(zk_aio_client: AsyncZkClient,
                                                         zk_client: ZkClient) -> None:
    seen_plain: list[int] = []
    seen_coro: list[int] = []

    async def coroutine_listener(count: SharedCount, new_count: int) -> None:
        await asyncio.sleep(0)
        seen_coro.append(new_count)

    class PlainListener:
        def count_has_changed(self, count: SharedCount, new_count: int) -> None:
            seen_plain.append(new_count)

    async with zk_aio_client.SharedCount("/sum", 0) as count:
        count.add_listener(PlainListener())
        count.add_listener(coroutine_listener)
        other = in_thread(sync_count_adds, zk_client, "/sum", ROUNDS)
        for _ in range(ROUNDS):
            while not await count.try_set_count(count.get_versioned_value(), count.get_count() + 1):
                pass
        await other

        async def last_seen() -> bool:
            total = 2 * ROUNDS
            return count.get_count() == total and max([*seen_plain, 0]) == total == max([*seen_coro, 0])

        await until(last_seen, message="both listeners told the last count")
        assert seen_plain == sorted(seen_plain)  # in order, never an older value after a newer one
    assert zk_client.get("/sum")[0] == (2 * ROUNDS).to_bytes(4, "big")


async def test_shared_value_both_ways(zk_aio_client: AsyncZkClient, zk_client: ZkClient) -> None:
    with SyncSharedValue(zk_client, "/v", b"seed") as sync_value:
        async with SharedValue(zk_aio_client, "/v", b"other seed") as value:  # the seed does not overwrite
            assert value.get_value() == b"seed"
            assert await value.try_set_value(value.get_versioned_value(), b"from asyncio")
            await in_thread(lambda: until_sync(lambda: sync_value.get_value() == b"from asyncio"))
            stale = value.get_versioned_value()
            sync_value.set_value(b"from sync")

            async def moved() -> bool:
                return value.get_value() == b"from sync"

            await until(moved, message="the asyncio value read again after the watch")
            assert await value.try_set_value(stale, b"lost") is False  # stale: refused at once


def until_sync(predicate: Any) -> None:
    import time

    end = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < end, "not met in time"
        time.sleep(0.02)


async def test_atomic_long_sync_and_asyncio_sum_exactly(zk_aio_client: AsyncZkClient,
                                                        zk_client: ZkClient) -> None:
    counter = zk_aio_client.DistributedAtomicLong("/along")
    sync_counter = SyncAtomicLong(zk_client, "/along")

    def sync_adds() -> int:
        return sum(1 for _ in range(ROUNDS) if sync_counter.increment().succeeded())

    other = in_thread(sync_adds)
    mine = 0
    for _ in range(ROUNDS):
        if (await counter.increment()).succeeded():
            mine += 1
    theirs = await other
    assert (await counter.get()).post_value() == mine + theirs == sync_counter.get().post_value()
    assert (await counter.compare_and_set(mine + theirs, -5)).succeeded()
    assert (await counter.add(2)).post_value() == -3
    assert zk_client.get("/along")[0] == (-3).to_bytes(8, "big", signed=True)


class _StallFrom(_HoldRepliesFrom):
    """The victim client, except that its requests are held back from its first ``method`` call on."""

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name != self._method or self._proxy is None:
            return attribute
        proxy, self._proxy = self._proxy, None
        (connection,) = proxy.connection_ids()
        proxy.stall(connection)  # nothing reaches the server any more on this connection
        return attribute


async def test_cancelled_increment_never_applied_raises_cancelled(fault_proxy: Any,
                                                                  zk_aio_client_factory: Any) -> None:
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = DistributedAtomicLong(await zk_aio_client_factory(), "/c")
    await observer.force_set(7)
    counter = DistributedAtomicLong(_StallFrom(victim, fault_proxy, "set"), "/c")  # type: ignore[arg-type]
    pending = asyncio.ensure_future(counter.increment())

    async def held() -> bool:
        return bool(fault_proxy.held_to_server())

    await until(held, message="the conditional set held back")
    pending.cancel()
    fault_proxy.close_connections()  # the held set is dropped; the read-back runs after the reconnect
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(pending, WAIT)
    assert (await observer.get()).post_value() == 7  # proven not applied: a clean cancellation


async def test_cancelled_increment_applied_is_reported_unknown(fault_proxy: Any,
                                                               zk_aio_client_factory: Any) -> None:
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = DistributedAtomicLong(await zk_aio_client_factory(), "/c")
    await observer.force_set(1)
    mine = DistributedAtomicLong(_HoldRepliesFrom(victim, fault_proxy, "set"), "/c")  # type: ignore[arg-type]
    pending = asyncio.ensure_future(mine.increment())

    async def landed() -> bool:
        return (await observer.get()).post_value() == 2

    await until(landed, message="the increment applied (its reply held back)")
    pending.cancel()
    fault_proxy.close_connections()
    with pytest.raises(OutcomeUnknownError) as raised:
        await asyncio.wait_for(pending, WAIT)
    assert isinstance(raised.value.__cause__, asyncio.CancelledError)
    assert raised.value.operation == "DistributedAtomicLong change"
    assert (await observer.get()).post_value() == 2  # applied once, reported unknown: accounted for
