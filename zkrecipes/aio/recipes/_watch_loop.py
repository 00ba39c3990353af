"""The loop under the asyncio DataWatch and ChildrenWatch: read, re-arm, wait, deliver — pulled.

One :class:`WatchLoop` object serves both forms of a watch:

* **iterator** — ``async for item in watch``: each step reads the node again
  (re-arming its one-shot watch) only when the consumer asks, so changes made
  meanwhile are coalesced into the state read then (ZooKeeper's one-shot
  semantics; nothing is buffered, a slow consumer never blocks the reader);
* **callback** — ``func`` (plain or coroutine function) is called by a task of
  the watch's own, one call at a time, in the order of the changes; returning
  ``False`` stops the watch.

Wake-ups come from the watch callback (which records the event) and from the
session: after a reconnect the node is read again (the recipe decides whether
that state is new), after LOST the new session's read re-registers the watch.
Errors: ConnectionClosedError (client stopped) ends the watch silently; other
read errors are retried by the client's retry policy, then end the watch with
that error (raised from the iterator; logged in the callback form).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from zkrecipes.exceptions import ConnectionClosedError, ZookeeperStoppedError
from zkrecipes.states import EventType, WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["STOP", "WatchLoop"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class _Stop:
    """Returned by a read step when the watch must end (e.g. the watched node is gone)."""


#: The read step's "end the watch" value.
STOP = _Stop()

#: One read: the item to deliver, None when the state read is not new, or STOP.
ReadStep = Callable[[Callable[[WatchedEvent], None], "WatchedEvent | None", bool], Awaitable[Any]]


class WatchLoop(Generic[_T]):
    """Wake-ups, the session listener, the callback task and the iterator of one asyncio watch."""

    def __init__(self, client: AsyncRecipeClient, path: str, read: ReadStep,
                 on_session_lost: Callable[[], bool] | None = None) -> None:
        self.client = client
        self.path = path
        self._read = read
        self._on_session_lost = on_session_lost or (lambda: True)
        self.stopped = False
        self._wake = asyncio.Event()
        self._event: WatchedEvent | None = None
        self._first = True
        self._reread = False
        self._disconnected = False
        self._session_lost = False
        self._listening = False
        self._task: asyncio.Task[None] | None = None
        self._first_done = asyncio.Event()
        self.watcher = self._on_watch  # one stable object: registered once per path by the client

    # ---------------------------------------------------------------- wake-ups

    def _on_watch(self, event: WatchedEvent) -> None:
        if event.type == EventType.NONE or self.stopped:
            return
        self._event = event
        self._wake.set()

    def _on_state(self, state: ZkState) -> bool:
        if self.stopped:
            return True
        if state == ZkState.LOST:
            self._disconnected = self._session_lost = True
        elif state == ZkState.SUSPENDED:
            self._disconnected = True
        elif state == ZkState.CONNECTED and self._disconnected:
            self._disconnected = False
            lost, self._session_lost = self._session_lost, False
            if lost and not self._on_session_lost():
                self.stopped = True
                self._wake.set()
                return True
            self._reread = True
            self._wake.set()
        return False

    def _listen(self) -> None:
        if not self._listening:
            self._listening = True
            self.client.add_listener(self._on_state)

    # ---------------------------------------------------------------- one step

    async def next_item(self) -> _T | _Stop:
        """The next new state (the first read at once), or STOP once the watch ends."""
        self._listen()
        while not self.stopped:
            if not self._first:
                await self._wake.wait()
                if self.stopped:
                    break
            first, self._first = self._first, False
            self._wake.clear()
            event, self._event = self._event, None
            reread, self._reread = self._reread, False
            try:
                item = await self.client.retry(self._read, self.watcher, event, reread and event is None)
            except (ConnectionClosedError, ZookeeperStoppedError):
                item = STOP
            if item is STOP:
                self.stopped = True
                break
            if item is not None or first:
                return item  # type: ignore[no-any-return]
        self._unlisten()
        return STOP

    def _unlisten(self) -> None:
        if self._listening:
            self._listening = False
            try:
                self.client.remove_listener(self._on_state)
            except (KeyError, ValueError):
                pass

    # ---------------------------------------------------------------- iterator form

    async def iterate(self) -> AsyncIterator[_T]:
        """``async for``: each new state; ends with the watch (the iterator's close stops it)."""
        try:
            while True:
                item = await self.next_item()
                if isinstance(item, _Stop):
                    return
                yield item
        finally:
            await self.close()

    # ---------------------------------------------------------------- callback form

    def start_calling(self, call: Callable[[_T], Any], what: str) -> None:
        """Run ``call(item)`` for every new state in a task of this watch (False stops it)."""
        self._task = asyncio.get_running_loop().create_task(self._call_loop(call, what),
                                                            name=f"zkrecipes-{what}-{self.path}")

    async def _call_loop(self, call: Callable[[_T], Any], what: str) -> None:
        try:
            while True:
                item = await self.next_item()
                if isinstance(item, _Stop):
                    return
                try:
                    outcome = call(item)
                    if inspect.isawaitable(outcome):
                        outcome = await outcome
                except Exception:
                    log.exception("%s function for %s raised", what, self.path)
                    outcome = None
                finally:
                    self._first_done.set()
                if outcome is False:
                    self.stopped = True
                    return
        except Exception:
            self.stopped = True
            log.exception("%s of %s ended by an error", what, self.path)
        finally:
            self._first_done.set()
            self._unlisten()

    async def first_call(self) -> None:
        """Wait until the first call has returned (or the watch ended)."""
        if self._task is not None:
            await self._first_done.wait()

    # ---------------------------------------------------------------- close

    async def close(self) -> None:
        """Stop: no more calls or items; the listener goes (the one-shot watch fires into nothing)."""
        self.stopped = True
        self._wake.set()
        self._unlisten()
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()
            await asyncio.wait({task})  # raises only if *we* are cancelled meanwhile
