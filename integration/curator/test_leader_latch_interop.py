"""LeaderLatch with Curator and zkrecipes participants on one path."""

from __future__ import annotations

import threading

from _curator_helpers import protected_suffix
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import CloseMode, LeaderLatch
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession


class Events:
    """A LeaderLatchListener that records what it is told."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.changed = threading.Event()

    def is_leader(self) -> None:
        self.seen.append("is_leader")
        self.changed.set()

    def not_leader(self) -> None:
        self.seen.append("not_leader")
        self.changed.set()


def leaders(curator: CuratorSession, latches: list[LeaderLatch], curator_ids: list[str]) -> list[str]:
    found = [latch.id for latch in latches if latch.has_leadership()]
    found += [cid for cid in curator_ids if curator.latch_state(cid).has_leadership]
    return found


def test_one_leader_among_mixed_participants_and_handover(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory
) -> None:
    curator_peer.latch_start("java-1", "/latch")
    assert curator_peer.latch_await("java-1", 10)
    events = Events()
    py1 = LeaderLatch(zk_client, "/latch", "py-1")
    py1.add_listener(events)
    py1.start()
    wait_until(zk_client, lambda: len(zk_client.get_children("/latch")) == 2, message="py-1's node")
    other = zk_client_factory()
    py2 = LeaderLatch(other, "/latch", "py-2")
    py2.start()
    wait_until(zk_client, lambda: len(zk_client.get_children("/latch")) == 3, message="py-2's node")
    curator_peer.latch_start("java-2", "/latch")
    wait_until(zk_client, lambda: len(zk_client.get_children("/latch")) == 4, message="four participants")
    # the tree: protected latch- names with the ids as data
    datas = {}
    for name in zk_client.get_children("/latch"):
        assert protected_suffix(name).startswith("latch-")
        datas[zk_client.get("/latch/" + name)[0]] = name
    assert set(datas) == {b"java-1", b"py-1", b"py-2", b"java-2"}
    # both sides agree: java-1 leads, in the order of creation
    assert leaders(curator_peer, [py1, py2], ["java-1", "java-2"]) == ["java-1"]
    assert [p.id for p in py1.get_participants()] == ["java-1", "py-1", "py-2", "java-2"]
    assert curator_peer.latch_state("java-2").leader == "java-1" == py2.get_leader().id
    # java-1 closes: py-1 takes over
    curator_peer.latch_close("java-1")
    assert py1.await_leadership(10)
    assert events.seen == ["is_leader"]
    assert py1.fencing_token is not None
    assert leaders(curator_peer, [py1, py2], ["java-2"]) == ["py-1"]
    assert curator_peer.latch_state("java-2").leader == "py-1"
    # py-1 closes with NOTIFY_LEADER: told not_leader; py-2 next
    py1.close(CloseMode.NOTIFY_LEADER)
    assert events.seen == ["is_leader", "not_leader"]
    token = py2.await_leadership(10) and py2.fencing_token
    assert token and token > 0
    # py-2 closes silently: Curator's java-2 leads and its listener is told
    py2.close()
    assert curator_peer.latch_await("java-2", 10)
    assert curator_peer.latch_state("java-2").events == ["isLeader"]


def test_python_leader_blocks_curator_until_closed(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    latch = LeaderLatch(zk_client, "/l2", "py")
    with latch:
        assert latch.await_leadership(10)
        curator_peer.latch_start("java", "/l2")
        assert curator_peer.latch_await("java", 0.3) is False
        assert curator_peer.latch_state("java").leader == "py"
    assert curator_peer.latch_await("java", 10)
    assert not latch.has_leadership()
    assert latch.await_leadership(0.1) is False
