"""ServiceProviderBuilder: ``discovery.service_provider_builder().service_name(n).build()``.

As curator-x-discovery's ``serviceProviderBuilder``, the provider it builds
answers from a :class:`~.service_cache.ServiceCache` (``start()`` loads it,
``close()`` closes it) instead of reading the tree on every call. One builder
for both front ends: it collects the options and asks its discovery's
``service_provider(..., cached=True)`` — the sync or the asyncio one, whose
provider it returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode

if TYPE_CHECKING:
    from zkrecipes.recipes.curator.provider_strategies import ProviderStrategy

__all__ = ["ProviderSource", "ServiceProviderBuilder"]

P = TypeVar("P")
P_co = TypeVar("P_co", covariant=True)


class ProviderSource(Protocol[P_co]):
    """What the builder needs of a discovery (the sync and the asyncio ServiceDiscovery)."""

    def service_provider(self, service_name: str, strategy: ProviderStrategy | None = None, *,
                         cached: bool = False, down_seconds: float = 30.0,
                         mode: CacheWatchMode = CacheWatchMode.AUTO) -> P_co:
        """A provider of ``service_name``."""
        ...


class ServiceProviderBuilder(Generic[P]):
    """Collects a cached ServiceProvider's options; ``build()`` makes it (``start()`` it before use)."""

    def __init__(self, discovery: ProviderSource[P]) -> None:
        self._discovery = discovery
        self._name: str | None = None
        self._strategy: ProviderStrategy | None = None
        self._down_seconds = 30.0
        self._mode = CacheWatchMode.AUTO

    def service_name(self, name: str) -> ServiceProviderBuilder[P]:
        """The service (required)."""
        self._name = name
        return self

    def provider_strategy(self, strategy: ProviderStrategy) -> ServiceProviderBuilder[P]:
        """How an instance is picked (default: round-robin)."""
        self._strategy = strategy
        return self

    def down_instance_seconds(self, seconds: float) -> ServiceProviderBuilder[P]:
        """How long ``note_error`` keeps an instance out (default 30 s, Curator's default policy)."""
        self._down_seconds = seconds
        return self

    def watch_mode(self, mode: CacheWatchMode) -> ServiceProviderBuilder[P]:
        """The cache's watch mode (default AUTO)."""
        self._mode = mode
        return self

    def build(self) -> P:
        """The provider, backed by a new ServiceCache; ValueError without a service name."""
        if self._name is None:
            raise ValueError("a ServiceProvider needs a service name: .service_name(...)")
        return self._discovery.service_provider(self._name, self._strategy, cached=True,
                                                down_seconds=self._down_seconds, mode=self._mode)
