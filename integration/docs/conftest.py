"""Doc-example tests: each block runs in its own interpreter; the admin client is threading only.

Overriding ``zk_handler_name`` keeps the plugin from running every block once per
handler (this project's ini says ``all``): the handler only makes the test's chroot.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def zk_handler_name() -> str:
    """The admin client's handler (it only creates and removes the test's chroot)."""
    return "threading"
