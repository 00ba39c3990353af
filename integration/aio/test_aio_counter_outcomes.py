"""asyncio Counter and Queue.get whose write reply is lost (issue 16, scope 1: the audit's checks).

Both already settle a lost reply by reading back (the sync recipes' pure rules);
these pin it on the asyncio front end with the real fault: the request reaches
the server and is applied, its reply is held back by the proxy, another client
acts, then the connection is dropped. Never applied twice, never "the next entry".
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_fenced_outcomes import TIMEOUT, _HoldRepliesFrom
from test_aio_recipes_gate import WAIT, until

from zkrecipes.aio.recipes import Counter, Queue
from zkrecipes.exceptions import OutcomeUnknownError


async def test_counter_change_applied_then_overtaken_is_not_applied_twice(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = await zk_aio_client_factory()
    mine = Counter(_HoldRepliesFrom(victim, fault_proxy, "set"), "/count")  # type: ignore[arg-type]
    theirs = Counter(observer, "/count")
    assert await mine.get() == 0
    pending = asyncio.ensure_future(mine.add(1))

    async def landed() -> bool:
        return await theirs.get() == 1

    await until(landed, message="the change applied")
    await theirs.add(1)  # another client's change lands after ours: ours cannot be told from the read-back
    fault_proxy.close_connections()
    with pytest.raises(OutcomeUnknownError) as raised:
        await asyncio.wait_for(pending, WAIT)
    assert raised.value.path == "/count"
    assert raised.value.operation == "counter change"
    assert await theirs.get() == 2  # two increments, counted once each


async def test_queue_get_whose_delete_reply_is_lost_does_not_skip_the_entry(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = await zk_aio_client_factory()
    queue = Queue(observer, "/queue")
    await queue.put(b"first")
    await queue.put(b"second")
    consumer = Queue(_HoldRepliesFrom(victim, fault_proxy, "delete"), "/queue")  # type: ignore[arg-type]
    pending = asyncio.ensure_future(consumer.get())

    async def deleted() -> bool:
        return await queue.length() == 1

    await until(deleted, message="the first entry deleted")
    fault_proxy.close_connections()
    # Taken by this call (unknowable to it): its value is reported, never "the next entry".
    with pytest.raises(OutcomeUnknownError) as raised:
        await asyncio.wait_for(pending, WAIT)
    assert raised.value.value == b"first"
    assert raised.value.operation == "queue get"
    assert await queue.get() == b"second"
