"""Every numeric argument (timeouts, deadlines, retry knobs) refuses infinity, NaN, negatives,
bools and strings before anything happens: ``InvalidArgumentError`` for a bad number,
``InvalidTypeError`` for a non-number (issue 16, scope 2).

The clients are real and never started: a check that is missing makes a call
fail with ConnectionClosedError (or try to connect), not with the expected error.
"""

from __future__ import annotations

import asyncio
import datetime
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zkrecipes.aio.client import AsyncZkClient
from zkrecipes.aio.recipes.lock import Lock as AsyncLock
from zkrecipes.client.client import ZkClient
from zkrecipes.client.handlers.threading import SequentialThreadingHandler
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.recipes.barrier import Barrier, DoubleBarrier
from zkrecipes.recipes.cache import TreeCache
from zkrecipes.recipes.lease import NonBlockingLease
from zkrecipes.recipes.lock import Lock
from zkrecipes.recipes.partitioner import SetPartitioner
from zkrecipes.recipes.queue import LockingQueue
from zkrecipes.recipes.semaphore import Semaphore
from zkrecipes.retry import RetryPolicy

BAD_NUMBERS = [math.inf, -math.inf, math.nan, -0.5, 10**400]
"""Bad values of any duration (``-1`` separately: it means "forever" for some knobs)."""
BAD_TYPES: list[object] = [True, False, "1", b"1", [1]]

Call = Callable[[Any, object], object]


def _run(coro: Any) -> object:
    return asyncio.run(coro)


def _aio_start(_: Any, value: object) -> object:
    async def go() -> None:
        client = AsyncZkClient("127.0.0.1:1")
        try:
            await client.start(timeout=value)  # type: ignore[arg-type]
        finally:
            await client.close() if asyncio.iscoroutinefunction(client.close) else client.close()
    return _run(go())


def _aio_lock(_: Any, value: object) -> object:
    async def go() -> None:
        client = AsyncZkClient("127.0.0.1:1")
        await AsyncLock(client, "/l", "me").acquire(timeout=value)  # type: ignore[arg-type]
    return _run(go())


#: (argument, call, -1 allowed): every numeric argument of the public API that is a duration
#: or a retry knob (``max_tries``, a count, has its own test below).
ARGUMENTS: list[tuple[str, Call, bool]] = [
    ("ZkClient(timeout)", lambda c, v: ZkClient("127.0.0.1:1", timeout=v), False),  # type: ignore[arg-type]
    ("AsyncZkClient(timeout)", lambda c, v: AsyncZkClient("127.0.0.1:1", timeout=v), False),  # type: ignore[arg-type]
    ("ZkClient.start(timeout)", lambda c, v: c.start(timeout=v), False),
    ("AsyncZkClient.start(timeout)", _aio_start, False),
    ("RetryPolicy(delay)", lambda c, v: RetryPolicy(delay=v), False),  # type: ignore[arg-type]
    ("RetryPolicy(backoff)", lambda c, v: RetryPolicy(backoff=v), False),  # type: ignore[arg-type]
    ("RetryPolicy(max_jitter)", lambda c, v: RetryPolicy(max_jitter=v), False),  # type: ignore[arg-type]
    ("RetryPolicy(max_delay)", lambda c, v: RetryPolicy(max_delay=v), False),  # type: ignore[arg-type]
    ("RetryPolicy(deadline)", lambda c, v: RetryPolicy(deadline=v), False),  # type: ignore[arg-type]
    ("connection_retry={...}", lambda c, v: ZkClient("127.0.0.1:1", connection_retry={"delay": v}), False),
    ("Lock.acquire(timeout)", lambda c, v: Lock(c, "/l", "me").acquire(timeout=v), False),
    ("aio Lock.acquire(timeout)", _aio_lock, False),
    ("Semaphore.acquire(timeout)", lambda c, v: Semaphore(c, "/s").acquire(timeout=v), False),
    ("Barrier.wait(timeout)", lambda c, v: Barrier(c, "/b").wait(timeout=v), False),
    ("DoubleBarrier.enter(timeout)", lambda c, v: DoubleBarrier(c, "/d", 2).enter(timeout=v), False),
    ("DoubleBarrier.leave(timeout)", lambda c, v: DoubleBarrier(c, "/d", 2).leave(timeout=v), False),
    ("LockingQueue.get(timeout)", lambda c, v: LockingQueue(c, "/q").get(timeout=v), False),
    ("SetPartitioner.wait_for_acquire(timeout)",
     # (its constructor talks to the server: the check is reached on a bare instance)
     lambda c, v: SetPartitioner.wait_for_acquire(object.__new__(SetPartitioner), timeout=v), False),
    ("NonBlockingLease(lock_timeout)",
     lambda c, v: NonBlockingLease(c, "/lease", datetime.timedelta(minutes=1), lock_timeout=v), False),
    ("TreeCache.close(timeout)", lambda c, v: TreeCache(c, "/t").close(timeout=v), False),
    ("handler.stop(timeout)", lambda c, v: SequentialThreadingHandler().stop(timeout=v), False),
    ("AsyncResult.get(timeout)", lambda c, v: c.handler.async_result().get(timeout=v), False),
]

@pytest.fixture
def idle() -> Iterator[ZkClient]:
    client = ZkClient("127.0.0.1:1")
    yield client
    client.close()


@pytest.mark.parametrize(("name", "call", "minus_one"), ARGUMENTS, ids=[a[0] for a in ARGUMENTS])
@pytest.mark.parametrize("value", [*BAD_NUMBERS, -1], ids=lambda v: repr(v))
def test_a_bad_number_is_an_invalid_argument(idle: ZkClient, name: str, call: Call, minus_one: bool,
                                             value: object) -> None:
    if value == -1 and minus_one:
        return
    with pytest.raises(InvalidArgumentError):
        call(idle, value)


@pytest.mark.parametrize(("name", "call", "minus_one"), ARGUMENTS, ids=[a[0] for a in ARGUMENTS])
@pytest.mark.parametrize("value", BAD_TYPES, ids=lambda v: repr(v))
def test_a_non_number_is_an_invalid_type(idle: ZkClient, name: str, call: Call, minus_one: bool,
                                         value: object) -> None:
    with pytest.raises(InvalidTypeError):
        call(idle, value)


@pytest.mark.parametrize("value", [0, -2, -(10**30)])
def test_max_tries_below_one_other_than_minus_one_is_an_invalid_argument(value: int) -> None:
    with pytest.raises(InvalidArgumentError):
        RetryPolicy(max_tries=value)


@pytest.mark.parametrize("value", [math.inf, math.nan, 2.0, -1.0, True, "3"])
def test_max_tries_that_is_not_an_int_is_an_invalid_type(value: object) -> None:
    with pytest.raises(InvalidTypeError):
        RetryPolicy(max_tries=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, -1, 1, 10])
def test_max_tries_none_or_minus_one_means_forever_as_in_kazoo(value: int | None) -> None:
    assert RetryPolicy(max_tries=value).max_tries == value


def test_good_numbers_are_accepted() -> None:
    policy = RetryPolicy(max_tries=3, delay=0, backoff=1, max_jitter=1, max_delay=0.5, deadline=2)
    assert (policy.delay, policy.backoff, policy.max_jitter, policy.max_delay, policy.deadline) == (
        0.0, 1.0, 1.0, 0.5, 2)
    client = ZkClient("127.0.0.1:1", timeout=0.5)
    assert client.session_timeout == 0.5
    client.close()
