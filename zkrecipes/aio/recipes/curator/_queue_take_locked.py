"""``async with queue.take_locked(timeout) as item:`` — pull at least once on asyncio.

The sync ``LockedTake``'s rules (:mod:`zkrecipes.recipes.curator._queue_take_locked`,
:func:`~zkrecipes.recipes.curator._queue_rules.after_work`): the item is
locked and read before the block; the block ending normally deletes node and
lock in one transaction (the rest of a ``put_multi`` node requeued in it); an
``Exception`` requeues or deletes per ``error_mode``; a cancellation (or any
other ``BaseException``) gives the lock back and leaves the item; a session
lost inside the block leaves the item to another consumer and deletes nothing
(``finished`` False). Cancelled while waiting for an item: no lock node is
left (:mod:`._queue_steps`).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes.curator import _queue_steps as steps
from zkrecipes.aio.recipes.curator._queue_wait import wait_for
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._queue_rules import after_work

if TYPE_CHECKING:
    from zkrecipes.aio.recipes.curator._queue_engine import AsyncQueueEngine, Watch
    from zkrecipes.aio.recipes.curator._queue_watches import QueueWatches
    from zkrecipes.recipes.curator._queue_rules import Claim
    from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

__all__ = ["AsyncLockedTake"]


class AsyncLockedTake:
    """The async context manager ``take_locked`` returns (one use)."""

    def __init__(self, engine: AsyncQueueEngine, watches: QueueWatches, timeout: float | None,
                 error_mode: ErrorMode) -> None:
        if engine.locks is None:
            raise RuntimeError("take_locked needs a queue with a lock_path")
        self._engine = engine
        self._watches = watches
        self._timeout = check_timeout(timeout)
        self._mode = error_mode
        self._claim: Claim | None = None
        self._entered = False
        #: After the block: True once the node was finished by us, False if it was left.
        self.finished: bool | None = None

    async def _attempt(self, name: str, watch: Watch) -> Claim | None:
        return await steps.claim(self._engine, name, watch)

    async def __aenter__(self) -> bytes | None:
        if self._entered:
            raise RuntimeError("an AsyncLockedTake is used once")
        self._entered = True
        self._claim = await wait_for(self._engine, self._watches, Deadline(self._timeout), self._attempt)
        return None if self._claim is None else self._claim.items[0]

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        claim, self._claim = self._claim, None
        if claim is None:
            return
        if exc is not None and not isinstance(exc, Exception):
            self.finished = False
            await steps.release(self._engine, claim)
            return
        requeue = after_work(claim.data, claim.items, exc is not None, self._mode)
        self.finished = await steps.finish_claim(self._engine, claim, requeue)
