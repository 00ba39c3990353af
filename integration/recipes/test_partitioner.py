"""SetPartitioner against a real ZooKeeper: allocation, rebalancing, failure."""

from __future__ import annotations

import time
from typing import Any

import pytest
from _helpers import WAIT, StateRecorder, expire_session, wait_until

from zkrecipes import ZkState
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.recipes.partitioner import PartitionState, SetPartitioner

ITEMS = [f"item{i:02d}" for i in range(12)]


def _assert_exclusive(client: Any, parts: list[SetPartitioner]) -> None:
    """No item is owned by two members, and every owned item's lock node is the owner's."""
    owned: dict[str, str] = {}
    for p in parts:
        for item in p:
            assert item not in owned, f"{item} owned by {owned[item]} and {p.identifier}"
            owned[item] = p.identifier
            data, _ = client.get(f"/part/locks/item-{item}")
            assert data.decode().startswith(p.identifier + ":")


def _drive(client: Any, parts: list[SetPartitioner], timeout: float = WAIT) -> dict[str, list[str]]:
    """Run every member's loop (release_set on RELEASE) until all are ACQUIRED, checking
    exclusivity at every step; return the final assignment."""
    deadline = time.monotonic() + timeout
    while True:
        _assert_exclusive(client, parts)
        for p in parts:
            if p.release:
                p.release_set()
        if all(p.acquired for p in parts):
            _assert_exclusive(client, parts)
            return {p.identifier: sorted(p) for p in parts}
        assert not any(p.failed for p in parts)
        assert time.monotonic() < deadline, f"not all acquired: {[p.state for p in parts]}"
        client.handler.sleep_func(0.05)


def _partitioner(client: Any, name: str) -> SetPartitioner:
    return SetPartitioner(client, "/part", set=ITEMS, identifier=name, time_boundary=0.5,
                          max_reaction_time=0.2)


def test_split_and_rebalance_when_a_member_leaves(zk_client_factory: Any) -> None:
    clients = [zk_client_factory() for _ in range(3)]
    observer = zk_client_factory()
    parts = [_partitioner(c, f"m{i}") for i, c in enumerate(clients)]
    assignment = _drive(observer, parts)
    assert sorted(x for v in assignment.values() for x in v) == ITEMS
    assert all(len(v) == 4 for v in assignment.values())

    clients[2].stop()  # member m2 leaves: its session, party node and locks end
    survivors = parts[:2]
    wait_until(observer, lambda: all(p.state != PartitionState.ACQUIRED for p in survivors),
               message="survivors to notice the membership change")
    assignment = _drive(observer, survivors)
    assert sorted(x for v in assignment.values() for x in v) == ITEMS
    assert all(len(v) == 6 for v in assignment.values())
    for p in survivors:
        p.finish()
    assert observer.get_children("/part/locks") == []
    assert observer.get_children("/part/party") == []


def test_rebalance_when_a_member_joins(zk_client_factory: Any) -> None:
    observer = zk_client_factory()
    parts = [_partitioner(zk_client_factory(), "first")]
    assert _drive(observer, parts) == {"first": ITEMS}
    parts.append(_partitioner(zk_client_factory(), "second"))
    assignment = _drive(observer, parts)
    assert sorted(x for v in assignment.values() for x in v) == ITEMS
    assert len(assignment["first"]) == len(assignment["second"]) == 6
    state_event = parts[0].state_change_event
    assert state_event.is_set()


def test_session_loss_means_failure(zk_hosts: str, zk_client_factory: Any) -> None:
    observer, victim_client = zk_client_factory(), zk_client_factory()
    victim = _partitioner(victim_client, "victim")
    other = _partitioner(zk_client_factory(), "other")
    _drive(observer, [victim, other])
    expire_session(zk_hosts, victim_client)
    wait_until(observer, lambda: victim.failed, message="FAILURE after LOST")
    assert list(victim) == []
    assignment = _drive(observer, [other])
    assert assignment == {"other": ITEMS}
    members = observer.get_children("/part/party")
    assert len(members) == 1 and members[0].endswith("-other")


def test_suspended_means_release_then_reallocation(zk_client_factory: Any, fault_proxy: Any) -> None:
    observer = zk_client_factory()
    flaky_client = zk_client_factory(fault_proxy.hosts)
    flaky = _partitioner(flaky_client, "flaky")
    steady = _partitioner(zk_client_factory(), "steady")
    _drive(observer, [flaky, steady])
    states = StateRecorder(flaky_client)
    fault_proxy.close_connections()  # the connection drops; the session survives
    states.wait_for(lambda s: ZkState.SUSPENDED in s, message="SUSPENDED")
    # The partitioner's listener ran before ours (registered earlier, same queue).
    assert flaky.release and list(flaky) == []
    states.wait_for(lambda s: ZkState.CONNECTED in s, message="reconnection")
    assert ZkState.LOST not in states.snapshot()
    assignment = _drive(observer, [flaky, steady])
    assert sorted(x for v in assignment.values() for x in v) == ITEMS
    assert len(assignment["flaky"]) == len(assignment["steady"]) == 6


def test_finish_and_wait_for_acquire(zk_client_factory: Any) -> None:
    client = zk_client_factory()
    p = _partitioner(client, "solo")
    assert p.wait_for_acquire(WAIT) is True
    assert p.acquired and sorted(p) == ITEMS
    p.finish()
    assert p.failed and list(p) == []
    assert client.get_children("/part/locks") == []
    assert client.get_children("/part/party") == []


def test_custom_partition_func_and_bad_input(zk_client: Any) -> None:
    def evens_only(identifier: str, members: list[str], items: Any) -> list[Any]:
        return [x for x in sorted(items) if int(x[-2:]) % 2 == 0]

    p = SetPartitioner(zk_client, "/part", set=ITEMS, partition_func=evens_only, identifier="e",
                       time_boundary=0.2)
    assert p.wait_for_acquire(WAIT)
    assert sorted(p) == ITEMS[::2]
    p.finish()
    with pytest.raises(InvalidArgumentError):
        SetPartitioner(zk_client, "/part", set=ITEMS, time_boundary=-1)
    with pytest.raises(InvalidTypeError):
        SetPartitioner(zk_client, "/part", set=ITEMS, max_reaction_time="1")  # type: ignore[arg-type]
