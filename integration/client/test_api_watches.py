"""Watches of every kind: one-shot data/exists/child, persistent, persistent-recursive, removal.

"Did not fire" is checked with a fence (see ``_client_helpers.fence``): events
arrive in server order on one FIFO watch queue, so once a later fence event
has been delivered, an earlier event that was not seen never will be.
"""

from __future__ import annotations

from typing import Any

import pytest
from _client_helpers import Recorder, fence, watch_recorder

from zkrecipes import EventType, KeeperState, WatchedEvent
from zkrecipes import exceptions as exc


def _watch_api() -> tuple[Any, Any]:
    from zkrecipes import AddWatchMode, WatcherType

    return AddWatchMode, WatcherType


def test_data_watch_fires_once_on_change(zk_client: Any) -> None:
    zk_client.create("/d", b"0")
    events = watch_recorder(zk_client)
    zk_client.get("/d", watch=events)
    zk_client.set("/d", b"1")
    (event,) = events.wait_count(1)
    assert event == WatchedEvent(EventType.CHANGED, KeeperState.CONNECTED, "/d")
    assert isinstance(event.type, EventType)
    zk_client.set("/d", b"2")  # the one-shot watch is spent
    fence(zk_client, zk_client, "/fence")
    assert len(events.items) == 1


def test_data_watch_fires_deleted(zk_client: Any) -> None:
    zk_client.create("/d")
    events = watch_recorder(zk_client)
    zk_client.get("/d", watch=events)
    zk_client.delete("/d")
    assert events.wait_count(1)[0].type == EventType.DELETED


def test_exists_watch_on_missing_node_fires_created(zk_client: Any) -> None:
    events = watch_recorder(zk_client)
    assert zk_client.exists("/later", watch=events) is None
    zk_client.create("/later", b"")
    (event,) = events.wait_count(1)
    assert (event.type, event.path) == (EventType.CREATED, "/later")


def test_exists_watch_on_existing_node_fires_changed_and_deleted(zk_client: Any) -> None:
    zk_client.create("/x")
    events = watch_recorder(zk_client)
    zk_client.exists("/x", watch=events)
    zk_client.set("/x", b"new")
    assert events.wait_count(1)[0].type == EventType.CHANGED
    zk_client.exists("/x", watch=events)
    zk_client.delete("/x")
    assert events.wait_count(2)[1].type == EventType.DELETED


def test_child_watch_fires_on_child_create_and_delete_of_parent(zk_client: Any) -> None:
    zk_client.create("/parent")
    events = watch_recorder(zk_client)
    zk_client.get_children("/parent", watch=events)
    zk_client.create("/parent/kid")
    (event,) = events.wait_count(1)
    assert (event.type, event.path) == (EventType.CHILD, "/parent")
    zk_client.set("/parent", b"data change is not a child event")
    zk_client.get_children("/parent", watch=events)
    zk_client.delete("/parent/kid")
    assert events.wait_count(2)[1].type == EventType.CHILD
    zk_client.get_children("/parent", watch=events)
    zk_client.delete("/parent")
    assert events.wait_count(3)[2] == WatchedEvent(EventType.DELETED, KeeperState.CONNECTED, "/parent")
    fence(zk_client, zk_client, "/fence")
    assert len(events.items) == 3


def test_same_callable_on_one_path_fires_once_per_event(zk_client: Any) -> None:
    zk_client.create("/twice")
    events = watch_recorder(zk_client)
    zk_client.get("/twice", watch=events)
    zk_client.get("/twice", watch=events)
    zk_client.exists("/twice", watch=events)
    zk_client.set("/twice", b"1")
    events.wait_count(1)
    fence(zk_client, zk_client, "/fence")
    assert [e.type for e in events.items] == [EventType.CHANGED]


def test_watch_fires_for_change_by_another_client(zk_client: Any, zk_client_factory: Any) -> None:
    other = zk_client_factory()
    zk_client.create("/shared", b"a")
    events = watch_recorder(zk_client)
    zk_client.get("/shared", watch=events)
    other.set("/shared", b"b")
    assert events.wait_count(1)[0].path == "/shared"


def test_persistent_watch_sees_every_change_and_children(zk_client: Any) -> None:
    add_watch_mode, _ = _watch_api()
    zk_client.create("/pw")
    events = watch_recorder(zk_client)
    zk_client.add_watch("/pw", events, add_watch_mode.PERSISTENT)
    zk_client.set("/pw", b"1")
    zk_client.set("/pw", b"2")
    zk_client.create("/pw/child")
    zk_client.create("/pw/child/grandchild")  # below the direct children: not seen
    zk_client.delete("/pw/child/grandchild")
    zk_client.delete("/pw/child")
    zk_client.delete("/pw")
    zk_client.create("/pw")
    got = events.wait_count(6)
    assert [(e.type, e.path) for e in got[:6]] == [
        (EventType.CHANGED, "/pw"),
        (EventType.CHANGED, "/pw"),
        (EventType.CHILD, "/pw"),
        (EventType.CHILD, "/pw"),
        (EventType.DELETED, "/pw"),
        (EventType.CREATED, "/pw"),
    ]
    fence(zk_client, zk_client, "/fence")
    assert len(events.items) == 6


def test_persistent_recursive_watch_sees_subtree(zk_client: Any) -> None:
    add_watch_mode, _ = _watch_api()
    zk_client.create("/rw")
    events = watch_recorder(zk_client)
    zk_client.add_watch("/rw", events, add_watch_mode.PERSISTENT_RECURSIVE)
    zk_client.create("/rw/a")
    zk_client.create("/rw/a/b", b"x")
    zk_client.set("/rw/a/b", b"y")
    zk_client.delete("/rw/a/b")
    zk_client.set("/rw", b"root")
    got = events.wait_count(5)
    assert [(e.type, e.path) for e in got] == [
        (EventType.CREATED, "/rw/a"),
        (EventType.CREATED, "/rw/a/b"),
        (EventType.CHANGED, "/rw/a/b"),
        (EventType.DELETED, "/rw/a/b"),
        (EventType.CHANGED, "/rw"),
    ]
    zk_client.create("/outside")  # not below /rw
    fence(zk_client, zk_client, "/fence")
    assert len(events.items) == 5  # and no CHILD events for a recursive watch


def test_remove_watches_data(zk_client: Any) -> None:
    _, watcher_type = _watch_api()
    zk_client.create("/rm", b"")
    removed = watch_recorder(zk_client)
    kept = watch_recorder(zk_client)
    zk_client.get("/rm", watch=removed)
    zk_client.get("/rm", watch=kept)
    zk_client.remove_watches("/rm", removed, watcher_type.DATA)
    zk_client.set("/rm", b"1")
    kept.wait_count(1)
    fence(zk_client, zk_client, "/fence")
    assert removed.items == []


def test_remove_watches_children(zk_client: Any) -> None:
    _, watcher_type = _watch_api()
    zk_client.create("/rc")
    removed = watch_recorder(zk_client)
    zk_client.get_children("/rc", watch=removed)
    zk_client.remove_watches("/rc", removed, watcher_type.CHILDREN)
    zk_client.create("/rc/kid")
    fence(zk_client, zk_client, "/fence")
    assert removed.items == []


def test_remove_persistent_watch(zk_client: Any) -> None:
    add_watch_mode, watcher_type = _watch_api()
    zk_client.create("/rp")
    events = watch_recorder(zk_client)
    zk_client.add_watch("/rp", events, add_watch_mode.PERSISTENT_RECURSIVE)
    zk_client.set("/rp", b"1")
    events.wait_count(1)
    zk_client.remove_watches("/rp", events, watcher_type.ANY)
    zk_client.set("/rp", b"2")
    zk_client.create("/rp/c")
    fence(zk_client, zk_client, "/fence")
    assert len(events.items) == 1


def test_remove_all_watches(zk_client: Any) -> None:
    _, watcher_type = _watch_api()
    zk_client.create("/ra")
    a = watch_recorder(zk_client)
    b = watch_recorder(zk_client)
    zk_client.get("/ra", watch=a)
    zk_client.get_children("/ra", watch=b)
    zk_client.remove_all_watches("/ra", watcher_type.ANY)
    zk_client.create("/ra/kid")
    zk_client.set("/ra", b"x")
    fence(zk_client, zk_client, "/fence")
    assert a.items == [] and b.items == []


def test_remove_unknown_watch_raises_no_watcher(zk_client: Any) -> None:
    _, watcher_type = _watch_api()
    zk_client.create("/nw")
    never: Recorder[WatchedEvent] = watch_recorder(zk_client)
    with pytest.raises(exc.NoWatcherError):
        zk_client.remove_watches("/nw", never, watcher_type.DATA)


def test_watch_callback_may_call_client_synchronously(zk_client: Any) -> None:
    zk_client.create("/cb", b"0")
    values: Recorder[bytes] = Recorder(zk_client)

    def on_change(event: WatchedEvent) -> None:
        values(zk_client.get(event.path)[0])

    zk_client.get("/cb", watch=on_change)
    zk_client.set("/cb", b"1")
    assert values.wait_count(1) == [b"1"]


def test_failing_watch_callback_does_not_stop_later_watches(zk_client: Any) -> None:
    zk_client.create("/boom")

    def explode(event: WatchedEvent) -> None:
        raise RuntimeError("callback failure (expected in this test)")

    zk_client.get("/boom", watch=explode)
    zk_client.set("/boom", b"1")
    events = watch_recorder(zk_client)
    zk_client.get("/boom", watch=events)
    zk_client.set("/boom", b"2")
    assert events.wait_count(1)[0].type == EventType.CHANGED
