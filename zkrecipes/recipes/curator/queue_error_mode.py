"""ErrorMode: what a queue consumer with a lock path does with an item its callable failed on."""

from __future__ import annotations

import enum

__all__ = ["ErrorMode"]


class ErrorMode(enum.Enum):
    """Curator's ``ErrorMode`` (it matters only with a lock path).

    ``REQUEUE`` (the default): the item node goes back to the queue under its
    own name prefix (priority, due time or id kept) with a new sequence, in the
    same transaction that deletes it; its remaining items in a ``put_multi``
    node are handed over again with it. ``DELETE``: the item is deleted as if
    it had been processed. Without a lock path an item is deleted before the
    consumer runs, so a failure loses it (Curator's "at most once").
    """

    REQUEUE = "requeue"
    DELETE = "delete"
