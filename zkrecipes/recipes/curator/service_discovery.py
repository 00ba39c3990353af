"""ServiceDiscovery: register and find service instances in curator-x-discovery's format.

Interoperable with Curator's ``ServiceDiscovery`` (default JSON serializer) on
the same base path: an instance is the node ``<base>/<name>/<id>`` holding
:meth:`ServiceInstance.to_json` bytes — EPHEMERAL for DYNAMIC (the default),
EPHEMERAL_SEQUENTIAL for DYNAMIC_SEQUENTIAL, PERSISTENT for STATIC and
PERMANENT; ``<base>`` and ``<name>`` are containers. Registering an id that
exists replaces it (delete + create), as Curator does.

Queries read the tree each time. As with Curator, one unreadable instance
makes ``query_for_instances`` raise (``ValueError``); an instance deleted
during the query is left out. For answers from memory, a
:class:`~.service_cache.ServiceCache` (``service_cache(name)`` or
``service_cache_builder().name(name).build()``) and providers built on one
(``service_provider_builder()``, or ``service_provider(name, cached=True)``).

SUSPENDED: nothing changes (ephemeral instances live with the session).
LOST: the dynamic instances are gone; on the next CONNECTED this object
registers again every instance it registered (on a handler worker).
``close()`` closes the caches and cached providers made here, unregisters
every instance and removes its session listener (apache/curator#1292).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._discovery_rules import instance_node_mode
from zkrecipes.recipes.curator.cache_watch_mode import CacheWatchMode
from zkrecipes.recipes.curator.service_instance import ServiceInstance
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes.curator.provider_strategies import ProviderStrategy
    from zkrecipes.recipes.curator.service_cache import ServiceCache
    from zkrecipes.recipes.curator.service_cache_builder import ServiceCacheBuilder
    from zkrecipes.recipes.curator.service_provider import ServiceProvider
    from zkrecipes.recipes.curator.service_provider_builder import ServiceProviderBuilder

__all__ = ["ServiceDiscovery"]

log = logging.getLogger(__name__)


class ServiceDiscovery:
    """Service registration and queries shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, base_path: str,
                 this_instance: ServiceInstance | None = None) -> None:
        self.client = client
        self.base_path = check_path(base_path, "base_path")
        self.this_instance = this_instance
        self._lock = client.handler.lock_object()
        self._registered: dict[tuple[str, str], ServiceInstance] = {}
        self._paths: dict[tuple[str, str], str] = {}
        self._lost = False
        self._listening = False
        self._caches: list[ServiceCache] = []
        self._providers: list[ServiceProvider] = []

    def __repr__(self) -> str:
        return f"ServiceDiscovery({self.base_path!r})"

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Register ``this_instance`` (if given) and follow the session."""
        if not self._listening:
            self._listening = True
            self.client.add_listener(self._on_state)
        if self.this_instance is not None:
            self.register_service(self.this_instance)

    def close(self) -> None:
        """Close the caches and providers made here; unregister every instance; stop following the session."""
        with self._lock:
            providers, self._providers = self._providers, []
            caches, self._caches = self._caches, []
        for closeable in [*[p.close for p in providers], *[c.close for c in caches]]:
            try:
                closeable()
            except Exception:
                log.warning("could not close %r", closeable, exc_info=True)
        if self._listening:
            self._listening = False
            safe_remove_listener(self.client, self._on_state)
        with self._lock:
            registered = list(self._registered.values())
        for instance in registered:
            try:
                self.unregister_service(instance)
            except Exception:
                log.warning("could not unregister %s/%s", instance.name, instance.id, exc_info=True)

    def __enter__(self) -> ServiceDiscovery:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ registration

    def path_for_name(self, name: str) -> str:
        """``<base>/<name>``."""
        return join_path(self.base_path, name)

    def path_for_instance(self, name: str, instance_id: str) -> str:
        """``<base>/<name>/<id>``."""
        return join_path(self.path_for_name(name), instance_id)

    def register_service(self, instance: ServiceInstance) -> None:
        """Register ``instance`` (replacing a node with its id)."""
        path = self._create(instance)
        with self._lock:
            self._registered[(instance.name, instance.id)] = instance
            self._paths[(instance.name, instance.id)] = path

    def update_service(self, instance: ServiceInstance) -> None:
        """Write ``instance``'s new data over its registered node."""
        key = (instance.name, instance.id)
        with self._lock:
            path = self._paths.get(key, self.path_for_instance(instance.name, instance.id))
        self.client.retry(self.client.set, path, instance.to_json())
        with self._lock:
            self._registered[key] = instance

    def unregister_service(self, instance: ServiceInstance) -> None:
        """Delete ``instance``'s node (absent is fine)."""
        key = (instance.name, instance.id)
        with self._lock:
            self._registered.pop(key, None)
            path = self._paths.pop(key, self.path_for_instance(instance.name, instance.id))
        try:
            self.client.retry(self.client.delete, path)
        except NoNodeError:
            pass

    def _create(self, instance: ServiceInstance) -> str:
        path = self.path_for_instance(instance.name, instance.id)
        ephemeral, sequence = instance_node_mode(instance)
        data = instance.to_json()
        while True:
            try:
                created, _stat = create_with_containers(self.client, path, data, Deadline(None),
                                                        ephemeral=ephemeral, sequence=sequence)
                return created
            except NodeExistsError:
                try:
                    self.client.retry(self.client.delete, path)
                except NoNodeError:
                    pass

    # ------------------------------------------------------------------ queries

    def query_for_names(self) -> list[str]:
        """The names of all services (children of the base path)."""
        try:
            return sorted(self.client.retry(self.client.get_children, self.base_path))
        except NoNodeError:
            return []

    def query_for_instances(self, name: str) -> list[ServiceInstance]:
        """Every instance of service ``name``."""
        parent = self.path_for_name(name)
        try:
            ids = self.client.retry(self.client.get_children, parent)
        except NoNodeError:
            return []
        found = []
        for instance_id in sorted(ids):
            instance = self.query_for_instance(name, instance_id)
            if instance is not None:
                found.append(instance)
        return found

    def query_for_instance(self, name: str, instance_id: str) -> ServiceInstance | None:
        """The instance ``instance_id`` of ``name``, or None."""
        try:
            data, _stat = self.client.retry(self.client.get, self.path_for_instance(name, instance_id))
        except NoNodeError:
            return None
        return ServiceInstance.from_json(data)

    def service_provider(self, service_name: str, strategy: ProviderStrategy | None = None, *,
                         cached: bool = False, down_seconds: float = 30.0,
                         mode: CacheWatchMode = CacheWatchMode.AUTO) -> ServiceProvider:
        """A :class:`~.service_provider.ServiceProvider` of ``service_name`` (round-robin by default).

        ``cached=True``: it answers from a new ServiceCache (``start()`` it; this
        discovery's ``close()`` closes it); else it reads the tree on each call.
        """
        from zkrecipes.recipes.curator.service_provider import ServiceProvider

        if not cached:
            return ServiceProvider(self, service_name, strategy, down_seconds)
        provider = ServiceProvider(self, service_name, strategy, down_seconds,
                                   cache=self.service_cache(service_name, mode=mode))
        with self._lock:
            self._providers.append(provider)
        return provider

    def service_provider_builder(self) -> ServiceProviderBuilder[ServiceProvider]:
        """Curator's ``serviceProviderBuilder()``: a builder of cached providers."""
        from zkrecipes.recipes.curator.service_provider_builder import ServiceProviderBuilder

        return ServiceProviderBuilder(self)

    def service_cache(self, name: str, *, mode: CacheWatchMode = CacheWatchMode.AUTO) -> ServiceCache:
        """A :class:`~.service_cache.ServiceCache` of ``name`` (not started; closed with this discovery)."""
        from zkrecipes.recipes.curator.service_cache import ServiceCache

        cache = ServiceCache(self.client, self.base_path, name, mode=mode, on_close=self._forget_cache)
        with self._lock:
            self._caches.append(cache)
        return cache

    def service_cache_builder(self) -> ServiceCacheBuilder:
        """Curator's ``serviceCacheBuilder()``: ``.name(n).build()`` gives a ServiceCache."""
        from zkrecipes.recipes.curator.service_cache_builder import ServiceCacheBuilder

        return ServiceCacheBuilder(self)

    def _forget_cache(self, cache: ServiceCache) -> None:
        with self._lock:
            if cache in self._caches:
                self._caches.remove(cache)

    # ------------------------------------------------------------------ session

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            self._lost = True
        elif state == ZkState.CONNECTED and self._lost:
            self._lost = False
            self.client.handler.spawn(self._register_again)

    def _register_again(self) -> None:
        with self._lock:
            registered = list(self._registered.values())
        for instance in registered:
            try:
                self.register_service(instance)
            except Exception:
                log.warning("could not register %s/%s again", instance.name, instance.id, exc_info=True)
