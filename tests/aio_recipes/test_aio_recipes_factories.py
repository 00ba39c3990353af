"""The asyncio recipe factories on ``AsyncZkClient`` and argument checks made before any I/O."""

from __future__ import annotations

import datetime

import pytest

from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio import recipes as aio_recipes


def test_every_factory_makes_its_asyncio_recipe() -> None:
    zk = AsyncZkClient("127.0.0.1:1")
    day = datetime.timedelta(days=1)
    made = {
        "Barrier": zk.Barrier("/b"), "DoubleBarrier": zk.DoubleBarrier("/d", 2),
        "Counter": zk.Counter("/c"), "Queue": zk.Queue("/q"), "LockingQueue": zk.LockingQueue("/lq"),
        "Party": zk.Party("/p"), "ShallowParty": zk.ShallowParty("/sp", "x"),
        "SetPartitioner": zk.SetPartitioner("/sp", set=[1]),
        "NonBlockingLease": zk.NonBlockingLease("/l", day),
        "MultiNonBlockingLease": zk.MultiNonBlockingLease(2, "/ml", day),
        "DataWatch": zk.DataWatch("/dw"), "ChildrenWatch": zk.ChildrenWatch("/cw"),
        "TreeCache": zk.TreeCache("/t"),
    }
    for name, recipe in made.items():
        assert type(recipe) is getattr(aio_recipes, name), name
        assert getattr(recipe, "client", None) is zk, name


def test_arguments_are_checked_at_construction() -> None:
    zk = AsyncZkClient("127.0.0.1:1")
    with pytest.raises(exc.InvalidArgumentError):
        zk.DoubleBarrier("/d", 0)
    with pytest.raises(exc.InvalidTypeError):
        zk.Counter("/c", default="0")  # type: ignore[arg-type]
    with pytest.raises(exc.InvalidArgumentError):
        zk.ShallowParty("/p", "a/b")
    with pytest.raises(exc.InvalidArgumentError):
        zk.NonBlockingLease("/l", datetime.timedelta(0))
    with pytest.raises(exc.InvalidTypeError):
        zk.DataWatch("/w", "not callable")  # type: ignore[arg-type]
    with pytest.raises(exc.InvalidArgumentError):
        zk.TreeCache("relative")
