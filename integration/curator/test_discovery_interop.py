"""ServiceDiscovery in curator-x-discovery's format: Curator finds ours, we find Curator's."""

from __future__ import annotations

import json

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import ServiceDiscovery, ServiceInstance, ServiceType
from zkrecipes.testing.curator import CuratorSession


def test_curator_registered_instance_is_found_by_zkrecipes(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    curator_peer.discovery_register("/services", "svc-a", "curator-a1", port=8081,
                                    payload={"peer": "curator"})
    raw, stat = zk_client.get("/services/svc-a/curator-a1")
    assert stat.ephemeralOwner != 0
    assert "enabled" not in json.loads(raw or b"")  # Curator's compatible mode, as recorded
    with ServiceDiscovery(zk_client, "/services") as discovery:
        assert discovery.query_for_names() == ["svc-a"]
        (found,) = discovery.query_for_instances("svc-a")
        assert (found.id, found.name, found.address, found.port) == ("curator-a1", "svc-a", "127.0.0.1", 8081)
        assert found.payload == {"peer": "curator"} and found.service_type is ServiceType.DYNAMIC
        assert found.registration_time_utc > 0 and found.enabled
    curator_peer.discovery_unregister("/services", "svc-a", "curator-a1")


def test_zkrecipes_registered_instance_is_found_by_curator(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    mine = ServiceInstance("svc-b", id="py-b1", address="10.0.0.7", port=9090,
                           payload={"peer": "python", "n": 2})
    with zk_client.ServiceDiscovery("/services", mine) as discovery:
        assert discovery.query_for_instance("svc-b", "py-b1") == mine
        (seen,) = curator_peer.discovery_query("/services", "svc-b")
        assert (seen["id"], seen["address"], seen["port"]) == ("py-b1", "10.0.0.7", 9090)
        assert seen["service_type"] == "DYNAMIC"
        assert seen["payload"] == {"peer": "python", "n": 2}
        # both sides' instances of one service, listed by each
        curator_peer.discovery_register("/services", "svc-b", "curator-b2", port=9091)
        assert [i.id for i in discovery.query_for_instances("svc-b")] == ["curator-b2", "py-b1"]
        listed = curator_peer.discovery_query("/services", "svc-b")
        assert sorted(i["id"] for i in listed) == ["curator-b2", "py-b1"]
        # re-registering replaces (delete + create), as Curator does
        discovery.register_service(ServiceInstance("svc-b", id="py-b1", address="10.0.0.8", port=9090))
        addresses = {i["id"]: i["address"] for i in curator_peer.discovery_query("/services", "svc-b")}
        assert addresses["py-b1"] == "10.0.0.8"
    assert [i["id"] for i in curator_peer.discovery_query("/services", "svc-b")] == ["curator-b2"]


def test_provider_round_robin_over_both_sides_instances(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    curator_peer.discovery_register("/services", "svc-c", "java-c1", port=1)
    with ServiceDiscovery(zk_client, "/services", ServiceInstance("svc-c", id="py-c2", port=2)) as discovery:
        provider = discovery.service_provider("svc-c")
        picks = [provider.get_instance() for _ in range(4)]
        assert [p.id for p in picks if p is not None] == ["java-c1", "py-c2", "java-c1", "py-c2"]
        java = picks[0]
        assert java is not None
        provider.note_error(java)  # down for 30 s: only ours is left
        assert {getattr(provider.get_instance(), "id", None) for _ in range(3)} == {"py-c2"}
