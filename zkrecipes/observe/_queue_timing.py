"""Timing of callback-queue items: how long each waited in its queue and ran.

When someone observes, a handler (or the asyncio client's queue) hands each
callback through :meth:`QueueTiming.wrap` before queueing it: the wrapper
notes the enqueue time and, when the worker runs it, the wait and the run time
(an awaited coroutine included). Depth is counted with a deque of markers:
appended by any producer, popped by the queue's single worker (both atomic).
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.observe.callback_event import CallbackEvent

if TYPE_CHECKING:
    from zkrecipes.observe.hub import ObserverHub

__all__ = ["QueueTiming"]


class QueueTiming:
    """The per-queue depth counters and the callback wrappers of one hub."""

    __slots__ = ("_depth", "_hub")

    def __init__(self, hub: ObserverHub) -> None:
        self._hub = hub
        self._depth: dict[str, deque[None]] = {}

    def depths(self) -> dict[str, int]:
        return {name: len(marks) for name, marks in self._depth.items()}

    def _marks(self, queue: str) -> deque[None]:
        marks = self._depth.get(queue)
        if marks is None:
            marks = self._depth.setdefault(queue, deque())
        return marks

    def wrap(self, queue: str, func: Callable[..., Any], args: tuple[Any, ...]
             ) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        """``(func, args)`` to queue instead: the same call, timed."""
        marks = self._marks(queue)
        marks.append(None)
        return self._run, (queue, marks, func, args, self._hub.clock())

    def wrap_async(self, queue: str, func: Callable[..., Any], args: tuple[Any, ...]
                   ) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        """As :meth:`wrap`, for a queue that awaits what a callback returns (asyncio)."""
        marks = self._marks(queue)
        marks.append(None)
        return self._run_async, (queue, marks, func, args, self._hub.clock())

    def _run(self, queue: str, marks: deque[None], func: Callable[..., Any], args: tuple[Any, ...],
             queued: float) -> None:
        clock = self._hub.clock
        start = clock()
        failed = True
        try:
            func(*args)
            failed = False
        finally:
            self._done(queue, marks, queued, start, clock(), failed)

    def _run_async(self, queue: str, marks: deque[None], func: Callable[..., Any],
                   args: tuple[Any, ...], queued: float) -> Awaitable[None] | None:
        clock = self._hub.clock
        start = clock()
        try:
            outcome = func(*args)
        except BaseException:
            self._done(queue, marks, queued, start, clock(), True)
            raise
        if inspect.isawaitable(outcome):
            return self._finish(queue, marks, queued, start, outcome)
        self._done(queue, marks, queued, start, clock(), False)
        return None

    async def _finish(self, queue: str, marks: deque[None], queued: float, start: float,
                      outcome: Awaitable[Any]) -> None:
        failed = True
        try:
            await outcome
            failed = False
        finally:
            self._done(queue, marks, queued, start, self._hub.clock(), failed)

    def _done(self, queue: str, marks: deque[None], queued: float, start: float, end: float,
              failed: bool) -> None:
        try:
            marks.pop()
        except IndexError:  # pragma: no cover - a wrapper queued before a reset
            pass
        self._hub.callback(CallbackEvent(queue, start - queued, end - start, len(marks), failed))
