"""The Curator peer itself: it connects in the test's chroot and its nodes are visible to zkrecipes."""

from __future__ import annotations

from _curator_helpers import kids

from zkrecipes import ZkClient
from zkrecipes.testing.curator import CuratorSession


def test_peer_mutex_node_is_seen_by_zkrecipes(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    assert curator_peer.acquire("mutex", "a", "/smoke", timeout=5.0)
    children = zk_client.get_children("/smoke")
    assert len(children) == 1
    data, stat = zk_client.get("/smoke/" + children[0])
    assert data == curator_peer.local_address.encode()
    assert stat.ephemeralOwner != 0
    curator_peer.release("mutex", "a")
    assert kids(zk_client, "/smoke") == []
