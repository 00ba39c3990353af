"""Server selection (ZK_HOSTS → local → testcontainers) and ZK_HOSTS parsing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from zkrecipes.exceptions import (
    ContainerEngineUnavailableError,
    HarnessError,
    InvalidArgumentError,
    ZooKeeperNotInstalledError,
)
from zkrecipes.testing import container, ports
from zkrecipes.testing.selection import (
    ExternalZooKeeper,
    Factory,
    ZooKeeperTarget,
    parse_zk_hosts,
    select_server,
)


class FakeFourLetterServer:
    """Answers every four-letter word with a srvr-like text, then closes."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.commands: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.commands.append(conn.recv(4))
                conn.sendall(b"Zookeeper version: fake\nMode: standalone\n")

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def fake_zk() -> Iterator[FakeFourLetterServer]:
    server = FakeFourLetterServer()
    yield server
    server.close()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def failing(self, name: str, exc: HarnessError) -> Factory:
        def factory() -> ZooKeeperTarget:
            self.calls.append(name)
            raise exc

        return factory

    def working(self, name: str, target: ZooKeeperTarget) -> Factory:
        def factory() -> ZooKeeperTarget:
            self.calls.append(name)
            return target

        return factory


@pytest.mark.parametrize(("value", "expected"), [
    ("127.0.0.1:2181", [("127.0.0.1", 2181)]),
    (" zk1:2181,zk2:2182 ", [("zk1", 2181), ("zk2", 2182)]),
    ("[::1]:2181", [("::1", 2181)]),
])
def test_parse_zk_hosts(value: str, expected: list[tuple[str, int]]) -> None:
    assert parse_zk_hosts(value) == expected


@pytest.mark.parametrize("value", ["", "zk1", "zk1:", "zk1:abc", "zk1:2181,", "zk1:70000", "zk1:2181/app",
                                   "::1:2181", ":2181"])
def test_parse_zk_hosts_refuses_malformed(value: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_zk_hosts(value)


def test_external_hosts_round_trip() -> None:
    assert ExternalZooKeeper.from_string("a:1,[::1]:2").hosts == "a:1,[::1]:2"


def test_zk_hosts_wins_when_it_answers(fake_zk: FakeFourLetterServer) -> None:
    rec = Recorder()
    target = select_server({"ZK_HOSTS": f"127.0.0.1:{fake_zk.port}"},
                           local=rec.failing("local", HarnessError("x")),
                           container=rec.failing("container", HarnessError("y")))
    assert isinstance(target, ExternalZooKeeper)
    assert target.hosts == f"127.0.0.1:{fake_zk.port}"
    assert rec.calls == []
    assert b"srvr" in fake_zk.commands
    assert target.mode() == "standalone"
    with pytest.raises(HarnessError):
        target.kill()
    target.stop()  # a no-op: the fake still answers
    assert target.four_letter("ruok").startswith("Zookeeper")


def test_external_tries_each_host(fake_zk: FakeFourLetterServer) -> None:
    dead = ports.pick_free_port()
    target = ExternalZooKeeper.from_string(f"127.0.0.1:{dead},127.0.0.1:{fake_zk.port}")
    assert target.mode() == "standalone"


def test_local_is_tried_before_containers() -> None:
    rec = Recorder()
    sentinel = ExternalZooKeeper([("127.0.0.1", 1)])
    target = select_server({}, local=rec.working("local", sentinel),
                           container=rec.failing("container", HarnessError("no")))
    assert target is sentinel
    assert rec.calls == ["local"]


def test_containers_are_the_last_resort() -> None:
    rec = Recorder()
    sentinel = ExternalZooKeeper([("127.0.0.1", 1)])
    target = select_server({}, local=rec.failing("local", ZooKeeperNotInstalledError("none")),
                           container=rec.working("container", sentinel))
    assert target is sentinel
    assert rec.calls == ["local", "container"]


def test_nothing_works_gives_one_error_naming_every_option() -> None:
    rec = Recorder()
    with pytest.raises(HarnessError) as info:
        select_server({},
                      local=rec.failing("local", ZooKeeperNotInstalledError("no zookeeper.jar")),
                      container=rec.failing("container", ContainerEngineUnavailableError("no engine")))
    message = str(info.value)
    assert rec.calls == ["local", "container"]
    for expected in ("not set", "no zookeeper.jar", "no engine", "set ZK_HOSTS",
                     "apt-get install zookeeper", "ZOOKEEPER_HOME", "Docker"):
        assert expected in message
    assert message.index("ZK_HOSTS") < message.index("local ZooKeeper") < message.index("testcontainers")


def test_zk_hosts_that_does_not_answer_fails_without_falling_back() -> None:
    rec = Recorder()
    dead = ports.pick_free_port()
    with pytest.raises(HarnessError, match=f"127.0.0.1:{dead} does not answer"):
        select_server({"ZK_HOSTS": f"127.0.0.1:{dead}"},
                      local=rec.failing("local", HarnessError("a")),
                      container=rec.failing("container", HarnessError("b")))
    assert rec.calls == []


def test_unset_zk_hosts_is_reported_as_not_set() -> None:
    rec = Recorder()
    with pytest.raises(HarnessError, match=r"1\. ZK_HOSTS: not set"):
        select_server({}, local=rec.failing("local", HarnessError("a")),
                      container=rec.failing("container", HarnessError("b")))


def test_malformed_zk_hosts_fails_fast() -> None:
    rec = Recorder()
    with pytest.raises(InvalidArgumentError, match="ZK_HOSTS"):
        select_server({"ZK_HOSTS": "nonsense"}, local=rec.failing("local", HarnessError("a")),
                      container=rec.failing("container", HarnessError("b")))
    assert rec.calls == []


def test_no_docker_engine_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-such.sock'}")
    with pytest.raises(ContainerEngineUnavailableError, match="Docker engine"):
        container.ContainerZooKeeper().start(timeout=5)
