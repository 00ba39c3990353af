"""DataWatch's run logic against a scripted client: ordering, coalescing, stop, reconnect, memory.

The fake client keeps nodes in a dict and records watch registrations; its
handler is the real threading handler (only its locks and ``spawn`` are used).
Nothing here needs a server.
"""

from __future__ import annotations

import gc
import threading
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from zkrecipes import EventType, KeeperState, WatchedEvent, ZkState, ZnodeStat
from zkrecipes.client.handlers.threading import SequentialThreadingHandler
from zkrecipes.exceptions import ConnectionClosedError, ConnectionLoss, NoNodeError, ZkException
from zkrecipes.recipes.watchers import DataWatch

WAIT = 30.0


def _stat(mzxid: int) -> ZnodeStat:
    return ZnodeStat(1, mzxid, 0, 0, mzxid, 0, 0, 0, 1, 0, 1)


class FakeClient:
    """Just what DataWatch uses: get/exists with a watch, retry, listeners, a handler."""

    def __init__(self) -> None:
        self.handler = SequentialThreadingHandler()
        self.nodes: dict[str, tuple[bytes, int]] = {}
        self.watches: list[tuple[str, object]] = []
        self.listeners: list[Callable[[ZkState], Any]] = []
        self.state = ZkState.CONNECTED
        self.reads = 0
        self.fail_next: list[Exception] = []
        self.before_read: Callable[[], None] | None = None

    def _read(self, path: str, watch: object) -> tuple[bytes, int]:
        self.reads += 1
        if self.before_read is not None:
            self.before_read()
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.watches.append((path, watch))
        if path not in self.nodes:
            raise NoNodeError(path)
        return self.nodes[path]

    def get(self, path: str, watch: object = None) -> tuple[bytes, ZnodeStat]:
        data, mzxid = self._read(path, watch)
        return data, _stat(mzxid)

    def exists(self, path: str, watch: object = None) -> ZnodeStat | None:
        try:
            return _stat(self._read(path, watch)[1])
        except NoNodeError:
            return None

    def retry(self, func: Callable[..., Any], *args: Any) -> Any:
        return func(*args)

    def add_listener(self, listener: Callable[[ZkState], Any]) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: Callable[[ZkState], Any]) -> None:
        self.listeners.remove(listener)

    def change(self, path: str, data: bytes) -> WatchedEvent:
        """Write ``data`` (a new mzxid) and return the event the server would send."""
        old = self.nodes.get(path)
        self.nodes[path] = (data, (old[1] if old else 0) + 1)
        return WatchedEvent(EventType.CHANGED if old else EventType.CREATED, KeeperState.CONNECTED, path)

    def fire_state(self, state: ZkState) -> None:
        for listener in list(self.listeners):
            listener(state)


def _watch(client: FakeClient, path: str, func: Callable[..., Any]) -> DataWatch:
    return DataWatch(client, path, func)  # type: ignore[arg-type]


def test_first_call_in_the_constructor_then_one_call_per_new_state() -> None:
    client = FakeClient()
    client.nodes["/n"] = (b"a", 1)
    seen: list[tuple[bytes | None, Any]] = []
    watch = _watch(client, "/n", lambda data, stat, event: seen.append((data, event)))
    assert seen == [(b"a", None)]
    assert client.watches == [("/n", watch)]  # the DataWatch is its own (stable) watcher
    event = client.change("/n", b"b")
    watch(event)
    assert seen[-1] == (b"b", event)
    watch(WatchedEvent(EventType.CHANGED, KeeperState.CONNECTED, "/n"))  # nothing new to read
    assert len(seen) == 2, "the same state (mzxid) was delivered twice"
    watch(WatchedEvent(EventType.NONE, KeeperState.CONNECTED, "/n"))  # session events are ignored
    assert client.reads == 3


def test_absent_node_gives_none_and_is_watched_for_creation() -> None:
    client = FakeClient()
    seen: list[tuple[bytes | None, ZnodeStat | None]] = []
    watch = _watch(client, "/n", lambda data, stat: seen.append((data, stat)))
    assert seen == [(None, None)]
    watch(client.change("/n", b"x"))
    assert seen[-1][0] == b"x" and seen[-1][1] is not None
    del client.nodes["/n"]
    watch(WatchedEvent(EventType.DELETED, KeeperState.CONNECTED, "/n"))
    assert seen[-1] == (None, None)
    assert len(seen) == 3


def test_changes_during_a_call_are_coalesced_and_run_after_it() -> None:
    client = FakeClient()
    client.nodes["/n"] = (b"v0", 1)
    seen: list[bytes | None] = []
    running = [0]
    overlap = [False]
    entered, proceed = threading.Event(), threading.Event()

    def func(data: bytes | None, stat: Any) -> None:
        running[0] += 1
        overlap[0] = overlap[0] or running[0] > 1
        seen.append(data)
        if data == b"v1":
            entered.set()
            assert proceed.wait(WAIT)
        running[0] -= 1

    watch = _watch(client, "/n", func)
    worker = threading.Thread(target=watch, args=(client.change("/n", b"v1"),))
    worker.start()
    assert entered.wait(WAIT)
    for value in (b"v2", b"v3", b"v4"):  # arrive while the v1 call runs: queued, not run
        watch(client.change("/n", value))
    assert seen == [b"v0", b"v1"]
    proceed.set()
    worker.join(WAIT)
    assert not worker.is_alive()
    assert seen == [b"v0", b"v1", b"v4"]  # the running thread re-read once, the latest state
    assert not overlap[0]
    assert client.watches[-1] == ("/n", watch)  # still registered after the coalesced run


def test_returning_false_stops_and_stopped_watches_are_forgotten() -> None:
    client = FakeClient()
    watches = []
    for index in range(40):
        client.nodes[f"/n{index}"] = (b"x", 1)
        watches.append(_watch(client, f"/n{index}", lambda data, stat: False))
    reads = client.reads
    for index, watch in enumerate(watches):
        watch(client.change(f"/n{index}", b"y"))
    assert client.reads == reads  # stopped: no read, no call
    hub = watches[0]._hub
    assert len(hub.watches) < 40  # compacted once the stopped ones were half the list
    assert len(client.listeners) == 1


def test_one_state_listener_per_client_and_no_instance_dict() -> None:
    client = FakeClient()
    watches = [_watch(client, f"/w{i}", lambda data, stat: None) for i in range(50)]
    assert len(client.listeners) == 1
    assert not hasattr(watches[0], "__dict__")
    other = FakeClient()
    elsewhere = _watch(other, "/w", lambda data, stat: None)
    assert len(other.listeners) == 1
    assert watches[0]._hub is watches[-1]._hub and elsewhere._hub is not watches[0]._hub


def test_an_error_in_the_function_does_not_lose_a_pending_reread() -> None:
    client = FakeClient()
    client.nodes["/n"] = (b"ok", 1)
    seen: list[bytes | None] = []

    def func(data: bytes | None, stat: Any) -> None:
        seen.append(data)
        if data == b"boom":
            watch(client.change("/n", b"after"))  # a change arrives while this call runs
            raise RuntimeError("user error")

    watch = _watch(client, "/n", func)
    with pytest.raises(RuntimeError):
        watch(client.change("/n", b"boom"))
    assert seen == [b"ok", b"boom", b"after"]


def test_reconnect_rereads_live_watches_and_calls_only_on_change() -> None:
    client = FakeClient()
    client.nodes["/a"] = (b"a0", 1)
    client.nodes["/b"] = (b"b0", 1)
    seen: list[bytes | None] = []
    _watch(client, "/a", lambda data, stat: seen.append(data))
    _watch(client, "/b", lambda data, stat: seen.append(data))
    client.change("/b", b"b1")  # changed while disconnected, notification lost
    done = threading.Event()

    def spawn(func: Callable[..., Any], *args: Any, **kwargs: Any) -> threading.Thread:
        def run() -> None:
            func(*args, **kwargs)
            done.set()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    client.handler.spawn = spawn  # type: ignore[method-assign]
    client.fire_state(ZkState.SUSPENDED)
    client.fire_state(ZkState.CONNECTED)
    assert done.wait(WAIT)
    assert seen == [b"a0", b"b0", b"b1"]
    done.clear()
    client.fire_state(ZkState.CONNECTED)  # no disconnection before: no re-read
    assert not done.wait(0.2)


def test_retryable_read_error_is_retried_and_closed_client_ends_silently() -> None:
    client = FakeClient()
    client.nodes["/n"] = (b"x", 1)
    client.fail_next = [ConnectionLoss()]
    seen: list[bytes | None] = []
    _watch(client, "/n", lambda data, stat: seen.append(data))
    assert seen == [b"x"]
    assert client.reads == 2  # the failed try, then the retry
    watch = _watch(client, "/n", lambda data, stat: seen.append(data))
    client.fail_next = [ConnectionClosedError()]
    watch(client.change("/n", b"y"))  # the client was closed: no call, no error
    assert seen == [b"x", b"x"]


def test_second_function_refused() -> None:
    client = FakeClient()
    watch = _watch(client, "/n", lambda data, stat: None)
    with pytest.raises(ZkException):
        watch(lambda data, stat: None)


def test_memory_per_datawatch_stays_small() -> None:
    """The recipe's own share of a DataWatch (object, state, hub slot): well under kazoo's ~1 KB."""
    client = FakeClient()
    client.nodes.update({f"/m{i:05d}": (b"v", 2**40 + i) for i in range(3000)})
    paths = list(client.nodes)
    func = lambda data, stat: None  # noqa: E731
    _watch(client, "/warm", func)
    client.watches = []
    client.get = lambda path, watch=None: (b"v", _stat(2**40))  # type: ignore[method-assign]
    kept: list[DataWatch | None] = [None] * len(paths)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index, path in enumerate(paths):
            kept[index] = _watch(client, path, func)
        gc.collect()
        per_watch = (tracemalloc.get_traced_memory()[0] - before) / len(paths)
    finally:
        tracemalloc.stop()
    print(f"{per_watch:.1f} B per DataWatch")
    assert per_watch < 160, per_watch
