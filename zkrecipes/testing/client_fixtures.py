"""Client fixtures for the pytest plugin: a started ZkClient per test, in its own chroot.

The plugin module does ``from zkrecipes.testing.client_fixtures import *``, so
only the names in ``__all__`` (the fixtures and the ``pytest_generate_tests``
hook) are exported.  Nothing here imports the client or gevent at import time:
the client is imported when a fixture runs, and gevent is only probed with
:func:`importlib.util.find_spec`.

Fixtures
--------
``zk_handler_name``
    The handler kind of this test's clients. The plugin's ``--zk-handler``
    option (or the ``zk_handler`` ini option; the command line wins) chooses
    which: ``threading`` (the default: each test runs once), ``gevent``, or
    ``all`` (every handler importable here: a test that uses ``zk_client`` or
    ``zk_client_factory`` runs once per handler, ids ``[threading]`` and
    ``[gevent]``).  A test, module or conftest pins one by overriding the
    fixture (``def zk_handler_name(): return "threading"``) or with
    ``@pytest.mark.parametrize("zk_handler_name", [...])``.
``zk_client_factory``
    A :class:`~zkrecipes.testing.ClientFactory`: call it for more clients
    (same handler kind by default), in the test's chroot unless told otherwise.
    Every client it made is stopped and closed at teardown, and every chroot it
    created is deleted recursively, even when the test failed.
``zk_client``
    One started client on ``zk_hosts`` + the test's ``zk_chroot``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from zkrecipes.testing.handler_choice import DEFAULT_HANDLER, ClientFactory, available_handlers

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["_zk_handler_param", "pytest_generate_tests", "zk_client", "zk_client_factory", "zk_handler_name"]

log = logging.getLogger("zkrecipes.testing")

#: Every handler kind importable here (threading, and gevent when installed): what
#: ``--zk-handler all`` runs. The default run is threading only.
HANDLER_NAMES: tuple[str, ...] = available_handlers()

#: Where the plugin keeps the handler kinds chosen by ``--zk-handler`` / ``zk_handler``.
HANDLERS_KEY = pytest.StashKey[tuple[str, ...]]()

#: The hidden fixture the plugin parametrises; ``zk_handler_name`` reads it.
_PARAM_FIXTURE = "_zk_handler_param"

#: Seconds a fixture waits for a client to connect (generous: the machine is shared).
START_TIMEOUT = 30.0


def make_handler(name: str) -> Any:
    """Return a fresh handler instance of kind ``name`` ("threading" or "gevent").

    Raises ``ValueError`` for an unknown name.
    """
    from zkrecipes.handlers import SequentialGeventHandler, SequentialThreadingHandler

    if name == "threading":
        return SequentialThreadingHandler()
    if name == "gevent":
        return SequentialGeventHandler()
    raise ValueError(f"unknown handler name {name!r}; expected one of {HANDLER_NAMES}")


def _admin_client(hosts: str) -> ZkClient:
    """A started root-level client on ``hosts`` with the threading handler."""
    from zkrecipes.client.client import ZkClient

    client = ZkClient(hosts, timeout=10.0, handler=make_handler("threading"))
    client.start(timeout=START_TIMEOUT)
    return client


def _shutdown(client: ZkClient) -> None:
    """Stop and close ``client``; never raises (a teardown must go on)."""
    for step in (client.stop, client.close):
        try:
            step()
        except Exception as exc:  # teardown is best effort; report, don't mask the test
            warnings.warn(f"zk fixture: {step.__name__}() failed: {exc!r}", stacklevel=1)


class _ClientPool:
    """Makes clients for one test and remembers what to clean up."""

    def __init__(self, default_hosts: str, chroot: str, handler_name: str) -> None:
        self.default_hosts = default_hosts
        self.chroot = chroot
        self.handler_name = handler_name
        self.clients: list[ZkClient] = []
        self.chroots: dict[str, set[str]] = {}  # admin hosts -> chroot paths created there

    def ensure_chroot(self, admin_hosts: str, chroot: str) -> None:
        """Create ``chroot`` on the cluster at ``admin_hosts`` (once) and remember it."""
        created = self.chroots.setdefault(admin_hosts, set())
        if chroot in created:
            return
        admin = _admin_client(admin_hosts)
        try:
            admin.ensure_path(chroot)
        finally:
            _shutdown(admin)
        created.add(chroot)

    def make(
        self,
        hosts: str | None = None,
        *,
        chroot: bool | str = True,
        admin_hosts: str | None = None,
        handler_name: str | None = None,
        start: bool = True,
        **client_kwargs: Any,
    ) -> ZkClient:
        """Return a new client (started unless ``start=False``), cleaned up at teardown.

        ``hosts``: connect string without chroot (default: ``zk_hosts``).
        ``chroot``: True = the test's chroot, a string = that chroot, False = none.
        ``admin_hosts``: where to create/delete the chroot (default ``zk_hosts``;
        give the real cluster when ``hosts`` is a proxy of a different one).
        Extra keyword arguments go to ``ZkClient`` (a ``handler`` given there wins).
        """
        from zkrecipes.client.client import ZkClient

        base = hosts if hosts is not None else self.default_hosts
        chroot_path = self.chroot if chroot is True else (chroot or "")
        if chroot_path:
            self.ensure_chroot(admin_hosts or self.default_hosts, chroot_path)
        if "handler" not in client_kwargs:
            client_kwargs["handler"] = make_handler(handler_name or self.handler_name)
        client_kwargs.setdefault("timeout", 10.0)
        client = ZkClient(base + chroot_path, **client_kwargs)
        self.clients.append(client)
        if start:
            client.start(timeout=START_TIMEOUT)
        return client

    def cleanup(self) -> None:
        """Stop and close every client, then delete every chroot created (best effort)."""
        for client in reversed(self.clients):
            _shutdown(client)
        self.clients.clear()
        for admin_hosts, chroots in self.chroots.items():
            try:
                admin = _admin_client(admin_hosts)
            except Exception as exc:
                warnings.warn(f"zk fixture: cannot reach {admin_hosts} to clean up: {exc!r}",
                              stacklevel=1)
                continue
            try:
                for path in chroots:
                    try:
                        admin.delete(path, recursive=True)
                    except Exception as exc:
                        warnings.warn(f"zk fixture: deleting {path} failed: {exc!r}", stacklevel=1)
            finally:
                _shutdown(admin)
        self.chroots.clear()


def _directly_parametrized(metafunc: pytest.Metafunc, argname: str) -> bool:
    """True when a ``@pytest.mark.parametrize`` on the test names ``argname``."""
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
        if isinstance(names, str):
            names = [name.strip() for name in names.split(",")]
        if argname in names:
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run tests that use the plugin's ``zk_handler_name`` once per chosen handler kind.

    The hidden ``_zk_handler_param`` fixture is in a test's closure only when the
    plugin's own ``zk_handler_name`` is: a ``zk_handler_name`` overridden in a
    conftest, a module or a class (or parametrised directly) is left alone.
    """
    if _PARAM_FIXTURE not in metafunc.fixturenames or _directly_parametrized(metafunc, "zk_handler_name"):
        return
    names = metafunc.config.stash.get(HANDLERS_KEY, (DEFAULT_HANDLER,))
    metafunc.parametrize(_PARAM_FIXTURE, names, ids=list(names))


@pytest.fixture
def _zk_handler_param() -> str:
    """Replaced by the handler kind through ``pytest_generate_tests``; the default otherwise."""
    return DEFAULT_HANDLER


@pytest.fixture
def zk_handler_name(request: pytest.FixtureRequest, _zk_handler_param: str) -> str:
    """The handler kind of this test's clients: "threading" or "gevent".

    ``--zk-handler`` / the ``zk_handler`` ini option choose which (default: threading only;
    ``all``: one run per handler importable here). Override this fixture to pin one.
    """
    name: str = getattr(request, "param", _zk_handler_param)  # indirect parametrisation wins
    return name


@pytest.fixture
def zk_client_factory(zk_hosts: str, zk_chroot: str, zk_handler_name: str) -> Iterator[ClientFactory]:
    """A factory of clients in the test's chroot; all of them cleaned up afterwards.

    ``zk_client_factory(hosts=None, *, chroot=True, admin_hosts=None, handler_name=None,
    start=True, **client_kwargs) -> ZkClient`` (type: :class:`zkrecipes.testing.ClientFactory`):

    - ``hosts``: connect string without chroot (default ``zk_hosts``);
    - ``chroot``: True = the test's ``zk_chroot``, a string = that chroot, False = none
      (created first when missing, deleted recursively after the test);
    - ``admin_hosts``: where the chroot is created/deleted (default ``zk_hosts``; give the
      cluster ``hosts`` reaches when it is not ``zk_server``: another ensemble, or a proxy
      in front of one);
    - ``handler_name``: "threading" or "gevent" (default: ``zk_handler_name``);
    - ``start``: False = not started (still stopped and closed after the test);
    - ``client_kwargs``: passed to ``ZkClient`` (``timeout`` defaults to 10 s; a ``handler``
      given there wins over ``handler_name``).
    """
    pool = _ClientPool(zk_hosts, zk_chroot, zk_handler_name)
    try:
        yield pool.make
    finally:
        pool.cleanup()


@pytest.fixture
def zk_client(zk_client_factory: ClientFactory) -> ZkClient:
    """A started client on ``zk_hosts`` + ``zk_chroot`` with the parametrised handler."""
    return zk_client_factory()

