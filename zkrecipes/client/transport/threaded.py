"""``ThreadedTransport``: the facade the client uses, over today's :class:`Connection`.

This module is a *shim* until the session-layer branch lands (that branch
replaces this file): it adapts :class:`~zkrecipes.client.connection.Connection`
to the facade and adds no behaviour. Request fates are the connection's
(module docstring of :mod:`zkrecipes.client.connection`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from zkrecipes.client.connection import Connection, Converter
from zkrecipes.client.handlers.interface import AsyncResult, Handler
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.sasl import SaslAuthenticator, SaslConfig
from zkrecipes.retry import RetryPolicy
from zkrecipes.states import KeeperState, ZkState

__all__ = ["ThreadedTransport"]


class ThreadedTransport:
    """One client's session over threads or greenlets (the handler decides which)."""

    def __init__(
        self,
        handler: Handler,
        *,
        hosts: list[HostPort],
        chroot: str,
        session_timeout: float,
        on_state: Callable[[ZkState], None],
        on_auth_failed: Callable[[], None],
        connection_retry: RetryPolicy | None = None,
        client_id: tuple[int, bytes] | None = None,
        read_only: bool = False,
        randomize_hosts: bool = True,
        auth_data: Sequence[tuple[str, str]] = (),
        ssl_options: Mapping[str, Any] | None = None,
        max_frame_size: int | None = None,
        sasl: SaslConfig | None = None,
    ) -> None:
        self.connection = Connection(
            handler, list(hosts), chroot, session_timeout,
            on_state=on_state, retry_policy=connection_retry, client_id=client_id,
            read_only=read_only, randomize_hosts=randomize_hosts, auth_data=list(auth_data),
            ssl_options=dict(ssl_options or {}), max_frame_size=max_frame_size,
            sasl=SaslAuthenticator(sasl, on_auth_failed) if sasl else None,
        )
        self.live = self.connection.live

    def start(self) -> None:
        """Start the I/O loop (idempotent); a new session unless ``client_id`` was given."""
        self.connection.start()

    def stop(self, timeout: float) -> bool:
        """CloseSession if connected, end the loop; True once it ended (True if never started)."""
        return self.connection.stop(timeout)

    @property
    def running(self) -> bool:
        """Between :meth:`start` and the loop's end."""
        return self.connection.running

    def submit(self, request: Any, result: AsyncResult[Any], converter: Converter | None = None) -> None:
        """Queue ``request``; ``result`` completes with its (converted) reply or its fate's error."""
        self.connection.submit(request, result, converter)

    def add_auth(self, scheme: str, credential: str, result: AsyncResult[Any]) -> None:
        """Send an auth packet (kept for reconnects); ``result`` -> True or AuthFailedError."""
        self.connection.add_auth(scheme, credential, result)

    @property
    def state(self) -> ZkState:
        """CONNECTED, SUSPENDED or LOST."""
        return self.connection.tracker.state

    @property
    def keeper_state(self) -> KeeperState:
        """ZooKeeper's own state of the connection."""
        return self.connection.keeper_state

    @property
    def session_timeout(self) -> float:
        """The negotiated session timeout (the requested one before the first session)."""
        return self.connection.tracker.session_timeout

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        """``(session_id, password)`` while a session exists (CONNECTED or SUSPENDED), else None."""
        conn = self.connection
        proto = conn.protocol
        if proto is None or not conn.running or not conn.tracker.has_session:
            return None
        session_id = proto.session_id
        if not session_id:
            return None  # being reset: the session was just lost
        return (session_id, proto.session_password)

    @property
    def last_zxid(self) -> int:
        """The highest zxid seen (0 before the first reply)."""
        proto = self.connection.protocol
        return 0 if proto is None else proto.last_zxid

    @property
    def current_server(self) -> tuple[HostPort, tuple[Any, ...]] | None:
        """``(host, peer address)`` while connected, else None."""
        host, peer = self.connection.current_host, self.connection.current_peer
        if host is None or peer is None:
            return None
        return host, peer

    def set_hosts(self, hosts: list[HostPort], randomize: bool | None = None) -> None:
        """Use ``hosts`` from the next connection attempt on."""
        if randomize is not None:
            self.connection._hosts.randomize = randomize
        self.connection.set_hosts(hosts)

    def remove_local_watchers(self, path: str, watcher_type: int, watcher: object | None) -> None:
        """Forget local watch registrations (call only from a converter: the I/O side)."""
        proto = self.connection.protocol
        if proto is not None:
            proto.remove_watchers(path, watcher_type, watcher)
