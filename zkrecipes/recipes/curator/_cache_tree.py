"""CuratorCache's engine: keeps a :class:`~._cache_rules.CacheStore` current and says what changed.

One worker of the client's handler does all the work, in order: the first
load, each notification, each reconnect. Notifications only enqueue. So
changes are published in the order they were applied, never concurrently.

Two ways to learn of changes (:class:`~.cache_watch_mode.CacheWatchMode`):

* **persistent**: one persistent recursive watch on the root. CREATED /
  CHANGED re-read the node (a read that is not newer by zxid is ignored),
  DELETED removes the cached subtree.
* **one-shot** (servers without ``addWatch``, or forced): every cached node is
  read with a data watch and listed with a child watch; a fired watch is set
  again by the re-read it causes. CHANGED and DELETED re-read the node (a
  node gone is removed with its subtree; one created again since it was
  cached — a later czxid — is removed and loaded anew: a parent's child watch
  fires once for several changes, so a DELETED alone proves nothing); CHILD
  re-lists the node (new children are loaded, missing ones removed); an
  absent root carries an existence watch.

After a reconnect the subtree is read again and the differences published
(the server does not replay a persistent watch's missed events); after a new
session the persistent watch is added again (one-shot watches are set again
by that read). Loads are pipelined (:mod:`._cache_loader`).
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

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
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes._tree_mirror import NodeData
from zkrecipes.recipes.curator._cache_decide import Action, Reconnects, Resume, recreated, relist, route
from zkrecipes.recipes.curator._cache_loader import DEFAULT_WINDOW, read_subtree
from zkrecipes.recipes.curator._cache_rules import CacheStore, Fresh, Stored
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.states import EventType, WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Joinable, RecipeClient, WatchFunc

__all__ = ["CacheTree", "Change"]

log = logging.getLogger("zkrecipes.recipes.curator.curator_cache")

#: ("created" | "changed" | "deleted", old value or None, new value or None).
Change = tuple[str, NodeData | None, NodeData | None]

_START, _EVENT, _STATE, _STOP = "start", "event", "state", "stop"


class _RemovesWatchesAsync(Protocol):
    def remove_watches_async(self, path: str, callback: Callable[[WatchedEvent], Any],
                             watcher_type: int) -> Any: ...


class CacheTree:
    """The engine of one CuratorCache (see the module docstring)."""

    def __init__(self, client: RecipeClient, root: str, mode: CacheWatchMode, *, create_root: bool,
                 publish: Callable[[Change], None], initialized: Callable[[], None],
                 fault: Callable[[BaseException], None], window: int = DEFAULT_WINDOW,
                 frame_limit: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.client = client
        self.root = root
        self.mode = mode
        self.create_root = create_root
        self.store = CacheStore(root)
        self.lock = client.handler.lock_object()  # guards ``store`` (never held across I/O)
        self.mode_in_use: CacheWatchMode | None = None
        self._publish = publish
        self._initialized_hook = initialized
        self._fault_hook = fault
        self._window = window
        self._frame_limit = frame_limit
        self._queue: collections.deque[tuple[str, Any]] = collections.deque()
        self._queue_lock = client.handler.lock_object()
        self._wakeup = client.handler.event_object()
        self._watcher: WatchFunc = self._on_watch  # one stable object: registered once per path
        self._state_listener = self._on_state
        self._worker: Joinable | None = None
        self._worker_ident: int | None = None  # so that close() from a listener does not join itself
        self._closed = False
        self._failed = False
        self._initialized = False
        self._reconnects = Reconnects()

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        self._worker = self.client.handler.spawn(self._run)
        self.client.add_listener(self._state_listener)
        self._enqueue(_START, None)

    def close(self, timeout: float) -> None:
        """Stop; remove the session listener and this engine's watch callbacks from the client.

        Offline the removal is skipped (the callback ignores whatever still fires).
        """
        self._closed = True
        safe_remove_listener(self.client, self._state_listener)
        self._enqueue(_STOP, None)
        if self._worker is not None and threading.get_ident() != self._worker_ident:
            self._worker.join(timeout)
        self._remove_watches()
        with self.lock:
            self.store.clear()

    def _remove_watches(self) -> None:
        if self.mode_in_use is CacheWatchMode.PERSISTENT:
            paths = [self.root]
        elif self.mode_in_use is CacheWatchMode.ONE_SHOT:
            with self.lock:
                paths = list(self.store.nodes) or [self.root]
        else:
            return
        if not self.client.connected:
            return  # the watcher ignores whatever still fires
        remover = getattr(self.client, "remove_watches_async", None)
        pending = []
        for path in paths:
            try:
                if remover is not None:
                    pending.append(remover(path, self._watcher, WatcherType.ANY))
                else:
                    self.client.remove_watches(path, self._watcher, WatcherType.ANY)
            except ZkException:
                continue
            if len(pending) >= self._window:
                self._settle(pending)
        self._settle(pending)

    @staticmethod
    def _settle(pending: list[Any]) -> None:
        for result in pending:
            result.wait(10.0)
        pending.clear()

    # ------------------------------------------------------------------ entry points

    def _on_watch(self, event: WatchedEvent) -> None:
        if not self._closed and event.type is not EventType.NONE:
            self._enqueue(_EVENT, event)

    def _on_state(self, state: ZkState) -> None:
        if not self._closed:
            self._enqueue(_STATE, state)

    def _enqueue(self, kind: str, item: Any) -> None:
        with self._queue_lock:
            self._queue.append((kind, item))
        self._wakeup.set()

    # ------------------------------------------------------------------ the worker

    def _run(self) -> None:
        self._worker_ident = threading.get_ident()
        while True:
            self._wakeup.wait(1.0)
            while True:
                with self._queue_lock:
                    if not self._queue:
                        self._wakeup.clear()
                        break
                    kind, item = self._queue.popleft()
                if kind == _STOP:
                    return
                if self._closed or self._failed:
                    continue
                try:
                    self._handle(kind, item)
                except (ConnectionClosedError, ZookeeperStoppedError):
                    pass
                except FrameTooLargeError as error:
                    self._failed = True  # asking again would only drop the connection again
                    self._fault_hook(error)
                except Exception as error:
                    self._fault_hook(error)

    def _handle(self, kind: str, item: Any) -> None:
        if kind == _START:
            self._setup()
            self._resync()
        elif kind == _EVENT:
            self._apply(item)
        elif kind == _STATE:
            self._state_changed(item)

    def _setup(self) -> None:
        """Create the root if asked; choose the mode (once) and add the persistent watch."""
        if self.create_root:
            self.client.retry(self.client.ensure_path, self.root)
        if self.mode_in_use is None:
            if self.mode is CacheWatchMode.ONE_SHOT:
                self.mode_in_use = CacheWatchMode.ONE_SHOT
                return
            try:
                self.client.retry(self.client.add_watch, self.root, self._watcher,
                                  AddWatchMode.PERSISTENT_RECURSIVE)
            except UnimplementedError:
                if self.mode is CacheWatchMode.PERSISTENT:
                    raise
                log.info("CuratorCache %s: no persistent watches on this server, one-shot watches instead",
                         self.root)
                self.mode_in_use = CacheWatchMode.ONE_SHOT
            else:
                self.mode_in_use = CacheWatchMode.PERSISTENT
        elif self.mode_in_use is CacheWatchMode.PERSISTENT:
            self.client.retry(self.client.add_watch, self.root, self._watcher,
                              AddWatchMode.PERSISTENT_RECURSIVE)

    def _state_changed(self, state: ZkState) -> None:
        resume = self._reconnects.on_state(state)
        if resume is Resume.RESETUP:
            self._setup()
        if resume is not Resume.NOTHING:
            self._resync()

    def _is_closed(self) -> bool:
        return self._closed

    @property
    def _one_shot(self) -> bool:
        return self.mode_in_use is CacheWatchMode.ONE_SHOT

    # ------------------------------------------------------------------ reading

    def _read(self, tops: list[str]) -> dict[str, tuple[bytes | None, Any, list[str]]]:
        """Read the subtrees at ``tops`` (watched in one-shot mode); after a connection error, again."""
        watcher = self._watcher if self._one_shot else None
        while True:
            found: dict[str, tuple[bytes | None, Any, list[str]]] = {}
            try:
                for top in tops:
                    found.update(read_subtree(self.client, top, watcher, frame_limit=self._frame_limit,
                                              window=self._window, cancelled=self._is_closed))
                if self._closed:
                    raise ConnectionClosedError("the cache was closed during a load")
                return found
            except (ZkTimeoutError, ZkException) as error:
                if self._closed or not (is_retryable(error) or isinstance(error, ZkTimeoutError)):
                    raise
                self.client.retry(self.client.exists, self.root)  # waits (retry policy) for a connection

    def _resync(self) -> None:
        """Read the whole subtree again and publish the differences; ``initialized`` after the first."""
        fresh = self._read([self.root])
        if self._one_shot and self.root not in fresh and self._watch_absent_root():
            fresh = self._read([self.root])
        self._merge(fresh, [self.root])
        if not self._initialized:
            self._initialized = True
            self._initialized_hook()

    def _watch_absent_root(self) -> bool:
        """One-shot mode, root absent: set an existence watch; True if it exists after all."""
        return self.client.retry(self.client.exists, self.root, self._watcher) is not None

    def _merge(self, fresh: Fresh, tops: Iterable[str]) -> None:
        for top in tops:
            with self.lock:
                gone = self.store.gone(fresh, top)
            for path in gone:
                self._remove(path)
        for path in CacheStore.store_order(fresh):
            data, stat, _children = fresh[path]
            self._store(path, data, stat, orphan_resync=False)

    # ------------------------------------------------------------------ applying

    def _apply(self, event: WatchedEvent) -> None:
        path = event.path.rstrip("/") or "/"
        action = route(event.type, path, one_shot=self._one_shot, cached=path in self.store, root=self.root)
        if action is Action.REMOVE:
            self._remove(path)
        elif action is Action.REFRESH:
            self._refresh(path)
        elif action is Action.LOAD:
            self._load([path])
        elif action is Action.RELIST:
            self._relist(path)

    def _refresh(self, path: str) -> None:
        watcher = self._watcher if self._one_shot else None
        try:
            data, stat = self.client.retry(self.client.get, path, watcher)
        except NoNodeError:  # gone since (a one-shot data watch is not set on a missing node)
            self._remove(path)
            if self._one_shot and path == self.root and self._watch_absent_root():
                self._load([self.root])
            return
        with self.lock:
            cached = self.store.nodes.get(path)
        if recreated(self._one_shot, None if cached is None else cached.stat, stat):
            # Deleted and created again since it was cached (a one-shot watch may have missed
            # the parent's change): the old node goes, the new one is loaded with its watches.
            self._remove(path)
            self._load([path])
            return
        self._store(path, data, stat, orphan_resync=True)

    def _relist(self, path: str) -> None:
        """One-shot mode: the children of ``path`` changed; load the new ones, drop the missing ones."""
        try:
            names = set(self.client.retry(self.client.get_children, path, self._watcher))
        except NoNodeError:
            return  # its DELETED notification removes it
        with self.lock:
            cached = self.store.child_names(path)
        gone, new = relist(cached, names)
        for name in gone:
            self._remove(join_path(path, name))
        if new:
            self._load([join_path(path, name) for name in new])

    def _load(self, tops: list[str]) -> None:
        self._merge(self._read(tops), tops)

    def _store(self, path: str, data: bytes | None, stat: Any, *, orphan_resync: bool) -> None:
        with self.lock:
            stored, old, node = self.store.store(path, data, stat)
        if stored is Stored.CREATED:
            self._publish(("created", None, node))
        elif stored is Stored.CHANGED:
            self._publish(("changed", old, node))
        elif stored is Stored.ORPHAN and orphan_resync:
            self._resync()  # a parent not seen yet (its notification raced a read): read it all again

    def _remove(self, path: str) -> None:
        with self.lock:
            removed = self.store.remove_subtree(path)
        for node in removed:
            self._publish(("deleted", node, None))
