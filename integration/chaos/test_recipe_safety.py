"""Semaphore, ReadLock/WriteLock and Election under faults (issue 16, scope 4), smaller than the lock's.

The same workers, injector and history as ``test_lock_safety``; each holding's
writes are fenced by the recipe's own node (a check of the lease node for the
Semaphore, ``fenced_transaction`` for the locks and the election's lock).
Verdicts from the history: a Semaphore never has more than ``max_leases``
holders whose write spans overlap; no writer's span overlaps a reader's or
another writer's; an Election has exactly one leader doing fenced work at a
time (counter 1..N, contiguous holdings, increasing tokens); plus the common
ones (outcomes reconciled, LOST holders told, no orphans, progress).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from _chaos_history import check_bounded, check_exclusive, check_readers_writers
from _chaos_knobs import FAULT_RATIO, FAULTS, HANDOFF_RATIO, HANDOFFS, scaled_timeout
from _chaos_scenario import Scenario, run_scenario
from _chaos_workers import LockFenced, SemaphoreFenced, Worker

from zkrecipes.recipes.election import Election
from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock
from zkrecipes.recipes.semaphore import Semaphore

pytestmark = [pytest.mark.slow, pytest.mark.timeout(scaled_timeout(40, HANDOFF_RATIO, FAULT_RATIO))]

SMALL_HANDOFFS = max(20, HANDOFFS // 5)
SMALL_FAULTS = max(5, FAULTS // 4)
MAX_LEASES = 2


def _scenario(name: str, server: Any, admin: Any, base: str, seed: int, **kwargs: Any) -> Scenario:
    return Scenario(name=name, hosts=server.hosts, session_timeout=server.session_timeout, admin=admin,
                    base=base, seed=seed, handoff_target=SMALL_HANDOFFS, fault_target=SMALL_FAULTS,
                    deadline=150.0 + SMALL_HANDOFFS * 0.3, **kwargs)


def test_semaphore_never_exceeds_max_leases_under_faults(chaos_server: Any, chaos_admin: Any, chaos_base: str,
                                                         chaos_seed: int) -> None:
    def semaphore(worker: Worker, index: int) -> SemaphoreFenced:
        return SemaphoreFenced(Semaphore(worker.client, worker.paths.lock, worker.name, max_leases=MAX_LEASES,
                                         on_lost=worker.on_lost))

    scenario = _scenario("semaphore", chaos_server, chaos_admin, chaos_base, chaos_seed, workers=4,
                         # holds of 4-8 writes: long enough that leases are shared in every run
                         make_recipe=semaphore, use_counter=False, writes_per_hold=(4, 8),
                         orphan_paths=[f"{chaos_base}/lock-__lock__"])
    report = run_scenario(scenario, lambda records, _counter: check_bounded(records, MAX_LEASES))
    report.emit()
    assert not report.violations, report.violations
    assert report.peak_overlap == MAX_LEASES, "leases were never shared: the scenario proved nothing"


def test_write_lock_excludes_readers_and_writers_under_faults(chaos_server: Any, chaos_admin: Any,
                                                              chaos_base: str, chaos_seed: int) -> None:
    def read_write(worker: Worker, index: int) -> LockFenced:
        kind, cls = ("write", WriteLock) if index % 3 == 0 else ("read", ReadLock)  # 2 writers, 3 readers
        return LockFenced(cls(worker.client, worker.paths.lock, worker.name, on_lost=worker.on_lost), kind)

    scenario = _scenario("read-write", chaos_server, chaos_admin, chaos_base, chaos_seed, workers=5,
                         make_recipe=read_write, use_counter=False, writes_per_hold=(4, 8))  # readers overlap
    report = run_scenario(scenario, lambda records, _counter: check_readers_writers(records))
    report.emit()
    assert not report.violations, report.violations
    assert report.kinds.get("read") and report.kinds.get("write"), report.kinds
    assert report.peak_overlap >= 2, "readers never shared the lock: the scenario proved nothing"



class _RecordingElection(Election):
    """An Election whose loss of leadership (LOST) is recorded like a lock's on_lost."""

    def __init__(self, client: Any, path: str, identifier: str, told: Any) -> None:
        super().__init__(client, path, identifier)
        self._told = told

    def _on_lost(self, lock: Lock) -> None:
        super()._on_lost(lock)
        self._told(lock)


@dataclass
class _ElectionWorker(Worker):
    """A contender that does its fenced work as the leader function of ``Election.run``."""

    election: _RecordingElection | None = None

    def hold_once(self) -> None:
        assert self.election is not None
        self.election.run(self.work_while_held)

    def stop(self, timeout: float) -> None:
        self._stop.set()
        if self.election is not None:
            self.election.cancel()
        super().stop(timeout)


def test_election_has_one_leader_doing_fenced_work_under_faults(chaos_server: Any, chaos_admin: Any,
                                                                chaos_base: str, chaos_seed: int) -> None:
    def election(worker: Worker, index: int) -> LockFenced:
        assert isinstance(worker, _ElectionWorker)
        worker.election = _RecordingElection(worker.client, worker.paths.lock, worker.name, worker.on_lost)
        return LockFenced(worker.election.lock)

    scenario = _scenario("election", chaos_server, chaos_admin, chaos_base, chaos_seed, workers=3,
                         make_recipe=election, make_worker=_ElectionWorker)
    report = run_scenario(scenario, check_exclusive)
    report.emit()
    assert not report.violations, report.violations
