"""Contending workers of the chaos scenarios (threads, each with its own ZkClient behind its own proxy).

A worker loops: acquire its recipe object, make a few fenced writes (each one
transaction: the recipe's fence, optionally the shared counter set to the value
read + 1 *unconditionally* — so only the fence keeps updates from being lost —
and a uniquely named history node recording it), release. It records what it
was told about every write (:class:`~_chaos_history.Outcomes`), when its
session was LOST (and whether it held its recipe then), and when ``on_lost``
told it so. Nothing here decides a verdict; see ``_chaos_history``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from _chaos_history import Outcomes, record_data

from zkrecipes import ZkClient, ZkState
from zkrecipes.exceptions import LockNotHeldError, LockTimeout, NoNodeError, ZkException
from zkrecipes.recipes.lock import Lock
from zkrecipes.recipes.semaphore import Semaphore
from zkrecipes.testing.proxy import FaultProxy

OK, REFUSED, UNKNOWN, TOLD, FAILED = "ok", "refused", "unknown", "told", "failed"


class Fenced(Protocol):
    """What a worker needs of its recipe object."""

    kind: str

    def acquire(self, timeout: float) -> bool: ...
    def release(self) -> object: ...
    @property
    def held(self) -> bool: ...
    @property
    def token(self) -> int | None: ...
    def transaction(self) -> Any: ...
    def node_path(self) -> str | None: ...


class LockFenced:
    """A Lock (or ReadLock/WriteLock): fenced by :meth:`Lock.fenced_transaction`."""

    def __init__(self, lock: Lock, kind: str = "w") -> None:
        self.lock, self.kind = lock, kind

    def acquire(self, timeout: float) -> bool:
        return self.lock.acquire(timeout=timeout)

    def release(self) -> object:
        return self.lock.release()

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


class SemaphoreFenced:
    """A Semaphore lease: fenced by a check of the holder's own lease node (no token)."""

    kind = "w"

    def __init__(self, semaphore: Semaphore) -> None:
        self.semaphore = semaphore

    def acquire(self, timeout: float) -> bool:
        return self.semaphore.acquire(timeout=timeout)

    def release(self) -> object:
        return self.semaphore.release()

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


@dataclass
class Paths:
    """The nodes of one scenario under ``base``."""

    base: str

    @property
    def lock(self) -> str:
        return f"{self.base}/lock"

    @property
    def counter(self) -> str:
        return f"{self.base}/counter"

    @property
    def history(self) -> str:
        return f"{self.base}/history"

    @property
    def marker(self) -> str:
        return f"{self.base}/faults"


@dataclass
class Worker:
    """One contender: a thread, its client, its proxy, its recipe object and its records."""

    name: str
    client: ZkClient
    proxy: FaultProxy | None
    paths: Paths
    rng: random.Random
    use_counter: bool = True
    writes_per_hold: tuple[int, int] = (1, 3)
    acquire_timeout: float = 10.0
    recipe: Fenced | None = None
    outcomes: Outcomes = field(default_factory=Outcomes)
    losts: list[tuple[float, bool]] = field(default_factory=list)  # (when, held then)
    told: list[float] = field(default_factory=list)  # on_lost calls
    refusals: list[float] = field(default_factory=list)  # fenced writes refused (the node was gone)
    holdings: int = 0  # holdings with at least one accepted write
    acquire_errors: dict[str, int] = field(default_factory=dict)
    failure: BaseException | None = None
    _seq: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.client.add_listener(self._on_state)

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            self.losts.append((time.monotonic(), self.recipe is not None and self.recipe.held))

    def on_lost(self, _recipe: object) -> None:
        """The recipe's on_lost callback."""
        self.told.append(time.monotonic())

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name=f"chaos-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise AssertionError(f"worker {self.name} did not stop in {timeout}s")

    def _main(self) -> None:
        try:
            while not self._stop.is_set():
                self.hold_once()
        except BaseException as exc:  # reported by the scenario
            self.failure = exc

    def hold_once(self) -> None:
        """Acquire, write a few times while held, release."""
        assert self.recipe is not None
        try:
            if not self.recipe.acquire(self.acquire_timeout):
                return
        except (LockTimeout, ZkException) as exc:
            key = type(exc).__name__
            self.acquire_errors[key] = self.acquire_errors.get(key, 0) + 1
            return
        try:
            self.work_while_held()
        finally:
            try:
                self.recipe.release()
            except ZkException:
                pass

    def work_while_held(self) -> None:
        """A few fenced writes as one holding (stops at the first refused or failed one)."""
        holding = f"{self.name}-h{self.holdings}-{self._seq}"
        wrote = False
        for _ in range(self.rng.randint(*self.writes_per_hold)):
            outcome = self.write(holding)
            if outcome in (FAILED, UNKNOWN) and self._ride_out():
                continue  # SUSPENDED and back with the session: still the holder, go on
            if outcome != OK:
                break
            wrote = True
        if wrote:
            self.holdings += 1

    def _ride_out(self) -> bool:
        """After a connection error while holding: wait (bounded) until connected or lost; True if still held.

        This is the Curator-style holder: it pauses while SUSPENDED and goes on if
        the session survived, so a session loss reaches it through ``on_lost``.
        """
        assert self.recipe is not None
        recipe = self.recipe
        deadline = time.monotonic() + self.acquire_timeout + 10.0
        while recipe.held and not self.client.connected and time.monotonic() < deadline:
            time.sleep(0.02)
        return recipe.held and self.client.connected

    def write(self, holding: str) -> str:
        """One fenced write; returns OK, REFUSED, UNKNOWN, TOLD or FAILED (a read failed first)."""
        assert self.recipe is not None
        name = f"{self.name}-{self._seq:07d}"
        self._seq += 1
        value: int | None = None
        if self.use_counter:
            try:
                data, _ = self.client.get(self.paths.counter)
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
            results = transaction.commit()
        except ZkException:  # ConnectionLoss, SessionExpired, closed: may or may not be applied
            self.outcomes.unknown.add(name)
            return UNKNOWN
        failed = [r for r in results if isinstance(r, Exception)]
        if failed:
            if isinstance(results[0], NoNodeError):  # the fence: our node is gone
                self.outcomes.refused.add(name)
                self.refusals.append(time.monotonic())
                return REFUSED
            raise AssertionError(f"{name}: unexpected transaction results {results!r}")
        self.outcomes.accepted.add(name)
        return OK


def make_client(hosts: str, session_timeout: float) -> ZkClient:
    """A started threading client (hosts in order, so a proxy listed first is used first)."""
    client = ZkClient(hosts, timeout=session_timeout, randomize_hosts=False)
    client.start(timeout=30)
    return client


def wait_for(predicate: Callable[[], bool], timeout: float, message: str, interval: float = 0.05) -> None:
    """Poll ``predicate`` until true; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")
        time.sleep(interval)
