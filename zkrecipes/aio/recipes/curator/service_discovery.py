"""ServiceDiscovery on asyncio: register and find service instances in curator-x-discovery's format.

The asyncio form of :class:`zkrecipes.recipes.curator.ServiceDiscovery`, same
znodes and JSON: an instance is ``<base>/<name>/<id>`` holding
:meth:`ServiceInstance.to_json` bytes, its mode by the shared rule
(:func:`~zkrecipes.recipes.curator._discovery_rules.instance_node_mode`:
EPHEMERAL for DYNAMIC, EPHEMERAL_SEQUENTIAL for DYNAMIC_SEQUENTIAL,
PERSISTENT for STATIC and PERMANENT); ``<base>`` and ``<name>`` are
containers. Registering an id that exists replaces it (delete + create), as
Curator does. Queries read the tree each time (one unreadable instance makes
``query_for_instances`` raise ``ValueError``; one deleted meanwhile is left
out); ``service_cache(name)`` gives an asyncio
:class:`~.service_cache.ServiceCache` for answers from memory, and
``service_provider(name, strategy, cached=...)`` / ``service_provider_builder()``
an asyncio :class:`~.service_provider.ServiceProvider` (cached: on such a cache).

SUSPENDED: nothing changes. LOST: the dynamic instances are gone; on the next
CONNECTED every instance registered here is registered again (in a task of
this object). **Cancellation / close**: ``await close()`` cancels a
re-registration in flight, closes the providers and caches made here, unregisters every
instance and removes the session listener (apache/curator#1292).
"""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes.curator._contender import ensure_containers
from zkrecipes.aio.recipes.curator.service_cache import ServiceCache
from zkrecipes.aio.recipes.curator.service_provider import ServiceProvider
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator._discovery_rules import instance_node_mode
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.service_instance import ServiceInstance
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes.curator.provider_strategies import ProviderStrategy
    from zkrecipes.recipes.curator.service_provider_builder import ServiceProviderBuilder

__all__ = ["ServiceDiscovery"]

log = logging.getLogger(__name__)


class ServiceDiscovery:
    """Service registration and queries shared with Curator processes, on asyncio (see the module)."""

    def __init__(self, client: AsyncRecipeClient, base_path: str,
                 this_instance: ServiceInstance | None = None) -> None:
        self.client = client
        self.base_path = check_path(base_path, "base_path")
        self.this_instance = this_instance
        self._registered: dict[tuple[str, str], ServiceInstance] = {}
        self._paths: dict[tuple[str, str], str] = {}
        self._lost = False
        self._listening = False
        self._caches: list[ServiceCache] = []
        self._providers: list[ServiceProvider] = []
        self._again: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"ServiceDiscovery({self.base_path!r})"

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Register ``this_instance`` (if given) and follow the session."""
        if not self._listening:
            self._listening = True
            self.client.add_listener(self._on_state)
        if self.this_instance is not None:
            await self.register_service(self.this_instance)

    async def close(self) -> None:
        """Cancel a re-registration; close the providers and caches made here; unregister all;
        leave the session."""
        again, self._again = self._again, None
        if again is not None and not again.done():
            again.cancel()
            await asyncio.wait({again})
        providers, self._providers = self._providers, []
        caches, self._caches = self._caches, []
        closeables: list[ServiceProvider | ServiceCache] = [*providers, *caches]
        for closeable in closeables:
            try:
                await closeable.close()
            except Exception:
                log.warning("could not close %r", closeable, exc_info=True)
        if self._listening:
            self._listening = False
            try:
                self.client.remove_listener(self._on_state)
            except (KeyError, ValueError):
                pass
        for instance in list(self._registered.values()):
            try:
                await self.unregister_service(instance)
            except Exception:
                log.warning("could not unregister %s/%s", instance.name, instance.id, exc_info=True)

    async def __aenter__(self) -> ServiceDiscovery:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    # ------------------------------------------------------------------ registration

    def path_for_name(self, name: str) -> str:
        """``<base>/<name>``."""
        return join_path(self.base_path, name)

    def path_for_instance(self, name: str, instance_id: str) -> str:
        """``<base>/<name>/<id>``."""
        return join_path(self.path_for_name(name), instance_id)

    async def register_service(self, instance: ServiceInstance) -> None:
        """Register ``instance`` (replacing a node with its id)."""
        path = await self._create(instance)
        self._registered[(instance.name, instance.id)] = instance
        self._paths[(instance.name, instance.id)] = path

    async def update_service(self, instance: ServiceInstance) -> None:
        """Write ``instance``'s new data over its registered node."""
        key = (instance.name, instance.id)
        path = self._paths.get(key, self.path_for_instance(instance.name, instance.id))
        await self.client.retry(self.client.set, path, instance.to_json())
        self._registered[key] = instance

    async def unregister_service(self, instance: ServiceInstance) -> None:
        """Delete ``instance``'s node (absent is fine)."""
        key = (instance.name, instance.id)
        self._registered.pop(key, None)
        path = self._paths.pop(key, self.path_for_instance(instance.name, instance.id))
        try:
            await self.client.retry(self.client.delete, path)
        except NoNodeError:
            pass

    async def _create(self, instance: ServiceInstance) -> str:
        path = self.path_for_instance(instance.name, instance.id)
        ephemeral, sequence = instance_node_mode(instance)
        data = instance.to_json()
        while True:
            try:
                return str(await self.client.create(path, data, ephemeral=ephemeral, sequence=sequence))
            except NoNodeError:
                await ensure_containers(self.client, path)
            except NodeExistsError:
                try:
                    await self.client.retry(self.client.delete, path)
                except NoNodeError:
                    pass

    # ------------------------------------------------------------------ queries

    async def query_for_names(self) -> list[str]:
        """The names of all services (children of the base path)."""
        try:
            return sorted(await self.client.retry(self.client.get_children, self.base_path))
        except NoNodeError:
            return []

    async def query_for_instances(self, name: str) -> list[ServiceInstance]:
        """Every instance of service ``name``."""
        try:
            ids = await self.client.retry(self.client.get_children, self.path_for_name(name))
        except NoNodeError:
            return []
        found = []
        for instance_id in sorted(ids):
            instance = await self.query_for_instance(name, instance_id)
            if instance is not None:
                found.append(instance)
        return found

    async def query_for_instance(self, name: str, instance_id: str) -> ServiceInstance | None:
        """The instance ``instance_id`` of ``name``, or None."""
        try:
            data, _stat = await self.client.retry(self.client.get, self.path_for_instance(name, instance_id))
        except NoNodeError:
            return None
        return ServiceInstance.from_json(data)

    def service_cache(self, name: str, *, mode: CacheWatchMode = CacheWatchMode.AUTO) -> ServiceCache:
        """An asyncio :class:`~.service_cache.ServiceCache` of ``name`` (not started; closed with this)."""
        cache = ServiceCache(self.client, self.base_path, name, mode=mode, on_close=self._forget_cache)
        self._caches.append(cache)
        return cache

    def service_provider(self, service_name: str, strategy: ProviderStrategy | None = None, *,
                         cached: bool = False, down_seconds: float = 30.0,
                         mode: CacheWatchMode = CacheWatchMode.AUTO) -> ServiceProvider:
        """An asyncio :class:`~.service_provider.ServiceProvider` of ``service_name`` (round-robin
        by default). ``cached=True``: it answers from a new ServiceCache (``await start()`` it;
        this discovery's ``close()`` closes it); else it reads the tree on each call."""
        if not cached:
            return ServiceProvider(self, service_name, strategy, down_seconds)
        provider = ServiceProvider(self, service_name, strategy, down_seconds,
                                   cache=self.service_cache(service_name, mode=mode))
        self._providers.append(provider)
        return provider

    def service_provider_builder(self) -> ServiceProviderBuilder[ServiceProvider]:
        """Curator's ``serviceProviderBuilder()``: ``.service_name(n)...build()`` gives a cached provider."""
        from zkrecipes.recipes.curator.service_provider_builder import ServiceProviderBuilder

        return ServiceProviderBuilder(self)

    def _forget_cache(self, cache: ServiceCache) -> None:
        if cache in self._caches:
            self._caches.remove(cache)

    # ------------------------------------------------------------------ session

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            self._lost = True
        elif state == ZkState.CONNECTED and self._lost and self._listening:
            self._lost = False
            self._again = asyncio.get_running_loop().create_task(
                self._register_again(), name=f"zkrecipes-discovery-{self.base_path}")

    async def _register_again(self) -> None:
        for instance in list(self._registered.values()):
            try:
                await self.register_service(instance)
            except Exception:
                log.warning("could not register %s/%s again", instance.name, instance.id, exc_info=True)
