"""Lock, fencing and failure semantics against a real ZooKeeper."""

from __future__ import annotations

from typing import Any

import pytest
from _helpers import (
    WAIT,
    Recorder,
    background,
    contender_nodes,
    expire_session,
    wait_until,
)

from zkrecipes.exceptions import (
    CancelledError,
    InvalidArgumentError,
    InvalidPathError,
    InvalidTypeError,
    LockLostError,
    LockNotHeldError,
    LockTimeout,
    NoNodeError,
)
from zkrecipes.recipes.lock import Lock


def test_exclusion_nonblocking_timeout_and_context_manager(zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    lock_a, lock_b = Lock(a, "/lk", "alice"), Lock(b, "/lk", "bob")
    with lock_a as held:
        assert held is lock_a and lock_a.is_acquired
        assert lock_b.acquire(blocking=False) is False
        with pytest.raises(LockTimeout):
            lock_b.acquire(timeout=0.3)
        assert not lock_b.is_acquired
        # the failed attempts left no contender node behind
        assert len(contender_nodes(a, "/lk")) == 1
        assert lock_b.contenders() == ["alice"]
    assert not lock_a.is_acquired
    assert contender_nodes(a, "/lk") == []
    assert lock_b.acquire(timeout=WAIT)
    assert lock_a.contenders() == ["bob"]
    assert lock_b.release() is True
    assert lock_b.release() is False


def test_waiters_get_the_lock_in_queue_order(zk_client_factory: Any) -> None:
    clients = [zk_client_factory() for _ in range(3)]
    locks = [Lock(c, "/fifo", f"c{i}") for i, c in enumerate(clients)]
    order: list[int] = []
    assert locks[0].acquire()

    def contend(i: int) -> bool:
        got = locks[i].acquire(timeout=WAIT)
        order.append(i)
        locks[i].release()
        return got

    first = background(clients[1], lambda: contend(1))
    wait_until(clients[0], lambda: len(contender_nodes(clients[0], "/fifo")) == 2, message="c1 queued")
    second = background(clients[2], lambda: contend(2))
    wait_until(clients[0], lambda: len(contender_nodes(clients[0], "/fifo")) == 3, message="c2 queued")
    assert locks[0].contenders() == ["c0", "c1", "c2"]
    locks[0].release()
    assert first.get(timeout=WAIT) is True
    assert second.get(timeout=WAIT) is True
    assert order == [1, 2]
    assert contender_nodes(clients[0], "/fifo") == []


def test_cancel_stops_a_waiting_acquire_and_removes_its_node(zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    holder, waiter = Lock(a, "/cx"), Lock(b, "/cx")
    holder.acquire()
    pending = background(b, lambda: waiter.acquire(timeout=WAIT))
    wait_until(a, lambda: len(contender_nodes(a, "/cx")) == 2, message="waiter queued")
    waiter.cancel()
    with pytest.raises(CancelledError):
        pending.get(timeout=WAIT)
    assert len(contender_nodes(a, "/cx")) == 1
    holder.release()
    assert waiter.acquire(timeout=WAIT)  # the cancel was consumed
    waiter.release()


def test_session_expiry_fires_on_lost_and_fencing_rejects_the_old_holder(
        zk_hosts: str, zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    lost: Recorder[Lock] = Recorder(a)
    old = Lock(a, "/fenced", "old", on_lost=lost)
    new = Lock(b, "/fenced", "new")
    a.create("/data", b"initial")

    assert old.acquire(timeout=WAIT)
    token_old = old.fencing_token
    assert isinstance(token_old, int)
    old.fenced_set("/data", b"old-1")
    assert a.get("/data")[0] == b"old-1"
    stale = old.fenced_transaction()  # built while held, committed after the loss
    stale.set_data("/data", b"old-2")

    expire_session(zk_hosts, a)
    lost.wait_for(lambda items: items == [old], message="on_lost")
    assert not old.is_acquired
    assert old.fencing_token is None

    assert new.acquire(timeout=WAIT)
    token_new = new.fencing_token
    assert isinstance(token_new, int) and token_new > token_old
    new.fenced_set("/data", b"new-1")

    results = stale.commit()
    assert isinstance(results[0], NoNodeError)  # the check on the old node refused it
    with pytest.raises(LockLostError):
        old.fenced_set("/data", b"old-3")
    assert b.get("/data")[0] == b"new-1"

    # a later holder again gets a larger token
    new.release()
    assert old.acquire(timeout=WAIT)
    assert old.fencing_token is not None and old.fencing_token > token_new
    old.release()


def test_fenced_write_without_the_lock_is_refused_locally(zk_client: Any) -> None:
    lock = Lock(zk_client, "/nf")
    with pytest.raises(LockNotHeldError):
        lock.fenced_transaction()
    zk_client.create("/target", b"x")
    with pytest.raises(LockNotHeldError):
        lock.fenced_set("/target", b"y")
    assert zk_client.get("/target")[0] == b"x"


def test_fenced_set_reports_the_targets_own_error(zk_client: Any) -> None:
    lock = Lock(zk_client, "/own")
    with lock:
        with pytest.raises(NoNodeError):
            lock.fenced_set("/missing", b"v")
        assert lock.is_acquired


def test_lock_bad_input_is_refused(zk_client: Any) -> None:
    with pytest.raises(InvalidPathError):
        Lock(zk_client, "/a/../b")  # issue 10: "relative" is normalised to "/relative" (kazoo)
    with pytest.raises(InvalidPathError):
        Lock(zk_client, "/")
    with pytest.raises(InvalidTypeError):
        Lock(zk_client, 7)  # type: ignore[arg-type]
    lock = Lock(zk_client, "/bad")
    with pytest.raises(InvalidArgumentError):
        lock.acquire(timeout=-1)
    with pytest.raises(InvalidTypeError):
        lock.acquire(timeout="soon")  # type: ignore[arg-type]
    assert not lock.is_acquired


def test_non_ephemeral_lock_survives_session_expiry(zk_hosts: str, zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    lock = Lock(a, "/durable")
    assert lock.acquire(ephemeral=False)
    expire_session(zk_hosts, a)
    assert Lock(b, "/durable").acquire(blocking=False) is False
    assert len(contender_nodes(b, "/durable")) == 1
