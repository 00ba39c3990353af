"""DistributedIdQueue: Curator's queue whose items carry an id they can be removed by.

Interoperable with Curator's ``DistributedIdQueue`` on the same path: an item
with id ``i`` is ``<path>/queue-|<i>|<seq>`` where ``/`` and ``|`` in ``i``
become ``_``; consumers take nodes in sequence order (the name less its
``|<i>|`` part). :meth:`remove` deletes every queued node with an id,
respecting the lock path (a node being processed is not removed). Taking,
the lock path, the consumer thread and the error policy are those of
:class:`~zkrecipes.recipes.curator.DistributedQueue`; a requeued item keeps
its id (as Curator's).

Difference: ``remove(i)`` matches the id as stored (``/`` and ``|`` replaced),
so it removes what ``put(item, i)`` put; Curator's ``remove`` compares the
stored id with the raw one and never matches an id containing ``/`` or ``|``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.recipes.curator._queue_base import QueueBase
from zkrecipes.recipes.curator._queue_names import QueueKind, id_prefix, with_id
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["DistributedIdQueue"]


class DistributedIdQueue(QueueBase):
    """A FIFO of byte items with ids, removable by id (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, *, consumer: Callable[[bytes], Any] | None = None,
                 lock_path: str | None = None, error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.ID, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    def put(self, item: bytes, item_id: str) -> None:
        """Add ``item`` with id ``item_id`` (non-empty; ids need not be unique)."""
        self.put_multi([item], item_id)

    def put_multi(self, items: Iterable[bytes], item_id: str) -> None:
        """Add several items in one node with id ``item_id`` (taken or removed together)."""
        self._put(id_prefix(item_id), items)

    def remove(self, item_id: str) -> int:
        """Delete the queued nodes with id ``item_id``; how many this call deleted.

        A node another consumer is processing (its lock held) or took first is
        not counted. Without a lock path a lost delete reply with the node gone
        raises ``OutcomeUnknownError`` (removed by us or taken by a consumer).
        """
        return self._engine.remove(with_id(self._engine.children(), item_id))

    def is_queued(self, item_id: str) -> bool:
        """True if a node with id ``item_id`` is in the queue now (taken or not due does not matter)."""
        return bool(with_id(self._engine.children(), item_id))
