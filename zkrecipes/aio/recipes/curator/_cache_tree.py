"""CuratorCache's engine on asyncio (the twin of ``recipes/curator/_cache_tree.py``).

The same store (:class:`~zkrecipes.recipes.curator._cache_rules.CacheStore`),
the same decisions (:mod:`zkrecipes.recipes.curator._cache_decide`: what a
notification, a re-read, a re-list and a reconnect mean) and the same
pipelined reads (:mod:`._cache_loader`); only the I/O is asyncio. One task
does all the work in order (the first load, each notification, each state
change); notifications and state changes only enqueue, so changes are
published in the order applied, never concurrently.

**Cancellation**: a cancelled :meth:`AsyncCacheTree.start` closes the engine.
:meth:`close` removes the session listener, ends the task (a load in flight
is cancelled: requests not yet sent are never sent) and asks the client to
drop every watch callback a request of this engine registered (the
persistent root watch, or each path a one-shot watch was requested for).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._cache_loader import read_subtree
from zkrecipes.client.protocol.framing import DEFAULT_MAX_FRAME_SIZE
from zkrecipes.client.protocol.opcodes import AddWatchMode, WatcherType
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    ConnectionClosedError,
    FrameTooLargeError,
    NoNodeError,
    UnimplementedError,
    ZkException,
    ZkTimeoutError,
    ZookeeperStoppedError,
)
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.recipes.curator._cache_decide import Action, Reconnects, Resume, recreated, relist, route
from zkrecipes.recipes.curator._cache_loader import DEFAULT_WINDOW
from zkrecipes.recipes.curator._cache_rules import CacheStore, Fresh, Stored
from zkrecipes.recipes.curator._cache_tree import Change
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.states import EventType, WatchedEvent, ZkState, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["AsyncCacheTree"]

log = logging.getLogger("zkrecipes.aio.recipes.curator.curator_cache")

_RESYNC, _EVENT, _STATE, _STOP = "resync", "event", "state", "stop"


class AsyncCacheTree:
    """The engine of one asyncio CuratorCache (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, root: str, mode: CacheWatchMode, *, create_root: bool,
                 publish: Callable[[Change], Awaitable[None]], initialized: Callable[[], Awaitable[None]],
                 fault: Callable[[BaseException], Awaitable[None]], window: int = DEFAULT_WINDOW,
                 frame_limit: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.client = client
        self.root = root
        self.mode = mode
        self.create_root = create_root
        self.store = CacheStore(root)
        self.mode_in_use: CacheWatchMode | None = None
        self._publish = publish
        self._initialized_hook = initialized
        self._fault_hook = fault
        self._window = window
        self._frame_limit = frame_limit
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._watcher = self._on_watch  # one stable object: registered once per path
        self._state_listener = self._on_state
        self._watched: set[str] = set()  # paths a one-shot watch was requested for
        self._worker: asyncio.Task[None] | None = None
        self._reconnects = Reconnects()
        self._closed = False
        self._failed = False
        self._initialized = False

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Set up (root, mode, persistent watch) and start the task; a failure or cancellation closes."""
        self.client.add_listener(self._state_listener)
        try:
            await self._setup()
        except BaseException:
            await self.close()
            raise
        loop = asyncio.get_running_loop()
        self._worker = loop.create_task(self._run(), name=f"zkrecipes-curator-cache-{self.root}")
        self._queue.put_nowait((_RESYNC, None))

    async def close(self) -> None:
        """Stop: the listener, the task and this engine's watch callbacks go; the store is emptied."""
        if self._closed:
            return
        self._closed = True
        self._queue.put_nowait((_STOP, None))  # ends the task even when closed from a listener
        try:
            self.client.remove_listener(self._state_listener)
        except (KeyError, ValueError):
            pass
        worker, self._worker = self._worker, None
        if worker is not None and worker is not asyncio.current_task():
            worker.cancel()
            await asyncio.wait({worker})
        await self._remove_watches()
        self.store.clear()

    async def _remove_watches(self) -> None:
        if self.mode_in_use is CacheWatchMode.PERSISTENT:
            paths = {self.root}
        elif self.mode_in_use is CacheWatchMode.ONE_SHOT:
            paths = self._watched | set(self.store.nodes) | {self.root}
        else:
            paths = {self.root}  # an add_watch may have been sent before a cancellation
        self._watched.clear()
        if not self.client.connected:
            return  # the watcher ignores whatever still fires
        ordered = sorted(paths)
        for at in range(0, len(ordered), self._window):
            await asyncio.gather(*(self._remove_watch(p) for p in ordered[at:at + self._window]))

    async def _remove_watch(self, path: str) -> None:
        try:
            await self.client.remove_watches(path, self._watcher, WatcherType.ANY)
        except (ZkException, ZkTimeoutError):
            pass  # none there (fired, or never set), or offline: the watcher ignores what fires

    # ------------------------------------------------------------------ entry points

    def _on_watch(self, event: WatchedEvent) -> None:
        if not self._closed and event.type is not EventType.NONE:
            self._queue.put_nowait((_EVENT, event))

    def _on_state(self, state: ZkState) -> None:
        if not self._closed:
            self._queue.put_nowait((_STATE, state))

    # ------------------------------------------------------------------ the task

    async def _run(self) -> None:
        while not self._closed:
            kind, item = await self._queue.get()
            if self._closed or self._failed:
                continue
            try:
                if kind == _RESYNC:
                    await self._resync()
                elif kind == _EVENT:
                    await self._apply(item)
                else:
                    resume = self._reconnects.on_state(item)
                    if resume is Resume.RESETUP:
                        await self._setup()
                    if resume is not Resume.NOTHING:
                        await self._resync()
            except (ConnectionClosedError, ZookeeperStoppedError):
                pass
            except FrameTooLargeError as error:
                self._failed = True  # asking again would only drop the connection again
                await self._fault_hook(error)
            except Exception as error:
                await self._fault_hook(error)

    async def _setup(self) -> None:
        """Create the root if asked; choose the mode (once) and add the persistent watch."""
        if self.create_root:
            await self.client.retry(self.client.ensure_path, self.root)
        if self.mode_in_use is None:
            if self.mode is CacheWatchMode.ONE_SHOT:
                self.mode_in_use = CacheWatchMode.ONE_SHOT
                return
            try:
                await self._add_watch()
            except UnimplementedError:
                if self.mode is CacheWatchMode.PERSISTENT:
                    raise
                log.info("CuratorCache %s: no persistent watches on this server, one-shot watches instead",
                         self.root)
                self.mode_in_use = CacheWatchMode.ONE_SHOT
            else:
                self.mode_in_use = CacheWatchMode.PERSISTENT
        elif self.mode_in_use is CacheWatchMode.PERSISTENT:
            await self._add_watch()

    async def _add_watch(self) -> None:
        await self.client.retry(self.client.add_watch, self.root, self._watcher,
                                AddWatchMode.PERSISTENT_RECURSIVE)

    @property
    def _one_shot(self) -> bool:
        return self.mode_in_use is CacheWatchMode.ONE_SHOT

    def _watch_for(self, path: str) -> Callable[[WatchedEvent], Any] | None:
        if not self._one_shot:
            return None
        self._watched.add(path)
        return self._watcher

    # ------------------------------------------------------------------ reading

    async def _read(self, tops: list[str]) -> dict[str, tuple[bytes | None, ZnodeStat, list[str]]]:
        """Read the subtrees at ``tops`` (watched in one-shot mode); after a connection error, again."""
        watcher = self._watcher if self._one_shot else None
        while True:
            found: dict[str, tuple[bytes | None, ZnodeStat, list[str]]] = {}
            try:
                for top in tops:
                    found.update(await read_subtree(self.client, top, watcher, frame_limit=self._frame_limit,
                                                    watched=self._watched, window=self._window))
                return found
            except (ZkTimeoutError, ZkException) as error:
                if not (is_retryable(error) or isinstance(error, ZkTimeoutError)):
                    raise
                await self.client.retry(self.client.exists, self.root)  # waits for a connection

    async def _resync(self) -> None:
        """Read the whole subtree again and publish the differences; ``initialized`` after the first."""
        fresh = await self._read([self.root])
        if self._one_shot and self.root not in fresh and await self._watch_absent_root():
            fresh = await self._read([self.root])
        await self._merge(fresh, [self.root])
        if not self._initialized:
            self._initialized = True
            await self._initialized_hook()

    async def _watch_absent_root(self) -> bool:
        """One-shot mode, root absent: set an existence watch; True if it exists after all."""
        return await self.client.retry(self.client.exists, self.root, self._watch_for(self.root)) is not None

    async def _merge(self, fresh: Fresh, tops: Iterable[str]) -> None:
        for top in tops:
            for path in self.store.gone(fresh, top):
                await self._remove(path)
        for path in CacheStore.store_order(fresh):
            data, stat, _children = fresh[path]
            await self._store(path, data, stat, orphan_resync=False)

    # ------------------------------------------------------------------ applying

    async def _apply(self, event: WatchedEvent) -> None:
        path = event.path.rstrip("/") or "/"
        action = route(event.type, path, one_shot=self._one_shot, cached=path in self.store, root=self.root)
        if action is Action.REMOVE:
            await self._remove(path)
        elif action is Action.REFRESH:
            await self._refresh(path)
        elif action is Action.LOAD:
            await self._load([path])
        elif action is Action.RELIST:
            await self._relist(path)

    async def _refresh(self, path: str) -> None:
        try:
            data, stat = await self.client.retry(self.client.get, path, self._watch_for(path))
        except NoNodeError:  # gone since (a one-shot data watch is not set on a missing node)
            await self._remove(path)
            if self._one_shot and path == self.root and await self._watch_absent_root():
                await self._load([self.root])
            return
        cached = self.store.nodes.get(path)
        if recreated(self._one_shot, None if cached is None else cached.stat, stat):
            await self._remove(path)
            await self._load([path])
            return
        await self._store(path, data, stat, orphan_resync=True)

    async def _relist(self, path: str) -> None:
        """One-shot mode: the children of ``path`` changed; load the new ones, drop the missing ones."""
        try:
            names = set(await self.client.retry(self.client.get_children, path, self._watch_for(path)))
        except NoNodeError:
            return  # its DELETED notification removes it
        gone, new = relist(self.store.child_names(path), names)
        for name in gone:
            await self._remove(join_path(path, name))
        if new:
            await self._load([join_path(path, name) for name in new])

    async def _load(self, tops: list[str]) -> None:
        await self._merge(await self._read(tops), tops)

    async def _store(self, path: str, data: bytes | None, stat: ZnodeStat, *, orphan_resync: bool) -> None:
        stored, old, node = self.store.store(path, data, stat)
        if stored is Stored.CREATED:
            await self._publish(("created", None, node))
        elif stored is Stored.CHANGED:
            await self._publish(("changed", old, node))
        elif stored is Stored.ORPHAN and orphan_resync:
            await self._resync()  # a parent not seen yet (its notification raced a read): read it all again

    async def _remove(self, path: str) -> None:
        for node in self.store.remove_subtree(path):
            await self._publish(("deleted", node, None))
