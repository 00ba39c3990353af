"""CuratorCache: Curator's cache of a subtree, with Curator's listener shape.

A Curator-named view over zkrecipes' :class:`~zkrecipes.recipes.cache.TreeCache`
(one persistent recursive watch on the root, the subtree read once, each
notification applied by re-reading the node; one worker, events in order).
Listeners get ``event(type, old_data, data)`` with ``NODE_CREATED`` /
``NODE_CHANGED`` / ``NODE_DELETED`` (``old_data`` None for a creation, ``data``
None for a deletion) and ``initialized()`` once the first read is done —
Curator's ``CuratorCacheListener``. Nothing of the cache is written to
ZooKeeper, so it reads trees made by Curator or anyone.

Differences from Curator: the root is created if absent (TreeCache's rule);
only servers with persistent watches (3.6+) are supported (no fallback to a
tree of one-shot watches yet). SUSPENDED: the data stays readable (maybe
stale). Reconnected or a new session: the subtree is read again and the
differences published.
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from zkrecipes.recipes.cache import NodeData, TreeCache, TreeEvent

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["CacheEventType", "CuratorCache", "CuratorCacheListener"]

log = logging.getLogger(__name__)


class CacheEventType(enum.Enum):
    """Curator's ``CuratorCacheListener.Type``."""

    NODE_CREATED = "NODE_CREATED"
    NODE_CHANGED = "NODE_CHANGED"
    NODE_DELETED = "NODE_DELETED"


class CuratorCacheListener(Protocol):
    """Told of each change (``initialized`` is optional)."""

    def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002 (Curator's name)
              data: NodeData | None) -> None:
        """A node was created, changed or deleted."""


class CuratorCache:
    """A cached subtree (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str) -> None:
        self.client = client
        self.path = path
        self._tree = TreeCache(client, path)
        self._lock = client.handler.lock_object()
        self._nodes: dict[str, NodeData] = {}
        self._listeners: list[CuratorCacheListener] = []
        self._tree.listen(self._on_tree_event)

    def __repr__(self) -> str:
        return f"CuratorCache({self.path!r}, size={self.size()})"

    def start(self) -> None:
        """Start caching (in the background; listeners hear ``initialized()`` when the first read is done)."""
        self._tree.start()

    def close(self) -> None:
        """Stop caching; remove the watch and the listeners."""
        self._tree.close()
        with self._lock:
            self._listeners.clear()

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

    def get(self, path: str) -> NodeData | None:
        """The cached node at ``path``, or None."""
        with self._lock:
            return self._nodes.get(path)

    def size(self) -> int:
        """How many nodes are cached (the root included)."""
        with self._lock:
            return len(self._nodes)

    def stream(self) -> list[NodeData]:
        """Every cached node, in path order."""
        with self._lock:
            return [self._nodes[path] for path in sorted(self._nodes)]

    # ------------------------------------------------------------------ the adapter

    def _on_tree_event(self, event: TreeEvent) -> None:
        """TreeCache listener (its worker, in order): keep the old value, tell our listeners."""
        if event.event_type == TreeEvent.INITIALIZED:
            for listener in self._snapshot():
                hook = getattr(listener, "initialized", None)
                if hook is not None:
                    self._call(hook)
            return
        data = event.event_data
        if data is None:
            return  # a connection event: Curator's cache listener has none
        with self._lock:
            old = self._nodes.get(data.path)
            if event.event_type == TreeEvent.NODE_REMOVED:
                self._nodes.pop(data.path, None)
            else:
                self._nodes[data.path] = data
        if event.event_type == TreeEvent.NODE_REMOVED:
            kind, before, after = CacheEventType.NODE_DELETED, old or data, None
        elif old is None:
            kind, before, after = CacheEventType.NODE_CREATED, None, data
        else:
            kind, before, after = CacheEventType.NODE_CHANGED, old, data
        for listener in self._snapshot():
            self._call(functools.partial(listener.event, kind, before, after))

    def _snapshot(self) -> list[CuratorCacheListener]:
        with self._lock:
            return list(self._listeners)

    def _call(self, hook: Callable[[], object]) -> None:
        try:
            hook()
        except Exception:
            log.exception("CuratorCache listener of %s failed", self.path)
