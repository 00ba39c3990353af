"""asyncio fixtures for the pytest plugin: ``AsyncZkClient``\\ s in the test's chroot.

The plugin module does ``from zkrecipes.testing.aio_fixtures import *``. Nothing
here imports the client at import time.

``async def`` tests run without any asyncio plugin: when pytest-asyncio (or
anyio's plugin) is not active, :func:`pytest_pyfunc_call` runs each coroutine
test with ``asyncio.run`` (a fresh loop per test). Fixture values that need the
loop (the factory below) are set up and torn down *inside* that loop, around
the test, so clients are started and stopped on the loop they belong to.

Fixtures
--------
``zk_aio_client_factory``
    ``await factory(hosts=None, *, chroot=True, admin_hosts=None, start=True, **kwargs)``
    makes an ``AsyncZkClient`` in the test's chroot (``chroot=False``: none, a
    string: that one; ``hosts`` without chroot, default ``zk_hosts``;
    ``admin_hosts``: where the chroot is made, default ``zk_hosts``). Every client is
    stopped after the test and every chroot made is deleted, even on failure.
``zk_aio_client``
    One ``AsyncZkClient`` on ``zk_hosts`` + ``zk_chroot``, started in the
    test's loop before the test body runs.
"""

from __future__ import annotations

import asyncio
import inspect
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from zkrecipes.aio import AsyncZkClient

__all__ = ["pytest_pyfunc_call", "zk_aio_client", "zk_aio_client_factory"]

#: Seconds a fixture waits for a client to connect (generous: the machine is shared).
START_TIMEOUT = 30.0


class AioClientFactory:
    """Makes ``AsyncZkClient``\\ s for one test; set up and torn down inside the test's loop."""

    def __init__(self, default_hosts: str, chroot: str, chroots: Any) -> None:
        self.default_hosts = default_hosts
        self.chroot = chroot
        self._chroots = chroots  # the sync fixtures' pool: creates/deletes chroots
        self.clients: list[AsyncZkClient] = []
        self._to_start: list[AsyncZkClient] = []

    def new(self, hosts: str | None = None, *, chroot: bool | str = True, admin_hosts: str | None = None,
            **kwargs: Any) -> AsyncZkClient:
        """A client, not started (cleaned up after the test).

        ``admin_hosts``: where the chroot is created and deleted (default ``zk_hosts``;
        give the real cluster when ``hosts`` is a proxy or another ensemble).
        """
        from zkrecipes.aio import AsyncZkClient

        base = hosts if hosts is not None else self.default_hosts
        path = self.chroot if chroot is True else (chroot or "")
        if path:
            self._chroots.ensure_chroot(admin_hosts or self.default_hosts, path)
        kwargs.setdefault("timeout", 10.0)
        client = AsyncZkClient(base + path, **kwargs)
        self.clients.append(client)
        return client

    async def __call__(self, hosts: str | None = None, *, chroot: bool | str = True,
                       admin_hosts: str | None = None, start: bool = True, **kwargs: Any) -> AsyncZkClient:
        """A client, started unless ``start=False`` (cleaned up after the test)."""
        client = self.new(hosts, chroot=chroot, admin_hosts=admin_hosts, **kwargs)
        if start:
            await client.start(timeout=START_TIMEOUT)
        return client

    def start_before_test(self, client: AsyncZkClient) -> None:
        self._to_start.append(client)

    async def aio_setup(self) -> None:
        for client in self._to_start:
            await client.start(timeout=START_TIMEOUT)

    async def aio_teardown(self) -> None:
        for client in reversed(self.clients):
            try:
                await client.stop()
                client.close()
            except Exception as exc:  # best effort; never mask the test's outcome
                warnings.warn(f"zk aio fixture: stopping a client failed: {exc!r}", stacklevel=1)
        self.clients.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests with ``asyncio.run`` unless an asyncio plugin handles them."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    manager = pyfuncitem.config.pluginmanager
    anyio_test = manager.hasplugin("anyio") and pyfuncitem.get_closest_marker("anyio") is not None
    if manager.hasplugin("asyncio") or anyio_test:
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    factories = [v for v in pyfuncitem.funcargs.values() if isinstance(v, AioClientFactory)]

    async def main() -> None:
        try:
            for factory in factories:
                await factory.aio_setup()
            await pyfuncitem.obj(**kwargs)
        finally:
            for factory in factories:
                await factory.aio_teardown()

    asyncio.run(main())
    return True


@pytest.fixture
def zk_aio_client_factory(zk_hosts: str, zk_chroot: str) -> Iterator[AioClientFactory]:
    """A factory of ``AsyncZkClient``\\ s in the test's chroot (see the module docstring)."""
    from zkrecipes.testing.client_fixtures import _ClientPool

    chroots = _ClientPool(zk_hosts, zk_chroot, "threading")
    factory = AioClientFactory(zk_hosts, zk_chroot, chroots)
    try:
        yield factory
    finally:
        chroots.cleanup()


@pytest.fixture
def zk_aio_client(zk_aio_client_factory: AioClientFactory) -> AsyncZkClient:
    """An ``AsyncZkClient`` on ``zk_hosts`` + ``zk_chroot``, started in the test's loop."""
    client = zk_aio_client_factory.new()
    zk_aio_client_factory.start_before_test(client)
    return client
