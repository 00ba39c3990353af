"""The session guard's pure bookkeeping (recipes/_guard_rules.py) on constructed data: no client, no loop."""

from __future__ import annotations

import pytest

from zkrecipes.aio.recipes._guard import AsyncSessionGuard
from zkrecipes.exceptions import CancelledError
from zkrecipes.recipes._guard_rules import FIELD_DOCS, BookField, GuardBook, StateVerdict, backoff_pause
from zkrecipes.recipes._sequence import Restart
from zkrecipes.recipes._session_guard import SessionGuard
from zkrecipes.states import ZkState


def _listening(suspended_now: bool = False) -> tuple[GuardBook[str], str]:
    book: GuardBook[str] = GuardBook()
    assert book.listen("first", suspended_now) is None
    return book, "first"


def _holding() -> tuple[GuardBook[str], str]:
    book, me = _listening()
    book.mark_held(book.epoch)
    return book, me


def test_a_new_book_holds_nothing() -> None:
    book: GuardBook[str] = GuardBook()
    assert (book.cancelled, book.held, book.lost, book.suspended, book.epoch, book.survives_session) == (
        False, False, False, False, 0, False)
    assert book.listener is None


def test_listen_replaces_the_listener_and_takes_the_connection_as_it_is() -> None:
    book, _ = _listening(suspended_now=True)
    assert book.suspended
    assert book.listen("second", suspended_now=False) == "first"
    assert book.listener == "second" and not book.suspended
    assert book.on_state("first", ZkState.SUSPENDED) is StateVerdict.STALE
    assert not book.suspended  # a stale listener changes nothing


def test_stop_drops_the_listener_and_suspended() -> None:
    book, me = _listening(suspended_now=True)
    assert book.stop() == me
    assert book.listener is None and not book.suspended
    assert book.stop() is None
    assert book.on_state(me, ZkState.LOST) is StateVerdict.STALE and book.epoch == 0


def test_suspended_then_connected() -> None:
    book, me = _listening()
    assert book.on_state(me, ZkState.SUSPENDED) is StateVerdict.WAKE and book.suspended
    assert book.on_state(me, ZkState.CONNECTED) is StateVerdict.WAKE and not book.suspended
    assert book.epoch == 0


def test_lost_while_waiting_bumps_the_epoch_only() -> None:
    book, me = _listening()
    book.on_state(me, ZkState.SUSPENDED)
    assert book.on_state(me, ZkState.LOST) is StateVerdict.WAKE
    assert (book.epoch, book.suspended, book.held, book.lost) == (1, False, False, False)
    assert book.listener == me  # the waiter keeps listening in the new session


def test_lost_while_held_is_reported_once() -> None:
    book, me = _holding()
    assert book.on_state(me, ZkState.LOST) is StateVerdict.LOST_HELD
    assert (book.held, book.lost, book.epoch, book.listener) == (False, True, 1, None)
    assert book.on_state(me, ZkState.LOST) is StateVerdict.STALE
    assert book.epoch == 1


def test_a_node_that_survives_the_session_is_not_released_by_lost() -> None:
    book, me = _holding()
    book.survives_session = True
    book.on_state(me, ZkState.SUSPENDED)
    assert book.on_state(me, ZkState.LOST) is StateVerdict.WAKE
    assert (book.held, book.lost, book.epoch, book.suspended) == (True, False, 0, False)


def test_mark_held_only_in_the_epoch_the_acquisition_began() -> None:
    book, me = _listening()
    epoch = book.epoch
    book.on_state(me, ZkState.LOST)
    with pytest.raises(Restart):
        book.mark_held(epoch)
    assert not book.held
    book.lost = True
    book.mark_held(book.epoch)
    assert book.held and not book.lost


def test_check_round_cancel_before_restart() -> None:
    book, me = _listening()
    book.check_round(0, "/l")
    book.on_state(me, ZkState.LOST)
    with pytest.raises(Restart):
        book.check_round(0, "/l")
    book.cancelled = True
    with pytest.raises(CancelledError, match="acquire of /l cancelled"):
        book.check_round(0, "/l")
    with pytest.raises(CancelledError):
        book.check_round(book.epoch, "/l")


@pytest.mark.parametrize(("connected", "attempt", "pause"), [
    (False, 0, 1.0), (False, 9, 1.0), (True, 0, 0.05), (True, 1, 0.1), (True, 3, 0.4), (True, 4, 0.8),
    (True, 5, 1.0), (True, 40, 1.0),
])
def test_backoff_pause(connected: bool, attempt: int, pause: float) -> None:
    assert backoff_pause(connected, attempt) == pytest.approx(pause)


@pytest.mark.parametrize("guard", [SessionGuard, AsyncSessionGuard])
def test_both_guards_keep_their_fields_in_one_book(guard: type) -> None:
    for name, doc in FIELD_DOCS.items():
        field = getattr(guard, name)
        assert isinstance(field, BookField) and field.__doc__ == doc
    assert set(FIELD_DOCS) == {name for name in vars(GuardBook()) if name != "listener"}


def test_book_field_reads_and_writes_the_book() -> None:
    class Holder:
        held = BookField[bool]()
        epoch = BookField[int]()

        def __init__(self) -> None:
            self.book: GuardBook[str] = GuardBook()

    holder = Holder()
    holder.held = True
    holder.epoch += 2
    assert holder.book.held and holder.book.epoch == 2
    holder.book.held = False
    assert holder.held is False
    assert "held" not in vars(holder)
