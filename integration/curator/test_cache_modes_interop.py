"""CuratorCache in both watch modes next to Curator's own CuratorCache, on a tree Curator writes.

One cache on a persistent recursive watch, one forced onto one-shot watches (the
fallback for servers without ``addWatch``), each on its own client (ZOOKEEPER-4466:
one-shot and persistent watches of one client on one path interfere), and
Curator's CuratorCache: after each of Curator's writes all three must have heard
exactly the same events.
"""

from __future__ import annotations

import threading

from _cache_peer import Seen, cache_close, cache_events, cache_start, create, delete, set_data
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.cache import NodeData
from zkrecipes.recipes.curator import CacheEventType, CacheWatchMode, CuratorCache
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession


class Heard:
    """A CuratorCacheListener that records events as Curator's peer reports them."""

    def __init__(self) -> None:
        self.events: list[Seen] = []
        self.inits = 0
        self.ready = threading.Event()

    def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002
              data: NodeData | None) -> None:
        node = data or old_data
        assert node is not None
        self.events.append((type.value, node.path, old_data.data if old_data else None,
                            data.data if data else None))

    def initialized(self) -> None:
        self.inits += 1
        self.ready.set()


def test_both_modes_hear_what_curator_hears(curator_peer: CuratorSession, zk_client: ZkClient,
                                            zk_client_factory: ClientFactory) -> None:
    persistent, one_shot = Heard(), Heard()
    caches = [CuratorCache(zk_client, "/tree", create_root=False),
              CuratorCache(zk_client_factory(), "/tree", mode=CacheWatchMode.ONE_SHOT, create_root=False)]
    for cache, heard in zip(caches, (persistent, one_shot), strict=True):
        cache.add_listener(heard)
        cache.start()
        assert heard.ready.wait(10)
    cache_start(curator_peer, "cc", "/tree")
    wait_until(zk_client, lambda: cache_events(curator_peer, "cc")[0] == 1, message="Curator's initialized")
    assert [c.watch_mode for c in caches] == [CacheWatchMode.PERSISTENT, CacheWatchMode.ONE_SHOT]

    steps = [
        (lambda: create(curator_peer, "/tree", b"root"), 1),
        (lambda: create(curator_peer, "/tree/a", b"1"), 1),
        (lambda: create(curator_peer, "/tree/a/b", b"2"), 1),
        (lambda: set_data(curator_peer, "/tree/a", b"3"), 1),
        (lambda: create(curator_peer, "/tree/c", b"4", ephemeral=True), 1),
        (lambda: delete(curator_peer, "/tree/a/b"), 1),
        (lambda: set_data(curator_peer, "/tree", b"root2"), 1),
        (lambda: delete(curator_peer, "/tree"), 3),  # /tree/a, /tree/c, then /tree
    ]
    expected = 0
    for step, count in steps:
        step()
        expected += count
        wait_until(zk_client, lambda n=expected: len(persistent.events) >= n and len(one_shot.events) >= n
                   and len(cache_events(curator_peer, "cc")[1]) >= n, message=f"{expected} events")
    initialized, curators = cache_events(curator_peer, "cc")
    assert persistent.events == curators
    assert one_shot.events == curators
    assert curators[0] == ("NODE_CREATED", "/tree", None, b"root")
    assert ("NODE_CHANGED", "/tree/a", b"1", b"3") in curators
    assert curators[-1] == ("NODE_DELETED", "/tree", b"root2", None)
    assert (initialized, persistent.inits, one_shot.inits) == (1, 1, 1)
    for cache in caches:
        assert cache.size() == 0
        cache.close()
    cache_close(curator_peer, "cc")


def test_one_shot_cache_loads_an_existing_tree_and_follows_it(curator_peer: CuratorSession,
                                                             zk_client: ZkClient) -> None:
    for path in ("/t/x/1", "/t/x/2", "/t/y"):
        create(curator_peer, path, path.encode())
    heard = Heard()
    with CuratorCache(zk_client, "/t", mode=CacheWatchMode.ONE_SHOT) as cache:
        cache.add_listener(heard)
        assert cache.await_initialized(10)
        assert [n.path for n in cache.stream()] == ["/t", "/t/x", "/t/x/1", "/t/x/2", "/t/y"]
        assert [n.path for n in cache.children("/t/x")] == ["/t/x/1", "/t/x/2"]
        delete(curator_peer, "/t/x")  # a subtree goes: children before their parent
        wait_until(zk_client, lambda: cache.get("/t/x") is None, message="the subtree removed")
        create(curator_peer, "/t/x/3", b"new")  # and comes back, deeper, in one Curator call
        wait_until(zk_client, lambda: cache.get("/t/x/3") is not None, message="the new subtree")
    deleted = [e[1] for e in heard.events if e[0] == "NODE_DELETED"]
    assert deleted[-1] == "/t/x" and set(deleted[:-1]) == {"/t/x/1", "/t/x/2"}
    assert cache.size() == 0
