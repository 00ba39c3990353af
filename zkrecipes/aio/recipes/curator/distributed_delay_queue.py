"""DistributedDelayQueue on asyncio: Curator's delay queue (an item is invisible until due).

The names of :func:`~zkrecipes.recipes.curator._queue_names.delay_prefix`; due
by the consumer's wall clock; a waiting take or consumer wakes at the next
due time. Everything else as :mod:`.distributed_queue`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._queue_base import AsyncQueueBase
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes.curator._queue_engine import now_ms
from zkrecipes.recipes.curator._queue_names import QueueKind, delay_prefix, due_after
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["DistributedDelayQueue"]


class DistributedDelayQueue(AsyncQueueBase):
    """A queue of byte items each hidden until its due time, on asyncio."""

    def __init__(self, client: AsyncRecipeClient, path: str, *,
                 consumer: Callable[[bytes], Any] | None = None, lock_path: str | None = None,
                 error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.DELAY, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    async def put(self, item: bytes, delay_until_epoch_ms: int) -> None:
        """Add ``item``, due at ``delay_until_epoch_ms`` (epoch milliseconds, > 0; Curator's form)."""
        await self.put_multi([item], delay_until_epoch_ms)

    async def put_multi(self, items: Iterable[bytes], delay_until_epoch_ms: int) -> None:
        """Add several items in one node, due at ``delay_until_epoch_ms`` (taken together)."""
        await self._put(delay_prefix(delay_until_epoch_ms), items)

    async def put_after(self, item: bytes, delay: float) -> int:
        """Add ``item`` due ``delay`` seconds from now (this machine's clock); its due time (epoch ms)."""
        due = due_after(check_timeout(delay), now_ms())
        await self.put(item, due)
        return due
