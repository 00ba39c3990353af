"""Honest outcomes of the asyncio recipes' fenced writes whose reply is lost (issue 16, bug 1).

The scenario of ``integration/recipes/test_fenced_outcomes.py`` on the asyncio
front end: the victim client connects through the ``fault_proxy``; its
connection is put in STALL_REPLIES (requests reach the server, replies are held
back), the write is made, an observer waits (polling, bounded) until it sees
the write applied, then the connection is dropped — with or without a real
session expiry. Applied → reported applied (or, when the session is gone,
OutcomeUnknownError), never "nothing written" (LockLostError) nor a failure
caused by its own first run (BadVersionError), and never applied twice; not
applied → sent again on a live session, LockLostError once the lock is lost.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, until

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import Lock, NonBlockingLease
from zkrecipes.exceptions import LockLostError, OutcomeUnknownError
from zkrecipes.testing import expire_session

TIMEOUT = 10.0


def _hold_replies(fault_proxy: Any) -> None:
    """Hold back the server's replies on the victim's (only) connection; reconnections pass."""
    (connection,) = fault_proxy.connection_ids()
    fault_proxy.stall_replies(connection)


async def _victim_and_observer(fault_proxy: Any, factory: Any) -> tuple[AsyncZkClient, AsyncZkClient]:
    victim = await factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = await factory()
    await observer.create("/target", b"before")
    return victim, observer


async def _value_is(observer: AsyncZkClient, path: str, value: bytes) -> bool:
    return bool((await observer.get(path))[0] == value)


async def _expire(zk_hosts: str, victim: AsyncZkClient) -> None:
    client_id = victim.client_id
    assert client_id is not None
    await asyncio.to_thread(expire_session, zk_hosts, client_id)


async def test_fenced_set_applied_then_session_expired_is_not_reported_as_lost(
        fault_proxy: Any, zk_aio_client_factory: Any, zk_hosts: str) -> None:
    victim, observer = await _victim_and_observer(fault_proxy, zk_aio_client_factory)
    lock = Lock(victim, "/fence-expired", "victim")
    assert await lock.acquire(timeout=WAIT)
    _hold_replies(fault_proxy)
    pending = asyncio.ensure_future(lock.fenced_set("/target", b"written"))
    await until(lambda: _value_is(observer, "/target", b"written"), message="the write applied")
    await _expire(zk_hosts, victim)
    fault_proxy.close_connections()
    # Applied, but the marker went with the session and the target is newer than it: undecidable,
    # so "unknown" — never LockLostError ("nothing written").
    with pytest.raises(OutcomeUnknownError) as raised:
        await asyncio.wait_for(pending, WAIT)
    assert raised.value.path == "/target"
    assert raised.value.operation == "fenced_set"
    assert (await observer.get("/target"))[0] == b"written"


async def test_fenced_set_applied_on_a_live_session_reports_success_not_bad_version(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    victim, observer = await _victim_and_observer(fault_proxy, zk_aio_client_factory)
    session = victim.client_id
    lock = Lock(victim, "/fence-live", "victim")
    assert await lock.acquire(timeout=WAIT)
    _hold_replies(fault_proxy)
    pending = asyncio.ensure_future(lock.fenced_set("/target", b"written", version=0))
    await until(lambda: _value_is(observer, "/target", b"written"), message="the write applied")
    fault_proxy.close_connections()
    stat = await asyncio.wait_for(pending, WAIT)  # established from the marker, not BadVersionError
    assert victim.client_id == session
    assert stat.version == 1
    target = await observer.exists("/target")
    assert target is not None and target.version == 1  # written once
    assert lock.is_acquired
    assert (await lock.fenced_set("/target", b"again", version=1)).version == 2  # marker in step
    await lock.release()


async def test_fenced_set_not_sent_before_the_drop_is_sent_again(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    victim, observer = await _victim_and_observer(fault_proxy, zk_aio_client_factory)
    lock = Lock(victim, "/fence-unsent", "victim")
    assert await lock.acquire(timeout=WAIT)
    (connection,) = fault_proxy.connection_ids()
    fault_proxy.stall(connection)  # the request never reaches the server
    pending = asyncio.ensure_future(lock.fenced_set("/target", b"written", version=0))

    async def held() -> bool:
        return len(fault_proxy.held_to_server()) > 0

    await until(held, message="the request held")
    fault_proxy.close_connections()
    assert (await asyncio.wait_for(pending, WAIT)).version == 1  # proven not applied: sent again, once
    assert (await observer.get("/target"))[0] == b"written"
    await lock.release()


async def test_fenced_set_not_sent_then_session_expired_is_lock_lost(
        fault_proxy: Any, zk_aio_client_factory: Any, zk_hosts: str) -> None:
    victim, observer = await _victim_and_observer(fault_proxy, zk_aio_client_factory)
    lock = Lock(victim, "/fence-unsent-expired", "victim")
    assert await lock.acquire(timeout=WAIT)
    (connection,) = fault_proxy.connection_ids()
    fault_proxy.stall(connection)
    pending = asyncio.ensure_future(lock.fenced_set("/target", b"written"))

    async def held() -> bool:
        return len(fault_proxy.held_to_server()) > 0

    await until(held, message="the request held")
    await _expire(zk_hosts, victim)
    fault_proxy.close_connections()  # the held request is dropped with the connection
    with pytest.raises(LockLostError):  # the target is older than the marker: nothing written
        await asyncio.wait_for(pending, WAIT)
    assert (await observer.get("/target"))[0] == b"before"


class _HoldRepliesFrom:
    """The victim client, except that the server's replies are held from its first ``method`` call on."""

    def __init__(self, client: AsyncZkClient, fault_proxy: Any, method: str) -> None:
        self._client, self._proxy, self._method = client, fault_proxy, method

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name != self._method or self._proxy is None:
            return attribute

        def armed(*args: Any, **kwargs: Any) -> Any:
            if self._proxy is not None:
                _hold_replies(self._proxy)
                self._proxy = None
            return attribute(*args, **kwargs)

        return armed


async def test_lease_written_with_a_lost_reply_is_obtained_once(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = await zk_aio_client_factory()
    # The lease's reads are answered; the replies are held from its fenced transaction on.
    client = _HoldRepliesFrom(victim, fault_proxy, "transaction")
    lease = NonBlockingLease(client, "/lease", datetime.timedelta(minutes=5), "victim")  # type: ignore[arg-type]
    pending = asyncio.ensure_future(lease.obtain())

    async def written() -> bool:
        return await observer.exists("/lease/lease_holder") is not None

    await until(written, message="the lease written")
    fault_proxy.close_connections()
    assert await asyncio.wait_for(pending, WAIT) is True  # the marker proves it: obtained, not re-created
    holder = await observer.exists("/lease/lease_holder")
    assert holder is not None and holder.version == 0  # written once
    assert b'"victim"' in (await observer.get("/lease/lease_holder"))[0]
