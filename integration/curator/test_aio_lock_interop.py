"""The asyncio Curator locks with real Curator and the threaded recipes on one path.

Mutual exclusion is judged from every side's own hold intervals (the same
machine's wall clock, epoch microseconds) and from fencing tokens; the
semaphore limit is checked from the lease nodes while all three hold leases.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

import pytest

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import (
    InterProcessMultiLock,
    InterProcessMutex,
    InterProcessReadWriteLock,
    InterProcessSemaphoreMutex,
)
from zkrecipes.exceptions import LockNotHeldError, NoNodeError
from zkrecipes.recipes.curator import InterProcessMutex as SyncMutex
from zkrecipes.recipes.curator import InterProcessSemaphoreV2 as SyncSemaphore
from zkrecipes.testing.curator import CuratorSession

WAIT = 30.0
ROUNDS = 8


def _now_us() -> int:
    return time.time_ns() // 1000


async def in_thread(func: Any, *args: Any) -> Any:
    return await asyncio.to_thread(func, *args)


async def kids(client: AsyncZkClient, path: str) -> list[str]:
    """The children of ``path``; [] once its container parent is gone."""
    try:
        return list(await client.get_children(path))
    except NoNodeError:
        return []


async def children_reach(client: AsyncZkClient, path: str, count: int, timeout: float = WAIT) -> None:
    """Poll (bounded) until ``path`` has at least ``count`` children."""
    async def poll() -> None:
        while len(await kids(client, path)) < count:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def _held(mutex: InterProcessMutex) -> None:
    while not mutex.is_acquired_in_this_process():
        await asyncio.sleep(0.01)


def _disjoint(intervals: list[tuple[int, int]]) -> bool:
    ordered = sorted(intervals)
    return all(end <= start for (_s, end), (start, _e) in itertools.pairwise(ordered))


async def test_asyncio_sync_and_curator_mutexes_exclude_each_other(
        curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client: AsyncZkClient) -> None:
    path = "/m3"
    java = curator_peer.mutex_cycle_async(path, ROUNDS, hold_ms=2, timeout=WAIT)
    sync_intervals: list[tuple[int, int]] = []
    sync_tokens: list[int] = []

    def sync_cycle() -> None:
        mutex = SyncMutex(zk_client, path)
        for _ in range(ROUNDS):
            assert mutex.acquire(timeout=WAIT)
            start = _now_us()
            sync_tokens.append(mutex.fencing_token or 0)
            mutex.fenced_create(f"/fenced-sync-{len(sync_tokens)}")
            end = _now_us()
            mutex.release()
            sync_intervals.append((start, end))

    thread = threading.Thread(target=sync_cycle)
    thread.start()
    mutex = zk_aio_client.InterProcessMutex(path)
    aio_intervals: list[tuple[int, int]] = []
    aio_tokens: list[int] = []
    for index in range(ROUNDS):
        async with mutex:
            start = _now_us()
            assert mutex.fencing_token is not None
            aio_tokens.append(mutex.fencing_token)
            await mutex.fenced_create(f"/fenced-aio-{index}")
            aio_intervals.append((start, _now_us()))
    await in_thread(thread.join, WAIT)
    assert not thread.is_alive()
    java_intervals = CuratorSession.intervals(java)
    assert len(java_intervals) == len(sync_intervals) == len(aio_intervals) == ROUNDS
    assert _disjoint(java_intervals + sync_intervals + aio_intervals)
    tokens = aio_tokens + sync_tokens
    assert len(set(tokens)) == len(tokens)  # every hold had its own node
    assert aio_tokens == sorted(aio_tokens) and sync_tokens == sorted(sync_tokens)
    assert await kids(zk_aio_client, path) == []


async def test_curator_holder_blocks_asyncio_and_asyncio_holder_blocks_curator(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    assert await in_thread(lambda: curator_peer.acquire("mutex", "c", "/m", timeout=10))
    mutex = InterProcessMutex(zk_aio_client, "/m")
    assert await mutex.acquire(timeout=0.3) is False
    assert len(await kids(zk_aio_client, "/m")) == 1  # our timed-out node is gone
    let_go = asyncio.Event()

    async def hold() -> bool:
        got = await mutex.acquire(timeout=WAIT)
        if got:
            await let_go.wait()
            await mutex.release()  # from the holding task, as Curator requires from the holding thread
        return got

    holder = asyncio.ensure_future(hold())
    await children_reach(zk_aio_client, "/m", 2)
    assert not holder.done()
    await in_thread(curator_peer.release, "mutex", "c")
    await asyncio.wait_for(_held(mutex), WAIT)
    assert not mutex.is_owned_by_current_task()
    with pytest.raises(LockNotHeldError):
        await mutex.release()  # not the holding task
    nodes = await mutex.get_participant_nodes()
    assert len(nodes) == 1 and "-lock-" in nodes[0]
    assert await in_thread(lambda: curator_peer.acquire("mutex", "c", "/m", timeout=0.3)) is False
    curator = curator_peer.acquire_async("mutex", "c", "/m", timeout=WAIT)
    await children_reach(zk_aio_client, "/m", 2)
    let_go.set()
    assert await asyncio.wait_for(holder, WAIT) is True
    assert (await in_thread(curator.result))["acquired"] is True
    await in_thread(curator_peer.release, "mutex", "c")


async def test_semaphore_limit_holds_across_curator_sync_and_asyncio(
        curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client: AsyncZkClient) -> None:
    path = "/sem3"
    assert await in_thread(curator_peer.semaphore_acquire, "c", path, 2, 10.0)
    sync_lease = await in_thread(SyncSemaphore(zk_client, path, 2).acquire, 10.0)
    assert sync_lease is not None
    semaphore = zk_aio_client.InterProcessSemaphoreV2(path, 2)
    assert await semaphore.acquire(timeout=0.3) is None  # full: Curator's and the sync one
    assert len(await semaphore.get_participant_nodes()) == 2
    waiting = asyncio.ensure_future(semaphore.acquire(timeout=WAIT))
    await children_reach(zk_aio_client, f"{path}/leases", 3)  # our gated lease node waits: it does not fit
    assert not waiting.done()
    await in_thread(curator_peer.semaphore_release, "c")
    lease = await asyncio.wait_for(waiting, WAIT)
    assert lease is not None and lease.fencing_token is not None
    assert len(await semaphore.get_participant_nodes()) == 2
    assert await in_thread(curator_peer.semaphore_acquire, "c2", path, 2, 0.3) is False
    assert len(await semaphore.get_participant_nodes()) == 2
    await lease.fenced_set(path, b"by the asyncio lease")
    await lease.close()
    assert await in_thread(curator_peer.semaphore_acquire, "c2", path, 2, 10.0)
    await in_thread(sync_lease.close)
    await in_thread(curator_peer.semaphore_release, "c2")


async def test_semaphore_mutex_and_read_write_lock_with_curator(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    smutex = InterProcessSemaphoreMutex(zk_aio_client, "/sm")
    async with smutex:
        assert await in_thread(lambda: curator_peer.acquire("semmutex", "c", "/sm", timeout=0.3)) is False
    assert await in_thread(lambda: curator_peer.acquire("semmutex", "c", "/sm", timeout=10))
    assert await smutex.acquire(timeout=0.3) is False
    await in_thread(curator_peer.release, "semmutex", "c")
    rw = InterProcessReadWriteLock(zk_aio_client, "/rw")
    assert await in_thread(lambda: curator_peer.acquire("rw", "crw", "/rw", timeout=10, mode="read"))
    assert await rw.read_lock().acquire(timeout=10)  # readers share
    assert await rw.write_lock().acquire(timeout=0.3) is False
    await rw.read_lock().release()
    await in_thread(lambda: curator_peer.release("rw", "crw", mode="read"))
    async with rw.write_lock():
        blocked = await in_thread(lambda: curator_peer.acquire("rw", "crw", "/rw", timeout=0.3, mode="read"))
        assert blocked is False
        async with rw.read_lock():  # the writer's task may read too (downgrade)
            assert rw.read_lock().fencing_token is not None
    assert await in_thread(lambda: curator_peer.acquire("rw", "crw", "/rw", timeout=10, mode="write"))
    assert await rw.read_lock().acquire(timeout=0.3) is False
    await in_thread(lambda: curator_peer.release("rw", "crw", mode="write"))
    assert await kids(zk_aio_client, "/rw") == []


async def test_a_curator_holder_of_one_path_blocks_the_asyncio_multi_lock(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    assert await in_thread(lambda: curator_peer.acquire("mutex", "cm", "/mb", timeout=10))
    both = InterProcessMultiLock(zk_aio_client, ["/ma", "/mb"])
    assert await both.acquire(timeout=0.3) is False
    assert await kids(zk_aio_client, "/ma") == []
    await in_thread(curator_peer.release, "mutex", "cm")
    async with both:
        assert await in_thread(lambda: curator_peer.acquire("mutex", "cm", "/mb", timeout=0.3)) is False
    assert await in_thread(lambda: curator_peer.acquire("mutex", "cm", "/mb", timeout=10))
    await in_thread(curator_peer.release, "mutex", "cm")
