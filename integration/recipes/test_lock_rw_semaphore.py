"""Read/write lock exclusion and semaphore leases against a real ZooKeeper."""

from __future__ import annotations

from typing import Any

import pytest
from _helpers import WAIT, Recorder, background, expire_session, wait_until

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, LockTimeout
from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock
from zkrecipes.recipes.semaphore import Semaphore


def test_readers_share_writers_exclude(zk_client_factory: Any) -> None:
    c1, c2, c3 = (zk_client_factory() for _ in range(3))
    r1, r2 = ReadLock(c1, "/rw", "r1"), ReadLock(c2, "/rw", "r2")
    writer = WriteLock(c3, "/rw", "w")
    assert r1.acquire(blocking=False) and r2.acquire(blocking=False)  # readers share
    assert writer.acquire(blocking=False) is False  # a writer waits for readers
    r1.release()
    assert writer.acquire(blocking=False) is False
    r2.release()
    assert writer.acquire(blocking=False) is True
    assert ReadLock(c1, "/rw").acquire(blocking=False) is False  # readers wait for the writer
    assert WriteLock(c2, "/rw").acquire(blocking=False) is False
    assert Lock(c2, "/rw").acquire(blocking=False) is False  # a plain Lock is a writer too
    writer.release()
    assert r1.acquire(blocking=False)
    r1.release()


def test_reader_queued_behind_a_waiting_writer_waits_for_it(zk_client_factory: Any) -> None:
    c1, c2, c3 = (zk_client_factory() for _ in range(3))
    first_reader, writer, late_reader = ReadLock(c1, "/q"), WriteLock(c2, "/q", "w"), ReadLock(c3, "/q")
    order: Recorder[str] = Recorder(c1)
    assert first_reader.acquire()

    def write() -> None:
        assert writer.acquire(timeout=WAIT)
        order("writer")
        writer.release()

    def read() -> None:
        assert late_reader.acquire(timeout=WAIT)
        order("late reader")
        late_reader.release()

    w = background(c2, write)
    wait_until(c1, lambda: len(first_reader.contenders()) == 2, message="writer queued")
    r = background(c3, read)
    wait_until(c1, lambda: len(first_reader.contenders()) == 3, message="late reader queued")
    assert order.items == []  # both wait: the writer for the first reader, the reader for the writer
    first_reader.release()
    w.get(timeout=WAIT)
    r.get(timeout=WAIT)
    assert order.items == ["writer", "late reader"]


def test_semaphore_max_leases(zk_client_factory: Any) -> None:
    clients = [zk_client_factory() for _ in range(3)]
    sems = [Semaphore(c, "/sem", f"s{i}", max_leases=2) for i, c in enumerate(clients)]
    assert sems[0].acquire() and sems[1].acquire(timeout=WAIT)
    assert sorted(sems[0].lease_holders()) == ["s0", "s1"]
    assert sems[2].acquire(blocking=False) is False
    with pytest.raises(LockTimeout):
        sems[2].acquire(timeout=0.3)
    assert sorted(sems[2].lease_holders()) == ["s0", "s1"]
    pending = background(clients[2], lambda: sems[2].acquire(timeout=WAIT))
    sems[0].release()
    assert pending.get(timeout=WAIT) is True
    assert sorted(sems[1].lease_holders()) == ["s1", "s2"]
    sems[1].release()
    sems[2].release()
    assert sems[0].lease_holders() == []


def test_semaphore_context_manager_and_lost_lease(zk_hosts: str, zk_client_factory: Any) -> None:
    a, b = zk_client_factory(), zk_client_factory()
    lost: Recorder[Semaphore] = Recorder(a)
    sem = Semaphore(a, "/sem2", "a", max_leases=1, on_lost=lost)
    with sem as held:
        assert held is sem and sem.is_acquired
        expire_session(zk_hosts, a)
        lost.wait_for(lambda items: items == [sem], message="on_lost")
        assert not sem.is_acquired
        other = Semaphore(b, "/sem2", "b", max_leases=1)
        assert other.acquire(timeout=WAIT)
        assert other.lease_holders() == ["b"]
        other.release()
    assert sem.lease_holders() == []


def test_semaphore_bad_input(zk_client: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        Semaphore(zk_client, "/s", max_leases=0)
    with pytest.raises(InvalidTypeError):
        Semaphore(zk_client, "/s", max_leases="2")  # type: ignore[arg-type]
    one = Semaphore(zk_client, "/s", max_leases=1)
    assert one.acquire()
    one.release()
    with pytest.raises(InvalidArgumentError):  # the stored max differs
        Semaphore(zk_client, "/s", max_leases=3).acquire()
