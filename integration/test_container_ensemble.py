"""ContainerZooKeeperEnsemble: three containers on a user-defined network forming a quorum.

Skips without a Docker engine, fails under CI without one (``zk_container_engine``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.testing.container_ensemble import ContainerZooKeeperEnsemble

WAIT = 90.0


@pytest.fixture(scope="module")
def ensemble(zk_container_image: str) -> Iterator[ContainerZooKeeperEnsemble]:
    with ContainerZooKeeperEnsemble(3, zk_container_image) as zk:
        yield zk


@pytest.fixture(autouse=True)
def _heal(ensemble: ContainerZooKeeperEnsemble) -> Iterator[None]:
    yield
    ensemble.ensure_running(timeout=WAIT)


@pytest.fixture
def client(ensemble: ContainerZooKeeperEnsemble) -> Iterator[ZkClient]:
    zk = ZkClient(ensemble.hosts, timeout=15.0)
    zk.start(timeout=30)
    try:
        yield zk
    finally:
        zk.stop()
        zk.close()


def test_quorum_of_three_with_one_leader(ensemble: ContainerZooKeeperEnsemble) -> None:
    assert len(ensemble) == 3
    modes = ensemble.modes()
    assert sorted(mode or "-" for mode in modes) == ["follower", "follower", "leader"]
    assert ensemble.leader() is not None and len(ensemble.followers()) == 2
    hosts = ensemble.hosts.split(",")
    assert len(set(hosts)) == 3 and all(h.startswith("127.0.0.1:") for h in hosts)
    for index in range(3):  # ZOO_MY_ID reached each member's myid
        assert f"serverId={index + 1}" in ensemble.four_letter(index, "conf")


def test_killing_the_leader_elects_a_new_one_and_the_client_reconnects(
        ensemble: ContainerZooKeeperEnsemble, client: ZkClient) -> None:
    client.create("/before-failover", b"kept")
    leader = ensemble.wait_for_leader(timeout=WAIT)
    ensemble.kill_member(leader)
    new_leader = ensemble.wait_for_leader(timeout=WAIT, exclude=[leader])
    assert new_leader != leader
    wait_until(client, lambda: client.connected, WAIT, "client reconnected after the leader died")
    ensemble.wait_serving(timeout=WAIT)
    client.create("/after-failover", b"new")
    assert client.get("/before-failover")[0] == b"kept"
    ensemble.start_member(leader, timeout=WAIT)
    assert ensemble.mode(leader) == "follower"
    client.delete("/before-failover")
    client.delete("/after-failover")


def test_a_stopped_member_restarts_on_the_same_address(ensemble: ContainerZooKeeperEnsemble) -> None:
    follower = ensemble.followers()[0]
    hosts = ensemble.member(follower).hosts
    ensemble.stop_member(follower)
    assert not ensemble.member(follower).running
    assert ensemble.mode(follower) is None
    ensemble.start_member(follower, timeout=WAIT)
    assert ensemble.member(follower).hosts == hosts
    only_it = ZkClient(hosts, timeout=10.0)
    only_it.start(timeout=30)
    try:
        assert only_it.exists("/") is not None
    finally:
        only_it.stop()
        only_it.close()
    ensemble.restart_member(follower, timeout=WAIT)
    assert ensemble.mode(follower) in ("follower", "leader")
