"""GroupMember / PersistentNode with Curator and zkrecipes members of one group."""

from __future__ import annotations

from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import CacheWatchMode, GroupMember, PersistentNode
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.expiry import expire_session


def test_members_see_each_other(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    curator_peer.group_start("g", "/group", "java-1", b"j")
    with GroupMember(zk_client, "/group", "py-1", b"p") as member:
        assert member.wait_for_initial_create(10)
        wait_until(zk_client, lambda: member.get_current_members() == {"java-1": b"j", "py-1": b"p"},
                   message="both members")
        wait_until(zk_client, lambda: curator_peer.group_members("g") == {"java-1": b"j", "py-1": b"p"},
                   message="Curator to see both")
        member.set_this_data(b"p2")
        wait_until(zk_client, lambda: curator_peer.group_members("g").get("py-1") == b"p2",
                   message="Curator to see the new payload")
        assert zk_client.get("/group/py-1")[1].ephemeralOwner != 0
    wait_until(zk_client, lambda: "py-1" not in curator_peer.group_members("g"),
               message="Curator to see us go")
    curator_peer.group_close("g")


def test_persistent_node_comes_back_after_delete_and_expiry(zk_client: ZkClient, zk_hosts: str) -> None:
    with PersistentNode(zk_client, "/keep/me", b"data") as node:
        assert node.wait_for_initial_create(10) and node.get_actual_path() == "/keep/me"
        first = zk_client.exists("/keep/me")
        assert first is not None
        zk_client.delete("/keep/me")  # someone deletes it: it is made again
        wait_until(zk_client, lambda: (s := zk_client.exists("/keep/me")) is not None
                   and s.czxid != first.czxid, message="re-creation after delete")
        client_id = zk_client.client_id
        assert client_id is not None
        expire_session(zk_hosts, client_id)  # the session ends: made again in the new one

        def recreated() -> bool:
            try:
                stat = zk_client.exists("/keep/me")
            except Exception:
                return False
            current = zk_client.client_id
            return stat is not None and current is not None and stat.ephemeralOwner == current[0]

        wait_until(zk_client, recreated, message="re-creation in the new session")
        assert zk_client.get("/keep/me")[0] == b"data"
    assert zk_client.exists("/keep/me") is None


def test_cached_views_converge_with_curators(curator_peer: CuratorSession, zk_client: ZkClient,
                                             zk_client_factory: ClientFactory) -> None:
    seen: list[dict[str, bytes]] = []
    curator_peer.group_start("g1", "/grp", "java-1", b"j")
    ours = GroupMember(zk_client, "/grp", "py-1", b"p")
    ours.add_listener(seen.append)
    one_shot = GroupMember(zk_client_factory(), "/grp", "py-2", b"q", mode=CacheWatchMode.ONE_SHOT)
    with ours, one_shot:
        assert ours.get_current_members()["py-1"] == b"p"  # this member is always in its own view
        everyone = {"java-1": b"j", "py-1": b"p", "py-2": b"q"}
        for view in (ours.get_current_members, one_shot.get_current_members,
                     lambda: curator_peer.group_members("g1")):
            wait_until(zk_client, lambda view=view: view() == everyone, message="every view to converge")
        curator_peer.group_close("g1")
        without_java = {"py-1": b"p", "py-2": b"q"}
        wait_until(zk_client, lambda: ours.get_current_members() == without_java
                   and one_shot.get_current_members() == without_java, message="Curator's member gone")
        assert seen[-1] == without_java and everyone in seen
        one_shot.set_this_data(b"q2")
        wait_until(zk_client, lambda: ours.get_current_members().get("py-2") == b"q2", message="new payload")
    assert ours.get_current_members() == {"py-1": b"p"}  # closed: the cache is empty, we stay in our own view
    assert {"py-1": b"p", "py-2": b"q2"} in seen
    assert zk_client.get_children("/grp") == []
