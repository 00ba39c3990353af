"""Static checks of the recipes' public types (run ``mypy --strict tests/typing``; never executed).

Each ``assert_type`` states a revealed type of the documented API; each line
marked ``# type: ignore[<code>]`` is a misuse that must stay a type error —
with ``warn_unused_ignores`` (part of ``--strict``) the check fails the day
such a line starts to type-check.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from typing_extensions import assert_type

from zkrecipes import WatchedEvent, ZnodeStat
from zkrecipes.client.client import ZkClient
from zkrecipes.recipes import (
    Barrier,
    ChildrenWatch,
    Counter,
    DataWatch,
    DoubleBarrier,
    Election,
    Lock,
    LockingQueue,
    MultiNonBlockingLease,
    NodeData,
    NonBlockingLease,
    Party,
    PatientChildrenWatch,
    Queue,
    ReadLock,
    Semaphore,
    SetPartitioner,
    ShallowParty,
    TreeCache,
    WriteLock,
)
from zkrecipes.recipes._client import Pending, RecipeClient, Transaction


def the_real_client_is_a_recipe_client(zk: ZkClient) -> RecipeClient:
    return zk  # ZkClient satisfies the Protocol the recipes are typed against


def package_names_are_the_real_classes(zk: ZkClient) -> None:
    lock = Lock(zk, "/l", "me")
    assert_type(lock, Lock)
    assert_type(lock.acquire(timeout=1.0), bool)
    assert_type(lock.release(), bool)
    assert_type(lock.fencing_token, "int | None")
    assert_type(lock.is_acquired, bool)
    assert_type(lock.is_suspended, bool)
    assert_type(lock.contenders(), "list[str]")
    assert_type(lock.fenced_set("/a", b"1"), ZnodeStat)
    assert_type(lock.fenced_transaction(), Transaction)
    with lock as held:
        assert_type(held, Lock)
    assert_type(ReadLock(zk, "/rw"), ReadLock)
    assert_type(WriteLock(zk, "/rw"), WriteLock)
    assert_type(Semaphore(zk, "/s", max_leases=2).acquire(blocking=False), bool)
    election = Election(zk, "/e")
    assert_type(election.contenders(), "list[str]")

    def lead(term: int, *, name: str) -> None: ...

    election.run(lead, 3, name="x")  # the leader function's arguments are checked
    election.run(lead, "3", name="x")  # type: ignore[arg-type]
    assert_type(Counter(zk, "/c").value, "int | float")
    assert_type(Barrier(zk, "/b").wait(1.0), bool)
    assert_type(DoubleBarrier(zk, "/db", 3).enter(), bool)
    assert_type(Queue(zk, "/q").get(), "bytes | None")
    assert_type(LockingQueue(zk, "/lq").get(timeout=1.0), "bytes | None")
    assert_type(list(Party(zk, "/p")), "list[str]")
    assert_type(list(ShallowParty(zk, "/p")), "list[str]")
    assert_type(bool(NonBlockingLease(zk, "/lease", datetime.timedelta(seconds=5))), bool)
    multi = MultiNonBlockingLease(zk, 2, "/leases", datetime.timedelta(seconds=5))
    assert_type(multi.lease, NonBlockingLease | None)
    assert_type(SetPartitioner(zk, "/sp", set=[1, 2]).acquired, bool)
    assert_type(TreeCache(zk, "/t").get_data("/t"), NodeData | None)
    assert_type(PatientChildrenWatch(zk, "/pc").start(), "Pending[tuple[list[str], Pending[WatchedEvent]]]")


def watch_decorators_keep_the_function_typed(zk: ZkClient) -> None:
    @DataWatch(zk, "/config")
    def on_config(data: bytes | None, stat: ZnodeStat | None) -> bool | None:
        return None

    assert_type(on_config(b"x", None), "bool | None")  # the decorator returns the function itself
    on_config("x", None)  # type: ignore[arg-type]

    @DataWatch(zk, "/config")
    def with_event(data: bytes | None, stat: ZnodeStat | None, event: WatchedEvent | None) -> None:
        pass

    assert_type(with_event(None, None, None), None)

    @ChildrenWatch(zk, "/workers")
    def on_workers(children: list[str]) -> None:
        pass

    assert_type(on_workers(["a"]), None)
    typed: Callable[[list[str]], None] = on_workers
    assert typed is on_workers


def misuse_is_a_type_error(zk: ZkClient) -> None:
    Lock(zk, "/l", identifier=5)  # type: ignore[arg-type]
    Lock(zk, b"/l")  # type: ignore[arg-type]
    Lock(zk, "/l").acquire(timeout="5")  # type: ignore[arg-type]
    Semaphore(zk, "/s", max_leases="2")  # type: ignore[arg-type]
    ReadLock(zk, "/rw", identifier=b"me")  # type: ignore[arg-type]
    Election(zk, "/e", identifier=7)  # type: ignore[arg-type]
    Counter(zk, b"/c")  # type: ignore[arg-type]
    DoubleBarrier(zk, "/db", num_clients="3")  # type: ignore[arg-type]
    Queue(zk, "/q").put("text")  # type: ignore[arg-type]
    Lock(object(), "/l")  # type: ignore[arg-type]

    @DataWatch(zk, "/config")  # type: ignore[type-var]
    def wrong_arguments(data: str) -> None:
        pass


def typed_pending(result: Pending[list[str]]) -> None:
    assert_type(result.get(timeout=1.0), "list[str]")
