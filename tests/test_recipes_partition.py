"""SetPartitioner's default partition function: deterministic, disjoint, complete, balanced."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from zkrecipes.recipes.partitioner import PartitionState, default_partitioner

members_st = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8, unique=True)
items_st = st.lists(
    st.one_of(
        st.integers(-1000, 1000), st.text(max_size=6), st.tuples(st.integers(0, 9), st.text(max_size=2))
    ),
    unique=True,
    max_size=40,
)


def _shares(members: list[str], items: list[Any]) -> dict[str, list[Any]]:
    return {m: default_partitioner(m, members, items) for m in members}


def test_round_robin_over_sorted_members_and_items() -> None:
    members = ["b", "a", "c"]
    items = [5, 3, 1, 4, 2, 0, 6]
    assert _shares(members, items) == {"a": [0, 3, 6], "b": [1, 4], "c": [2, 5]}


def test_a_non_member_gets_nothing() -> None:
    assert default_partitioner("stranger", ["a", "b"], [1, 2, 3]) == []
    assert default_partitioner("a", [], [1, 2, 3]) == []


def test_mixed_item_types_do_not_break_the_ordering() -> None:
    shares = _shares(["m1", "m2"], [1, "1", (1,), 2.0, None])
    assert sorted(map(len, shares.values())) == [2, 3]
    assert sorted(map(repr, shares["m1"] + shares["m2"])) == sorted(map(repr, [1, "1", (1,), 2.0, None]))


@given(members_st, items_st, st.randoms())
def test_every_member_computes_the_same_partition_whatever_the_order(
    members: list[str], items: list[Any], rnd: Any
) -> None:
    expected = _shares(members, items)
    shuffled_members, shuffled_items = list(members), list(items)
    rnd.shuffle(shuffled_members)
    rnd.shuffle(shuffled_items)
    for member in members:
        share = default_partitioner(member, shuffled_members, iter(shuffled_items))
        assert share == expected[member]


@given(members_st, items_st)
def test_shares_are_disjoint_complete_and_balanced(members: list[str], items: list[Any]) -> None:
    shares = _shares(members, items)
    assigned = [item for share in shares.values() for item in share]
    assert sorted(map(repr, assigned)) == sorted(map(repr, items))  # each item exactly once
    sizes = [len(share) for share in shares.values()]
    assert max(sizes) - min(sizes) <= 1


def test_partition_states_keep_kazoos_string_values() -> None:
    assert [str(s) for s in PartitionState] == ["ALLOCATING", "ACQUIRED", "RELEASE", "FAILURE"]
    assert PartitionState("RELEASE") is PartitionState.RELEASE
    assert PartitionState.ACQUIRED == "ACQUIRED"
