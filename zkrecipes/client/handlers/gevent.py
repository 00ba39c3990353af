"""The gevent handler: three worker greenlets, gevent's cooperative sockets.

gevent is an optional dependency: it is imported when a
:class:`SequentialGeventHandler` is created, and creating one without gevent
installed raises :class:`~zkrecipes.exceptions.ConfigurationError`.

Works with and without ``gevent.monkey.patch_all()``: the handler always uses
gevent's own socket, ssl, selectors, event, queue and lock types. Threads:

* The *hub thread* is the thread that created (and last started) the handler;
  ``start``/``stop``, ``spawn``, the I/O loop (the connection runs it with
  ``handler.spawn``) and the worker greenlets live there.
* ``AsyncResult.set``/``set_exception`` and ``dispatch_callback`` may also be
  called from another OS thread: the work is handed to the hub through a
  thread-safe async watcher, so greenlet waiters still wake and callbacks still
  run on the workers, in order.
* ``AsyncResult.get``/``wait`` may be called from greenlets of the hub thread
  (they yield to the hub) or from another OS thread (it blocks on an OS lock).
"""

from __future__ import annotations

import _thread
import collections
import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from zkrecipes.client.handlers._async_result import AsyncResultBase, Waiter
from zkrecipes.client.handlers._base import SequentialHandlerBase, log
from zkrecipes.client.handlers._kazoo_surface import kazoo_callback
from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.exceptions import ConfigurationError, InvalidTypeError

__all__ = ["GeventAsyncResult", "SequentialGeventHandler"]


def _import_gevent() -> dict[str, ModuleType]:
    names = ("gevent", "gevent.event", "gevent.lock", "gevent.monkey", "gevent.queue",
             "gevent.selectors", "gevent.socket", "gevent.ssl")
    try:
        return {name: importlib.import_module(name) for name in names}
    except ImportError as exc:
        raise ConfigurationError(
            "SequentialGeventHandler needs gevent: install it with `pip install zkrecipes[gevent]`"
        ) from exc


class GeventAsyncResult(AsyncResultBase):
    """The gevent handler's async result (see the module docstring for threads)."""

    __slots__ = ()


class _HubWaiter:
    """A waiter for a greenlet of the hub thread: a gevent Event set from any thread."""

    __slots__ = ("_event", "_handler")

    def __init__(self, handler: SequentialGeventHandler) -> None:
        self._handler = handler
        self._event = handler._event_cls()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return bool(self._event.wait(None if timeout < 0 else timeout))

    def release(self) -> None:
        self._handler._call_in_hub(self._event.set)


class SequentialGeventHandler(SequentialHandlerBase):
    """Runs callbacks on three greenlets, one per :class:`CallbackKind`.

    Callbacks of one kind run one at a time, in dispatch order; a callback
    that blocks (cooperatively) holds back only its own queue.
    """

    name = "sequential_gevent_handler"

    def __init__(self) -> None:
        mods = _import_gevent()
        super().__init__()
        self._gevent = mods["gevent"]
        self._socket_module = mods["gevent.socket"]
        self._ssl_module = mods["gevent.ssl"]
        self._selectors_module = mods["gevent.selectors"]
        self._gevent_queue = mods["gevent.queue"]
        self.queue_impl = self._gevent_queue.Queue
        self.queue_empty = self._gevent_queue.Empty
        self._gevent_lock = mods["gevent.lock"]
        self._event_cls: Any = mods["gevent.event"].Event
        self._fatal_exceptions = (mods["gevent"].GreenletExit,)
        monkey = mods["gevent.monkey"]
        self._get_ident: Callable[[], int] = monkey.get_original("_thread", "get_ident")
        self._allocate_lock: Callable[[], Any] = monkey.get_original("_thread", "allocate_lock")
        self._results_lock: _thread.LockType = self._allocate_lock()
        self._state_lock: _thread.LockType = self._allocate_lock()
        self._hub_ident: int = self._get_ident()
        self._inbox: collections.deque[tuple[Callable[..., Any], tuple[Any, ...]]] = collections.deque()
        self._draining = False
        self._async_watcher: Any = None
        self.sleep_func: Callable[[float], Any] = self._gevent.sleep

    # ------------------------------------------------------------ cross-thread

    def _in_hub_thread(self) -> bool:
        return bool(self._get_ident() == self._hub_ident)

    def caller_may_write(self) -> bool:
        """True when called from the hub's thread: only its greenlets may use its sockets."""
        return self._in_hub_thread()

    def _call_in_hub(self, func: Callable[..., Any], *args: Any) -> None:
        """Run ``func(*args)`` now if in the hub thread, else soon in a hub greenlet (FIFO)."""
        if self._in_hub_thread() or self._async_watcher is None:
            func(*args)
            return
        self._inbox.append((func, args))
        self._async_watcher.send()

    def _on_async(self) -> None:
        # Runs in the hub itself: must not block, so draining goes to a greenlet.
        if not self._draining and self._inbox:
            self._draining = True
            self._gevent.spawn(self._drain_inbox)

    def _drain_inbox(self) -> None:
        try:
            while self._inbox:
                func, args = self._inbox.popleft()
                try:
                    func(*args)
                except Exception:
                    log.exception("%s: exception handing work to the hub", self.name)
        finally:
            self._draining = False

    # ------------------------------------------------------------ backend hooks

    def _on_start(self) -> None:
        ident = self._get_ident()
        if self._async_watcher is None or ident != self._hub_ident:
            if self._async_watcher is not None:
                self._async_watcher.close()
            self._hub_ident = ident
            self._async_watcher = self._gevent.get_hub().loop.async_()
            self._async_watcher.start(self._on_async)
        # Referenced while running, so a greenlet waiting for a result that
        # another thread will set does not make the hub think it would block forever.
        self._async_watcher.ref = True

    def stop(self, timeout: float | None = 10.0) -> None:
        """See :meth:`SequentialHandlerBase.stop`; call it from the hub thread."""
        super().stop(timeout)
        if not self._running and self._async_watcher is not None:
            self._async_watcher.ref = False

    def _make_queue(self) -> Any:
        return self._gevent_queue.SimpleQueue()

    def _spawn_worker(self, kind: CallbackKind, target: Callable[[], None]) -> Any:
        return self._gevent.spawn(target)

    def _current_worker(self) -> Any:
        return self._gevent.getcurrent()

    def _join_worker(self, worker: Any, timeout: float | None) -> bool:
        worker.join(timeout)
        dead: bool = worker.dead
        return dead

    def _new_waiter(self) -> Waiter:
        if self._in_hub_thread():
            return _HubWaiter(self)
        lock = self._allocate_lock()
        lock.acquire()
        return lock  # type: ignore[no-any-return]

    def dispatch_callback(self, kind: Any, func: Callable[..., Any] | None = None, *args: Any) -> None:
        """Queue ``func(*args)`` on the ``kind`` queue (FIFO); callable from any thread.

        kazoo's form ``dispatch_callback(Callback(type, func, args))`` works too.
        """
        if func is None:
            kind, func, args = kazoo_callback(kind)
        if self._in_hub_thread() or not self._running:
            super().dispatch_callback(kind, func, *args)
            return
        if not callable(func):
            raise InvalidTypeError(f"callback must be callable, not {type(func).__name__}")
        self._call_in_hub(super().dispatch_callback, kind, func, *args)

    # ---------------------------------------------------------------- primitives

    def event_object(self) -> Any:
        """A new :class:`gevent.event.Event`."""
        return self._event_cls()

    def lock_object(self) -> Any:
        """A new :class:`gevent.lock.Semaphore` (a lock for greenlets)."""
        return self._gevent_lock.Semaphore(1)

    def rlock_object(self) -> Any:
        """A new :class:`gevent.lock.RLock`."""
        return self._gevent_lock.RLock()

    def async_result(self) -> GeventAsyncResult:
        """A new, unset :class:`GeventAsyncResult`."""
        return GeventAsyncResult(self)

    def spawn(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``func(*args, **kwargs)`` in a new greenlet; return the greenlet."""
        if not callable(func):
            raise InvalidTypeError(f"spawn() needs a callable, not {type(func).__name__}")
        return self._gevent.spawn(func, *args, **kwargs)
