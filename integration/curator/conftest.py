"""Fixtures of the Curator interop suite: one Curator JVM per test session, one Curator client per test.

``curator_peer`` is a :class:`~zkrecipes.testing.curator.CuratorSession`
connected to the plugin's ``zk_hosts`` in the test's chroot (the same one as
``zk_client``), with a 4 s session; its recipes and client are closed at the
end of the test. Where Curator's jars or a JDK are missing (``scripts/bootstrap.sh``
installs them) the suite skips on a developer's machine, and fails under ``CI`` or with
``ZKRECIPES_REQUIRE_CURATOR`` true (set by ``scripts/test.sh``): the interop proof must not
vanish from a run that is meant to have it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from zkrecipes import ZkClient
from zkrecipes.testing.curator import CuratorPeer, CuratorSession, CuratorUnavailable


@pytest.fixture(scope="session")
def curator_jvm() -> Iterator[CuratorPeer]:
    """The session's Curator JVM (compiled on first use, cached)."""
    peer = CuratorPeer()
    try:
        peer.start()
    except CuratorUnavailable as exc:
        if any(os.environ.get(name, "").lower() in ("1", "true", "yes")
               for name in ("CI", "ZKRECIPES_REQUIRE_CURATOR")):
            pytest.fail(f"Curator interop suite required but unavailable: {exc}")
        pytest.skip(str(exc))
    try:
        yield peer
    finally:
        peer.close()


@pytest.fixture
def curator_peer(curator_jvm: CuratorPeer, zk_client: ZkClient, zk_hosts: str,
                 zk_chroot: str) -> Iterator[CuratorSession]:
    """A Curator client on the test server, in the test's chroot (created by ``zk_client``)."""
    session = CuratorSession(curator_jvm)
    session.connect(zk_hosts + zk_chroot, session_timeout=4.0)
    try:
        yield session
    finally:
        session.disconnect()


@pytest.fixture
def zk_handler_name() -> str:
    """The interop suite runs on the threading handler (the recipes are handler-neutral)."""
    return "threading"
