"""InterProcessMutex against real Curator on one path: mutual exclusion both ways, the tree, reentrancy."""

from __future__ import annotations

import itertools
import threading
import time

from _curator_helpers import children_info, kids, protected_suffix, run_in_thread
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import InterProcessMutex
from zkrecipes.testing.curator import CuratorSession


def test_curator_holder_blocks_python_until_release(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    assert curator_peer.acquire("mutex", "c", "/m", timeout=10)
    mutex = InterProcessMutex(zk_client, "/m")
    assert mutex.acquire(timeout=0.3) is False
    assert len(zk_client.get_children("/m")) == 1  # the timed-out contender is gone
    done = threading.Event()

    def acquire_then_release() -> bool:
        got = mutex.acquire(timeout=30)
        done.wait(30)
        if got:
            mutex.release()  # from the holding thread, as Curator requires
        return got

    thread, out = run_in_thread(acquire_then_release)
    wait_until(zk_client, lambda: len(zk_client.get_children("/m")) == 2, message="python contender")
    assert not mutex.is_acquired_in_this_process()
    curator_peer.release("mutex", "c")
    wait_until(zk_client, mutex.is_acquired_in_this_process, message="python holds it")
    assert not mutex.is_owned_by_current_thread()
    done.set()
    thread.join(30)
    assert out == [True]
    assert kids(zk_client, "/m") == []


def test_python_holder_blocks_curator_until_release(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    mutex = InterProcessMutex(zk_client, "/m")
    assert mutex.acquire(timeout=10)
    assert curator_peer.acquire("mutex", "c", "/m", timeout=0.3) is False
    waiting = curator_peer.acquire_async("mutex", "c", "/m", timeout=30)
    wait_until(zk_client, lambda: len(zk_client.get_children("/m")) == 2, message="curator contender")
    assert not waiting.done()
    mutex.release()
    assert waiting.result()["acquired"] is True
    assert curator_peer.mutex_held("c")
    assert mutex.acquire(timeout=0.2) is False
    curator_peer.release("mutex", "c")


def test_tree_matches_curator(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    mutex = InterProcessMutex(zk_client, "/deep/er/m")
    assert mutex.acquire(timeout=10)
    waiting = curator_peer.acquire_async("mutex", "c", "/deep/er/m", timeout=30)
    wait_until(zk_client, lambda: len(zk_client.get_children("/deep/er/m")) == 2, message="curator contender")
    nodes = children_info(zk_client, "/deep/er/m")
    address = curator_peer.local_address.encode()
    assert [data for _, data, _ in nodes] == [address, address]  # both wrote Curator's default data
    assert all(ephemeral for _, _, ephemeral in nodes)
    suffixes = sorted(protected_suffix(name) for name, _, _ in nodes)
    assert all(s.startswith("lock-") and len(s) == 15 for s in suffixes)
    ours = mutex.node
    assert ours is not None and protected_suffix(ours) == suffixes[0]
    # Curator's order puts the holder first, in Python and in the listing Curator sees.
    assert mutex.get_participant_nodes()[0].endswith(ours)
    mutex.release()
    assert waiting.result()["acquired"] is True
    curator_peer.release("mutex", "c")


def test_reentrant_in_thread_and_exclusive_across_threads(zk_client: ZkClient) -> None:
    mutex = InterProcessMutex(zk_client, "/r")
    assert mutex.acquire(timeout=5) and mutex.acquire(timeout=5)
    assert len(zk_client.get_children("/r")) == 1
    thread, out = run_in_thread(lambda: mutex.acquire(timeout=0.3))
    thread.join(30)
    assert out == [False]
    mutex.release()
    assert mutex.is_acquired_in_this_process()
    mutex.release()
    assert not mutex.is_acquired_in_this_process()
    assert kids(zk_client, "/r") == []


def test_many_cycles_never_overlap(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    cycles = 25
    curator = curator_peer.mutex_cycle_async("/busy", cycles, hold_ms=2)
    mutex = InterProcessMutex(zk_client, "/busy")
    ours = []
    for _ in range(cycles):
        assert mutex.acquire(timeout=30)
        start = time.time_ns() // 1000
        zk_client.exists("/busy")  # a round trip inside the critical section
        end = time.time_ns() // 1000
        mutex.release()
        ours.append((start, end))
    theirs = curator_peer.intervals(curator)
    assert len(theirs) == cycles
    spans = sorted([(a, b, "py") for a, b in ours] + [(a, b, "java") for a, b in theirs])
    for (a1, b1, who1), (a2, b2, who2) in itertools.pairwise(spans):
        assert b1 <= a2, f"{who1} [{a1},{b1}] overlaps {who2} [{a2},{b2}]"


def test_parents_are_containers_and_are_made_again(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    mutex = InterProcessMutex(zk_client, "/gone/soon")
    assert mutex.acquire(timeout=10)
    mutex.release()
    # the server deletes empty containers (every second in the test server): the whole chain goes
    wait_until(zk_client, lambda: zk_client.exists("/gone") is None, message="the containers to vanish")
    assert mutex.acquire(timeout=10)  # parents made again on NoNode, nothing cached
    assert curator_peer.acquire("mutex", "c", "/gone/soon", timeout=0.2) is False
    mutex.release()
    assert curator_peer.acquire("mutex", "c", "/gone/soon", timeout=10)
    curator_peer.release("mutex", "c")
    wait_until(zk_client, lambda: zk_client.exists("/gone") is None, message="Curator's containers to vanish")


def test_multi_lock_takes_all_or_none(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    assert curator_peer.acquire("mutex", "c", "/ml/b", timeout=10)
    multi = zk_client.InterProcessMultiLock(["/ml/a", "/ml/b"])
    assert multi.acquire(timeout=0.3) is False
    assert kids(zk_client, "/ml/a") == [] and not multi.is_acquired_in_this_process()
    curator_peer.release("mutex", "c")
    with multi:
        assert multi.is_acquired_in_this_process()
        assert curator_peer.acquire("mutex", "c2", "/ml/a", timeout=0.3) is False
    assert curator_peer.acquire("mutex", "c2", "/ml/a", timeout=10)
    curator_peer.release("mutex", "c2")


def test_fenced_writes_of_our_holder_keep_a_curator_waiter_waiting(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    """A marker is a setData on our node: Curator's waiter (a data watch on it) re-lists, keeps waiting."""
    zk_client.create("/target", b"0")
    mutex = InterProcessMutex(zk_client, "/fw")
    assert mutex.acquire(timeout=10)
    waiting = curator_peer.acquire_async("mutex", "c", "/fw", timeout=30)
    wait_until(zk_client, lambda: len(zk_client.get_children("/fw")) == 2, message="curator contender")
    node = f"/fw/{mutex.node}"
    before = zk_client.get(node)[0]
    for n in range(1, 6):
        assert mutex.fenced_set("/target", str(n).encode()).version == n
    data, stat = zk_client.get(node)
    assert data == before and stat.version == 5  # five markers, the bytes unchanged
    assert not waiting.done()  # (mutex_held("c") would replace the pending lock object in the peer)
    mutex.release()
    assert waiting.result()["acquired"] is True
    curator_peer.release("mutex", "c")
