"""Lock acquisition under connection faults (FaultProxy): no orphan or duplicate contender nodes."""

from __future__ import annotations

import os
from typing import Any

import pytest
from _helpers import WAIT, StateRecorder, background, contender_nodes, wait_until

from zkrecipes import ZkState
from zkrecipes.exceptions import LockTimeout
from zkrecipes.recipes.lock import Lock


def test_drop_while_waiting_keeps_one_node_and_acquires(fault_proxy: Any, zk_client_factory: Any) -> None:
    holder_client = zk_client_factory()
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    holder, waiter = Lock(holder_client, "/dw"), Lock(victim, "/dw")
    holder.acquire()
    pending = background(victim, lambda: waiter.acquire(timeout=WAIT))
    wait_until(holder_client, lambda: len(contender_nodes(holder_client, "/dw")) == 2, message="queued")
    states = StateRecorder(victim)
    fault_proxy.close_connections()
    states.wait_for(lambda s: ZkState.CONNECTED in s, message="victim reconnected")
    holder.release()
    assert pending.get(timeout=WAIT) is True
    assert len(contender_nodes(holder_client, "/dw")) == 1
    waiter.release()
    assert contender_nodes(holder_client, "/dw") == []


def test_timeout_while_disconnected_cleans_up_after_reconnect(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    holder_client = zk_client_factory()
    victim = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    holder, waiter = Lock(holder_client, "/td"), Lock(victim, "/td")
    holder.acquire()
    states = StateRecorder(victim)
    pending = background(victim, lambda: waiter.acquire(timeout=3.0))
    wait_until(holder_client, lambda: len(contender_nodes(holder_client, "/td")) == 2, message="queued")
    fault_proxy.drop()  # cut and refuse connections: SUSPENDED, the session lives on the server
    states.wait_for(lambda s: ZkState.SUSPENDED in s, message="SUSPENDED")
    with pytest.raises(LockTimeout):
        pending.get(timeout=WAIT)
    assert len(contender_nodes(holder_client, "/td")) == 2  # still there: it could not be deleted yet
    fault_proxy.resume()
    wait_until(holder_client, lambda: len(contender_nodes(holder_client, "/td")) == 1,
               message="the timed-out contender node deleted after reconnect")
    assert ZkState.LOST not in states.items
    holder.release()
    assert contender_nodes(holder_client, "/td") == []


@pytest.mark.slow
def test_repeated_drops_during_acquisition_leave_no_orphans(fault_proxy: Any, zk_client_factory: Any) -> None:
    observer = zk_client_factory()
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    # Soak length: ZKRECIPES_SOAK_ROUNDS (CI sets a bounded count) x 4 drops.
    rounds = 4 * int(os.environ.get("ZKRECIPES_SOAK_ROUNDS", "3"))
    for i in range(rounds):
        lock = Lock(victim, "/chaos", f"r{i}")
        pending = background(victim, lambda lock=lock: lock.acquire(timeout=WAIT))  # type: ignore[misc]
        # cut the connection at a different point of the acquisition each round
        victim.handler.sleep_func(0.002 * i)
        fault_proxy.close_connections()
        assert pending.get(timeout=WAIT) is True
        nodes = contender_nodes(observer, "/chaos")
        assert len(nodes) == 1, nodes  # no duplicate contender
        lock.release()
        wait_until(observer, lambda: contender_nodes(observer, "/chaos") == [],
                   message=f"no orphan after round {i}")


def test_suspended_holder_keeps_the_lock_and_knows_it(fault_proxy: Any, zk_client_factory: Any) -> None:
    victim, other = zk_client_factory(fault_proxy.hosts, timeout=15.0), zk_client_factory()
    lock = victim.Lock("/susp", "victim")
    assert isinstance(lock, Lock) and lock.acquire(timeout=WAIT)
    states = StateRecorder(victim)
    fault_proxy.drop()
    states.wait_for(lambda s: ZkState.SUSPENDED in s, message="SUSPENDED")
    wait_until(other, lambda: lock.is_suspended, message="lock.is_suspended")
    assert lock.is_acquired
    assert Lock(other, "/susp").acquire(blocking=False) is False  # the session still holds it
    fault_proxy.resume()
    states.wait_for(lambda s: ZkState.CONNECTED in s, message="reconnected")
    wait_until(other, lambda: not lock.is_suspended, message="not suspended")
    assert lock.is_acquired
    victim.create("/after", b"")
    lock.fenced_set("/after", b"still mine")
    assert other.get("/after")[0] == b"still mine"
    lock.release()
