"""TreeCache against a real ZooKeeper."""

from __future__ import annotations

import random
from typing import Any

import pytest
from _helpers import Recorder, expire_session, walk

from zkrecipes.exceptions import ConfigurationError, InvalidArgumentError
from zkrecipes.recipes.cache import NodeData, TreeCache, TreeEvent


def _mirror(cache: TreeCache, root: str) -> dict[str, bytes]:
    """The cache's view of the subtree, walked through get_children/get_data."""
    found: dict[str, bytes] = {}
    stack = [root]
    while stack:
        path = stack.pop()
        node = cache.get_data(path)
        if node is None:
            continue
        found[path] = node.data
        stack.extend(f"{path.rstrip('/')}/{c}" for c in cache.get_children(path) or ())
    return found


def _start(client: Any, root: str) -> tuple[TreeCache, Recorder[TreeEvent]]:
    cache = TreeCache(client, root)
    events: Recorder[TreeEvent] = Recorder(client)
    cache.listen(events.add)
    cache.start()
    events.wait_for(lambda e: any(x.event_type == TreeEvent.INITIALIZED for x in e), message="INITIALIZED")
    return cache, events


def test_cache_reflects_subtree(zk_client_factory: Any) -> None:
    client, writer = zk_client_factory(), zk_client_factory()
    writer.create("/t/a/b", b"ab", makepath=True)
    writer.set("/t/a", b"a")
    cache, events = _start(client, "/t")
    try:
        initial = events.snapshot()
        added = [e.event_data.path for e in initial if e.event_type == TreeEvent.NODE_ADDED and e.event_data]
        assert added == ["/t", "/t/a", "/t/a/b"]  # parents first, then INITIALIZED
        assert initial[-1].event_type == TreeEvent.INITIALIZED
        assert cache.get_children("/t") == frozenset({"a"})
        data = cache.get_data("/t/a/b")
        assert isinstance(data, NodeData) and data.data == b"ab"

        writer.create("/t/c", b"c")
        writer.set("/t/a", b"a2")
        writer.delete("/t/a/b")
        events.wait_for(lambda e: e[-1].event_type == TreeEvent.NODE_REMOVED, message="the removal")
        later = [(e.event_type, e.event_data.path) for e in events.snapshot()[len(initial):]
                 if e.event_data is not None]
        assert later == [(TreeEvent.NODE_ADDED, "/t/c"), (TreeEvent.NODE_UPDATED, "/t/a"),
                         (TreeEvent.NODE_REMOVED, "/t/a/b")]
        assert _mirror(cache, "/t") == walk(writer, "/t")
        assert cache.get_data("/t/a/b") is None
        assert cache.get_children("/t/a") == frozenset()
    finally:
        cache.close()


def test_cache_converges_under_churn(zk_client_factory: Any) -> None:
    client, writer = zk_client_factory(), zk_client_factory()
    writer.ensure_path("/t")
    cache, events = _start(client, "/t")
    try:
        rng = random.Random(7)
        paths = ["/t"]
        for i in range(40):
            parent = rng.choice(paths)
            path = f"{parent}/n{i}"
            writer.create(path, str(i).encode())
            paths.append(path)
            if i % 5 == 4:
                leaf = rng.choice([p for p in paths[1:] if not writer.get_children(p)])
                writer.delete(leaf)
                paths.remove(leaf)
            if i % 3 == 0:
                writer.set(rng.choice(paths), f"set{i}".encode())
        writer.create("/t/last", b"end")
        events.wait_for(lambda e: e[-1].event_data is not None and e[-1].event_data.path == "/t/last")
        assert _mirror(cache, "/t") == walk(writer, "/t")
    finally:
        cache.close()


def test_cache_survives_session_expiry(zk_hosts: str, zk_client_factory: Any) -> None:
    client, writer = zk_client_factory(), zk_client_factory()
    writer.create("/t/keep", b"1", makepath=True)
    cache, events = _start(client, "/t")
    try:
        expire_session(zk_hosts, client)

        def reconnected_after_lost(e: list[TreeEvent]) -> bool:
            # The client may first resume the old session (an immediate reconnect can beat the
            # server's close of it: SUSPENDED, RECONNECTED) before the expiry lands: wait for
            # the RECONNECTED of the new session, after LOST.
            kinds = [x.event_type for x in e]
            if TreeEvent.CONNECTION_LOST not in kinds:
                return False
            return TreeEvent.CONNECTION_RECONNECTED in kinds[kinds.index(TreeEvent.CONNECTION_LOST):]

        types = events.wait_for(reconnected_after_lost, message="LOST, then RECONNECTED")
        kinds = [x.event_type for x in types]
        assert TreeEvent.CONNECTION_LOST in kinds
        writer.create("/t/new", b"2")
        writer.set("/t/keep", b"3")
        # The re-read after the new session and the notifications may race: either
        # reports each change once; both must be published after RECONNECTED.
        wanted = {(TreeEvent.NODE_ADDED, "/t/new"), (TreeEvent.NODE_UPDATED, "/t/keep")}

        def after_reconnect(e: list[TreeEvent]) -> set[tuple[int, str]]:
            seen = [x.event_type for x in e]
            lost = seen.index(TreeEvent.CONNECTION_LOST)
            start = seen.index(TreeEvent.CONNECTION_RECONNECTED, lost)
            return {(x.event_type, x.event_data.path) for x in e[start:] if x.event_data is not None}

        events.wait_for(lambda e: wanted <= after_reconnect(e), message=str(wanted))
        assert _mirror(cache, "/t") == walk(writer, "/t")
        events.wait_for(lambda e: [x.event_type for x in e].count(TreeEvent.INITIALIZED) == 2,
                        message="INITIALIZED again after the new session")
    finally:
        cache.close()


def test_cache_close_and_bad_input(zk_client_factory: Any) -> None:
    client, writer = zk_client_factory(), zk_client_factory()
    cache, events = _start(client, "/t")
    with pytest.raises(ConfigurationError):
        cache.start()
    with pytest.raises(InvalidArgumentError):
        cache.get_data("/elsewhere")
    with pytest.raises(InvalidArgumentError):
        TreeCache(client, "relative")
    cache.close()
    count = len(events.snapshot())
    writer.create("/t/after-close")
    # Fence: a second cache sees the node; the closed one must publish nothing more.
    _other, other_events = _start(client, "/t")
    try:
        other_events.wait_for(lambda e: any(x.event_data is not None and x.event_data.path == "/t/after-close"
                                            for x in e))
        assert len(events.snapshot()) == count
        assert cache.get_data("/t") is None
    finally:
        _other.close()
    with pytest.raises(ConfigurationError):
        cache.start()
