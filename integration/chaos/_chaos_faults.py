"""The fault injector of the chaos scenarios: faults from the menu, aimed at the current holder.

Kinds (single server, each worker behind its own FaultProxy):

* ``drop`` — the holder's connections closed (it reconnects; the session lives);
* ``stall_expire`` — the holder's proxy holds every byte for session timeout +
  0.6 s (the server expires the session; the client finds out);
* ``expire`` — the holder's session closed for real from outside
  (:func:`zkrecipes.testing.expiry.expire_session`);
* ``delete_holder`` — another client deletes the holder's lock node (in a
  transaction that also bumps a marker node, so the deletion's zxid is known);
* ``stall_replies`` — requests reach the server, replies are held for half the
  session timeout, then the connection drops with them (lost replies).

Every fault is logged as a :class:`Fault`; the scenario's verdicts use the log.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from _chaos_workers import Paths, Worker

from zkrecipes.exceptions import ZkException
from zkrecipes.testing.expiry import expire_session

SESSION_LOSING = ("stall_expire", "expire", "partition")
MENU = ("drop", "stall_expire", "expire", "delete_holder", "stall_replies")


@dataclass
class Fault:
    kind: str
    target: str
    start: float
    held: bool = False  # the target held its recipe when the fault began
    end: float = 0.0
    deleted_token: int | None = None  # delete_holder: the czxid of the node deleted
    deleted_zxid: int | None = None  # delete_holder: the zxid of the deletion


@dataclass
class Injector:
    """Runs faults from ``kinds`` on ``workers`` until told to stop (a thread)."""

    workers: Sequence[Worker]
    admin: Any
    server_hosts: str
    paths: Paths
    session_timeout: float
    rng: random.Random
    kinds: Sequence[str] = MENU
    gap: tuple[float, float] = (0.2, 0.8)
    extra: dict[str, Callable[[Worker], Fault | None]] = field(default_factory=dict)
    log: list[Fault] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self.admin.ensure_path(self.paths.marker)
        self._thread = threading.Thread(target=self._main, name="chaos-injector", daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise AssertionError("fault injector did not stop")

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for fault in self.log:
            found[fault.kind] = found.get(fault.kind, 0) + 1
        return found

    def _main(self) -> None:
        while not self._stop.wait(self.rng.uniform(*self.gap)):
            kind = self.rng.choice(list(self.kinds))
            for _ in range(200):  # aim at the holder of the moment; retry while there is none
                if self._stop.is_set():
                    return
                target = self.holder()
                if target is None:
                    self._stop.wait(0.01)
                    continue
                try:
                    fault = self.inject(kind, target)
                except ZkException as exc:  # the admin client hit a fault of its own: try again
                    self.errors.append(f"{kind} on {target.name}: {exc!r}")
                    continue
                if fault is not None:
                    fault.end = time.monotonic()
                    self.log.append(fault)
                    break

    def holder(self) -> Worker | None:
        """A worker that holds its recipe object right now (the lock's holder, a lease holder), if any."""
        holding = [w for w in self.workers if w.recipe is not None and w.recipe.held]
        return self.rng.choice(holding) if holding else None

    def inject(self, kind: str, target: Worker) -> Fault | None:
        """Apply one fault to ``target``; None when it could not apply (nothing to aim at)."""
        fault = Fault(kind, target.name, time.monotonic(), target.recipe is not None and target.recipe.held)
        proxy = target.proxy
        if kind in self.extra:
            return self.extra[kind](target)
        if proxy is None:
            raise AssertionError(f"{kind} needs a proxy")
        if kind == "drop":
            proxy.close_connections()
        elif kind == "stall_expire":
            proxy.stall()
            time.sleep(self.session_timeout + 0.6)  # the fault's duration (not cut short by stop())
            proxy.resume()
        elif kind == "expire":
            client_id = target.client.client_id
            if client_id is None or not target.client.connected:
                return None
            expire_session(self.server_hosts, client_id)
        elif kind == "stall_replies":
            proxy.stall_replies()
            time.sleep(self.session_timeout / 2)  # the fault's duration
            proxy.close_connections()
            proxy.resume()
        elif kind == "delete_holder":
            return self._delete_holder(fault, target)
        else:
            raise AssertionError(f"unknown fault kind {kind!r}")
        return fault

    def _delete_holder(self, fault: Fault, target: Worker) -> Fault | None:
        recipe = target.recipe
        node = None if recipe is None or not recipe.held else recipe.node_path()
        if node is None:
            return None
        stat = self.admin.exists(node)
        if stat is None:
            return None
        transaction = self.admin.transaction()
        transaction.delete(node, stat.version)
        transaction.set_data(self.paths.marker, b"deleted " + node.encode())
        results = transaction.commit()
        if isinstance(results[0], Exception):
            return None
        fault.deleted_token = stat.czxid
        fault.deleted_zxid = results[1].mzxid
        return fault
