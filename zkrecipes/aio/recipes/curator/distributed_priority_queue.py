"""DistributedPriorityQueue on asyncio: Curator's priority queue (lowest priority first).

The names of :func:`~zkrecipes.recipes.curator._queue_names.priority_prefix`;
everything else as :mod:`.distributed_queue`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._queue_base import AsyncQueueBase
from zkrecipes.recipes.curator._queue_names import QueueKind, priority_prefix
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["DistributedPriorityQueue"]


class DistributedPriorityQueue(AsyncQueueBase):
    """A queue of byte items taken lowest priority first, on asyncio."""

    def __init__(self, client: AsyncRecipeClient, path: str, *,
                 consumer: Callable[[bytes], Any] | None = None, lock_path: str | None = None,
                 error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.PRIORITY, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    async def put(self, item: bytes, priority: int) -> None:
        """Add ``item`` with ``priority`` (a 32-bit signed int; lower is taken first)."""
        await self.put_multi([item], priority)

    async def put_multi(self, items: Iterable[bytes], priority: int) -> None:
        """Add several items in one node with ``priority`` (taken together, in order)."""
        await self._put(priority_prefix(priority), items)
