"""Fencing on every lock-like Curator recipe: tokens, fenced writes, refusal after a real session loss.

Each kind (mutex, semaphore mutex, both read/write halves, a SemaphoreV2 lease,
a multi lock) must: give a fencing token that grows across holders; apply its
fenced writes while held; and after its session is expired **for real** (the
server closes it) have its fenced write refused — LockLostError, nothing
written — while the next holder's fenced write lands. A lost reply is settled
by the marker rule (applied once, reported as applied).
"""

from __future__ import annotations

import threading

import pytest
from _curator_helpers import run_in_thread
from _lock_kinds import KINDS, make
from _waits import wait_until

from zkrecipes import ZkClient, ZkState
from zkrecipes.exceptions import LockLostError, LockNotHeldError, NoNodeError
from zkrecipes.recipes.curator import InterProcessMultiLock, InterProcessMutex
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.expiry import expire_session
from zkrecipes.testing.proxy import FaultProxy

WAIT = 30.0


def _expire(victim: ZkClient, zk_hosts: str) -> None:
    """Expire ``victim``'s session on the server; return once it saw LOST."""
    lost = threading.Event()

    def listener(state: ZkState) -> None:
        if state == ZkState.LOST:
            lost.set()

    victim.add_listener(listener)
    client_id = victim.client_id
    assert client_id is not None
    expire_session(zk_hosts, client_id, timeout=WAIT)
    assert lost.wait(WAIT), "LOST on the victim"


@pytest.mark.parametrize("kind", KINDS)
def test_fenced_writes_while_held_refused_after_expiry_next_holder_writes(
        kind: str, zk_client: ZkClient, zk_client_factory: ClientFactory, zk_hosts: str) -> None:
    victim = zk_client_factory(timeout=10.0)
    zk_client.create("/target", b"0")
    first = make(kind, victim, "/fl")
    held = first.acquire(WAIT)
    assert held is not None
    token = held.fencing_token
    assert token is not None
    assert held.fenced_set("/target", b"1").version == 1
    assert held.fenced_create("/made", b"x") == "/made"
    held.fenced_delete("/made")
    assert zk_client.exists("/made") is None
    transaction = held.fenced_transaction()
    transaction.set_data("/target", b"2")
    assert not any(isinstance(result, Exception) for result in transaction.commit())
    assert zk_client.get("/target")[0] == b"2"

    _expire(victim, zk_hosts)
    second = make(kind, zk_client, "/fl")
    taken = second.acquire(WAIT)  # the expired holder's nodes are gone
    assert taken is not None
    with pytest.raises(LockLostError):
        held.fenced_set("/target", b"stale")
    with pytest.raises(LockLostError):
        held.fenced_create("/stale")
    assert zk_client.get("/target")[0] == b"2" and zk_client.exists("/stale") is None
    assert taken.fenced_set("/target", b"3").version == 3
    new_token = taken.fencing_token
    if kind == "multi":
        assert all(new > old for new, old in zip(new_token, token, strict=True))
    else:
        assert new_token > token
    second.release()
    first.release()  # the lost holder's release is quiet


def test_fenced_write_after_release_is_not_held(zk_client: ZkClient) -> None:
    mutex = InterProcessMutex(zk_client, "/nh")
    with pytest.raises(LockNotHeldError):
        mutex.fenced_set("/x", b"")
    assert mutex.acquire(WAIT)
    mutex.release()
    assert mutex.fencing_token is None
    with pytest.raises(LockNotHeldError):
        mutex.fenced_create("/x")


def test_multi_lock_fenced_write_is_refused_when_one_node_is_gone(zk_client: ZkClient) -> None:
    zk_client.create("/target", b"0")
    multi = InterProcessMultiLock(zk_client, ["/m/a", "/m/b"])
    assert multi.acquire(WAIT)
    tokens = multi.fencing_tokens
    assert tokens is not None and len(tokens) == 2
    (node_b,) = zk_client.get_children("/m/b")
    zk_client.delete(f"/m/b/{node_b}")  # as an expiry of that node would (an admin's delete)
    with pytest.raises(LockLostError):
        multi.fenced_set("/target", b"stale")
    assert zk_client.get("/target")[0] == b"0"
    multi.release()


def test_revocation_message_survives_a_fenced_write(zk_client: ZkClient) -> None:
    """The marker rewrites the node's own data: a revoke message written into it is kept."""
    from zkrecipes.recipes.curator import Revoker

    asked = threading.Event()

    class Listener:
        def revocation_requested(self, lock: object) -> None:
            asked.set()

    zk_client.create("/target", b"0")
    mutex = InterProcessMutex(zk_client, "/rv")
    mutex.make_revocable(Listener())
    assert mutex.acquire(WAIT)
    assert mutex.node is not None
    Revoker.attempt_revoke(zk_client, f"/rv/{mutex.node}")
    assert asked.wait(WAIT)
    assert mutex.fenced_set("/target", b"1").version == 1  # BadVersion on the marker: refreshed, resent
    assert zk_client.get(f"/rv/{mutex.node}")[0] == b"__REVOKE__"
    mutex.release()


@pytest.mark.parametrize("kind", ["mutex", "lease", "multi"])
def test_fenced_set_whose_reply_is_lost_is_settled_by_the_markers(
        kind: str, fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    zk_client.create("/target", b"0")
    held = make(kind, victim, "/lr").acquire(WAIT)
    assert held is not None
    (connection,) = fault_proxy.connection_ids()
    fault_proxy.stall_replies(connection)
    thread, out = run_in_thread(lambda: held.fenced_set("/target", b"1", version=0))
    wait_until(zk_client, lambda: zk_client.get("/target")[0] == b"1", message="the write applied")
    fault_proxy.close_connections()
    thread.join(WAIT)
    assert out and not isinstance(out[0], BaseException), out
    assert zk_client.exists("/target").version == 1  # applied once, reported as applied
    assert held.fenced_set("/target", b"2", version=1).version == 2  # the markers stay in step


def test_lease_fenced_write_after_close_is_not_held(zk_client: ZkClient) -> None:
    from zkrecipes.recipes.curator import InterProcessSemaphoreV2

    lease = InterProcessSemaphoreV2(zk_client, "/lc", 2).acquire(WAIT)
    assert lease is not None and lease.fencing_token is not None
    lease.close()
    assert lease.fencing_token is None
    with pytest.raises(LockNotHeldError):
        lease.fenced_set("/x", b"")
    with pytest.raises(NoNodeError):
        lease.get_data()
