"""DataWatch and ChildrenWatch on asyncio (``zkrecipes.recipes.watchers``' semantics, pulled).

Both forms of the threaded recipes' API, plus iteration:

* callback: ``DataWatch(zk, path, func)`` or ``@zk.DataWatch(path)`` — ``func(data, stat)``
  or ``func(data, stat, event)`` (a plain or a coroutine function) is called
  with the current state at once and after every change, one call at a time,
  in order; returning ``False`` stops it. ``await watch.close()`` (or
  ``async with``) ends it.
* iterator: ``async for data, stat in DataWatch(zk, path)`` /
  ``async for children in ChildrenWatch(zk, path)``.

Rules as in the threaded recipes: rapid changes may be coalesced (a reader
sees every state it *reads*); a DataWatch never delivers the same state (same
mzxid, or absent twice) twice in a row and gets ``(None, None)`` while the
node does not exist; a ChildrenWatch needs the node to exist and ends when it
is deleted, and re-reads after a reconnect without delivering an unchanged
list. SUSPENDED: no calls; on CONNECTED the state is re-read. LOST: the new
session's read re-registers the watch (ChildrenWatch only with
``allow_session_lost``, as kazoo). **Cancellation**: cancelling the task that
iterates (or closing the iterator) or ``close()`` ends the watch; nothing
else is affected. A stopped client ends the watch silently. Leaving an ``async
for`` with ``break`` ends the watch once the loop finalises the iterator; inside
``async with watch:`` it ends at the block's exit.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.aio.recipes._watch_loop import STOP, WatchLoop
from zkrecipes.exceptions import InvalidTypeError, NoNodeError, ZkException
from zkrecipes.recipes._checks import check_str_path
from zkrecipes.states import WatchedEvent, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["ChildrenWatch", "DataWatch"]

_F = TypeVar("_F", bound=Callable[..., Any])
_W = TypeVar("_W", bound="_Watch")
DataItem = tuple[bytes | None, ZnodeStat | None, WatchedEvent | None]
ChildrenItem = tuple[list[str], WatchedEvent | None]


def _accepts(func: Callable[..., Any], n: int) -> bool:
    try:
        inspect.signature(func).bind(*range(n))
    except (TypeError, ValueError):
        return False
    return True


class _Watch:
    """The callback/iterator/context-manager shell shared by both watches."""

    _WHAT = "watch"

    def __init__(self, client: AsyncRecipeClient, path: str, func: Callable[..., Any] | None) -> None:
        check_str_path(path)
        if func is not None and not callable(func):
            raise InvalidTypeError("func must be callable")
        self.client = client
        self.path = path
        self._func: Callable[..., Any] | None = None
        self._loop: WatchLoop[Any] = self._make_loop()
        if func is not None:
            self._begin(func)

    def _make_loop(self) -> WatchLoop[Any]:
        raise NotImplementedError

    @property
    def stopped(self) -> bool:
        """True once the watch ended (closed, its function returned False, or the node went)."""
        return self._loop.stopped

    def __call__(self, func: _F) -> _F:
        """Decorator form: start calling ``func`` and return it unchanged (needs a running loop)."""
        if not callable(func):
            raise InvalidTypeError("func must be callable")
        self._begin(func)
        return func

    def _begin(self, func: Callable[..., Any]) -> None:
        if self._func is not None:
            raise ZkException(f"a function is already associated with this {self._WHAT}")
        self._func = func
        self._loop.start_calling(self._call, self._WHAT)

    def _call(self, item: Any) -> Any:
        raise NotImplementedError

    async def started(self) -> None:
        """Wait until the function's first call has returned (callback form)."""
        await self._loop.first_call()

    async def close(self) -> None:
        """End the watch (a running call is cancelled); safe to call twice."""
        await self._loop.close()

    async def __aenter__(self: _W) -> _W:
        await self.started()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()


class DataWatch(_Watch):
    """Follow the data of ``path`` (it need not exist): ``func(data, stat[, event])`` or ``async for``.

    ``event`` is the WatchedEvent that caused the call, None for the first call
    and re-reads after a reconnect. Iteration yields ``(data, stat)``.
    """

    _WHAT = "DataWatch"

    def __init__(self, client: AsyncRecipeClient, path: str, func: Callable[..., Any] | None = None,
                 *args: Any, **kwargs: Any) -> None:
        del args, kwargs  # kazoo ignores extra args; accepted for compatibility
        self._last: int | None = None  # mzxid + 1 of the last state delivered (0: absent)
        super().__init__(client, path, func)

    def _make_loop(self) -> WatchLoop[Any]:
        return WatchLoop(self.client, self.path, self._read)

    async def _read(self, watcher: Callable[[WatchedEvent], None], event: WatchedEvent | None,
                    reread: bool) -> DataItem | None:
        while True:
            data: bytes | None
            stat: ZnodeStat | None
            try:
                data, stat = await self.client.get(self.path, watch=watcher)
            except NoNodeError:
                data = None
                stat = await self.client.exists(self.path, watch=watcher)
                if stat is not None:
                    continue  # created between the two reads: read it with a data watch
            seen = 0 if stat is None else stat.mzxid + 1
            if seen == self._last:
                return None
            self._last = seen
            return data, stat, event

    def _call(self, item: Any) -> Any:
        func = self._func
        assert func is not None
        data, stat, event = item
        return func(data, stat, event) if _accepts(func, 3) else func(data, stat)

    async def __aiter__(self) -> AsyncIterator[tuple[bytes | None, ZnodeStat | None]]:
        async for data, stat, _event in self._loop.iterate():
            yield data, stat


class ChildrenWatch(_Watch):
    """Follow the children of ``path`` (which must exist): ``func(children[, event])`` or ``async for``.

    ``send_event=True`` passes the WatchedEvent (None for the first call). The
    watch ends when the node is deleted; after a LOST it goes on only with
    ``allow_session_lost`` (the default).
    """

    _WHAT = "ChildrenWatch"

    def __init__(self, client: AsyncRecipeClient, path: str, func: Callable[..., Any] | None = None,
                 allow_session_lost: bool = True, send_event: bool = False) -> None:
        self._send_event = send_event
        self._allow_session_lost = allow_session_lost
        self._prior: list[str] | None = None
        super().__init__(client, path, func)

    def _make_loop(self) -> WatchLoop[Any]:
        return WatchLoop(self.client, self.path, self._read, lambda: self._allow_session_lost)

    async def _read(self, watcher: Callable[[WatchedEvent], None], event: WatchedEvent | None,
                    reread: bool) -> Any:
        try:
            children: list[str] = await self.client.get_children(self.path, watch=watcher)
        except NoNodeError:
            return STOP
        if reread and self._prior is not None and sorted(self._prior) == sorted(children):
            return None
        self._prior = children
        return children, event

    def _call(self, item: Any) -> Any:
        func = self._func
        assert func is not None
        children, event = item
        return func(children, event) if self._send_event else func(children)

    async def __aiter__(self) -> AsyncIterator[list[str]]:
        async for children, _event in self._loop.iterate():
            yield children
