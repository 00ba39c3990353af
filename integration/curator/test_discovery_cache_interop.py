"""ServiceCache and cached providers next to Curator's: each side's cache sees the other's
registrations, unregistrations and a registrant whose session expires."""

from __future__ import annotations

import threading

from _cache_peer import provider_picks, service_cache_close, service_cache_ids, service_cache_start
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import CacheWatchMode, ServiceDiscovery, ServiceInstance
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.expiry import expire_session


class Views:
    """A ServiceCacheListener recording the id list after each ``cache_changed``."""

    def __init__(self, cache: object) -> None:
        self.cache = cache
        self.seen: list[list[str]] = []
        self.states: list[object] = []
        self._lock = threading.Lock()

    def cache_changed(self) -> None:
        ids = [i.id for i in self.cache.get_instances()]  # type: ignore[attr-defined]
        with self._lock:
            self.seen.append(ids)

    def state_changed(self, client: object, state: object) -> None:
        self.states.append(state)


def test_each_sides_service_cache_sees_the_others_instances(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    with ServiceDiscovery(zk_client, "/services") as discovery:
        cache = discovery.service_cache_builder().name("svc").build()
        views = Views(cache)
        cache.add_listener(views)
        assert cache.start(timeout=10) and cache.get_instances() == []
        service_cache_start(curator_peer, "sc", "/services", "svc")

        mine = ServiceInstance("svc", id="py-1", address="10.0.0.1", port=81, payload={"side": "python"})
        discovery.register_service(mine)
        wait_until(zk_client, lambda: service_cache_ids(curator_peer, "sc") == ["py-1"],
                   message="Curator's cache to see ours")
        wait_until(zk_client, lambda: cache.get_instances() == [mine], message="our cache to see ours")
        curator_peer.discovery_register("/services", "svc", "java-1", port=82, payload={"side": "java"})
        wait_until(zk_client, lambda: [i.id for i in cache.get_instances()] == ["java-1", "py-1"],
                   message="our cache to see Curator's")
        java = cache.get_instances()[0]
        assert (java.port, java.payload, java.address) == (82, {"side": "java"}, "127.0.0.1")
        wait_until(zk_client, lambda: service_cache_ids(curator_peer, "sc") == ["java-1", "py-1"],
                   message="Curator's cache to see both")

        discovery.unregister_service(mine)
        wait_until(zk_client, lambda: service_cache_ids(curator_peer, "sc") == ["java-1"],
                   message="Curator's cache to see ours go")
        curator_peer.discovery_unregister("/services", "svc", "java-1")
        wait_until(zk_client, lambda: cache.get_instances() == [], message="our cache to see Curator's go")
        assert views.seen[0] == [] and ["java-1", "py-1"] in views.seen and views.seen[-1] == []
    assert cache.get_instances() == []  # discovery.close() closed the cache it made
    service_cache_close(curator_peer, "sc")


def test_registrants_whose_session_expires_leave_and_come_back(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory, zk_hosts: str
) -> None:
    victim = zk_client_factory(timeout=4.0)
    registrant = ServiceDiscovery(victim, "/services", ServiceInstance("svc", id="py-2", port=1))
    registrant.start()
    curator_peer.discovery_register("/services", "svc", "java-2", port=2)
    service_cache_start(curator_peer, "sc", "/services", "svc")
    with ServiceDiscovery(zk_client, "/services") as discovery:
        cache = discovery.service_cache("svc", mode=CacheWatchMode.ONE_SHOT)
        views = Views(cache)
        cache.add_listener(views)
        assert cache.start(timeout=10)
        assert [i.id for i in cache.get_instances()] == ["java-2", "py-2"]

        old_session = victim.client_id
        assert old_session is not None
        expire_session(zk_hosts, old_session)  # ours: its node goes, then is registered again
        wait_until(zk_client, lambda: ["java-2"] in views.seen, message="py-2 gone from our cache")

        def back_in_new_session() -> bool:
            stat = zk_client.exists("/services/svc/py-2")
            session = victim.client_id
            return (stat is not None and session is not None and stat.ephemeralOwner == session[0]
                    and session[0] != old_session[0])

        wait_until(zk_client, back_in_new_session, message="py-2 registered again")
        wait_until(zk_client, lambda: [i.id for i in cache.get_instances()] == ["java-2", "py-2"],
                   message="py-2 back in our cache")
        wait_until(zk_client, lambda: service_cache_ids(curator_peer, "sc") == ["java-2", "py-2"],
                   message="py-2 back in Curator's cache")

        seen_before = len(views.seen)
        expire_session(zk_hosts, curator_peer.client_id())  # Curator's: it re-registers on reconnect
        wait_until(zk_client, lambda: ["py-2"] in views.seen[seen_before:], message="java-2 gone")
        wait_until(zk_client, lambda: [i.id for i in cache.get_instances()] == ["java-2", "py-2"],
                   message="java-2 back in our cache")
    registrant.close()


def test_cached_providers_on_both_sides_round_robin_over_both(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    curator_peer.discovery_register("/services", "svc", "java-3", port=3)
    with ServiceDiscovery(zk_client, "/services", ServiceInstance("svc", id="py-3", port=4)) as discovery:
        provider = discovery.service_provider_builder().service_name("svc").build()
        assert provider.cache is not None and provider.start(timeout=10)
        wait_until(zk_client, lambda: len(provider.get_all_instances()) == 2, message="both in the cache")
        picks = [getattr(provider.get_instance(), "id", None) for _ in range(4)]
        assert picks == ["java-3", "py-3", "java-3", "py-3"]
        wait_until(zk_client, lambda: set(provider_picks(curator_peer, "sp", "/services", "svc", 2))
                   == {"java-3", "py-3"}, message="Curator's provider to pick both")
    assert provider.get_all_instances() == []  # closed with the discovery
