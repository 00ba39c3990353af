"""``AsyncZkClient``: the asyncio front end, ``ZkClient``'s API as coroutines.

Composed like ``ZkClient``: a :class:`ClientConfig` (the same constructor
arguments, checked by the same code), an
:class:`~zkrecipes.client.transport.asyncio_transport.AsyncioTransport` used
through its facade, the state listeners and two sequential callback queues
(SESSION: listeners; WATCH: watch callbacks). Its operations are the generated
bindings (:class:`~zkrecipes.aio.bindings.AsyncClientOperations`) of the API
defined once in :mod:`zkrecipes.client.api`; this module adds the life cycle,
the session state, the builders, retry, the iterators and the four-letter words.

Cancellation: every request is one future (a single-request operation returns
it directly, a :class:`~zkrecipes.client.api.aio_driver.Reply`; a multi-step one
is a coroutine awaiting one per step); a cancelled or timed-out await cancels
that future only. The request stays
pending in the session and its late reply is discarded, so the session and the
xid order are never affected. ``await stop()`` and ``close()`` fail every
request still pending with ``ConnectionClosedError``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zkrecipes.aio._callbacks import CallbackQueue
from zkrecipes.aio.bindings import AsyncClientOperations
from zkrecipes.aio.factories import AsyncCuratorRecipeFactories
from zkrecipes.aio.retry import retry_async
from zkrecipes.aio.streams import ChildrenWatchStream, DataWatchStream, EventStream
from zkrecipes.aio.transaction import AsyncMultiRead, AsyncTransaction
from zkrecipes.aio.words import exchange
from zkrecipes.client.api import extras as _extras
from zkrecipes.client.api.aio_driver import Reply
from zkrecipes.client.api.steps import Context, Converter, SessionView
from zkrecipes.client.config import ClientConfig, RetryOption
from zkrecipes.client.factories import recipe
from zkrecipes.client.listeners import StateListeners
from zkrecipes.client.protocol.checks import check_seconds
from zkrecipes.client.protocol.opcodes import AddWatchMode, WatcherType
from zkrecipes.client.session.pacing import start_timeout_message
from zkrecipes.client.transport.asyncio_transport import AsyncioTransport, SocketOpener
from zkrecipes.client.words import check_word
from zkrecipes.exceptions import (
    AuthFailedError,
    ConfigurationError,
    ConnectionClosedError,
    ConnectionLoss,
    WriterNotClosedException,
    ZkException,
    ZkTimeoutError,
)
from zkrecipes.retry import RetryPolicy
from zkrecipes.security import ACL
from zkrecipes.states import KeeperState, WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.aio.recipes import (
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

__all__ = ["AsyncZkClient"]

_R = "zkrecipes.aio.recipes."

log = logging.getLogger("zkrecipes.aio")
_VERSION = re.compile(r"zookeeper\.version=(\d+)\.(\d+)\.(\d+)")

Listener = Callable[[ZkState], Any]


def _ignore(event: WatchedEvent) -> None:
    """A placeholder callback for argument checks."""


def _policy(option: RetryOption) -> RetryPolicy:
    """A retry option as a policy (its ``sleep_func`` is unused: asyncio sleeps are awaited)."""
    if option is None:
        return RetryPolicy(max_tries=-1)
    if isinstance(option, RetryPolicy):
        return option
    return RetryPolicy(**{"max_tries": -1, **dict(option)})


class AsyncZkClient(AsyncClientOperations, AsyncCuratorRecipeFactories):
    """A ZooKeeper client for asyncio: ``ZkClient``'s constructor, every operation a coroutine.

    ``await zk.start()`` / ``await zk.stop()`` or ``async with AsyncZkClient(...) as zk``.
    ``handler`` must be None (the event loop is the handler). Listeners and watch
    callbacks may be plain callables or coroutine functions; each kind runs in
    arrival order on its own task, so they may await the client.
    """

    _transport: AsyncioTransport

    def __init__(
        self,
        hosts: str | Sequence[str] = "127.0.0.1:2181",
        timeout: float = 10.0,
        client_id: tuple[int, bytes] | None = None,
        handler: object = None,
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
        if handler is not None:
            raise ConfigurationError("AsyncZkClient runs on the event loop: pass no handler")
        config = ClientConfig.from_kazoo_args(
            hosts, timeout, client_id, default_acl, auth_data, sasl_options, read_only, randomize_hosts,
            connection_retry, command_retry, keyfile, keyfile_password, certfile, ca, use_ssl,
            verify_certs, check_hostname, **kwargs,
        )
        self._setup(config, logger, None)

    @classmethod
    def from_config(cls, config: ClientConfig, logger: logging.Logger | None = None, *,
                    open_socket: SocketOpener | None = None) -> AsyncZkClient:
        """A client for an already checked :class:`ClientConfig`.

        ``open_socket(host, timeout)`` replaces opening TCP (tests: a scripted peer).
        """
        client = cls.__new__(cls)
        client._setup(config, logger, open_socket)
        return client

    def _setup(self, config: ClientConfig, logger: logging.Logger | None,
               open_socket: SocketOpener | None) -> None:
        self.logger = logger or log
        self._config = config
        self._retry = _policy(config.command_retry)
        self._listeners = StateListeners(self.logger)
        self._session_queue = CallbackQueue("session")
        self._watch_queue = CallbackQueue("watch")
        self._state_streams: list[EventStream[ZkState]] = []
        self._session_watchers: weakref.WeakSet[Any] = weakref.WeakSet()  # pull streams' flags
        self._start_waiters: list[asyncio.Future[None]] = []
        self._transport = AsyncioTransport(
            hosts=list(config.hosts), chroot=config.chroot, session_timeout=config.session_timeout,
            on_state=self._on_state, on_auth_failed=self._wake_start_waiters, on_watch=self._watch_queue.put,
            connection_retry=_policy(config.connection_retry), client_id=config.client_id,
            read_only=config.read_only, randomize_hosts=config.randomize_hosts, auth_data=config.auth_data,
            ssl_options=config.ssl.as_dict(), sasl=config.sasl, open_socket=open_socket,
        )
        self._ctx = Context(config.default_acl, config.max_request_size,
                            self._transport.remove_local_watchers, config.chroot)
        self._attach_config_observers()

    # configuration and session-state views: FrontEndViews (client/api/views.py)

    @property
    def transport(self) -> AsyncioTransport:
        """The transport (its facade; tests read ``pending_count``)."""
        return self._transport

    # ------------------------------------------------------------- listeners

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(state)`` (a function or a coroutine function) on each change, in order.

        One that returns (or whose coroutine returns) True is removed. Listeners may await the client.
        """
        self._listeners.add(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    @property
    def state_listeners(self) -> list[Listener]:
        return self._listeners.snapshot()

    def _on_state(self, state: ZkState) -> None:
        # On the transport's side: only queue work.
        self.logger.info("session state: %s", state)
        if state is ZkState.CONNECTED:
            self._wake_start_waiters()
        for stream in self._state_streams:
            stream.push(state)
        if state is ZkState.LOST:
            watchers = list(self._session_watchers)
            self._session_watchers.clear()
            for flag in watchers:
                flag.session_lost()
        self._session_queue.put(self._fire_listeners, state)

    def _watch_session(self, flag: Any) -> None:
        """Call ``flag.session_lost()`` on the next LOST (the pull streams' one-shot watches)."""
        self._session_watchers.add(flag)

    def _wake_start_waiters(self) -> None:
        for waiter in self._start_waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _fire_listeners(self, state: ZkState) -> None:
        for listener in self._listeners.snapshot():
            try:
                outcome = listener(state)
                if asyncio.iscoroutine(outcome) or isinstance(outcome, asyncio.Future):
                    outcome = await outcome
                if outcome is True:
                    self._listeners.remove(listener)
            except Exception:
                self.logger.exception("error in state listener %r", listener)

    # -------------------------------------------------------------- life cycle

    async def start(self, timeout: float = 15) -> None:
        """Connect and wait up to ``timeout`` s for a session.

        Raises ZkTimeoutError (and stops) when none was established in time,
        AuthFailedError at once when the server refused the SASL login,
        ConnectionClosedError when stop()/close() ended it. A cancelled start
        before a session exists stops connecting. The timeout's message names
        each host tried and its last error. ``timeout`` is a finite number of
        seconds >= 0 (InvalidTypeError/InvalidArgumentError otherwise, before
        anything starts).
        """
        timeout = check_seconds(timeout, "timeout")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._start_waiters.append(waiter)
        try:
            self._session_queue.start()
            self._watch_queue.start()
            await self._transport.settle()  # a close() just before: its connect task ends first
            self._transport.start()
            if not self.connected:
                await asyncio.wait({waiter}, timeout=timeout)
        except asyncio.CancelledError:
            if not self.connected:
                self._transport.abort()  # a cancelled start leaves nothing connecting behind
            raise
        finally:
            self._start_waiters.remove(waiter)
        if not self.connected:
            auth_failed = self._transport.keeper_state is KeeperState.AUTH_FAILED
            stopped = not self._transport.running
            await self.stop()
            if auth_failed:
                raise AuthFailedError("authentication failed: the server refused the client's login")
            if stopped:
                raise ConnectionClosedError("the client was stopped (or closed) while starting")
            raise ZkTimeoutError(start_timeout_message(timeout, self._transport.connect_errors))

    async def stop(self) -> None:
        """Close the session (its ephemeral nodes go away); pending requests fail with
        ConnectionClosedError. Listeners see LOST before this returns (bounded wait);
        watch callbacks not run yet are dropped. Safe to call twice, while
        reconnecting, or from a listener or a watch callback."""
        if not self._transport.running:
            self._end_streams()
            return
        stopped = await self._transport.stop(max(10.0, self._config.session_timeout))
        self._wake_start_waiters()  # a start() waiting for a session ends now
        await self._session_queue.drain(self._config.session_timeout)  # listeners see LOST
        self._end_streams()
        for queue in (self._session_queue, self._watch_queue):
            if not queue.is_current():  # from a callback, its queue goes on (LOST still runs)
                queue.stop()
        if not stopped:
            raise WriterNotClosedException("the connection task did not stop in time")

    def close(self) -> None:
        """End at once without CloseSession (the server expires the session later):
        every pending request fails with ConnectionClosedError; callback tasks stop."""
        self._transport.abort()
        self._wake_start_waiters()
        self._end_streams()
        self._session_queue.stop()
        self._watch_queue.stop()

    def _end_streams(self) -> None:
        for stream in self._state_streams:
            stream.end()
        self._state_streams.clear()

    async def restart(self) -> None:
        """Stop, then start with a new session."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> AsyncZkClient:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def retry(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Await ``func(*args, **kwargs)`` (a coroutine function or a plain one) under ``command_retry``."""
        return await retry_async(self._retry, func, *args, **kwargs)

    # ---------------------------------------------------- the driver's port

    def _submit(self, request: Any, converter: Converter | None = None) -> Awaitable[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._transport.submit(request, future, converter)
        return future

    def _reply(self, request: Any, converter: Converter | None = None) -> Coroutine[Any, Any, Any]:
        """Send a single request now and return its :class:`Reply` (the fast path).

        Called off the event loop's thread (no running loop there, e.g. to build a
        coroutine for ``run_coroutine_threadsafe``), it returns a coroutine that sends
        the request when it runs on the loop instead.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self._reply_later(request, converter)
        reply: Reply[Any] = Reply(loop=loop)
        self._transport.submit(request, reply, converter)
        return reply

    async def _reply_later(self, request: Any, converter: Converter | None) -> Any:
        return await self._reply(request, converter)

    def _add_auth(self, scheme: str, credential: str) -> Awaitable[bool]:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._transport.add_auth(scheme, credential, future)
        return future

    def _snapshot(self) -> SessionView:
        client_id = self._transport.client_id
        return SessionView(self._transport.running, self.connected, client_id[0] if client_id else None,
                           self._transport.session_timeout, time.monotonic())

    # -------------------------------------------------------------- builders

    def transaction(self) -> AsyncTransaction:
        """A new transaction builder (``await commit()``, or ``async with``)."""
        return AsyncTransaction(self)

    def multi_read(self) -> AsyncMultiRead:
        """A read-only multi builder (``get``, ``get_children``, then ``await commit()``)."""
        return AsyncMultiRead(self)

    # -------------------------------------------------------------- iterators

    def watch_data(self, path: str) -> DataWatchStream:
        """``async for change in zk.watch_data(path)`` (see :class:`.DataWatchStream`)."""
        return DataWatchStream(self, path)

    def watch_children(self, path: str) -> ChildrenWatchStream:
        """``async for names in zk.watch_children(path)`` (see :class:`.ChildrenWatchStream`)."""
        return ChildrenWatchStream(self, path)

    def add_watch_iter(self, path: str, mode: int = AddWatchMode.PERSISTENT_RECURSIVE,
                       maxsize: int = 1024) -> EventStream[WatchedEvent]:
        """A persistent (or persistent-recursive) watch's events as a bounded stream (see
        :mod:`zkrecipes.aio.streams`): ``async for event in zk.add_watch_iter(path): ...``.

        The watch is added by the first read (or on entering ``async with``); closing the
        stream removes its callback (``remove_watches``: the server checks the watch, the
        local registration goes). Argument errors raise here, at once.
        """
        self._ctx_check_watch(path, mode)

        async def add() -> None:
            await self.add_watch(path, callback, mode)

        async def remove() -> None:
            if self._transport.running:
                try:
                    await self.remove_watches(path, callback, WatcherType.ANY)
                except ZkException as exc:
                    self.logger.info("removing the persistent watch on %s failed: %r", path, exc)

        stream: EventStream[WatchedEvent] = EventStream(maxsize, remove, add)
        callback = stream.push  # one bound method: registered and removed as the same watcher
        return stream

    def _ctx_check_watch(self, path: str, mode: int) -> None:
        _extras.add_watch(self._ctx, path, _ignore, mode)  # the operation's own checks, nothing sent

    def states(self, maxsize: int = 64) -> EventStream[ZkState]:
        """``async for state in zk.states()``: every later state change (bounded, drop-oldest);
        ends when the client stops."""
        stream: EventStream[ZkState] = EventStream(maxsize, lambda: self._forget_stream(stream))
        self._state_streams.append(stream)
        return stream

    def _forget_stream(self, stream: EventStream[ZkState]) -> None:
        if stream in self._state_streams:
            self._state_streams.remove(stream)

    # ----------------------------------------------------- recipes (imported on first use)

    Election = recipe(_R + "election.Election", election.Election if TYPE_CHECKING else None)
    Lock = recipe(_R + "lock.Lock", lock.Lock if TYPE_CHECKING else None)
    ReadLock = recipe(_R + "lock.ReadLock", lock.ReadLock if TYPE_CHECKING else None)
    WriteLock = recipe(_R + "lock.WriteLock", lock.WriteLock if TYPE_CHECKING else None)
    Semaphore = recipe(_R + "semaphore.Semaphore", semaphore.Semaphore if TYPE_CHECKING else None)
    Barrier = recipe(_R + "barrier.Barrier", barrier.Barrier if TYPE_CHECKING else None)
    DoubleBarrier = recipe(_R + "barrier.DoubleBarrier", barrier.DoubleBarrier if TYPE_CHECKING else None)
    Counter = recipe(_R + "counter.Counter", counter.Counter if TYPE_CHECKING else None)
    Queue = recipe(_R + "queue.Queue", queue.Queue if TYPE_CHECKING else None)
    LockingQueue = recipe(_R + "queue.LockingQueue", queue.LockingQueue if TYPE_CHECKING else None)
    Party = recipe(_R + "party.Party", party.Party if TYPE_CHECKING else None)
    ShallowParty = recipe(_R + "party.ShallowParty", party.ShallowParty if TYPE_CHECKING else None)
    SetPartitioner = recipe(_R + "partitioner.SetPartitioner",
                            partitioner.SetPartitioner if TYPE_CHECKING else None)
    NonBlockingLease = recipe(_R + "lease.NonBlockingLease",
                              lease.NonBlockingLease if TYPE_CHECKING else None)
    MultiNonBlockingLease = recipe(_R + "lease.MultiNonBlockingLease",
                                   lease.MultiNonBlockingLease if TYPE_CHECKING else None)
    DataWatch = recipe(_R + "watchers.DataWatch", watchers.DataWatch if TYPE_CHECKING else None)
    ChildrenWatch = recipe(_R + "watchers.ChildrenWatch", watchers.ChildrenWatch if TYPE_CHECKING else None)
    TreeCache = recipe(_R + "cache.TreeCache", cache.TreeCache if TYPE_CHECKING else None)

    # ----------------------------------------------------- four-letter words

    async def command(self, cmd: bytes = b"ruok") -> str:
        """Send a four-letter word to the current server over its own short connection.

        Returns the server's text answer. Raises ConnectionLoss when not connected.
        """
        word = check_word(cmd)
        server = self._transport.current_server
        if not self.connected or server is None or not server[1]:
            raise ConnectionLoss("No connection to server")
        host, peer = server
        return await exchange((str(peer[0]), int(peer[1])), host.host, word,
                              max(self.session_timeout, 1.0), self._config.ssl.as_dict())

    async def server_version(self, retries: int = 3) -> tuple[int, ...]:
        """The current server's version, e.g. ``(3, 8, 0)`` (from ``envi``)."""
        for _ in range(1 + max(0, retries)):
            match = _VERSION.search(await self.command(b"envi"))
            if match:
                return tuple(int(x) for x in match.groups())
        raise ZkException(f"unable to read the server version after {1 + max(0, retries)} tries")
