"""asyncio DataWatch/ChildrenWatch against a real ZooKeeper: both forms, sync interop, cancel, expiry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, until

from zkrecipes import WatchedEvent, ZnodeStat
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import ChildrenWatch, DataWatch
from zkrecipes.recipes.watchers import DataWatch as SyncDataWatch
from zkrecipes.testing import expire_session


async def _next(calls: asyncio.Queue[Any]) -> Any:
    return await asyncio.wait_for(calls.get(), WAIT)


async def test_data_watch_callback_follows_the_node(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    calls: asyncio.Queue[tuple[bytes | None, ZnodeStat | None]] = asyncio.Queue()

    def record(data: bytes | None, stat: ZnodeStat | None) -> None:
        calls.put_nowait((data, stat))

    watch = zk.DataWatch("/cfg", record)
    assert isinstance(watch, DataWatch)
    await watch.started()
    assert await _next(calls) == (None, None)  # absent
    await zk.create("/cfg", b"1")
    data, stat = await _next(calls)
    assert data == b"1" and stat is not None
    await zk.set("/cfg", b"2")
    assert (await _next(calls))[0] == b"2"
    await zk.delete("/cfg")
    assert await _next(calls) == (None, None)
    await watch.close()
    await zk.create("/cfg", b"after")
    assert watch.stopped and calls.empty()


async def test_data_watch_coroutine_decorator_with_event_and_false_stops(
        zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/deco", b"a")
    seen: list[tuple[bytes | None, WatchedEvent | None]] = []
    done = asyncio.Event()

    watch = zk.DataWatch("/deco")

    @watch
    async def on_change(data: bytes | None, stat: ZnodeStat | None, event: WatchedEvent | None) -> bool:
        await asyncio.sleep(0)
        seen.append((data, event))
        if data == b"stop":
            done.set()
            return False
        return True

    await watch.started()  # the first call runs in the watch's task
    await zk.set("/deco", b"stop")
    await asyncio.wait_for(done.wait(), WAIT)
    assert seen[0] == (b"a", None) and seen[-1][0] == b"stop" and seen[-1][1] is not None
    await zk.set("/deco", b"ignored")
    await zk.sync("/deco")
    assert seen[-1][0] == b"stop" and watch.stopped


async def test_data_watch_iterator_and_cancellation(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/it", b"0")
    listeners = len(zk.state_listeners)
    got: list[bytes | None] = []
    async with DataWatch(zk, "/it") as watch:
        async for data, _stat in watch:
            got.append(data)
            if data == b"0":
                await zk.set("/it", b"1")
            else:
                break
    assert got == [b"0", b"1"] and watch.stopped and len(zk.state_listeners) == listeners

    async def iterate() -> None:
        async for _data, _stat in DataWatch(zk, "/it"):
            pass

    task = asyncio.ensure_future(iterate())
    await zk.set("/it", b"2")
    await zk.sync("/it")
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled() and len(zk.state_listeners) == listeners


@pytest.mark.parametrize("zk_handler_name", ["threading"])
async def test_data_watch_shared_with_the_sync_recipe(zk_client_factory: Any,
                                                      zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    calls: asyncio.Queue[bytes | None] = asyncio.Queue()
    sync_seen: list[bytes | None] = []
    sync_got = asyncio.Event()

    def sync_record(data: bytes | None, stat: ZnodeStat | None) -> None:
        sync_seen.append(data)
        if data == b"from-async":
            loop.call_soon_threadsafe(sync_got.set)

    await zk_aio_client.create("/both", b"start")
    await loop.run_in_executor(None, lambda: SyncDataWatch(sync_zk, "/both", sync_record))
    watch = DataWatch(zk_aio_client, "/both", lambda data, stat: calls.put_nowait(data))
    assert await _next(calls) == b"start"
    await loop.run_in_executor(None, lambda: sync_zk.set("/both", b"from-sync"))
    assert await _next(calls) == b"from-sync"
    await zk_aio_client.set("/both", b"from-async")
    assert await _next(calls) == b"from-async"
    await asyncio.wait_for(sync_got.wait(), WAIT)
    assert sync_seen[0] == b"start"
    await watch.close()
    kids: asyncio.Queue[list[str]] = asyncio.Queue()
    async with ChildrenWatch(zk_aio_client, "/both", lambda names: kids.put_nowait(sorted(names))):
        assert await _next(kids) == []
        await loop.run_in_executor(None, lambda: sync_zk.create("/both/from-sync"))
        assert await _next(kids) == ["from-sync"]


async def test_children_watch_both_forms_and_node_deletion(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.ensure_path("/kids")
    calls: asyncio.Queue[tuple[list[str], WatchedEvent | None]] = asyncio.Queue()
    watch = zk.ChildrenWatch("/kids", lambda kids, event: calls.put_nowait((sorted(kids), event)),
                             send_event=True)
    assert isinstance(watch, ChildrenWatch)
    assert await _next(calls) == ([], None)
    await zk.create("/kids/a")
    kids, event = await _next(calls)
    assert kids == ["a"] and event is not None
    got: list[list[str]] = []
    async with ChildrenWatch(zk, "/kids") as iterated:
        async for names in iterated:
            got.append(sorted(names))
            if len(got) == 1:
                await zk.create("/kids/b")
            else:
                break
    assert got == [["a"], ["a", "b"]]
    assert (await _next(calls))[0] == ["a", "b"]
    await zk.delete("/kids", recursive=True)

    async def ended() -> bool:
        return watch.stopped

    await until(ended, message="the ChildrenWatch ended with its node")
    never: list[list[str]] = []
    gone = ChildrenWatch(zk, "/nonexistent", never.append)
    await gone.started()
    assert gone.stopped and never == []  # the node must exist: never called


async def test_watches_after_a_real_expiry(zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk, writer = await zk_aio_client_factory(), await zk_aio_client_factory()
    await writer.create("/exp", b"before")
    await writer.ensure_path("/expkids")
    data_calls: asyncio.Queue[bytes | None] = asyncio.Queue()
    DataWatch(zk, "/exp", lambda data, stat: data_calls.put_nowait(data))
    strict = ChildrenWatch(zk, "/expkids", lambda kids: None, allow_session_lost=False)
    assert await _next(data_calls) == b"before"
    states = zk.states()
    assert zk.client_id is not None
    await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, zk.client_id)
    async for state in states:
        if state.name == "CONNECTED":
            break
    await writer.set("/exp", b"after")  # the new session's watch sees it
    assert await _next(data_calls) == b"after"

    async def strict_ended() -> bool:
        return strict.stopped

    await until(strict_ended, message="allow_session_lost=False ends the ChildrenWatch after LOST")
