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
    queue_impl = queue.Queue
    queue_empty = queue.Empty
    _socket_module = socket
    _ssl_module = ssl
    _selectors_module = selectors

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

    def caller_may_write(self) -> bool:
        """True: any thread may write to this handler's plain sockets (one writer at a time)."""
        return True

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
