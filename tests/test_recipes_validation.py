"""Recipes refuse bad arguments with a specific exception before any request is sent.

The client is a real, never-started ZkClient: a request would fail with
ConnectionClosedError, so a check that is missing makes these tests fail
rather than pass or hang.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes.client.client import ZkClient
from zkrecipes.exceptions import (
    InvalidArgumentError,
    InvalidPathError,
    InvalidTypeError,
    LockLostError,
    LockNotHeldError,
    ZkException,
)
from zkrecipes.recipes.barrier import Barrier, DoubleBarrier
from zkrecipes.recipes.cache import TreeCache, TreeEvent
from zkrecipes.recipes.counter import Counter
from zkrecipes.recipes.election import Election
from zkrecipes.recipes.lease import MultiNonBlockingLease, NonBlockingLease
from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock
from zkrecipes.recipes.partitioner import SetPartitioner
from zkrecipes.recipes.party import Party, ShallowParty
from zkrecipes.recipes.queue import LockingQueue, Queue
from zkrecipes.recipes.semaphore import Semaphore
from zkrecipes.recipes.watchers import ChildrenWatch, DataWatch, PatientChildrenWatch

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def idle() -> Iterator[ZkClient]:
    client = ZkClient("127.0.0.1:1")
    yield client
    client.close()


# ---------------------------------------------------------------------------- locks & semaphore


@pytest.mark.parametrize("cls", [Lock, ReadLock, WriteLock, Semaphore, Barrier, Counter])
@pytest.mark.parametrize(("path", "error"), [("/a/../b", InvalidPathError), ("/", InvalidPathError),
                                             ("//", InvalidPathError), (7, InvalidTypeError)])
def test_path_checked_by_constructor(idle: ZkClient, cls: Any, path: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        cls(idle, path)


def test_lock_starts_unheld_and_refuses_bad_timeouts(idle: ZkClient) -> None:
    lock = Lock(idle, "/l", "me")
    assert not lock.is_acquired and lock.fencing_token is None and not lock.is_suspended
    assert lock.data == b"me"
    for bad in (-1, math.nan):
        with pytest.raises(InvalidArgumentError):
            lock.acquire(timeout=bad)
    with pytest.raises(InvalidTypeError):
        lock.acquire(timeout="5")  # type: ignore[arg-type]
    with pytest.raises(LockNotHeldError) as refused:
        lock.fenced_transaction()
    assert not isinstance(refused.value, LockLostError)  # never held, so not "lost"
    assert lock.release() is False


def test_contender_names_are_protected_and_kind_specific(idle: ZkClient) -> None:
    write, read = Lock(idle, "/rw"), ReadLock(idle, "/rw")
    assert write.create_path.startswith("/rw/_c_") and write.create_path.endswith("-__lock__")
    assert read.create_path.endswith("-__rlock__")
    assert len(write.prefix) == len("_c_") + 32 + len("-__lock__")
    assert Lock(idle, "/rw").prefix != write.prefix  # a GUID per object


@pytest.mark.parametrize(("max_leases", "error"), [(0, InvalidArgumentError), (-3, InvalidArgumentError),
                                                   ("2", InvalidTypeError), (True, InvalidTypeError),
                                                   (1.0, InvalidTypeError)])
def test_semaphore_max_leases(idle: ZkClient, max_leases: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        Semaphore(idle, "/s", max_leases=max_leases)  # type: ignore[arg-type]


def test_semaphore_refuses_a_bad_timeout_before_any_request(idle: ZkClient) -> None:
    sem = Semaphore(idle, "/s", "me", max_leases=2)
    assert sem.lock_path == "/s-__lock__" and not sem.is_acquired
    with pytest.raises(InvalidArgumentError):
        sem.acquire(timeout=-0.5)
    assert sem.release() is False


def test_election_refuses_a_non_callable(idle: ZkClient) -> None:
    election = Election(idle, "/e", "me")
    with pytest.raises(InvalidTypeError):
        election.run("not callable")  # type: ignore[arg-type]
    assert not election.is_leader


# ---------------------------------------------------------------------- counter, leases, barriers


def test_counter_defaults(idle: ZkClient) -> None:
    with pytest.raises(InvalidTypeError):
        Counter(idle, "/c", default="0")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        Counter(idle, "/c", default=True)
    with pytest.raises(InvalidTypeError):  # Curator's SharedCount holds ints only
        Counter(idle, "/c", default=0.5, support_curator=True)
    counter = Counter(idle, "/c", default=1.5)
    with pytest.raises(InvalidTypeError):  # a change must have the default's type
        counter += 1
    assert counter.pre_value is None and counter.post_value is None


@pytest.mark.parametrize(("duration", "error"), [(datetime.timedelta(0), InvalidArgumentError),
                                                 (-MINUTE, InvalidArgumentError),
                                                 (60, InvalidTypeError)])
def test_lease_duration(idle: ZkClient, duration: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        NonBlockingLease(idle, "/lease", duration)  # type: ignore[arg-type]


def test_lease_path_and_lock_timeout(idle: ZkClient) -> None:
    with pytest.raises(InvalidPathError):
        NonBlockingLease(idle, "/./lease", MINUTE)  # issue 10: "lease" is normalised to "/lease"
    with pytest.raises(InvalidArgumentError):
        NonBlockingLease(idle, "/lease", MINUTE, lock_timeout=-1)


@pytest.mark.parametrize(("count", "error"), [(0, InvalidArgumentError), ("3", InvalidTypeError),
                                              (False, InvalidTypeError)])
def test_multi_lease_count(idle: ZkClient, count: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        MultiNonBlockingLease(idle, count, "/leases", MINUTE)  # type: ignore[arg-type]


@pytest.mark.parametrize(("num", "error"), [(0, InvalidArgumentError), (2.0, InvalidTypeError),
                                            (None, InvalidTypeError)])
def test_double_barrier_member_count(idle: ZkClient, num: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        DoubleBarrier(idle, "/db", num)  # type: ignore[arg-type]


def test_double_barrier_refuses_a_bad_timeout(idle: ZkClient) -> None:
    barrier = DoubleBarrier(idle, "/db", 2, "me")
    assert barrier.create_path.startswith("/db/") and barrier.ready_path == "/db/ready"
    with pytest.raises(InvalidArgumentError):
        barrier.enter(timeout=-1)
    with pytest.raises(InvalidTypeError):
        Barrier(idle, "/b").wait(timeout="1")  # type: ignore[arg-type]


# ----------------------------------------------------------------------- queues, parties, watches


def test_queue_values_and_priorities(idle: ZkClient) -> None:
    for queue in (Queue(idle, "/q"), LockingQueue(idle, "/lq")):
        with pytest.raises(InvalidTypeError):
            queue.put("text")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError):
            queue.put(b"x", priority=1000)
        with pytest.raises(InvalidTypeError):
            queue.put_all(b"xy")  # type: ignore[arg-type]
        with pytest.raises(InvalidTypeError):  # checked before anything is written
            queue.put_all([b"ok", "bad"])  # type: ignore[list-item]
    with pytest.raises(InvalidTypeError):
        Queue(idle, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        LockingQueue(idle, "/lq").get(timeout=-1)


def test_party_identifiers(idle: ZkClient) -> None:
    with pytest.raises(InvalidTypeError):
        Party(idle, "/p", identifier=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        ShallowParty(idle, "/p", identifier="a/b")
    shallow = ShallowParty(idle, "/p/", identifier="worker-1")
    assert shallow.path == "/p"
    name = shallow.create_path.rsplit("/", 1)[1]
    assert shallow._is_member_node(name) and name.endswith("-worker-1")
    party = Party(idle, "/p", identifier="x")
    assert party.create_path.endswith("__party__") and party.data == b"x"


def test_set_partitioner_arguments(idle: ZkClient) -> None:
    with pytest.raises(InvalidTypeError):
        SetPartitioner(idle, 3, set=[1])  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        SetPartitioner(idle, "/sp", set=[1], time_boundary=-1)
    with pytest.raises(InvalidTypeError):
        SetPartitioner(idle, "/sp", set=[1], max_reaction_time="1")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        SetPartitioner(idle, "/sp", set=[1], partition_func=42)  # type: ignore[arg-type]


def test_watch_arguments(idle: ZkClient) -> None:
    with pytest.raises(InvalidTypeError):
        DataWatch(idle, b"/n")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        DataWatch(idle, "/n", func=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        DataWatch(idle, "/n")(42)  # type: ignore[call-overload]
    with pytest.raises(InvalidTypeError):
        ChildrenWatch(idle, "/n", func="f")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        PatientChildrenWatch(idle, "/n", time_boundary=-1)
    with pytest.raises(InvalidTypeError):
        PatientChildrenWatch(idle, "/n", time_boundary=None)  # type: ignore[arg-type]


def test_tree_cache_arguments(idle: ZkClient) -> None:
    with pytest.raises(InvalidArgumentError):
        TreeCache(idle, "relative")
    cache = TreeCache(idle, "/root/")
    with pytest.raises(InvalidArgumentError):
        cache.get_data("/elsewhere")
    with pytest.raises(InvalidArgumentError):
        cache.get_children("/rootless")  # a sibling sharing the prefix is outside
    assert cache.get_data("/root/a") is None  # inside, not cached (never started)
    with pytest.raises(InvalidTypeError):
        cache.listen("not callable")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        TreeEvent.make(99)
    assert TreeEvent.make(TreeEvent.NODE_ADDED).name == "NODE_ADDED"
    cache.close()
    with pytest.raises(ZkException):  # closed for good
        cache.start()


def test_package_exports_every_recipe_from_its_module() -> None:
    import zkrecipes.recipes as recipes

    for name in recipes.__all__:
        assert getattr(recipes, name).__name__ == name
    assert recipes.Semaphore is Semaphore and Semaphore.__module__ == "zkrecipes.recipes.semaphore"
    assert recipes.Lock is Lock and recipes.ReadLock is ReadLock and recipes.WriteLock is WriteLock
    with pytest.raises(AttributeError):
        recipes.NoSuchRecipe  # noqa: B018
