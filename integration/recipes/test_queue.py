"""Queue and LockingQueue against a real ZooKeeper."""

from __future__ import annotations

from typing import Any

import pytest
from _helpers import WAIT, background, expire_session

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.recipes.queue import LockingQueue, Queue


def test_queue_priority_then_fifo(zk_client: Any) -> None:
    q = Queue(zk_client, "/q")
    q.put(b"a")
    q.put(b"b", priority=5)
    q.put(b"c")
    q.put_all([b"d", b"e"], priority=1)
    assert len(q) == 5
    assert [q.get() for _ in range(5)] == [b"d", b"e", b"b", b"a", b"c"]
    assert q.get() is None
    assert len(q) == 0


def test_queue_two_consumers_each_item_once(zk_client_factory: Any) -> None:
    producer, c1, c2 = zk_client_factory(), zk_client_factory(), zk_client_factory()
    Queue(producer, "/q").put_all([str(i).encode() for i in range(20)])
    q1, q2 = Queue(c1, "/q"), Queue(c2, "/q")
    got: list[bytes] = []
    while True:
        v1, v2 = q1.get(), q2.get()
        got.extend(v for v in (v1, v2) if v is not None)
        if v1 is None and v2 is None:
            break
    assert sorted(got, key=int) == [str(i).encode() for i in range(20)]


def test_queue_bad_input(zk_client: Any) -> None:
    q = Queue(zk_client, "/q")
    with pytest.raises(InvalidArgumentError):
        q.put(b"x", priority=1000)
    with pytest.raises(InvalidArgumentError):
        q.put(b"x", priority=-1)
    with pytest.raises(InvalidTypeError):
        q.put("text")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        q.put_all([b"ok", "text"])  # type: ignore[list-item]
    assert len(q) == 0  # nothing half-added


def test_locking_queue_get_consume(zk_client: Any) -> None:
    q = LockingQueue(zk_client, "/lq")
    q.put(b"low", priority=200)
    q.put_all([b"one", b"two"])
    assert len(q) == 3
    assert q.get(timeout=WAIT) == b"one"
    assert q.holds_lock()
    assert q.get(timeout=WAIT) == b"one"  # not consumed yet: the same item again
    assert q.consume() is True
    assert q.holds_lock() is False
    assert q.consume() is False
    assert q.get(timeout=WAIT) == b"two"
    assert q.consume()
    assert q.get(timeout=WAIT) == b"low"
    assert q.consume()
    assert len(q) == 0
    assert zk_client.get_children("/lq/taken") == []
    assert q.get(timeout=0.2) is None


def test_locking_queue_release_gives_item_to_others(zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    qa, qb = LockingQueue(a, "/lq"), LockingQueue(b, "/lq")
    qa.put(b"job")
    assert qa.get(timeout=WAIT) == b"job"
    assert qb.get(timeout=0.2) is None  # taken by a
    assert qa.release() is True
    assert qb.get(timeout=WAIT) == b"job"
    assert qb.consume()
    assert a.get_children("/lq/taken") == []
    assert a.get_children("/lq/entries") == []


def test_locking_queue_blocking_get_wakes_on_put(zk_client_factory: Any) -> None:
    consumer, producer = zk_client_factory(), zk_client_factory()
    q = LockingQueue(consumer, "/lq")
    q.put(b"first")
    assert q.get(timeout=WAIT) == b"first"
    assert q.consume()
    waiting = background(consumer, lambda: LockingQueue(consumer, "/lq").get(timeout=WAIT))
    assert waiting.wait(0.3) is False  # nothing to take: it must still be waiting
    LockingQueue(producer, "/lq").put(b"late")
    assert waiting.get(timeout=WAIT + 10) == b"late"


def test_consumer_with_expired_session_releases_item(zk_hosts: str, zk_client_factory: Any) -> None:
    dying, other, producer = zk_client_factory(), zk_client_factory(), zk_client_factory()
    LockingQueue(producer, "/lq").put_all([b"item-1", b"item-2"])
    q_dying, q_other = LockingQueue(dying, "/lq"), LockingQueue(other, "/lq")
    assert q_dying.get(timeout=WAIT) == b"item-1"
    assert q_other.get(timeout=WAIT) == b"item-2"
    assert q_other.consume()
    assert producer.get_children("/lq/taken") == [producer.get_children("/lq/entries")[0]]

    expire_session(zk_hosts, dying)

    # The item is back for others; the dead consumer no longer claims it.
    assert q_other.get(timeout=WAIT) == b"item-1"
    assert q_dying.holds_lock() is False
    assert q_dying.consume() is False
    assert q_other.consume()
    assert producer.get_children("/lq/taken") == []
    assert producer.get_children("/lq/entries") == []
    assert len(q_dying) == 0


def test_locking_queue_bad_input(zk_client: Any) -> None:
    q = LockingQueue(zk_client, "/lq")
    with pytest.raises(InvalidArgumentError):
        q.get(timeout=-1)
    with pytest.raises(InvalidTypeError):
        q.put(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        q.put(b"x", priority="high")  # type: ignore[arg-type]
