"""pytest plugin (entry point ``zkrecipes``): real-ZooKeeper fixtures.

Fixtures:

``zk_server``      session: a serving ZooKeeper chosen by ``ZK_HOSTS`` → local install →
                   testcontainers (see :func:`zkrecipes.testing.select_server`), or the source
                   forced by ``--zk-server`` / ``ZKRECIPES_ZK_SERVER`` (auto, external, local,
                   container); containers run ``--zk-image`` / ``ZKRECIPES_ZK_IMAGE``
                   (default: the official ``zookeeper:3.8``).
``zk_hosts``       session: ``zk_server.hosts`` (a connect string without chroot).
``zk_chroot``      function: a unique chroot path for the test, ``"/t-<uuid hex>"``.
``zk_ensemble``    session: a 3-member ensemble, started only when a test asks for it: a local
                   :class:`ZooKeeperEnsemble`, or a :class:`ContainerZooKeeperEnsemble` when the
                   source is ``container`` (or ``auto`` without a local install); members a
                   test stopped are restarted after it.
                   Tests using it get the ``ensemble`` mark automatically.
``fault_proxy``    function: a :class:`FaultProxy` in front of ``zk_server`` (closed after).
``zk_client``, ``zk_client_factory``, ``zk_handler_name``: see
                   :mod:`zkrecipes.testing.client_fixtures`; the handler kinds they run are
                   chosen by ``--zk-handler threading|gevent|all`` or the ``zk_handler`` ini
                   option (the command line wins; default ``threading`` only).
``zk_aio_client``, ``zk_aio_client_factory``: see :mod:`zkrecipes.testing.aio_fixtures`.
``zk_container_engine``, ``zk_container_image``: see :mod:`zkrecipes.testing.container_fixtures`.

``--zk-keep-logs`` (or ``ZKRECIPES_KEEP_LOGS=1``) keeps the servers' temp dirs and logs.
Importing this module is cheap: harness modules are imported when a fixture runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from zkrecipes.testing.client_fixtures import HANDLERS_KEY
from zkrecipes.testing.handler_choice import DEFAULT_HANDLER, HANDLER_CHOICES, resolve_handlers

if TYPE_CHECKING:
    from zkrecipes.testing.container_ensemble import ContainerZooKeeperEnsemble
    from zkrecipes.testing.ensemble import ZooKeeperEnsemble
    from zkrecipes.testing.proxy import FaultProxy
    from zkrecipes.testing.selection import ZooKeeperTarget

KEEP_LOGS_ENV = "ZKRECIPES_KEEP_LOGS"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zkrecipes", "zkrecipes ZooKeeper test harness")
    group.addoption("--zk-keep-logs", action="store_true", default=False,
                    help=f"keep test ZooKeeper temp dirs and logs (also {KEEP_LOGS_ENV}=1)")
    group.addoption("--zk-server", default=None, choices=("auto", "external", "local", "container"),
                    help="where zk_server/zk_ensemble come from (also ZKRECIPES_ZK_SERVER; default auto: "
                         "ZK_HOSTS, else a local install, else testcontainers)")
    group.addoption("--zk-image", default=None,
                    help="image for container servers (also ZKRECIPES_ZK_IMAGE; default zookeeper:3.8)")
    group.addoption("--zk-handler", default=None, metavar="|".join(HANDLER_CHOICES),
                    help="handler kind(s) zk_client/zk_client_factory tests run with: threading, gevent, "
                         "or all (every handler importable here; one run per handler); overrides the "
                         f"zk_handler ini option; default {DEFAULT_HANDLER}")
    parser.addini("zk_handler", default=DEFAULT_HANDLER,
                  help=f"zkrecipes: handler kind(s) for zk_client tests: {', '.join(HANDLER_CHOICES)} "
                       f"(default {DEFAULT_HANDLER}; --zk-handler wins)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ensemble: needs a 3-node ZooKeeper ensemble (zk_ensemble fixture)")
    config.stash[HANDLERS_KEY] = handler_names(config)


def handler_names(config: pytest.Config) -> tuple[str, ...]:
    """The handler kinds chosen by ``--zk-handler``, else the ``zk_handler`` ini option.

    Raises ``pytest.UsageError`` for an unknown value (or gevent without gevent).
    """
    from zkrecipes.exceptions import InvalidArgumentError

    option = config.getoption("--zk-handler", default=None)
    value, source = (option, "--zk-handler") if option is not None else (
        str(config.getini("zk_handler")), "zk_handler (ini)")
    try:
        return resolve_handlers(value, source=source)
    except InvalidArgumentError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "zk_ensemble" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.ensemble)


def keep_logs(config: pytest.Config) -> bool:
    """True when ``--zk-keep-logs`` or ``ZKRECIPES_KEEP_LOGS`` (non-empty, not 0/false/no) asks for it."""
    env = os.environ.get(KEEP_LOGS_ENV, "").strip().lower()
    return bool(config.getoption("--zk-keep-logs", default=False)) or env not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def zk_server(pytestconfig: pytest.Config) -> Iterator[ZooKeeperTarget]:
    """A serving ZooKeeper for the whole session (ZK_HOSTS → local install → testcontainers)."""
    from zkrecipes.testing.selection import select_server

    server = select_server(keep_dir=keep_logs(pytestconfig), source=_source(pytestconfig),
                           image=pytestconfig.getoption("--zk-image", default=None))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def zk_hosts(zk_server: ZooKeeperTarget) -> str:
    """Connect string of ``zk_server`` (no chroot)."""
    return zk_server.hosts


@pytest.fixture
def zk_chroot() -> str:
    """A chroot path unique to this test: ``"/t-<uuid hex>"`` (not created here)."""
    return f"/t-{uuid.uuid4().hex}"


def _source(config: pytest.Config) -> str:
    from zkrecipes.testing.selection import server_source

    return server_source(option=config.getoption("--zk-server", default=None))


def _containers_for_ensemble(config: pytest.Config) -> bool:
    """True when the ensemble runs in containers: forced, or ``auto`` with no local install."""
    source = _source(config)
    if source != "auto":
        return source == "container"
    from zkrecipes.exceptions import HarnessError
    from zkrecipes.testing.install import find_install, find_java

    try:
        find_install()
        find_java()
    except HarnessError:
        return True
    return False


@pytest.fixture(scope="session")
def zk_ensemble(pytestconfig: pytest.Config) -> Iterator[ZooKeeperEnsemble | ContainerZooKeeperEnsemble]:
    """A 3-member ensemble (local, or containers), shared by the session, started on first use."""
    ensemble: ZooKeeperEnsemble | ContainerZooKeeperEnsemble
    if _containers_for_ensemble(pytestconfig):
        from zkrecipes.testing.container_ensemble import ContainerZooKeeperEnsemble

        ensemble = ContainerZooKeeperEnsemble(3, pytestconfig.getoption("--zk-image", default=None))
    else:
        from zkrecipes.testing.ensemble import ZooKeeperEnsemble

        ensemble = ZooKeeperEnsemble(3, keep_dir=keep_logs(pytestconfig))
    ensemble.start()
    try:
        yield ensemble
    finally:
        ensemble.stop()


@pytest.fixture(autouse=True)
def _zk_ensemble_heal(request: pytest.FixtureRequest) -> None:
    """After a test that used ``zk_ensemble``, restart members it stopped or killed.

    For any other test this returns at once: it touches no fixture and registers nothing.
    """
    if "zk_ensemble" not in request.fixturenames:
        return

    def heal() -> None:
        try:
            ensemble: ZooKeeperEnsemble | ContainerZooKeeperEnsemble = request.getfixturevalue("zk_ensemble")
        except Exception:  # the ensemble never started: its error is already reported
            return
        if ensemble.members and not all(member.running for member in ensemble.members):
            ensemble.ensure_running()

    request.addfinalizer(heal)


@pytest.fixture
def fault_proxy(zk_server: ZooKeeperTarget) -> Iterator[FaultProxy]:
    """A FaultProxy in front of ``zk_server``'s first host; closed after the test."""
    from zkrecipes.testing.proxy import FaultProxy

    proxy = FaultProxy.in_front_of(zk_server.hosts)
    try:
        yield proxy
    finally:
        proxy.close()


from zkrecipes.testing.aio_fixtures import *  # noqa: E402, F403
from zkrecipes.testing.client_fixtures import *  # noqa: E402, F403
from zkrecipes.testing.container_fixtures import *  # noqa: E402, F403
