"""asyncio LockingQueue.consume whose reply is lost with the connection (issue 16, scope 1).

The consume transaction reaches the server and is applied, its reply is held back
by the proxy, then the connection is dropped (with or without a real expiry). An
applied consume is reported as True on a live session — not ConnectionLoss, not
"nothing removed" — and as OutcomeUnknownError carrying the item's value once
the session is gone; it is never run twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_aio_fenced_outcomes import TIMEOUT, _expire, _HoldRepliesFrom
from test_aio_recipes_gate import WAIT, until

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import LockingQueue
from zkrecipes.exceptions import OutcomeUnknownError


async def _holding_first(fault_proxy: Any, factory: Any) -> tuple[AsyncZkClient, LockingQueue, LockingQueue]:
    victim = await factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = await factory()
    producer = LockingQueue(observer, "/lq")
    await producer.put(b"first")
    await producer.put(b"second")
    consumer = LockingQueue(_HoldRepliesFrom(victim, fault_proxy, "transaction"), "/lq")  # type: ignore[arg-type]
    assert await consumer.get(timeout=WAIT) == b"first"
    return victim, consumer, producer


async def test_consume_applied_on_a_live_session_is_true(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    victim, consumer, producer = await _holding_first(fault_proxy, zk_aio_client_factory)
    session = victim.client_id
    pending = asyncio.ensure_future(consumer.consume())

    async def consumed() -> bool:
        return len(await producer.client.get_children("/lq/entries")) == 1

    await until(consumed, message="the consume applied")
    fault_proxy.close_connections()
    assert await asyncio.wait_for(pending, WAIT) is True  # read back: removed by this call
    assert victim.client_id == session
    assert consumer.processing_element is None
    assert await consumer.get(timeout=WAIT) == b"second"  # the next item, nothing skipped or repeated


async def test_consume_applied_then_session_expired_is_unknown_with_the_value(
        fault_proxy: Any, zk_aio_client_factory: Any, zk_hosts: str) -> None:
    victim, consumer, producer = await _holding_first(fault_proxy, zk_aio_client_factory)
    pending = asyncio.ensure_future(consumer.consume())

    async def consumed() -> bool:
        return len(await producer.client.get_children("/lq/entries")) == 1

    await until(consumed, message="the consume applied")
    await _expire(zk_hosts, victim)
    fault_proxy.close_connections()
    with pytest.raises(OutcomeUnknownError) as raised:
        await asyncio.wait_for(pending, WAIT)
    assert raised.value.operation == "queue consume"
    assert raised.value.value == b"first"
    assert consumer.processing_element is None
    assert await producer.get(timeout=WAIT) == b"second"
