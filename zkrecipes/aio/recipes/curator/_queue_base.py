"""What the four asyncio Curator queue classes share: life cycle, pull ``take``, ``take_locked``, consumer.

Composed of an :class:`._queue_engine.AsyncQueueEngine`, the object's
:class:`._queue_watches.QueueWatches` and, with ``consumer=``, an
:class:`._queue_consumer.AsyncConsumerLoop`. The public classes add their own
``put`` forms (the sync classes' name prefixes, :mod:`zkrecipes.recipes.curator._queue_names`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.aio.recipes.curator import _queue_steps as steps
from zkrecipes.aio.recipes.curator._queue_consumer import AsyncConsumerLoop
from zkrecipes.aio.recipes.curator._queue_engine import AsyncQueueEngine
from zkrecipes.aio.recipes.curator._queue_take_locked import AsyncLockedTake
from zkrecipes.aio.recipes.curator._queue_wait import wait_for
from zkrecipes.aio.recipes.curator._queue_watches import QueueWatches
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._queue_rules import items_of
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.aio.recipes.curator._queue_engine import Watch
    from zkrecipes.recipes.curator._queue_names import QueueKind

__all__ = ["AsyncQueueBase"]

_Q = TypeVar("_Q", bound="AsyncQueueBase")


class AsyncQueueBase:
    """A Curator queue of byte items at ``path`` on asyncio (see the public classes for their guarantees)."""

    def __init__(self, client: AsyncRecipeClient, path: str, kind: QueueKind, *,
                 consumer: Callable[[bytes], Any] | None = None, lock_path: str | None = None,
                 error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        self.client = client
        self.path = check_path(path)
        self.lock_path = check_path(lock_path, "lock_path") if lock_path is not None else None
        if not isinstance(error_mode, ErrorMode):
            raise TypeError("error_mode must be an ErrorMode")
        self.error_mode = error_mode
        self._engine = AsyncQueueEngine(client, self.path, kind, self.lock_path)
        self._watches = QueueWatches(client)
        self._loop = (AsyncConsumerLoop(self._engine, self._watches, consumer, error_mode)
                      if consumer is not None else None)
        self._buffer: deque[bytes] = deque()

    def __repr__(self) -> str:
        extra = f", lock_path={self.lock_path!r}" if self.lock_path else ""
        return f"{type(self).__name__}({self.path!r}{extra})"

    async def start(self) -> None:
        """Create the queue node (and lock path) if absent; start the consumer task if there is one."""
        await self._engine.start()
        if self._loop is not None:
            self._loop.start()

    async def close(self) -> None:
        """Stop the consumer (after its item in progress); remove every watch and listener this object added.

        Idempotent. Items in ZooKeeper stay; items a ``take`` buffered (the
        rest of a ``put_multi`` node) stay takeable.
        """
        if self._loop is not None:
            await self._loop.close()
        await self._watches.close()
        await self._engine.close()

    async def __aenter__(self: _Q) -> _Q:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def take(self, timeout: float | None = None) -> bytes | None:
        """The next ready item, waiting up to ``timeout`` s (None: until there is one); None at the timeout.

        As the sync ``take`` (at most once without a lock path; deleted with
        its lock before it is returned with one). Cancelled, it leaves no lock
        node and loses no item (:mod:`._queue_steps`).
        """
        if self._loop is not None:
            raise RuntimeError(f"{self!r} has a consumer: its items go to the consumer, not take()")
        if self._buffer:
            return self._buffer.popleft()
        got = await wait_for(self._engine, self._watches, Deadline(check_timeout(timeout)), self._take_one)
        if got is None:
            return None
        self._buffer.extend(got[1:])
        return got[0]

    async def _take_one(self, name: str, watch: Watch) -> list[bytes] | None:
        engine = self._engine
        if engine.locks is None:
            data = await engine.read(name)
            if data is None or not await steps.delete_taken(engine, name, data):
                return None
            return items_of(join_path(self.path, name), data) or None
        claim = await steps.claim(engine, name, watch)
        if claim is None or not await steps.finish_taken(engine, claim):
            return None
        return claim.items

    def take_locked(self, timeout: float | None = None) -> AsyncLockedTake:
        """``async with queue.take_locked(timeout) as item:`` — at least once (:mod:`._queue_take_locked`)."""
        if self._loop is not None:
            raise RuntimeError(f"{self!r} has a consumer: its items go to the consumer, not take_locked()")
        return AsyncLockedTake(self._engine, self._watches, timeout, self.error_mode)

    async def _put(self, prefix: str, items: Iterable[bytes]) -> str:
        return await self._engine.put(prefix, items)
