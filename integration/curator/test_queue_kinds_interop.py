"""Priority, delay and id queues between Curator and zkrecipes on the same path, both directions."""

from __future__ import annotations

import time
from typing import Any

from _curator_helpers import children_info

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import DistributedDelayQueue, DistributedIdQueue, DistributedPriorityQueue
from zkrecipes.recipes.curator._queue_names import priority_of
from zkrecipes.testing.curator import CuratorSession


class CuratorQueue:
    """One Curator queue of strings in the peer (``pqueue.*`` ops of ``PeerQueues.java``)."""

    def __init__(self, peer: CuratorSession, queue_id: str, path: str, kind: str = "fifo", *,
                 consume: bool = True, lock_path: str | None = None, hold: bool = False) -> None:
        self.peer = peer
        self.id = queue_id
        peer.call("pqueue.start", id=queue_id, path=path, kind=kind, consume=consume, lock_path=lock_path,
                  hold=hold)

    def put(self, text: str, **how: Any) -> None:
        """``put(text[, priority | delay_until | item_id])`` (in the foreground: done on return)."""
        self.peer.call("pqueue.put", id=self.id, text=text, **how)

    def take(self, timeout: float = 10.0) -> tuple[str | None, int | None]:
        """The next item Curator's consumer received and when (epoch ms), or (None, None)."""
        reply = self.peer.call("pqueue.take", timeout + 10, id=self.id, timeout_ms=int(timeout * 1000))
        return reply["text"], reply["at_ms"]

    def started(self, timeout: float = 10.0) -> str | None:
        """The next item Curator's consumer began processing, or None."""
        reply = self.peer.call("pqueue.started", timeout + 10, id=self.id, timeout_ms=int(timeout * 1000))
        return reply["text"]

    def let_go(self) -> None:
        """Let a holding consumer finish its items."""
        self.peer.call("pqueue.go", id=self.id)

    def remove(self, item_id: str) -> int:
        """``DistributedIdQueue.remove(item_id)``: how many Curator removed."""
        return int(self.peer.call("pqueue.remove", id=self.id, item_id=item_id)["removed"])

    def close(self) -> None:
        self.peer.call("pqueue.close", id=self.id)


PRIORITIES = [5, -3, 0, 5, -1, 2 ** 31 - 1, -(2 ** 31), 1]


def expected_order() -> list[str]:
    indexed = sorted(enumerate(PRIORITIES), key=lambda pair: (pair[1], pair[0]))
    return [f"p{index}" for index, _priority in indexed]


def test_priority_curator_to_python(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    producer = CuratorQueue(curator_peer, "producer", "/pq", "priority", consume=False)
    for index, priority in enumerate(PRIORITIES):
        producer.put(f"p{index}", priority=priority)
    names = [name for name, _, _ in children_info(zk_client, "/pq")]
    assert sorted(priority_of(name) for name in names) == sorted(PRIORITIES)
    assert any(name.startswith("queue-0FFFFFFFD") for name in names)  # -3, Curator's encoding
    assert any(name.startswith("queue-100000005") for name in names)
    with DistributedPriorityQueue(zk_client, "/pq") as queue:
        got = [queue.take(5) for _ in PRIORITIES]
        assert got == [text.encode() for text in expected_order()]
        assert queue.take(0.1) is None


def test_priority_python_to_curator(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    with DistributedPriorityQueue(zk_client, "/pq") as queue:
        for index, priority in enumerate(PRIORITIES):
            queue.put(f"p{index}".encode(), priority)
    consumer = CuratorQueue(curator_peer, "consumer", "/pq", "priority")  # started after the puts: sees all
    got = [consumer.take()[0] for _ in PRIORITIES]
    assert got == expected_order()


def test_delay_curator_to_python(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    producer = CuratorQueue(curator_peer, "producer", "/dl", "delay", consume=False)
    due = time.time_ns() // 1_000_000 + 1500
    producer.put("later", delay_until=due)
    producer.put("now", delay_until=1)
    names = [name for name, _, _ in children_info(zk_client, "/dl")]
    assert f"queue-|{due:08X}|" in {name[:-10] for name in names}
    with DistributedDelayQueue(zk_client, "/dl") as queue:
        assert queue.take(5) == b"now"
        assert queue.take(0) is None  # not due: invisible
        assert queue.take(20) == b"later"
        assert time.time_ns() // 1_000_000 >= due


def test_delay_python_to_curator(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    consumer = CuratorQueue(curator_peer, "consumer", "/dl", "delay")
    with DistributedDelayQueue(zk_client, "/dl") as queue:
        due = queue.put_after(b"later", 1.5)
        queue.put(b"now", 1)
    assert consumer.take()[0] == "now"
    text, at_ms = consumer.take(20)
    assert text == "later"
    assert at_ms is not None and at_ms >= due


def test_id_queue_curator_to_python(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    producer = CuratorQueue(curator_peer, "producer", "/iq", "id", consume=False)
    for text, item_id in [("a1", "a"), ("b1", "b"), ("x1", "a/x"), ("a2", "a"), ("c1", "c")]:
        producer.put(text, item_id=item_id)
    prefixes = [name[:-10] for name, _, _ in children_info(zk_client, "/iq")]
    assert sorted(prefixes) == sorted(["queue-|a|", "queue-|b|", "queue-|a_x|", "queue-|a|", "queue-|c|"])
    with DistributedIdQueue(zk_client, "/iq") as queue:
        assert queue.is_queued("a") and queue.is_queued("a/x")
        assert queue.remove("a") == 2
        assert queue.remove("a/x") == 1  # the stored id is a_x (Curator's own remove would miss it)
        assert not queue.is_queued("a")
        assert [queue.take(5), queue.take(5)] == [b"b1", b"c1"]
        assert queue.take(0.1) is None


def test_id_queue_python_to_curator(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    with DistributedIdQueue(zk_client, "/iq") as queue:
        for text, item_id in [("x1", "x"), ("y1", "y"), ("x2", "x"), ("z1", "z")]:
            queue.put(text.encode(), item_id)
    producer = CuratorQueue(curator_peer, "producer", "/iq", "id", consume=False)
    assert producer.remove("x") == 2
    assert producer.remove("nope") == 0
    consumer = CuratorQueue(curator_peer, "consumer", "/iq", "id")
    assert [consumer.take()[0], consumer.take()[0]] == ["y1", "z1"]
    assert consumer.take(0.2)[0] is None
