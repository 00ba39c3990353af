"""Lock safety on a 3-node ensemble (issue 16, scope 4): member and leader kills, a minority partition.

Three workers, each with three FaultProxies of its own (one per member, its
"home" member first in its hosts). Faults, aimed at the holder of the moment:

* ``kill_member`` — SIGKILL the member the holder's proxy leads to, restart it;
* ``kill_leader`` — SIGKILL the leader, restart it;
* ``partition`` — a minority partition: the holder's home member is frozen
  (SIGSTOP: it can reach no peer, its clients hang) and the holder's proxies to
  the two others are blackholed, for session timeout + tick + 1 s (so that the
  majority surely expires the session); then both heal.
  The majority expires the holder's session and elects the next holder; the
  holder must find out by its own timer (on_lost).

Verdicts as in ``test_lock_safety`` (the same history checks). Kept small in
CI (``ZKRECIPES_CHAOS_ENSEMBLE_FAULTS``, default 3): each restart costs seconds.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from _chaos_faults import Fault, Injector
from _chaos_history import Outcomes, check_exclusive, handoffs, read_history, reconcile
from _chaos_knobs import ENSEMBLE_FAULTS, scaled_timeout
from _chaos_scenario import SETTLE, Report, deleted_holder_writes, settle_orphans, told_verdict
from _chaos_workers import LockFenced, Paths, Worker, make_client, wait_for

from zkrecipes import ZkClient
from zkrecipes.recipes.lock import Lock
from zkrecipes.testing.proxy import FaultProxy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(scaled_timeout(100, ENSEMBLE_FAULTS / 3))]

SESSION_TIMEOUT = 2.0
KINDS = tuple(os.environ.get("ZKRECIPES_CHAOS_ENSEMBLE_KINDS", "kill_member,kill_leader,partition")
              .split(","))
TICK = 0.2  # the ensemble's tickTime: its session expiry runs in tick-sized buckets


@pytest.fixture(scope="module")
def fast_ensemble() -> Iterator[Any]:
    """A 3-member ensemble with a 200 ms tick (the shared ``zk_ensemble`` ticks at 2 s, so its
    smallest session timeout is 4 s and it expires sessions up to a tick late)."""
    from zkrecipes.exceptions import HarnessError
    from zkrecipes.testing.ensemble import ZooKeeperEnsemble

    ensemble = ZooKeeperEnsemble(3, tick_time=int(TICK * 1000))
    try:
        ensemble.start()
    except HarnessError as exc:
        pytest.skip(f"no local ZooKeeper ensemble: {exc}")
    try:
        yield ensemble
    finally:
        ensemble.stop()


class _EnsembleFaults:
    def __init__(self, ensemble: Any, proxies: dict[str, list[FaultProxy]], homes: dict[str, int]) -> None:
        self.ensemble, self.proxies, self.homes = ensemble, proxies, homes

    def _restart(self, index: int) -> None:
        self.ensemble.start_member(index, timeout=90)
        self.ensemble.wait_for_leader(timeout=90)

    @staticmethod
    def ensemble_pause(until: float) -> None:
        """The partition's duration (the fault itself, not a wait for an effect)."""
        time.sleep(max(0.0, until - _now()))

    def kill_member(self, target: Worker) -> Fault:
        fault = Fault("kill_member", target.name, _now(), target.recipe is not None and target.recipe.held)
        index = self.homes[target.name]
        self.ensemble.kill_member(index)
        self._restart(index)
        return fault

    def kill_leader(self, target: Worker) -> Fault:
        fault = Fault("kill_leader", target.name, _now(), target.recipe is not None and target.recipe.held)
        index = self.ensemble.wait_for_leader(timeout=60)
        self.ensemble.kill_member(index)
        self._restart(index)
        return fault

    def partition(self, target: Worker) -> Fault | None:
        index = self.homes[target.name]
        process = getattr(self.ensemble.member(index), "_proc", None)
        if process is None:  # not a local process (containers): no partition
            return None
        fault = Fault("partition", target.name, _now(), target.recipe is not None and target.recipe.held)
        others = [p for i, p in enumerate(self.proxies[target.name]) if i != index]
        os.kill(process.pid, signal.SIGSTOP)
        try:
            for proxy in others:
                proxy.blackhole()
            self.ensemble_pause(fault.start + SESSION_TIMEOUT + TICK + 1.0)
        finally:
            os.kill(process.pid, signal.SIGCONT)
            for proxy in others:
                proxy.resume()
        self.ensemble.wait_serving(timeout=90)
        return fault


def _now() -> float:
    return time.monotonic()


def test_lock_holders_never_overlap_on_an_ensemble(fast_ensemble: Any, chaos_seed: int) -> None:
    zk_ensemble = fast_ensemble
    rng = random.Random(chaos_seed)
    admin = ZkClient(zk_ensemble.hosts, timeout=10.0)
    admin.start(timeout=60)
    base = f"/chaos-ens-{rng.getrandbits(48):012x}"
    paths = Paths(base)
    for path in (paths.lock, paths.history):
        admin.ensure_path(path)
    admin.create(paths.counter, b"0")
    members = [zk_ensemble.member(i) for i in range(3)]
    proxies: dict[str, list[FaultProxy]] = {}
    homes: dict[str, int] = {}
    workers: list[Worker] = []
    report = Report("lock-ensemble", chaos_seed)
    started = time.monotonic()
    try:
        for index in range(3):
            name = f"w{index}"
            own = [FaultProxy("127.0.0.1", m.port) for m in members]
            proxies[name], homes[name] = own, index
            order = [own[index]] + [p for i, p in enumerate(own) if i != index]
            client = make_client(",".join(p.hosts for p in order), SESSION_TIMEOUT)
            worker = Worker(name=name, client=client, proxy=own[index], paths=paths,
                            rng=random.Random(rng.random()), acquire_timeout=5 * SESSION_TIMEOUT)
            worker.recipe = LockFenced(Lock(client, paths.lock, name, on_lost=worker.on_lost))
            workers.append(worker)
        faults = _EnsembleFaults(zk_ensemble, proxies, homes)
        injector = Injector(workers, admin, zk_ensemble.hosts, paths, SESSION_TIMEOUT,
                            random.Random(rng.random()), kinds=KINDS,
                            gap=(0.5, 1.5),
                            extra={"kill_member": faults.kill_member, "kill_leader": faults.kill_leader,
                                   "partition": faults.partition})
        for worker in workers:
            worker.start()
        injector.start()
        target = max(30, ENSEMBLE_FAULTS * 10)
        wait_for(lambda: len(injector.log) >= ENSEMBLE_FAULTS and sum(w.holdings for w in workers) >= target,
                 120 + ENSEMBLE_FAULTS * 60, "ensemble faults and handoffs", interval=0.2)
        injector.stop(120)
        for worker in workers:
            worker.stop(worker.acquire_timeout + 60)
        zk_ensemble.ensure_running(timeout=90)
        for worker in workers:
            wait_for(lambda w=worker: w.client.connected, SETTLE, f"{worker.name} reconnected")
        settle_orphans(admin, [paths.lock], report)
        records = read_history(admin, paths.history)
        told = Outcomes()
        for worker in workers:
            told.merge(worker.outcomes)
        problems, report.unknown = reconcile(records, told)
        report.violations += problems
        report.violations += check_exclusive(records, int(admin.get(paths.counter)[0] or b"0"))
        report.violations += deleted_holder_writes(records, injector)
        told_verdict(report, workers, injector, SESSION_TIMEOUT)
        report.handoffs, report.writes, report.faults = handoffs(records), len(records), injector.counts()
        report.seconds = round(time.monotonic() - started, 1)
        report.emit()
        assert not report.violations, report.violations
        assert report.handoffs >= target
    finally:
        for worker in workers:
            worker.client.stop()
            worker.client.close()
        for own in proxies.values():
            for proxy in own:
                proxy.close()
        try:
            admin.delete(base, recursive=True)
        finally:
            admin.stop()
            admin.close()
