"""Scenarios: the edge cases kazoo's own tests pin for NonBlockingLease, SetPartitioner, transactions."""

from __future__ import annotations

import datetime
from typing import Any

from _compat_harness import WAIT, Env, catch, scenario

SECONDS3 = datetime.timedelta(seconds=3)


class Clock:
    """A settable utcnow() (naive UTC, as kazoo's leases use)."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2030, 1, 1, 12, 0, 0)

    def __call__(self) -> datetime.datetime:
        return self.now

    def forward(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


def _lease(env: Env, client: Any, clock: Clock, identifier: str | None = None) -> Any:
    kwargs = {"identifier": identifier} if identifier else {}
    return env.ns.NonBlockingLease(client, "/lease", SECONDS3, utcnow=clock, **kwargs)


def _multi(env: Env, client: Any, clock: Clock, count: int, identifier: str | None = None) -> Any:
    kwargs = {"identifier": identifier} if identifier else {}
    return env.ns.MultiNonBlockingLease(client, count, "/mlease", SECONDS3, utcnow=clock, **kwargs)


@scenario
def s_lease_renew(env: Env) -> Any:
    clock = Clock()
    first = _lease(env, env.client, clock)
    clock.forward(2)
    return bool(first), first.obtained, bool(_lease(env, env.client, clock))


@scenario
def s_lease_busy(env: Env) -> Any:
    clock = Clock()
    first = _lease(env, env.client, clock)
    clock.forward(2)
    other = _lease(env, env.new_client(ensure=False), clock, "some.other.host")
    return bool(first), bool(other), other.obtained


@scenario
def s_lease_overtake(env: Env) -> Any:
    clock = Clock()
    _lease(env, env.client, clock)
    clock.forward(4)
    return bool(_lease(env, env.new_client(ensure=False), clock, "some.other.host"))


@scenario
def s_lease_renew_no_overtake(env: Env) -> Any:
    clock = Clock()
    _lease(env, env.client, clock)
    clock.forward(2)
    renewed = bool(_lease(env, env.client, clock))
    clock.forward(2)
    return renewed, bool(_lease(env, env.new_client(ensure=False), clock, "some.other.host"))


@scenario
def s_lease_overtaker_renews(env: Env) -> Any:
    clock = Clock()
    other = env.new_client(ensure=False)
    _lease(env, env.client, clock)
    clock.forward(4)
    taken = bool(_lease(env, other, clock, "some.other.host"))
    clock.forward(2)
    return taken, bool(_lease(env, other, clock, "some.other.host"))


@scenario
def s_lease_overtake_refuse_first(env: Env) -> Any:
    clock = Clock()
    _lease(env, env.client, clock)
    clock.forward(4)
    taken = bool(_lease(env, env.new_client(ensure=False), clock, "some.other.host"))
    clock.forward(2)
    return taken, bool(_lease(env, env.client, clock))


@scenario
def s_multi_lease_1_renew(env: Env) -> Any:
    clock = Clock()
    first = bool(_multi(env, env.client, clock, 1))
    clock.forward(2)
    return first, bool(_multi(env, env.client, clock, 1))


@scenario
def s_multi_lease_1_reject(env: Env) -> Any:
    clock = Clock()
    _multi(env, env.client, clock, 1)
    clock.forward(2)
    return bool(_multi(env, env.new_client(ensure=False), clock, 1, "some.other.host"))


@scenario
def s_multi_lease_2_renew(env: Env) -> Any:
    clock = Clock()
    other = env.new_client(ensure=False)
    a = bool(_multi(env, env.client, clock, 2))
    b = bool(_multi(env, other, clock, 2, "host2"))
    clock.forward(2)
    return a, b, bool(_multi(env, env.client, clock, 2)), bool(_multi(env, other, clock, 2, "host2"))


@scenario
def s_multi_lease_2_reject(env: Env) -> Any:
    clock = Clock()
    _multi(env, env.client, clock, 2)
    _multi(env, env.new_client(ensure=False), clock, 2, "host2")
    clock.forward(2)
    return bool(_multi(env, env.new_client(ensure=False), clock, 2, "host3"))


@scenario
def s_multi_lease_2_handover(env: Env) -> Any:
    clock = Clock()
    _multi(env, env.client, clock, 2)
    _multi(env, env.new_client(ensure=False), clock, 2, "host2")
    clock.forward(4)
    third = bool(_multi(env, env.new_client(ensure=False), clock, 2, "host3"))
    return third, bool(_multi(env, env.client, clock, 2))


# ------------------------------------------------------------ partitioner


def _settle(parts: list[Any]) -> None:
    """Drive the partitioners as kazoo's tests do until every one has acquired."""
    for _ in range(50):
        if all(p.acquired for p in parts):
            return
        for part in parts:
            if part.release:
                part.release_set()
            elif part.allocating:
                part.wait_for_acquire(WAIT)
    raise AssertionError("partitioners did not settle")


def _partitioner(env: Env, client: Any, size: int, identifier: str) -> Any:
    return env.ns.SetPartitioner(client, "/part", list(range(size)), identifier=identifier,
                                 time_boundary=0.2)


@scenario
def s_partitioner_party_of_one(env: Env) -> Any:
    part = _partitioner(env, env.client, 3, "0")
    _settle([part])
    result = part.state, list(part)
    part.finish()
    return result


@scenario
def s_partitioner_party_of_two(env: Env) -> Any:
    parts = [_partitioner(env, env.new_client(ensure=False), 2, str(i)) for i in range(2)]
    _settle(parts)
    split = [list(p) for p in parts]
    parts[1].state_change_event.clear()
    parts[0].finish()
    parts[1].state_change_event.wait(WAIT)
    return split, parts[1].release


@scenario
def s_partitioner_more_members_than_items(env: Env) -> Any:
    parts = [_partitioner(env, env.new_client(ensure=False), 1, str(i)) for i in range(2)]
    _settle(parts)
    result = [list(p) for p in parts], [p.state for p in parts]
    for p in parts:
        p.finish()
    return result


@scenario
def s_partitioner_expansion(env: Env) -> Any:
    parts = [_partitioner(env, env.new_client(ensure=False), 3, str(i)) for i in range(2)]
    _settle(parts)
    before = [list(p) for p in parts]
    for part in parts:
        part.state_change_event.clear()
    parts.append(_partitioner(env, env.new_client(ensure=False), 3, "2"))
    for part in parts[:-1]:
        part.state_change_event.wait(WAIT)
    released = [p.state for p in parts[:-1]]
    _settle(parts)
    after = [list(p) for p in parts]
    for p in parts:
        p.finish()
    return before, released, after


@scenario
def s_partitioner_finish_state(env: Env) -> Any:
    part = _partitioner(env, env.client, 2, "solo")
    _settle([part])
    part.finish()
    return part.state, part.acquired, part.failed, catch(part.release_set)


@scenario
def s_partitioner_custom_func(env: Env) -> Any:
    def everything(identifier: str, members: list[str], partitions: list[Any]) -> list[Any]:
        return sorted(partitions, reverse=True)

    part = env.ns.SetPartitioner(env.client, "/part", [1, 2, 3], partition_func=everything,
                                 identifier="x", time_boundary=0.2)
    _settle([part])
    result = list(part)
    part.finish()
    return result


# ------------------------------------------------------------ transactions


@scenario
def s_transaction_bad_transaction(env: Env) -> Any:
    tx = env.client.transaction()
    tx.create("/fred")
    tx.delete("/smith")
    return [type(r).__name__ for r in tx.commit()]


@scenario
def s_transaction_committed_flag(env: Env) -> Any:
    tx = env.client.transaction()
    tx.committed = True
    return catch(tx.commit)


@scenario
def s_transaction_bad_context(env: Env) -> Any:
    def run() -> None:
        with env.client.transaction() as tx:
            tx.check(4232)  # type: ignore[call-arg]

    return catch(run)


@scenario
def s_transaction_context_commits(env: Env) -> Any:
    with env.client.transaction() as tx:
        tx.create("/ctx")
    return tx.committed, env.client.exists("/ctx") is not None


@scenario
def s_transaction_context_exception(env: Env) -> Any:
    def run() -> None:
        with env.client.transaction() as tx:
            tx.create("/never")
            raise RuntimeError("inside")

    return catch(run), env.client.exists("/never")
