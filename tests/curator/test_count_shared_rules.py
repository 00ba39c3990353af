"""The pure rules the sync and asyncio counters and double barriers share.

``_conditional_write.settle`` / ``same_read`` (the read-back verdict raised as
OutcomeUnknownError, the stale-read refusal), ``_encoding.wrap_long`` (Java's
``long`` arithmetic) and ``_barrier_rules`` (enter's re-check, leave's order).
"""

from __future__ import annotations

import asyncio

import pytest

from zkrecipes.exceptions import OutcomeUnknownError
from zkrecipes.recipes.curator._barrier_rules import OPEN, REJOIN, WAIT, LeaveStep, enter_step, leave_step
from zkrecipes.recipes.curator._conditional_write import LOST_RACE, NOT_APPLIED, same_read, settle
from zkrecipes.recipes.curator._encoding import wrap_long
from zkrecipes.states import ZnodeStat


def stat(version: int, mzxid: int) -> ZnodeStat:
    return ZnodeStat(1, mzxid, 0, 0, version, 0, 0, 0, 4, 0, 1)


def test_settle_returns_the_verdict_or_raises_unknown_from_the_cause() -> None:
    cause = asyncio.CancelledError()
    assert settle("/c", "op", 3, 50, b"new", (b"old", stat(3, 50)), cause) == NOT_APPLIED
    assert settle("/c", "op", 3, 50, b"new", (b"other", stat(4, 60)), cause) == LOST_RACE
    assert settle("/c", "op", None, 0, b"new", None, cause) == NOT_APPLIED  # a create never applied
    with pytest.raises(OutcomeUnknownError) as raised:
        settle("/c", "op", 3, 50, b"new", (b"new", stat(4, 60)), cause)  # ours, or an identical write
    assert raised.value.__cause__ is cause and raised.value.path == "/c" and raised.value.operation == "op"
    with pytest.raises(OutcomeUnknownError):
        settle("/c", "op", 3, 50, b"new", (b"x", stat(7, 90)), cause)  # moved further on
    with pytest.raises(OutcomeUnknownError):
        settle("/c", "op", 3, 50, b"new", None, cause)  # deleted


def test_same_read_compares_version_mzxid_and_value() -> None:
    assert same_read((1, 10, b"a"), (1, 10, b"a"))
    assert not same_read((1, 10, b"a"), (1, 11, b"a"))  # same version, another write (wrapped)
    assert not same_read((1, 10, b"a"), (1, 10, b"b"))


def test_long_arithmetic_wraps_as_javas() -> None:
    assert wrap_long(2**63 - 1 + 1) == -(2**63)
    assert wrap_long(-(2**63) - 1) == 2**63 - 1
    assert wrap_long(5) == 5


def test_enter_rechecks_and_counts_every_child() -> None:
    assert enter_step(["a", "b"], "a", 3) == WAIT
    assert enter_step(["a", "b", "c"], "a", 3) == OPEN
    assert enter_step(["a", "b", "stray"], "a", 3) == OPEN  # every child counts, as in Curator
    assert enter_step(["b", "c", "d"], "a", 3) == REJOIN  # ours went with the session: join again first


def test_leave_lowest_waits_for_highest_others_for_lowest() -> None:
    assert leave_step(["b", "a", "c", "ready"], "a", True) == LeaveStep(False, False, "c")
    assert leave_step(["b", "a", "c"], "c", True) == LeaveStep(False, True, "a")
    assert leave_step(["a", "c"], "c", False) == LeaveStep(False, False, "a")  # deleted already: wait
    assert leave_step(["a", "ready"], "a", True) == LeaveStep(True, True, None)  # the last one out
    assert leave_step(["ready"], "a", False) == LeaveStep(True, False, None)
    assert leave_step([], "a", True) == LeaveStep(True, False, None)
    with pytest.raises(RuntimeError):
        leave_step(["b", "c"], "a", True)  # ours is missing before we deleted it
