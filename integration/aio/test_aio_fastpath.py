"""The single-request fast path of issue 11: an operation returns its request's reply future.

* a single request (get, exists, set, plain create, delete, ...) returns a
  :class:`~zkrecipes.client.api.aio_driver.Reply`: an ``asyncio.Future`` that is also a
  coroutine object, sent when the method is called; ``gather``, ``wait_for``, ``create_task``,
  ``TaskGroup`` and ``run_coroutine_threadsafe`` all take it;
* a bad argument raises at call time; multi-step forms stay coroutines, run when awaited;
* cancelling a reply future itself (not a task) leaves its request pending: its late reply is
  discarded and every other request gets its own answer, in xid order;
* ``close()`` fails reply futures still pending with ``ConnectionClosedError``;
* a reply run as a task that is cancelled before it ran, or closed as a coroutine, is cancelled
  (its late reply discarded).

Sync points are the proxy's held bytes and the futures themselves, never sleeps.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import threading
import time
from collections.abc import Coroutine
from typing import Any

import pytest

from zkrecipes import ZkState
from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient
from zkrecipes.client.api.aio_driver import Reply

WAIT = 20.0
#: A GetData request as held on the wire: opcode 4, then the path's length (< 2**24).
GET_DATA = (4).to_bytes(4, "big") + b"\x00\x00\x00"
LOOPS = ("asyncio", "uvloop") if importlib.util.find_spec("uvloop") else ("asyncio",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "zk_event_loop" in metafunc.fixturenames:  # each test on every event loop (conftest.py)
        metafunc.parametrize("zk_event_loop", LOOPS, ids=list(LOOPS))


async def _until_held(proxy: Any, predicate: Any, timeout: float = WAIT) -> None:
    """Poll the proxy's held bytes from a worker thread (the loop keeps running meanwhile)."""

    def poll() -> bool:
        end = time.monotonic() + timeout
        while not predicate(proxy.held_to_server()):
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)
        return True

    assert await asyncio.get_running_loop().run_in_executor(None, poll), "the proxy never held them"


async def test_a_single_request_is_a_reply_future_that_every_asyncio_api_accepts(
        zk_aio_client: AsyncZkClient, zk_event_loop: str) -> None:
    zk = zk_aio_client
    created = zk.create("/f", b"v")
    assert isinstance(created, Reply) and isinstance(created, asyncio.Future)
    assert isinstance(created, Coroutine) and asyncio.iscoroutine(created)
    assert await created == "/f"
    assert (await asyncio.wait_for(zk.get("/f"), WAIT))[0] == b"v"
    assert (await asyncio.create_task(zk.get("/f")))[0] == b"v"
    if hasattr(asyncio, "TaskGroup"):  # Python >= 3.11
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(zk.exists("/f")) for _ in range(3)]
        assert all(task.result() is not None for task in tasks)
    results = await asyncio.gather(zk.set("/f", b"w"), zk.get("/f"), zk.get_children("/"))
    assert results[1][0] == b"w" and "f" in results[2]
    assert await zk.delete("/f") is True  # kazoo's answer


async def test_a_reply_is_sent_when_called_and_plans_wait_for_their_await(
        zk_aio_client: AsyncZkClient, zk_event_loop: str) -> None:
    zk = zk_aio_client
    first = zk.create("/early", b"")  # not awaited yet: already on its way
    assert await zk.exists("/early") is not None  # answered after the create, in order
    assert await first == "/early"
    plan = zk.create("/later/a", b"", makepath=True)  # multi-step: a coroutine, nothing sent
    assert inspect.iscoroutine(plan) and not isinstance(plan, asyncio.Future)
    assert await zk.exists("/later") is None
    assert await plan == "/later/a"
    ensuring = zk.ensure_path("/later")
    assert inspect.iscoroutine(ensuring) and not isinstance(ensuring, asyncio.Future)
    ensuring.close()  # never run: nothing was sent
    with pytest.raises(exc.ZookeeperError):
        await zk.delete("/later")  # NotEmpty: a plain delete is one request


async def test_a_bad_argument_raises_at_call_time(zk_aio_client: AsyncZkClient, zk_event_loop: str) -> None:
    zk = zk_aio_client
    with pytest.raises(TypeError):
        zk.get(b"/not-a-str")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        zk.set("/x", b"", version="one")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await zk.exists(42)  # type: ignore[arg-type]  # also inside an await expression
    assert zk.transport.pending_count == 0 and await zk.exists("/") is not None


async def test_cancelled_reply_futures_leave_every_other_reply_right(
        fault_proxy: Any, zk_aio_client_factory: Any, zk_event_loop: str) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    await zk.create("/c")
    await asyncio.gather(*(zk.create(f"/c/{i}", str(i).encode()) for i in range(30)))
    session = zk.client_id
    fault_proxy.stall()
    replies = [zk.get(f"/c/{i}") for i in range(30)]
    await _until_held(fault_proxy, lambda held: held.count(GET_DATA) >= 30)  # written, unanswered
    for reply in replies[::2]:
        assert reply.cancel()
    later = zk.get("/c/29")
    fault_proxy.resume()
    kept = await asyncio.wait_for(asyncio.gather(*replies[1::2], later), WAIT)
    assert [data for data, _ in kept] == [str(i).encode() for i in range(1, 30, 2)] + [b"29"]
    assert all(reply.cancelled() for reply in replies[::2])
    loop = asyncio.get_running_loop()
    end = loop.time() + WAIT
    while zk.transport.pending_count:  # the late replies were matched by xid and dropped
        assert loop.time() < end, "late replies never matched"
        await asyncio.sleep(0.01)
    assert zk.client_id == session and zk.state is ZkState.CONNECTED


async def test_a_timed_out_gather_of_replies_leaves_the_session_intact(
        fault_proxy: Any, zk_aio_client_factory: Any, zk_event_loop: str) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    await zk.create("/t", b"t")
    fault_proxy.stall()
    gathering = asyncio.gather(*(zk.get("/t") for _ in range(20)))
    await _until_held(fault_proxy, lambda held: held.count(GET_DATA) >= 20)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(gathering, 0)  # cancels the gather, which cancels each reply
    fault_proxy.resume()
    assert (await asyncio.wait_for(zk.get("/t"), WAIT))[0] == b"t"
    assert zk.transport.pending_count == 0


async def test_close_fails_pending_reply_futures(zk_aio_client: AsyncZkClient, zk_event_loop: str) -> None:
    zk = zk_aio_client
    replies = [zk.get("/") for _ in range(50)]  # written or queued; no loop turn for a reply yet
    zk.close()
    outcomes = await asyncio.wait_for(asyncio.gather(*replies, return_exceptions=True), WAIT)
    assert all(isinstance(o, exc.ConnectionClosedError) for o in outcomes), outcomes
    with pytest.raises(exc.ConnectionClosedError):
        await zk.get("/")


async def test_a_call_from_another_thread_runs_on_the_loop(
        zk_aio_client: AsyncZkClient, zk_event_loop: str) -> None:
    zk = zk_aio_client
    await zk.create("/x", b"from-thread")
    loop = asyncio.get_running_loop()
    outcome: list[Any] = []

    def other_thread() -> None:
        call = zk.get("/x")  # no running loop here: a coroutine that sends when run on the loop
        outcome.append(inspect.iscoroutine(call))
        outcome.append(asyncio.run_coroutine_threadsafe(call, loop).result(WAIT))

    thread = threading.Thread(target=other_thread)
    thread.start()
    await loop.run_in_executor(None, thread.join, WAIT)
    assert outcome[0] is True and outcome[1][0] == b"from-thread"


async def test_a_reply_run_as_a_task_cancelled_before_it_ran_or_closed_is_discarded(
        fault_proxy: Any, zk_aio_client_factory: Any, zk_event_loop: str) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    await zk.create("/d", b"d")
    fault_proxy.stall()  # no reply can arrive until resume(): the outcomes below are certain
    early = zk.get("/d")
    task = asyncio.create_task(early)
    task.cancel()  # before the task's first step: CancelledError is thrown into the reply
    with pytest.raises(asyncio.CancelledError):
        await task
    assert early.cancelled()
    closed = zk.get("/d")
    closed.close()  # not to be awaited after all: its outcome is discarded
    assert closed.cancelled()
    await _until_held(fault_proxy, lambda held: held.count(GET_DATA) >= 2)
    fault_proxy.resume()
    assert (await asyncio.wait_for(zk.get("/d"), WAIT))[0] == b"d"  # after the two late replies
    assert zk.transport.pending_count == 0  # ... which were matched by xid and dropped
