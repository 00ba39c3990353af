"""CuratorCache: Curator's cache of a subtree, with Curator's listener shape.

A local copy of every node at and below ``path`` (the root included), kept
current by one persistent recursive watch, or — on servers without
persistent watches (ZooKeeper < 3.6, ``addWatch`` answered UNIMPLEMENTED) or
when forced with ``mode=CacheWatchMode.ONE_SHOT`` — by a tree of one-shot data
and child watches (the engine: :mod:`._cache_tree`). Both modes publish the
same events. Listeners get ``event(type, old_data, data)`` with
``NODE_CREATED`` / ``NODE_CHANGED`` / ``NODE_DELETED`` (``old_data`` None for a
creation, ``data`` None for a deletion) and ``initialized()`` once, after the
first load — Curator's ``CuratorCacheListener``. Nothing is written to
ZooKeeper (but the root, see below), so it reads trees made by Curator or anyone.

Guarantees:

* Events are delivered on one worker thread, in the order the cache applied
  them, never concurrently; a listener that raises is logged and the others
  still run.
* "Newer" is decided by zxids (czxid, then mzxid), never by the znode
  version, which wraps after 2**31 - 1 writes (CURATOR-688): a read that is
  not newer than the cached one changes nothing and publishes nothing.
* Any number of children loads (CURATOR-690): the load is a pipeline of at
  most 256 outstanding requests. A node whose child list cannot fit in one
  reply (the jute.maxbuffer limit) stops the cache with a clear
  ``FrameTooLargeError`` to the fault listeners (rather than reconnecting forever).
* ``close()`` removes the session listener, every listener and every watch
  callback it registered with the client (apache/curator#1292). The server
  side of a watch is not the client's to take back: a one-shot watch ends at
  its next firing; ZooKeeper 3.8 keeps a persistent one until the session
  ends (removing one watcher's persistent watch comes in 3.9); the client
  drops what they deliver.

SUSPENDED: the data stays readable (maybe stale). Reconnected (same session):
the subtree is read again and the differences published. LOST: the data stays
readable; on the new session the watch is set again, the subtree read again
and the differences published (``initialized`` is not repeated).

Differences from Curator: the root is created if absent unless
``create_root=False`` (Curator never creates it).
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from zkrecipes.recipes._tree_mirror import NodeData, check_root
from zkrecipes.recipes.curator._cache_tree import CacheTree, Change
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["CacheEventType", "CacheWatchMode", "CuratorCache", "CuratorCacheListener"]

log = logging.getLogger(__name__)


class CacheEventType(enum.Enum):
    """Curator's ``CuratorCacheListener.Type``."""

    NODE_CREATED = "NODE_CREATED"
    NODE_CHANGED = "NODE_CHANGED"
    NODE_DELETED = "NODE_DELETED"


_KINDS = {"created": CacheEventType.NODE_CREATED, "changed": CacheEventType.NODE_CHANGED,
          "deleted": CacheEventType.NODE_DELETED}


class CuratorCacheListener(Protocol):
    """Told of each change (``initialized`` is optional)."""

    def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002 (Curator's name)
              data: NodeData | None) -> None:
        """A node was created, changed or deleted."""


class CuratorCache:
    """A cached subtree (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, *, mode: CacheWatchMode = CacheWatchMode.AUTO,
                 create_root: bool = True) -> None:
        if not isinstance(mode, CacheWatchMode):
            raise TypeError(f"mode must be a CacheWatchMode, not {mode!r}")
        self.client = client
        self.path = check_root(path)
        self._lock = client.handler.lock_object()
        self._listeners: list[CuratorCacheListener] = []
        self._fault_listeners: list[Callable[[BaseException], object]] = []
        self._ready = client.handler.event_object()
        self._state = "latent"
        self._tree = CacheTree(client, self.path, mode, create_root=create_root, publish=self._on_change,
                               initialized=self._on_initialized, fault=self._on_fault)

    def __repr__(self) -> str:
        return f"CuratorCache({self.path!r}, size={self.size()})"

    @property
    def watch_mode(self) -> CacheWatchMode | None:
        """The mode in use (PERSISTENT or ONE_SHOT), None until the cache has chosen."""
        return self._tree.mode_in_use

    def start(self) -> None:
        """Start caching, in the background (listeners hear ``initialized()`` after the first load)."""
        with self._lock:
            if self._state != "latent":
                raise RuntimeError("Cannot be started more than once")
            self._state = "started"
        self._tree.start()

    def await_initialized(self, timeout: float | None = None) -> bool:
        """Wait until the first load is done; whether it is."""
        return self._ready.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Stop caching: remove the session listener, the watches and the listeners; empty the cache."""
        with self._lock:
            started, self._state = self._state == "started", "closed"
            self._listeners.clear()
            self._fault_listeners.clear()
        if started:
            self._tree.close(timeout)

    def __enter__(self) -> CuratorCache:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def add_listener(self, listener: CuratorCacheListener) -> None:
        """Tell ``listener`` of every change (Curator's ``listenable().addListener``)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: CuratorCacheListener) -> None:
        """Stop telling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def add_fault_listener(self, listener: Callable[[BaseException], object]) -> None:
        """Call ``listener(error)`` for an error of the background work (they are logged otherwise)."""
        with self._lock:
            self._fault_listeners.append(listener)

    def get(self, path: str) -> NodeData | None:
        """The cached node at ``path``, or None."""
        with self._tree.lock:
            return self._tree.store.nodes.get(path)

    def size(self) -> int:
        """How many nodes are cached (the root included)."""
        with self._tree.lock:
            return len(self._tree.store)

    def stream(self) -> list[NodeData]:
        """Every cached node, in path order."""
        with self._tree.lock:
            nodes = self._tree.store.nodes
            return [nodes[path] for path in sorted(nodes)]

    def children(self, path: str) -> list[NodeData]:
        """The cached children of ``path``, in name order (none if ``path`` is not cached)."""
        with self._tree.lock:
            nodes = self._tree.store.nodes
            base = path.rstrip("/")
            return [nodes[f"{base}/{name}"] for name in sorted(self._tree.store.children.get(path, ()))]

    # ------------------------------------------------------------------ the engine's hooks (its worker)

    def _on_change(self, change: Change) -> None:
        kind, old, new = change
        for listener in self._snapshot():
            self._call(functools.partial(listener.event, _KINDS[kind], old, new))

    def _on_initialized(self) -> None:
        self._ready.set()
        for listener in self._snapshot():
            hook = getattr(listener, "initialized", None)
            if hook is not None:
                self._call(hook)

    def _on_fault(self, error: BaseException) -> None:
        with self._lock:
            listeners = list(self._fault_listeners)
        if not listeners:
            log.error("CuratorCache %s: %s", self.path, error, exc_info=error)
        for listener in listeners:
            self._call(functools.partial(listener, error))

    def _snapshot(self) -> list[CuratorCacheListener]:
        with self._lock:
            return list(self._listeners)

    def _call(self, hook: Callable[[], object]) -> None:
        try:
            hook()
        except Exception:
            log.exception("CuratorCache listener of %s failed", self.path)
