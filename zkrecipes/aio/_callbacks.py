"""``CallbackQueue``: user callbacks of one kind, run in arrival order by one task.

The asyncio twin of a handler's sequential queue: the I/O side only appends
(``put`` never blocks and never runs user code); the worker task calls each
callback and, when it returns an awaitable (a coroutine function's call),
awaits it before the next one. So a listener or a watch callback may await the
client (the replies are read by the transport's callbacks, not by this task),
and a slow one holds back only callbacks of its own kind.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

__all__ = ["CallbackQueue"]

log = logging.getLogger("zkrecipes.aio")


class CallbackQueue:
    """One sequential queue (start it on the loop, :meth:`stop` drains nothing further)."""

    __slots__ = ("_items", "_name", "_ready", "_task", "observer")

    def __init__(self, name: str) -> None:
        self._name = name
        self._items: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._ready: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        #: An ObserverHub (zkrecipes.observe) timing the queued callbacks, or None.
        self.observer: Any = None

    def start(self) -> None:
        """Start the worker on the running loop (idempotent)."""
        if self._task is None or self._task.done():
            self._ready = asyncio.Event()
            if self._items:
                self._ready.set()
            self._task = asyncio.get_running_loop().create_task(self._work(), name=f"zkrecipes-{self._name}")

    def put(self, func: Callable[..., Any], *args: Any) -> None:
        """Queue ``func(*args)`` (loop thread; never blocks)."""
        if self.observer is not None:
            func, args = self.observer.queues.wrap_async(self._name, func, args)
        self._items.append((func, args))
        if self._ready is not None:
            self._ready.set()

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` s until everything queued so far has run."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def mark() -> None:
            if not done.done():
                done.set_result(None)

        self.put(mark)
        if self._task is not None and asyncio.current_task() is not self._task:
            await asyncio.wait({done}, timeout=timeout)

    def is_current(self) -> bool:
        """True when called from one of this queue's callbacks."""
        return self._task is not None and asyncio.current_task() is self._task

    def stop(self) -> None:
        """End the worker; callbacks not yet run are dropped. From inside a callback of this
        queue, the worker ends once that callback returns (it is not cancelled)."""
        task, self._task = self._task, None
        self._items.clear()
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _work(self) -> None:
        ready = self._ready
        assert ready is not None
        items = self._items
        me = asyncio.current_task()
        while self._task is me:  # stop() (or a restart) replaced this worker: end
            if not items:
                ready.clear()
                await ready.wait()
                continue
            func, args = items.popleft()
            outcome: object = None
            try:
                outcome = func(*args)
                if inspect.isawaitable(outcome):
                    await outcome
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("error in %s callback %r", self._name, func)
            finally:
                del func, args, outcome  # the worker keeps no callback (nor its recipe) alive while it waits
