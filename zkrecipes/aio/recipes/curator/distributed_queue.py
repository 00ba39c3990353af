"""DistributedQueue on asyncio: Curator's queue with framed items, shared with sync and Curator peers.

The layout, order and lock-path rules of :mod:`zkrecipes.recipes.curator.distributed_queue`
(items ``<path>/queue-<seq>``; with ``lock_path`` at least once, the session
marker rule keeping a consumer whose session was LOST from deleting what
another consumer holds). Pull with ``await take(timeout)``, at least once with
``async with take_locked(timeout) as item``, or give ``consumer=`` (a coroutine
function or a callable) and ``await start()``. Cancellation: a cancelled
``take`` leaves no lock node and loses no item; ``close()`` removes every watch
and listener the object added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._queue_base import AsyncQueueBase
from zkrecipes.recipes.curator._queue_names import PREFIX, QueueKind
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["DistributedQueue"]


class DistributedQueue(AsyncQueueBase):
    """A FIFO of byte items shared with Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, *,
                 consumer: Callable[[bytes], Any] | None = None, lock_path: str | None = None,
                 error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.FIFO, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    async def put(self, item: bytes) -> None:
        """Append one item (a retried create after a lost reply may append it twice)."""
        await self.put_multi([item])

    async def put_multi(self, items: Iterable[bytes]) -> None:
        """Append several items in one node (taken together, in order)."""
        await self._put(PREFIX, items)
