"""Real-ZooKeeper test tools: local servers, ensembles, containers, a fault proxy, pytest fixtures.

``from zkrecipes.testing import ZooKeeperServer, ZooKeeperEnsemble, FaultProxy``;
``ClientFactory`` is the type of the plugin's ``zk_client_factory`` fixture.
Only the standard library is imported here (testcontainers lazily, on use).
See docs/testing.md.
"""

from __future__ import annotations

from typing import Any

from zkrecipes.testing.config import TlsOptions
from zkrecipes.testing.container import ContainerZooKeeper
from zkrecipes.testing.container_ensemble import ContainerZooKeeperEnsemble
from zkrecipes.testing.ensemble import ZooKeeperEnsemble
from zkrecipes.testing.fourletter import four_letter, parse_mode
from zkrecipes.testing.handler_choice import ClientFactory
from zkrecipes.testing.install import ZooKeeperInstall, find_install, find_java
from zkrecipes.testing.proxy import FaultProxy, ProxyMode
from zkrecipes.testing.selection import ExternalZooKeeper, ZooKeeperTarget, parse_zk_hosts, select_server
from zkrecipes.testing.server import ZooKeeperServer

__all__ = [
    "ClientFactory",
    "ContainerZooKeeper",
    "ContainerZooKeeperEnsemble",
    "ExternalZooKeeper",
    "FaultProxy",
    "ProxyMode",
    "TlsOptions",
    "ZooKeeperEnsemble",
    "ZooKeeperInstall",
    "ZooKeeperServer",
    "ZooKeeperTarget",
    "expire_session",
    "find_install",
    "find_java",
    "four_letter",
    "parse_mode",
    "parse_zk_hosts",
    "select_server",
]


def __getattr__(name: str) -> Any:
    # expire_session speaks the wire protocol, so it loads the protocol core:
    # imported on first use to keep this package's import light.
    if name == "expire_session":
        from zkrecipes.testing.expiry import expire_session

        return expire_session
    raise AttributeError(f"module 'zkrecipes.testing' has no attribute {name!r}")
