"""ServiceCacheBuilder: ``discovery.service_cache_builder().name(n).build()`` (curator-x-discovery)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode

if TYPE_CHECKING:
    from zkrecipes.recipes.curator.service_cache import ServiceCache
    from zkrecipes.recipes.curator.service_discovery import ServiceDiscovery

__all__ = ["ServiceCacheBuilder"]


class ServiceCacheBuilder:
    """Collects a ServiceCache's options; ``build()`` makes it (not started) and its discovery tracks it."""

    def __init__(self, discovery: ServiceDiscovery) -> None:
        self._discovery = discovery
        self._name: str | None = None
        self._mode = CacheWatchMode.AUTO

    def name(self, name: str) -> ServiceCacheBuilder:
        """The service to cache (required)."""
        self._name = name
        return self

    def watch_mode(self, mode: CacheWatchMode) -> ServiceCacheBuilder:
        """How the cache is kept current (default AUTO: persistent watches when the server has them)."""
        self._mode = mode
        return self

    def build(self) -> ServiceCache:
        """The ServiceCache; ValueError without a name."""
        if self._name is None:
            raise ValueError("a ServiceCache needs a service name: .name(...)")
        return self._discovery.service_cache(self._name, mode=self._mode)
