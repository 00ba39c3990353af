"""ServiceCache on asyncio: the instances of one service, kept in memory (curator-x-discovery's format).

The asyncio form of :class:`zkrecipes.recipes.curator.ServiceCache`: an
asyncio :class:`~.curator_cache.CuratorCache` of ``<base>/<name>`` (the root is
not created) whose direct children are parsed by the shared
:class:`~zkrecipes.recipes.curator._discovery_rules.InstanceTable` (an
unparsable instance is left out, logged). ``get_instances()`` answers from
memory, in id order. Listeners: ``cache_changed()`` after each change of the
list once the first load is done (on the cache's task), and, if defined,
``state_changed(client, state)`` for each connection state — plain or
coroutine methods.

SUSPENDED: the instances stay (maybe stale). Reconnected: read again, the
differences told. LOST: the lost session's dynamic instances vanish when their
nodes go; re-registered ones appear again. **Cancellation / close**: a
cancelled ``start()`` closes; ``await close()`` closes the cache (its watches
and session listener), removes its own session listener, drops every listener.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator.curator_cache import CuratorCache
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator._discovery_rules import InstanceTable
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.curator_cache import CacheEventType

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes._tree_mirror import NodeData
    from zkrecipes.recipes.curator.service_instance import ServiceInstance
    from zkrecipes.states import ZkState

__all__ = ["ServiceCache"]

log = logging.getLogger(__name__)


class ServiceCache:
    """The instances of service ``name`` under ``base_path``, cached, on asyncio (see the module)."""

    def __init__(self, client: AsyncRecipeClient, base_path: str, name: str, *,
                 mode: CacheWatchMode = CacheWatchMode.AUTO,
                 on_close: Callable[[ServiceCache], object] | None = None) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"service name must be a non-empty str without '/': {name!r}")
        self.client = client
        self.base_path = check_path(base_path, "base_path")
        self.name = name
        self.path = join_path(self.base_path, name)
        self._table = InstanceTable(self.path)
        self._listeners: list[Any] = []
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
        """The underlying cache's watch mode."""
        return self._cache.watch_mode

    async def start(self, timeout: float | None = 30.0) -> bool:
        """Start; wait up to ``timeout`` s for the first load (as Curator's ``start``); whether done."""
        if self._started or self._closed:
            raise RuntimeError("Cannot be started more than once")
        self._started = True
        self.client.add_listener(self._state_listener)
        try:
            await self._cache.start()
            return await self._cache.wait_initialized(timeout)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop: close the cache, remove the session listener and every listener."""
        if self._closed:
            return
        self._closed = True
        self._listeners.clear()
        try:
            self.client.remove_listener(self._state_listener)
        except (KeyError, ValueError):
            pass
        await self._cache.close()
        self._table.clear()
        if self._on_close is not None:
            self._on_close(self)

    async def __aenter__(self) -> ServiceCache:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    def add_listener(self, listener: Any) -> None:
        """Tell ``listener`` (``cache_changed()``, optional ``state_changed(client, state)``) of changes."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Any) -> None:
        """Stop telling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def get_instances(self) -> list[ServiceInstance]:
        """The cached instances, in id order (no server round trip)."""
        return self._table.instances()

    # ------------------------------------------------------------------ the cache's listener (its task)

    async def event(self, type: CacheEventType, old_data: NodeData | None,  # noqa: A002 (Curator's name)
                    data: NodeData | None) -> None:
        changed = self._table.apply(old_data, None if type is CacheEventType.NODE_DELETED else data)
        if changed and self._loaded:
            await self._tell("cache_changed")

    async def initialized(self) -> None:
        self._loaded = True
        await self._tell("cache_changed")

    async def _tell(self, hook_name: str, *args: Any) -> None:
        for listener in list(self._listeners):
            hook = getattr(listener, hook_name, None)
            if hook is None:
                continue
            try:
                outcome = hook(*args)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("service cache listener of %s failed", self.path)

    async def _on_state(self, state: ZkState) -> None:  # on the client's session queue
        await self._tell("state_changed", self.client, state)
