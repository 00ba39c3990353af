"""The asyncio DistributedAtomicLong promoted to a lock, and the asyncio semaphore's SharedCount limit,
with real Curator on the same paths: exact totals, a limit raised by Curator honoured."""

from __future__ import annotations

import asyncio
from typing import Any

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import SharedCount
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator import PromotedToLock, RetryNTimes
from zkrecipes.testing.curator import CuratorSession

ROUNDS = 30
WAIT = 30.0


async def in_thread(func: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(func, *args, **kwargs)


async def kids(client: AsyncZkClient, path: str) -> list[str]:
    try:
        return list(await client.get_children(path))
    except NoNodeError:
        return []


async def test_asyncio_atomic_long_promoted_to_curators_lock_counts_exactly(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    # no optimistic retries at all: every lost race goes through the mutex at /an-lock
    promoted = PromotedToLock("/an-lock", timeout=WAIT, retry_policy=RetryNTimes(1000, 1))
    atomic = zk_aio_client.DistributedAtomicLong("/ap", RetryNTimes(0, 0), promoted)
    curator = curator_peer.atomic_add_async("/ap", 2, ROUNDS, lock_path="/an-lock")
    for _ in range(ROUNDS):
        result = await atomic.add(1)
        assert result.succeeded()
        stats = result.get_stats()
        assert stats.optimistic_tries == 1 and stats.promoted_lock_tries <= 1000
    await in_thread(curator.result)
    assert (await atomic.get()).post_value() == 3 * ROUNDS == await in_thread(curator_peer.atomic_get, "/ap")
    assert await kids(zk_aio_client, "/an-lock") == []  # every lock node was released


async def test_asyncio_semaphore_limit_from_a_shared_count_curator_raises(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    async with SharedCount(zk_aio_client, "/alimit", 1) as limit:
        semaphore = zk_aio_client.InterProcessSemaphoreV2("/asc-sem", limit)
        assert semaphore.max_leases == 1
        first = await semaphore.acquire(timeout=10)
        assert first is not None
        waiter = asyncio.ensure_future(semaphore.acquire(timeout=WAIT))

        async def second_node() -> None:
            while len(await kids(zk_aio_client, "/asc-sem/leases")) < 2:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(second_node(), WAIT)
        assert not waiter.done()
        await in_thread(curator_peer.count_set, "/alimit", 2)  # Curator raises the limit
        second = await asyncio.wait_for(waiter, WAIT)
        assert second is not None and semaphore.max_leases == 2
        # a Curator semaphore told the same limit sees both leases taken
        assert not await in_thread(curator_peer.semaphore_acquire, "s", "/asc-sem", 2, 0.2)
        await first.close()
        await second.close()
        await semaphore.close()  # the limit listener goes
        assert limit._relays == []
    assert await kids(zk_aio_client, "/asc-sem/leases") == []
