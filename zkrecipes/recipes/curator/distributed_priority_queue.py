"""DistributedPriorityQueue: Curator's priority queue, on Curator's znode layout.

Interoperable with Curator's ``DistributedPriorityQueue`` on the same path:
an item of priority ``p`` is ``<path>/queue-<s><%08X><seq>`` where ``s`` is
``1`` for ``p >= 0`` and ``0`` for a negative ``p`` and ``%08X`` is ``p``'s
32-bit two's complement; consumers take nodes in name order, so the **lowest
priority comes first**, negatives before non-negatives, ties in put order.
The priority is fixed when an item is put: a consumer that already listed the
queue may take an earlier, less urgent item before a newer, more urgent one.
Taking, the lock path, the consumer thread and the error policy are those of
:class:`~zkrecipes.recipes.curator.DistributedQueue`; a requeued item keeps
its priority (Curator's requeue drops it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.recipes.curator._queue_base import QueueBase
from zkrecipes.recipes.curator._queue_names import QueueKind, priority_prefix
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["DistributedPriorityQueue"]


class DistributedPriorityQueue(QueueBase):
    """A queue of byte items taken lowest priority first (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, *, consumer: Callable[[bytes], Any] | None = None,
                 lock_path: str | None = None, error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.PRIORITY, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    def put(self, item: bytes, priority: int) -> None:
        """Add ``item`` with ``priority`` (a 32-bit signed int; lower is taken first)."""
        self.put_multi([item], priority)

    def put_multi(self, items: Iterable[bytes], priority: int) -> None:
        """Add several items in one node with ``priority`` (taken together, in order)."""
        self._put(priority_prefix(priority), items)
