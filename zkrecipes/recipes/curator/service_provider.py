"""ServiceProvider: one instance of a service at a time, picked by a strategy (curator-x-discovery).

Built with a :class:`~.service_cache.ServiceCache` (``cache=``, as
``discovery.service_provider_builder()`` and ``service_provider(..., cached=True)``
do, and as Curator's ``serviceProviderBuilder`` always does), it answers from
memory: ``start()`` loads the cache, ``close()`` closes it. Without one it
reads the instances from its :class:`~.service_discovery.ServiceDiscovery` on
each call. Either way instances come in id order and the strategy picks
(round-robin by default). ``note_error(instance)`` keeps that instance out of
the picks for ``down_seconds`` (Curator's ``DownInstancePolicy``, whose
default is 30 s after one error).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from zkrecipes.recipes.curator._down_instances import DownInstances
from zkrecipes.recipes.curator.provider_strategies import ProviderStrategy, RoundRobinStrategy

if TYPE_CHECKING:
    from zkrecipes.recipes.curator.service_cache import ServiceCache
    from zkrecipes.recipes.curator.service_discovery import ServiceDiscovery
    from zkrecipes.recipes.curator.service_instance import ServiceInstance

__all__ = ["ServiceProvider"]


class ServiceProvider:
    """Instances of ``service_name`` (see the module docstring)."""

    def __init__(self, discovery: ServiceDiscovery, service_name: str,
                 strategy: ProviderStrategy | None = None, down_seconds: float = 30.0,
                 cache: ServiceCache | None = None) -> None:
        self.discovery = discovery
        self.service_name = service_name
        self.strategy: ProviderStrategy = strategy if strategy is not None else RoundRobinStrategy()
        self.down_seconds = down_seconds
        self.cache = cache
        self._down = DownInstances()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        cached = ", cached" if self.cache is not None else ""
        return f"ServiceProvider({self.service_name!r}, {type(self.strategy).__name__}{cached})"

    def start(self, timeout: float | None = 30.0) -> bool:
        """Load the cache (if any), waiting up to ``timeout`` s; whether loaded (True without a cache)."""
        if self.cache is None:
            return True
        return self.cache.start(timeout)

    def close(self) -> None:
        """Close the cache (if any)."""
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> ServiceProvider:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_all_instances(self) -> list[ServiceInstance]:
        """Every registered instance of the service, in id order (from the cache when there is one)."""
        if self.cache is not None:
            return self.cache.get_instances()
        return self.discovery.query_for_instances(self.service_name)

    def get_instance(self) -> ServiceInstance | None:
        """One instance (not noted down recently), or None."""
        instances = self.get_all_instances()
        with self._lock:
            candidates = self._down.usable(instances, time.monotonic())
        return self.strategy.get_instance(candidates)

    def note_error(self, instance: ServiceInstance) -> None:
        """Leave ``instance`` out for ``down_seconds``."""
        with self._lock:
            self._down.note(instance, time.monotonic(), self.down_seconds)
