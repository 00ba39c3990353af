"""A queue's consumer task on asyncio (the twin of ``recipes/curator/_queue_consumer.py``).

One task per started queue: each round lists the queue with a child watch and
hands every ready item to ``consumer(item)`` (a coroutine function or a plain
callable; an awaitable result is awaited), then waits — no polling — for a
watch of this object, a session state change, a delay queue's next due time,
or :meth:`AsyncConsumerLoop.close`. A change seen while handing items over
ends the round early (Curator's ``refreshOnWatch``).

Errors: a consumer's exception is logged; with a lock path the node is then
requeued or deleted per :class:`ErrorMode` (:func:`after_work`), without one it
is already gone. A ZooKeeper error ends the round; the next one starts after a
state change (or a second).

:meth:`close` stops the task after the item in progress (from the consumer
itself it does not wait); one that does not end within ``timeout`` is
cancelled, which gives its lock back (the item stays queued). The state
listener goes with the task; the watches are removed by the queue's close.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._guard import wait_event
from zkrecipes.aio.recipes.curator import _queue_steps as steps
from zkrecipes.aio.recipes.curator._queue_wait import lock_watch
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import ZkException
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._queue_consumer import ERROR_PAUSE
from zkrecipes.recipes.curator._queue_engine import now_ms
from zkrecipes.recipes.curator._queue_rules import after_work, items_of
from zkrecipes.recipes.curator._queue_wait import seconds_until
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.aio.recipes.curator._queue_engine import AsyncQueueEngine
    from zkrecipes.aio.recipes.curator._queue_watches import QueueWatches

__all__ = ["AsyncConsumerLoop"]

log = logging.getLogger(__name__)


class AsyncConsumerLoop:
    """Hands each item of ``engine``'s queue to ``consumer`` on a task of its own."""

    def __init__(self, engine: AsyncQueueEngine, watches: QueueWatches, consumer: Callable[[bytes], Any],
                 error_mode: ErrorMode) -> None:
        self.engine = engine
        self.watches = watches
        self.consumer = consumer
        self.error_mode = error_mode
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._event: asyncio.Event | None = None

    def start(self) -> None:
        """Start the task (once; in a running event loop)."""
        if self._task is not None or self._closed:
            raise RuntimeError("the queue consumer was already started")
        name = f"zkrecipes-queue-{self.engine.path}"
        self._task = asyncio.get_running_loop().create_task(self._run(), name=name)

    async def close(self, timeout: float | None = 30.0) -> None:
        """Stop the task (waiting up to ``timeout`` s for the item in progress, then cancelling it)."""
        if self._closed:
            return
        self._closed = True
        if self._event is not None:
            self._event.set()
        task = self._task
        if task is None or task is asyncio.current_task():
            return  # from the consumer itself: the loop ends when it returns
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            await asyncio.wait({task})

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    async def _run(self) -> None:
        async with self.watches.waiter() as event:
            self._event = event
            while not self._closed:
                event.clear()
                try:
                    later = await self._round(event)
                except ZkException as error:
                    log.debug("queue consumer of %s: round failed (%r); again", self.engine.path, error)
                    await wait_event(event, ERROR_PAUSE)
                    continue
                except Exception:
                    log.exception("queue consumer of %s: round failed; trying again", self.engine.path)
                    await wait_event(event, ERROR_PAUSE)
                    continue
                if not self._closed:
                    await wait_event(event, seconds_until(later, Deadline(None), now_ms()))

    async def _round(self, event: asyncio.Event) -> int | None:
        engine = self.engine
        names, later = await engine.ready(self.watches.callback(engine.path))
        for name in names:
            if self._closed or event.is_set():
                break  # the queue changed (or a lock went): list it again first
            await self._process(name)
        return later

    async def _process(self, name: str) -> None:
        engine = self.engine
        if engine.locks is None:
            data = await engine.read(name)
            if data is None or not await steps.delete_taken(engine, name, data):
                return
            for item in items_of(join_path(engine.path, name), data):
                await self._call(item)  # a failure loses the item: it is gone already (at most once)
            return
        claim = await steps.claim(engine, name, lock_watch(engine, self.watches, name))
        if claim is None:
            return
        failed = False
        try:
            for item in claim.items:
                if not await self._call(item):
                    failed = True
                    if self.error_mode is ErrorMode.REQUEUE:
                        break  # the whole node goes back
        except BaseException:  # cancelled inside the consumer: give the lock back, leave the item
            await steps.release(engine, claim)
            raise
        requeue = after_work(claim.data, claim.items, failed, self.error_mode, handed=len(claim.items))
        await steps.finish_claim(engine, claim, requeue)

    async def _call(self, item: bytes) -> bool:
        try:
            result = self.consumer(item)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("queue consumer of %s failed on an item", self.engine.path)
            return False
        return True
