"""AsyncZkClient against a real ZooKeeper: CRUD, watches, iterators, transactions, retry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zkrecipes import EventType, WatchedEvent, ZkState
from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient
from zkrecipes.client.protocol.opcodes import AddWatchMode

WAIT = 20.0


async def test_crud_round_trip(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    assert zk.connected
    assert await zk.create("/a", b"one") == "/a"
    data, stat = await zk.get("/a")
    assert data == b"one" and stat.version == 0
    stat2 = await zk.set("/a", b"two")
    assert stat2.version == 1
    assert (await zk.exists("/a")) is not None
    assert await zk.exists("/missing") is None
    with pytest.raises(exc.NoNodeError):
        await zk.get("/missing")
    with pytest.raises(exc.NodeExistsError):
        await zk.create("/a")
    path, stat3 = await zk.create("/b/c/d", b"x", makepath=True, include_data=True)
    assert path == "/b/c/d" and stat3.dataLength == 1
    assert sorted(await zk.get_children("/")) == ["a", "b"]
    assert await zk.ensure_path("/b/c/e") == "/b/c/e"  # issue 10: the created path, as kazoo
    await zk.delete("/b", recursive=True)
    assert await zk.exists("/b") is None
    seq = await zk.create("/s-", ephemeral=True, sequence=True)
    assert seq.startswith("/s-") and len(seq) == len("/s-") + 10


async def test_one_shot_watch_callback_plain_and_coroutine(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/w", b"")
    seen: asyncio.Queue[WatchedEvent] = asyncio.Queue()

    async def coroutine_watch(event: WatchedEvent) -> None:
        await zk.exists("/w")  # a watch callback may await the client
        await seen.put(event)

    await zk.get("/w", watch=seen.put_nowait)
    await zk.exists("/w", watch=coroutine_watch)
    await zk.set("/w", b"1")
    first = await asyncio.wait_for(seen.get(), WAIT)
    second = await asyncio.wait_for(seen.get(), WAIT)
    assert (first.type, first.path) == (EventType.CHANGED, "/w")
    assert (second.type, second.path) == (EventType.CHANGED, "/w")


async def test_watch_data_iterator_coalesces_and_sees_deletion(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/d", b"v0")
    async with zk.watch_data("/d") as changes:
        first = await asyncio.wait_for(changes.__anext__(), WAIT)
        assert first.data == b"v0" and first.event is None
        await zk.set("/d", b"v1")
        second = await asyncio.wait_for(changes.__anext__(), WAIT)
        assert second.data == b"v1" and second.event is not None
        for i in range(5):  # the reader is busy: these coalesce
            await zk.set("/d", f"x{i}".encode())
        third = await asyncio.wait_for(changes.__anext__(), WAIT)
        assert third.data is not None and third.data.startswith(b"x")
        await zk.delete("/d")
        while True:
            item = await asyncio.wait_for(changes.__anext__(), WAIT)
            if item.data is None:
                break
        assert item.stat is None
        await zk.create("/d", b"back")
        back = await asyncio.wait_for(changes.__anext__(), WAIT)
        assert back.data == b"back" and back.event is not None and back.event.type is EventType.CREATED


async def test_watch_children_iterator_ends_on_deletion(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/p", b"")
    seen: list[list[str]] = []

    async def consume() -> None:
        async for names in zk.watch_children("/p"):
            seen.append(sorted(names))
            if len(seen) == 1:
                await zk.create("/p/x", b"")
            elif len(seen) == 2:
                await zk.delete("/p", recursive=True)

    await asyncio.wait_for(consume(), WAIT)
    assert seen[0] == [] and seen[1] == ["x"]


async def test_persistent_watch_iterator_and_removal(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/r", b"")
    async with zk.add_watch_iter("/r", AddWatchMode.PERSISTENT_RECURSIVE) as events:
        await zk.create("/r/a", b"")
        await zk.set("/r/a", b"1")
        await zk.set("/r", b"2")
        got = [await asyncio.wait_for(events.__anext__(), WAIT) for _ in range(3)]
        assert [(e.type, e.path) for e in got] == [
            (EventType.CREATED, "/r/a"), (EventType.CHANGED, "/r/a"), (EventType.CHANGED, "/r")]
        assert events.dropped == 0
    with pytest.raises(StopAsyncIteration):
        await events.__anext__()
    seen = []

    async def first_two() -> None:
        async for event in zk.add_watch_iter("/r"):  # added by the first read
            seen.append(event.path)
            if len(seen) == 2:
                break

    consumer = asyncio.ensure_future(first_two())
    for _ in range(400):  # bounded: the watch is added when the consumer first reads
        if seen or consumer.done():
            break
        await zk.set("/r/a", b"again")
        await asyncio.sleep(0.05)
    await zk.set("/r", b"more")
    await asyncio.wait_for(consumer, WAIT)
    assert seen[0] == "/r/a"


async def test_transactions_and_multi_read(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    t = zk.transaction()
    t.create("/t1", b"a")
    t.create("/t2", b"b")
    t.check("/t1", 0)
    assert await t.commit() == ["/t1", "/t2", True]
    async with zk.transaction() as t2:
        t2.set_data("/t1", b"c")
        t2.delete("/t2")
    assert (await zk.get("/t1"))[0] == b"c"
    bad = zk.transaction()
    bad.create("/t3")
    bad.check("/t1", 99)
    results = await bad.commit()
    assert isinstance(results[0], exc.RolledBackError) and isinstance(results[1], exc.BadVersionError)
    assert await zk.exists("/t3") is None
    reads = zk.multi_read()
    reads.get("/t1")
    reads.get_children("/")
    reads.get("/nope")
    value, children, missing = await reads.commit()
    assert value[0] == b"c" and "t1" in children and isinstance(missing, exc.NoNodeError)


async def test_retry_with_the_same_policy(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise exc.ConnectionLoss("try again")
        return await zk.create("/retried")

    assert await zk.retry(flaky) == "/retried"
    assert len(calls) == 3


async def test_whoami_extras_and_auth(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/e", b"", ephemeral=True)
    assert "/e" in await zk.get_ephemerals()
    assert await zk.get_all_children_number("/") >= 1
    assert await zk.add_auth("digest", "user:pw") is True
    schemes = {info.auth_scheme for info in await zk.whoami()}
    assert "digest" in schemes
    assert (await zk.command(b"ruok")) == "imok"
    assert len(await zk.server_version()) == 3


async def test_listener_coroutine_that_calls_the_client_and_states_iterator(
        zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(start=False)
    states = zk.states()
    seen: list[tuple[ZkState, bool]] = []

    async def listener(state: ZkState) -> None:
        if state is ZkState.CONNECTED:
            seen.append((state, await zk.exists("/") is not None))

    zk.add_listener(listener)
    await zk.start()
    assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.CONNECTED
    await zk.stop()
    assert seen == [(ZkState.CONNECTED, True)]
    assert [s async for s in states] == [ZkState.LOST]


async def test_async_with_and_ten_thousand_concurrent_gets(
        zk_hosts: str, zk_aio_client: AsyncZkClient) -> None:
    await zk_aio_client.create("/many", b"m")
    async with AsyncZkClient(zk_hosts + zk_aio_client.chroot) as zk:
        results = await asyncio.wait_for(asyncio.gather(*(zk.get("/many") for _ in range(10_000))), 120)
        assert len(results) == 10_000 and all(r[0] == b"m" for r in results)
        assert zk.transport.pending_count == 0
    assert zk.state is ZkState.LOST
    with pytest.raises(exc.ConnectionClosedError):
        await zk.get("/many")
