"""DistributedIdQueue on asyncio: Curator's id queue (items removable by id).

The names of :func:`~zkrecipes.recipes.curator._queue_names.id_prefix` and the
id match of :func:`~zkrecipes.recipes.curator._queue_names.with_id` (the id as
stored); everything else as :mod:`.distributed_queue`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator import _queue_steps as steps
from zkrecipes.aio.recipes.curator._queue_base import AsyncQueueBase
from zkrecipes.recipes.curator._queue_names import QueueKind, id_prefix, with_id
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["DistributedIdQueue"]


class DistributedIdQueue(AsyncQueueBase):
    """A FIFO of byte items with ids, removable by id, on asyncio."""

    def __init__(self, client: AsyncRecipeClient, path: str, *,
                 consumer: Callable[[bytes], Any] | None = None, lock_path: str | None = None,
                 error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.ID, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    async def put(self, item: bytes, item_id: str) -> None:
        """Add ``item`` with id ``item_id`` (non-empty; ids need not be unique)."""
        await self.put_multi([item], item_id)

    async def put_multi(self, items: Iterable[bytes], item_id: str) -> None:
        """Add several items in one node with id ``item_id`` (taken or removed together)."""
        await self._put(id_prefix(item_id), items)

    async def remove(self, item_id: str) -> int:
        """Delete the queued nodes with id ``item_id``; how many this call deleted (locked ones are not)."""
        names = with_id(await self._engine.children(), item_id)
        count = 0
        for name in names:
            if await self._remove(name):
                count += 1
        return count

    async def _remove(self, name: str) -> bool:
        engine = self._engine
        if engine.locks is None:
            data = await engine.read(name)
            return data is not None and await engine.delete(name, data)
        claim = await steps.claim(engine, name, None)
        return claim is not None and await steps.finish_claim(engine, claim, None)

    async def is_queued(self, item_id: str) -> bool:
        """True if a node with id ``item_id`` is in the queue now."""
        return bool(with_id(await self._engine.children(), item_id))
