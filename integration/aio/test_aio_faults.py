"""AsyncZkClient under real faults and every cancellation case.

Cancellation rule under test: a cancelled or timed-out await never corrupts
the session or the xid order (the request stays pending; its late reply is
discarded), and stop()/close() fail every pending call with ConnectionClosedError.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zkrecipes import EventType, WatchedEvent, ZkState
from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient
from zkrecipes.client.protocol.opcodes import AddWatchMode
from zkrecipes.testing import expire_session

WAIT = 20.0
SHORT_STALL_TIMEOUT = 8.0
LOST_TIMEOUT = 4.0


async def _next_state(states: Any, wanted: ZkState) -> None:
    async def scan() -> None:
        async for state in states:
            if state is wanted:
                return
        raise AssertionError(f"the client stopped before {wanted}")

    await asyncio.wait_for(scan(), WAIT)


async def _until(predicate: Any, timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not met in time"
        await asyncio.sleep(0.01)


async def _seed(zk: AsyncZkClient) -> None:
    for name in ("a", "b", "c"):
        await zk.create(f"/{name}", name.encode())


async def test_timed_out_await_keeps_xid_order(fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    await _seed(zk)
    fault_proxy.stall()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(zk.get("/a"), 0.2)
    assert zk.transport.pending_count == 1  # still pending in the session, not forgotten
    later = asyncio.ensure_future(zk.get("/b"))
    fault_proxy.resume()
    assert (await asyncio.wait_for(later, WAIT))[0] == b"b"  # not /a's late reply
    assert (await zk.get("/c"))[0] == b"c"
    await _until(lambda: zk.transport.pending_count == 0)
    assert zk.connected


async def test_cancelled_task_and_asyncio_timeout(fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    await _seed(zk)
    fault_proxy.stall()
    task = asyncio.ensure_future(zk.get("/a"))
    plan = asyncio.ensure_future(zk.ensure_path("/x/y/z"))  # a multi-step operation
    txn = zk.transaction()
    txn.create("/tx", b"t")
    commit = asyncio.ensure_future(txn.commit())
    await asyncio.sleep(0.05)
    for cancelled in (task, plan, commit):
        cancelled.cancel()
    for cancelled in (task, plan, commit):
        with pytest.raises(asyncio.CancelledError):
            await cancelled
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await zk.get("/c")
    fault_proxy.resume()
    assert [(await zk.get(p))[0] for p in ("/c", "/b", "/a")] == [b"c", b"b", b"a"]
    await _until(lambda: zk.transport.pending_count == 0)
    assert zk.connected and zk.state is ZkState.CONNECTED
    # The cancelled commit was on the wire: the server applied it (no rollback outside a transaction).
    assert (await zk.get("/tx"))[0] == b"t"


async def test_stop_fails_every_pending_call(fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=LOST_TIMEOUT)
    await _seed(zk)
    fault_proxy.stall()
    pending = [asyncio.ensure_future(zk.get("/a")) for _ in range(20)]
    await asyncio.sleep(0.05)
    await asyncio.wait_for(zk.stop(), WAIT)
    outcomes = await asyncio.gather(*pending, return_exceptions=True)
    assert all(isinstance(o, exc.ConnectionClosedError) for o in outcomes), outcomes
    with pytest.raises(exc.ConnectionClosedError):
        await zk.get("/a")


async def test_close_fails_every_pending_call_at_once(fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    await _seed(zk)
    fault_proxy.stall()
    pending = [asyncio.ensure_future(zk.get("/b")) for _ in range(5)]
    await asyncio.sleep(0.05)
    zk.close()
    outcomes = await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), WAIT)
    assert all(isinstance(o, exc.ConnectionClosedError) for o in outcomes), outcomes
    assert not zk.transport.running
    fault_proxy.resume()


async def test_short_stall_suspends_and_resumes_with_the_watch(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=SHORT_STALL_TIMEOUT)
    other = await zk_aio_client_factory()
    await zk.create("/watched", b"before")
    states = zk.states()
    events: asyncio.Queue[WatchedEvent] = asyncio.Queue()
    await zk.get("/watched", watch=events.put_nowait)
    persistent = zk.add_watch_iter("/watched", AddWatchMode.PERSISTENT)
    await persistent.open()
    session = zk.client_id
    fault_proxy.stall()
    await other.set("/watched", b"changed during the stall")
    await _next_state(states, ZkState.SUSPENDED)
    fault_proxy.resume()
    await _next_state(states, ZkState.CONNECTED)
    assert zk.client_id == session
    event = await asyncio.wait_for(events.get(), WAIT)
    assert (event.type, event.path) == (EventType.CHANGED, "/watched")
    # The persistent watch was restored too (SetWatches2): the change made meanwhile arrives.
    restored = await asyncio.wait_for(persistent.__anext__(), WAIT)
    assert (restored.type, restored.path) == (EventType.CHANGED, "/watched")
    await persistent.aclose()


async def test_long_stall_loses_the_session_then_a_new_one(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=LOST_TIMEOUT)
    assert zk.client_id is not None
    old = zk.client_id[0]
    states = zk.states()
    fault_proxy.stall()
    stalled = asyncio.ensure_future(zk.get("/"))
    await _next_state(states, ZkState.LOST)
    with pytest.raises((exc.ConnectionLoss, exc.SessionExpiredError)):
        await asyncio.wait_for(stalled, WAIT)
    fault_proxy.resume()
    await _next_state(states, ZkState.CONNECTED)
    assert zk.client_id is not None and zk.client_id[0] != old


async def test_real_session_expiry(zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory()
    await zk.create("/eph", b"", ephemeral=True)
    await zk.create("/data", b"d0")
    changes = zk.watch_data("/data")
    assert (await asyncio.wait_for(changes.__anext__(), WAIT)).data == b"d0"
    assert zk.client_id is not None
    session_id, password = zk.client_id
    states = zk.states()
    await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, (session_id, password))
    await _next_state(states, ZkState.LOST)
    await _next_state(states, ZkState.CONNECTED)
    assert zk.client_id is not None and zk.client_id[0] != session_id
    assert await zk.exists("/eph") is None
    assert await zk.create("/eph", b"", ephemeral=True) == "/eph"
    # The lost session's watch is gone: the stream re-reads in the new session and watches again.
    again = await asyncio.wait_for(changes.__anext__(), WAIT)
    assert again.data == b"d0" and again.event is None
    await zk.set("/data", b"d1")
    changed = await asyncio.wait_for(changes.__anext__(), WAIT)
    assert changed.data == b"d1" and changed.event is not None
