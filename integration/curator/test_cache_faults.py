"""CuratorCache under faults, in both watch modes: a stalled connection (same session) and a real
session expiry. Whatever changed meanwhile, the cache ends with the tree's content and keeps following it."""

from __future__ import annotations

import pytest
from _waits import wait_until

from zkrecipes import ZkClient, ZkState
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator import CacheWatchMode, CuratorCache
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.expiry import expire_session
from zkrecipes.testing.proxy import FaultProxy

MODES = [CacheWatchMode.PERSISTENT, CacheWatchMode.ONE_SHOT]


def tree(zk: ZkClient, top: str) -> dict[str, bytes | None]:
    """path -> data of the subtree at ``top``, read now."""
    found: dict[str, bytes | None] = {}
    stack = [top]
    while stack:
        path = stack.pop()
        try:
            found[path] = zk.get(path)[0]
            stack.extend(f"{path}/{child}" for child in zk.get_children(path))
        except NoNodeError:
            continue
    return found


def content(cache: CuratorCache) -> dict[str, bytes | None]:
    return {node.path: node.data for node in cache.stream()}


def change_tree(zk: ZkClient, round_: int) -> None:
    """A create, a nested create, a change and a delete."""
    zk.create(f"/f/new-{round_}/deep", b"d", makepath=True)
    zk.set("/f/keep", f"v{round_}".encode())
    zk.delete("/f/gone", recursive=True)
    zk.create("/f/gone", f"again-{round_}".encode())


def mirrored(zk: ZkClient, cache: CuratorCache) -> bool:
    return content(cache) == tree(zk, "/f")


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_cache_catches_up_after_a_stall(mode: CacheWatchMode, fault_proxy: FaultProxy, zk_client: ZkClient,
                                        zk_client_factory: ClientFactory) -> None:
    zk_client.create("/f/keep", b"v0", makepath=True)
    zk_client.create("/f/gone/child", b"c", makepath=True)
    victim = zk_client_factory(fault_proxy.hosts, timeout=6.0)
    suspended, back = victim.handler.event_object(), victim.handler.event_object()

    def follow(state: ZkState) -> None:
        if state == ZkState.SUSPENDED:
            suspended.set()
        elif state == ZkState.CONNECTED and suspended.is_set():
            back.set()

    victim.add_listener(follow)
    with CuratorCache(victim, "/f", mode=mode) as cache:
        assert cache.await_initialized(10) and mirrored(zk_client, cache)
        fault_proxy.stall()
        change_tree(zk_client, 1)
        assert suspended.wait(30)
        fault_proxy.resume()
        assert back.wait(30)
        wait_until(zk_client, lambda: mirrored(zk_client, cache), message="the cache to catch up")
        assert cache.get("/f/gone/child") is None and cache.get("/f/new-1/deep") is not None
        change_tree(zk_client, 2)  # and it keeps following
        wait_until(zk_client, lambda: mirrored(zk_client, cache), message="the cache to follow")


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_cache_catches_up_after_a_real_expiry(mode: CacheWatchMode, zk_client: ZkClient, zk_hosts: str,
                                              zk_client_factory: ClientFactory) -> None:
    zk_client.create("/f/keep", b"v0", makepath=True)
    zk_client.create("/f/gone/child", b"c", makepath=True)
    victim = zk_client_factory(timeout=4.0)
    lost = victim.handler.event_object()
    victim.add_listener(lambda state: lost.set() if state == ZkState.LOST else None)
    with CuratorCache(victim, "/f", mode=mode) as cache:
        assert cache.await_initialized(10) and mirrored(zk_client, cache)
        session = victim.client_id
        assert session is not None
        expire_session(zk_hosts, session)
        change_tree(zk_client, 1)
        assert lost.wait(30)
        wait_until(zk_client, lambda: mirrored(zk_client, cache), message="the cache to catch up")
        new_session = victim.client_id
        assert new_session is not None and new_session[0] != session[0]
        change_tree(zk_client, 2)  # watches set again in the new session
        wait_until(zk_client, lambda: mirrored(zk_client, cache), message="the cache to follow")
        assert cache.watch_mode is mode


def test_service_cache_tells_connection_states_and_catches_up(
        fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory) -> None:
    from zkrecipes.recipes.curator import ServiceDiscovery, ServiceInstance

    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    states: list[ZkState] = []
    changed = victim.handler.event_object()

    class Listener:
        def cache_changed(self) -> None:
            changed.set()

        def state_changed(self, client: object, state: ZkState) -> None:
            states.append(state)

    registrar = ServiceDiscovery(zk_client, "/svcs")
    registrar.register_service(ServiceInstance("api", id="a-1", port=1))
    with ServiceDiscovery(victim, "/svcs") as discovery:
        cache = discovery.service_cache("api")
        cache.add_listener(Listener())
        assert cache.start(timeout=10) and [i.id for i in cache.get_instances()] == ["a-1"]
        fault_proxy.close_connections()  # the connection goes (once), the session stays
        registrar.register_service(ServiceInstance("api", id="a-2", port=2))
        wait_until(zk_client, lambda: ZkState.CONNECTED in states, message="SUSPENDED then CONNECTED")
        assert states[0] == ZkState.SUSPENDED and ZkState.LOST not in states
        wait_until(zk_client, lambda: [i.id for i in cache.get_instances()] == ["a-1", "a-2"],
                   message="the new instance")
        assert changed.is_set()
    registrar.close()
