"""Our queue consumer thread next to Curator: requeue on error, pull take with a lock path, close."""

from __future__ import annotations

import threading
from typing import Any

from _waits import wait_until
from test_queue_kinds_interop import CuratorQueue

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import DistributedPriorityQueue, DistributedQueue, ErrorMode
from zkrecipes.recipes.curator._queue_names import priority_of
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.expiry import expire_session


def test_consumer_error_requeues_the_item_with_its_priority(curator_peer: CuratorSession,
                                                             zk_client: ZkClient) -> None:
    producer = CuratorQueue(curator_peer, "producer", "/eq", "priority", consume=False)
    producer.put("bad", priority=-7)
    producer.put("good", priority=3)
    seen: list[bytes] = []
    done = threading.Event()
    listings: list[list[str]] = []

    def consume(item: bytes) -> None:
        seen.append(item)
        if item == b"bad":
            listings.append(sorted(zk_client.get_children("/eq")))
            if len(listings) == 1:
                raise RuntimeError("first delivery fails")
        if sorted(seen) == [b"bad", b"bad", b"good"]:
            done.set()

    with DistributedPriorityQueue(zk_client, "/eq", consumer=consume, lock_path="/eq-locks"):
        assert done.wait(30), seen
    assert not zk_client.get_children("/eq")
    first, second = listings
    (original,) = [name for name in first if priority_of(name) == -7]
    (copy,) = [name for name in second if priority_of(name) == -7]
    assert copy != original  # a new node, same priority (Curator's own requeue would drop it)


def test_consumer_error_without_requeue_deletes(zk_client: ZkClient) -> None:
    calls: list[bytes] = []
    done = threading.Event()

    def consume(item: bytes) -> None:
        calls.append(item)
        if item == b"last":
            done.set()
        raise RuntimeError("always fails")

    with DistributedQueue(zk_client, "/dq", consumer=consume, lock_path="/dq-locks",
                          error_mode=ErrorMode.DELETE) as queue:
        queue.put(b"one")
        queue.put(b"last")
        assert done.wait(30)
        wait_until(zk_client, lambda: not zk_client.get_children("/dq"), message="both deleted")
    assert calls == [b"one", b"last"]


def test_pull_take_with_a_lock_path_skips_curator_held_items(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_hosts: str
) -> None:
    curator = CuratorQueue(curator_peer, "java", "/tq", lock_path="/tq-locks", hold=True)
    with DistributedQueue(zk_client, "/tq", lock_path="/tq-locks") as queue:
        queue.put(b"held")
        assert curator.started() == "held"
        queue.put(b"free")  # Curator's consumer is busy with "held": "free" is ours to take
        assert queue.take(10) == b"free"
        assert queue.take(0.1) is None  # "held" is locked by Curator
        expire_session(zk_hosts, curator_peer.client_id())
        assert queue.take(30) == b"held"  # its lock went with Curator's session
        assert zk_client.get_children("/tq") == []
    curator.let_go()


def test_close_removes_the_watches_and_the_listener_it_added(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    curator = CuratorQueue(curator_peer, "java", "/wq", lock_path="/wq-locks", hold=True)
    with DistributedQueue(zk_client, "/wq") as producer:
        producer.put(b"busy")
    assert curator.started() == "busy"
    (name,) = zk_client.get_children("/wq")
    removed: list[tuple[str, bool]] = []
    listeners: list[Any] = []
    real_remove_watches, real_remove_listener = zk_client.remove_watches, zk_client.remove_listener

    def remove_watches(path: str, callback: Any, watcher_type: int) -> bool:
        result = real_remove_watches(path, callback, watcher_type)
        removed.append((path, result))
        return result

    def remove_listener(listener: Any) -> None:
        listeners.append(listener)
        real_remove_listener(listener)

    zk_client.remove_watches = remove_watches  # type: ignore[method-assign]
    zk_client.remove_listener = remove_listener  # type: ignore[method-assign]
    try:
        queue = DistributedQueue(zk_client, "/wq", consumer=lambda item: None, lock_path="/wq-locks")
        queue.start()
        # it lists the queue (child watch) and, finding "busy" locked, watches its lock node
        wait_until(zk_client, lambda: len(queue._loop._watched) == 2,  # type: ignore[union-attr]
                   message="the consumer's two watches")
        queue.close()
        queue.close()  # idempotent
    finally:
        zk_client.remove_watches = real_remove_watches  # type: ignore[method-assign]
        zk_client.remove_listener = real_remove_listener  # type: ignore[method-assign]
    assert sorted(removed) == [("/wq", True), (f"/wq-locks/{name}", True)]  # the server had both
    assert len(listeners) == 1
    curator.let_go()


def test_close_from_the_consumer_itself_stops_the_loop(zk_client: ZkClient) -> None:
    seen: list[bytes] = []
    queues: list[DistributedQueue] = []
    closed = threading.Event()

    def consume(item: bytes) -> None:
        seen.append(item)
        queues[0].close()  # must not wait for its own thread
        closed.set()

    queue = DistributedQueue(zk_client, "/cq", consumer=consume, lock_path="/cq-locks")
    queues.append(queue)
    queue.put(b"one")
    queue.start()
    assert closed.wait(20)
    queue.put(b"two")  # not consumed: the loop stopped
    wait_until(zk_client, lambda: len(zk_client.get_children("/cq")) == 1, message="'one' finished")
    assert seen == [b"one"]
    assert DistributedQueue(zk_client, "/cq").take(5) == b"two"
