"""CuratorCache over a tree that Curator and zkrecipes both change."""

from __future__ import annotations

import threading

from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.cache import NodeData
from zkrecipes.recipes.curator import CacheEventType, CuratorCache
from zkrecipes.testing.curator import CuratorSession


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[CacheEventType, str, bytes | None, bytes | None]] = []
        self.ready = threading.Event()

    def event(self, type: CacheEventType, old_data: NodeData | None, data: NodeData | None) -> None:  # noqa: A002
        node = data or old_data
        assert node is not None
        before = old_data.data if old_data else None
        self.events.append((type, node.path, before, data.data if data else None))

    def initialized(self) -> None:
        self.ready.set()


def test_cache_sees_changes_from_both_sides(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    zk_client.create("/cache/a", b"1", makepath=True)
    recorder = Recorder()
    with CuratorCache(zk_client, "/cache") as cache:
        cache.add_listener(recorder)
        assert recorder.ready.wait(10)
        assert cache.get("/cache/a") is not None and cache.size() == 2
        zk_client.set("/cache/a", b"2")
        curator_peer.count_set("/cache/count", 5)  # Curator creates a node (seed 0), then sets 5
        five = b"\x00\x00\x00\x05"
        wait_until(zk_client, lambda: getattr(cache.get("/cache/count"), "data", None) == five,
                   message="Curator's node cached")
        zk_client.delete("/cache/a")
        wait_until(zk_client, lambda: cache.get("/cache/a") is None, message="the delete cached")
    changes = [e for e in recorder.events if e[1] != "/cache"]
    assert (CacheEventType.NODE_CREATED, "/cache/a", None, b"1") in changes
    assert (CacheEventType.NODE_CHANGED, "/cache/a", b"1", b"2") in changes
    counted = [e for e in changes if e[1] == "/cache/count"]  # the seed may or may not be seen first
    assert counted[0][0] is CacheEventType.NODE_CREATED and counted[0][2] is None
    assert counted[-1][3] == five
    assert changes[-1] == (CacheEventType.NODE_DELETED, "/cache/a", b"2", None)
