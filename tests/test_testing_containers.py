"""The container plumbing that needs no engine: forced server sources, image and CI rules."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import HarnessError, InvalidArgumentError
from zkrecipes.testing import docker_support
from zkrecipes.testing.container import ContainerZooKeeper
from zkrecipes.testing.container_fixtures import docker_required
from zkrecipes.testing.selection import ExternalZooKeeper, ZooKeeperTarget, select_server, server_source


def made(name: str, calls: list[str]) -> ZooKeeperTarget:
    calls.append(name)
    return ExternalZooKeeper([("127.0.0.1", 1)])


@pytest.mark.parametrize(("env", "option", "expected"), [
    ({}, None, "auto"),
    ({"ZKRECIPES_ZK_SERVER": "Container"}, None, "container"),
    ({"ZKRECIPES_ZK_SERVER": "container"}, "local", "local"),
])
def test_server_source(env: dict[str, str], option: str | None, expected: str) -> None:
    assert server_source(env, option) == expected


def test_unknown_server_source_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="ZKRECIPES_ZK_SERVER"):
        server_source({"ZKRECIPES_ZK_SERVER": "kubernetes"})


def test_forced_container_ignores_zk_hosts_and_the_local_install() -> None:
    calls: list[str] = []
    select_server({"ZK_HOSTS": "127.0.0.1:1"}, source="container",
                  local=lambda: made("local", calls), container=lambda: made("container", calls))
    assert calls == ["container"]


def test_forced_local_does_not_fall_back() -> None:
    def failing() -> ZooKeeperTarget:
        raise HarnessError("no local server")

    calls: list[str] = []
    with pytest.raises(HarnessError, match="no local server"):
        select_server({}, source="local", local=failing, container=lambda: made("container", calls))
    assert calls == []


def test_forced_external_needs_zk_hosts() -> None:
    with pytest.raises(HarnessError, match="ZK_HOSTS is not set"):
        select_server({}, source="external")


@pytest.mark.parametrize(("env", "required"), [
    ({}, False), ({"CI": "true"}, True), ({"CI": "0"}, False), ({"ZKRECIPES_REQUIRE_DOCKER": "1"}, True),
])
def test_a_missing_engine_fails_only_where_required(env: dict[str, str], required: bool) -> None:
    assert docker_required(env) is required


def test_default_image_is_the_official_one_unless_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZKRECIPES_ZK_IMAGE", raising=False)
    assert ContainerZooKeeper().image == "zookeeper:3.8"
    monkeypatch.setenv("ZKRECIPES_ZK_IMAGE", "zkrecipes/zookeeper:local")
    assert ContainerZooKeeper().image == "zkrecipes/zookeeper:local"
    assert ContainerZooKeeper("zookeeper:3.8.4").image == "zookeeper:3.8.4"


def test_container_env_carries_the_harness_defaults_and_overrides() -> None:
    zk = ContainerZooKeeper("img", heap="128m", extra_env={"ZOO_TICK_TIME": "1500"})
    assert zk.env["ZOO_4LW_COMMANDS_WHITELIST"] == "*"
    assert zk.env["ZOO_TICK_TIME"] == "1500"
    assert "-Xmx128m" in zk.env["JVMFLAGS"].split()
    assert zk.hosts == f"127.0.0.1:{zk.port}"


def test_host_network_and_a_network_exclude_each_other() -> None:
    with pytest.raises(InvalidArgumentError):
        ContainerZooKeeper("img", host_network=True, network=object())


def test_labels_carry_the_run_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZKRECIPES_DOCKER_RUN_ID", "run-42")
    assert docker_support.labels() == {"zkrecipes.testing": "1", "zkrecipes.testing.run": "run-42"}
