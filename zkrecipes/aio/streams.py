"""Watches and session states as async iterators, and their buffering policy.

Two kinds, chosen so that a slow consumer never blocks the reader (the
transport's callbacks only append or set a flag, never wait):

* **pull** — :class:`DataWatchStream` (``zk.watch_data``) and
  :class:`ChildrenWatchStream` (``zk.watch_children``) buffer nothing: each
  step re-reads the node and re-arms a one-shot watch, then waits for that
  watch to fire. Changes made while the consumer is busy are *coalesced*: the
  next item is the node's state when the consumer asks (ZooKeeper's own
  one-shot semantics), never a backlog.
* **push** — :class:`EventStream` (``zk.add_watch_iter`` for persistent
  watches, ``zk.states()``) keeps a bounded queue per iterator (``maxsize``).
  When it is full, the *oldest* item is discarded and :attr:`EventStream.dropped`
  counts the discards; the reader is never blocked and memory stays bounded.
  A consumer that needs every event keeps up or passes a larger ``maxsize``.

Every stream is also an async context manager; leaving it (or
:meth:`aclose`) unregisters what it registered (a persistent watch's callback
with ``remove_watches``). A stream ends (``StopAsyncIteration``) when the client stops.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Generic, NamedTuple, TypeVar

from zkrecipes.exceptions import ConnectionClosedError, NoNodeError
from zkrecipes.states import EventType, WatchedEvent, ZnodeStat

__all__ = ["ChildrenWatchStream", "DataChange", "DataWatchStream", "EventStream"]

T = TypeVar("T")
S = TypeVar("S", bound="_Stream[Any]")


class DataChange(NamedTuple):
    """One item of ``watch_data``: the node's data and stat (None, None while it does
    not exist) and the event that led to this read (None for the first)."""

    data: bytes | None
    stat: ZnodeStat | None
    event: WatchedEvent | None


class _Stream(Generic[T]):
    """What every stream shares: the async iterator and context-manager protocols."""

    _closed: bool

    def __aiter__(self) -> _Stream[T]:
        return self

    async def __anext__(self) -> T:
        raise NotImplementedError

    async def aclose(self) -> None:
        """End the stream and unregister what it registered (idempotent)."""
        self._closed = True

    async def __aenter__(self: S) -> S:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


class EventStream(_Stream[T]):
    """A bounded push queue as an async iterator (see the module docstring for the policy)."""

    def __init__(self, maxsize: int, on_close: Callable[[], Awaitable[None] | None] | None = None,
                 on_open: Callable[[], Awaitable[None]] | None = None) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self._on_open = on_open  # awaited once, by the first __anext__ or __aenter__
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._waiter: asyncio.Future[None] | None = None
        self._on_close = on_close
        self._closed = False
        self._ended = False
        self.dropped = 0
        """How many items were discarded because the queue was full."""

    def push(self, item: T) -> None:
        """Append ``item`` (never blocks; the oldest item goes when full)."""
        if self._ended:
            return
        if len(self._items) >= self._maxsize:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._wake()

    def end(self) -> None:
        """No more items: the iterator stops once the buffered ones are read."""
        self._ended = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def open(self) -> None:
        """Register what feeds this stream (done by the first read or ``async with``; idempotent)."""
        on_open, self._on_open = self._on_open, None
        if on_open is not None:
            await on_open()

    async def __aenter__(self) -> EventStream[T]:
        await self.open()
        return self

    async def __anext__(self) -> T:
        if self._on_open is not None and not self._closed:
            await self.open()
        while True:
            if self._items:
                return self._items.popleft()
            if self._ended or self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._ended = True
        self._wake()
        if self._on_open is not None:
            self._on_open = None
            return  # never opened: nothing to unregister
        if self._on_close is not None:
            outcome = self._on_close()
            if outcome is not None:
                await outcome


class _WatchFlag:
    """A one-shot watch callback that remembers its event and wakes one waiter.

    The client also fires it (with no event) when the session is LOST: the
    server forgets a lost session's watches without notifying, so a pull
    stream re-reads (and re-arms its watch) once a new session exists.
    """

    __slots__ = ("__weakref__", "event", "fired")

    def __init__(self) -> None:
        self.fired = asyncio.Event()
        self.event: WatchedEvent | None = None

    def __call__(self, event: WatchedEvent) -> None:
        self.event = event
        self.fired.set()

    def session_lost(self) -> None:
        if not self.fired.is_set():
            self.event = None
            self.fired.set()


def _new_flag(client: Any) -> _WatchFlag:
    flag = _WatchFlag()
    client._watch_session(flag)
    return flag


class DataWatchStream(_Stream[DataChange]):
    """``async for change in zk.watch_data(path)``: the node's data on each change (pull, coalesced).

    The first item is the current state. An item with ``data is None`` means the
    node does not exist (its creation is watched). After a LOST session the
    stream re-reads once a new session exists (that item's ``event`` is None). Read errors other than
    NoNodeError propagate out of the ``async for``; the stream ends when the
    client is stopped.
    """

    def __init__(self, client: Any, path: str) -> None:
        self._client = client
        self._path = path
        self._flag: _WatchFlag | None = None
        self._closed = False

    async def __anext__(self) -> DataChange:
        event: WatchedEvent | None = None
        if self._flag is not None:
            await self._flag.fired.wait()
            event = self._flag.event
        if self._closed:
            raise StopAsyncIteration
        try:
            while True:
                flag = self._flag = _new_flag(self._client)
                try:
                    data, stat = await self._client.get(self._path, watch=flag)
                    return DataChange(data, stat, event)
                except NoNodeError:
                    if await self._client.exists(self._path, watch=flag) is None:
                        return DataChange(None, None, event)
                    # created between the two reads: read it again
        except ConnectionClosedError:
            self._closed = True
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self._closed = True
        if self._flag is not None:
            self._flag.fired.set()


class ChildrenWatchStream(_Stream[list[str]]):
    """``async for children in zk.watch_children(path)``: the child names on each change (pull,
    coalesced). Ends when the node is deleted (or does not exist) and when the client stops;
    after a LOST session it re-reads once a new session exists."""

    def __init__(self, client: Any, path: str) -> None:
        self._client = client
        self._path = path
        self._flag: _WatchFlag | None = None
        self._closed = False

    async def __anext__(self) -> list[str]:
        if self._flag is not None:
            await self._flag.fired.wait()
            event = self._flag.event
            if event is not None and event.type is EventType.DELETED:
                self._closed = True
        if self._closed:
            raise StopAsyncIteration
        flag = self._flag = _new_flag(self._client)
        try:
            children: list[str] = await self._client.get_children(self._path, watch=flag)
        except (NoNodeError, ConnectionClosedError):
            self._closed = True
            raise StopAsyncIteration from None
        return children

    async def aclose(self) -> None:
        self._closed = True
        if self._flag is not None:
            self._flag.fired.set()
