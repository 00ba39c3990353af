"""Which client handlers the pytest fixtures run, and the type of ``zk_client_factory``.

Standard library only (no pytest, no gevent import: gevent is only probed with
:func:`importlib.util.find_spec`), so :mod:`zkrecipes.testing` can export
:class:`ClientFactory` for type hints::

    from zkrecipes.testing import ClientFactory

    def test_two_clients(zk_client_factory: ClientFactory) -> None:
        writer, reader = zk_client_factory(), zk_client_factory()

The handler choice is the plugin's ``--zk-handler`` option / ``zk_handler`` ini option:
``threading`` (the default), ``gevent`` or ``all`` (every handler importable here).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any, Protocol

from zkrecipes.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

#: Every handler kind the fixtures know, in the order ``all`` runs them.
KNOWN_HANDLERS: tuple[str, ...] = ("threading", "gevent")

#: Values of ``--zk-handler`` / ``zk_handler``.
HANDLER_CHOICES: tuple[str, ...] = (*KNOWN_HANDLERS, "all")

#: The handler kind used when nothing is chosen.
DEFAULT_HANDLER = "threading"


def gevent_available() -> bool:
    """True when gevent can be imported (checked without importing it)."""
    return importlib.util.find_spec("gevent") is not None


def available_handlers() -> tuple[str, ...]:
    """The handler kinds that can run here: threading, and gevent when it is installed."""
    return KNOWN_HANDLERS if gevent_available() else ("threading",)


def resolve_handlers(value: str | None, *, source: str = "--zk-handler") -> tuple[str, ...]:
    """The handler kinds for ``value`` (``threading``, ``gevent``, ``all``; None/empty = the default).

    ``all`` is every handler importable here (gevent only when installed).
    Raises InvalidArgumentError naming ``source`` for an unknown value, or for
    ``gevent`` when gevent is not installed.
    """
    text = (value or "").strip().lower() or DEFAULT_HANDLER
    if text not in HANDLER_CHOICES:
        raise InvalidArgumentError(
            f"{source}: unknown handler {value!r}; expected one of {', '.join(HANDLER_CHOICES)}")
    if text == "all":
        return available_handlers()
    if text == "gevent" and not gevent_available():
        raise InvalidArgumentError(
            f"{source}=gevent but gevent is not installed: pip install 'zkrecipes[gevent]', "
            "or choose threading")
    return (text,)


class ClientFactory(Protocol):
    """The type of the ``zk_client_factory`` fixture's value: call it to get more clients.

    ``zk_client_factory(hosts=None, *, chroot=True, admin_hosts=None, handler_name=None,
    start=True, **client_kwargs)`` returns a new :class:`~zkrecipes.ZkClient`, started
    (``start(timeout=30)``) unless ``start=False``. Every client it made is stopped and
    closed after the test, and every chroot it created is deleted recursively, even when
    the test failed.

    ``hosts``
        Connect string *without* chroot (default: ``zk_hosts``), e.g. ``fault_proxy.hosts``
        or ``zk_ensemble.hosts``.
    ``chroot``
        ``True`` (default): the test's ``zk_chroot``; a string: that chroot path; ``False``
        (or ``""``): no chroot. The chroot node is created first if missing.
    ``admin_hosts``
        Where the chroot is created and later deleted (default: ``zk_hosts``). Give the
        cluster ``hosts`` reaches when it is not ``zk_server`` (another ensemble, or a proxy
        in front of one).
    ``handler_name``
        ``"threading"`` or ``"gevent"`` (default: the test's ``zk_handler_name``).
    ``start``
        ``False`` returns the client unstarted (it is still cleaned up after the test).
    ``**client_kwargs``
        Passed to ``ZkClient`` (``timeout`` defaults to 10 s here); a ``handler=`` given
        here wins over ``handler_name``.
    """

    def __call__(
        self,
        hosts: str | None = None,
        *,
        chroot: bool | str = True,
        admin_hosts: str | None = None,
        handler_name: str | None = None,
        start: bool = True,
        **client_kwargs: Any,
    ) -> ZkClient: ...
