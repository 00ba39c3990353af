"""The asyncio state stream of the leadership recipes: callbacks and ``async for`` over a StateFeed.

The buffering policy is the sync stream's (:mod:`zkrecipes.recipes.curator._state_feed`).
Callbacks — plain callables or coroutine functions — and the recipe's Curator
listeners run in order on one callback queue of the recipe (a task of its own,
never the recipe's worker), so a slow callback delays only callbacks. ``close()``
publishes CLOSED, lets the queued callbacks run (bounded), then stops the queue
and drops every callback; iterations end after CLOSED.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from zkrecipes.aio._callbacks import CallbackQueue
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT, StateBuffer, StateFeed
from zkrecipes.recipes.curator.leadership_state import LeadershipState

__all__ = ["AsyncLeaderStateStream", "AsyncStateCallback"]

#: A state callback: ``callback(state)``, a plain callable or a coroutine function.
AsyncStateCallback = Callable[[LeadershipState], Any]

#: Seconds ``close()`` lets queued callbacks run before it stops their queue.
DRAIN_WAIT = 5.0


class AsyncLeaderStateStream:
    """Publishes a recipe's states to callbacks and async iterators (event loop only)."""

    def __init__(self, name: str) -> None:
        self._feed = StateFeed()
        self._wakes: dict[int, tuple[StateBuffer, asyncio.Event]] = {}
        self._callbacks: list[AsyncStateCallback] = []
        self.queue = CallbackQueue(name)

    @property
    def current(self) -> LeadershipState:
        """The latest state."""
        return self._feed.current

    def start(self) -> None:
        """Start the callback queue (on the running loop)."""
        self.queue.start()

    def call_soon(self, func: Callable[..., Any], *args: Any) -> None:
        """Run ``func(*args)`` (awaited if it is a coroutine function) on the callback queue, in order."""
        self.queue.put(func, *args)

    def publish(self, state: LeadershipState | None) -> None:
        """Make ``state`` current (None: nothing) and tell the iterators and callbacks."""
        if state is None or not self._feed.publish(state):
            return
        for _buffer, wake in self._wakes.values():
            wake.set()
        for callback in self._callbacks:
            self.queue.put(callback, state)

    def resign(self) -> None:
        """Publish RESIGNED for the current term, if leading."""
        self.publish(self._feed.resign())

    async def pause(self) -> None:
        """Let queued callbacks run (at most ``DRAIN_WAIT`` s), then stop the queue (``start`` resumes)."""
        try:
            await self.queue.drain(DRAIN_WAIT)
        finally:
            self.queue.stop()

    async def close(self) -> None:
        """Publish CLOSED, let queued callbacks run (at most ``DRAIN_WAIT`` s), then stop them."""
        self.publish(self._feed.closing())
        self._callbacks.clear()
        try:
            await self.queue.drain(DRAIN_WAIT)
        finally:
            self.queue.stop()

    def add_callback(self, callback: AsyncStateCallback) -> None:
        """Call ``callback(state)`` for every new state (not the current one)."""
        if not callable(callback):
            raise TypeError("callback must be callable")
        self._callbacks.append(callback)

    def remove_callback(self, callback: AsyncStateCallback) -> None:
        """Stop calling ``callback`` (idempotent)."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    async def iterate(self, limit: int = DEFAULT_LIMIT) -> AsyncIterator[LeadershipState]:
        """The current state, then each new one; ends after CLOSED (bound a wait with ``asyncio.timeout``)."""
        buffer = self._feed.subscribe(limit)
        wake = asyncio.Event()
        self._wakes[id(buffer)] = (buffer, wake)
        try:
            while True:
                wake.clear()
                state = buffer.pop()
                if state is None:
                    await wake.wait()
                    continue
                yield state
                if buffer.ended:
                    return
        finally:
            self._feed.unsubscribe(buffer)
            self._wakes.pop(id(buffer), None)
