"""integration/client runs once per front end: each handler of the sync client, and asyncio.

The plugin parametrises ``zk_client`` / ``zk_client_factory`` over the handler kinds
(``--zk-handler`` / ``zk_handler``). Here the same tests also run against
:class:`~zkrecipes.aio.AsyncZkClient` (id ``[asyncio]``), through the blocking adapter of
``_aio_frontend.py`` (an event loop in a background thread; each call awaited there). The
test bodies are the same; a test that cannot apply to asyncio is listed in
:data:`NOT_ON_ASYNCIO` with its reason and reported as skipped with that reason.

``ZKRECIPES_FRONT_ENDS=sync`` leaves asyncio out (``asyncio`` runs only it);
``ZKRECIPES_AIO_LOOP=uvloop`` runs the asyncio front end on uvloop.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes.testing.client_fixtures import HANDLERS_KEY, _ClientPool
from zkrecipes.testing.handler_choice import DEFAULT_HANDLER

ASYNCIO = "asyncio"

#: Tests that exercise something only the sync front end has, keyed by function name.
NOT_ON_ASYNCIO: dict[str, str] = {
    # "test_name": "why it cannot apply to the asyncio front end",  (none today: every test runs)
}


def _front_ends(config: pytest.Config) -> list[str]:
    handlers = list(config.stash.get(HANDLERS_KEY, (DEFAULT_HANDLER,)))
    choice = os.environ.get("ZKRECIPES_FRONT_ENDS", "").strip().lower()
    if choice == "sync":
        return handlers
    if choice == ASYNCIO:
        return [ASYNCIO]
    return [*handlers, ASYNCIO]


def _directly_parametrized(metafunc: pytest.Metafunc, argname: str) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
        if isinstance(names, str):
            names = [name.strip() for name in names.split(",")]
        if argname in names:
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One run per front end for tests that use this folder's ``zk_handler_name``."""
    if "_zk_front_end" not in metafunc.fixturenames or _directly_parametrized(metafunc, "zk_handler_name"):
        return
    reason = NOT_ON_ASYNCIO.get(metafunc.definition.originalname)
    params = []
    for name in _front_ends(metafunc.config):
        marks = [pytest.mark.skip(reason=f"not applicable to asyncio: {reason}")] if (
            name == ASYNCIO and reason) else []
        params.append(pytest.param(name, id=name, marks=marks))
    metafunc.parametrize("_zk_front_end", params)


@pytest.fixture
def _zk_front_end() -> str:
    """Replaced by the front end through ``pytest_generate_tests``; the default otherwise."""
    return DEFAULT_HANDLER


@pytest.fixture
def zk_front_end(_zk_front_end: str) -> str:
    """This test's front end: a handler kind ("threading", "gevent") or "asyncio"."""
    return _zk_front_end


@pytest.fixture
def zk_handler_name(request: pytest.FixtureRequest, zk_front_end: str) -> str:
    """The handler kind of the sync clients this test makes (threading under asyncio)."""
    name: str = getattr(request, "param", zk_front_end)
    return DEFAULT_HANDLER if name == ASYNCIO else name


class _AioPool:
    """Blocking adapters over ``AsyncZkClient``s on one loop thread; cleaned up after the test."""

    def __init__(self, hosts: str, chroot: str) -> None:
        from _aio_frontend import LoopThread

        self._chroots = _ClientPool(hosts, chroot, DEFAULT_HANDLER)
        factory = None
        if os.environ.get("ZKRECIPES_AIO_LOOP", "").strip().lower() == "uvloop":
            import uvloop

            factory = uvloop.new_event_loop
        self._loop = LoopThread(factory)
        self.clients: list[Any] = []

    def make(self, hosts: str | None = None, *, chroot: bool | str = True, admin_hosts: str | None = None,
             handler_name: str | None = None, start: bool = True, **kwargs: Any) -> Any:
        from _aio_frontend import BlockingAioClient

        base = hosts if hosts is not None else self._chroots.default_hosts
        path = self._chroots.chroot if chroot is True else (chroot or "")
        if path:
            self._chroots.ensure_chroot(admin_hosts or self._chroots.default_hosts, path)
        kwargs.setdefault("timeout", 10.0)
        client = BlockingAioClient(self._loop, base + path, **kwargs)
        self.clients.append(client)
        if start:
            client.start(timeout=30.0)
        return client

    def cleanup(self) -> None:
        import warnings

        for client in reversed(self.clients):
            for step in (client.stop, client.close):
                try:
                    step()
                except Exception as exc:
                    warnings.warn(f"zk aio front end: {step.__name__}() failed: {exc!r}", stacklevel=1)
        self.clients.clear()
        self._loop.close()
        self._chroots.cleanup()


@pytest.fixture
def zk_client_factory(zk_hosts: str, zk_chroot: str, zk_handler_name: str,
                      zk_front_end: str) -> Iterator[Any]:
    """The plugin's factory for a handler kind; for asyncio, blocking adapters (see the docstring)."""
    if zk_front_end == ASYNCIO:
        aio = _AioPool(zk_hosts, zk_chroot)
        try:
            yield aio.make
        finally:
            aio.cleanup()
        return
    pool = _ClientPool(zk_hosts, zk_chroot, zk_handler_name)
    try:
        yield pool.make
    finally:
        pool.cleanup()
