"""Type-level tests of the pytest plugin's public types: checked by mypy, never run by pytest.

``ClientFactory`` is what ``zk_client_factory`` gives a test; user tests annotate with it.
"""

from __future__ import annotations

from typing_extensions import assert_type

from zkrecipes import ZkClient
from zkrecipes.testing import ClientFactory


def test_two_clients(zk_client_factory: ClientFactory, zk_hosts: str) -> None:
    assert_type(zk_client_factory(), ZkClient)
    assert_type(zk_client_factory(zk_hosts, chroot="/elsewhere", admin_hosts=zk_hosts), ZkClient)
    assert_type(zk_client_factory(chroot=False, handler_name="gevent", start=False, timeout=5.0), ZkClient)
    zk_client_factory(chroot=1.5)  # type: ignore[arg-type]
    zk_client_factory(zk_hosts, zk_hosts)  # type: ignore[call-arg]
