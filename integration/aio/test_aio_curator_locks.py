"""The asyncio Curator locks (``zkrecipes.aio.recipes.curator``): cost, cancellation, expiry, reentrancy.

* an uncontended acquire sends the create and the first listing before any
  reply (held back by the FaultProxy): one round trip;
* a cancelled acquire — while waiting, or while its create is on the wire — a
  timed-out one and a cancelled release leave no node behind;
* a real session expiry calls ``on_lost`` and the server refuses a fenced write;
* reentrancy is per task; the multi lock fences every node.

Sync points are the server's state and the proxy's held replies, never sleeps.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import (
    InterProcessMultiLock,
    InterProcessMutex,
    InterProcessSemaphoreMutex,
    InterProcessSemaphoreV2,
)
from zkrecipes.exceptions import LockLostError, LockNotHeldError, NoNodeError
from zkrecipes.testing import expire_session

WAIT = 30.0


class Requests:
    """The operations submitted (pings left out), in order."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self._lock = threading.Lock()

    def on_request_start(self, start: Any) -> None:
        if start.operation != "ping":
            with self._lock:
                self.started.append(start.operation)


async def until(predicate: Any, timeout: float = WAIT) -> None:
    """Poll an async ``predicate`` (bounded by ``timeout``)."""
    async def poll() -> None:
        while not await predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def _children(client: AsyncZkClient, path: str) -> list[str]:
    try:
        return list(await client.get_children(path))
    except NoNodeError:  # the container parent went
        return []


def _make(kind: str, client: AsyncZkClient, path: str) -> Any:
    if kind == "mutex":
        return InterProcessMutex(client, path)
    return InterProcessSemaphoreMutex(client, path)


def _leaves(kind: str, path: str) -> str:
    return path if kind == "mutex" else f"{path}/leases"


@pytest.mark.parametrize("kind", ["mutex", "semaphore_mutex"])
async def test_uncontended_acquire_is_one_round_trip(kind: str, fault_proxy: Any,
                                                     zk_aio_client_factory: Any) -> None:
    observer = await zk_aio_client_factory()
    await observer.ensure_path(_leaves(kind, "/cost"))  # plain parents: no container creates counted
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    lock = _make(kind, victim, "/cost")
    requests = Requests()
    victim.add_observer(requests)
    (connection,) = await asyncio.to_thread(fault_proxy.connection_ids)
    await asyncio.to_thread(fault_proxy.stall_replies, connection)
    seen: list[list[str]] = []

    async def release_the_replies() -> None:  # once both requests are out, with no reply back yet
        async def both_sent() -> bool:
            return len(requests.started) >= 2

        await until(both_sent)
        seen.append(list(requests.started))
        await asyncio.to_thread(fault_proxy.resume, connection)

    releaser = asyncio.ensure_future(release_the_replies())
    assert await lock.acquire(timeout=WAIT) is True  # in this task: it holds (and releases) it
    await asyncio.wait_for(releaser, WAIT)
    assert seen == [["create2", "getChildren"]]  # pipelined: one round trip
    await lock.release()
    assert requests.started == ["create2", "getChildren", "delete"]
    assert await observer.get_children(_leaves(kind, "/cost")) == []


@pytest.mark.parametrize("kind", ["mutex", "semaphore_mutex"])
async def test_acquire_cancelled_while_its_create_is_in_flight_leaves_no_node(
        kind: str, fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    observer = await zk_aio_client_factory()
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    await observer.ensure_path(_leaves(kind, "/cut"))
    lock = _make(kind, victim, "/cut")
    (connection,) = await asyncio.to_thread(fault_proxy.connection_ids)
    await asyncio.to_thread(fault_proxy.stall_replies, connection)
    acquiring = asyncio.ensure_future(lock.acquire(timeout=WAIT))

    async def created() -> bool:  # applied by the server, its reply held back
        return bool(await _children(observer, _leaves(kind, "/cut")))

    await until(created)
    acquiring.cancel()
    await asyncio.to_thread(fault_proxy.resume, connection)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(acquiring, WAIT)

    async def gone() -> bool:
        return not await _children(observer, _leaves(kind, "/cut"))

    await until(gone)
    assert not lock.is_acquired_in_this_process()


async def test_cancelled_and_timed_out_waits_leave_no_node(zk_aio_client_factory: Any) -> None:
    holder_client = await zk_aio_client_factory()
    client = await zk_aio_client_factory()
    holder = InterProcessMutex(holder_client, "/w")
    assert await holder.acquire(timeout=WAIT)
    waiter = InterProcessMutex(client, "/w")
    assert await waiter.acquire(timeout=0.2) is False  # its own timeout
    assert len(await _children(client, "/w")) == 1
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await waiter.acquire()
    assert len(await _children(client, "/w")) == 1

    async def two() -> bool:
        return len(await _children(client, "/w")) == 2

    task = asyncio.ensure_future(waiter.acquire())
    await until(two)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(await _children(client, "/w")) == 1
    task = asyncio.ensure_future(waiter.acquire())
    await until(two)
    waiter.cancel()  # Curator-style: the pending acquire returns False
    assert await asyncio.wait_for(task, WAIT) is False
    assert len(await _children(client, "/w")) == 1
    await holder.release()
    assert await _children(client, "/w") == []


async def test_a_cancelled_release_still_deletes_the_node(fault_proxy: Any,
                                                          zk_aio_client_factory: Any) -> None:
    observer = await zk_aio_client_factory()
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=10.0)
    mutex = InterProcessMutex(victim, "/rel")
    held, go = asyncio.Event(), asyncio.Event()

    async def hold_then_release() -> None:  # the holding task releases (reentrancy is per task)
        assert await mutex.acquire(timeout=WAIT)
        held.set()
        await go.wait()
        await mutex.release()

    holder = asyncio.ensure_future(hold_then_release())
    await asyncio.wait_for(held.wait(), WAIT)
    requests = Requests()
    victim.add_observer(requests)
    (connection,) = await asyncio.to_thread(fault_proxy.connection_ids)
    await asyncio.to_thread(fault_proxy.stall, connection)  # the delete waits in the proxy
    go.set()

    async def delete_sent() -> bool:
        return "delete" in requests.started

    await until(delete_sent)
    holder.cancel()  # while its release's delete is in flight
    with pytest.raises(asyncio.CancelledError):
        await holder
    assert not mutex.is_acquired_in_this_process()
    await asyncio.to_thread(fault_proxy.resume, connection)

    async def gone() -> bool:
        return await _children(observer, "/rel") == []

    await until(gone)


async def test_expiry_calls_on_lost_and_the_server_refuses_fenced_writes(
        zk_aio_client_factory: Any, zk_hosts: str) -> None:
    observer = await zk_aio_client_factory()
    victim = await zk_aio_client_factory()
    await observer.create("/target", b"before")
    told = asyncio.Event()

    async def on_lost(mutex: InterProcessMutex) -> None:
        told.set()

    leases_lost: list[Any] = []
    smutex_lost = asyncio.Event()
    mutex = InterProcessMutex(victim, "/lost", on_lost=on_lost)
    semaphore = InterProcessSemaphoreV2(victim, "/lost-sem", 2, on_lost=leases_lost.append)
    smutex = InterProcessSemaphoreMutex(victim, "/lost-smutex", on_lost=lambda m: smutex_lost.set())
    assert await mutex.acquire(timeout=WAIT)
    lease = await semaphore.acquire(timeout=WAIT)
    assert lease is not None
    assert await smutex.acquire(timeout=WAIT)
    await mutex.fenced_set("/target", b"while held")
    client_id = victim.client_id
    assert client_id is not None
    await asyncio.to_thread(expire_session, zk_hosts, client_id, WAIT)
    await asyncio.wait_for(told.wait(), WAIT)
    await asyncio.wait_for(smutex_lost.wait(), WAIT)
    assert mutex.is_lost and not mutex.is_acquired_in_this_process() and mutex.fencing_token is None
    assert leases_lost == [lease] and lease.is_lost and lease.fencing_token is None
    assert smutex.is_lost and not smutex.is_acquired_in_this_process()
    with pytest.raises(LockLostError):
        await smutex.fenced_set("/target", b"after the loss")
    with pytest.raises(LockLostError):
        await mutex.fenced_set("/target", b"after the loss")
    with pytest.raises(LockLostError):
        await lease.fenced_set("/target", b"after the loss")
    assert (await observer.get("/target"))[0] == b"while held"
    assert not await lease.exists()
    await mutex.release()  # accepted after a loss, does nothing
    await lease.close()
    await smutex.release()
    assert await mutex.acquire(timeout=WAIT)  # the new session takes it again
    assert not mutex.is_lost
    await mutex.release()


async def test_reentrant_per_task_and_released_only_by_its_task(zk_aio_client: AsyncZkClient) -> None:
    mutex = InterProcessMutex(zk_aio_client, "/re")
    assert await mutex.acquire(timeout=WAIT)
    assert await mutex.acquire(timeout=WAIT)  # the same task: a count, one node
    assert len(await _children(zk_aio_client, "/re")) == 1

    async def other_task() -> bool:
        got = await mutex.acquire(timeout=0.2)
        with pytest.raises(LockNotHeldError):
            await mutex.release()
        return got

    assert await asyncio.ensure_future(other_task()) is False
    await mutex.release()
    assert mutex.is_owned_by_current_task()
    await mutex.release()
    assert await _children(zk_aio_client, "/re") == []
    with pytest.raises(LockNotHeldError):
        await mutex.release()


async def test_multi_lock_fences_every_node_and_holds_none_on_timeout(zk_aio_client_factory: Any) -> None:
    client = await zk_aio_client_factory()
    other = await zk_aio_client_factory()
    both = InterProcessMultiLock(client, ["/ma", "/mb"])
    async with both:
        tokens = both.fencing_tokens
        assert tokens is not None and len(tokens) == 2
        await both.fenced_create("/multi-written", b"x")
        transaction = both.fenced_transaction()
        transaction.set_data("/multi-written", b"y")
        await transaction.commit()
        rival = InterProcessMultiLock(other, ["/mc", "/mb"])
        assert await rival.acquire(timeout=0.3) is False
        assert await _children(other, "/mc") == []  # the one it took was released
    assert (await client.get("/multi-written"))[0] == b"y"
    with pytest.raises(LockNotHeldError):
        await both.fenced_set("/multi-written", b"z")


async def test_the_server_refuses_a_fenced_write_once_the_node_is_gone(zk_aio_client_factory: Any) -> None:
    observer = await zk_aio_client_factory()
    client = await zk_aio_client_factory()
    await observer.create("/target", b"before")
    lease = await InterProcessSemaphoreV2(client, "/gone-sem", 1).acquire(timeout=WAIT)
    mutex = InterProcessMutex(client, "/gone")
    assert lease is not None and await mutex.acquire(timeout=WAIT)
    await observer.delete(lease.get_node_name())  # the client still believes it holds both
    nodes = await mutex.get_participant_nodes()
    await observer.delete(nodes[0])
    for holder in (lease, mutex):
        with pytest.raises(LockLostError):  # the marker's NoNode: the transaction is refused as a whole
            await holder.fenced_set("/target", b"stale")
        with pytest.raises(LockLostError):
            await holder.fenced_create("/stale-create")
    assert (await observer.get("/target"))[0] == b"before"
    assert await observer.exists("/stale-create") is None
    await lease.close()
    await mutex.release()


async def test_a_cancelled_gated_semaphore_acquire_leaves_no_lease_nor_gate_node(
        zk_aio_client_factory: Any) -> None:
    holder_client = await zk_aio_client_factory()
    client = await zk_aio_client_factory()
    held = await InterProcessSemaphoreV2(holder_client, "/gs", 1).acquire(timeout=WAIT)
    assert held is not None
    semaphore = InterProcessSemaphoreV2(client, "/gs", 1)
    many = await semaphore.acquire_many(2, timeout=0.3)  # times out: keeps none
    assert many is None

    async def waiting() -> bool:  # the gate taken, a second lease node waiting on the child watch
        return bool(await _children(client, "/gs/locks")) and len(await _children(client, "/gs/leases")) == 2

    task = asyncio.ensure_future(semaphore.acquire())
    await until(waiting)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _children(client, "/gs/locks") == []
    assert await _children(client, "/gs/leases") == [held.get_node_name().rsplit("/", 1)[-1]]
    await held.close()
