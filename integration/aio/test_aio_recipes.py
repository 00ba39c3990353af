"""asyncio recipes against a real ZooKeeper: Lock, ReadLock, WriteLock, Election.

Besides exclusion and the threaded/asyncio interplay on one path, every way an
acquire can be cancelled is checked to leave no contender node behind (seen by
a second client), including a cancellation that lands while the create is in
flight (held by a stalled proxy).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zkrecipes import ZkState
from zkrecipes import exceptions as exc
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import Election, Lock, ReadLock, Semaphore, WriteLock
from zkrecipes.recipes.lock import Lock as SyncLock
from zkrecipes.testing import expire_session

WAIT = 20.0


async def _until(predicate: Any, timeout: float = WAIT, message: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not await predicate():
        assert loop.time() < end, f"{message}: not met in time"
        await asyncio.sleep(0.02)


async def _children(zk: AsyncZkClient, path: str) -> list[str]:
    try:
        return sorted(await zk.get_children(path))
    except exc.NoNodeError:
        return []


async def _queued(zk: AsyncZkClient, path: str, count: int) -> None:
    async def enough() -> bool:
        return len(await _children(zk, path)) == count

    await _until(enough, message=f"{count} contenders under {path}")


async def _increment_under(lock: Lock, zk: AsyncZkClient, rounds: int) -> None:
    for _ in range(rounds):
        async with lock:
            data, _stat = await zk.get("/counter")
            await asyncio.sleep(0.001)  # give another holder the chance to interleave, if it could
            await zk.set("/counter", str(int(data) + 1).encode())


async def test_mutual_exclusion_between_async_clients(zk_aio_client_factory: Any) -> None:
    clients = [await zk_aio_client_factory() for _ in range(3)]
    await clients[0].create("/counter", b"0")
    locks = [Lock(zk, "/mx", f"c{i}") for i, zk in enumerate(clients)]
    work = (_increment_under(lock, zk, 8) for lock, zk in zip(locks, clients, strict=True))
    await asyncio.wait_for(asyncio.gather(*work), 60)
    assert (await clients[0].get("/counter"))[0] == b"24"
    assert await _children(clients[0], "/mx") == []


async def test_factories_and_lock_state(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    lock = zk.Lock("/state", "me")
    assert isinstance(lock, Lock) and isinstance(zk.ReadLock("/rw"), ReadLock)
    assert isinstance(zk.WriteLock("/rw"), WriteLock) and isinstance(zk.Election("/e"), Election)
    assert not lock.is_acquired and lock.fencing_token is None
    assert await lock.acquire(timeout=WAIT) is True
    assert lock.is_acquired and lock.node is not None and lock.node.startswith(lock.prefix)
    stat = await zk.exists(f"/state/{lock.node}")
    assert stat is not None and lock.fencing_token == stat.czxid
    assert await lock.contenders() == ["me"]
    await zk.create("/fenced", b"0")
    await lock.fenced_set("/fenced", b"1")
    assert (await zk.get("/fenced"))[0] == b"1"
    assert await lock.release() is True
    assert await lock.release() is False
    with pytest.raises(exc.LockNotHeldError):
        await lock.fenced_set("/fenced", b"2")
    assert await _children(zk, "/state") == []


@pytest.mark.parametrize("zk_handler_name", ["threading"])  # the sync side runs in executor threads
async def test_sync_and_async_clients_exclude_each_other(zk_client_factory: Any,
                                                          zk_aio_client_factory: Any) -> None:
    sync_zk = zk_client_factory()
    zk = await zk_aio_client_factory()
    loop = asyncio.get_running_loop()
    alock, slock = Lock(zk, "/both", "async"), SyncLock(sync_zk, "/both", "sync")
    assert await alock.acquire(timeout=WAIT)
    assert await loop.run_in_executor(None, lambda: slock.acquire(blocking=False)) is False
    waiting = loop.run_in_executor(None, lambda: slock.acquire(timeout=WAIT))
    await _queued(zk, "/both", 2)
    assert await alock.contenders() == ["async", "sync"]  # one layout: each sees the other's node
    await alock.release()
    assert await asyncio.wait_for(waiting, WAIT) is True
    assert await alock.acquire(blocking=False) is False
    assert await _children(zk, "/both") == [slock.node]
    await loop.run_in_executor(None, slock.release)
    # And a shared counter, incremented from both sides under the lock.
    await zk.create("/counter", b"0")

    def sync_increments() -> None:
        for _ in range(8):
            with slock:
                data, _stat = sync_zk.get("/counter")
                sync_zk.set("/counter", str(int(data) + 1).encode())

    sync_side = loop.run_in_executor(None, sync_increments)
    await asyncio.wait_for(asyncio.gather(_increment_under(alock, zk, 8), sync_side), 60)
    assert (await zk.get("/counter"))[0] == b"16"
    assert await _children(zk, "/both") == []


async def test_read_write_exclusion(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    r1, r2, w = ReadLock(a, "/rw"), ReadLock(b, "/rw"), WriteLock(b, "/rw")
    assert await r1.acquire(timeout=WAIT) and await r2.acquire(timeout=WAIT)  # readers share
    assert await w.acquire(blocking=False) is False
    writing = asyncio.ensure_future(w.acquire(timeout=WAIT))
    await _queued(a, "/rw", 3)
    await r1.release()
    await asyncio.sleep(0.2)
    assert not writing.done()  # still one reader ahead
    await r2.release()
    assert await asyncio.wait_for(writing, WAIT) is True
    r3 = ReadLock(a, "/rw")
    assert await r3.acquire(blocking=False) is False  # a writer holds it
    reading = asyncio.ensure_future(r3.acquire(timeout=WAIT))
    await _queued(a, "/rw", 2)
    await w.release()
    assert await asyncio.wait_for(reading, WAIT) is True
    await r3.release()
    assert await _children(a, "/rw") == []


# ------------------------------------------------------------------ cancellation


async def _holder_and_waiter(zk_aio_client_factory: Any, path: str) -> tuple[AsyncZkClient, Lock, Lock]:
    observer, victim = await zk_aio_client_factory(), await zk_aio_client_factory()
    holder = Lock(observer, path, "holder")
    assert await holder.acquire(timeout=WAIT)
    return observer, holder, Lock(victim, path, "waiter")


async def _only_holder_left(observer: AsyncZkClient, holder: Lock, waiter: Lock) -> None:
    assert await _children(observer, holder.path) == [holder.node]  # at once: no orphan
    assert not waiter.is_acquired and waiter.node is None
    await holder.release()
    assert await _children(observer, holder.path) == []


CANCEL_WAYS = ["task_cancel", "asyncio_timeout", "wait_for", "own_timeout", "cancel_method"]


@pytest.mark.parametrize("how", CANCEL_WAYS)
async def test_cancelled_acquire_leaves_no_node(how: str, zk_aio_client_factory: Any) -> None:
    observer, holder, waiter = await _holder_and_waiter(zk_aio_client_factory, f"/cancel-{how}")
    if how == "task_cancel":
        task = asyncio.ensure_future(waiter.acquire())
        await _queued(observer, holder.path, 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    elif how == "asyncio_timeout":
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1.0):
                await waiter.acquire()
    elif how == "wait_for":
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(waiter.acquire(), 1.0)
    elif how == "own_timeout":
        with pytest.raises(exc.LockTimeout):
            await waiter.acquire(timeout=1.0)
    else:
        task = asyncio.ensure_future(waiter.acquire())
        await _queued(observer, holder.path, 2)
        waiter.cancel()
        with pytest.raises(exc.CancelledError):
            await asyncio.wait_for(task, WAIT)
    await _only_holder_left(observer, holder, waiter)
    # The object is usable again afterwards.
    assert await waiter.acquire(timeout=WAIT) is True
    await waiter.release()


async def test_cancel_while_the_create_is_in_flight(fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    observer = await zk_aio_client_factory()
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=15.0)
    lock = Lock(victim, "/inflight")
    assert await lock.acquire(timeout=WAIT)  # the lock path exists from here on
    await lock.release()
    before = await observer.exists("/inflight")
    assert before is not None
    fault_proxy.stall()  # the create is sent, but held by the proxy: no reply yet
    task = asyncio.ensure_future(lock.acquire())
    await asyncio.sleep(0.3)
    assert not task.done()
    task.cancel()
    await asyncio.sleep(0.3)
    fault_proxy.resume()  # the create is applied now, then the clean-up's listing and delete
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, WAIT)
    assert await _children(observer, "/inflight") == []
    after = await observer.exists("/inflight")
    assert after is not None
    assert after.cversion == before.cversion + 2  # the in-flight create did happen, and was deleted
    assert not lock.is_acquired and victim.connected


async def test_timed_out_while_disconnected_cleans_up_after_reconnect(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    observer = await zk_aio_client_factory()
    holder = Lock(observer, "/td", "holder")
    assert await holder.acquire(timeout=WAIT)
    victim = await zk_aio_client_factory(fault_proxy.hosts, timeout=15.0)
    waiter = Lock(victim, "/td", "waiter")
    task = asyncio.ensure_future(waiter.acquire(timeout=3.0))
    await _queued(observer, "/td", 2)
    fault_proxy.drop()
    with pytest.raises(exc.LockTimeout):
        await asyncio.wait_for(task, WAIT)
    assert len(await _children(observer, "/td")) == 2  # not deletable while disconnected
    fault_proxy.resume()

    async def cleaned() -> bool:
        return await _children(observer, "/td") == [holder.node]

    await _until(cleaned, message="the timed-out node deleted after the reconnect")
    await holder.release()


# ------------------------------------------------------------------ session loss and fencing


async def test_on_lost_after_real_expiry_and_fenced_write_refused(
        zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk, observer = await zk_aio_client_factory(), await zk_aio_client_factory()
    await observer.create("/guarded", b"0")
    lost = asyncio.Event()
    seen: list[Any] = []

    async def on_lost(lock: Lock) -> None:
        seen.append(lock)
        await asyncio.sleep(0)  # a coroutine callback is awaited
        lost.set()

    lock = Lock(zk, "/expiring", on_lost=on_lost)
    assert await lock.acquire(timeout=WAIT)
    stale = lock.fenced_transaction()  # built while held, committed after the session is gone
    stale.set_data("/guarded", b"stale")
    assert zk.client_id is not None
    session_id, password = zk.client_id
    states = zk.states()
    await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, (session_id, password))
    await asyncio.wait_for(lost.wait(), WAIT)
    assert seen == [lock] and not lock.is_acquired and lock.fencing_token is None
    with pytest.raises(exc.LockLostError):
        await lock.fenced_set("/guarded", b"late")

    async def connected() -> bool:
        async for state in states:
            if state is ZkState.CONNECTED:
                return True
        return False

    assert await asyncio.wait_for(connected(), WAIT)
    results = await stale.commit()
    assert isinstance(results[0], exc.NoNodeError)
    assert (await observer.get("/guarded"))[0] == b"0"  # nothing was written
    assert await _children(observer, "/expiring") == []
    assert await lock.acquire(timeout=WAIT)  # a new holder in the new session
    await lock.release()


# ------------------------------------------------------------------ election


async def test_election_hands_over_when_the_leader_task_is_cancelled(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    first, second = Election(a, "/elect", "a"), Election(b, "/elect", "b")
    leading: list[str] = []
    a_leads = asyncio.Event()

    async def lead_forever(name: str) -> None:
        leading.append(name)
        a_leads.set()
        await asyncio.Event().wait()

    b_leads = asyncio.Event()
    a_task = asyncio.ensure_future(first.run(lead_forever, "a"))
    await asyncio.wait_for(a_leads.wait(), WAIT)
    assert first.is_leader
    b_task = asyncio.ensure_future(second.run(b_leads.set))  # a plain function works too
    await _queued(a, "/elect", 2)
    assert await first.contenders() == ["a", "b"]
    assert not b_leads.is_set()
    a_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await a_task
    assert not first.is_leader and first.leadership_lost.is_set()
    await asyncio.wait_for(b_leads.wait(), WAIT)
    await asyncio.wait_for(b_task, WAIT)
    assert leading == ["a"] and await _children(a, "/elect") == []


async def test_election_hands_over_when_the_leader_client_stops(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    first, second = Election(a, "/elect2", "a"), Election(b, "/elect2", "b")
    a_leads, b_leads = asyncio.Event(), asyncio.Event()

    async def lead_until_lost(election: Election, flag: asyncio.Event) -> None:
        flag.set()
        await election.leadership_lost.wait()

    a_task = asyncio.ensure_future(first.run(lead_until_lost, first, a_leads))
    await asyncio.wait_for(a_leads.wait(), WAIT)
    b_task = asyncio.ensure_future(second.run(lead_until_lost, second, b_leads))
    await _queued(b, "/elect2", 2)
    await a.stop()  # the session ends: a's node goes, LOST ends a's leadership
    await asyncio.wait_for(a_task, WAIT)
    await asyncio.wait_for(b_leads.wait(), WAIT)
    assert second.is_leader and not first.is_leader
    second.cancel()  # does not interrupt a running leader
    assert second.is_leader
    b_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await b_task
    assert await _children(b, "/elect2") == []


async def test_election_cancel_before_winning(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    holder = Election(a, "/elect3", "a")
    started, holding = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        holding.set()
        await asyncio.Event().wait()

    leader = asyncio.ensure_future(holder.run(hold))
    await asyncio.wait_for(holding.wait(), WAIT)  # the holder leads before the waiter queues
    waiter = Election(b, "/elect3", "b")
    waiting = asyncio.ensure_future(waiter.run(started.set))
    await _queued(a, "/elect3", 2)
    waiter.cancel()
    assert await asyncio.wait_for(waiting, WAIT) is None
    assert not started.is_set() and waiter.leadership_lost.is_set()
    assert len(await _children(a, "/elect3")) == 1
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader


# ------------------------------------------------------------------ semaphore


async def test_semaphore_leases_and_cancelled_acquire(zk_aio_client_factory: Any) -> None:
    clients = [await zk_aio_client_factory() for _ in range(3)]
    sems = [Semaphore(zk, "/sem", f"s{i}", max_leases=2) for i, zk in enumerate(clients)]
    assert await sems[0].acquire(timeout=WAIT) and await sems[1].acquire(timeout=WAIT)
    assert sorted(await sems[0].lease_holders()) == ["s0", "s1"]
    assert await sems[2].acquire(blocking=False) is False
    waiting = asyncio.ensure_future(sems[2].acquire())
    await asyncio.sleep(0.3)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert len(await _children(clients[0], "/sem")) == 2  # no lease node of the cancelled one
    assert await _children(clients[0], "/sem-__lock__") == []  # nor a gate contender
    with pytest.raises(exc.LockTimeout):
        await sems[2].acquire(timeout=0.5)
    assert len(await _children(clients[0], "/sem")) == 2
    taking = asyncio.ensure_future(sems[2].acquire(timeout=WAIT))
    await asyncio.sleep(0.2)
    await sems[0].release()
    assert await asyncio.wait_for(taking, WAIT) is True
    assert sorted(await sems[0].lease_holders()) == ["s1", "s2"]
    for sem in sems[1:]:
        await sem.release()
    assert await _children(clients[0], "/sem") == []
