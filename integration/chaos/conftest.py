"""The chaos suite (issue 16): recipes and the client under faults, verdicts from the server's history.

Every test here is ``slow``; its counts come from the knobs of ``_chaos_knobs``
(defaults = the CI counts; ``scripts/soak.sh`` sets soak counts). The
single-server scenarios run against their own ZooKeeper with a 200 ms tick, so
that a 2 s session timeout is allowed and expires on time; without a local
install they fall back to ``zk_server`` and a 4 s session timeout.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _chaos_knobs import seed

from zkrecipes import ZkClient
from zkrecipes.exceptions import HarnessError


@dataclass(frozen=True)
class ChaosServer:
    hosts: str
    session_timeout: float


@pytest.fixture(scope="session")
def chaos_server(request: pytest.FixtureRequest) -> Iterator[ChaosServer]:
    """A ZooKeeper with tickTime 200 ms (min session timeout 400 ms), or ``zk_server`` at 4 s."""
    try:
        from zkrecipes.testing.server import ZooKeeperServer

        server = ZooKeeperServer(tick_time=200)
        server.start()
    except HarnessError:
        target = request.getfixturevalue("zk_server")
        yield ChaosServer(target.hosts, 4.0)
        return
    try:
        yield ChaosServer(server.hosts, 2.0)
    finally:
        server.stop()


@pytest.fixture
def chaos_seed() -> int:
    """This test's seed (printed, so that a failing run can be replayed with ZKRECIPES_CHAOS_SEED)."""
    value = seed()
    print(f"ZKRECIPES_CHAOS_SEED={value}")
    return value


@pytest.fixture
def chaos_admin(chaos_server: ChaosServer) -> Iterator[Any]:
    """A started client straight to the chaos server (no proxy), for setup, faults and verdicts."""
    client = ZkClient(chaos_server.hosts, timeout=10.0)
    client.start(timeout=30)
    try:
        yield client
    finally:
        client.stop()
        client.close()


@pytest.fixture
def chaos_base(chaos_admin: Any) -> Iterator[str]:
    """A fresh base path for the test's nodes (deleted after)."""
    base = f"/chaos-{uuid.uuid4().hex[:12]}"
    chaos_admin.ensure_path(base)
    try:
        yield base
    finally:
        try:
            chaos_admin.delete(base, recursive=True)
        except Exception:  # the verdict matters more than the cleanup
            pass
