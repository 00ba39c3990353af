"""ServiceCache: the instances of one service, kept in memory (curator-x-discovery's ``ServiceCache``).

A :class:`~.curator_cache.CuratorCache` of ``<base>/<name>`` (the root is not
created: a Curator peer makes it a container) whose direct children are
parsed as :class:`~.service_instance.ServiceInstance` JSON. ``get_instances()``
answers from memory, in id order. An instance that cannot be parsed is left
out (logged), as Curator's cache does; ``query_for_instances`` raises instead.

Listeners (Curator's ``ServiceCacheListener``): ``cache_changed()`` after each
change of the instance list once the first load is done, and, if defined,
``state_changed(client, state)`` for each connection state (SUSPENDED,
CONNECTED, LOST), on the client's session queue.

SUSPENDED: the instances stay as they were (maybe stale). Reconnected: the
service's nodes are read again and listeners told of the differences. LOST:
the dynamic instances of the lost session vanish from the cache when their
nodes go, and re-registered ones appear again. ``close()`` closes the cache
(its watches and session listener) and drops every listener (apache/curator#1292).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._discovery_rules import InstanceTable
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.curator_cache import CacheEventType, CuratorCache

if TYPE_CHECKING:
    from collections.abc import Callable

    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes._tree_mirror import NodeData
    from zkrecipes.recipes.curator.service_instance import ServiceInstance
    from zkrecipes.states import ZkState

__all__ = ["ServiceCache", "ServiceCacheListener"]

log = logging.getLogger(__name__)


class ServiceCacheListener(Protocol):
    """Told when the instance list changed (``state_changed(client, state)`` is optional)."""

    def cache_changed(self) -> None:
        """The instances changed: call ``get_instances()`` for the new list."""


class ServiceCache:
    """The instances of service ``name`` under ``base_path``, cached (see the module docstring)."""

    def __init__(self, client: RecipeClient, base_path: str, name: str, *,
                 mode: CacheWatchMode = CacheWatchMode.AUTO,
                 on_close: Callable[[ServiceCache], object] | None = None) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"service name must be a non-empty str without '/': {name!r}")
        self.client = client
        self.base_path = check_path(base_path, "base_path")
        self.name = name
        self.path = join_path(self.base_path, name)
        self._lock = client.handler.lock_object()
        self._table = InstanceTable(self.path)
        self._listeners: list[ServiceCacheListener] = []
        self._on_close = on_close
        self._loaded = False
        self._started = False
        self._closed = False
        self._cache = CuratorCache(client, self.path, mode=mode, create_root=False)
        self._cache.add_listener(self)
        self._state_listener = self._on_state

    def __repr__(self) -> str:
        return f"ServiceCache({self.path!r}, instances={len(self._table)})"

    @property
    def watch_mode(self) -> CacheWatchMode | None:
        """The underlying cache's watch mode (see :class:`~.curator_cache.CuratorCache`)."""
        return self._cache.watch_mode

    def start(self, timeout: float | None = 30.0) -> bool:
        """Start; wait up to ``timeout`` s for the first load (as Curator's ``start``); whether done."""
        with self._lock:
            if self._started or self._closed:
                raise RuntimeError("Cannot be started more than once")
            self._started = True
        self.client.add_listener(self._state_listener)
        self._cache.start()
        return self._cache.await_initialized(timeout)

    def close(self) -> None:
        """Stop: close the cache, remove the session listener and every listener."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._listeners.clear()
        safe_remove_listener(self.client, self._state_listener)
        self._cache.close()
        with self._lock:
            self._table.clear()
        if self._on_close is not None:
            self._on_close(self)

    def __enter__(self) -> ServiceCache:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def add_listener(self, listener: ServiceCacheListener) -> None:
        """Tell ``listener`` of changes (and connection states, if it has ``state_changed``)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: ServiceCacheListener) -> None:
        """Stop telling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def get_instances(self) -> list[ServiceInstance]:
        """The cached instances, in id order (no server round trip)."""
        with self._lock:
            return self._table.instances()

    # ------------------------------------------------------------------ CuratorCacheListener (cache worker)

    def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002 (Curator's name)
              data: NodeData | None) -> None:
        with self._lock:
            changed = self._table.apply(old_data, None if type is CacheEventType.NODE_DELETED else data)
        if changed and self._loaded:
            self._tell_changed()

    def initialized(self) -> None:
        self._loaded = True
        self._tell_changed()

    def _tell_changed(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener.cache_changed()
            except Exception:
                log.exception("service cache listener of %s failed", self.path)

    def _on_state(self, state: ZkState) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            hook = getattr(listener, "state_changed", None)
            if hook is None:
                continue
            try:
                hook(self.client, state)
            except Exception:
                log.exception("service cache listener of %s failed", self.path)
