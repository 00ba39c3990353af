"""LockingQueue.consume after a lost reply: what the state read back proves (pure; both front ends).

``consume`` deletes the entry and the consumer's ``taken/<entry>`` node in one
transaction. When its reply is lost with the connection, it is never sent again
blindly: a second run on a live session would fail on NoNode and report
"nothing removed" for an item the first run removed. The caller reads back
whether the entry exists (noting the session before and after the read) and,
if it does, the taken node, then asks :func:`consume_verdict`:

* entry gone, read on the very session that held the item → **APPLIED** (no
  one else removes an entry while our ephemeral taken node lives);
* entry gone after the session changed → **UNKNOWN** (another consumer may have
  taken it after our node went with the session);
* entry there (the transaction is atomic, entry names are never reused: not
  applied) and our taken node still ours → **RESEND** (safe to send again);
* entry there and the taken node gone or not ours → **NOT_APPLIED** (the item
  went back to the queue with the session).
"""

from __future__ import annotations

import enum

from zkrecipes.exceptions import OutcomeUnknownError

__all__ = ["ConsumeVerdict", "consume_unknown", "consume_verdict"]


class ConsumeVerdict(enum.Enum):
    """What a lost consume reply turned out to mean."""

    APPLIED = "applied"
    NOT_APPLIED = "not applied"
    RESEND = "resend"
    UNKNOWN = "unknown"


def consume_verdict(*, entry_there: bool, held_session: int | None,
                    read_sessions: tuple[int | None, int | None], taken_is_ours: bool) -> ConsumeVerdict:
    """The verdict for what was read back (see the module docstring).

    ``held_session``: the session id when the transaction was sent; ``read_sessions``: the
    session ids just before and just after the entry was read; ``taken_is_ours``: the taken
    node exists, holds our id and belongs to the current session (ignored when the entry is gone).
    """
    if not entry_there:
        before, after = read_sessions
        if held_session is not None and before == after == held_session:
            return ConsumeVerdict.APPLIED
        return ConsumeVerdict.UNKNOWN
    return ConsumeVerdict.RESEND if taken_is_ours else ConsumeVerdict.NOT_APPLIED


def consume_unknown(entry: str, value: bytes, why: str) -> OutcomeUnknownError:
    """The error of a consume whose outcome cannot be established (it carries the item's ``value``)."""
    return OutcomeUnknownError(f"queue consume of {entry}: {why}; it may or may not have been removed",
                               path=entry, operation="queue consume", value=value)
