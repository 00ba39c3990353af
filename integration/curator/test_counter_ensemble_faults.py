"""The counters across a killed ensemble member: our clients are on the member that is SIGKILLed.

A 3-member ensemble; our clients' hosts are the victim member then a survivor
(no shuffling): a sync client (SharedCount and DistributedAtomicLong) and an
asyncio one (DistributedAtomicLong, on the same node); a Curator peer counts
on the third member at the same time.
Our increments run without pause in a thread while the member is killed, so
a conditional write is in flight when its connection dies: the client fails
over to the survivor (the same session) and every lost reply is settled by
the read-back rules. Each of our increments is confirmed once or reported
:class:`~zkrecipes.exceptions.OutcomeUnknownError` (a Curator write moved the
node on meanwhile, so the read-back cannot tell): the totals seen by Curator
are exact within that account — never lost, never doubled.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from test_counter_faults import Tally, add_both

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import DistributedAtomicLong as AioAtomicLong
from zkrecipes.exceptions import OutcomeUnknownError
from zkrecipes.recipes.curator import DistributedAtomicLong, RetryNTimes, SharedCount
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorPeer, CuratorSession

SEGMENT = 5  # our increments of each counter before the kill, and again after it
CURATOR_ROUNDS = 30
WAIT = 60.0


@pytest.mark.ensemble
def test_counts_are_exact_across_a_killed_member(zk_ensemble: Any, zk_client_factory: ClientFactory,
                                                 curator_jvm: CuratorPeer, zk_chroot: str) -> None:
    victim_member = zk_ensemble.followers()[0]
    survivor, third = [index for index in range(3) if index != victim_member]
    admin = zk_ensemble.hosts
    victim = zk_client_factory(f"{zk_ensemble.hosts_of([victim_member])},{zk_ensemble.hosts_of([survivor])}",
                               admin_hosts=admin, randomize_hosts=False, timeout=10.0)
    observer = zk_client_factory(zk_ensemble.hosts_of([third]), admin_hosts=admin)
    curator = CuratorSession(curator_jvm)
    curator.connect(zk_ensemble.hosts_of([third]) + zk_chroot, session_timeout=10.0)
    try:
        count = SharedCount(victim, "/kc", 0)
        count.start()
        atomic = DistributedAtomicLong(victim, "/ka", RetryNTimes(1000, 1))
        tally = Tally()
        stop = threading.Event()
        reached = threading.Event()  # SEGMENT increments confirmed: time to kill
        failures: list[BaseException] = []

        def ours() -> None:
            try:
                while not stop.is_set() or tally.confirmed["atomic"] < 2 * SEGMENT:
                    add_both(tally, count, atomic, 1)
                    if tally.confirmed["atomic"] >= SEGMENT:
                        reached.set()
            except BaseException as error:  # reported to the test thread
                failures.append(error)
                reached.set()

        hosts = f"{zk_ensemble.hosts_of([victim_member])},{zk_ensemble.hosts_of([survivor])}{zk_chroot}"
        aio_tally = {"confirmed": 0, "unknown": 0}
        aio_reached = threading.Event()
        aio_session: list[Any] = []

        async def aio_increments() -> None:  # the asyncio front end on the same member and node
            client = AsyncZkClient(hosts, randomize_hosts=False, timeout=10.0)
            await client.start()
            aio_session.append(client.client_id)
            aio_atomic = AioAtomicLong(client, "/ka", RetryNTimes(1000, 1))
            try:
                while not stop.is_set() or aio_tally["confirmed"] < 2 * SEGMENT:
                    try:
                        if (await aio_atomic.increment()).succeeded():
                            aio_tally["confirmed"] += 1
                            if aio_tally["confirmed"] >= SEGMENT:
                                aio_reached.set()
                    except OutcomeUnknownError:
                        aio_tally["unknown"] += 1
                aio_session.append(client.client_id)
            finally:
                await client.stop()
                client.close()

        def aio_worker() -> None:
            try:
                asyncio.run(aio_increments())
            except BaseException as error:  # reported to the test thread
                failures.append(error)
                aio_reached.set()

        java_count = curator.peer.submit("count.add", 120.0, path="/kc", delta=1, n=CURATOR_ROUNDS, seed=0)
        java_atomic = curator.atomic_add_async("/ka", 1, CURATOR_ROUNDS)
        workers = [threading.Thread(target=ours, name="counter-increments", daemon=True),
                   threading.Thread(target=aio_worker, name="aio-counter-increments", daemon=True)]
        session = victim.client_id
        for worker in workers:
            worker.start()
        assert reached.wait(WAIT) and aio_reached.wait(WAIT) and failures == []
        zk_ensemble.kill_member(victim_member)  # with our increments in flight
        stop.set()
        for worker in workers:
            worker.join(WAIT)
            assert not worker.is_alive()
        assert failures == []
        assert len(aio_session) == 2 and aio_session[0] == aio_session[1]  # asyncio: the same session too
        java_count.result()
        java_atomic.result()
        assert victim.client_id == session  # failed over: the same session on the survivor

        final = curator.count_get("/kc")
        assert tally.within("count", final, CURATOR_ROUNDS), (final, tally.confirmed, tally.unknown)
        final_atomic = curator.atomic_get("/ka")  # Curator's, the sync and the asyncio increments
        low = CURATOR_ROUNDS + aio_tally["confirmed"] + tally.confirmed["atomic"]
        assert low <= final_atomic <= low + aio_tally["unknown"] + tally.unknown["atomic"], (
            final_atomic, tally.confirmed, tally.unknown, aio_tally)
        assert observer.get("/ka")[0] == final_atomic.to_bytes(8, "big", signed=True)
        count.close()
    finally:
        curator.disconnect()
