"""``take_locked`` (pull, at least once): the item goes only after the block; a real expiry inside it.

With a session lost inside the block, the lock goes with the session, a
Curator consumer takes the item, and our exit deletes neither the item nor
Curator's lock.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from _waits import wait_until
from test_queue_kinds_interop import CuratorQueue
from test_queue_lock_interop import item_locks

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import DistributedQueue, ErrorMode
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.expiry import expire_session


def test_take_locked_deletes_after_the_block_and_requeues_on_error(zk_client: ZkClient) -> None:
    with DistributedQueue(zk_client, "/tl", lock_path="/tl-locks") as queue:
        queue.put(b"a")
        queue.put_multi([b"b", b"c"])
        with queue.take_locked(10) as item:
            assert item == b"a"
            (lock,) = item_locks(zk_client, "/tl-locks")
            assert lock in zk_client.get_children("/tl")  # still queued while we work
        assert item_locks(zk_client, "/tl-locks") == []
        with pytest.raises(RuntimeError), queue.take_locked(10) as item:
            assert item == b"b"
            raise RuntimeError("work failed")
        with queue.take_locked(10) as item:  # requeued, the whole node
            assert item == b"b"
        with queue.take_locked(10) as item:  # the rest of the put_multi node, requeued by the finish
            assert item == b"c"
        with queue.take_locked(0) as item:
            assert item is None
        assert zk_client.get_children("/tl") == [] and item_locks(zk_client, "/tl-locks") == []
    with DistributedQueue(zk_client, "/tl", lock_path="/tl-locks", error_mode=ErrorMode.DELETE) as queue:
        queue.put(b"d")
        with pytest.raises(ValueError), queue.take_locked(10):
            raise ValueError("dropped")
        assert zk_client.get_children("/tl") == []


def test_expiry_inside_the_block_leaves_the_item_to_curator(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory, zk_hosts: str
) -> None:
    observer = zk_client_factory()
    producer = CuratorQueue(curator_peer, "producer", "/xq", consume=False)
    producer.put("x")
    queue = DistributedQueue(zk_client, "/xq", lock_path="/xq-locks")
    queue.start()
    taking = queue.take_locked(20)
    with taking as item:
        assert item == b"x"
        (name,) = observer.get_children("/xq")
        client_id = zk_client.client_id
        assert client_id is not None
        expire_session(zk_hosts, client_id)
        curator = CuratorQueue(curator_peer, "java", "/xq", lock_path="/xq-locks", hold=True)
        assert curator.started() == "x"  # Curator holds x now
        curator_lock = observer.exists(f"/xq-locks/{name}")
        assert curator_lock is not None and curator_lock.ephemeralOwner != client_id[0]
        wait_until(zk_client, lambda: zk_client.connected and zk_client.client_id != client_id,
                   message="our client on its new session")
    assert taking.finished is False
    assert observer.get_children("/xq") == [name]  # our exit deleted nothing of Curator's
    assert observer.exists(f"/xq-locks/{name}") is not None
    curator.let_go()
    wait_until(observer, lambda: not observer.get_children("/xq"), message="Curator finished x")
    queue.close()
    curator.close()


class GatedClient:
    """``zk`` as a recipe sees it, with ``method`` on a path containing ``match`` held once applied."""

    def __init__(self, zk: ZkClient, method: str, match: str) -> None:
        self._zk = zk
        self._method = method
        self._match = match
        self.reached = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._zk, name)
        if name != self._method:
            return real

        def gated(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            if self._match in str(args[0]) and not self.reached.is_set():
                self.reached.set()
                assert self.release.wait(60)  # the reply is late
            return result

        return gated


@pytest.mark.parametrize("lock_path", [None, "/bq-locks"])
def test_a_take_cut_short_in_its_lock_or_delete_step_loses_nothing(zk_client: ZkClient,
                                                                   lock_path: str | None) -> None:
    if lock_path:  # hold the item's lock create (the claim), or the item's delete
        gated = GatedClient(zk_client, "create", f"{lock_path}/queue-")
    else:
        gated = GatedClient(zk_client, "delete", "/bq/")
    with DistributedQueue(gated, "/bq", lock_path=lock_path) as queue:  # type: ignore[arg-type]
        queue.put(b"kept")
        assert queue.take(3.0) is None  # the timeout bounds the step too
        assert gated.reached.is_set()
        gated.release.set()  # the step ends on its worker and is undone

        def back() -> bool:
            there = len(zk_client.get_children("/bq")) == 1
            return there and (lock_path is None or item_locks(zk_client, lock_path) == [])

        wait_until(zk_client, back, message="the item back, no lock node")
        assert queue.take(10) == b"kept"
        assert zk_client.get_children("/bq") == []
