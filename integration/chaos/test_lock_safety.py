"""Lock safety under faults (issue 16, scope 4): contending holders, fenced writes, the server's history.

N workers (threads, each its own client behind its own FaultProxy) take the
lock in turn and make fenced writes: the shared counter set to value + 1
*unconditionally* (only the fence can keep an update from being lost) plus a
history node, in one :meth:`Lock.fenced_transaction`. The injector runs the
whole single-server menu (``_chaos_faults``) at the current holder. Verdicts,
from the history: counter values 1..N in commit order (no lost update), every
holding's writes contiguous (no accepted write from an overlapping holder),
tokens strictly increasing in commit order, no write fenced by a deleted node
accepted after the deletion, every outcome the workers were told consistent
with the history (unknown outcomes reconciled and counted), every holder that
lost its session told by ``on_lost`` (within session timeout + 2 s of a
session-losing fault), no contender node left behind, and progress.
"""

from __future__ import annotations

from typing import Any

import pytest
from _chaos_history import check_exclusive
from _chaos_knobs import FAULT_RATIO, FAULTS, HANDOFF_RATIO, HANDOFFS, scaled_timeout, time_budget
from _chaos_scenario import Scenario, run_scenario
from _chaos_workers import LockFenced, Worker

from zkrecipes.recipes.lock import Lock

pytestmark = [pytest.mark.slow, pytest.mark.timeout(scaled_timeout(60, HANDOFF_RATIO, FAULT_RATIO))]


def _lock(worker: Worker, index: int) -> LockFenced:
    return LockFenced(Lock(worker.client, worker.paths.lock, worker.name, on_lost=worker.on_lost))


def test_lock_holders_never_overlap_under_faults(chaos_server: Any, chaos_admin: Any, chaos_base: str,
                                                 chaos_seed: int) -> None:
    scenario = Scenario(
        name="lock", hosts=chaos_server.hosts, session_timeout=chaos_server.session_timeout,
        admin=chaos_admin, base=chaos_base, seed=chaos_seed, workers=4, make_recipe=_lock,
        handoff_target=HANDOFFS, fault_target=FAULTS,
        deadline=time_budget(FAULTS, 4 * chaos_server.session_timeout, 120.0) + HANDOFFS * 0.2,
    )
    report = run_scenario(scenario, check_exclusive)
    report.emit()
    assert not report.violations, report.violations
    assert report.faults and sum(report.faults.values()) >= FAULTS
