"""The chaos scenarios on the asyncio front end: workers as tasks, each its own AsyncZkClient and proxy.

The same shape as ``_chaos_workers``/``_chaos_scenario``: a worker acquires
its asyncio recipe object (``zkrecipes.aio.recipes``), makes fenced writes with
a history node each, releases; the thread-based :class:`~_chaos_faults.Injector`
runs the faults (it only touches proxies, the admin client and plain
attributes of the workers); the verdicts are the same functions on the same
history. Blocking calls (the admin client) run off the loop when the workers run.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _chaos_faults import Injector
from _chaos_history import Outcomes, handoffs, max_overlap, read_history, reconcile, record_data
from _chaos_scenario import (
    Report,
    Scenario,
    deleted_holder_writes,
    settle_orphans,
    told_verdict,
)
from _chaos_workers import FAILED, OK, REFUSED, TOLD, UNKNOWN, Paths

from zkrecipes import ZkState
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.election import Election
from zkrecipes.aio.recipes.lock import Lock
from zkrecipes.aio.recipes.semaphore import Semaphore
from zkrecipes.exceptions import LockNotHeldError, LockTimeout, NoNodeError, ZkException
from zkrecipes.testing.proxy import FaultProxy


class AioLockFenced:
    def __init__(self, lock: Lock, kind: str = "w") -> None:
        self.lock, self.kind = lock, kind

    async def acquire(self, timeout: float) -> bool:
        return await self.lock.acquire(timeout=timeout)

    async def release(self) -> object:
        return await self.lock.release()

    @property
    def held(self) -> bool:
        return self.lock.is_acquired

    @property
    def token(self) -> int | None:
        return self.lock.fencing_token

    def transaction(self) -> Any:
        return self.lock.fenced_transaction()

    def node_path(self) -> str | None:
        node = self.lock.node
        return None if node is None else f"{self.lock.path}/{node}"


class AioSemaphoreFenced:
    kind = "w"

    def __init__(self, semaphore: Semaphore) -> None:
        self.semaphore = semaphore

    async def acquire(self, timeout: float) -> bool:
        return await self.semaphore.acquire(timeout=timeout)

    async def release(self) -> object:
        return await self.semaphore.release()

    @property
    def held(self) -> bool:
        return self.semaphore.is_acquired

    @property
    def token(self) -> int | None:
        return None

    def transaction(self) -> Any:
        if not self.semaphore.is_acquired:
            raise LockNotHeldError("lease not held")
        transaction = self.semaphore.client.transaction()
        transaction.check(self.semaphore.create_path, -1)
        return transaction

    def node_path(self) -> str | None:
        return self.semaphore.create_path if self.semaphore.is_acquired else None


class RecordingElection(Election):
    def __init__(self, client: AsyncZkClient, path: str, identifier: str,
                 told: Callable[[Any], None]) -> None:
        super().__init__(client, path, identifier)
        self._told = told

    def _on_lost(self, lock: Lock) -> None:
        super()._on_lost(lock)
        self._told(lock)


@dataclass
class AioWorker:
    name: str
    client: AsyncZkClient
    proxy: FaultProxy
    paths: Paths
    rng: random.Random
    use_counter: bool = True
    writes_per_hold: tuple[int, int] = (1, 3)
    acquire_timeout: float = 10.0
    recipe: Any = None
    election: RecordingElection | None = None
    outcomes: Outcomes = field(default_factory=Outcomes)
    losts: list[tuple[float, bool]] = field(default_factory=list)
    told: list[float] = field(default_factory=list)
    refusals: list[float] = field(default_factory=list)
    holdings: int = 0
    failure: BaseException | None = None
    _seq: int = 0

    def __post_init__(self) -> None:
        self.client.add_listener(self._on_state)

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            self.losts.append((time.monotonic(), self.recipe is not None and self.recipe.held))

    def on_lost(self, _recipe: object) -> None:
        self.told.append(time.monotonic())

    async def main(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                if self.election is not None:
                    await self.election.run(self.work_while_held)
                else:
                    await self.hold_once()
        except BaseException as exc:
            self.failure = exc
            raise

    async def hold_once(self) -> None:
        try:
            if not await self.recipe.acquire(self.acquire_timeout):
                return
        except (LockTimeout, ZkException):
            return
        try:
            await self.work_while_held()
        finally:
            try:
                await self.recipe.release()
            except ZkException:
                pass

    async def work_while_held(self) -> None:
        holding = f"{self.name}-h{self.holdings}-{self._seq}"
        wrote = False
        for _ in range(self.rng.randint(*self.writes_per_hold)):
            outcome = await self.write(holding)
            if outcome in (FAILED, UNKNOWN) and await self._ride_out():
                continue
            if outcome != OK:
                break
            wrote = True
        if wrote:
            self.holdings += 1

    async def _ride_out(self) -> bool:
        recipe = self.recipe
        deadline = time.monotonic() + self.acquire_timeout + 10.0
        while recipe.held and not self.client.connected and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return bool(recipe.held and self.client.connected)

    async def write(self, holding: str) -> str:
        name = f"{self.name}-{self._seq:07d}"
        self._seq += 1
        value: int | None = None
        if self.use_counter:
            try:
                data, _ = await self.client.get(self.paths.counter)
            except ZkException:
                return FAILED
            value = int(data or b"0") + 1
        token = self.recipe.token
        try:
            transaction = self.recipe.transaction()
        except LockNotHeldError:
            self.refusals.append(time.monotonic())
            return TOLD
        if value is not None:
            transaction.set_data(self.paths.counter, str(value).encode())
        transaction.create(f"{self.paths.history}/{name}",
                           record_data(holding, self.name, token, value, self.recipe.kind))
        try:
            results = await transaction.commit()
        except ZkException:
            self.outcomes.unknown.add(name)
            return UNKNOWN
        if any(isinstance(r, Exception) for r in results):
            if isinstance(results[0], NoNodeError):
                self.outcomes.refused.add(name)
                self.refusals.append(time.monotonic())
                return REFUSED
            raise AssertionError(f"{name}: unexpected transaction results {results!r}")
        self.outcomes.accepted.add(name)
        return OK


async def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.05)


def run_aio_scenario(s: Scenario, verdict: Callable[[list[Any], int | None], list[str]],
                     make_recipe: Callable[[AioWorker, int], Any]) -> Report:
    """:func:`_chaos_scenario.run_scenario` with asyncio workers (``s.make_recipe`` is unused)."""
    return asyncio.run(_run(s, verdict, make_recipe))


async def _run(s: Scenario, verdict: Callable[[list[Any], int | None], list[str]],
               make_recipe: Callable[[AioWorker, int], Any]) -> Report:
    rng = random.Random(s.seed)
    paths = Paths(s.base)
    admin = s.admin
    for path in (paths.lock, paths.history):
        admin.ensure_path(path)
    admin.create(paths.counter, b"0")
    report = Report(s.name, s.seed)
    proxies: list[FaultProxy] = []
    workers: list[AioWorker] = []
    tasks: list[asyncio.Task[None]] = []
    stop = asyncio.Event()
    started = time.monotonic()
    try:
        for index in range(s.workers):
            proxy = FaultProxy.in_front_of(s.hosts)
            proxies.append(proxy)
            client = AsyncZkClient(proxy.hosts, timeout=s.session_timeout, randomize_hosts=False)
            await client.start(timeout=30)
            worker = AioWorker(name=f"w{index}", client=client, proxy=proxy, paths=paths,
                               rng=random.Random(rng.random()), use_counter=s.use_counter,
                               writes_per_hold=s.writes_per_hold, acquire_timeout=5 * s.session_timeout)
            worker.recipe = make_recipe(worker, index)
            workers.append(worker)
        injector = Injector(workers, admin, s.hosts, paths, s.session_timeout,  # type: ignore[arg-type]
                            random.Random(rng.random()), kinds=s.kinds)
        tasks = [asyncio.create_task(w.main(stop)) for w in workers]
        injector.start()

        def done() -> bool:
            for worker in workers:
                if worker.failure is not None:
                    raise AssertionError(f"worker {worker.name} failed") from worker.failure
            progress = sum(w.holdings for w in workers)
            return progress >= s.handoff_target and len(injector.log) >= s.fault_target

        await _wait(done, s.deadline, f"{s.handoff_target} handoffs and {s.fault_target} faults")
        await asyncio.to_thread(injector.stop, s.session_timeout * 4 + 30)
        stop.set()
        for worker in workers:
            if worker.election is not None:
                worker.election.cancel()
        await asyncio.wait_for(asyncio.gather(*tasks), 5 * s.session_timeout + 60)
        for proxy in proxies:
            proxy.resume()
        for worker in workers:
            await _wait(lambda w=worker: w.client.connected, 60, f"{worker.name} reconnected")
        await asyncio.to_thread(settle_orphans, admin, [paths.lock, *s.orphan_paths], report)
        records = await asyncio.to_thread(read_history, admin, paths.history)
        counter = int(admin.get(paths.counter)[0] or b"0") if s.use_counter else None
        told = Outcomes()
        for worker in workers:
            told.merge(worker.outcomes)
        problems, report.unknown = reconcile(records, told)
        report.violations += problems + verdict(records, counter) + deleted_holder_writes(records, injector)
        told_verdict(report, workers, injector, s.session_timeout)  # type: ignore[arg-type]
        report.handoffs, report.writes, report.faults = handoffs(records), len(records), injector.counts()
        report.peak_overlap = max_overlap(records)
        for record in records:
            report.kinds[record.kind] = report.kinds.get(record.kind, 0) + 1
        report.seconds = round(time.monotonic() - started, 1)
        if report.handoffs < s.handoff_target:
            report.violations.append(f"progress: {report.handoffs} handoffs < {s.handoff_target}")
        return report
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for worker in workers:
            await worker.client.stop()
            worker.client.close()
        for proxy in proxies:
            proxy.close()
