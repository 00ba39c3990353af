"""The queue family's steps on asyncio (the twin of ``recipes/curator/_queue_engine.py``).

The same layout and rules (:mod:`zkrecipes.recipes.curator._queue_names`,
``_queue_format``, ``_queue_rules``): put framed items under a name prefix,
list in the kind's order, take a node without a lock path (deleted before it
is handed over; a lost delete reply with the node gone raises
``OutcomeUnknownError``), or claim and finish one with a lock path
(:class:`._queue_locks.AsyncItemLocks`). Not cancellation safe by itself:
:mod:`._queue_steps` runs the steps that change nodes in tasks of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._own import take_node
from zkrecipes.aio.recipes.curator._queue_create import create_path
from zkrecipes.aio.recipes.curator._queue_locks import AsyncItemLocks
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator._queue_engine import now_ms, watch_fired_now
from zkrecipes.recipes.curator._queue_format import encode_items
from zkrecipes.recipes.curator._queue_names import QueueKind, order
from zkrecipes.recipes.curator._queue_rules import Claim, items_of

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes._deadline import Deadline

__all__ = ["AsyncQueueEngine"]

Watch = Callable[[Any], Any]


class AsyncQueueEngine:
    """Put, list, take and claim items of one queue of ``kind`` at ``path`` (optionally ``lock_path``)."""

    def __init__(self, client: AsyncRecipeClient, path: str, kind: QueueKind, lock_path: str | None) -> None:
        self.client = client
        self.path = path
        self.kind = kind
        self.locks = AsyncItemLocks(client, path, lock_path) if lock_path is not None else None

    async def start(self) -> None:
        """Create the queue node (and the lock path) with the default data if absent."""
        await create_path(self.client, self.path)
        if self.locks is not None:
            await self.locks.start()

    async def close(self) -> None:
        """Drop this object's lock-path session markers."""
        if self.locks is not None:
            await self.locks.close()

    async def put(self, prefix: str, items: Iterable[bytes]) -> str:
        """Create one item node ``<path>/<prefix><seq>`` holding ``items``; its path."""
        data = encode_items(items)
        target = join_path(self.path, prefix)
        try:
            return str(await self.client.retry(self.client.create, target, data, sequence=True))
        except NoNodeError:
            await self.start()
            return str(await self.client.retry(self.client.create, target, data, sequence=True))

    async def children(self, watch: Watch | None = None, deadline: Deadline | None = None) -> list[str]:
        """The queue's children (child watch); [] when absent; TimeoutError past ``deadline``."""
        timeout = None if deadline is None else deadline.remaining()
        try:
            return list(await asyncio.wait_for(self.client.retry(self.client.get_children, self.path,
                                                                 watch=watch), timeout))
        except NoNodeError:
            there = await asyncio.wait_for(self.client.retry(self.client.exists, self.path, watch=watch),
                                           None if deadline is None else deadline.remaining())
            return await self.children(watch, deadline) if there is not None else []

    async def ready(self, watch: Watch | None = None,
                    deadline: Deadline | None = None) -> tuple[list[str], int | None]:
        """The item names to take now, in order, and the earliest later due time (epoch ms) if any."""
        return order(await self.children(watch, deadline), self.kind, now_ms())

    async def read(self, name: str) -> bytes | None:
        """Item ``name``'s bytes, or None when it is gone."""
        try:
            data, _stat = await self.client.retry(self.client.get, join_path(self.path, name))
        except NoNodeError:
            return None
        return data or b""

    async def delete(self, name: str, data: bytes) -> bool:
        """Delete item ``name`` to take it (no lock path); True if this call did (see ``take_node``)."""
        return await take_node(self.client, join_path(self.path, name), data, "queue take")

    async def claim(self, name: str, watch: Watch | None = None) -> Claim | None:
        """Lock and read item ``name`` (lock path only); None when it is not ours to process.

        As the sync engine's ``claim``: someone else's lock → None (``watch``
        set on that lock node, or called now if it went meanwhile); a node
        gone → None; a node not in Curator's framing → finished and None.
        """
        assert self.locks is not None
        held = await self.locks.lock(name)
        if held is None:
            if watch is not None and not await self.locks.holder_gone_watch(name, watch):
                watch_fired_now(watch)  # released meanwhile: look again
            return None
        try:
            data = await self.read(name)
        except BaseException:
            await self.locks.release(held)
            raise
        if data is None:
            await self.locks.release(held)
            return None
        items = items_of(join_path(self.path, name), data)
        if not items:
            await self.locks.finish(held)
            return None
        return Claim(held, data, items)

    async def finish(self, claim: Claim, requeue: bytes | None = None) -> bool:
        """Delete a claimed node and its lock in one transaction (or requeue); False if our session ended."""
        assert self.locks is not None
        return await self.locks.finish(claim.held, requeue)

    async def release(self, claim: Claim) -> None:
        """Give a claimed node's lock back and leave the node in the queue."""
        assert self.locks is not None
        await self.locks.release(claim.held)
