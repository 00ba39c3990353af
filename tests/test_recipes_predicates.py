"""The pure decisions of the recipes: contender parsing, the lock policies, Semaphore's lease decision, …

No server and no client: names in, verdicts out.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkrecipes import ZnodeStat
from zkrecipes.exceptions import MalformedNodeDataError
from zkrecipes.recipes._nodes import is_own_ephemeral
from zkrecipes.recipes._predicates import (
    BlockedBy,
    Contender,
    LeaseVerdict,
    Verdict,
    lease_decision,
    locate,
    lock_policy,
    parse_contenders,
    read_lock_policy,
    write_lock_policy,
)
from zkrecipes.recipes._sequence import Restart, contender_regex, nearest_lower
from zkrecipes.recipes.barrier import LeaveStep, leave_step
from zkrecipes.recipes.counter import set_was_not_applied
from zkrecipes.recipes.lease import may_take_lease
from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock

W, R = "__lock__", "__rlock__"


def _name(letter: str, kind: str, seq: int) -> str:
    return f"_c_{letter * 32}-{kind}{seq:010d}"


def _decide(policy: BlockedBy, node: str, children: list[str]) -> Verdict:
    contenders = parse_contenders(children, policy.kinds)
    return policy.decide(contenders, locate(node, contenders))


# ---------------------------------------------------------------------------- parsing


def test_parse_contenders_sorts_by_number_and_keeps_the_kind() -> None:
    names = [_name("f", W, 2), "lease_holder", _name("0", R, 10), _name("9", W, 1), "x-__other__0000000003"]
    assert parse_contenders(names, {W, R}) == [
        Contender(1, names[3], W),
        Contender(2, names[0], W),
        Contender(10, names[2], R),
    ]
    # only the kinds asked for are read
    assert [c.kind for c in parse_contenders(names, {W})] == [W, W]


def test_parse_contenders_orders_a_wrapped_counter_first() -> None:
    names = ["a-__lock__2147483647", "b-__lock__-2147483648", "c-__lock__-2147483647"]
    assert [c.name for c in parse_contenders(names, {W})] == [names[1], names[2], names[0]]


def test_parse_contenders_prefers_the_longer_kind_at_the_same_place() -> None:
    # "lock__" ends "__lock__": a name created as __lock__ is of kind __lock__
    (contender,) = parse_contenders(["g-__lock__0000000001"], {"lock__", "__lock__"})
    assert contender.kind == "__lock__"


def test_legacy_kazoo_names_are_contenders_too() -> None:
    kazoo = f"{'a' * 32}__lock__0000000004"  # kazoo's <guid>__lock__<seq>
    assert [c.sequence for c in parse_contenders([kazoo], {W})] == [4]


def test_locate_finds_our_node_or_restarts() -> None:
    contenders = parse_contenders([_name("a", W, 1), _name("b", W, 2)], {W})
    assert locate(_name("b", W, 2), contenders) == 1
    with pytest.raises(Restart):
        locate(_name("c", W, 3), contenders)


# ---------------------------------------------------------------------------- the lock policies


def test_lowest_lock_contender_holds_and_the_others_watch_their_predecessor() -> None:
    children = [_name("a", W, 1), _name("b", W, 2), _name("c", W, 3)]
    policy = lock_policy()
    assert _decide(policy, children[0], children) == Verdict(True)
    assert _decide(policy, children[1], children) == Verdict(False, children[0], sole=True)
    assert _decide(policy, children[2], children) == Verdict(False, children[1], sole=False)


def test_plain_lock_does_not_see_readers_but_extra_patterns_block() -> None:
    children = [_name("a", R, 1), _name("b", W, 2)]
    assert _decide(lock_policy(), children[1], children).holds
    assert _decide(lock_policy([R]), children[1], children) == Verdict(False, children[0], sole=True)


def test_writer_waits_for_every_kind_and_reader_only_for_writers() -> None:
    children = [_name("a", W, 1), _name("b", R, 2), _name("c", R, 3), _name("d", W, 4), _name("e", R, 5)]
    write, read = write_lock_policy(), read_lock_policy()
    # a writer waits for the nearest contender of either kind
    assert _decide(write, children[3], children) == Verdict(False, children[2], sole=False)
    # a reader waits for the nearest earlier writer, ignoring readers
    assert _decide(read, children[2], children) == Verdict(False, children[0], sole=True)
    assert _decide(read, children[4], children) == Verdict(False, children[3], sole=False)
    # readers behind no writer hold the read lock together
    assert _decide(read, children[2], children[1:3]).holds
    assert _decide(read, children[1], children[1:]).holds
    assert _decide(write, children[0], children).holds


def test_the_recipes_use_their_policies() -> None:
    assert (lock_policy().node_name, lock_policy().blocking) == (W, frozenset({W}))
    assert write_lock_policy().blocking == frozenset({W, R}) and write_lock_policy().node_name == W
    assert read_lock_policy().blocking == frozenset({W}) and read_lock_policy().node_name == R
    assert read_lock_policy().kinds == frozenset({W, R})
    assert Lock._POLICY is lock_policy and WriteLock._POLICY is write_lock_policy
    assert ReadLock._POLICY is read_lock_policy


def _suffix(seq: int) -> str:
    """ZooKeeper's ``%010d`` sequence suffix (a wrapped counter is negative: ``-2147483648``)."""
    return f"{seq:010d}" if seq >= 0 else f"-{-seq:010d}"


@given(
    st.lists(st.tuples(st.integers(min_value=-(2**31), max_value=2**31 - 1), st.booleans()),
             min_size=1, max_size=25, unique_by=lambda t: t[0]),
    st.data(),
)
def test_policies_agree_with_nearest_lower(entries: list[tuple[int, bool]], data: st.DataObject) -> None:
    """The policy verdict equals the nearest_lower search for every kind and layout."""
    kinds = [W if writer else R for _, writer in entries]
    names = [f"x-{kind}{_suffix(seq)}" for (seq, _), kind in zip(entries, kinds, strict=True)]
    index = data.draw(st.integers(min_value=0, max_value=len(names) - 1))
    mine = names[index]
    policies = [write_lock_policy(), lock_policy()] if kinds[index] == W else [read_lock_policy()]
    for policy in policies:
        ahead, count = nearest_lower(mine, names, contender_regex(policy.blocking), policy.node_name)
        verdict = _decide(policy, mine, names)
        assert verdict.holds == (ahead is None)
        if ahead is not None:
            assert verdict == Verdict(False, ahead, count == 1)


def test_no_herd_each_waiter_watches_a_different_node() -> None:
    children = [_name(letter, W, seq) for seq, letter in enumerate("abcdefgh")]
    watched = [_decide(lock_policy(), node, children).watch for node in children[1:]]
    assert watched == children[:-1]


# ---------------------------------------------------------------------------- semaphore


@pytest.mark.parametrize(
    ("pool", "limit", "expected"),
    [
        ([], 1, LeaseVerdict.TAKE),
        (["other"], 1, LeaseVerdict.WAIT),
        (["other"], 2, LeaseVerdict.TAKE),
        (["other", "third"], 2, LeaseVerdict.WAIT),
        (["other", "mine"], 2, LeaseVerdict.HELD),
        (["mine", "a", "b"], 1, LeaseVerdict.HELD),  # ours even if the limit was lowered meanwhile
    ],
)
def test_lease_decision(pool: list[str], limit: int, expected: LeaseVerdict) -> None:
    assert lease_decision(pool, "mine", limit) is expected
    assert lease_decision(iter(pool), "mine", limit) is expected  # any iterable


# ---------------------------------------------------------------------------- other pure decisions


def _stat(version: int = 0, owner: int = 0) -> ZnodeStat:
    return ZnodeStat(1, 1, 0, 0, version, 0, 0, owner, 0, 0, 1)


@pytest.mark.parametrize(
    ("members", "me", "expected"),
    [
        ([], "b", LeaveStep(True, True, None)),  # everyone gone: ours too (already), done
        (["b"], "b", LeaveStep(True, True, None)),  # last one: delete ours, done
        (["a", "b", "c"], "a", LeaveStep(False, False, "c")),  # the lowest waits for the highest
        (["a", "b", "c"], "b", LeaveStep(False, True, "a")),  # the others go, then wait for the lowest
        (["a", "c"], "b", LeaveStep(False, False, "a")),  # already gone: only wait
    ],
)
def test_double_barrier_leave_step(members: list[str], me: str, expected: LeaveStep) -> None:
    assert leave_step(members, me) == expected


def test_counter_lost_reply_is_known_not_applied_only_when_certain() -> None:
    assert set_was_not_applied(b"5", 7, b"5", 7)  # still at our version: retry
    assert set_was_not_applied(b"6", 8, b"5", 7)  # someone else's set at our version won
    assert not set_was_not_applied(b"5", 8, b"5", 7)  # ours, or another client's identical change
    assert not set_was_not_applied(b"5", 9, b"5", 7)  # another set landed after ours or instead


def test_own_ephemeral_needs_our_data_and_our_session() -> None:
    assert is_own_ephemeral(b"me", _stat(owner=7), b"me", 7)
    assert not is_own_ephemeral(b"me", _stat(owner=8), b"me", 7)  # an earlier session's node
    assert not is_own_ephemeral(b"other", _stat(owner=7), b"me", 7)
    assert not is_own_ephemeral(b"me", _stat(owner=7), b"me", None)  # no session: cannot be ours


def test_lease_may_be_taken_when_ended_or_ours_and_never_in_another_format() -> None:
    now = datetime.datetime(2026, 1, 1, 12, 0, 0)
    running = {"version": 1, "holder": "a", "end": "2026-01-01T12:00:01"}
    ended = {"version": 1, "holder": "a", "end": "2026-01-01T12:00:00"}
    assert not may_take_lease(running, "b", now, "/l")
    assert may_take_lease(running, "a", now, "/l")  # a renewal
    assert may_take_lease(ended, "b", now, "/l")  # ends at its end time
    assert not may_take_lease({**ended, "version": 2}, "b", now, "/l")
    with pytest.raises(MalformedNodeDataError):
        may_take_lease({"version": 1, "holder": "a"}, "b", now, "/l")
