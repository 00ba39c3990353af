"""What a lock-path consumer's final transaction did, when its reply was lost (pure; no I/O).

The transaction is ``[check(session marker), delete(item), (create(copy)),
delete(lock)]`` (:mod:`._queue_lock`). The session marker is an ephemeral node
of the very session that holds the item's lock, so after a lost reply, read
back in this order — marker, then item:

* marker gone → that session ended: whatever the transaction did, the lock is
  gone and the item (if still there) belongs to the next consumer: **SESSION_GONE**
  (never sent again: on a new session it would act on another consumer's item);
* marker there, item gone → nobody else deletes an item whose lock we hold:
  **APPLIED**;
* marker there, item there → the transaction is atomic and was not applied:
  **RESEND**.
"""

from __future__ import annotations

import enum

__all__ = ["FinishVerdict", "finish_verdict"]


class FinishVerdict(enum.Enum):
    """The outcome of a finishing transaction whose reply was lost."""

    APPLIED = "applied"
    RESEND = "resend"
    SESSION_GONE = "session gone"


def finish_verdict(*, marker_there: bool, item_there: bool) -> FinishVerdict:
    """The verdict for what was read back (the marker first, then the item; see the module docstring)."""
    if not marker_there:
        return FinishVerdict.SESSION_GONE
    return FinishVerdict.RESEND if item_there else FinishVerdict.APPLIED
