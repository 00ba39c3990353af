"""Waiting for a queue's items on asyncio (the twin of ``recipes/curator/_queue_wait.py``'s ``wait_for``).

A take's timeout bounds its listings and also its lock and finish steps (a
step cut short is undone, :mod:`._queue_steps`), except that the first look
of a ``timeout=0`` take completes (:func:`~zkrecipes.recipes.curator._queue_wait.look_bound`).

Rounds list the queue with a child watch and try each ready name in order;
between rounds the waiter waits — no polling — for a watch of this object, a
session state change, a delay queue's next due time, or the deadline
(:func:`~zkrecipes.recipes.curator._queue_wait.seconds_until`, the same rule).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from zkrecipes.aio.recipes._guard import wait_event
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import ConnectionClosedError
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.curator._queue_engine import now_ms
from zkrecipes.recipes.curator._queue_wait import look_bound, seconds_until

if TYPE_CHECKING:
    from zkrecipes.aio.recipes.curator._queue_engine import AsyncQueueEngine, Watch
    from zkrecipes.aio.recipes.curator._queue_watches import QueueWatches
    from zkrecipes.recipes._deadline import Deadline

__all__ = ["lock_watch", "wait_for"]

_T = TypeVar("_T")


async def _within(step: Awaitable[_T], bound: Deadline | None) -> _T:
    """``await step`` within ``bound`` (TimeoutError); None: to its end.

    Honest because every step that changes nodes is shielded
    (:mod:`._queue_steps`): cut short at the deadline, a claim gives its
    lock back and a pull's delete or finish puts a removed item back.
    """
    if bound is None:
        return await step
    return await asyncio.wait_for(step, bound.remaining())


def lock_watch(engine: AsyncQueueEngine, watches: QueueWatches, name: str) -> Watch:
    """The watch callback for item ``name``'s lock node (the queue's own path without a lock path)."""
    if engine.locks is None:
        return watches.callback(engine.path)
    return watches.callback(join_path(engine.locks.lock_path, name))


async def wait_for(engine: AsyncQueueEngine, watches: QueueWatches, deadline: Deadline,
                   attempt: Callable[[str, Watch], Awaitable[_T | None]]) -> _T | None:
    """Await ``attempt(name, watch)`` on each ready name in order until one answers; None at the deadline."""
    first = True
    async with watches.waiter() as event:
        while True:
            event.clear()
            try:
                bound, first = look_bound(deadline, first, engine.client.connected), False
                names, later = await engine.ready(watches.callback(engine.path), bound)
                for name in names:
                    got = await _within(attempt(name, lock_watch(engine, watches, name)), bound)
                    if got is not None:
                        return got
            except TimeoutError:
                return None
            except RETRYABLE as error:  # disconnected: wait for a state change (a second at most)
                if isinstance(error, ConnectionClosedError):
                    raise
                later = now_ms() + 1000
            if deadline.expired():
                return None
            if not await wait_event(event, seconds_until(later, deadline, now_ms())) and deadline.expired():
                return None


