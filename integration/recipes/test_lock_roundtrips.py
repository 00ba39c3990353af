"""What the Lock sends, and the hand-off shortcuts that keep exclusion: against a real ZooKeeper.

A :class:`CountingClient` forwards to a real client and records each request
method the recipe calls, so the tests state the exact round trips of an
acquisition and a release.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _helpers import WAIT, background, contender_nodes, wait_until

from zkrecipes.exceptions import CancelledError
from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock

_REQUESTS = frozenset({
    "create", "create_async", "get", "get_async", "exists", "exists_async", "get_children",
    "get_children_async", "delete", "delete_async", "ensure_path", "ensure_path_async",
    "sync", "sync_async", "set", "set_async", "transaction",
})


class CountingClient:
    """A real client whose request methods are recorded as ``(name, path)`` in ``calls``."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, str]] = []
        self._lock = client.handler.lock_object()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name not in _REQUESTS:
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls.append((name, str(args[0]) if args else ""))
            return attr(*args, **kwargs)

        return counted

    def names(self) -> list[str]:
        with self._lock:
            return [name for name, _ in self.calls]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()


def _count(client: CountingClient, name: str) -> Callable[[], int]:
    return lambda: client.names().count(name)


def test_uncontended_cycle_is_one_pipelined_create_and_list_then_one_delete(zk_client: Any) -> None:
    counting = CountingClient(zk_client)
    lock = Lock(counting, "/rt", "me")  # type: ignore[arg-type]
    assert lock.acquire(timeout=WAIT)
    lock.release()
    counting.clear()

    assert lock.acquire(timeout=WAIT)
    # the create returns the Stat (fencing token); the listing is sent behind it, unwaited
    assert counting.names() == ["create_async", "get_children_async"]
    node = f"/rt/{lock.node}"
    assert lock.fencing_token == zk_client.exists(node).czxid
    counting.clear()
    assert lock.release() is True
    assert counting.names() == ["delete"]
    assert zk_client.exists(node) is None


def test_waiter_behind_the_holder_takes_over_without_listing_again(zk_client_factory: Any) -> None:
    holder_client = zk_client_factory()
    waiter_client = CountingClient(zk_client_factory())
    holder = Lock(holder_client, "/ho")
    waiter = Lock(waiter_client, "/ho")  # type: ignore[arg-type]
    assert holder.acquire(timeout=WAIT)
    pending = background(holder_client, lambda: waiter.acquire(timeout=WAIT))
    wait_until(holder_client, lambda: _count(waiter_client, "get_async")() == 1, message="watch set")
    holder_node = holder.node
    holder.release()
    assert pending.get(timeout=WAIT) is True
    names = waiter_client.names()
    assert names.count("get_children_async") == 1, names  # the deletion alone handed it over
    watched = [path for name, path in waiter_client.calls if name == "get_async"]
    assert watched == [f"/ho/{holder_node}"]  # only the predecessor was watched
    assert waiter.fencing_token is not None
    waiter.release()


def test_deleted_predecessor_that_was_not_the_holder_does_not_hand_over(zk_client_factory: Any) -> None:
    """A waiter whose predecessor gives up must look again: the holder ahead of both still holds."""
    a, b = zk_client_factory(), zk_client_factory()
    c = CountingClient(zk_client_factory())
    holder, middle, last = Lock(a, "/nh", "a"), Lock(b, "/nh", "b"), Lock(c, "/nh", "c")  # type: ignore[arg-type]
    assert holder.acquire(timeout=WAIT)
    middle_try = background(b, lambda: middle.acquire(timeout=WAIT))
    wait_until(a, lambda: len(contender_nodes(a, "/nh")) == 2, message="b queued")
    last_try = background(a, lambda: last.acquire(timeout=WAIT))
    wait_until(a, lambda: _count(c, "get_async")() == 1, message="c watching b")
    middle.cancel()
    with pytest.raises(CancelledError):
        middle_try.get(timeout=WAIT)
    # c lists again and now watches the holder instead
    wait_until(a, lambda: _count(c, "get_async")() == 2, message="c watching a")
    assert [path for name, path in c.calls if name == "get_async"][1].endswith(holder.node or "?")
    assert holder.is_acquired and not last.is_acquired and not last_try.ready()
    assert len(contender_nodes(a, "/nh")) == 2
    holder.release()
    assert last_try.get(timeout=WAIT) is True
    last.release()
    assert contender_nodes(a, "/nh") == []


def test_readers_behind_one_writer_take_over_when_it_leaves(zk_client_factory: Any) -> None:
    a, b, c = zk_client_factory(), zk_client_factory(), zk_client_factory()
    writer = WriteLock(a, "/rw")
    assert writer.acquire(timeout=WAIT)
    readers = [ReadLock(b, "/rw", "r1"), ReadLock(c, "/rw", "r2")]
    tries = [background(r.client, lambda r=r: r.acquire(timeout=WAIT)) for r in readers]  # type: ignore[misc]
    wait_until(a, lambda: len(contender_nodes(a, "/rw")) == 3, message="readers queued")
    assert not any(t.ready() for t in tries)
    writer.release()
    assert [t.get(timeout=WAIT) for t in tries] == [True, True]
    assert all(r.is_acquired for r in readers)
    late_writer = WriteLock(a, "/rw")
    assert late_writer.acquire(blocking=False) is False  # readers hold it
    for r in readers:
        r.release()
    assert late_writer.acquire(timeout=WAIT)
    late_writer.release()


def test_contended_cycles_keep_exclusion_and_increasing_tokens(zk_client_factory: Any) -> None:
    clients = [zk_client_factory() for _ in range(4)]
    guard = clients[0].handler.lock_object()
    holders = [0]
    tokens: list[int] = []
    overlaps: list[int] = []

    def cycle(client: Any, rounds: int = 15) -> int:
        lock = Lock(client, "/cc")
        for _ in range(rounds):
            assert lock.acquire(timeout=WAIT)
            with guard:
                holders[0] += 1
                if holders[0] != 1:
                    overlaps.append(holders[0])
                assert lock.fencing_token is not None
                tokens.append(lock.fencing_token)
            with guard:
                holders[0] -= 1
            lock.release()
        return rounds

    runs = [background(client, lambda client=client: cycle(client)) for client in clients]  # type: ignore[misc]
    assert [run.get(timeout=WAIT * 2) for run in runs] == [15] * 4
    assert overlaps == []
    assert len(tokens) == 60
    assert tokens == sorted(tokens) and len(set(tokens)) == 60  # strictly increasing in holding order
    assert contender_nodes(clients[0], "/cc") == []
