"""Session loss with Curator and zkrecipes on one path: real expiry (from outside) of either side."""

from __future__ import annotations

import threading

from _curator_helpers import n_children
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import InterProcessMutex, LeaderLatch
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.expiry import expire_session
from zkrecipes.testing.proxy import FaultProxy


class Events:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def is_leader(self) -> None:
        self.seen.append("is_leader")

    def not_leader(self) -> None:
        self.seen.append("not_leader")


def test_curator_leader_expires_python_takes_over(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_hosts: str
) -> None:
    curator_peer.latch_start("java", "/el")
    assert curator_peer.latch_await("java", 10)
    latch = LeaderLatch(zk_client, "/el", "py")
    latch.start()
    wait_until(zk_client, lambda: n_children(zk_client, "/el") == 2, message="py's node")
    assert not latch.has_leadership()
    expire_session(zk_hosts, curator_peer.client_id())
    assert latch.await_leadership(20)
    # Curator comes back with a new session and a new node, behind us: one leader
    wait_until(zk_client, lambda: n_children(zk_client, "/el") == 2, message="Curator's new node")
    wait_until(zk_client, lambda: curator_peer.latch_state("java").leader == "py", message="Curator sees py")
    assert not curator_peer.latch_state("java").has_leadership
    assert latch.has_leadership()
    latch.close()
    assert curator_peer.latch_await("java", 10)


def test_python_leader_expires_curator_takes_over(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_hosts: str
) -> None:
    events = Events()
    latch = LeaderLatch(zk_client, "/el", "py")
    latch.add_listener(events)
    latch.start()
    assert latch.await_leadership(10)
    token = latch.fencing_token
    curator_peer.latch_start("java", "/el")
    wait_until(zk_client, lambda: n_children(zk_client, "/el") == 2, message="java's node")
    client_id = zk_client.client_id
    assert client_id is not None
    expire_session(zk_hosts, client_id)
    assert curator_peer.latch_await("java", 20)
    wait_until(zk_client, lambda: events.seen == ["is_leader", "not_leader"], message="not_leader")
    # our latch re-joined in the new session, behind Curator's
    wait_until(zk_client, lambda: latch.get_our_path() is not None
               and n_children(zk_client, "/el") == 2, message="py's new node")
    assert not latch.has_leadership() and latch.get_leader().id == "java"
    curator_peer.latch_close("java")
    assert latch.await_leadership(10)
    assert token is not None and latch.fencing_token is not None and latch.fencing_token > token
    latch.close()


def test_mutex_lost_with_its_session_is_reported_and_curator_gets_it(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_hosts: str
) -> None:
    lost = threading.Event()
    mutex = InterProcessMutex(zk_client, "/ml", on_lost=lambda m: lost.set())
    assert mutex.acquire(timeout=10)
    waiting = curator_peer.acquire_async("mutex", "c", "/ml", timeout=30)
    wait_until(zk_client, lambda: n_children(zk_client, "/ml") == 2, message="curator contender")
    client_id = zk_client.client_id
    assert client_id is not None
    expire_session(zk_hosts, client_id)
    assert waiting.result()["acquired"] is True
    assert lost.wait(30)
    assert mutex.is_lost and not mutex.is_acquired_in_this_process()
    mutex.release()  # the holder's own release after the loss is accepted (no error, nothing to delete)
    assert mutex.acquire(timeout=0.3) is False  # Curator holds it now
    curator_peer.release("mutex", "c")
    assert mutex.acquire(timeout=10)
    mutex.release()


def test_python_leader_suspended_gives_up_and_requeues_behind_curator(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory,
    fault_proxy: FaultProxy,
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    events = Events()
    latch = LeaderLatch(victim, "/sus", "py")
    latch.add_listener(events)
    latch.start()
    assert latch.await_leadership(10)
    curator_peer.latch_start("java", "/sus")
    wait_until(zk_client, lambda: n_children(zk_client, "/sus") == 2, message="java's node")
    fault_proxy.drop()  # the connection goes, the session lives: SUSPENDED
    wait_until(zk_client, lambda: events.seen == ["is_leader", "not_leader"], message="leadership given up")
    assert not latch.has_leadership() and not curator_peer.latch_state("java").has_leadership
    fault_proxy.resume()  # back on the same session: the latch re-creates its node, behind Curator's
    assert curator_peer.latch_await("java", 20)
    wait_until(zk_client, lambda: n_children(zk_client, "/sus") == 2 and latch.get_our_path() is not None,
               message="py's new node")
    assert not latch.has_leadership() and latch.get_leader().id == "java"
    latch.close()
