"""ContainerZooKeeper against a real Docker engine, driven by the zkrecipes client.

The image is ``zk_container_image`` (zkrecipes' local image where it was built, as
``scripts/test.sh`` does; else the official ``zookeeper:3.8``). Without an engine these tests
skip with the reason, except under CI where the missing engine fails them (the plugin's
``zk_container_engine`` fixture). The "no engine" error itself is checked everywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from _waits import Recorder, wait_until

from zkrecipes import ZkClient, ZkState
from zkrecipes.exceptions import ContainerEngineUnavailableError
from zkrecipes.testing import expire_session
from zkrecipes.testing.container import ContainerZooKeeper

#: Session timeout for clients that must see LOST: twice the default tickTime, the server minimum.
LOST_TIMEOUT = 4.0
WAIT = 60.0


@pytest.fixture(scope="module")
def container(zk_container_image: str) -> Iterator[ContainerZooKeeper]:
    with ContainerZooKeeper(zk_container_image) as zk:
        yield zk


@pytest.fixture
def own_container(zk_container_image: str) -> Iterator[ContainerZooKeeper]:
    """A container of the test's own, for tests that kill or restart it."""
    with ContainerZooKeeper(zk_container_image) as zk:
        yield zk


@pytest.fixture
def client_factory() -> Iterator[list[ZkClient]]:
    clients: list[ZkClient] = []
    yield clients
    for client in clients:
        client.stop()
        client.close()


def started(clients: list[ZkClient], hosts: str, timeout: float = 10.0) -> ZkClient:
    client = ZkClient(hosts, timeout=timeout)
    clients.append(client)
    client.start(timeout=30)
    return client


def test_no_engine_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-such.sock'}")
    with pytest.raises(ContainerEngineUnavailableError, match="no Docker engine answers"):
        ContainerZooKeeper("zookeeper:3.8").start(timeout=5)


def test_serves_four_letter_words_on_loopback(container: ContainerZooKeeper) -> None:
    assert container.hosts.startswith("127.0.0.1:")
    assert container.four_letter("ruok") == "imok"
    assert container.mode() == "standalone"
    assert "dataDir=/data" in container.four_letter("conf")  # the official image's data directory
    assert container.running


def test_client_crud(container: ContainerZooKeeper, client_factory: list[ZkClient]) -> None:
    client = started(client_factory, container.hosts)
    client.ensure_path("/crud")
    client.create("/crud/a", b"one")
    client.create("/crud/b", b"two", ephemeral=True)
    assert sorted(client.get_children("/crud")) == ["a", "b"]
    client.set("/crud/a", b"uno")
    data, stat = client.get("/crud/a")
    assert (data, stat.version) == (b"uno", 1)
    client.delete("/crud", recursive=True)
    assert client.exists("/crud") is None


def test_a_watch_fires_on_change(container: ContainerZooKeeper, client_factory: list[ZkClient]) -> None:
    client = started(client_factory, container.hosts)
    other = started(client_factory, container.hosts)
    client.create("/watched", b"before")
    events: Recorder[object] = Recorder(client)
    client.get("/watched", watch=events)
    other.set("/watched", b"after")
    [event] = events.wait_count(1, timeout=WAIT)
    assert getattr(event, "path", None) == "/watched"
    client.delete("/watched")


def test_session_expiry_is_seen_as_lost(container: ContainerZooKeeper,
                                        client_factory: list[ZkClient]) -> None:
    client = started(client_factory, container.hosts)
    states: Recorder[ZkState] = Recorder(client)
    client.add_listener(states)
    client_id = client.client_id
    assert client_id is not None
    expire_session(container.hosts, client_id)
    states.wait_for(lambda seen: ZkState.LOST in seen, timeout=WAIT, message="LOST after expiry")
    wait_until(client, lambda: client.connected and client.client_id not in (None, client_id), WAIT,
               "a new session")


def test_kill_suspends_then_loses_the_session_and_restart_reconnects(
        own_container: ContainerZooKeeper, client_factory: list[ZkClient]) -> None:
    client = started(client_factory, own_container.hosts, timeout=LOST_TIMEOUT)
    client.create("/kept", b"data")
    states: Recorder[ZkState] = Recorder(client)
    client.add_listener(states)
    own_container.kill()
    assert not own_container.running
    states.wait_for(lambda seen: ZkState.SUSPENDED in seen, timeout=WAIT, message="SUSPENDED")
    seen = states.wait_for(lambda seen: ZkState.LOST in seen, timeout=WAIT, message="LOST")
    assert seen.index(ZkState.SUSPENDED) < seen.index(ZkState.LOST)
    hosts = own_container.hosts
    own_container.start()
    assert own_container.hosts == hosts  # the published port survives the restart
    states.wait_for(lambda seen: seen[-1] == ZkState.CONNECTED, timeout=WAIT, message="CONNECTED again")
    assert client.get("/kept")[0] == b"data"  # the data survived the crash


def test_restart_keeps_the_session(own_container: ContainerZooKeeper, client_factory: list[ZkClient]) -> None:
    client = started(client_factory, own_container.hosts, timeout=20.0)
    client.create("/eph", b"", ephemeral=True)
    client_id = client.client_id
    own_container.restart()
    wait_until(client, lambda: client.connected, WAIT, "reconnected after restart")
    assert client.client_id == client_id
    assert client.exists("/eph") is not None


def test_lock_and_election_across_a_container_restart(
        own_container: ContainerZooKeeper, client_factory: list[ZkClient]) -> None:
    holder = started(client_factory, own_container.hosts, timeout=20.0)
    waiter = started(client_factory, own_container.hosts, timeout=20.0)
    lock = holder.Lock("/lock", "holder")
    assert lock.acquire(timeout=WAIT)
    leader_events: list[str] = []
    elected = threading.Event()
    release = threading.Event()

    def lead(name: str) -> None:
        leader_events.append(name)
        elected.set()
        release.wait(WAIT)

    election = holder.Election("/election", "first")
    runner = threading.Thread(target=election.run, args=(lead, "first"), daemon=True)
    runner.start()
    assert elected.wait(WAIT)

    own_container.restart()
    wait_until(holder, lambda: holder.connected and waiter.connected, WAIT, "both reconnected")

    assert lock.is_acquired
    assert not waiter.Lock("/lock", "waiter").acquire(blocking=False)
    assert election.is_leader
    assert waiter.Election("/election", "second").contenders() == ["first"]
    release.set()
    runner.join(WAIT)
    lock.release()
    other_lock = waiter.Lock("/lock", "waiter")
    assert other_lock.acquire(timeout=WAIT)
    other_lock.release()
    assert leader_events == ["first"]


def test_host_network_server_sees_clients_on_loopback(
        zk_container_image: str, client_factory: list[ZkClient]) -> None:
    with ContainerZooKeeper(zk_container_image, host_network=True) as zk:
        assert zk.mode() == "standalone"
        client = started(client_factory, zk.hosts)
        assert [(i.auth_scheme, i.user) for i in client.whoami()] == [("ip", "127.0.0.1")]
        zk.kill()
        zk.start()
        wait_until(client, lambda: client.connected, WAIT, "reconnected on the same loopback port")


def test_a_reaper_that_cannot_start_is_named_in_the_error(
        zk_container_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from testcontainers.core.config import testcontainers_config

    from zkrecipes.exceptions import ServerStartError
    from zkrecipes.testing import docker_support

    monkeypatch.setenv("TESTCONTAINERS_RYUK_DISABLED", "false")  # asked for explicitly: obeyed
    monkeypatch.setattr(testcontainers_config, "ryuk_disabled", False)
    monkeypatch.setattr(testcontainers_config, "ryuk_image", "zkrecipes/no-such-reaper:0")
    monkeypatch.setattr(docker_support, "_reaper_checked", False)
    with pytest.raises(ServerStartError, match=r"reaper .*no-such-reaper.*TESTCONTAINERS_RYUK_DISABLED=true"):
        ContainerZooKeeper(zk_container_image).start(timeout=30)
