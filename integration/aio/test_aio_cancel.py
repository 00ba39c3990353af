"""Cancellation cases of issue 11 §3 not covered by test_aio_faults.py.

* awaits cancelled while their requests are on the wire (every other one of many), then
  the remaining ones and later ones get their own replies, in xid order;
* ``asyncio.wait_for`` / ``asyncio.timeout`` with timeouts that land at every point of a
  request's life (before it is written, on the wire, after the reply);
* ``start()`` cancelled while connecting (no server reachable; ConnectRequest in flight);
* ``close()`` with requests queued while disconnected, a multi-step plan and a commit:
  each fails with ``ConnectionClosedError``, and so does a call made afterwards.

Sync points are the proxy's held bytes, never sleeps.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from zkrecipes import ZkState
from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient

WAIT = 20.0
#: A GetData request as held on the wire: opcode 4, then the path's length (< 2**24).
GET_DATA = (4).to_bytes(4, "big") + b"\x00\x00\x00"


async def _until(predicate: Any, timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not met in time"
        await asyncio.sleep(0.01)


async def _until_held(proxy: Any, predicate: Any, timeout: float = WAIT) -> None:
    """Poll the proxy's held bytes from a worker thread (each poll is a blocking call into the
    proxy's thread: the event loop keeps running meanwhile)."""

    def poll() -> bool:
        end = time.monotonic() + timeout
        while not predicate(proxy.held_to_server()):
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)
        return True

    assert await asyncio.get_running_loop().run_in_executor(None, poll), "the proxy never held them"


async def _seed(zk: AsyncZkClient, count: int) -> None:
    await zk.create("/c")
    await asyncio.gather(*(zk.create(f"/c/{i}", str(i).encode()) for i in range(count)))


async def test_cancelled_on_the_wire_then_every_other_reply_is_right(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    await _seed(zk, 40)
    session = zk.client_id
    fault_proxy.stall()
    tasks = [asyncio.create_task(zk.get(f"/c/{i}")) for i in range(40)]
    await _until_held(fault_proxy, lambda held: held.count(GET_DATA) >= 40)  # all written, none answered
    for task in tasks[::2]:
        task.cancel()
    after = asyncio.create_task(zk.get("/c/39"))
    fault_proxy.resume()
    for i, task in enumerate(tasks):
        if i % 2 == 0:
            with pytest.raises(asyncio.CancelledError):
                await task
        else:
            assert (await asyncio.wait_for(task, WAIT))[0] == str(i).encode()
    assert (await asyncio.wait_for(after, WAIT))[0] == b"39"
    await _until(lambda: zk.transport.pending_count == 0)  # the late replies were matched and dropped
    assert zk.client_id == session and zk.state is ZkState.CONNECTED


async def test_timeouts_landing_anywhere_never_disturb_the_session(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await _seed(zk, 50)
    session = zk.client_id
    timed_out = 0
    # Timeouts from 0 (the request may not be written at all) to a few loop turns (on the
    # wire, or answered just before): each get either returns its own node or times out.
    for round_ in range(4):
        for i in range(50):
            timeout = (i % 10) * 0.0002 * (round_ + 1)
            try:
                data, _ = await asyncio.wait_for(zk.get(f"/c/{i}"), timeout)
            except TimeoutError:
                timed_out += 1
                continue
            assert data == str(i).encode()
        for i in range(0, 50, 5):
            try:
                async with asyncio.timeout(0.0005 * (i % 3)):
                    data, _ = await zk.get(f"/c/{i}")
                assert data == str(i).encode()
            except TimeoutError:
                timed_out += 1
    assert timed_out > 0  # at least the zero timeouts
    results = await asyncio.gather(*(zk.get(f"/c/{i}") for i in range(50)))
    assert [data for data, _ in results] == [str(i).encode() for i in range(50)]
    await _until(lambda: zk.transport.pending_count == 0)
    assert zk.client_id == session and zk.state is ZkState.CONNECTED


async def test_start_cancelled_while_no_server_is_reachable(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, start=False, timeout=10.0)
    fault_proxy.drop()  # connections are accepted and closed at once
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await zk.start(timeout=WAIT)
    assert not zk.transport.running and not zk.connected
    fault_proxy.resume()
    await zk.start(timeout=WAIT)
    assert (await zk.exists("/")) is not None


async def test_start_cancelled_with_the_connect_request_in_flight(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, start=False, timeout=10.0)
    fault_proxy.stall()
    starting = asyncio.create_task(zk.start(timeout=WAIT))
    # Connected to the (stalled) proxy: the ConnectRequest is written, its reply cannot come.
    await _until(lambda: zk.transport.current_server is not None)
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    assert not zk.transport.running and not zk.connected
    assert zk.transport.current_server is None  # the half-open connection was closed
    fault_proxy.resume()
    await zk.start(timeout=WAIT)
    assert zk.connected and (await zk.exists("/")) is not None


async def test_close_fails_queued_plans_commits_and_later_calls(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    await zk.create("/q", b"v")
    states = zk.states()
    fault_proxy.drop()  # refuses reconnects: everything below stays queued, unsent
    async for state in states:
        if state is ZkState.SUSPENDED:
            break
    txn = zk.transaction()
    txn.set_data("/q", b"w")
    pending = [
        *(asyncio.create_task(zk.get("/q")) for _ in range(10)),
        asyncio.create_task(zk.ensure_path("/a/b/c")),
        asyncio.create_task(zk.create("/p/q", b"", makepath=True)),
        asyncio.create_task(txn.commit()),
        asyncio.create_task(zk.add_auth("digest", "user:pw")),
    ]
    await asyncio.sleep(0)  # let every task submit its first request
    assert not any(task.done() for task in pending)
    zk.close()
    outcomes = await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), WAIT)
    assert all(isinstance(o, exc.ConnectionClosedError) for o in outcomes), outcomes
    with pytest.raises(exc.ConnectionClosedError):
        await zk.get("/q")
    fault_proxy.resume()


async def test_start_right_after_close_opens_a_new_session(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    old = zk.client_id
    # Written by the call itself (a Reply sends at once); close() in the same loop turn,
    # before the loop can read its answer (a sleep(0) here let a fast server's reply in).
    pending = asyncio.create_task(zk.get("/"))
    zk.close()
    assert not zk.transport.running  # at once, not when the connect task has unwound
    await zk.start(timeout=WAIT)  # the same loop turn: the aborted task ends first
    assert zk.connected and zk.client_id is not None and zk.client_id != old
    with pytest.raises(exc.ConnectionClosedError):
        await pending
    assert (await zk.exists("/")) is not None
