"""asyncio TreeCache and SetPartitioner against a real ZooKeeper: events, sync interop, close, expiry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, GatedClient, children, until

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import PartitionState, SetPartitioner, TreeCache, TreeEvent
from zkrecipes.recipes.cache import TreeCache as SyncTreeCache
from zkrecipes.recipes.partitioner import SetPartitioner as SyncSetPartitioner
from zkrecipes.testing import expire_session

SYNC = pytest.mark.parametrize("zk_handler_name", ["threading"])


class Events:
    """TreeEvents as (name, path), from a coroutine listener."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, str | None]] = asyncio.Queue()

    async def __call__(self, event: TreeEvent) -> None:
        await self.queue.put((event.name, event.event_data.path if event.event_data else None))

    async def until(self, wanted: tuple[str, str | None]) -> list[tuple[str, str | None]]:
        seen: list[tuple[str, str | None]] = []
        while not seen or seen[-1] != wanted:
            seen.append(await asyncio.wait_for(self.queue.get(), WAIT))
        return seen


async def test_tree_cache_mirrors_and_publishes(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/tree/a/x", b"1", makepath=True)
    events = Events()
    cache = zk.TreeCache("/tree")
    assert isinstance(cache, TreeCache)
    cache.listen(events)
    async with cache:
        seen = await events.until(("INITIALIZED", None))
        assert [e for e in seen if e[0] == "NODE_ADDED"] == [
            ("NODE_ADDED", "/tree"), ("NODE_ADDED", "/tree/a"), ("NODE_ADDED", "/tree/a/x")]
        assert await cache.wait_initialized(WAIT)
        node = cache.get_data("/tree/a/x")
        assert node is not None and node.data == b"1" and cache.get_children("/tree") == frozenset({"a"})
        await zk.set("/tree/a/x", b"2")
        await events.until(("NODE_UPDATED", "/tree/a/x"))
        assert (cache.get_data("/tree/a/x") or node).data == b"2"
        await zk.delete("/tree/a", recursive=True)
        await events.until(("NODE_REMOVED", "/tree/a"))
        assert cache.get_data("/tree/a/x") is None
    listeners = len(zk.state_listeners)
    assert cache.get_data("/tree") is None  # closed: emptied
    await zk.create("/tree/late")
    await zk.sync("/tree")
    assert events.queue.empty() and len(zk.state_listeners) == listeners


@SYNC
async def test_tree_cache_shared_with_the_sync_recipe(zk_client_factory: Any,
                                                      zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    sync_cache = SyncTreeCache(sync_zk, "/shared")
    events = Events()
    async with TreeCache(zk_aio_client, "/shared") as cache:
        cache.listen(events)
        await cache.wait_initialized(WAIT)
        await loop.run_in_executor(None, sync_cache.start)
        await loop.run_in_executor(None, lambda: sync_zk.create("/shared/from-sync", b"s"))
        await events.until(("NODE_ADDED", "/shared/from-sync"))
        await zk_aio_client.create("/shared/from-async", b"a")
        await events.until(("NODE_ADDED", "/shared/from-async"))

        async def sync_has_both() -> bool:
            return sync_cache.get_children("/shared") == frozenset({"from-sync", "from-async"})

        await until(sync_has_both, message="the sync cache mirrors the same tree")
    await loop.run_in_executor(None, sync_cache.close)


async def test_tree_cache_after_a_real_expiry(zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk, writer = await zk_aio_client_factory(), await zk_aio_client_factory()
    await writer.create("/exp/one", b"1", makepath=True)
    events = Events()
    async with TreeCache(zk, "/exp") as cache:
        cache.listen(events)
        await events.until(("INITIALIZED", None))
        assert zk.client_id is not None
        await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, zk.client_id)
        await events.until(("CONNECTION_LOST", None))
        await events.until(("INITIALIZED", None))  # re-registered and re-read in the new session
        await writer.create("/exp/two", b"2")
        await events.until(("NODE_ADDED", "/exp/two"))


async def test_cancelled_start_closes_the_cache(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    listeners = len(zk.state_listeners)
    cache = TreeCache(zk, "/cs")
    task = asyncio.ensure_future(cache.start())
    await asyncio.sleep(0)  # the task has begun: listener added, ensure_path in flight
    task.cancel()
    await asyncio.wait({task})
    assert len(zk.state_listeners) == listeners
    assert cache.get_data("/cs") is None


# ------------------------------------------------------------------ SetPartitioner


async def _acquired(partitioner: SetPartitioner) -> None:
    while not partitioner.acquired:
        assert not partitioner.failed
        seen = partitioner.state_id
        if partitioner.release:
            await partitioner.release_set()
        else:  # ALLOCATING: the next state (ACQUIRED, or RELEASE after a SUSPENDED)
            await partitioner.wait_for_change(WAIT, since=seen)


async def _balanced(items: list[Any], *partitioners: SetPartitioner) -> None:
    """Drive every member (release_set on RELEASE) until all are ACQUIRED and own ``items`` between them."""

    def done() -> bool:
        owned = [item for p in partitioners for item in p]
        return all(p.acquired for p in partitioners) and sorted(owned) == sorted(items)

    while not done():
        assert not any(p.failed for p in partitioners)
        seen = [p.state_id for p in partitioners]
        for p in partitioners:
            if p.release:
                await p.release_set()
        if not done():
            waits = [asyncio.ensure_future(p.wait_for_change(WAIT, since=s))
                     for p, s in zip(partitioners, seen, strict=True)]
            _done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for waiting in pending:
                waiting.cancel()


async def test_partitioner_splits_and_rebalances(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    items = [1, 2, 3, 4]
    async with a.SetPartitioner("/work", set=items, identifier="a", time_boundary=0.2) as pa:
        assert isinstance(pa, SetPartitioner)
        await asyncio.wait_for(_acquired(pa), WAIT)
        assert sorted(pa) == items
        async with SetPartitioner(b, "/work", set=items, identifier="b", time_boundary=0.2) as pb:
            await asyncio.wait_for(_balanced(items, pa, pb), WAIT * 2)
            assert set(pa).isdisjoint(pb) and len(list(pa)) == 2
            assert len(await children(a, "/work/locks")) == 4
        assert pb.failed
        await asyncio.wait_for(_balanced(items, pa), WAIT * 2)
    assert pa.state is PartitionState.FAILURE
    assert await children(a, "/work/locks") == [] and await children(a, "/work/party") == []


@SYNC
async def test_partitioner_shared_with_the_sync_recipe(zk_client_factory: Any,
                                                       zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    items = ["x", "y"]
    sync_p = await loop.run_in_executor(None, lambda: SyncSetPartitioner(
        sync_zk, "/mixed", set=items, identifier="s", time_boundary=0.2))
    async with SetPartitioner(zk_aio_client, "/mixed", set=items, identifier="a", time_boundary=0.2) as p:

        def sync_acquired() -> bool:
            while not sync_p.acquired:
                if sync_p.release:
                    sync_p.release_set()
                sync_p.wait_for_acquire(0.5)
            return True

        await asyncio.wait_for(asyncio.gather(_acquired(p), loop.run_in_executor(None, sync_acquired)),
                               WAIT * 2)
        assert sorted(list(p) + list(sync_p)) == items and len(list(p)) == 1  # same rule, same locks
    await loop.run_in_executor(None, sync_p.finish)


async def test_partitioner_fails_after_a_real_expiry(zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk, observer = await zk_aio_client_factory(), await zk_aio_client_factory()
    partitioner = SetPartitioner(zk, "/lost", set=[1], identifier="p", time_boundary=0.1)
    await partitioner.start()
    await asyncio.wait_for(_acquired(partitioner), WAIT)
    assert zk.client_id is not None
    await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, zk.client_id)

    async def failed() -> bool:
        return partitioner.failed

    await until(failed, message="FAILURE after LOST")
    assert list(partitioner) == []

    async def gone() -> bool:
        return await children(observer, "/lost/party") == [] and await children(observer, "/lost/locks") == []

    await until(gone, message="no party node or item lock left")
    await partitioner.finish()


async def test_finish_during_an_in_flight_item_lock_leaves_no_node(zk_aio_client_factory: Any) -> None:
    zk, observer = await zk_aio_client_factory(), await zk_aio_client_factory()
    gated = GatedClient(zk, "create", match="/fin/locks/item-")
    partitioner = SetPartitioner(gated, "/fin", set=[7], identifier="p", time_boundary=0.1)  # type: ignore[arg-type]
    await partitioner.start()
    await asyncio.wait_for(gated.reached.wait(), WAIT)
    assert await children(observer, "/fin/locks") == ["item-7"]  # created; the reply is held
    await asyncio.wait_for(partitioner.finish(), WAIT)
    assert partitioner.failed and list(partitioner) == []
    assert await children(observer, "/fin/locks") == [] and await children(observer, "/fin/party") == []
