"""The LockingQueue consume verdict after a lost reply (pure rule shared by both front ends)."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import OutcomeUnknownError
from zkrecipes.recipes._consume_outcome import ConsumeVerdict, consume_unknown, consume_verdict


@pytest.mark.parametrize(("entry_there", "held", "reads", "ours", "expected"), [
    (False, 7, (7, 7), False, ConsumeVerdict.APPLIED),      # gone while our node lived: ours
    (False, 7, (7, 8), False, ConsumeVerdict.UNKNOWN),      # session changed during the read
    (False, 7, (8, 8), True, ConsumeVerdict.UNKNOWN),       # read on another session
    (False, None, (None, None), False, ConsumeVerdict.UNKNOWN),
    (True, 7, (7, 7), True, ConsumeVerdict.RESEND),         # not applied, still ours
    (True, 7, (8, 8), False, ConsumeVerdict.NOT_APPLIED),   # not applied, item back in the queue
])
def test_verdict(entry_there: bool, held: int | None, reads: tuple[int | None, int | None], ours: bool,
                 expected: ConsumeVerdict) -> None:
    assert consume_verdict(entry_there=entry_there, held_session=held, read_sessions=reads,
                           taken_is_ours=ours) is expected


def test_unknown_names_the_entry_and_carries_the_value() -> None:
    error = consume_unknown("/q/entries/entry-1", b"v", "why")
    assert isinstance(error, OutcomeUnknownError)
    assert (error.path, error.operation, error.value) == ("/q/entries/entry-1", "queue consume", b"v")
    assert "why" in str(error)
