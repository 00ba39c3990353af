"""``ZkClient``: the public ZooKeeper client (kazoo 2.x compatible API), threads or greenlets.

The client is composed, not assembled from mixins: a :class:`ClientConfig`
(checked once), a handler, a transport (:class:`ThreadedTransport`, used only
through its facade) and the state listeners. Its operations are the generated
bindings (:class:`~zkrecipes.client.api.bindings.ClientOperations`) of the API
defined once in :mod:`zkrecipes.client.api`; this module adds the life cycle,
the session state, the builders, the four-letter words and the recipe factories.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from zkrecipes.client.api.bindings import ClientOperations
from zkrecipes.client.api.steps import Context, Converter, SessionView
from zkrecipes.client.config import ClientConfig, make_retry
from zkrecipes.client.factories import CuratorRecipeFactories, recipe
from zkrecipes.client.handlers.interface import AsyncResult, CallbackKind, Handler
from zkrecipes.client.listeners import StateListeners
from zkrecipes.client.protocol.checks import check_seconds
from zkrecipes.client.protocol.requests import ExistsRequest
from zkrecipes.client.session.pacing import start_timeout_message
from zkrecipes.client.transaction import MultiReadBuilder, TransactionRequest
from zkrecipes.client.transport.threaded import ThreadedTransport
from zkrecipes.client.words import check_word, exchange
from zkrecipes.exceptions import (
    AuthFailedError,
    ConfigurationError,
    ConnectionLoss,
    NoNodeError,
    WriterNotClosedException,
    ZkException,
)
from zkrecipes.retry import RetryPolicy
from zkrecipes.security import ACL
from zkrecipes.states import KeeperState, ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes import (
        barrier,
        cache,
        counter,
        election,
        lease,
        lock,
        partitioner,
        party,
        queue,
        semaphore,
        watchers,
    )

__all__ = ["ZkClient"]

log = logging.getLogger("zkrecipes.client")
_VERSION = re.compile(r"zookeeper\.version=(\d+)\.(\d+)\.(\d+)")
_R = "zkrecipes.recipes."


def _check_handler(handler: Handler | None) -> Handler:
    if handler is None:
        from zkrecipes.client.handlers.threading import SequentialThreadingHandler

        return SequentialThreadingHandler()
    if inspect.isclass(handler):
        raise ConfigurationError(f"handler must be an instance, not the class {handler!r}")
    return handler


class ZkClient(ClientOperations, CuratorRecipeFactories):
    """A ZooKeeper client: ``ZkClient(hosts, timeout, client_id, handler, default_acl,
    auth_data, sasl_options, read_only, randomize_hosts, connection_retry,
    command_retry, logger, keyfile, keyfile_password, certfile, ca, use_ssl,
    verify_certs, check_hostname)`` — kazoo's ``KazooClient`` arguments.

    ``hosts`` is ``"h1:p1,h2:p2,[::1]:p3/chroot"``. ``timeout`` is the requested
    session timeout in seconds. Every method has an ``*_async`` twin returning
    the handler's AsyncResult; the sync method is the twin plus ``.get()``.
    Bad arguments raise before anything is sent. Listeners (``add_listener``)
    see ZkState CONNECTED / SUSPENDED / LOST and run on the SESSION queue;
    watch callbacks receive a WatchedEvent on the WATCH queue.

    Requests fail with ConnectionLoss when the connection drops before their
    reply (or when queued unsent for a whole session timeout), with
    SessionExpiredError when the session is lost, with ConnectionClosedError
    after ``stop()``. After LOST a new session is opened automatically.
    """

    _transport: ThreadedTransport

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
        checked = _check_handler(handler)
        config = ClientConfig.from_kazoo_args(
            hosts, timeout, client_id, default_acl, auth_data, sasl_options, read_only, randomize_hosts,
            connection_retry, command_retry, keyfile, keyfile_password, certfile, ca, use_ssl,
            verify_certs, check_hostname, **kwargs,
        )
        self._setup(config, checked, logger)

    @classmethod
    def from_config(
        cls, config: ClientConfig, handler: Handler | None = None, logger: logging.Logger | None = None
    ) -> ZkClient:
        """A client for an already checked :class:`ClientConfig` (the CLI builds one once)."""
        client = cls.__new__(cls)
        client._setup(config, _check_handler(handler), logger)
        return client

    def _setup(self, config: ClientConfig, handler: Handler, logger: logging.Logger | None) -> None:
        self.logger = logger or log
        self.handler: Handler = handler
        self._config = config
        sleep = handler.sleep_func
        connection_retry = make_retry(config.connection_retry, sleep, "connection_retry")
        self._retry = make_retry(config.command_retry, sleep, "command_retry")
        self._listeners = StateListeners(self.logger)
        self._start_waiters: list[Any] = []  # events of start() calls waiting for a session
        self._started = False
        self._transport = ThreadedTransport(
            handler, hosts=list(config.hosts), chroot=config.chroot,
            session_timeout=config.session_timeout, on_state=self._on_state,
            on_auth_failed=self._wake_start_waiters, connection_retry=connection_retry,
            client_id=config.client_id, read_only=config.read_only,
            randomize_hosts=config.randomize_hosts, auth_data=config.auth_data,
            ssl_options=config.ssl.as_dict(), sasl=config.sasl,
        )
        self._ctx = Context(config.default_acl, config.max_request_size,
                            self._transport.remove_local_watchers, config.chroot)
        self._attach_config_observers()

    # configuration and session-state views: FrontEndViews (client/api/views.py)

    @property
    def _connection(self) -> Any:
        """The transport's internals, for the transport's own tests only (never used here)."""
        return getattr(self._transport, "connection", self._transport)

    # ------------------------------------------------------------- listeners

    def add_listener(self, listener: Callable[[ZkState], Any]) -> None:
        """Call ``listener(state)`` on each ZkState change, on the SESSION queue.

        A listener that returns True is removed. Listeners may call ZooKeeper.
        """
        self._listeners.add(listener)

    def remove_listener(self, listener: Callable[[ZkState], Any]) -> None:
        """Forget ``listener`` (no error if it was not added)."""
        self._listeners.remove(listener)

    @property
    def state_listeners(self) -> list[Callable[[ZkState], Any]]:
        """The registered state listeners (a copy)."""
        return self._listeners.snapshot()

    def _on_state(self, state: ZkState) -> None:
        # Called from the I/O side: only queue the user code.
        self.logger.info("session state: %s", state)
        if state is ZkState.CONNECTED:
            self._wake_start_waiters()
        self.handler.dispatch_callback(CallbackKind.SESSION, self._fire_listeners, state)

    def _wake_start_waiters(self) -> None:
        for waiter in list(self._start_waiters):
            waiter.set()

    def _fire_listeners(self, state: ZkState) -> None:
        self._listeners.fire(state)

    # -------------------------------------------------------------- life cycle

    def start(self, timeout: float = 15) -> None:
        """Connect and wait up to ``timeout`` seconds for a session.

        Raises the handler's timeout exception (ZkTimeoutError) and stops the
        client if no session was established in time; raises AuthFailedError
        (without waiting out ``timeout``; ``client_state`` AUTH_FAILED) when the
        server refused the SASL login. The timeout's message names each host
        tried and its last error. ``timeout`` is a finite number of seconds >= 0
        (InvalidTypeError/InvalidArgumentError otherwise, before anything starts).
        """
        timeout = check_seconds(timeout, "timeout")
        waiter = self.handler.event_object()
        self._start_waiters.append(waiter)
        try:
            self.start_async()
            if not self.connected:
                waiter.wait(timeout)
        finally:
            self._start_waiters.remove(waiter)
        if not self.connected:
            auth_failed = self._transport.keeper_state is KeeperState.AUTH_FAILED
            self.stop()
            if auth_failed:
                raise AuthFailedError("authentication failed: the server refused the client's login")
            errors = self._transport.connect_errors
            raise self.handler.timeout_exception(start_timeout_message(timeout, errors))
        if self._config.chroot and not self._chroot_exists():
            warnings.warn(f"the chroot {self._config.chroot!r} does not exist; create it before use",
                          stacklevel=2)

    def _chroot_exists(self) -> bool:
        try:
            self._submit(ExistsRequest("/")).get(timeout=self._config.session_timeout)
        except NoNodeError:
            return False
        except ZkException:
            return True  # cannot tell now: do not warn
        return True

    def start_async(self) -> Any:
        """Start connecting; return an event that is set once connected."""
        if self._transport.running:
            return self._transport.live
        self._started = True
        self.handler.start()
        self._transport.start()
        return self._transport.live

    def stop(self) -> None:
        """Close the session (its ephemeral nodes go away) and stop the handler.

        Requests still outstanding fail with ConnectionClosedError. Safe to
        call twice, while reconnecting, or from a callback.
        """
        if not self._started:
            return
        if not self._transport.stop(max(10.0, self._config.session_timeout)):
            raise WriterNotClosedException("the connection loop did not stop in time")
        self._started = False
        self.handler.stop()

    def restart(self) -> None:
        """Stop, then start with a new session."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Free the client's resources (stops it first if still running)."""
        self.stop()

    def retry(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``func(*args, **kwargs)`` under a fresh copy of ``command_retry``."""
        return self._retry.copy()(func, *args, **kwargs)

    # ---------------------------------------------------- the drivers' port

    def _submit(self, request: Any, converter: Converter | None = None) -> AsyncResult[Any]:
        """Queue ``request``; the returned result completes with its reply."""
        result: AsyncResult[Any] = self.handler.async_result()
        self._transport.submit(request, result, converter)
        return result

    def _add_auth(self, scheme: str, credential: str) -> AsyncResult[bool]:
        result: AsyncResult[bool] = self.handler.async_result()
        self._transport.add_auth(scheme, credential, result)
        return result

    def _snapshot(self) -> SessionView:
        client_id = self._transport.client_id
        return SessionView(self._transport.running, self.connected, client_id[0] if client_id else None,
                           self._transport.session_timeout, time.monotonic())

    def _new_result(self) -> AsyncResult[Any]:
        return self.handler.async_result()

    # -------------------------------------------------------------- builders

    def transaction(self) -> TransactionRequest:
        """A new transaction builder (commit() sends it atomically)."""
        return TransactionRequest(self)

    def multi_read(self) -> MultiReadBuilder:
        """A read-only multi builder (``get``, ``get_children``, then ``commit()``)."""
        return MultiReadBuilder(self)

    # ----------------------------------------------------- four-letter words

    def command(self, cmd: bytes = b"ruok") -> str:
        """Send a four-letter word to the current server over its own short connection.

        Returns the server's text answer. Raises ConnectionLoss when not connected.
        """
        word = check_word(cmd)
        server = self._transport.current_server
        if not self.connected or server is None:
            raise ConnectionLoss("No connection to server")
        host, peer = server
        return exchange(self.handler, (str(peer[0]), int(peer[1])), host.host, word,
                        max(self.session_timeout, 1.0), self._config.ssl.as_dict())

    def server_version(self, retries: int = 3) -> tuple[int, ...]:
        """The current server's version, e.g. ``(3, 8, 0)`` (from ``envi``)."""
        for _ in range(1 + max(0, retries)):
            match = _VERSION.search(self.command(b"envi"))
            if match:
                return tuple(int(x) for x in match.groups())
        raise ZkException(f"unable to read the server version after {1 + max(0, retries)} tries")

    # ------------------------------------------------------- recipe factories
    # ``zk.Lock(path, ...)`` is ``Lock(zk, path, ...)``, typed from Lock.__init__.

    Barrier = recipe(_R + "barrier.Barrier", barrier.Barrier if TYPE_CHECKING else None)
    Counter = recipe(_R + "counter.Counter", counter.Counter if TYPE_CHECKING else None)
    DoubleBarrier = recipe(_R + "barrier.DoubleBarrier", barrier.DoubleBarrier if TYPE_CHECKING else None)
    ChildrenWatch = recipe(_R + "watchers.ChildrenWatch", watchers.ChildrenWatch if TYPE_CHECKING else None)
    DataWatch = recipe(_R + "watchers.DataWatch", watchers.DataWatch if TYPE_CHECKING else None)
    PatientChildrenWatch = recipe(
        _R + "watchers.PatientChildrenWatch", watchers.PatientChildrenWatch if TYPE_CHECKING else None)
    Election = recipe(_R + "election.Election", election.Election if TYPE_CHECKING else None)
    Lock = recipe(_R + "lock.Lock", lock.Lock if TYPE_CHECKING else None)
    ReadLock = recipe(_R + "lock.ReadLock", lock.ReadLock if TYPE_CHECKING else None)
    WriteLock = recipe(_R + "lock.WriteLock", lock.WriteLock if TYPE_CHECKING else None)
    Semaphore = recipe(_R + "semaphore.Semaphore", semaphore.Semaphore if TYPE_CHECKING else None)
    NonBlockingLease = recipe(
        _R + "lease.NonBlockingLease", lease.NonBlockingLease if TYPE_CHECKING else None)
    MultiNonBlockingLease = recipe(
        _R + "lease.MultiNonBlockingLease", lease.MultiNonBlockingLease if TYPE_CHECKING else None)
    Party = recipe(_R + "party.Party", party.Party if TYPE_CHECKING else None)
    ShallowParty = recipe(_R + "party.ShallowParty", party.ShallowParty if TYPE_CHECKING else None)
    Queue = recipe(_R + "queue.Queue", queue.Queue if TYPE_CHECKING else None)
    LockingQueue = recipe(_R + "queue.LockingQueue", queue.LockingQueue if TYPE_CHECKING else None)
    SetPartitioner = recipe(
        _R + "partitioner.SetPartitioner", partitioner.SetPartitioner if TYPE_CHECKING else None)
    TreeCache = recipe(_R + "cache.TreeCache", cache.TreeCache if TYPE_CHECKING else None)
