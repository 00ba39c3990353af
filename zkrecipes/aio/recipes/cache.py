"""TreeCache on asyncio: a local, event-publishing mirror of a subtree (``recipes/cache.py``'s rules).

Same design as the threaded :class:`~zkrecipes.recipes.cache.TreeCache`: one
persistent-recursive watch on the root, the whole subtree read once, each
notification applied by re-reading the node it names, by the shared
:class:`~zkrecipes.recipes._tree_mirror.TreeMirror` (same events, same
:class:`~zkrecipes.recipes._tree_mirror.TreeEvent` and ``NodeData``). All work
runs in one task of the cache, in order: listeners (plain or coroutine
functions, awaited) see events in the order of the changes, never concurrently.

SUSPENDED → ``CONNECTION_SUSPENDED`` (data readable, maybe stale); reconnect to
the same session → ``CONNECTION_RECONNECTED`` and a re-read publishing the
differences; LOST → ``CONNECTION_LOST``, then on the new session the watch is
added again, ``CONNECTION_RECONNECTED``, the differences and ``INITIALIZED``.

``async with TreeCache(zk, path) as cache`` is ``await start()`` … ``await
close()``; ``await cache.wait_initialized(timeout)`` waits for the first full
read. **Cancellation**: a cancelled ``start`` closes the cache; ``close`` always
removes the listener and the watch's callback and ends the task.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.opcodes import AddWatchMode, WatcherType
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    ConfigurationError,
    ConnectionClosedError,
    InvalidTypeError,
    NoNodeError,
    ZkException,
    ZookeeperStoppedError,
)
from zkrecipes.recipes._tree_mirror import NodeData, Stored, TreeEvent, TreeMirror, check_root
from zkrecipes.states import EventType, WatchedEvent, ZkState, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["NodeData", "TreeCache", "TreeEvent"]

log = logging.getLogger(__name__)

Listener = Callable[[TreeEvent], Any]
FaultListener = Callable[[BaseException], Any]


class TreeCache:
    """Mirror the subtree under ``path`` and publish :class:`TreeEvent` s (see the module)."""

    _LATENT, _STARTED, _CLOSED = range(3)

    def __init__(self, client: AsyncRecipeClient, path: str) -> None:
        self.client = client
        self._root = check_root(path)
        self._state = self._LATENT
        self._mirror = TreeMirror(self._root)
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._listeners: list[Listener] = []
        self._fault_listeners: list[FaultListener] = []
        self._watcher = self._on_watch  # one stable object for add/remove
        self._initialized = False
        self._initialized_event = asyncio.Event()
        self._disconnected = False
        self._session_lost = False
        self._worker: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"TreeCache({self._root!r})"

    # ------------------------------------------------------------- public API

    async def start(self) -> None:
        """Start mirroring; returns once the watch is registered (``INITIALIZED`` ends the first read).

        ConfigurationError if already started or closed.
        """
        if self._state == self._CLOSED:
            raise ConfigurationError("TreeCache already closed")
        if self._state == self._STARTED:
            raise ConfigurationError("TreeCache already started")
        self._state = self._STARTED
        loop = asyncio.get_running_loop()
        self._worker = loop.create_task(self._run(), name=f"zkrecipes-cache-{self._root}")
        self.client.add_listener(self._on_state)
        try:
            await self.client.retry(self.client.ensure_path, self._root)
            await self.client.add_watch(self._root, self._watcher, AddWatchMode.PERSISTENT_RECURSIVE)
        except BaseException:
            await self.close()
            raise
        self._queue.put_nowait(("resync", None))

    async def close(self) -> None:
        """Stop mirroring: remove the watch and listener, end the task, empty the mirror (final)."""
        if self._state != self._STARTED:
            self._state = self._CLOSED
            return
        self._state = self._CLOSED
        try:
            self.client.remove_listener(self._on_state)
        except (KeyError, ValueError):
            pass
        try:
            await self.client.remove_watches(self._root, self._watcher, WatcherType.ANY)
        except ZkException:
            pass  # disconnected or already gone: the watch dies with the session
        worker, self._worker = self._worker, None
        if worker is not None and worker is not asyncio.current_task():
            worker.cancel()
            await asyncio.wait({worker})
        self._mirror.clear()

    async def __aenter__(self) -> TreeCache:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def wait_initialized(self, timeout: float | None = None) -> bool:
        """Wait until the first full read is published (``INITIALIZED``); False after ``timeout`` s."""
        try:
            await asyncio.wait_for(self._initialized_event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def listen(self, listener: Listener) -> Listener:
        """Register ``listener(event)`` (plain or coroutine) for every TreeEvent; usable as a decorator."""
        if not callable(listener):
            raise InvalidTypeError("listener must be callable")
        self._listeners.append(listener)
        return listener

    def listen_fault(self, listener: FaultListener) -> FaultListener:
        """Register ``listener(exception)`` for errors raised in the cache's task."""
        if not callable(listener):
            raise InvalidTypeError("listener must be callable")
        self._fault_listeners.append(listener)
        return listener

    def get_data(self, path: str, default: NodeData | None = None) -> NodeData | None:
        """The cached :class:`NodeData` of ``path``, or ``default`` (InvalidArgumentError outside it)."""
        return self._mirror.nodes.get(self._mirror.key(path), default)

    def get_children(self, path: str, default: frozenset[str] | None = None) -> frozenset[str] | None:
        """The cached child names of ``path``, or ``default`` if not cached."""
        return self._mirror.get_children(self._mirror.key(path), default)

    # ------------------------------------------------------ event entry points

    def _on_watch(self, event: WatchedEvent) -> None:
        if self._state == self._STARTED and event.type in (EventType.CREATED, EventType.CHANGED,
                                                          EventType.DELETED):
            self._queue.put_nowait(("watch", event))

    def _on_state(self, state: ZkState) -> None:
        if self._state == self._STARTED:
            self._queue.put_nowait(("state", state))

    # ---------------------------------------------------------- the task

    async def _run(self) -> None:
        while True:
            kind, item = await self._queue.get()
            if self._state != self._STARTED:
                continue
            try:
                if kind == "resync":
                    await self._resync()
                elif kind == "watch":
                    await self._apply(item)
                else:
                    await self._state_changed(item)
            except (ConnectionClosedError, ZookeeperStoppedError):
                pass
            except Exception as error:
                await self._fault(error)

    async def _state_changed(self, state: ZkState) -> None:
        if state == ZkState.SUSPENDED:
            self._disconnected = True
            await self._publish(TreeEvent.CONNECTION_SUSPENDED)
        elif state == ZkState.LOST:
            self._disconnected = self._session_lost = True
            self._initialized = False
            await self._publish(TreeEvent.CONNECTION_LOST)
        elif state == ZkState.CONNECTED and self._disconnected:
            self._disconnected = False
            if self._session_lost:
                self._session_lost = False
                await self.client.retry(self.client.ensure_path, self._root)
                await self.client.add_watch(self._root, self._watcher, AddWatchMode.PERSISTENT_RECURSIVE)
            await self._publish(TreeEvent.CONNECTION_RECONNECTED)
            await self._resync()

    async def _apply(self, event: WatchedEvent) -> None:
        path = event.path.rstrip("/") or "/"
        if event.type == EventType.DELETED:
            await self._remove_subtree(path)
            return
        try:
            data, stat = await self.client.retry(self.client.get, path)
        except NoNodeError:
            return  # deleted since: its DELETED notification follows
        await self._store(path, data or b"", stat)

    async def _store(self, path: str, data: bytes, stat: ZnodeStat, resync_orphans: bool = True) -> None:
        stored, node = self._mirror.store(path, data, stat)
        if stored is Stored.ORPHAN:
            if resync_orphans:
                await self._resync()
        elif stored is Stored.ADDED:
            await self._publish(TreeEvent.NODE_ADDED, node)
        elif stored is Stored.UPDATED:
            await self._publish(TreeEvent.NODE_UPDATED, node)

    async def _remove_subtree(self, path: str) -> None:
        for node in self._mirror.remove_subtree(path):
            await self._publish(TreeEvent.NODE_REMOVED, node)

    async def _read_tree(self) -> dict[str, tuple[bytes, ZnodeStat, list[str]]]:
        found: dict[str, tuple[bytes, ZnodeStat, list[str]]] = {}
        stack = [self._root]
        while stack:
            p = stack.pop()
            try:
                data, stat = await self.client.retry(self.client.get, p)
                children: list[str] = await self.client.retry(self.client.get_children, p)
            except NoNodeError:
                continue
            found[p] = (data or b"", stat, children)
            stack.extend(join_path(p, c) for c in children)
        return found

    async def _resync(self) -> None:
        fresh = await self._read_tree()
        for p in self._mirror.gone(fresh):
            await self._remove_subtree(p)
        for p in TreeMirror.store_order(fresh):
            data, stat, _children = fresh[p]
            await self._store(p, data, stat, resync_orphans=False)
        if not self._initialized:
            self._initialized = True
            await self._publish(TreeEvent.INITIALIZED)
            self._initialized_event.set()

    # ------------------------------------------------------------ publishing

    async def _publish(self, event_type: int, data: NodeData | None = None) -> None:
        event = TreeEvent(event_type, data)
        for listener in list(self._listeners):
            try:
                outcome = listener(event)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as error:
                await self._fault(error)

    async def _fault(self, error: BaseException) -> None:
        if not self._fault_listeners:
            log.error("TreeCache %s: error in its task", self._root, exc_info=error)
        for listener in list(self._fault_listeners):
            try:
                outcome = listener(error)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("TreeCache fault listener raised")
