"""The asyncio front end's parts without a server: streams, callback queues, async retry."""

from __future__ import annotations

import asyncio

import pytest

from zkrecipes.aio import EventStream, retry_async
from zkrecipes.aio._callbacks import CallbackQueue
from zkrecipes.exceptions import ConnectionLoss, NoNodeError, RetryFailedError, SessionExpiredError
from zkrecipes.retry import RetryPolicy

WAIT = 5.0


async def test_event_stream_drops_the_oldest_when_full_and_never_blocks() -> None:
    stream: EventStream[int] = EventStream(3)
    for i in range(10):
        stream.push(i)  # never waits
    assert stream.dropped == 7
    stream.end()
    assert [i async for i in stream] == [7, 8, 9]


async def test_event_stream_wakes_its_reader_and_aclose_runs_the_cleanup() -> None:
    closed: list[bool] = []

    async def cleanup() -> None:
        closed.append(True)

    stream: EventStream[str] = EventStream(8, cleanup)
    reader = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0)
    stream.push("x")
    assert await asyncio.wait_for(reader, WAIT) == "x"
    async with stream:
        pass
    assert closed == [True]
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()
    with pytest.raises(ValueError):
        EventStream(0)


async def test_callback_queue_runs_in_order_and_awaits_coroutines() -> None:
    queue = CallbackQueue("test")
    queue.start()
    seen: list[str] = []

    async def slow(tag: str) -> None:
        await asyncio.sleep(0.01)
        seen.append(tag)

    def boom() -> None:
        raise RuntimeError("logged, not fatal")

    queue.put(slow, "a")
    queue.put(boom)
    queue.put(seen.append, "b")
    await queue.drain(WAIT)
    assert seen == ["a", "b"]
    queue.stop()


async def test_callback_queue_keeps_no_callback_alive_while_it_waits() -> None:
    import gc
    import weakref

    class Recipe:
        def on_event(self) -> None:
            self.seen = True

    queue = CallbackQueue("test")
    queue.start()
    recipe = Recipe()
    gone = weakref.ref(recipe)
    queue.put(recipe.on_event)
    del recipe
    for _ in range(3):  # the worker runs the callback, then waits for the next one
        await asyncio.sleep(0)
    gc.collect()
    assert gone() is None  # the waiting worker held no reference to the last callback's recipe
    queue.stop()


async def test_retry_async_retries_retryable_errors_with_the_policy() -> None:
    policy = RetryPolicy(max_tries=5, delay=0.001, max_jitter=0.0)
    calls: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionLoss("again")
        return "ok"

    assert await retry_async(policy, flaky) == "ok"
    assert policy.attempts == 3
    with pytest.raises(NoNodeError):
        await retry_async(policy, _raise, NoNodeError())
    with pytest.raises(RetryFailedError) as info:
        await retry_async(RetryPolicy(max_tries=2, delay=0.001), _raise, ConnectionLoss())
    assert isinstance(info.value.__cause__, ConnectionLoss)
    with pytest.raises(SessionExpiredError):
        await retry_async(RetryPolicy(max_tries=3, delay=0.001, ignore_expire=False), _raise,
                          SessionExpiredError())
    assert retry_async is not None and await retry_async(policy, lambda: 7) == 7


async def test_retry_async_honours_the_deadline() -> None:
    policy = RetryPolicy(max_tries=-1, delay=0.01, max_jitter=0.0, deadline=0.05)
    with pytest.raises(RetryFailedError, match="deadline"):
        await asyncio.wait_for(retry_async(policy, _raise, ConnectionLoss()), WAIT)


async def _raise(error: Exception) -> None:
    raise error


async def test_event_stream_opens_on_first_read_or_entry_and_closes_only_if_opened() -> None:
    log: list[str] = []

    async def opened() -> None:
        log.append("open")

    async def closed() -> None:
        log.append("close")

    never: EventStream[int] = EventStream(4, closed, opened)
    await never.aclose()
    assert log == []  # never opened: nothing to unregister
    read: EventStream[int] = EventStream(4, closed, opened)
    read.push(1)
    assert await read.__anext__() == 1
    await read.aclose()
    assert log == ["open", "close"]
    async with EventStream(4, closed, opened) as entered:
        entered.push(2)
        assert await entered.__anext__() == 2
    assert log == ["open", "close", "open", "close"]


def test_add_watch_iter_checks_its_arguments_at_once() -> None:
    from zkrecipes.aio import AsyncZkClient
    from zkrecipes.exceptions import InvalidArgumentError, ZkException

    zk = AsyncZkClient("127.0.0.1:9")
    with pytest.raises(InvalidArgumentError):
        zk.add_watch_iter("/x", mode=99)
    with pytest.raises(ZkException):
        zk.add_watch_iter("/a/../b")  # issue 10: "no-slash" is now normalised to "/no-slash"
    with pytest.raises(ValueError):
        zk.add_watch_iter("/x", maxsize=0)
