"""SharedCount, SharedValue and DistributedAtomicLong against real Curator: encodings and exact totals."""

from __future__ import annotations

import threading

from _curator_helpers import kids
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import (
    DistributedAtomicLong,
    PromotedToLock,
    RetryNTimes,
    SharedCount,
    SharedValue,
)
from zkrecipes.testing.curator import CuratorSession

ROUNDS = 40


def add_count(count: SharedCount, delta: int, n: int) -> None:
    for _ in range(n):
        while not count.try_set_count(count.get_versioned_value(), count.get_count() + delta):
            pass


def test_shared_count_encoding_both_ways(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    curator_peer.count_set("/c", 3, seed=0)
    assert zk_client.get("/c")[0] == b"\x00\x00\x00\x03"
    with SharedCount(zk_client, "/c", 99) as count:  # the seed does not overwrite
        assert count.get_count() == 3
        count.set_count(-2)
    assert curator_peer.count_get("/c") == -2
    assert zk_client.get("/c")[0] == b"\xff\xff\xff\xfe"
    with zk_client.SharedCount("/fresh", 7) as fresh:  # the factory; created with the seed
        assert fresh.get_count() == 7
    assert curator_peer.count_get("/fresh", seed=0) == 7


def test_shared_count_increments_sum_exactly(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    with SharedCount(zk_client, "/sum", 0) as count:
        seen: list[int] = []
        changed = threading.Event()

        class Listener:
            def count_has_changed(self, shared_count: SharedCount, new_count: int) -> None:
                seen.append(new_count)
                changed.set()

        count.add_listener(Listener())
        curator = curator_peer.peer.submit("count.add", 120.0, path="/sum", delta=1, n=ROUNDS, seed=0)
        add_count(count, 1, ROUNDS)
        assert int(curator.result()["count"]) >= ROUNDS
        wait_until(zk_client, lambda: count.get_count() == 2 * ROUNDS, message="the listener's last value")
        assert seen and max(seen) == 2 * ROUNDS
    assert curator_peer.count_get("/sum") == 2 * ROUNDS


def test_shared_value_bytes_both_ways(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    curator_peer.value_set("/v", b"\x00java\xff", seed=b"s")
    with SharedValue(zk_client, "/v", b"seed") as value:
        assert value.get_value() == b"\x00java\xff"
        first = value.get_versioned_value()
        assert value.try_set_value(first, b"py")
        assert not value.try_set_value(first, b"stale")  # an old version never writes
    assert curator_peer.value_get("/v") == b"py"


def test_atomic_long_encoding_both_ways(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    atomic = DistributedAtomicLong(zk_client, "/a", RetryNTimes(10, 1))
    assert atomic.get().post_value() == 0  # missing node reads 0
    result = atomic.add(3)
    assert result.succeeded() and (result.pre_value(), result.post_value()) == (0, 3)
    assert zk_client.get("/a")[0] == b"\x00" * 7 + b"\x03"
    assert curator_peer.atomic_get("/a") == 3
    curator_peer.atomic_set("/a", -(2**40))
    assert atomic.get().post_value() == -(2**40)
    assert atomic.compare_and_set(-(2**40), 5).succeeded()
    assert not atomic.compare_and_set(4, 6).succeeded()
    assert curator_peer.atomic_get("/a") == 5


def test_atomic_long_increments_sum_exactly(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    curator = curator_peer.atomic_add_async("/n", 1, ROUNDS)
    atomic = zk_client.DistributedAtomicLong("/n", RetryNTimes(1000, 1))
    for _ in range(ROUNDS):
        while not atomic.increment().succeeded():
            pass
    curator.result()
    assert atomic.get().post_value() == 2 * ROUNDS == curator_peer.atomic_get("/n")


def test_atomic_long_promoted_to_lock_shares_curators_mutex(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    # no optimistic retries at all: every lost race goes through the lock at /n-lock
    promoted = PromotedToLock("/n-lock", timeout=30, retry_policy=RetryNTimes(1000, 1))
    atomic = DistributedAtomicLong(zk_client, "/p", RetryNTimes(0, 0), promoted)
    curator = curator_peer.atomic_add_async("/p", 2, ROUNDS, lock_path="/n-lock")
    promoted_tries = 0
    for _ in range(ROUNDS):
        result = atomic.add(1)
        assert result.succeeded()
        promoted_tries += result.get_stats().promoted_lock_tries
    curator.result()
    assert atomic.get().post_value() == 3 * ROUNDS
    assert kids(zk_client, "/n-lock") == []  # every lock node was released
