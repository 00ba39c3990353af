"""TreeCache: a local, event-publishing mirror of a ZooKeeper subtree.

The cache registers one persistent-recursive watch on its root
(``client.add_watch(root, cb, AddWatchMode.PERSISTENT_RECURSIVE)``), reads the
whole subtree once, and then applies each notification by re-reading the node
it names. All work (notifications, reconnects, listener calls) runs on one
background worker, in order, so listeners see events in the order the changes
happened and never concurrently.

Failure semantics (Curator style):

* **SUSPENDED** — listeners get ``CONNECTION_SUSPENDED``; the cached data stays
  readable but may be stale.
* reconnect to the **same session** — ``CONNECTION_RECONNECTED``, then the
  cache re-reads the subtree and publishes ADDED/UPDATED/REMOVED for what
  changed while disconnected (the server does not replay persistent-watch
  events missed during a disconnection).
* **LOST** — ``CONNECTION_LOST``; the data stays readable but stale. Once the
  client is CONNECTED with a new session the cache registers its watch again,
  publishes ``CONNECTION_RECONNECTED``, re-reads the subtree, publishes the
  differences and finally ``INITIALIZED`` again.

Note (ZooKeeper 3.8.0, ZOOKEEPER-4466): a one-shot watch set through the same
client on exactly the cache's root path interferes with the persistent watch;
watch paths below the root are fine.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.checks import check_seconds
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
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["NodeData", "TreeCache", "TreeEvent"]

log = logging.getLogger(__name__)


Listener = Callable[[TreeEvent], Any]
FaultListener = Callable[[BaseException], Any]

# Work items for the background worker.
_RESYNC = "resync"
_WATCH = "watch"
_STATE = "state"
_STOP = "stop"


class TreeCache:
    """Mirror the subtree under ``path`` and publish :class:`TreeEvent` s.

    ``start()`` once, ``close()`` when done. ``get_data(path)`` and
    ``get_children(path)`` read the local mirror (no server round trip).
    After the first full read, listeners get ``INITIALIZED``; before it they get
    ``NODE_ADDED`` for every node found (parents before children).
    """

    #: kazoo's names of the life-cycle states (``_state``): not started, started, closed.
    STATE_LATENT, STATE_STARTED, STATE_CLOSED = range(3)
    _LATENT, _STARTED, _CLOSED = STATE_LATENT, STATE_STARTED, STATE_CLOSED

    def __init__(self, client: RecipeClient, path: str) -> None:
        self._client = client
        self._root = check_root(path)
        self._state = self._LATENT
        self._mirror = TreeMirror(self._root)  # the cached nodes; the rules live there
        self._data_lock = client.handler.lock_object()
        self._queue: collections.deque[tuple[str, Any]] = collections.deque()
        self._queue_lock = client.handler.lock_object()
        self._wakeup = client.handler.event_object()
        self._listeners: list[Listener] = []
        self._fault_listeners: list[FaultListener] = []
        self._watcher = self._on_watch  # one stable object for add/remove
        self._session_listener = self._on_state
        self._initialized = False
        self._disconnected = False
        self._session_lost = False
        self._worker: Any = None

    # ------------------------------------------------------------- public API

    def start(self) -> None:
        """Start mirroring: ensure the root exists, watch it, read it, publish.

        Raises ConfigurationError if the cache was already started or closed.
        Returns once the watch is registered; the initial read and the events
        it produces happen in the background (``INITIALIZED`` marks its end).
        """
        if self._state == self._CLOSED:
            raise ConfigurationError("TreeCache already closed")
        if self._state == self._STARTED:
            raise ConfigurationError("TreeCache already started")
        self._state = self._STARTED
        self._worker = self._client.handler.spawn(self._run)
        self._client.add_listener(self._session_listener)
        self._client.retry(self._client.ensure_path, self._root)
        self._client.add_watch(self._root, self._watcher, AddWatchMode.PERSISTENT_RECURSIVE)
        self._enqueue(_RESYNC, None)

    def close(self, timeout: float = 10.0) -> None:
        """Stop mirroring: remove the watch and listener, stop the worker.

        The mirror is emptied; a closed cache cannot be started again. Waits up
        to ``timeout`` seconds for the worker to finish the item in progress.
        """
        timeout = check_seconds(timeout, "timeout")
        if self._state != self._STARTED:
            self._state = self._CLOSED
            return
        self._state = self._CLOSED
        self._client.remove_listener(self._session_listener)
        try:
            self._client.remove_watches(self._root, self._watcher, WatcherType.ANY)
        except ZkException:
            pass  # disconnected or already gone: the watch dies with the session
        self._enqueue(_STOP, None)
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        with self._data_lock:
            self._mirror.clear()

    def listen(self, listener: Listener) -> Listener:
        """Register ``listener(event)`` for every TreeEvent; usable as a decorator."""
        if not callable(listener):
            raise InvalidTypeError("listener must be callable")
        self._listeners.append(listener)
        return listener

    def listen_fault(self, listener: FaultListener) -> FaultListener:
        """Register ``listener(exception)`` for errors raised in the background."""
        if not callable(listener):
            raise InvalidTypeError("listener must be callable")
        self._fault_listeners.append(listener)
        return listener

    def get_data(self, path: str, default: NodeData | None = None) -> NodeData | None:
        """The cached :class:`NodeData` of ``path``, or ``default`` if not cached.

        Raises InvalidArgumentError if ``path`` is outside the cached subtree.
        """
        key = self._mirror.key(path)
        with self._data_lock:
            return self._mirror.nodes.get(key, default)

    def get_children(self, path: str, default: frozenset[str] | None = None) -> frozenset[str] | None:
        """The cached child names of ``path``, or ``default`` if not cached."""
        key = self._mirror.key(path)
        with self._data_lock:
            return self._mirror.get_children(key, default)

    # ------------------------------------------------------ event entry points

    def _on_watch(self, event: WatchedEvent) -> None:
        if self._state != self._STARTED:
            return
        if event.type in (EventType.CREATED, EventType.CHANGED, EventType.DELETED):
            self._enqueue(_WATCH, event)

    def _on_state(self, state: ZkState) -> None:
        if self._state == self._STARTED:
            self._enqueue(_STATE, state)

    def _enqueue(self, kind: str, item: Any) -> None:
        with self._queue_lock:
            self._queue.append((kind, item))
        self._wakeup.set()

    # ---------------------------------------------------------- the worker

    def _run(self) -> None:
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
                if self._state != self._STARTED:
                    continue
                try:
                    self._handle(kind, item)
                except (ConnectionClosedError, ZookeeperStoppedError):
                    pass
                except Exception as exc:
                    self._fault(exc)

    def _handle(self, kind: str, item: Any) -> None:
        if kind == _RESYNC:
            self._resync()
        elif kind == _WATCH:
            self._apply(item)
        elif kind == _STATE:
            self._state_changed(item)

    def _state_changed(self, state: ZkState) -> None:
        if state == ZkState.SUSPENDED:
            self._disconnected = True
            self._publish(TreeEvent.CONNECTION_SUSPENDED)
        elif state == ZkState.LOST:
            self._disconnected = True
            self._session_lost = True
            self._initialized = False
            self._publish(TreeEvent.CONNECTION_LOST)
        elif state == ZkState.CONNECTED and self._disconnected:
            self._disconnected = False
            if self._session_lost:
                self._session_lost = False
                self._client.retry(self._client.ensure_path, self._root)
                self._client.add_watch(self._root, self._watcher, AddWatchMode.PERSISTENT_RECURSIVE)
            self._publish(TreeEvent.CONNECTION_RECONNECTED)
            self._resync()

    def _apply(self, event: WatchedEvent) -> None:
        path = event.path.rstrip("/") or "/"
        if event.type == EventType.DELETED:
            self._remove_subtree(path)
            return
        try:
            data, stat = self._client.retry(self._client.get, path)
        except NoNodeError:
            return  # deleted since: its DELETED notification follows
        self._store(path, data, stat)

    def _store(self, path: str, data: bytes | None, stat: ZnodeStat, resync_orphans: bool = True) -> None:
        with self._data_lock:
            stored, node = self._mirror.store(path, data, stat)
        if stored is Stored.ORPHAN:
            # A parent we have not seen (its notification raced a resync): read again.
            if resync_orphans:
                self._resync()
        elif stored is Stored.ADDED:
            self._publish(TreeEvent.NODE_ADDED, node)
        elif stored is Stored.UPDATED:
            self._publish(TreeEvent.NODE_UPDATED, node)

    def _remove_subtree(self, path: str) -> None:
        with self._data_lock:
            removed = self._mirror.remove_subtree(path)
        for node in removed:
            self._publish(TreeEvent.NODE_REMOVED, node)

    def _read_tree(self) -> dict[str, tuple[bytes | None, ZnodeStat, list[str]]]:
        """Read the whole subtree now: path -> (data, stat, children)."""
        found: dict[str, tuple[bytes | None, ZnodeStat, list[str]]] = {}
        stack = [self._root]
        while stack:
            p = stack.pop()
            try:
                data, stat = self._client.retry(self._client.get, p)
                children: list[str] = self._client.retry(self._client.get_children, p)
            except NoNodeError:
                continue
            found[p] = (data, stat, children)
            stack.extend(join_path(p, c) for c in children)
        return found

    def _resync(self) -> None:
        """Re-read the subtree and publish the differences to the mirror."""
        fresh = self._read_tree()
        with self._data_lock:
            gone = self._mirror.gone(fresh)
        for p in gone:  # deepest first: children are removed before their parents
            self._remove_subtree(p)
        for p in TreeMirror.store_order(fresh):
            data, stat, _children = fresh[p]
            self._store(p, data, stat, resync_orphans=False)
        if not self._initialized:
            self._initialized = True
            self._publish(TreeEvent.INITIALIZED)

    # ------------------------------------------------------------ publishing

    def _publish(self, event_type: int, data: NodeData | None = None) -> None:
        event = TreeEvent(event_type, data)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as exc:
                self._fault(exc)

    def _fault(self, exc: BaseException) -> None:
        if not self._fault_listeners:
            log.exception("TreeCache %s: error in background", self._root, exc_info=exc)
        for listener in list(self._fault_listeners):
            try:
                listener(exc)
            except Exception:
                log.exception("TreeCache fault listener raised")
