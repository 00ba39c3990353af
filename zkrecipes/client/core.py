"""The client's core: configuration, lifecycle, session state, listeners, submit.

:class:`ClientCore` is the base of :class:`~zkrecipes.client.client.ZkClient`;
the operations live in :mod:`.operations` and :mod:`.extras`.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from zkrecipes.client.handlers.interface import AsyncResult, CallbackKind, Handler
from zkrecipes.client.hosts import HostPort, parse_hosts
from zkrecipes.client.sasl import SaslConfig
from zkrecipes.client.session.fates import Converter
from zkrecipes.client.transport.threaded import ThreadedTransport
from zkrecipes.client.validation import DEFAULT_MAX_REQUEST_SIZE, check_acl, check_sasl
from zkrecipes.exceptions import (
    AuthFailedError,
    ConfigurationError,
    ConnectionClosedError,
    InvalidCallableError,
    InvalidTypeError,
    NoNodeError,
    WriterNotClosedException,
    ZkException,
)
from zkrecipes.retry import RetryPolicy
from zkrecipes.security import ACL
from zkrecipes.states import KeeperState, ZkState

log = logging.getLogger("zkrecipes.client")

_SSL_KEYS = ("use_ssl", "ca", "certfile", "keyfile", "keyfile_password", "verify_certs", "check_hostname")


def _make_retry(value: object, sleep_func: Callable[[float], Any], name: str, **defaults: Any) -> RetryPolicy:
    if value is None:
        return RetryPolicy(sleep_func=sleep_func, **defaults)
    if isinstance(value, dict):
        options = {"sleep_func": sleep_func, **defaults, **value}
        return RetryPolicy(**options)
    if isinstance(value, RetryPolicy):
        if value.sleep_func is not sleep_func and value.sleep_func != sleep_func:
            raise ConfigurationError(f"{name} must use the handler's sleep_func")
        return value
    raise ConfigurationError(f"{name} must be a RetryPolicy or a dict of its options")


class ClientCore:
    """Configuration, lifecycle and session state shared by every operation."""

    def __init__(
        self,
        hosts: str | Sequence[str] = "127.0.0.1:2181",
        timeout: float = 10.0,
        client_id: tuple[int, bytes] | None = None,
        handler: Handler | None = None,
        default_acl: Sequence[ACL] | None = None,
        auth_data: Sequence[tuple[str, str]] | None = None,
        sasl_options: dict[str, Any] | None = None,
        read_only: bool | None = None,
        randomize_hosts: bool = True,
        connection_retry: RetryPolicy | dict[str, Any] | None = None,
        command_retry: RetryPolicy | dict[str, Any] | None = None,
        logger: logging.Logger | None = None,
        keyfile: str | None = None,
        keyfile_password: str | None = None,
        certfile: str | None = None,
        ca: str | None = None,
        use_ssl: bool = False,
        verify_certs: bool = True,
        check_hostname: bool = False,
        **kwargs: Any,
    ) -> None:
        self.logger = logger or log
        if handler is None:
            from zkrecipes.client.handlers.threading import SequentialThreadingHandler

            handler = SequentialThreadingHandler()
        if inspect.isclass(handler):
            raise ConfigurationError(f"handler must be an instance, not the class {handler!r}")
        self.handler: Handler = handler
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise InvalidTypeError("timeout must be a number of seconds")
        if not timeout > 0:
            raise ConfigurationError(f"timeout must be > 0, got {timeout!r}")
        self._session_timeout = float(timeout)
        self.default_acl: list[ACL] | None = check_acl(default_acl, "default_acl") if default_acl else None
        pairs: list[tuple[str, str]] = []
        for entry in auth_data or ():
            if not (isinstance(entry, (tuple, list)) and len(entry) == 2
                    and all(isinstance(x, str) for x in entry)):
                raise InvalidTypeError("auth_data must be a list of (scheme, credential) string pairs")
            pairs.append((entry[0], entry[1]))
        # A ("sasl", "user:password") entry becomes the SASL login, as in kazoo.
        self.sasl: SaslConfig | None
        self.sasl, self.auth_data = check_sasl(sasl_options, pairs)
        if client_id is not None and not (
            isinstance(client_id, (tuple, list)) and len(client_id) == 2
            and isinstance(client_id[0], int) and isinstance(client_id[1], (bytes, bytearray))
        ):
            raise InvalidTypeError("client_id must be a (session_id: int, password: bytes) pair")
        self.read_only = bool(read_only)
        self.randomize_hosts = bool(randomize_hosts)
        self.max_request_size = int(kwargs.pop("max_request_size", DEFAULT_MAX_REQUEST_SIZE))
        for key in ("max_retries", "retry_delay", "retry_backoff", "retry_max_delay", "retry_jitter"):
            kwargs.pop(key, None)  # kazoo's deprecated retry knobs: accepted and ignored
        if kwargs:
            raise TypeError(f"__init__() got unexpected keyword arguments: {sorted(kwargs)}")
        self.use_ssl = bool(use_ssl)
        self.ca, self.certfile, self.keyfile = ca, certfile, keyfile
        self.keyfile_password = keyfile_password
        self.verify_certs, self.check_hostname = bool(verify_certs), bool(check_hostname)
        sleep = handler.sleep_func
        self._conn_retry = _make_retry(connection_retry, sleep, "connection_retry", max_tries=-1)
        self._retry = _make_retry(command_retry, sleep, "command_retry", max_tries=-1)
        host_list, chroot = parse_hosts(hosts)
        self._host_list: list[HostPort] = host_list
        self.chroot = chroot
        # An insertion-ordered set: O(1) add/remove with thousands of recipe listeners.
        self._listeners: dict[Callable[[ZkState], Any], None] = {}
        self._start_waiters: list[Any] = []  # events of start() calls waiting for a session
        self._connection = ThreadedTransport(
            handler,
            hosts=host_list,
            chroot=chroot,
            session_timeout=self._session_timeout,
            on_state=self._on_state,
            on_auth_failed=self._wake_start_waiters,
            connection_retry=self._conn_retry,
            client_id=(int(client_id[0]), bytes(client_id[1])) if client_id else None,
            read_only=self.read_only,
            randomize_hosts=self.randomize_hosts,
            auth_data=self.auth_data,
            ssl_options=self._ssl_options(),
            sasl=self.sasl,
        )

    def _ssl_options(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _SSL_KEYS}

    # -------------------------------------------------------------- properties

    @property
    def hosts(self) -> list[tuple[str, int]]:
        """The configured servers as ``(host, port)`` pairs."""
        return [(h.host, h.port) for h in self._host_list]

    @property
    def state(self) -> ZkState:
        """CONNECTED, SUSPENDED or LOST (LOST before start and after stop)."""
        return self._connection.state

    @property
    def client_state(self) -> KeeperState:
        """ZooKeeper's own state: CONNECTING, CONNECTED, CONNECTED_RO, CLOSED, …"""
        return self._connection.keeper_state

    @property
    def connected(self) -> bool:
        """True while connected with a live session."""
        return self._connection.state is ZkState.CONNECTED

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
        return self._connection.client_id

    @property
    def last_zxid(self) -> int:
        """The highest zxid seen from the server (0 before the first reply)."""
        return self._connection.last_zxid

    @property
    def session_timeout(self) -> float:
        """The negotiated session timeout in seconds (the requested one before connecting)."""
        return self._connection.session_timeout

    def set_hosts(self, hosts: str | Sequence[str], randomize_hosts: bool | None = None) -> None:
        """Use ``hosts`` from the next connection attempt on; the chroot cannot change."""
        host_list, chroot = parse_hosts(hosts)
        if chroot != self.chroot:
            raise ConfigurationError("changing the chroot at runtime is not supported")
        if randomize_hosts is not None:
            self.randomize_hosts = bool(randomize_hosts)
        self._host_list = host_list
        self._connection.set_hosts(host_list, None if randomize_hosts is None else self.randomize_hosts)

    def unchroot(self, path: str) -> str:
        """Strip the chroot from a server path (results are already unchrooted)."""
        if not self.chroot:
            return path
        if path == self.chroot:
            return "/"
        if path.startswith(self.chroot + "/"):
            return path[len(self.chroot):]
        return path

    # ------------------------------------------------------------- listeners

    def add_listener(self, listener: Callable[[ZkState], Any]) -> None:
        """Call ``listener(state)`` on each ZkState change, on the SESSION queue.

        A listener that returns True is removed. Listeners may call ZooKeeper.
        """
        if not callable(listener):
            raise InvalidCallableError("listener must be callable")
        self._listeners.setdefault(listener, None)

    def remove_listener(self, listener: Callable[[ZkState], Any]) -> None:
        """Forget ``listener`` (no error if it was not added)."""
        self._listeners.pop(listener, None)

    @property
    def state_listeners(self) -> list[Callable[[ZkState], Any]]:
        """The registered state listeners (a copy)."""
        return list(self._listeners)

    def _on_state(self, state: ZkState) -> None:
        # Called from the I/O loop: only queue the user code.
        self.logger.info("session state: %s", state)
        if state is ZkState.CONNECTED:
            self._wake_start_waiters()
        self.handler.dispatch_callback(CallbackKind.SESSION, self._fire_listeners, state)

    def _wake_start_waiters(self) -> None:
        for waiter in list(self._start_waiters):
            waiter.set()

    def _fire_listeners(self, state: ZkState) -> None:
        for listener in list(self._listeners):
            try:
                if listener(state) is True:
                    self.remove_listener(listener)
            except Exception:
                self.logger.exception("error in state listener %r", listener)

    # -------------------------------------------------------------- lifecycle

    def start(self, timeout: float = 15) -> None:
        """Connect and wait up to ``timeout`` seconds for a session.

        Raises the handler's timeout exception (ZkTimeoutError) and stops the
        client if no session was established in time; raises AuthFailedError
        (without waiting out ``timeout``; ``client_state`` AUTH_FAILED) when the
        server refused the SASL login.
        """
        waiter = self.handler.event_object()
        self._start_waiters.append(waiter)
        try:
            self.start_async()
            if not self.connected:
                waiter.wait(timeout)
        finally:
            self._start_waiters.remove(waiter)
        if not self.connected:
            auth_failed = self._connection.keeper_state is KeeperState.AUTH_FAILED
            self.stop()
            if auth_failed:
                raise AuthFailedError("authentication failed: the server refused the client's login")
            raise self.handler.timeout_exception(f"Connection time-out after {timeout} s")
        if self.chroot and not self._chroot_exists():
            warnings.warn(f"the chroot {self.chroot!r} does not exist; create it before use", stacklevel=2)

    def _chroot_exists(self) -> bool:
        from zkrecipes.client.protocol.requests import ExistsRequest

        try:
            self._submit(ExistsRequest("/")).get(timeout=self._session_timeout)
        except NoNodeError:
            return False
        except ZkException:
            return True  # cannot tell now: do not warn
        return True

    def start_async(self) -> Any:
        """Start connecting; return an event that is set once connected."""
        if self._connection.running:
            return self._connection.live
        self.handler.start()
        self._connection.start()
        return self._connection.live

    def stop(self) -> None:
        """Close the session (its ephemeral nodes go away) and stop the handler.

        Requests still outstanding fail with ConnectionClosedError. Safe to
        call twice, while reconnecting, or from a callback.
        """
        if not self._connection.stop(max(10.0, self._session_timeout)):
            raise WriterNotClosedException("the connection loop did not stop in time")
        self.handler.stop()

    def restart(self) -> None:
        """Stop, then start with a new session."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Free the client's resources (stops it first if still running)."""
        self.stop()

    # ------------------------------------------------------------------ retry

    def retry(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``func(*args, **kwargs)`` under a fresh copy of ``command_retry``."""
        return self._retry.copy()(func, *args, **kwargs)

    # ------------------------------------------------------------------ submit

    def _submit(self, request: Any, converter: Converter | None = None) -> AsyncResult:
        """Queue ``request``; the returned result completes with its reply."""
        result = self.handler.async_result()
        self._connection.submit(request, result, converter)
        return result

    def _closed_error(self) -> ConnectionClosedError:
        return ConnectionClosedError("Connection has been closed")
