"""ServiceProviderBuilder: ``discovery.service_provider_builder().service_name(n).build()``.

As curator-x-discovery's ``serviceProviderBuilder``, the provider it builds
answers from a :class:`~.service_cache.ServiceCache` (``start()`` loads it,
``close()`` closes it) instead of reading the tree on every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode

if TYPE_CHECKING:
    from zkrecipes.recipes.curator.provider_strategies import ProviderStrategy
    from zkrecipes.recipes.curator.service_discovery import ServiceDiscovery
    from zkrecipes.recipes.curator.service_provider import ServiceProvider

__all__ = ["ServiceProviderBuilder"]


class ServiceProviderBuilder:
    """Collects a cached ServiceProvider's options; ``build()`` makes it (``start()`` it before use)."""

    def __init__(self, discovery: ServiceDiscovery) -> None:
        self._discovery = discovery
        self._name: str | None = None
        self._strategy: ProviderStrategy | None = None
        self._down_seconds = 30.0
        self._mode = CacheWatchMode.AUTO

    def service_name(self, name: str) -> ServiceProviderBuilder:
        """The service (required)."""
        self._name = name
        return self

    def provider_strategy(self, strategy: ProviderStrategy) -> ServiceProviderBuilder:
        """How an instance is picked (default: round-robin)."""
        self._strategy = strategy
        return self

    def down_instance_seconds(self, seconds: float) -> ServiceProviderBuilder:
        """How long ``note_error`` keeps an instance out (default 30 s, Curator's default policy)."""
        self._down_seconds = seconds
        return self

    def watch_mode(self, mode: CacheWatchMode) -> ServiceProviderBuilder:
        """The cache's watch mode (default AUTO)."""
        self._mode = mode
        return self

    def build(self) -> ServiceProvider:
        """The provider, backed by a new ServiceCache; ValueError without a service name."""
        if self._name is None:
            raise ValueError("a ServiceProvider needs a service name: .service_name(...)")
        return self._discovery.service_provider(self._name, self._strategy, cached=True,
                                                down_seconds=self._down_seconds, mode=self._mode)
