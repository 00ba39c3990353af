"""The image's interface: the official ``zookeeper`` image's environment variables, honoured.

Run against ``zk_container_image`` (zkrecipes' local image where it was built, else the
official one), so the same assertions hold for both. Each container is started with
``extra_env`` overriding the harness defaults and checked through ``conf``/``srvr``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zkrecipes.testing.container import ContainerZooKeeper


def conf_of(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


@pytest.fixture(scope="module")
def tuned(zk_container_image: str) -> Iterator[ContainerZooKeeper]:
    env = {
        "ZOO_TICK_TIME": "1500",
        "ZOO_MAX_CLIENT_CNXNS": "7",
        "ZOO_4LW_COMMANDS_WHITELIST": "srvr,conf",
        "ZOO_CFG_EXTRA": "minSessionTimeout=4500 maxSessionTimeout=33000",
        "ZOO_AUTOPURGE_PURGEINTERVAL": "1",
        "JVMFLAGS": "-Xmx160m -Dzookeeper.forceSync=no",
    }
    with ContainerZooKeeper(zk_container_image, extra_env=env) as zk:
        yield zk


def test_tick_time_client_limit_and_extra_config(tuned: ContainerZooKeeper) -> None:
    conf = conf_of(tuned.four_letter("conf"))
    assert conf["tickTime"] == "1500"
    assert conf["maxClientCnxns"] == "7"
    assert conf["minSessionTimeout"] == "4500"
    assert conf["maxSessionTimeout"] == "33000"


def test_data_directories_are_the_official_ones(tuned: ContainerZooKeeper) -> None:
    conf = conf_of(tuned.four_letter("conf"))
    assert conf["dataDir"] == "/data/version-2"
    assert conf["dataLogDir"] == "/datalog/version-2"


def test_four_letter_whitelist_is_applied(tuned: ContainerZooKeeper) -> None:
    assert "Mode: standalone" in tuned.four_letter("srvr")
    assert "not in the whitelist" in tuned.four_letter("ruok")
    assert "not in the whitelist" in tuned.four_letter("mntr")


def test_generated_config_myid_and_jvm_flags(tuned: ContainerZooKeeper) -> None:
    cfg = conf_of(tuned.exec("cat", "/conf/zoo.cfg"))
    assert cfg["tickTime"] == "1500"
    assert cfg["autopurge.purgeInterval"] == "1"
    assert cfg["4lw.commands.whitelist"] == "srvr,conf"
    assert cfg["minSessionTimeout"] == "4500"
    assert tuned.exec("cat", "/data/myid").strip() == "1"
    command_line = tuned.exec("cat", "/proc/1/cmdline").split("\0")
    assert "-Xmx160m" in command_line
    assert "org.apache.zookeeper.server.quorum.QuorumPeerMain" in command_line


def test_the_server_does_not_run_as_root(tuned: ContainerZooKeeper) -> None:
    lines = tuned.exec("cat", "/proc/1/status").splitlines()
    status = dict(line.split(":", 1) for line in lines if ":" in line)
    assert status["Uid"].split()[0] != "0"


def test_an_existing_config_is_left_alone(tuned: ContainerZooKeeper) -> None:
    # the entry point writes zoo.cfg only when it is absent: an edit survives a restart
    tuned.exec("sh", "-c", "echo '# kept by the test' >> /conf/zoo.cfg")
    tuned.restart()
    assert "# kept by the test" in tuned.exec("cat", "/conf/zoo.cfg")
    assert conf_of(tuned.four_letter("conf"))["tickTime"] == "1500"
