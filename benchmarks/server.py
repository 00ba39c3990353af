"""The ZooKeeper server a benchmark run talks to.

``ZK_HOSTS`` (or ``--hosts``) names an existing server, which is used as it is. Otherwise
the run starts its own with :class:`zkrecipes.testing.ZooKeeperServer`: standalone, on a
free loopback port, with the Netty connection factory, ``forceSync`` on (each write is
fsynced before it is acknowledged, so write numbers are durable numbers) and a 256 MiB
heap; it is stopped, and its directory removed, when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from zkrecipes.testing import ZooKeeperServer, four_letter

SERVER_CONFIG: dict[str, Any] = {
    "connection_factory": "NettyServerCnxnFactory",
    "force_sync": True,
    "heap": "256m",
    "tickTime": 2000,
    "mode": "standalone",
}


@dataclass(slots=True)
class ServerInfo:
    """Where the server is and how it was configured (recorded in the results JSON)."""

    hosts: str
    source: str  # "ZK_HOSTS" or "zkrecipes.testing.ZooKeeperServer"
    config: dict[str, Any] = field(default_factory=dict)


def server_version(hosts: str) -> str:
    """The server's version from ``srvr`` ("" when it cannot be asked)."""
    host, _, port = hosts.split(",")[0].split("/")[0].rpartition(":")
    try:
        answer = four_letter(host or "127.0.0.1", int(port), "srvr")
    except (OSError, ValueError):
        return ""
    for line in answer.splitlines():
        if line.startswith("Zookeeper version:"):
            return line.split(":", 1)[1].strip()
    return ""


@contextlib.contextmanager
def benchmark_server(hosts: str | None = None) -> Iterator[ServerInfo]:
    """Yield a serving server; stop it afterwards if this function started it."""
    hosts = hosts or os.environ.get("ZK_HOSTS")
    if hosts:
        yield ServerInfo(hosts, "ZK_HOSTS", {"version": server_version(hosts)})
        return
    server = ZooKeeperServer(netty=True, force_sync=True, heap=SERVER_CONFIG["heap"],
                             tick_time=SERVER_CONFIG["tickTime"])
    server.start()
    try:
        info = ServerInfo(server.hosts, "zkrecipes.testing.ZooKeeperServer", dict(SERVER_CONFIG))
        info.config["version"] = server_version(server.hosts)
        yield info
    finally:
        server.stop()
