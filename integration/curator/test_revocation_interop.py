"""Lock revocation between Curator and zkrecipes: each side asks the other's revocable holder."""

from __future__ import annotations

import threading

from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import InterProcessMutex, Revoker
from zkrecipes.testing.curator import CuratorSession


def test_python_revokes_a_curator_holder(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    curator_peer.mutex_make_revocable("c", "/rv")
    assert curator_peer.acquire("mutex", "c", "/rv", timeout=10)
    (name,) = zk_client.get_children("/rv")
    assert zk_client.get("/rv/" + name)[0] == b""  # a revocable holder's node has empty data
    Revoker.attempt_revoke(zk_client, "/rv/" + name)
    wait_until(zk_client, lambda: curator_peer.mutex_revocations("c") == 1, message="Curator's listener")
    curator_peer.release("mutex", "c")


def test_curator_revokes_a_python_holder(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    asked = threading.Event()
    mutex = InterProcessMutex(zk_client, "/rv2")

    class Listener:
        def revocation_requested(self, forlock: InterProcessMutex) -> None:
            asked.set()

    mutex.make_revocable(Listener())
    assert mutex.acquire(timeout=10)
    node = mutex.node
    assert node is not None and zk_client.get("/rv2/" + node)[0] == b""
    waiting = curator_peer.acquire_async("mutex", "c", "/rv2", timeout=30)
    curator_peer.revoke("/rv2/" + node)
    assert asked.wait(30)
    mutex.release()  # the holder decides to let go (from its own thread)
    assert waiting.result()["acquired"] is True
    curator_peer.release("mutex", "c")
