"""The pure rules the sync and asyncio Curator locks share: the wait step, the hold book, the fence rules."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import BadVersionError, LockLostError, LockNotHeldError, NoNodeError
from zkrecipes.recipes._fence_outcome import APPLIED, RESEND
from zkrecipes.recipes.curator._fence_rules import DISAGREE, Fence, combined_verdict, decisive, first_marker
from zkrecipes.recipes.curator._hold_book import HoldBook
from zkrecipes.recipes.curator._ordering import Verdict
from zkrecipes.recipes.curator._wait_rules import Step, next_step
from zkrecipes.states import ZkState


def test_the_step_after_a_verdict() -> None:
    assert next_step(Verdict(True), probe=True, watched=False) is Step.HOLD
    assert next_step(Verdict(False, "x"), probe=True, watched=False) is Step.GIVE_UP
    assert next_step(Verdict(False, "x"), probe=False, watched=False) is Step.WATCH_NODE
    assert next_step(Verdict(False), probe=False, watched=False) is Step.RELIST
    assert next_step(Verdict(False), probe=False, watched=True) is Step.WAIT


def test_holds_are_reentrant_per_owner_and_released_by_their_owner() -> None:
    book: HoldBook[str] = HoldBook("/p")
    assert not book.reenter("a")
    book.record("a", "node-a")
    assert book.reenter("a") and book.held and book.holds("a") and not book.holds("b")
    with pytest.raises(LockNotHeldError):
        book.release("b")
    assert book.release("a") is None  # one of two
    assert book.fence("b") == "node-a"  # another owner's fenced write uses the object's hold
    assert book.release("a") == "node-a"
    assert not book.held and book.first() is None
    with pytest.raises(LockNotHeldError):
        book.fence("a")


def test_a_lost_session_forgets_the_holds_but_accepts_their_releases() -> None:
    book: HoldBook[str] = HoldBook("/p")
    assert book.on_state(ZkState.LOST) is False  # nothing held: nothing lost
    book.record("a", "n")
    assert book.on_state(ZkState.SUSPENDED) is False and book.suspended
    assert book.on_state(ZkState.CONNECTED) is False and not book.suspended
    assert book.on_state(ZkState.LOST) is True
    assert book.lost and not book.held and not book.suspended
    with pytest.raises(LockLostError):
        book.fence("a")
    assert book.release("a") is None
    with pytest.raises(LockNotHeldError):
        book.release("a")  # the lost hold was counted down
    book.record("a", "m")
    assert not book.lost and book.first() == "m"


def test_fence_rules() -> None:
    fence = Fence("/p/n", b"d", 7)
    assert first_marker(fence) == (0, 7, b"d")
    ok, moved, gone = object(), BadVersionError(), NoNodeError()
    assert decisive([ok, moved, gone]) is gone and decisive([ok, moved]) is moved and decisive([ok]) is ok
    assert combined_verdict([None, None]) is None
    assert combined_verdict([APPLIED, None, APPLIED]) is APPLIED
    assert combined_verdict([APPLIED, RESEND]) is DISAGREE
