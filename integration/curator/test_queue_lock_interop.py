"""The queue lock path between Curator and zkrecipes: exactly-once sharing, consumers killed mid-item."""

from __future__ import annotations

import collections
import threading

from _waits import wait_until
from test_queue_kinds_interop import CuratorQueue

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import DistributedQueue
from zkrecipes.recipes.curator._queue_lock import MARKER_PREFIX
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.expiry import expire_session

N = 40


def item_locks(zk: ZkClient, lock_path: str) -> list[str]:
    """The item lock nodes under ``lock_path`` (our session markers left out)."""
    return [name for name in zk.get_children(lock_path) if not name.startswith(MARKER_PREFIX)]


def test_shared_consumers_take_each_item_exactly_once(curator_peer: CuratorSession,
                                                      zk_client: ZkClient) -> None:
    counts: collections.Counter[str] = collections.Counter()
    guard = threading.Lock()
    done = threading.Event()

    def consume(item: bytes) -> None:
        with guard:
            counts[item.decode()] += 1
            if sum(counts.values()) >= N:
                done.set()

    curator = CuratorQueue(curator_peer, "java", "/lq", lock_path="/lq-locks")
    queue = DistributedQueue(zk_client, "/lq", consumer=consume, lock_path="/lq-locks")
    queue.start()
    try:
        for index in range(N // 2):
            curator.put(f"j{index}")
            queue.put(f"p{index}".encode())
        curator_got: list[str] = []

        def everything_consumed() -> bool:
            while True:
                text, _at = curator.take(0)
                if text is None:
                    break
                curator_got.append(text)
            with guard:
                total = sum(counts.values()) + len(curator_got)
            return total >= N and not zk_client.get_children("/lq") and not item_locks(zk_client, "/lq-locks")

        wait_until(zk_client, everything_consumed, timeout=60, message="all items consumed")
        with guard:
            ours = sum(counts.values())
            counts.update(curator_got)
        expected = {f"j{i}" for i in range(N // 2)} | {f"p{i}" for i in range(N // 2)}
        assert set(counts) == expected
        assert all(count == 1 for count in counts.values()), counts
        assert ours > 0 and curator_got, "vacuous: one consumer took every item"
    finally:
        queue.close()
        curator.close()


def test_curator_consumer_expires_mid_item_ours_takes_it(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_hosts: str
) -> None:
    curator = CuratorQueue(curator_peer, "java", "/kq", lock_path="/kq-locks", hold=True)
    with DistributedQueue(zk_client, "/kq") as producer:
        producer.put(b"k")
    assert curator.started() == "k"  # Curator holds k's lock and is stuck processing it
    assert item_locks(zk_client, "/kq-locks") == [zk_client.get_children("/kq")[0]]
    got: list[bytes] = []
    took = threading.Event()

    def consume(item: bytes) -> None:
        got.append(item)
        took.set()

    with DistributedQueue(zk_client, "/kq", consumer=consume, lock_path="/kq-locks"):
        # k is locked by Curator: our consumer skips it and watches its lock node
        expire_session(zk_hosts, curator_peer.client_id())
        assert took.wait(30), "our consumer did not take the item of the expired Curator consumer"
        wait_until(zk_client, lambda: not zk_client.get_children("/kq"), message="k deleted")
    assert got == [b"k"]
    assert item_locks(zk_client, "/kq-locks") == []
    curator.let_go()


def test_our_consumer_expires_mid_item_curator_takes_it_and_we_leave_it(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory, zk_hosts: str
) -> None:
    observer = zk_client_factory()
    began = threading.Event()
    let_go = threading.Event()

    def consume(item: bytes) -> None:
        began.set()
        assert let_go.wait(60)

    queue = DistributedQueue(zk_client, "/mq", consumer=consume, lock_path="/mq-locks")
    producer = CuratorQueue(curator_peer, "producer", "/mq", consume=False)
    queue.start()
    try:
        producer.put("m")
        assert began.wait(20)
        (name,) = observer.get_children("/mq")
        curator = CuratorQueue(curator_peer, "java", "/mq", lock_path="/mq-locks", hold=True)
        client_id = zk_client.client_id
        assert client_id is not None
        expire_session(zk_hosts, client_id)

        def lock_not_ours() -> bool:
            stat = observer.exists(f"/mq-locks/{name}")
            return stat is None or stat.ephemeralOwner != client_id[0]

        wait_until(observer, lock_not_ours, message="our lock gone with our session")
        producer.put("n")  # Curator re-reads the queue on a change of its children (if it had not yet)
        assert curator.started() == "m"  # Curator now holds m (and is held processing it)
        curator_lock = observer.exists(f"/mq-locks/{name}")
        assert curator_lock is not None and curator_lock.ephemeralOwner != client_id[0]
        let_go.set()  # our zombie consumer finishes m: it must not delete m nor Curator's lock
    finally:
        let_go.set()
        queue.close()  # waits for the item in progress to be finished
    assert observer.exists(f"/mq/{name}") is not None
    assert observer.exists(f"/mq-locks/{name}") == curator_lock
    curator.let_go()
    assert curator.take()[0] == "m"
    assert curator.take()[0] == "n"
    wait_until(observer, lambda: not observer.get_children("/mq"), message="Curator finished m and n")
