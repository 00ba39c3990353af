"""One chaos scenario: contending workers, a fault injector, then the verdicts from the history.

:func:`run_scenario` builds the workers (each its own client behind its own
FaultProxy), runs them with the injector until the handoff and fault targets
are both reached (a generous deadline turns a hang into a failure), stops
everything, waits for the contender nodes to go, reads the history and
returns a :class:`Report`: its ``violations`` must be empty.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from _chaos_faults import MENU, SESSION_LOSING, Injector
from _chaos_history import Outcomes, Record, handoffs, max_overlap, read_history, reconcile
from _chaos_workers import Fenced, Paths, Worker, make_client, wait_for

from zkrecipes.testing.proxy import FaultProxy

#: Bound for waits on the system settling after the run (nodes reaped, clients reconnected).
SETTLE = 60.0


@dataclass
class Report:
    """What a scenario measured; ``violations`` must be empty."""

    name: str
    seed: int
    handoffs: int = 0
    writes: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    told_latency_max: float = 0.0
    lost_while_held: int = 0
    untold: int = 0
    unexplained_losts: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)  # history writes by kind
    peak_overlap: int = 0  # most holdings whose write spans overlap at one zxid
    held_at_fault: dict[str, int] = field(default_factory=dict)  # faults that began on a holder, by kind
    violations: list[str] = field(default_factory=list)

    def emit(self) -> None:
        """Print the figures; append them to ``$ZKRECIPES_CHAOS_REPORT`` (a JSON-lines file) if set."""
        line = json.dumps(self.__dict__, sort_keys=True)
        print(f"chaos report: {line}")
        target = os.environ.get("ZKRECIPES_CHAOS_REPORT")
        if target:
            with open(target, "a", encoding="utf-8") as out:
                out.write(line + "\n")


@dataclass
class Scenario:
    """The parameters of one run."""

    name: str
    hosts: str
    session_timeout: float
    admin: Any
    base: str
    seed: int
    workers: int
    make_recipe: Callable[[Worker, int], Fenced]
    handoff_target: int
    fault_target: int
    kinds: Sequence[str] = MENU
    use_counter: bool = True
    writes_per_hold: tuple[int, int] = (1, 3)
    orphan_paths: Sequence[str] = ()
    deadline: float = 200.0
    make_worker: Callable[..., Worker] = Worker


def run_scenario(s: Scenario, verdict: Callable[[list[Record], int | None], list[str]]) -> Report:
    """Run ``s``; ``verdict(records, final_counter)`` adds the recipe's own safety checks."""
    rng = random.Random(s.seed)
    paths = Paths(s.base)
    admin = s.admin
    for path in (paths.lock, paths.history):
        admin.ensure_path(path)
    admin.create(paths.counter, b"0")
    report = Report(s.name, s.seed)
    proxies: list[FaultProxy] = []
    workers: list[Worker] = []
    started = time.monotonic()
    try:
        for index in range(s.workers):
            proxy = FaultProxy.in_front_of(s.hosts)
            proxies.append(proxy)
            worker = s.make_worker(name=f"w{index}", client=make_client(proxy.hosts, s.session_timeout),
                                   proxy=proxy, paths=paths, rng=random.Random(rng.random()),
                                   use_counter=s.use_counter, writes_per_hold=s.writes_per_hold,
                                   acquire_timeout=5 * s.session_timeout)
            worker.recipe = s.make_recipe(worker, index)
            workers.append(worker)
        injector = Injector(workers, admin, s.hosts, paths, s.session_timeout, random.Random(rng.random()),
                            kinds=s.kinds)
        for worker in workers:
            worker.start()
        injector.start()
        _progress(s, workers, injector, started)
        injector.stop(s.session_timeout * 4 + 30)
        for worker in workers:
            worker.stop(worker.acquire_timeout + 4 * s.session_timeout + 30)
        for proxy in proxies:
            proxy.resume()
        for worker in workers:
            wait_for(lambda w=worker: w.client.connected, SETTLE, f"{worker.name} reconnected")
        settle_orphans(admin, [paths.lock, *s.orphan_paths], report)
        records = read_history(admin, paths.history)
        counter = int(admin.get(paths.counter)[0] or b"0") if s.use_counter else None
        told = Outcomes()
        for worker in workers:
            told.merge(worker.outcomes)
        problems, report.unknown = reconcile(records, told)
        report.violations += problems
        report.violations += verdict(records, counter)
        report.violations += deleted_holder_writes(records, injector)
        told_verdict(report, workers, injector, s.session_timeout)
        report.handoffs = handoffs(records)
        report.writes = len(records)
        report.peak_overlap = max_overlap(records)
        for record in records:
            report.kinds[record.kind] = report.kinds.get(record.kind, 0) + 1
        report.faults = injector.counts()
        report.seconds = round(time.monotonic() - started, 1)
        if report.handoffs < s.handoff_target:
            report.violations.append(f"progress: {report.handoffs} handoffs < {s.handoff_target}")
        return report
    finally:
        for worker in workers:
            worker.client.stop()
            worker.client.close()
        for proxy in proxies:
            proxy.close()


def _progress(s: Scenario, workers: list[Worker], injector: Injector, started: float) -> None:
    def done() -> bool:
        for worker in workers:
            if worker.failure is not None:
                raise AssertionError(f"worker {worker.name} failed") from worker.failure
        return sum(w.holdings for w in workers) >= s.handoff_target and len(injector.log) >= s.fault_target

    wait_for(done, s.deadline, f"{s.handoff_target} handoffs and {s.fault_target} faults "
             f"(got {sum(w.holdings for w in workers)}, {len(injector.log)})", interval=0.2)


def settle_orphans(admin: Any, paths: Sequence[str], report: Report) -> None:
    """Every worker released and is connected: no contender node may stay behind (bounded wait)."""
    def leftovers() -> list[str]:
        found = []
        for path in paths:
            found += [f"{path}/{c}" for c in admin.retry(admin.get_children, path)]
        return found

    try:
        wait_for(lambda: not leftovers(), SETTLE, "the contender nodes to go")
    except AssertionError:
        report.violations.append(f"orphan contender nodes: {leftovers()}")


def deleted_holder_writes(records: list[Record], injector: Injector) -> list[str]:
    """No write fenced by a lock node is committed after that node was deleted."""
    problems = []
    for fault in injector.log:
        if fault.deleted_token is None or fault.deleted_zxid is None:
            continue
        late = [r.name for r in records if r.token == fault.deleted_token and r.czxid > fault.deleted_zxid]
        if late:
            problems.append(f"writes {late} accepted after their holder's node was deleted")
    return problems


def told_verdict(report: Report, workers: list[Worker], injector: Injector, timeout: float) -> None:
    """Every LOST while holding is followed by on_lost; session-losing faults are told in time."""
    for fault in injector.log:
        if fault.held:
            report.held_at_fault[fault.kind] = report.held_at_fault.get(fault.kind, 0) + 1
    for worker in workers:
        for when, held in worker.losts:
            if not held:
                continue
            report.lost_while_held += 1
            if not any(when <= t <= when + 5.0 for t in worker.told):
                report.untold += 1
                report.violations.append(f"{worker.name} lost its session at {when:.1f} while holding, "
                                         "on_lost never came")
        for told in worker.told:
            earlier = [f for f in injector.log if f.target == worker.name and f.start <= told]
            losing = [f for f in earlier if f.kind in SESSION_LOSING]
            if losing and told - losing[-1].start <= timeout + 2.0:
                latency = told - losing[-1].start
                report.told_latency_max = round(max(report.told_latency_max, latency), 2)
            elif losing and earlier[-1] is losing[-1]:
                late = told - losing[-1].start
                report.violations.append(f"{worker.name} told of its lost lock {late:.2f}s after "
                                         f"{losing[-1].kind} (> session timeout + 2 s)")
            else:  # no session-losing fault explains it (a loss the machine's load caused, say)
                report.unexplained_losts += 1
