"""CuratorCache on asyncio: Curator's cache of a subtree, with Curator's listener shape.

The asyncio form of :class:`zkrecipes.recipes.curator.CuratorCache`: the same
znodes read, the same two watch modes (:class:`CacheWatchMode`: one
persistent recursive watch, or one-shot watches on servers without
``addWatch``), the same rules and events (the engine,
:mod:`._cache_tree`, drives the sync recipe's pure modules). Listeners are
objects with ``event(type, old_data, data)`` and optionally ``initialized()``
— plain or coroutine methods, awaited — and ``async for event in
cache.events()`` gives the same events as :class:`CacheEvent` s.

Guarantees:

* Events are delivered by the cache's one task, in the order applied, never
  concurrently; a listener that raises is logged and the others still run.
* "Newer" is decided by zxids, never by the wrapping znode version
  (CURATOR-688); any number of children loads, with at most 256 requests
  outstanding (CURATOR-690); a child list too large for one reply stops the
  cache with ``FrameTooLargeError`` to the fault listeners.
* **Cancellation**: a cancelled ``await cache.start()`` closes the cache (no
  listener, no watch callback left). ``await cache.close()`` removes the session
  listener, every listener and every watch callback it registered
  (apache/curator#1292), ends its task and ends the ``events()`` iterators.

SUSPENDED: the data stays readable (maybe stale). Reconnected (same session):
the subtree is read again and the differences published. LOST: the data stays
readable; on the new session the watch is set again, the subtree read again
and the differences published (``initialized`` is not repeated).

Differences from Curator: the root is created if absent unless
``create_root=False`` (Curator never creates it).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from zkrecipes.aio.recipes.curator._cache_tree import AsyncCacheTree
from zkrecipes.recipes._tree_mirror import NodeData, check_root
from zkrecipes.recipes.curator._cache_tree import Change
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.curator_cache import CacheEventType

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["CacheEvent", "CacheEventType", "CacheWatchMode", "CuratorCache"]

log = logging.getLogger(__name__)

_KINDS = {"created": CacheEventType.NODE_CREATED, "changed": CacheEventType.NODE_CHANGED,
          "deleted": CacheEventType.NODE_DELETED}


class CacheEvent(NamedTuple):
    """One change, as ``events()`` yields it (the arguments of a listener's ``event``)."""

    type: CacheEventType
    old_data: NodeData | None
    data: NodeData | None


class _Feed:
    """One ``events()`` iterator: a listener of the cache from the moment it is made (None ends it)."""

    def __init__(self, cache: CuratorCache) -> None:
        self.queue: asyncio.Queue[CacheEvent | None] = asyncio.Queue()
        self._cache: CuratorCache | None = cache

    def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002 (Curator's name)
              data: NodeData | None) -> None:
        self.queue.put_nowait(CacheEvent(type, old_data, data))

    def __aiter__(self) -> _Feed:
        return self

    async def __anext__(self) -> CacheEvent:
        event = await self.queue.get() if self._cache is not None or not self.queue.empty() else None
        if event is None:
            await self.aclose()
            raise StopAsyncIteration
        return event

    async def aclose(self) -> None:
        """Stop listening (the iterator ends)."""
        cache, self._cache = self._cache, None
        if cache is not None:
            cache._forget(self)


class CuratorCache:
    """A cached subtree on asyncio (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, *, mode: CacheWatchMode = CacheWatchMode.AUTO,
                 create_root: bool = True) -> None:
        if not isinstance(mode, CacheWatchMode):
            raise TypeError(f"mode must be a CacheWatchMode, not {mode!r}")
        self.client = client
        self.path = check_root(path)
        self._listeners: list[Any] = []
        self._fault_listeners: list[Callable[[BaseException], Any]] = []
        self._feeds: list[_Feed] = []
        self._ready = asyncio.Event()
        self._state = "latent"
        self._tree = AsyncCacheTree(client, self.path, mode, create_root=create_root, publish=self._on_change,
                                    initialized=self._on_initialized, fault=self._on_fault)

    def __repr__(self) -> str:
        return f"CuratorCache({self.path!r}, size={self.size()})"

    @property
    def watch_mode(self) -> CacheWatchMode | None:
        """The mode in use (PERSISTENT or ONE_SHOT), None until the cache has chosen."""
        return self._tree.mode_in_use

    async def start(self) -> None:
        """Create the root (unless told not to), set the watch, start loading in the background.

        RuntimeError if started before; a failure (``UnimplementedError`` for
        ``mode=PERSISTENT`` on a server without persistent watches) or a
        cancellation closes the cache and propagates.
        """
        if self._state != "latent":
            raise RuntimeError("Cannot be started more than once")
        self._state = "started"
        try:
            await self._tree.start()
        except BaseException:
            await self.close()
            raise

    async def wait_initialized(self, timeout: float | None = None) -> bool:
        """Wait until the first load is published; whether it is (False after ``timeout`` s)."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Stop caching: the session listener, the watch callbacks, the listeners go; the cache empties."""
        started, self._state = self._state == "started", "closed"
        self._listeners.clear()
        self._fault_listeners.clear()
        if started:
            await self._tree.close()
        for feed in self._feeds:
            feed.queue.put_nowait(None)
        self._feeds.clear()

    async def __aenter__(self) -> CuratorCache:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    def add_listener(self, listener: Any) -> None:
        """Tell ``listener`` (``event(type, old_data, data)``, optional ``initialized()``) of every change."""
        if not callable(getattr(listener, "event", None)):
            raise TypeError("a CuratorCache listener has an event(type, old_data, data) method")
        self._listeners.append(listener)

    def remove_listener(self, listener: Any) -> None:
        """Stop telling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def add_fault_listener(self, listener: Callable[[BaseException], Any]) -> None:
        """Call ``listener(error)`` (plain or coroutine) for an error of the background work."""
        self._fault_listeners.append(listener)

    def events(self) -> AsyncIterator[CacheEvent]:
        """Every change from this call on, until the cache closes or ``aclose()`` (an unbounded buffer)."""
        feed = _Feed(self)
        self._feeds.append(feed)
        self._listeners.append(feed)
        return feed

    def _forget(self, feed: _Feed) -> None:
        self.remove_listener(feed)
        if feed in self._feeds:
            self._feeds.remove(feed)

    def get(self, path: str) -> NodeData | None:
        """The cached node at ``path``, or None."""
        return self._tree.store.nodes.get(path)

    def size(self) -> int:
        """How many nodes are cached (the root included)."""
        return len(self._tree.store)

    def stream(self) -> list[NodeData]:
        """Every cached node, in path order."""
        nodes = self._tree.store.nodes
        return [nodes[path] for path in sorted(nodes)]

    def children(self, path: str) -> list[NodeData]:
        """The cached children of ``path``, in name order (none if ``path`` is not cached)."""
        nodes = self._tree.store.nodes
        base = path.rstrip("/")
        return [nodes[f"{base}/{name}"] for name in sorted(self._tree.store.children.get(path, ()))]

    # ------------------------------------------------------------------ the engine's hooks (its task)

    async def _on_change(self, change: Change) -> None:
        kind, old, new = change
        for listener in list(self._listeners):
            await self._call(listener.event, _KINDS[kind], old, new)

    async def _on_initialized(self) -> None:
        self._ready.set()
        for listener in list(self._listeners):
            hook = getattr(listener, "initialized", None)
            if hook is not None:
                await self._call(hook)

    async def _on_fault(self, error: BaseException) -> None:
        listeners = list(self._fault_listeners)
        if not listeners:
            log.error("CuratorCache %s: %s", self.path, error, exc_info=error)
        for listener in listeners:
            await self._call(listener, error)

    async def _call(self, hook: Callable[..., Any], *args: Any) -> None:
        try:
            outcome = hook(*args)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            log.exception("CuratorCache listener of %s failed", self.path)
