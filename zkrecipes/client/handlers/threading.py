"""The OS-thread handler: three daemon worker threads, standard-library sockets.

Use it in ordinary threaded programs. Do not use it in a gevent program (use
:class:`~zkrecipes.client.handlers.gevent.SequentialGeventHandler`).
"""

from __future__ import annotations

import _thread
import queue
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

from zkrecipes.client.handlers._async_result import AsyncResultBase, Waiter
from zkrecipes.client.handlers._base import SequentialHandlerBase
from zkrecipes.client.handlers._sockets import create_tcp_connection, selector_select
from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.exceptions import InvalidTypeError

__all__ = ["SequentialThreadingHandler", "ThreadingAsyncResult"]


class ThreadingAsyncResult(AsyncResultBase):
    """The threading handler's async result: get/wait/set from any thread."""

    __slots__ = ()


def _new_acquired_lock() -> Waiter:
    lock = _thread.allocate_lock()
    lock.acquire()
    return lock


class SequentialThreadingHandler(SequentialHandlerBase):
    """Runs callbacks on three daemon threads, one per :class:`CallbackKind`.

    Callbacks of one kind run one at a time, in dispatch order; a callback
    that blocks (even one waiting on an async result the I/O loop completes)
    holds back only its own queue. Every method may be called from any thread.
    """

    name = "sequential_threading_handler"
    sleep_func = staticmethod(time.sleep)

    def __init__(self) -> None:
        super().__init__()
        self._results_lock = _thread.allocate_lock()
        self._state_lock = _thread.allocate_lock()

    # ------------------------------------------------------------ backend hooks

    def _make_queue(self) -> queue.SimpleQueue[Any]:
        return queue.SimpleQueue()

    def _spawn_worker(self, kind: CallbackKind, target: Callable[[], None]) -> threading.Thread:
        thread = threading.Thread(target=target, name=f"zkrecipes-{kind.value}-worker", daemon=True)
        thread.start()
        return thread

    def _current_worker(self) -> threading.Thread:
        return threading.current_thread()

    def _join_worker(self, worker: threading.Thread, timeout: float | None) -> bool:
        worker.join(timeout)
        return not worker.is_alive()

    def _new_waiter(self) -> Waiter:
        return _new_acquired_lock()

    # ---------------------------------------------------------------- primitives

    def select(
        self,
        rlist: Any,
        wlist: Any,
        xlist: Any,
        timeout: float | None = None,
    ) -> tuple[list[Any], list[Any], list[Any]]:
        """``select.select`` semantics over a selector (no 1024-descriptor limit).

        The third list is always empty: exceptional conditions are not reported.
        """
        return selector_select(rlist, wlist, xlist, timeout, selectors.DefaultSelector)

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

        See :func:`zkrecipes.client.handlers._sockets.create_tcp_connection`.
        """
        return create_tcp_connection(
            socket,
            ssl,
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

    def caller_may_write(self) -> bool:
        """True: any thread may write to this handler's plain sockets (one writer at a time)."""
        return True

    def socketpair(self) -> tuple[socket.socket, socket.socket]:
        """A connected pair of stream sockets."""
        return socket.socketpair()

    def event_object(self) -> threading.Event:
        """A new :class:`threading.Event`."""
        return threading.Event()

    def lock_object(self) -> threading.Lock:
        """A new :class:`threading.Lock`."""
        return threading.Lock()

    def rlock_object(self) -> threading.RLock:
        """A new :class:`threading.RLock`."""
        return threading.RLock()

    def async_result(self) -> ThreadingAsyncResult:
        """A new, unset :class:`ThreadingAsyncResult`."""
        return ThreadingAsyncResult(self)

    def spawn(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> threading.Thread:
        """Run ``func(*args, **kwargs)`` on a new daemon thread; return the thread."""
        if not callable(func):
            raise InvalidTypeError(f"spawn() needs a callable, not {type(func).__name__}")
        thread = threading.Thread(target=func, args=args, kwargs=kwargs, daemon=True)
        thread.start()
        return thread
