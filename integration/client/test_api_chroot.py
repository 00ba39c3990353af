"""A chroot in the hosts string: every path the client shows is relative to it."""

from __future__ import annotations

import re
from typing import Any

from _client_helpers import watch_recorder

from zkrecipes import EventType


def test_paths_are_relative_to_chroot(zk_client: Any, zk_client_factory: Any, zk_chroot: str) -> None:
    root = zk_client_factory(chroot=False)
    assert zk_client.create("/a", b"in-chroot") == "/a"
    assert root.get(f"{zk_chroot}/a")[0] == b"in-chroot"
    assert zk_client.get_children("/") == ["a"]
    assert zk_client.exists("/") is not None
    assert sorted(root.get_children(zk_chroot)) == ["a"]
    assert zk_client.sync("/a") == "/a"


def test_sequential_and_include_data_names_without_chroot(zk_client: Any, zk_client_factory: Any,
                                                           zk_chroot: str) -> None:
    seq = zk_client.create("/s-", b"", sequence=True)
    assert re.fullmatch(r"/s-\d{10}", seq), seq
    path, _ = zk_client.create("/incl", b"", include_data=True)
    assert path == "/incl"
    deep = zk_client.create("/x/y/z-", b"", makepath=True, sequence=True)
    assert re.fullmatch(r"/x/y/z-\d{10}", deep), deep
    root = zk_client_factory(chroot=False)
    assert root.exists(zk_chroot + seq) is not None


def test_transaction_results_without_chroot(zk_client: Any) -> None:
    tx = zk_client.transaction()
    tx.create("/t1", b"")
    tx.create("/t-", b"", sequence=True)
    first, second = tx.commit()
    assert first == "/t1"
    assert re.fullmatch(r"/t-\d{10}", second), second


def test_watch_event_paths_without_chroot(zk_client: Any, zk_client_factory: Any, zk_chroot: str) -> None:
    root = zk_client_factory(chroot=False)
    zk_client.create("/w", b"")
    data_events = watch_recorder(zk_client)
    child_events = watch_recorder(zk_client)
    zk_client.get("/w", watch=data_events)
    zk_client.get_children("/", watch=child_events)
    root.set(f"{zk_chroot}/w", b"changed from outside")
    root.create(f"{zk_chroot}/new", b"")
    assert data_events.wait_count(1)[0].path == "/w"
    assert (child_events.wait_count(1)[0].type, child_events.items[0].path) == (EventType.CHILD, "/")


def test_persistent_recursive_watch_paths_without_chroot(zk_client: Any) -> None:
    from zkrecipes import AddWatchMode

    zk_client.create("/tree")
    events = watch_recorder(zk_client)
    zk_client.add_watch("/tree", events, AddWatchMode.PERSISTENT_RECURSIVE)
    zk_client.create("/tree/leaf", b"")
    zk_client.set("/tree/leaf", b"1")
    got = events.wait_count(2)
    assert [(e.type, e.path) for e in got] == [(EventType.CREATED, "/tree/leaf"),
                                               (EventType.CHANGED, "/tree/leaf")]


def test_get_ephemerals_relative_to_chroot(zk_client: Any, zk_client_factory: Any) -> None:
    other = zk_client_factory()
    zk_client.create("/app/e1", b"", ephemeral=True, makepath=True)
    zk_client.create("/app/sub/e2", b"", ephemeral=True, makepath=True)
    zk_client.create("/other-e", b"", ephemeral=True)
    other.create("/app/not-mine", b"", ephemeral=True)
    assert sorted(zk_client.get_ephemerals("/app")) == ["/app/e1", "/app/sub/e2"]
    assert sorted(zk_client.get_ephemerals()) == ["/app/e1", "/app/sub/e2", "/other-e"]
    assert sorted(zk_client.get_ephemerals_async("/").get(timeout=30)) == [
        "/app/e1", "/app/sub/e2", "/other-e"]
    assert zk_client.get_ephemerals("/nothing-here") == []
