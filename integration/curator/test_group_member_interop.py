"""GroupMember / PersistentNode with Curator and zkrecipes members of one group."""

from __future__ import annotations

from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import GroupMember, PersistentNode
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
