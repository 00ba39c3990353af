"""asyncio Counter against a real ZooKeeper: values, Curator's encoding, sync interop, cancellation."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, GatedClient

from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import Counter
from zkrecipes.recipes.counter import Counter as SyncCounter


async def test_counter_add_sub_and_values(zk_aio_client: AsyncZkClient) -> None:
    counter = zk_aio_client.Counter("/count")
    assert isinstance(counter, Counter) and await counter.get() == 0
    await counter.add(5)
    assert (counter.pre_value, counter.post_value) == (0, 5)
    await counter.sub(2)
    assert await counter.get() == 3 and (await zk_aio_client.get("/count"))[0] == b"3"
    floats = Counter(zk_aio_client, "/fcount", default=0.5)
    await floats.add(1.25)
    assert await floats.get() == 1.75
    with pytest.raises(exc.InvalidTypeError):
        await counter.add(1.5)


async def test_curator_encoding(zk_aio_client: AsyncZkClient) -> None:
    counter = Counter(zk_aio_client, "/curator", support_curator=True)
    await counter.add(-7)
    assert (await zk_aio_client.get("/curator"))[0] == struct.pack(">i", -7)
    assert await counter.get() == -7
    with pytest.raises(exc.InvalidArgumentError):
        await counter.add(2**31 + 10)  # -7 + that does not fit in 32 bits


@pytest.mark.parametrize("zk_handler_name", ["threading"])
async def test_sync_and_async_increments_add_up(zk_client_factory: Any, zk_aio_client_factory: Any) -> None:
    sync_zk = zk_client_factory()
    clients = [await zk_aio_client_factory() for _ in range(2)]
    loop = asyncio.get_running_loop()
    sync_counter = SyncCounter(sync_zk, "/both", support_curator=True)

    def sync_adds() -> None:
        for _ in range(10):
            sync_counter.__add__(1)

    async def async_adds(zk: AsyncZkClient) -> None:
        counter = Counter(zk, "/both", support_curator=True)
        for _ in range(10):
            await counter.add(1)

    await asyncio.wait_for(asyncio.gather(loop.run_in_executor(None, sync_adds),
                                          *(async_adds(zk) for zk in clients)), WAIT * 3)
    assert await Counter(clients[0], "/both", support_curator=True).get() == 30
    assert await loop.run_in_executor(None, lambda: sync_counter.value) == 30


async def test_cancelled_add_leaves_a_whole_value(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await Counter(zk, "/cut").add(10)
    gated = GatedClient(zk, "set")
    counter = Counter(gated, "/cut")  # type: ignore[arg-type]
    task = asyncio.ensure_future(counter.add(5))
    await asyncio.wait_for(gated.reached.wait(), WAIT)
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled() and counter.post_value is None
    assert await Counter(zk, "/cut").get() == 15  # the set in flight was applied, exactly once
    await counter.add(1)  # the object is usable again
    assert await Counter(zk, "/cut").get() == 16
