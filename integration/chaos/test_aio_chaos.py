"""The chaos scenarios on the asyncio front end (issue 16, scope 4), in a reduced form.

Lock, Semaphore and Election from ``zkrecipes.aio.recipes``, each worker a task
with its own AsyncZkClient behind its own FaultProxy, the single-server fault
menu, the same history verdicts as the threaded scenarios (see
``test_lock_safety``/``test_recipe_safety``); and the watch-delivery cycles
(``test_watch_delivery``) with the asyncio streams. Counts: a fifth of the
threaded handoffs and cycles, a quarter of the faults.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from _chaos_aio import AioLockFenced, AioSemaphoreFenced, AioWorker, RecordingElection, run_aio_scenario
from _chaos_history import check_bounded, check_exclusive
from _chaos_knobs import CYCLES, FAULTS, HANDOFFS, scaled_timeout
from _chaos_scenario import Scenario
from _chaos_watch import MODES, emit, fault_begin, fault_end

from zkrecipes import AddWatchMode, EventType
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.lock import Lock
from zkrecipes.aio.recipes.semaphore import Semaphore
from zkrecipes.testing.proxy import FaultProxy

pytestmark = [pytest.mark.slow,
              pytest.mark.timeout(scaled_timeout(40, HANDOFFS / 300, FAULTS / 20, CYCLES / 50))]

AIO_HANDOFFS = max(30, HANDOFFS // 5)
AIO_FAULTS = max(5, FAULTS // 4)
AIO_CYCLES = max(10, CYCLES // 5)
WAIT = 30.0


def _scenario(name: str, server: Any, admin: Any, base: str, seed: int, **kwargs: Any) -> Scenario:
    return Scenario(name=name, hosts=server.hosts, session_timeout=server.session_timeout, admin=admin,
                    base=base, seed=seed, handoff_target=AIO_HANDOFFS, fault_target=AIO_FAULTS,
                    make_recipe=lambda worker, index: None, deadline=150.0 + AIO_HANDOFFS * 0.3, **kwargs)


def test_aio_lock_holders_never_overlap_under_faults(chaos_server: Any, chaos_admin: Any, chaos_base: str,
                                                     chaos_seed: int) -> None:
    def lock(worker: AioWorker, index: int) -> AioLockFenced:
        return AioLockFenced(Lock(worker.client, worker.paths.lock, worker.name, on_lost=worker.on_lost))

    report = run_aio_scenario(_scenario("aio-lock", chaos_server, chaos_admin, chaos_base, chaos_seed,
                                        workers=3), check_exclusive, lock)
    report.emit()
    assert not report.violations, report.violations


def test_aio_semaphore_never_exceeds_max_leases_under_faults(chaos_server: Any, chaos_admin: Any,
                                                             chaos_base: str, chaos_seed: int) -> None:
    def semaphore(worker: AioWorker, index: int) -> AioSemaphoreFenced:
        return AioSemaphoreFenced(Semaphore(worker.client, worker.paths.lock, worker.name, max_leases=2,
                                            on_lost=worker.on_lost))

    # Holds of 6-10 fenced writes: long enough, against the gate's round trips on one loop, that two
    # leases are held at once many times per run (2-4 writes once gave a CI run with no overlap).
    scenario = _scenario("aio-semaphore", chaos_server, chaos_admin, chaos_base, chaos_seed, workers=4,
                         use_counter=False, writes_per_hold=(6, 10),
                         orphan_paths=[f"{chaos_base}/lock-__lock__"])
    report = run_aio_scenario(scenario, lambda records, _counter: check_bounded(records, 2), semaphore)
    report.emit()
    assert not report.violations, report.violations
    assert report.peak_overlap == 2, "leases were never shared: the scenario proved nothing"


def test_aio_election_has_one_leader_doing_fenced_work_under_faults(chaos_server: Any, chaos_admin: Any,
                                                                    chaos_base: str, chaos_seed: int) -> None:
    def election(worker: AioWorker, index: int) -> AioLockFenced:
        worker.election = RecordingElection(worker.client, worker.paths.lock, worker.name, worker.on_lost)
        return AioLockFenced(worker.election.lock)

    report = run_aio_scenario(_scenario("aio-election", chaos_server, chaos_admin, chaos_base, chaos_seed,
                                        workers=3), check_exclusive, election)
    report.emit()
    assert not report.violations, report.violations


async def _stream_last(stream: Any, seen: list[Any]) -> None:
    async for item in stream:
        seen.append(item)


async def _until(predicate: Any, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not predicate():
        if asyncio.get_running_loop().time() >= deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("mode", MODES)
def test_aio_watches_are_delivered_across_reconnects(mode: str, chaos_server: Any, chaos_admin: Any,
                                                     chaos_base: str) -> None:
    admin, base = chaos_admin, chaos_base
    data_path, kids_path, pers_path = f"{base}/data", f"{base}/kids", f"{base}/pers"
    for path in (data_path, kids_path, pers_path):
        admin.create(path, b"")
    transaction = admin.transaction()
    for cycle in range(AIO_CYCLES):
        transaction.create(f"{base}/n{cycle}", b"")
    transaction.commit()

    async def main() -> None:
        with FaultProxy.in_front_of(chaos_server.hosts) as proxy:
            watcher = AsyncZkClient(proxy.hosts, timeout=chaos_server.session_timeout)
            await watcher.start(timeout=30)
            streams: list[asyncio.Task[None]] = []
            try:
                session = watcher.client_id
                data_seen: list[Any] = []
                kids_seen: list[Any] = []
                persistent: list[Any] = []
                streams = [asyncio.create_task(_stream_last(watcher.watch_data(data_path), data_seen)),
                           asyncio.create_task(_stream_last(watcher.watch_children(kids_path), kids_seen))]
                await watcher.add_watch(pers_path, persistent.append, AddWatchMode.PERSISTENT_RECURSIVE)
                one_shots: list[list[Any]] = []
                for cycle in range(AIO_CYCLES):
                    node = f"{base}/n{cycle}"
                    fired: list[Any] = []
                    one_shots.append(fired)
                    await watcher.get(node, watch=fired.append)
                    await asyncio.to_thread(fault_begin, proxy, mode)
                    admin.set(node, b"changed")
                    admin.set(data_path, str(cycle).encode())
                    admin.create(f"{kids_path}/k{cycle}", b"")
                    if cycle >= 2:
                        admin.delete(f"{kids_path}/k{cycle - 2}")
                    await asyncio.to_thread(fault_end, proxy, mode)
                    await _until(lambda f=fired: len(f) >= 1, f"cycle {cycle}'s one-shot watch")
                    want = sorted(f"k{c}" for c in range(max(0, cycle - 1), cycle + 1))
                    await _until(lambda c=cycle: bool(data_seen) and data_seen[-1].data == str(c).encode(),
                                 f"the data stream at cycle {cycle}")
                    await _until(lambda w=want: bool(kids_seen) and sorted(kids_seen[-1]) == w,
                                 f"the children stream at cycle {cycle}")
                    marker = f"{pers_path}/after-{cycle}"
                    await asyncio.to_thread(admin.create, marker, b"")
                    await _until(lambda m=marker: any(e.path == m for e in persistent),
                                 f"the persistent watch at cycle {cycle}")
                assert watcher.client_id == session, "a cycle expired the session"
                await watcher.get(f"{base}/n0")
                for cycle, fired in enumerate(one_shots):
                    assert len(fired) == 1, f"cycle {cycle}: one-shot watch fired {len(fired)} times"
                    assert fired[0].type == EventType.CHANGED
                emit("aio-watch", mode, AIO_CYCLES, sum(len(f) for f in one_shots), len(persistent))
            finally:
                for task in streams:
                    task.cancel()
                await asyncio.gather(*streams, return_exceptions=True)
                await watcher.stop()
                watcher.close()

    asyncio.run(main())
