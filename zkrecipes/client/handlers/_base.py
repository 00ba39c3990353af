"""The three sequential callback queues, shared by both handlers.

A subclass supplies the concurrency primitives (queue type, how to spawn and
join a worker, the OS lock, the waiter used by blocking ``AsyncResult.get``);
this class owns the lifecycle and the guarantees:

* one FIFO queue and one worker per :class:`CallbackKind`;
* a callback's exception is logged on ``zkrecipes.handlers`` and the worker
  carries on with the next callback;
* ``stop()`` lets each worker drain what was queued before it, waits for the
  workers at most ``timeout`` seconds, never waits for the worker it is called
  from, and leaves the handler ready for another ``start()``;
* ``dispatch_callback`` on a stopped handler runs the callback at once in the
  calling thread (exceptions logged), so nothing is silently dropped.

The socket primitives (``select``, ``create_connection``, ``socketpair``) are
implemented here once, over the socket/ssl/selectors modules a subclass names
(the standard library's, or gevent's cooperative ones).
"""

from __future__ import annotations

import _thread
import logging
import selectors
import socket
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, Final, Protocol

from zkrecipes.client.handlers._async_result import AsyncResultBase, Waiter
from zkrecipes.client.handlers._kazoo_surface import QueueView, kazoo_callback
from zkrecipes.client.handlers._sockets import check_timeout, create_tcp_connection, selector_select
from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, ZkTimeoutError

__all__ = ["DEFAULT_STOP_TIMEOUT", "SequentialHandlerBase", "log"]

log = logging.getLogger("zkrecipes.handlers")

DEFAULT_STOP_TIMEOUT: Final = 10.0
"""Seconds ``stop()`` waits for the workers to drain their queues."""

_STOP: Final[Any] = object()


class _WorkQueue(Protocol):
    def put(self, item: Any) -> None: ...

    def get(self) -> Any: ...


class SequentialHandlerBase:
    """Lifecycle and dispatch of the three sequential queues (see module docstring)."""

    name: str = "sequential_handler"
    timeout_exception: type[BaseException] = ZkTimeoutError
    #: kazoo's names of the handler's queue class and its "empty" exception.
    queue_impl: Any
    queue_empty: type[Exception]
    _fatal_exceptions: tuple[type[BaseException], ...] = ()
    #: An ObserverHub (zkrecipes.observe) timing the queued callbacks, or None.
    observer: Any = None

    # Set by subclasses in __init__: a real OS lock, held only for a few
    # bytecodes and never across a blocking call or a greenlet switch.
    _results_lock: _thread.LockType
    _state_lock: _thread.LockType

    # Set by subclasses: the modules the socket primitives use (the standard
    # library's, or gevent's cooperative ones).
    _socket_module: ModuleType
    _ssl_module: ModuleType
    _selectors_module: ModuleType

    def __init__(self) -> None:
        self._running = False
        self._queues: dict[CallbackKind, _WorkQueue] = {}
        self._workers: list[Any] = []

    # ------------------------------------------------------------ backend hooks

    def _make_queue(self) -> _WorkQueue:
        raise NotImplementedError

    def _spawn_worker(self, kind: CallbackKind, target: Callable[[], None]) -> Any:
        raise NotImplementedError

    def _current_worker(self) -> Any:
        """The thread/greenlet running now (compared with ``is`` to the workers)."""
        raise NotImplementedError

    def _join_worker(self, worker: Any, timeout: float | None) -> bool:
        """Wait for ``worker`` at most ``timeout`` s; return True if it has finished."""
        raise NotImplementedError

    def _new_waiter(self) -> Waiter:
        raise NotImplementedError

    def _on_start(self) -> None:
        """Called under the state lock before the workers are spawned."""

    # ----------------------------------------------------------------- lifecycle

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._running

    def start(self) -> None:
        """Start one worker per :class:`CallbackKind` (no-op if already running)."""
        with self._state_lock:
            if self._running:
                return
            self._on_start()
            queues = {kind: self._make_queue() for kind in CallbackKind}
            self._workers = [
                self._spawn_worker(kind, self._worker_loop_for(queue)) for kind, queue in queues.items()
            ]
            self._queues = queues
            self._running = True

    def stop(self, timeout: float | None = DEFAULT_STOP_TIMEOUT) -> None:
        """Stop the workers after they have run what was queued before this call.

        Waits at most ``timeout`` seconds (None: no limit) in total for the workers (a worker
        still busy then finishes its queue in the background and exits; a
        warning is logged). Called from inside a callback, it does not wait for
        the worker running that callback, which finishes its queue after the
        callback returns. No-op when not running. ``start()`` may follow.
        """
        seconds = check_timeout(timeout)
        with self._state_lock:
            if not self._running:
                return
            self._running = False
            queues, workers = self._queues, self._workers
            self._queues, self._workers = {}, []
            for queue in queues.values():
                queue.put(_STOP)
        current = self._current_worker()
        deadline = None if seconds is None else time.monotonic() + seconds
        for worker in workers:
            if worker is current:
                continue
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._join_worker(worker, remaining):
                log.warning("%s: a callback worker did not finish within %s s", self.name, seconds)

    # ------------------------------------------------------------------ dispatch

    def dispatch_callback(self, kind: Any, func: Callable[..., Any] | None = None, *args: Any) -> None:
        """Queue ``func(*args)`` on the ``kind`` queue; FIFO per kind.

        kazoo's form ``dispatch_callback(Callback(type, func, args))`` works too.

        On a stopped handler ``func(*args)`` runs now, in the calling thread.
        Raises :class:`InvalidTypeError` if ``func`` is not callable and
        :class:`InvalidArgumentError` if ``kind`` is not a :class:`CallbackKind`.
        """
        if func is None:
            kind, func, args = kazoo_callback(kind)
        if not callable(func):
            raise InvalidTypeError(f"callback must be callable, not {type(func).__name__}")
        with self._state_lock:
            if self._running:
                try:
                    queue = self._queues[kind]
                except KeyError:
                    raise InvalidArgumentError(f"unknown callback kind {kind!r}") from None
                if self.observer is not None:
                    func, args = self.observer.queues.wrap(kind.value, func, args)
                queue.put((func, args))
                return
        if not isinstance(kind, CallbackKind):
            raise InvalidArgumentError(f"unknown callback kind {kind!r}")
        try:
            func(*args)
        except Exception:
            log.exception("%s: exception in callback %r (run inline: handler stopped)", self.name, func)

    def _run_callback(self, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Run one queued callback on a worker: nothing it raises ends the worker."""
        try:
            func(*args)
        except self._fatal_exceptions:
            raise
        except BaseException:
            log.exception("%s: exception in callback %r", self.name, func)

    def _worker_loop_for(self, queue: _WorkQueue) -> Callable[[], None]:
        def worker_loop() -> None:
            get = queue.get
            run = self._run_callback
            while True:
                item = get()
                if item is _STOP:
                    return
                run(item[0], item[1])
                del item

        return worker_loop

    # ----------------------------------------------------------------- results

    def async_result(self) -> AsyncResultBase:
        """A new, unset async result bound to this handler."""
        return AsyncResultBase(self)

    # ---------------------------------------------------------------- primitives

    def select(
        self,
        rlist: Sequence[Any],
        wlist: Sequence[Any],
        xlist: Sequence[Any],
        timeout: float | None = None,
    ) -> tuple[list[Any], list[Any], list[Any]]:
        """``select.select`` semantics over the handler's selector (no 1024-descriptor limit).

        Cooperative with the gevent handler. The third list is always empty:
        exceptional conditions are not reported.
        """
        return selector_select(rlist, wlist, xlist, timeout, self._selectors_module.DefaultSelector)

    def selector_factory(self) -> Callable[[], selectors.BaseSelector] | None:
        """The selector class matching this handler's own :meth:`select`, or None.

        A transport may keep one selector of this class for a connection's whole
        life instead of building one per wait. None when a subclass overrides
        ``select`` (the transport must then call ``select`` itself).
        """
        if type(self).select is not SequentialHandlerBase.select:
            return None
        factory: Callable[[], selectors.BaseSelector] = self._selectors_module.DefaultSelector
        return factory

    def create_connection(
        self,
        address: tuple[str, int],
        timeout: float | None = None,
        *,
        use_ssl: bool = False,
        ca: str | None = None,
        certfile: str | None = None,
        keyfile: str | None = None,
        keyfile_password: str | None = None,
        verify_certs: bool = True,
        check_hostname: bool = False,
        server_hostname: str | None = None,
    ) -> socket.socket:
        """Connect with TCP_NODELAY (and TLS when ``use_ssl``) within ``timeout``.

        Uses the handler's socket and ssl modules (cooperative with gevent).
        See :func:`zkrecipes.client.handlers._sockets.create_tcp_connection`.
        """
        return create_tcp_connection(
            self._socket_module,
            self._ssl_module,
            address,
            timeout,
            use_ssl=use_ssl,
            ca=ca,
            certfile=certfile,
            keyfile=keyfile,
            keyfile_password=keyfile_password,
            verify_certs=verify_certs,
            check_hostname=check_hostname,
            server_hostname=server_hostname,
        )

    def socketpair(self) -> tuple[socket.socket, socket.socket]:
        """A connected pair of stream sockets from the handler's socket module."""
        pair: tuple[socket.socket, socket.socket] = self._socket_module.socketpair()
        return pair

    # ------------------------------------------------------- kazoo's handler names

    create_socket_pair = socketpair

    @property
    def callback_queue(self) -> QueueView:
        """kazoo's callback queue: ``put(func)`` runs ``func()`` on the WATCH queue."""
        return QueueView(self, CallbackKind.WATCH)

    @property
    def completion_queue(self) -> QueueView:
        """kazoo's completion queue: ``put(func)`` runs ``func()`` on the COMPLETION queue."""
        return QueueView(self, CallbackKind.COMPLETION)

    def socket(self, *args: Any) -> Any:
        """A new socket from the handler's socket module (TCP by default), as kazoo's ``socket()``."""
        return self._socket_module.socket(*args)
