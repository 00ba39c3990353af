"""SetPartitioner's pure rules (recipes/_partition_rules.py) on constructed data: no server, no threads."""

from __future__ import annotations

import pytest

from zkrecipes.aio.recipes import partitioner as aio_partitioner
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.recipes import partitioner
from zkrecipes.recipes._partition_rules import (
    Next,
    Overtaken,
    PartitionMachine,
    PartitionState,
    SessionVerdict,
    default_partitioner,
    item_lock_path,
    member_layout,
)
from zkrecipes.states import ZkState

A, Q, R, F = (PartitionState.ALLOCATING, PartitionState.ACQUIRED, PartitionState.RELEASE,
              PartitionState.FAILURE)


def _acquired(share: list[object] = [1, 2]) -> PartitionMachine:  # noqa: B006 - never mutated
    machine = PartitionMachine()
    state_id = machine.claim()
    assert state_id is not None
    assert machine.acquire(state_id, share, membership_changed=False)
    return machine


# ------------------------------------------------------------------ naming and share


@pytest.mark.parametrize(("item", "name"), [
    (1, "item-1"), ("a/b", "item-a%2Fb"), ("x y", "item-x%20y"), ("é", "item-%C3%A9"),
    ((1, 2), "item-%281%2C%202%29"),
])
def test_item_lock_names_are_quoted_under_the_lock_path(item: object, name: str) -> None:
    assert item_lock_path("/work/locks", item) == f"/work/locks/{name}"


def test_distinct_items_get_distinct_lock_nodes() -> None:
    items = ["a/b", "a%2Fb", "a b", "a+b", 1, "1.0", "item-1"]
    paths = [item_lock_path("/p/locks", item) for item in items]
    assert len(set(paths)) == len(paths)
    assert all(path.count("/") == 3 for path in paths)


def test_member_layout_puts_party_and_locks_under_the_path() -> None:
    layout = member_layout("/work/", "m1", None, 30, 1)
    assert (layout.path, layout.lock_path, layout.party_path) == ("/work", "/work/locks", "/work/party")
    assert layout.identifier == "m1" and layout.partition_func is default_partitioner
    name, _, token = layout.owner.decode().partition(":")
    assert name == "m1" and len(token) == 32
    assert member_layout("/work", "m1", None, 30, 1).owner != layout.owner  # one owner per object
    assert member_layout("/", "m1", None, 30, 1).lock_path == "/locks"


def test_member_layout_makes_an_identifier_and_keeps_a_partition_func() -> None:
    def mine(identifier: str, members: list[str], items: object) -> list[object]:
        return []

    first, second = member_layout("/p", None, mine, 0, 0), member_layout("/p", None, mine, 0, 0)
    assert first.identifier != second.identifier and first.partition_func is mine


@pytest.mark.parametrize(("arguments", "error"), [
    ((b"/p", None, None, 30, 1), InvalidTypeError),
    (("/p", None, None, -1, 1), InvalidArgumentError),
    (("/p", None, None, 30, float("nan")), InvalidArgumentError),
    (("/p", None, "not callable", 30, 1), InvalidTypeError),
    (("/p", 7, None, 30, 1), InvalidTypeError),
])
def test_member_layout_refuses_bad_arguments(arguments: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        member_layout(*arguments)  # type: ignore[arg-type]


def test_both_front_ends_use_the_one_rule_set() -> None:
    assert partitioner.PartitionState is aio_partitioner.PartitionState is PartitionState
    assert partitioner.default_partitioner is default_partitioner


# ------------------------------------------------------------------ transitions


def test_a_new_machine_allocates_with_an_empty_share() -> None:
    machine = PartitionMachine()
    assert (machine.state, machine.state_id, machine.items()) == (A, 0, [])
    assert machine.allocating and not (machine.acquired or machine.release or machine.failed)


def test_every_transition_grows_state_id_by_one() -> None:
    machine = PartitionMachine()
    for expected, state in enumerate([Q, R, A, Q], start=1):
        machine.enter(state)
        assert machine.state_id == expected and machine.state is state


def test_acquire_lists_the_share_only_while_acquired() -> None:
    machine = _acquired(["x", "y"])
    assert machine.state is Q and machine.state_id == 1
    assert machine.items() == ["x", "y"]
    machine.items().append("z")  # a copy
    assert machine.items() == ["x", "y"]
    assert machine.membership_changed(1)
    assert machine.state is R and machine.items() == []


def test_an_overtaken_allocation_does_not_acquire() -> None:
    machine = PartitionMachine()
    assert not machine.acquire(0, [1], membership_changed=True)
    assert machine.state is A and machine.state_id == 0
    machine.enter(R)
    assert not machine.acquire(0, [1], membership_changed=False)
    assert machine.state is R and machine.items() == []


def test_claim_runs_only_in_allocating_and_under_the_id_it_started_with() -> None:
    machine = PartitionMachine()
    assert machine.claim() == 0 and machine.claim(0) == 0
    machine.enter(R)
    assert machine.claim() is None and machine.claim(1) is None
    machine.enter(A)
    assert machine.claim(0) is None  # started before the RELEASE: stale
    assert machine.claim(2) == 2 and machine.claim() == 2


def test_should_abort_on_a_transition_or_a_party_change() -> None:
    machine = PartitionMachine()
    assert not machine.should_abort(0, membership_changed=False)
    assert machine.should_abort(0, membership_changed=True)
    machine.enter(R)
    assert machine.should_abort(0, membership_changed=False)
    assert not machine.is_current(0) and machine.is_current(1)


def test_a_stale_membership_change_is_ignored() -> None:
    machine = _acquired()
    machine.enter(R)
    machine.enter(A)
    assert not machine.membership_changed(1)
    assert machine.state is A and machine.state_id == 3


# ------------------------------------------------------------------ session states


def test_suspended_releases_once_and_empties_the_share() -> None:
    machine = _acquired()
    assert machine.on_session(ZkState.SUSPENDED) is SessionVerdict.RELEASED
    assert machine.state is R and machine.share == [] and machine.state_id == 2
    assert machine.on_session(ZkState.SUSPENDED) is SessionVerdict.NONE  # RELEASE already
    assert machine.state_id == 2


def test_suspended_while_allocating_releases_too() -> None:
    machine = PartitionMachine()
    assert machine.on_session(ZkState.SUSPENDED) is SessionVerdict.RELEASED
    assert machine.state is R


def test_connected_changes_nothing() -> None:
    machine = _acquired()
    assert machine.on_session(ZkState.CONNECTED) is SessionVerdict.NONE
    assert machine.state is Q and machine.items() == [1, 2]


def test_lost_asks_to_fail_out_and_forgets_the_share_at_once() -> None:
    machine = _acquired()
    assert machine.on_session(ZkState.LOST) is SessionVerdict.FAIL_OUT
    assert machine.share == [] and machine.items() == []
    assert machine.fail() and machine.state is F
    assert machine.on_session(ZkState.CONNECTED) is SessionVerdict.REMOVE_LISTENER
    assert machine.on_session(ZkState.LOST) is SessionVerdict.REMOVE_LISTENER


# ------------------------------------------------------------------ failure, release, restart


def test_failure_is_entered_once_and_never_left() -> None:
    machine = _acquired()
    assert machine.fail()
    assert (machine.state, machine.state_id, machine.share) == (F, 2, [])
    assert not machine.fail() and machine.state_id == 2
    assert machine.release_set(locks_left=False) is Next.STOP
    assert machine.claim() is None
    assert not machine.membership_changed(1)
    assert machine.state is F and machine.state_id == 2


def test_release_set_allocates_again_or_fails_out() -> None:
    machine = _acquired()
    machine.on_session(ZkState.SUSPENDED)
    assert machine.release_set(locks_left=True) is Next.FAIL_OUT
    assert machine.state is R  # the front end fails out
    assert machine.release_set(locks_left=False) is Next.ALLOCATE
    assert machine.state is A and machine.state_id == 3


def test_overtaken_by_a_transition_keeps_it_by_finish_drops_the_locks() -> None:
    machine = PartitionMachine()
    assert machine.overtaken(0) is Overtaken.RELEASE_LOCKS  # a party change: still current
    machine.on_session(ZkState.SUSPENDED)
    assert machine.overtaken(0) is Overtaken.KEEP
    machine.fail()
    assert machine.overtaken(0) is Overtaken.DROP_LOCKS
    assert machine.overtaken(machine.state_id) is Overtaken.RELEASE_LOCKS


def test_restart_after_the_locks_went() -> None:
    machine = PartitionMachine()
    assert machine.restart(0, locks_left=False) is Next.ALLOCATE
    assert machine.restart(0, locks_left=True) is Next.FAIL_OUT
    machine.enter(R)  # a SUSPENDED while the locks were released
    assert machine.restart(0, locks_left=False) is Next.STOP
    assert machine.state is R and machine.state_id == 1  # restart decides, it does not move


def test_kazoo_loop_over_constructed_events() -> None:
    """ALLOCATING → ACQUIRED → RELEASE → ALLOCATING → ACQUIRED → SUSPENDED → RELEASE → LOST → FAILURE."""
    machine = PartitionMachine()
    seen = [machine.state]
    first = machine.claim()
    share = default_partitioner("a", ["a", "b"], [1, 2, 3])
    assert first is not None and machine.acquire(first, share, membership_changed=False)
    seen.append(machine.state)
    assert machine.items() == [1, 3]
    assert machine.membership_changed(machine.state_id)
    seen.append(machine.state)
    assert machine.release_set(locks_left=False) is Next.ALLOCATE
    seen.append(machine.state)
    second = machine.claim()
    share = default_partitioner("a", ["a"], [1, 2, 3])
    assert second is not None and machine.acquire(second, share, membership_changed=False)
    seen.append(machine.state)
    assert machine.on_session(ZkState.SUSPENDED) is SessionVerdict.RELEASED
    seen.append(machine.state)
    assert machine.on_session(ZkState.LOST) is SessionVerdict.FAIL_OUT and machine.fail()
    seen.append(machine.state)
    assert seen == [A, Q, R, A, Q, R, F]
    assert machine.state_id == len(seen) - 1
