"""Barrier and DoubleBarrier with several clients against a real ZooKeeper."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from _helpers import WAIT, Recorder, background, wait_until

from zkrecipes.exceptions import InvalidArgumentError
from zkrecipes.recipes.barrier import Barrier, DoubleBarrier


def test_barrier_holds_waiters_until_removed(zk_client_factory: Any) -> None:
    clients = [zk_client_factory() for _ in range(3)]
    Barrier(clients[0], "/gate").create()
    assert Barrier(clients[1], "/gate").wait(timeout=0.2) is False
    waits = [background(c, partial(Barrier(c, "/gate").wait, timeout=WAIT)) for c in clients[1:]]
    assert not any(w.ready() for w in waits)
    assert Barrier(clients[0], "/gate").remove() is True
    assert [w.get(timeout=WAIT) for w in waits] == [True, True]
    assert Barrier(clients[0], "/gate").remove() is False
    assert Barrier(clients[1], "/gate").wait(timeout=0) is True


def test_double_barrier_enter_and_leave_together(zk_client_factory: Any) -> None:
    clients = [zk_client_factory() for _ in range(3)]
    barriers = [DoubleBarrier(c, "/double", 3, identifier=f"m{i}") for i, c in enumerate(clients)]
    entered: Recorder[int] = Recorder(clients[0])

    def enter(i: int) -> bool:
        ok = barriers[i].enter(timeout=WAIT)
        entered(i)
        return ok

    early = [background(clients[i], partial(enter, i)) for i in (0, 1)]
    wait_until(clients[0], lambda: clients[0].exists("/double") is not None
               and len(clients[0].get_children("/double")) == 2, message="two members")
    assert entered.items == []  # two of three: both still wait
    assert enter(2) is True
    assert [e.get(timeout=WAIT) for e in early] == [True, True]
    assert all(b.participating for b in barriers)

    leaves = [background(clients[i], partial(barriers[i].leave, timeout=WAIT)) for i in (0, 1, 2)]
    assert [lv.get(timeout=WAIT) for lv in leaves] == [True, True, True]
    assert not any(b.participating for b in barriers)
    assert clients[0].get_children("/double") == []


def test_double_barrier_enter_timeout_withdraws(zk_client_factory: Any) -> None:
    a = zk_client_factory()
    barrier = DoubleBarrier(a, "/lonely", 2)
    assert barrier.enter(timeout=0.3) is False
    assert not barrier.participating
    assert a.get_children("/lonely") == []
    with pytest.raises(InvalidArgumentError):
        DoubleBarrier(a, "/x", 0)
