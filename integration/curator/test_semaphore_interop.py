"""InterProcessSemaphoreV2 and InterProcessSemaphoreMutex against real Curator on one path."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from _curator_helpers import children_info, kids, protected_suffix, run_in_thread
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import InterProcessSemaphoreMutex, InterProcessSemaphoreV2
from zkrecipes.testing.curator import CuratorSession


def count(zk: ZkClient, path: str, n: int) -> Callable[[], bool]:
    return lambda: len(zk.get_children(path)) == n


def test_semaphore_limit_holds_across_languages(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    assert curator_peer.semaphore_acquire("s1", "/sem", 2, timeout=10)
    semaphore = InterProcessSemaphoreV2(zk_client, "/sem", 2)
    lease = semaphore.acquire(timeout=10)
    assert lease is not None
    # the pool is full for both sides
    assert semaphore.acquire(timeout=0.3) is None
    assert curator_peer.semaphore_acquire("s2", "/sem", 2, timeout=0.3) is False
    # Curator's tree: leases and locks below the semaphore, protected lease names, default data
    assert {"leases"} <= set(zk_client.get_children("/sem")) <= {"leases", "locks"}  # locks/ may be gone
    leases = children_info(zk_client, "/sem/leases")
    assert len(leases) == 2
    address = curator_peer.local_address.encode()
    for name, data, ephemeral in leases:
        assert protected_suffix(name).startswith("lease-") and ephemeral and data == address
    # a Python waiter gets the lease Curator returns
    thread, out = run_in_thread(lambda: semaphore.acquire(timeout=30))
    wait_until(zk_client, count(zk_client, "/sem/locks", 1), message="python at the gate")
    curator_peer.semaphore_release("s1")
    thread.join(30)
    second = out[0]
    assert isinstance(second, type(lease))
    # a Curator waiter gets the lease Python returns
    waiting = curator_peer.peer.submit("semaphore.acquire", 60, id="s2", path="/sem", max_leases=2,
                                       timeout_ms=30000)
    wait_until(zk_client, count(zk_client, "/sem/leases", 3), message="curator lease node")
    lease.close()
    assert waiting.result()["acquired"] is True
    assert len(zk_client.get_children("/sem/leases")) == 2
    second.close()
    curator_peer.semaphore_release("s2")
    assert kids(zk_client, "/sem/leases") == []


def test_semaphore_mutex_both_ways(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    mutex = InterProcessSemaphoreMutex(zk_client, "/sm")
    assert mutex.acquire(timeout=10)
    assert curator_peer.acquire("semmutex", "c", "/sm", timeout=0.3) is False
    assert mutex.acquire(timeout=0.2) is False  # not reentrant, as Curator's
    waiting = curator_peer.acquire_async("semmutex", "c", "/sm", timeout=30)
    wait_until(zk_client, count(zk_client, "/sm/leases", 2), message="curator lease node")
    mutex.release()
    assert waiting.result()["acquired"] is True
    assert mutex.acquire(timeout=0.3) is False
    thread, out = run_in_thread(lambda: mutex.acquire(timeout=30))
    wait_until(zk_client, count(zk_client, "/sm/leases", 2), message="python lease node")
    curator_peer.release("semmutex", "c")
    thread.join(30)
    assert out == [True]
    mutex.release()  # any thread may release a semaphore mutex
    assert not mutex.is_acquired_in_this_process()


def test_semaphore_limit_from_a_shared_count_curator_raises(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    from zkrecipes.recipes.curator import SharedCount

    with SharedCount(zk_client, "/limit", 1) as limit:
        semaphore = InterProcessSemaphoreV2(zk_client, "/sc-sem", limit)
        first = semaphore.acquire(timeout=10)
        assert first is not None and semaphore.max_leases == 1
        thread, out = run_in_thread(lambda: semaphore.acquire(timeout=30))
        wait_until(zk_client, count(zk_client, "/sc-sem/leases", 2), message="the waiter's lease node")
        curator_peer.count_set("/limit", 2)  # Curator raises the limit: the waiter gets its lease
        thread.join(30)
        second = out[0]
        assert isinstance(second, type(first)) and semaphore.max_leases == 2
        first.close()
        second.close()


def test_cycles_against_a_curator_semaphore_never_exceed_one_lease(
        curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    """Our ungated first tries and Curator's gated acquires interleave; one lease, never two holders."""
    cycles = 20
    theirs = curator_peer.peer.submit("plocks.semaphore_cycle", 90, path="/busy", max_leases=1, n=cycles,
                                      hold_ms=2, timeout_ms=60000)
    semaphore = InterProcessSemaphoreV2(zk_client, "/busy", 1)
    ours = []
    for _ in range(cycles):
        lease = semaphore.acquire(timeout=30)
        assert lease is not None
        start = time.time_ns() // 1000
        zk_client.exists("/busy")  # a round trip inside the critical section
        ours.append((start, time.time_ns() // 1000))
        lease.close()
    holds = [(int(a), int(b)) for a, b in theirs.result()["holds"]]
    assert len(holds) == cycles
    spans = sorted([(a, b, "py") for a, b in ours] + [(a, b, "java") for a, b in holds])
    for (a1, b1, who1), (a2, b2, who2) in itertools.pairwise(spans):
        assert b1 <= a2, f"{who1} [{a1},{b1}] overlaps {who2} [{a2},{b2}]"
    assert kids(zk_client, "/busy/leases") == []
