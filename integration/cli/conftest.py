"""CLI integration tests: the ``zkrecipes`` command in subprocesses against a real server.

The CLI runs the threading handler only, so the plugin's handler parameter is
pinned to it here (overriding ``zk_handler_name`` keeps the plugin from
parametrising it, even under this project's ``zk_handler = all``): each test
runs once, and ``zk_client`` (the test's admin client, in the test's chroot,
cleaned up after) is a threading client.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def zk_handler_name() -> str:
    """The CLI's handler: threading (overrides the plugin's per-handler parametrisation)."""
    return "threading"


@pytest.fixture
def cli_hosts(zk_hosts: str, zk_chroot: str, zk_client: object) -> str:
    """The connect string the CLI gets: the server plus the test's (existing) chroot."""
    return f"{zk_hosts}{zk_chroot}"
