"""SimpleDistributedQueue on asyncio: Curator's simple queue of raw bytes, shared with sync and Curator peers.

The layout of :mod:`zkrecipes.recipes.curator.simple_distributed_queue`:
``<path>/qn-<seq>`` (raw bytes, parents as containers), the head is the
lowest name. Taking reads and deletes the head (a node another consumer
deleted first is skipped). Waiting never polls (a child watch, a state change).
Cancellation: a cancelled ``poll``/``take`` loses no item (a delete already
sent goes on, and an item it removed is put back under its own name,
:mod:`._queue_steps`). ``close()`` removes every watch this object set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.aio.recipes.curator import _queue_steps as steps
from zkrecipes.aio.recipes.curator._queue_create import ensure_containers
from zkrecipes.aio.recipes.curator._queue_engine import AsyncQueueEngine
from zkrecipes.aio.recipes.curator._queue_wait import wait_for
from zkrecipes.aio.recipes.curator._queue_watches import QueueWatches
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._queue_names import SIMPLE_PREFIX as PREFIX
from zkrecipes.recipes.curator._queue_names import QueueKind

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.aio.recipes.curator._queue_engine import Watch

__all__ = ["SimpleDistributedQueue"]


class SimpleDistributedQueue:
    """A FIFO of bytes shared with Curator processes, on asyncio (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str) -> None:
        self.client = client
        self.path = check_path(path)
        self._engine = AsyncQueueEngine(client, self.path, QueueKind.SIMPLE, None)
        self._watches = QueueWatches(client)

    def __repr__(self) -> str:
        return f"SimpleDistributedQueue({self.path!r})"

    async def offer(self, data: bytes) -> bool:
        """Append ``data``; True."""
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        target = join_path(self.path, PREFIX)
        for _ in range(8):  # a container parent may be reaped between our creates
            try:
                await self.client.retry(self.client.create, target, data, sequence=True)
                return True
            except NoNodeError:
                await ensure_containers(self.client, target)
        raise NoNodeError(f"could not create {target}: its parents kept vanishing")

    async def peek(self) -> bytes | None:
        """The head item without taking it, or None."""
        names, _later = await self._engine.ready()
        for name in names:
            data = await self._engine.read(name)
            if data is not None:
                return data
        return None

    async def poll(self, timeout: float | None = 0) -> bytes | None:
        """Take the head item, waiting up to ``timeout`` seconds (None: until there is one)."""
        return await wait_for(self._engine, self._watches, Deadline(check_timeout(timeout)), self._take)

    async def take(self) -> bytes:
        """Take the head item, waiting until there is one."""
        item = await self.poll(None)
        assert item is not None
        return item

    async def close(self) -> None:
        """Remove every watch this object set (idempotent; the items stay)."""
        await self._watches.close()

    async def _take(self, name: str, watch: Watch) -> bytes | None:
        data = await self._engine.read(name)
        if data is None or not await steps.delete_taken(self._engine, name, data):
            return None
        return data
