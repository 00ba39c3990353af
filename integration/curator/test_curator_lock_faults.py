"""Faults for the lock-like Curator recipes on their own (issue 12, tests): stalls, member kill.

* a proxy stall shorter than the session: the lock is kept (``is_suspended``
  while the connection is down), its fenced writes land afterwards;
* a stall longer than the session: the server expires it, another holder
  takes over, and once the victim is back it sees LOST (``on_lost``) and its
  fenced write is refused;
* killing the ensemble member the holder is connected to: the session moves
  to another member, the lock is kept;
* mutual exclusion judged from the **server's** history: every holder makes
  fenced creates ``/hist/<token>-<n>`` while it holds; ordered by czxid, the
  writes of one token form one block and the tokens grow (a stale holder's
  writes are refused, so they cannot interleave).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from _curator_helpers import kids, run_in_thread
from _lock_kinds import make
from _waits import wait_until

from zkrecipes import ZkClient, ZkState
from zkrecipes.exceptions import LockLostError, ZkException
from zkrecipes.recipes.curator import InterProcessMutex
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.proxy import FaultProxy

WAIT = 30.0
SESSION = 4.0  # the test server's smallest session (tick 2 s)


def _parent(kind: str) -> str:
    return "/f/leases" if kind == "lease" else "/f"


class States:
    """The victim's session states, each with the mutex's ``is_suspended`` at that moment."""

    def __init__(self, client: ZkClient, recipe: Any) -> None:
        self.seen: list[tuple[ZkState, bool]] = []
        self._recipe = recipe
        client.add_listener(self._on_state)

    def _on_state(self, state: ZkState) -> None:
        self.seen.append((state, bool(getattr(self._recipe, "is_suspended", False))))

    def states(self) -> list[ZkState]:
        return [state for state, _ in self.seen]


@pytest.mark.parametrize("kind", ["mutex", "lease"])
def test_stall_shorter_than_the_session_keeps_the_lock(
        kind: str, fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory) -> None:
    zk_client.create("/target", b"0")
    victim = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    held = make(kind, victim, "/f")
    fenced = held.acquire(WAIT)
    assert fenced is not None
    states = States(victim, held.recipe)
    session = victim.client_id
    fault_proxy.stall(fault_proxy.connection_ids()[0])  # this connection only: the reconnect passes
    wait_until(zk_client, lambda: ZkState.CONNECTED in states.states(), message="suspended, then back")
    assert states.states()[0] == ZkState.SUSPENDED
    if kind == "mutex":
        assert states.seen[0] == (ZkState.SUSPENDED, True)  # is_suspended while the link was down
        assert not held.recipe.is_suspended and not held.recipe.is_lost
    assert victim.client_id == session and ZkState.LOST not in states.states()
    assert len(kids(zk_client, _parent(kind))) == 1  # kept
    assert fenced.fenced_set("/target", b"1").version == 1
    other = make(kind, zk_client, "/f")
    assert other.acquire(0.2) is None  # still ours
    held.release()
    assert other.acquire(WAIT) is not None
    other.release()


@pytest.mark.parametrize("kind", ["mutex", "lease"])
def test_stall_longer_than_the_session_loses_it_to_another_holder(
        kind: str, fault_proxy: FaultProxy, zk_client: ZkClient, zk_client_factory: ClientFactory) -> None:
    zk_client.create("/target", b"0")
    victim = zk_client_factory(fault_proxy.hosts, timeout=SESSION)
    lost = threading.Event()
    held = make(kind, victim, "/f")
    if kind == "mutex":
        held.recipe = InterProcessMutex(victim, "/f", on_lost=lambda mutex: lost.set())
    fenced = held.acquire(WAIT)
    assert fenced is not None
    states = States(victim, held.recipe)
    fault_proxy.stall()  # every connection, new ones too: the server expires the session
    other = make(kind, zk_client, "/f")
    taken = other.acquire(WAIT)  # once the server expired the victim's session
    assert taken is not None
    assert taken.fenced_set("/target", b"other").version == 1
    fault_proxy.resume()
    wait_until(zk_client, lambda: ZkState.LOST in states.states(), message="LOST on the victim")
    if kind == "mutex":
        assert lost.wait(WAIT) and held.recipe.is_lost
        assert (ZkState.SUSPENDED, True) in states.seen
    with pytest.raises(LockLostError):
        fenced.fenced_set("/target", b"stale")
    assert zk_client.get("/target")[0] == b"other"
    held.release()  # quiet after the loss
    other.release()


# ------------------------------------------------------------------ history


def _cycles(client: ZkClient, path: str, until: threading.Event, writes: int = 2) -> Callable[[], int]:
    """A contender loop: acquire, ``writes`` fenced creates, release; returns the cycles done."""

    def run() -> int:
        mutex = InterProcessMutex(client, path)
        done = 0
        while not until.is_set():
            try:
                if not mutex.acquire(2.0):
                    continue
            except ZkException:  # a connection error past the acquire's own retries: try again
                continue
            try:
                token = mutex.fencing_token
                for n in range(writes):
                    mutex.fenced_create(f"/hist/{token:020d}-{n}")
                done += 1
            except ZkException:  # refused (lost) or unknown: the history check judges
                pass
            finally:
                mutex.release()
        return done

    return run


def _check_history(zk: ZkClient) -> int:
    """Fenced writes ordered by czxid: one block per token, tokens increasing. Returns the holders."""
    names = zk.get_children("/hist")
    ordered = sorted(names, key=lambda name: zk.exists(f"/hist/{name}").czxid)
    tokens = [name.split("-")[0] for name in ordered]
    blocks: list[str] = []
    for token in tokens:
        if not blocks or blocks[-1] != token:
            blocks.append(token)
    assert len(blocks) == len(set(blocks)), f"interleaved holders: {tokens}"
    assert blocks == sorted(blocks), f"tokens not increasing in server order: {blocks}"
    return len(blocks)


def test_member_kill_under_the_holder_keeps_exclusion(
        zk_ensemble: Any, zk_client_factory: ClientFactory) -> None:
    hosts = zk_ensemble.hosts
    admin = zk_client_factory(hosts, admin_hosts=hosts, timeout=10.0)
    admin.ensure_path("/hist")
    clients = [zk_client_factory(hosts, admin_hosts=hosts, timeout=6.0) for _ in range(3)]
    servers: dict[int, str] = {}

    class Where:
        def __init__(self, index: int) -> None:
            self.index = index

        def on_request(self, event: Any, token: object) -> None:
            if event.server:
                servers[self.index] = event.server

    for index, client in enumerate(clients):
        client.add_observer(Where(index))
        client.exists("/hist")
    stop = threading.Event()
    workers = [run_in_thread(_cycles(client, "/mk", stop)) for client in clients]
    wait_until(admin, lambda: len(admin.get_children("/hist")) >= 6, message="a few holders")
    holder = InterProcessMutex(admin, "/mk")  # find who holds now, by node
    nodes = holder.get_participant_nodes()
    assert nodes
    owner = admin.exists(nodes[0])
    assert owner is not None
    sessions = [client.client_id[0] if client.client_id else 0 for client in clients]
    victim = sessions.index(owner.ephemeralOwner) if owner.ephemeralOwner in sessions else 0
    member = next(i for i in range(len(zk_ensemble)) if zk_ensemble.hosts_of([i]) == servers[victim])
    before = len(admin.get_children("/hist"))
    zk_ensemble.kill_member(member)
    try:
        # the admin may have been on the killed member too: its reads ride out the reconnect
        wait_until(admin, lambda: len(admin.retry(admin.get_children, "/hist")) >= before + 6, timeout=60,
                   message="holders after the kill")
    finally:
        stop.set()
        for thread, _ in workers:
            thread.join(WAIT)
        zk_ensemble.start_member(member, timeout=90)
    assert all(out and isinstance(out[0], int) for _, out in workers), [out for _, out in workers]
    assert _check_history(admin) >= 4
