"""What every front end shows of its configuration and its session, defined once.

:class:`FrontEndViews` is the base of the generated bindings of every front end
(``ClientOperations`` for :class:`~zkrecipes.ZkClient`, ``AsyncClientOperations``
for :class:`~zkrecipes.aio.AsyncZkClient`): read-only views over the front end's
checked :class:`~zkrecipes.client.config.ClientConfig` (``_config``) and its
transport's facade (``_transport``), plus ``set_hosts`` and ``unchroot``. A front
end sets both attributes before anything reads them; these views never block
and never do I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from zkrecipes.client.config import ClientConfig
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.paths import strip_chroot
from zkrecipes.client.sasl import SaslConfig
from zkrecipes.observe.attach import add_observer, remove_observer
from zkrecipes.observe.observer import Observer
from zkrecipes.security import ACL
from zkrecipes.states import KeeperState, ZkState

__all__ = ["FrontEndViews", "SessionFacade"]


class SessionFacade(Protocol):
    """The part of a transport's facade these views read (both transports have it)."""

    @property
    def state(self) -> ZkState: ...

    @property
    def keeper_state(self) -> KeeperState: ...

    @property
    def client_id(self) -> tuple[int, bytes] | None: ...

    @property
    def last_zxid(self) -> int: ...

    @property
    def session_timeout(self) -> float: ...

    def set_hosts(self, hosts: list[HostPort], randomize: bool | None = None) -> None: ...


class FrontEndViews:
    """Configuration and session-state views shared by every front end (instances have a
    ``__dict__``: ``set_hosts`` replaces ``_config``)."""

    _config: ClientConfig
    _transport: SessionFacade

    # ------------------------------------------------------------- configuration

    @property
    def config(self) -> ClientConfig:
        """The checked configuration (frozen)."""
        return self._config

    @property
    def hosts(self) -> list[tuple[str, int]]:
        """The configured servers as ``(host, port)`` pairs."""
        return [(h.host, h.port) for h in self._config.hosts]

    @property
    def chroot(self) -> str:
        """The chroot (``""`` for none)."""
        return self._config.chroot

    @property
    def default_acl(self) -> list[ACL] | None:
        """The ACL of nodes created without one (None: OPEN_ACL_UNSAFE)."""
        acl = self._config.default_acl
        return None if acl is None else list(acl)

    @property
    def auth_data(self) -> list[tuple[str, str]]:
        """The ``(scheme, credential)`` pairs sent on each connection (without SASL)."""
        return list(self._config.auth_data)

    @property
    def sasl(self) -> SaslConfig | None:
        """The SASL login, if any."""
        return self._config.sasl

    @property
    def read_only(self) -> bool:
        """Whether read-only servers are accepted."""
        return self._config.read_only

    @property
    def randomize_hosts(self) -> bool:
        """Whether each round of connection attempts shuffles the hosts."""
        return self._config.randomize_hosts

    @property
    def max_request_size(self) -> int:
        """The largest request sent (bytes); larger ones raise DataTooLargeError."""
        return self._config.max_request_size

    def set_hosts(self, hosts: str | Sequence[str], randomize_hosts: bool | None = None) -> None:
        """Use ``hosts`` from the next connection attempt on; the chroot cannot change."""
        config = self._config.with_hosts(hosts, randomize_hosts)
        self._config = config
        randomize = None if randomize_hosts is None else config.randomize_hosts
        self._transport.set_hosts(list(config.hosts), randomize)

    def add_observer(self, observer: Observer) -> None:
        """Tell ``observer`` about this client's requests, states, watches, callbacks and
        recipes (see :mod:`zkrecipes.observe`); idempotent, any time, any thread."""
        add_observer(self, observer)

    def remove_observer(self, observer: Observer) -> bool:
        """Stop telling ``observer``; True if it was attached."""
        return remove_observer(self, observer)

    def _attach_config_observers(self) -> None:
        """Attach the configuration's ``observers`` (a front end calls it once it is set up)."""
        for observer in self._config.observers:
            add_observer(self, observer)

    def unchroot(self, path: str) -> str:
        """Strip the chroot from a server path (results are already unchrooted)."""
        return strip_chroot(self._config.chroot, path)

    # ------------------------------------------------------------- session state

    @property
    def state(self) -> ZkState:
        """CONNECTED, SUSPENDED or LOST (LOST before start and after stop)."""
        return self._transport.state

    @property
    def client_state(self) -> KeeperState:
        """ZooKeeper's own state: CONNECTING, CONNECTED, CONNECTED_RO, CLOSED, …"""
        return self._transport.keeper_state

    @property
    def connected(self) -> bool:
        """True while connected with a live session."""
        return self._transport.state is ZkState.CONNECTED

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        """``(session_id, password)`` of the current session, or None when there is none.

        A session exists from the first successful handshake until it is lost
        (expired, declared LOST after a whole session timeout disconnected) or
        the client is stopped; so the pair is returned while CONNECTED *and*
        while SUSPENDED (reconnecting to the same session), as kazoo does. It
        is None before the first session and from LOST/stop until a new
        session is established.
        """
        return self._transport.client_id

    @property
    def last_zxid(self) -> int:
        """The highest zxid seen from the server (0 before the first reply)."""
        return self._transport.last_zxid

    @property
    def session_timeout(self) -> float:
        """The negotiated session timeout in seconds (the requested one before connecting)."""
        return self._transport.session_timeout
