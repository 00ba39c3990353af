"""ServiceProvider on asyncio: one instance of a service at a time, picked by a strategy.

The asyncio form of :class:`zkrecipes.recipes.curator.ServiceProvider`, on the
same rules: instances in id order, the strategy objects of
:mod:`~zkrecipes.recipes.curator.provider_strategies` (round-robin by default,
random, sticky) pick, and ``note_error(instance)`` keeps an instance out for
``down_seconds`` (:mod:`~zkrecipes.recipes.curator._down_instances`, Curator's
default ``DownInstancePolicy``). Built with an asyncio
:class:`~.service_cache.ServiceCache` (``discovery.service_provider_builder()``,
``service_provider(..., cached=True)``) it answers from memory — ``await
start()`` loads the cache, ``await close()`` closes it; without one
``get_instance()`` reads the tree each call. Instances registered by Curator
(curator-x-discovery JSON) are picked like ours.

SUSPENDED / LOST: a cached provider answers from what the cache last saw (the
cache reloads after a reconnect); an uncached one's reads wait for the
connection (and raise as the client's reads do). Cancelling ``get_instance``
changes nothing; a strategy's state advances only when a pick is made.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.recipes.curator._down_instances import DownInstances
from zkrecipes.recipes.curator.provider_strategies import ProviderStrategy, RoundRobinStrategy

if TYPE_CHECKING:
    from zkrecipes.aio.recipes.curator.service_cache import ServiceCache
    from zkrecipes.aio.recipes.curator.service_discovery import ServiceDiscovery
    from zkrecipes.recipes.curator.service_instance import ServiceInstance

__all__ = ["ServiceProvider"]


class ServiceProvider:
    """Instances of ``service_name``, on asyncio (see the module docstring)."""

    def __init__(self, discovery: ServiceDiscovery, service_name: str,
                 strategy: ProviderStrategy | None = None, down_seconds: float = 30.0,
                 cache: ServiceCache | None = None) -> None:
        self.discovery = discovery
        self.service_name = service_name
        self.strategy: ProviderStrategy = strategy if strategy is not None else RoundRobinStrategy()
        self.down_seconds = down_seconds
        self.cache = cache
        self._down = DownInstances()

    def __repr__(self) -> str:
        cached = ", cached" if self.cache is not None else ""
        return f"ServiceProvider({self.service_name!r}, {type(self.strategy).__name__}{cached})"

    async def start(self, timeout: float | None = 30.0) -> bool:
        """Load the cache (if any), waiting up to ``timeout`` s; whether loaded (True without a cache)."""
        if self.cache is None:
            return True
        return await self.cache.start(timeout)

    async def close(self) -> None:
        """Close the cache (if any): its watches and listeners go."""
        if self.cache is not None:
            await self.cache.close()

    async def __aenter__(self) -> ServiceProvider:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def get_all_instances(self) -> list[ServiceInstance]:
        """Every registered instance of the service, in id order (from the cache when there is one)."""
        if self.cache is not None:
            return self.cache.get_instances()
        return await self.discovery.query_for_instances(self.service_name)

    async def get_instance(self) -> ServiceInstance | None:
        """One instance (not noted down recently), or None."""
        instances = await self.get_all_instances()
        return self.strategy.get_instance(self._down.usable(instances, time.monotonic()))

    def note_error(self, instance: ServiceInstance) -> None:
        """Leave ``instance`` out for ``down_seconds``."""
        self._down.note(instance, time.monotonic(), self.down_seconds)
