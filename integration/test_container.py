"""ContainerZooKeeper against a real Docker engine (testcontainers).

These machines have no Docker engine, so here the module is skipped with the
reason; where an engine answers, it starts the official image and drives it
with the zkrecipes client.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zkrecipes import ZkClient
from zkrecipes.exceptions import ContainerEngineUnavailableError
from zkrecipes.testing.container import ContainerZooKeeper, engine_available

try:
    engine_available(timeout=5.0)
except ContainerEngineUnavailableError as exc:
    pytest.skip(f"no container engine here: {exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def container() -> Iterator[ContainerZooKeeper]:
    with ContainerZooKeeper() as zk:
        yield zk


def test_container_serves_four_letter_words_and_a_client(container: ContainerZooKeeper) -> None:
    assert container.four_letter("ruok") == "imok"
    assert container.mode() == "standalone"
    client = ZkClient(container.hosts, timeout=10.0)
    client.start(timeout=30)
    try:
        client.create("/from-container-test", b"hello", ephemeral=True)
        assert client.get("/from-container-test")[0] == b"hello"
    finally:
        client.stop()
        client.close()


def test_container_restart_serves_again(container: ContainerZooKeeper) -> None:
    container.restart()
    assert container.four_letter("ruok") == "imok"
