"""DataWatch, ChildrenWatch and PatientChildrenWatch against a real ZooKeeper."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from _helpers import WAIT, Recorder, StateRecorder, expire_session

from zkrecipes import EventType, ZkState
from zkrecipes.exceptions import InvalidArgumentError, NoNodeError, ZkException
from zkrecipes.recipes.watchers import ChildrenWatch, DataWatch, PatientChildrenWatch


def _data_of(items: list[Any]) -> list[Any]:
    return [d for d, _ in items]


def _last_data_is(want: bytes, items: list[Any]) -> bool:
    return bool(_data_of(items)[-1] == want)


def _last_children_are(want: list[str], items: list[Any]) -> bool:
    return bool(items[-1][0] == want)


def test_datawatch_sees_every_change_in_order(zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    seen: Recorder[tuple[bytes | None, Any]] = Recorder(watcher)
    DataWatch(watcher, "/node", lambda data, stat: seen.add((data, stat)))
    seen.wait_for(lambda s: s == [(None, None)], message="the first call for a missing node")

    writer.create("/node", b"v0")
    seen.wait_for(lambda s: _data_of(s)[-1] == b"v0")
    for i in range(1, 8):
        writer.set("/node", f"v{i}".encode())
        seen.wait_for(partial(_last_data_is, f"v{i}".encode()), message=f"v{i}")
    writer.delete("/node")
    items = seen.wait_for(lambda s: s[-1] == (None, None), message="the deletion")
    assert _data_of(items) == [None] + [f"v{i}".encode() for i in range(8)] + [None]
    versions = [stat.version for _, stat in items[1:-1]]
    assert versions == list(range(8))


def test_datawatch_decorator_event_and_stop(zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    writer.create("/n", b"0")
    seen: Recorder[tuple[bytes, Any]] = Recorder(watcher)

    @DataWatch(watcher, "/n")
    def on_change(data: bytes, stat: Any, event: Any) -> bool:
        seen.add((data, event))
        return data != b"stop"

    items = seen.wait_for(lambda s: len(s) == 1)
    assert items[0] == (b"0", None)  # the first call has no event
    writer.set("/n", b"stop")
    items = seen.wait_for(lambda s: len(s) == 2)
    assert items[1][0] == b"stop" and items[1][1].type == EventType.CHANGED
    writer.set("/n", b"after")
    # A fence: a second watch registered after the stop sees "after"; the stopped one must not.
    fence: Recorder[bytes] = Recorder(watcher)
    DataWatch(watcher, "/n", lambda data, stat: fence.add(data))
    fence.wait_for(lambda s: s[-1:] == [b"after"])
    writer.set("/n", b"later")
    fence.wait_for(lambda s: s[-1:] == [b"later"])
    assert len(seen.snapshot()) == 2
    with pytest.raises(ZkException):
        on_change_watch = DataWatch(watcher, "/n", lambda d, s: None)
        on_change_watch(lambda d, s: None)  # a second function on the same watch


def test_datawatch_after_session_expiry(zk_hosts: str, zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    writer.create("/n", b"before")
    seen: Recorder[bytes | None] = Recorder(watcher)
    DataWatch(watcher, "/n", lambda data, stat: seen.add(data))
    seen.wait_for(lambda s: s == [b"before"])
    expire_session(zk_hosts, watcher)
    writer.set("/n", b"after")
    seen.wait_for(lambda s: s[-1] == b"after", message="a change after the new session")


def _record_data(recorder: Recorder[Any], data: bytes | None, stat: Any) -> None:
    recorder.add(data)


def test_every_datawatch_of_a_client_recovers_after_session_expiry(
        zk_hosts: str, zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    names = ["/m0", "/m1", "/m2"]
    seen = {name: Recorder[Any](watcher) for name in names}
    for name in names:
        writer.create(name, b"before")
        DataWatch(watcher, name, partial(_record_data, seen[name]))
    assert len(watcher.state_listeners) == 1  # one shared listener, not one per watch
    expire_session(zk_hosts, watcher)
    for name in names:
        writer.set(name, b"after")
    for name in names:
        seen[name].wait_for(lambda s: s[-1:] == [b"after"], message=f"{name} after expiry")


def test_datawatch_sees_a_change_made_while_disconnected(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    watcher = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    writer = zk_client_factory()
    writer.create("/d", b"v0")
    seen: Recorder[Any] = Recorder(watcher)
    DataWatch(watcher, "/d", lambda data, stat: seen.add(data))
    seen.wait_for(lambda s: s == [b"v0"])
    states = StateRecorder(watcher)
    fault_proxy.drop()
    states.wait_for(lambda s: ZkState.SUSPENDED in s, message="SUSPENDED")
    writer.set("/d", b"v1")
    fault_proxy.resume()
    items = seen.wait_for(lambda s: s[-1:] == [b"v1"], message="the change made while disconnected")
    assert items == [b"v0", b"v1"]  # delivered once, though both the restored watch and the re-read see it
    assert ZkState.LOST not in states.snapshot()


def test_datawatch_function_may_write_its_own_node(zk_client: Any) -> None:
    zk_client.create("/own", b"0")
    seen: Recorder[Any] = Recorder(zk_client)

    def bump(data: bytes | None, stat: Any) -> None:
        seen.add(data)
        if data is not None and int(data) < 3:
            zk_client.set("/own", str(int(data) + 1).encode())

    DataWatch(zk_client, "/own", bump)  # the first call (in this thread) already writes
    items = seen.wait_for(lambda s: s[-1:] == [b"3"], message="the chain of own writes")
    assert items == [b"0", b"1", b"2", b"3"]


def test_childrenwatch_in_order_and_stops_on_delete(zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    writer.create("/parent")
    seen: Recorder[tuple[list[str], Any]] = Recorder(watcher)
    ChildrenWatch(watcher, "/parent", lambda children, event: seen.add((sorted(children), event)),
                  send_event=True)
    seen.wait_for(lambda s: s == [([], None)])
    expected: list[str] = []
    for name in ["c1", "c2", "c3"]:
        writer.create(f"/parent/{name}")
        expected.append(name)
        items = seen.wait_for(partial(_last_children_are, list(expected)), message=str(expected))
        assert items[-1][1].type == EventType.CHILD
    writer.delete("/parent/c2")
    seen.wait_for(lambda s: s[-1][0] == ["c1", "c3"])
    lists = [c for c, _ in seen.snapshot()]
    assert lists == [[], ["c1"], ["c1", "c2"], ["c1", "c2", "c3"], ["c1", "c3"]]
    writer.delete("/parent/c1")
    writer.delete("/parent/c3")
    seen.wait_for(lambda s: s[-1][0] == [])
    writer.delete("/parent")
    # Fence: the watch queue is FIFO, so once this event arrives the watch has
    # handled the deletion (and found the node gone).
    fence_event: Recorder[Any] = Recorder(watcher)
    watcher.exists("/fence", watch=fence_event.add)
    writer.create("/fence")
    fence_event.wait_for(lambda s: len(s) == 1)
    count = len(seen.snapshot())
    writer.create("/parent")
    writer.create("/parent/new")
    fence: Recorder[list[str]] = Recorder(watcher)
    ChildrenWatch(watcher, "/parent", fence.add)
    fence.wait_for(lambda s: s == [["new"]])
    assert len(seen.snapshot()) == count  # stopped when the node was deleted


def test_childrenwatch_returning_false_stops(zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    writer.create("/p")
    seen: Recorder[list[str]] = Recorder(watcher)

    @ChildrenWatch(watcher, "/p")
    def on_children(children: list[str]) -> bool:
        seen.add(sorted(children))
        return len(children) < 1

    seen.wait_for(lambda s: s == [[]])
    writer.create("/p/a")
    seen.wait_for(lambda s: s == [[], ["a"]])
    writer.create("/p/b")
    fence: Recorder[list[str]] = Recorder(watcher)
    ChildrenWatch(watcher, "/p", lambda c: fence.add(sorted(c)))
    fence.wait_for(lambda s: s == [["a", "b"]])
    writer.create("/p/c")
    fence.wait_for(lambda s: s[-1] == ["a", "b", "c"])
    assert seen.snapshot() == [[], ["a"]]


def test_childrenwatch_after_session_expiry(zk_hosts: str, zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    writer.create("/p")
    seen: Recorder[list[str]] = Recorder(watcher)
    ChildrenWatch(watcher, "/p", lambda c: seen.add(sorted(c)))
    seen.wait_for(lambda s: s == [[]])
    expire_session(zk_hosts, watcher)
    writer.create("/p/x")
    seen.wait_for(lambda s: s[-1] == ["x"], message="a child added after the new session")


def test_patient_children_watch_settles(zk_client_factory: Any) -> None:
    watcher, writer = zk_client_factory(), zk_client_factory()
    for name in ("a", "b", "c"):
        writer.create(f"/pc/{name}", makepath=True)
    result = PatientChildrenWatch(watcher, "/pc", time_boundary=0.5).start()
    writer.create("/pc/d")  # during settling (or just after: then `changed` fires)
    children, changed = result.get(timeout=WAIT)
    assert set(children) >= {"a", "b", "c"}
    if "d" in children:
        assert set(children) == set(writer.get_children("/pc"))
    else:
        assert changed.wait(WAIT)
    writer.create("/pc/e")
    assert changed.wait(WAIT)  # a change after settling is reported


def test_patient_children_watch_errors(zk_client: Any) -> None:
    result = PatientChildrenWatch(zk_client, "/missing", time_boundary=0.1).start()
    with pytest.raises(NoNodeError):
        result.get(timeout=WAIT)
    with pytest.raises(InvalidArgumentError):
        PatientChildrenWatch(zk_client, "/x", time_boundary=-1)
