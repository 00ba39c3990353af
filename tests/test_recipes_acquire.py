"""The shared acquire loop driven by an in-memory client: no server, every wait bounded.

``MemoryZk`` implements just the part of the public client API the lock-like
recipes use (sequential ephemeral creates, listings, one-shot watches, deletes),
synchronously, so the loop's request pattern and its clean-up are checked in
milliseconds. The real-server behaviour is covered by integration/recipes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from zkrecipes import EventType, KeeperState, WatchedEvent, ZkState, ZnodeStat
from zkrecipes.client.handlers.threading import SequentialThreadingHandler
from zkrecipes.exceptions import CancelledError, LockTimeout, NodeExistsError, NoNodeError
from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock

WAIT = 30.0
SESSION = 0x5E55


class MemoryZk:
    """A single-session ZooKeeper in a dict, with the client API the lock recipes call."""

    def __init__(self) -> None:
        self.handler = SequentialThreadingHandler()
        self.state = ZkState.CONNECTED
        self._zxid = 0
        self.nodes: dict[str, tuple[bytes, ZnodeStat]] = {"/": (b"", self._stat(0))}
        self.watches: dict[str, list[Callable[[WatchedEvent], object]]] = {}
        self.listeners: list[Callable[[ZkState], Any]] = []
        self.calls: list[str] = []
        self._counters: dict[str, int] = {}
        self._mutex = threading.RLock()

    # -------------------------------------------------------------- session

    @property
    def connected(self) -> bool:
        return self.state == ZkState.CONNECTED

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        return (SESSION, b"pw")

    def add_listener(self, listener: Callable[[ZkState], Any]) -> None:
        self.listeners.append(listener)

    def remove_listener(self, listener: Callable[[ZkState], Any]) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def fire(self, state: ZkState) -> None:
        self.state = state
        for listener in list(self.listeners):
            if listener(state) is True:
                self.remove_listener(listener)

    def retry(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    # -------------------------------------------------------------- the tree

    def _stat(self, owner: int) -> ZnodeStat:
        return ZnodeStat(self._zxid, self._zxid, 0, 0, 0, 0, 0, owner, 0, 0, self._zxid)

    def _done(self, value: object = None, error: BaseException | None = None) -> Any:
        result = self.handler.async_result()
        if error is not None:
            result.set_exception(error)
        else:
            result.set(value)
        return result

    def _children(self, path: str) -> list[str]:
        prefix = path.rstrip("/") + "/"
        return [p[len(prefix):] for p in self.nodes if p.startswith(prefix) and "/" not in p[len(prefix):]]

    def _create(self, path: str, data: bytes, ephemeral: bool, sequence: bool) -> tuple[str, ZnodeStat]:
        with self._mutex:
            parent = path.rsplit("/", 1)[0] or "/"
            if parent not in self.nodes:
                raise NoNodeError(parent)
            if sequence:
                number = self._counters.get(parent, 0)
                self._counters[parent] = number + 1
                path = f"{path}{number:010d}"
            if path in self.nodes:
                raise NodeExistsError(path)
            self._zxid += 1
            stat = self._stat(SESSION if ephemeral else 0)
            self.nodes[path] = (data, stat)
            return path, stat

    def ensure_path_async(self, path: str, acl: object = None) -> Any:
        self.calls.append("ensure_path_async")
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            sub = "/" + "/".join(parts[:depth])
            if sub not in self.nodes:
                self._create(sub, b"", False, False)
        return self._done(True)

    def create_async(self, path: str, value: bytes = b"", acl: object = None, ephemeral: bool = False,
                     sequence: bool = False, makepath: bool = False, include_data: bool = False) -> Any:
        self.calls.append("create_async")
        try:
            created, stat = self._create(path, value, ephemeral, sequence)
        except Exception as error:
            return self._done(error=error)
        return self._done((created, stat) if include_data else created)

    def get_children_async(self, path: str, watch: object = None, include_data: bool = False) -> Any:
        self.calls.append("get_children_async")
        with self._mutex:
            return self._done(self._children(path))

    def get_children(self, path: str, watch: object = None) -> list[str]:
        self.calls.append("get_children")
        with self._mutex:
            return self._children(path)

    def get_async(self, path: str, watch: Callable[[WatchedEvent], object] | None = None) -> Any:
        self.calls.append("get_async")
        with self._mutex:
            if path not in self.nodes:
                return self._done(error=NoNodeError(path))
            if watch is not None:
                self.watches.setdefault(path, []).append(watch)
            return self._done(self.nodes[path])

    def exists_async(self, path: str, watch: object = None) -> Any:
        self.calls.append("exists_async")
        with self._mutex:
            entry = self.nodes.get(path)
            return self._done(None if entry is None else entry[1])

    def delete(self, path: str, version: int = -1, recursive: bool = False) -> bool:
        self.calls.append("delete")
        with self._mutex:
            if path not in self.nodes:
                raise NoNodeError(path)
            del self.nodes[path]
            fired = self.watches.pop(path, [])
        for watch in fired:  # the real client runs these on its watch queue
            watch(WatchedEvent(EventType.DELETED, KeeperState.CONNECTED, path))
        return True

    def contenders(self, path: str) -> list[str]:
        with self._mutex:
            return sorted(self._children(path), key=lambda name: name[-10:])


def _in_background(func: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(func())
        except BaseException as error:  # reported to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _wait_for(predicate: Callable[[], bool]) -> None:
    done = threading.Event()
    for _ in range(int(WAIT / 0.01)):
        if predicate():
            return
        done.wait(0.01)
    raise AssertionError("condition not reached in time")


def test_uncontended_acquire_is_one_create_and_one_listing() -> None:
    zk = MemoryZk()
    lock = Lock(zk, "/l", "me")  # type: ignore[arg-type]
    assert lock.acquire(timeout=WAIT)
    assert zk.calls == ["ensure_path_async", "create_async", "get_children_async"]
    assert lock.node is not None and lock.node.startswith("_c_") and "__lock__" in lock.node
    assert lock.fencing_token == zk.nodes[f"/l/{lock.node}"][1].czxid
    zk.calls.clear()
    assert lock.release() is True
    assert zk.calls == ["delete"] and zk.contenders("/l") == []


def test_waiter_takes_over_from_the_sole_predecessor_without_listing_again() -> None:
    zk = MemoryZk()
    holder, waiter = Lock(zk, "/l"), Lock(zk, "/l")  # type: ignore[arg-type]
    assert holder.acquire(timeout=WAIT)
    thread, outcome = _in_background(lambda: waiter.acquire(timeout=WAIT))
    _wait_for(lambda: bool(zk.watches))
    zk.calls.clear()
    holder.release()
    thread.join(WAIT)
    assert outcome == [True] and waiter.is_acquired
    assert zk.calls == ["delete"]  # the deletion alone handed the lock over
    waiter.release()


def test_readers_share_and_a_writer_waits_for_them() -> None:
    zk = MemoryZk()
    readers = [ReadLock(zk, "/rw", "r1"), ReadLock(zk, "/rw", "r2")]  # type: ignore[arg-type]
    assert all(r.acquire(timeout=WAIT) for r in readers)
    writer = WriteLock(zk, "/rw")  # type: ignore[arg-type]
    assert writer.acquire(blocking=False) is False
    assert len(zk.contenders("/rw")) == 2  # the refused writer left no node behind
    for r in readers:
        r.release()
    assert writer.acquire(timeout=WAIT)
    writer.release()


def test_timeout_and_cancel_delete_the_contender_node() -> None:
    zk = MemoryZk()
    holder = Lock(zk, "/l")  # type: ignore[arg-type]
    assert holder.acquire(timeout=WAIT)
    with pytest.raises(LockTimeout):
        Lock(zk, "/l").acquire(timeout=0.05)  # type: ignore[arg-type]
    _wait_for(lambda: len(zk.contenders("/l")) == 1)
    waiter = Lock(zk, "/l")  # type: ignore[arg-type]
    thread, outcome = _in_background(lambda: waiter.acquire(timeout=WAIT))
    _wait_for(lambda: len(zk.contenders("/l")) == 2 and bool(zk.watches))
    waiter.cancel()
    thread.join(WAIT)
    assert len(outcome) == 1 and isinstance(outcome[0], CancelledError)
    _wait_for(lambda: len(zk.contenders("/l")) == 1)
    assert holder.is_acquired and not waiter.cancelled
    holder.release()


def test_lost_while_held_releases_locally_and_calls_on_lost() -> None:
    zk = MemoryZk()
    lost: list[Lock] = []
    lock = Lock(zk, "/l", on_lost=lost.append)  # type: ignore[arg-type]
    assert lock.acquire(timeout=WAIT)
    zk.fire(ZkState.SUSPENDED)
    assert lock.is_suspended and lock.is_acquired
    zk.fire(ZkState.LOST)
    assert lost == [lock] and not lock.is_acquired and lock.fencing_token is None
    assert not lock.is_suspended
