"""The Lock holder's pure checks (recipes/_holder_rules.py) on constructed data."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import LockLostError, LockNotHeldError, OutcomeUnknownError
from zkrecipes.recipes._holder_rules import applied_read_failed, applied_stat, holder_fence
from zkrecipes.states import ZnodeStat

STAT = ZnodeStat(czxid=1, mzxid=9, ctime=0, mtime=0, version=3, cversion=0, aversion=0, ephemeralOwner=0,
                 dataLength=1, numChildren=0, pzxid=1)


def test_the_holder_gets_its_fence() -> None:
    node = "/l/_c_x-lock-0000000001"
    assert holder_fence("/l", held=True, lost=False, fence=node) == node
    assert holder_fence("/l", held=True, lost=True, fence=node) == node  # held again since the LOST


@pytest.mark.parametrize(("held", "fence"), [(False, "/l/n"), (True, None), (False, None)])
def test_not_held_is_lock_not_held(held: bool, fence: str | None) -> None:
    with pytest.raises(LockNotHeldError, match="lock /l is not held"):
        holder_fence("/l", held=held, lost=False, fence=fence)


@pytest.mark.parametrize(("held", "fence"), [(False, "/l/n"), (True, None), (False, None)])
def test_lost_is_lock_lost(held: bool, fence: str | None) -> None:
    with pytest.raises(LockLostError, match="lock /l was lost with its session"):
        holder_fence("/l", held=held, lost=True, fence=fence)


def test_an_applied_write_returns_the_stat_read_back() -> None:
    assert applied_stat("/t", "fenced_set", STAT) is STAT


def test_an_applied_write_whose_target_went_is_unknown() -> None:
    with pytest.raises(OutcomeUnknownError, match="applied but the node was deleted since") as raised:
        applied_stat("/t", "fenced_set", None)
    assert raised.value.path == "/t"


def test_a_failed_read_back_is_unknown_and_names_the_error() -> None:
    error = applied_read_failed("/t", "fenced_set", TimeoutError("slow"))
    assert isinstance(error, OutcomeUnknownError) and error.path == "/t"
    assert "it was applied but reading it failed (TimeoutError('slow'))" in str(error)
