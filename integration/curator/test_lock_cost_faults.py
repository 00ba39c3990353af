"""What an uncontended acquire + release of each lock-like Curator recipe costs, counted by requests.

Issue 12 §5: two fsynced writes (create, delete) and two round trips — the
create and the first listing pipelined, the release one delete. Counted from
the client's request hook (``add_observer``), not timed. That the listing is
sent *before* the create's reply is proven with the FaultProxy: the server's
replies are held back until both requests have been submitted.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from _curator_helpers import run_in_thread
from _lock_kinds import make
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.proxy import FaultProxy

WAIT = 30.0
WRITES = {"create", "create2", "delete", "setData", "multi"}


class Requests:
    """The operations submitted and answered (pings left out), in order."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.ended: list[str] = []
        self._lock = threading.Lock()

    def on_request_start(self, start: Any) -> None:
        if start.operation != "ping":
            with self._lock:
                self.started.append(start.operation)

    def on_request(self, event: Any, token: object) -> None:
        if event.operation != "ping":
            with self._lock:
                self.ended.append(event.operation)


@pytest.mark.parametrize("kind", ["mutex", "read", "write", "lease", "semaphore_mutex"])
def test_uncontended_cycle_is_two_writes_in_two_round_trips(
        kind: str, fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory) -> None:
    # Plain persistent parents: containers could vanish between cycles and add their creates.
    zk_client.ensure_path("/cost/leases" if kind in ("lease", "semaphore_mutex") else "/cost")
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    held = make(kind, victim, "/cost")
    requests = Requests()
    victim.add_observer(requests)
    (connection,) = fault_proxy.connection_ids()
    fault_proxy.stall_replies(connection)
    seen: list[tuple[list[str], list[str]]] = []

    def release_the_replies() -> None:  # once both requests are out, with no reply back yet
        wait_until(zk_client, lambda: len(requests.started) >= 2, message="the create and the listing sent")
        seen.append((list(requests.started), list(requests.ended)))
        fault_proxy.resume(connection)

    thread, _out = run_in_thread(release_the_replies)
    assert held.acquire(WAIT) is not None  # the holding thread releases (a mutex is per thread)
    thread.join(WAIT)
    assert seen == [(["create2", "getChildren"], [])]  # pipelined: one round trip
    held.release()
    assert requests.started == ["create2", "getChildren", "delete"]
    assert sum(operation in WRITES for operation in requests.started) == 2
    assert zk_client.get_children("/cost/leases" if kind in ("lease", "semaphore_mutex") else "/cost") == []
