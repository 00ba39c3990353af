"""AsyncZkClient at scale: 10,000 concurrent tasks, each checked against its own node.

A reply matched to the wrong request would show as the wrong node's data, a
version out of order, or a dropped connection (the protocol core refuses an
xid out of order): every result is checked, the session and the state are
checked unchanged. Runs on every event loop of ``integration/aio/conftest.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from zkrecipes import ZkState
from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient

WAIT = 120.0
NODES = 200
TASKS = 10_000


async def _seed(zk: AsyncZkClient) -> None:
    await zk.create("/n")
    await asyncio.gather(*(zk.create(f"/n/{i}", f"value-{i}".encode()) for i in range(NODES)))
    # Give node i the version i % 7, so the stat is checked per node too.
    await asyncio.gather(*(zk.set(f"/n/{i}", f"value-{i}".encode())
                           for i in range(NODES) for _ in range(i % 7)))


async def test_ten_thousand_tasks_each_get_their_own_reply(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await _seed(zk)
    seen_states: list[ZkState] = []
    zk.add_listener(seen_states.append)
    session = zk.client_id

    async def one(i: int) -> tuple[int, bytes, int]:
        data, stat = await zk.get(f"/n/{i % NODES}")
        return i, data, stat.version

    tasks = [asyncio.create_task(one(i)) for i in range(TASKS)]
    results = await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
    for i, data, version in results:
        assert data == f"value-{i % NODES}".encode(), (i, data)
        assert version == (i % NODES) % 7, (i, version)
    assert zk.transport.pending_count == 0
    assert zk.client_id == session and zk.state is ZkState.CONNECTED
    assert seen_states == []  # no reconnect: no reply was ever out of order


async def test_concurrent_sets_are_applied_in_task_order(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.create("/counter", b"0")
    # Tasks start in creation order, each writes its request at its first step: the server
    # applies them in that order, so task i's set is version i + 1.
    tasks = [asyncio.create_task(zk.set("/counter", str(i).encode())) for i in range(2_000)]
    stats = await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
    assert [stat.version for stat in stats] == list(range(1, 2_001))
    assert (await zk.get("/counter"))[0] == b"1999"


async def test_a_listener_coroutine_calls_the_client_across_a_dropped_connection(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=8.0)
    await zk.create("/x", b"payload")
    outcomes: asyncio.Queue[tuple[ZkState, object]] = asyncio.Queue()

    async def listener(state: ZkState) -> None:
        try:
            value: object = (await zk.get("/x"))[0]
        except Exception as error:  # recorded, checked below
            value = type(error)
        outcomes.put_nowait((state, value))

    zk.add_listener(listener)
    fault_proxy.close_connections()  # the connection drops; the client reconnects at once

    got: list[tuple[ZkState, object]] = []
    while (ZkState.CONNECTED, b"payload") not in got:
        got.append(await asyncio.wait_for(outcomes.get(), WAIT))
    suspended = [value for state, value in got if state is ZkState.SUSPENDED]
    assert suspended, got
    # A get issued while SUSPENDED waits for the reconnect (or fails with ConnectionLoss):
    # the listener's await never blocks the reader, so it cannot deadlock.
    assert all(v in (b"payload", exc.ConnectionLoss) for v in suspended), got
    assert (await zk.get("/x"))[0] == b"payload"
