"""asyncio service providers (builder, cached and uncached; round-robin, random, sticky) over instances
registered by Curator and by asyncio zkrecipes on the same paths."""

from __future__ import annotations

import asyncio
import gc
import random
import weakref
from typing import Any

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import ServiceProvider
from zkrecipes.recipes.curator import RandomStrategy, RoundRobinStrategy, ServiceInstance, StickyStrategy
from zkrecipes.testing.curator import CuratorSession

WAIT = 30.0


async def cached_ids(provider: ServiceProvider, expected: list[str]) -> None:
    async def poll() -> None:
        while [i.id for i in await provider.get_all_instances()] != expected:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), WAIT)


async def test_asyncio_providers_pick_curator_and_asyncio_instances(
        curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> None:
    refs = await scenario(curator_peer, zk_aio_client)
    gc.collect()
    assert [ref() for ref in refs] == [None, None], "the client keeps a closed provider or its cache alive"


async def scenario(curator_peer: CuratorSession, zk_aio_client: AsyncZkClient) -> list[weakref.ref[Any]]:
    mine = ServiceInstance("svc", id="b-aio", address="10.0.0.1", port=81)
    discovery = zk_aio_client.ServiceDiscovery("/prov", mine)
    await discovery.start()
    for instance_id in ("a-java", "c-java"):
        await asyncio.to_thread(curator_peer.discovery_register, "/prov", "svc", instance_id, port=82)
    everyone = ["a-java", "b-aio", "c-java"]

    provider = discovery.service_provider_builder().service_name("svc").build()  # round-robin, cached
    assert isinstance(provider, ServiceProvider) and provider.cache is not None
    assert isinstance(provider.strategy, RoundRobinStrategy)
    assert await provider.start()
    await cached_ids(provider, everyone)
    picks = [(await provider.get_instance()) for _ in range(6)]
    assert [p.id for p in picks if p is not None] == everyone * 2
    picked = await provider.get_instance()
    assert picked is not None
    provider.note_error(picked)  # left out for down_seconds (30 s)
    rest = [await provider.get_instance() for _ in range(4)]
    assert picked.id not in {i.id for i in rest if i is not None} and None not in rest

    sticky = discovery.service_provider("svc", StickyStrategy(RandomStrategy(random.Random(7))), cached=True)
    uncached = discovery.service_provider("svc", RandomStrategy(random.Random(3)))
    assert uncached.cache is None and await uncached.start()
    async with sticky:
        await cached_ids(sticky, everyone)
        first = await sticky.get_instance()
        assert first is not None
        again = [await sticky.get_instance() for _ in range(5)]
        assert [i.id for i in again if i is not None] == [first.id] * 5
        if first.id != "b-aio":
            await asyncio.to_thread(curator_peer.discovery_unregister, "/prov", "svc", first.id)
        else:
            await discovery.unregister_service(mine)
        left = [i for i in everyone if i != first.id]
        await cached_ids(sticky, left)
        moved = await sticky.get_instance()
        assert moved is not None and moved.id in left  # a new instance once ours is gone
        read = [await uncached.get_instance() for _ in range(20)]  # from the tree, each call
        assert None not in read and {i.id for i in read if i is not None} <= set(left)
    for instance_id in ("a-java", "c-java"):  # before close: no change reaches a closed cache
        if instance_id != first.id:
            await asyncio.to_thread(curator_peer.discovery_unregister, "/prov", "svc", instance_id)
    await cached_ids(provider, [] if first.id == "b-aio" else ["b-aio"])
    refs: list[weakref.ref[Any]] = [weakref.ref(provider), weakref.ref(provider.cache)]
    await discovery.close()  # closes the providers (and their caches) made here
    assert await provider.get_all_instances() == []
    return refs
