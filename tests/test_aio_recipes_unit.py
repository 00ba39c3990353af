"""Pure parts shared by the threaded and asyncio acquire loops, and the asyncio factories."""

from __future__ import annotations

import pytest

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import Election, Lock, ReadLock, Semaphore, WriteLock
from zkrecipes.recipes._predicates import judge, lock_policy, read_lock_policy, write_lock_policy
from zkrecipes.recipes._sequence import Restart


def _name(guid: str, kind: str, seq: int) -> str:
    return f"_c_{guid}-{kind}{seq:010d}"


def test_judge_lock_write_read() -> None:
    a, b, r = _name("a", "__lock__", 1), _name("b", "__lock__", 2), _name("r", "__rlock__", 3)
    children = [r, b, a, "unrelated"]
    assert judge(children, a, lock_policy()).holds
    verdict = judge(children, b, lock_policy())
    assert not verdict.holds and verdict.watch == a and verdict.sole
    assert not judge(children, r, read_lock_policy()).holds  # writers ahead
    assert judge([r, a], a, write_lock_policy()).holds
    w = _name("w", "__lock__", 4)
    verdict = judge([a, r, w], w, write_lock_policy())
    assert verdict.watch == r and not verdict.sole


def test_judge_restarts_when_our_node_vanished() -> None:
    with pytest.raises(Restart):
        judge([_name("a", "__lock__", 1)], _name("b", "__lock__", 2), lock_policy())


def test_factories_make_the_asyncio_recipes() -> None:
    zk = AsyncZkClient("127.0.0.1:1")
    lock = zk.Lock("/l", "id")
    assert type(lock) is Lock and lock.client is zk and lock.prefix.endswith("-__lock__")
    assert type(zk.ReadLock("/l")) is ReadLock and zk.ReadLock("/l").prefix.endswith("-__rlock__")
    assert type(zk.WriteLock("/l")) is WriteLock and type(zk.Election("/e")) is Election
    sem = zk.Semaphore("/s", max_leases=3)
    assert type(sem) is Semaphore and sem.max_leases == 3 and sem.lock_path == "/s-__lock__"
