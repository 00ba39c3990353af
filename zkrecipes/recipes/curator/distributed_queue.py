"""DistributedQueue: Curator's queue with framed items, on Curator's znode layout.

Interoperable with Curator's ``DistributedQueue`` on the same path (and lock
path): items are ``<path>/queue-<seq>`` (PERSISTENT_SEQUENTIAL) holding one or
more items in Curator's framing (:mod:`._queue_format`); ``<path>`` itself is
created with the default data (parents as containers). Consumers take nodes in
name order and skip names not starting with ``queue-``.

* **Without a lock path** (Curator's default): a node is deleted before its
  items are handed over — "at most once": an item taken by a consumer that
  then dies is gone.
* **With** ``lock_path`` (Curator's ``QueueBuilder.lockPath``): "at least
  once" — the consumer holds the ephemeral ``<lock_path>/<node>`` while it
  processes, then deletes node and lock in one transaction; if its session
  ends first, another consumer (Curator's or ours) takes the node. A consumer
  whose session was LOST never deletes a node another consumer took since
  (:mod:`._queue_lock`). A failing ``consumer`` requeues the node
  (:class:`ErrorMode`).

Items are bytes here (Curator's ``QueueSerializer`` is the user's: a Java
peer with a UTF-8 String serializer reads ``"text".encode()``). Pull with
:meth:`take`, or give ``consumer=`` and :meth:`start` a consumer thread.
A node holding several items (``put_multi``) is returned one item per
``take`` (the others are kept in this object, already deleted from ZooKeeper).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.recipes.curator._queue_base import QueueBase
from zkrecipes.recipes.curator._queue_names import PREFIX, QueueKind
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["DistributedQueue"]


class DistributedQueue(QueueBase):
    """A FIFO of byte items shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, *, consumer: Callable[[bytes], Any] | None = None,
                 lock_path: str | None = None, error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.FIFO, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    def put(self, item: bytes) -> None:
        """Append one item (a retried create after a lost reply may append it twice)."""
        self.put_multi([item])

    def put_multi(self, items: Iterable[bytes]) -> None:
        """Append several items in one node (taken together, in order)."""
        self._put(PREFIX, items)
