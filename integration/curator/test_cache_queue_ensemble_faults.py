"""A CuratorCache and a queue consumer across a killed ensemble member, with Curator writing meanwhile.

A 3-member ensemble. Our client's hosts are a follower (the victim) then a
survivor, in that order; Curator and an observer are on the third member.
Curator creates nodes under the cached path and puts items into a queue
that our consumer (with a lock path) takes, before and after the victim is
SIGKILLed. Afterwards our client has failed over in the same session; our
caches (persistent and one-shot watch modes) hold exactly what the observer
reads from the server, and every item was consumed once, none lost.

The one-shot cache has a client (and session) of its own, with the same
hosts in the same order, failing over too: a ZooKeeper server before 3.9
keeps one watch mode per path and session (ZOOKEEPER-4466), so a standard
data or child watch on ``/kc-tree`` in the session holding the persistent
recursive watch on it replaces that watch on the server, and the persistent
cache would hear nothing more than what the reconnect re-read shows.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from _waits import wait_until
from test_queue_kinds_interop import CuratorQueue

from zkrecipes.recipes.curator import CacheWatchMode, CuratorCache, DistributedQueue
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorPeer, CuratorSession

ROUND = 8  # Curator's nodes and items before the kill, and again after it
WAIT = 60.0


def _server_tree(observer: Any, root: str) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for name in observer.retry(observer.get_children, root):
        data, _stat = observer.retry(observer.get, f"{root}/{name}")
        found[f"{root}/{name}"] = data
    return found


def _cached_tree(cache: CuratorCache, root: str) -> dict[str, bytes | None]:
    return {node.path: node.data for node in cache.stream() if node.path != root}


@pytest.mark.ensemble
def test_caches_and_queue_consumer_across_a_killed_member(
        zk_ensemble: Any, zk_client_factory: ClientFactory, curator_jvm: CuratorPeer, zk_chroot: str) -> None:
    victim_member = zk_ensemble.followers()[0]
    survivor, third = [index for index in range(3) if index != victim_member]
    admin = zk_ensemble.hosts
    failing_over = f"{zk_ensemble.hosts_of([victim_member])},{zk_ensemble.hosts_of([survivor])}"
    victim = zk_client_factory(failing_over, admin_hosts=admin, randomize_hosts=False, timeout=10.0)
    one_shot_client = zk_client_factory(failing_over, admin_hosts=admin, randomize_hosts=False, timeout=10.0)
    observer = zk_client_factory(zk_ensemble.hosts_of([third]), admin_hosts=admin)
    curator = CuratorSession(curator_jvm)
    curator.connect(zk_ensemble.hosts_of([third]) + zk_chroot, session_timeout=10.0)
    observer.ensure_path("/kc-tree")
    caches = [CuratorCache(victim, "/kc-tree", mode=CacheWatchMode.PERSISTENT),
              CuratorCache(one_shot_client, "/kc-tree", mode=CacheWatchMode.ONE_SHOT)]
    consumed: list[bytes] = []
    guard = threading.Lock()

    def consume(item: bytes) -> None:
        with guard:
            consumed.append(item)

    queue = DistributedQueue(victim, "/kc-queue", consumer=consume, lock_path="/kc-queue-locks")
    producer = CuratorQueue(curator, "kc-producer", "/kc-queue", consume=False)
    try:
        for cache in caches:
            cache.start()
            assert cache.await_initialized(WAIT)
        queue.start()
        session, one_shot_session = victim.client_id, one_shot_client.client_id

        def curator_round(first: int) -> None:
            for index in range(first, first + ROUND):
                curator.call("pcache.create", path=f"/kc-tree/n{index}", hex=f"{index:04x}")
                producer.put(f"i{index}")
            curator.call("pcache.set", path=f"/kc-tree/n{first}", hex="ff")
            curator.call("pcache.delete", path=f"/kc-tree/n{first + 1}")

        curator_round(0)
        wait_until(victim, lambda: len(consumed) >= ROUND // 2, WAIT, "our consumer taking items")
        zk_ensemble.kill_member(victim_member)  # with items and notifications in flight
        curator_round(ROUND)

        expected = {f"i{index}".encode() for index in range(2 * ROUND)}
        wait_until(observer, lambda: len(consumed) >= len(expected), WAIT, "every item consumed")
        wait_until(observer, lambda: observer.retry(observer.get_children, "/kc-queue") == [], WAIT,
                   "the queue drained on the server")
        assert victim.client_id == session  # failed over: the same session on the survivor
        assert one_shot_client.client_id == one_shot_session
        with guard:
            assert sorted(consumed) == sorted(expected)  # each once, none lost
        server = _server_tree(observer, "/kc-tree")
        assert len(server) == 2 * ROUND - 2 and server["/kc-tree/n0"] == b"\xff"
        for cache in caches:
            try:
                wait_until(observer, lambda cache=cache: _cached_tree(cache, "/kc-tree") == server, WAIT,
                           f"the {cache.watch_mode} cache matching the server")
            except AssertionError:
                assert (cache.watch_mode, _cached_tree(cache, "/kc-tree")) == (cache.watch_mode, server)
    finally:
        queue.close()
        for cache in caches:
            cache.close()
        producer.close()
        curator.disconnect()
