"""LeaderSelector: a Curator mutex on the same path and a zkrecipes selector exclude each other."""

from __future__ import annotations

import threading
from typing import Any

from _curator_helpers import n_children, protected_suffix
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import LeaderSelector
from zkrecipes.testing.curator import CuratorSession


class Leader:
    """take_leadership waits until the test lets go (or the selector is interrupted)."""

    def __init__(self) -> None:
        self.selector: LeaderSelector | None = None
        self.started = threading.Semaphore(0)
        self.let_go = threading.Event()
        self.terms = 0

    def take_leadership(self, client: Any) -> None:
        self.terms += 1
        self.started.release()
        assert self.selector is not None
        while not self.let_go.is_set() and not self.selector.interrupted.is_set():
            self.let_go.wait(0.05)
        self.let_go.clear()


def test_selector_and_curator_mutex_exclude_each_other(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    leader = Leader()
    selector = LeaderSelector(zk_client, "/sel", leader, "py-sel")
    leader.selector = selector
    selector.auto_requeue()
    selector.start()
    assert leader.started.acquire(timeout=10)
    assert selector.has_leadership()
    (name,) = zk_client.get_children("/sel")
    assert protected_suffix(name).startswith("lock-")
    assert zk_client.get("/sel/" + name)[0] == b"py-sel"
    assert selector.get_leader().id == "py-sel"
    # Curator's mutex on the same path waits for our term to end
    assert curator_peer.acquire("mutex", "c", "/sel", timeout=0.3) is False
    waiting = curator_peer.acquire_async("mutex", "c", "/sel", timeout=30)
    wait_until(zk_client, lambda: n_children(zk_client, "/sel") == 2, message="curator contender")
    leader.let_go.set()
    assert waiting.result()["acquired"] is True
    # requeued automatically: we wait behind Curator, then lead a second term
    wait_until(zk_client, lambda: n_children(zk_client, "/sel") == 2, message="requeued contender")
    assert not selector.has_leadership()
    curator_peer.release("mutex", "c")
    assert leader.started.acquire(timeout=10)
    assert leader.terms == 2
    selector.close()  # interrupts the running term and releases
    assert not selector.has_leadership()
    assert curator_peer.acquire("mutex", "c", "/sel", timeout=10)
    curator_peer.release("mutex", "c")


def test_selector_closed_from_its_own_take_leadership(zk_client: ZkClient) -> None:
    done = threading.Event()

    class CloseMyself:
        selector: LeaderSelector | None = None

        def take_leadership(self, client: Any) -> None:
            assert self.selector is not None
            self.selector.close()  # from the worker itself: must not wait for itself
            done.set()

    listener = CloseMyself()
    selector = LeaderSelector(zk_client, "/self", listener, "me")
    listener.selector = selector
    selector.start()
    assert done.wait(30)
    wait_until(zk_client, lambda: n_children(zk_client, "/self") <= 0, message="the mutex released")
    assert not selector.has_leadership()


def test_curator_selector_and_ours_take_turns(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    curator_peer.selector_start("java", "/turns", "java-sel")
    wait_until(zk_client, lambda: curator_peer.selector_state("java")[0], message="Curator leads")
    leader = Leader()
    selector = LeaderSelector(zk_client, "/turns", leader, "py-sel")
    leader.selector = selector
    selector.start()
    wait_until(zk_client, lambda: n_children(zk_client, "/turns") == 2, message="our contender")
    assert not selector.has_leadership()
    assert selector.get_leader().id == "java-sel"
    datas = sorted(zk_client.get("/turns/" + name)[0] for name in zk_client.get_children("/turns"))
    assert datas == [b"java-sel", b"py-sel"]  # both selectors store their id
    curator_peer.selector_let_go("java")
    assert leader.started.acquire(timeout=10)
    assert selector.has_leadership()
    assert curator_peer.selector_state("java")[2] == "py-sel"
    leader.let_go.set()
    selector.close()
