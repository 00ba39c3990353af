"""SimpleDistributedQueue and DistributedQueue between Curator and zkrecipes, both directions."""

from __future__ import annotations

from _curator_helpers import children_info

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import DistributedQueue, SimpleDistributedQueue
from zkrecipes.testing.curator import CuratorSession


def test_simple_queue_both_ways(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    queue = SimpleDistributedQueue(zk_client, "/sq")
    curator_peer.simple_queue_offer("/sq", b"from-java-1")
    queue.offer(b"from-python-2")
    curator_peer.simple_queue_offer("/sq", b"from-java-3")
    names = [name for name, _, _ in children_info(zk_client, "/sq")]
    assert all(name.startswith("qn-") and len(name) == 13 for name in names)
    assert queue.poll() == b"from-java-1"
    assert curator_peer.simple_queue_poll("/sq", 5) == b"from-python-2"
    assert queue.take() == b"from-java-3"
    assert queue.poll(0.2) is None
    assert curator_peer.simple_queue_poll("/sq", 0.2) is None


def test_distributed_queue_both_ways(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    with DistributedQueue(zk_client, "/dq") as queue:
        assert zk_client.get("/dq")[0] == curator_peer.local_address.encode()  # default data, as Curator
        # Curator produces (no consumer on its side), we consume in order
        curator_peer.queue_put("producer", "/dq", "c-0", consume=False)
        curator_peer.queue_put("producer", "/dq", "c-1", consume=False)
        (first, _, _), _ = children_info(zk_client, "/dq")
        assert first.startswith("queue-")
        assert zk_client.get("/dq/" + first)[0] == b"\x00\x01\x00\x01\x01\x00\x00\x00\x03c-0\x02"
        assert queue.take(5) == b"c-0"
        assert queue.take(5) == b"c-1"
        assert queue.take(0.2) is None
        # we produce, Curator's consumer receives (one node with two items, then one more)
        queue.put_multi([b"p-0", b"p-1"])
        queue.put(b"p-2")
        got = [curator_peer.queue_take("consumer", "/dq", 10) for _ in range(3)]
        assert got == ["p-0", "p-1", "p-2"]
