"""The AsyncResult shared by both handlers.

It is on the client's hot path (one per request), so it is slotted, holds no
lock or condition of its own (it shares its handler's short-held OS lock), and
creates a waiter only when somebody actually blocks on it.

Semantics (kazoo's):

* ``set``/``set_exception`` may be called more than once; the *later* call
  wins, wakes nobody new (waiters were woken by the first) and dispatches the
  linked callbacks again, as kazoo and gevent do.
* Linked callbacks (``rawlink``) run on the handler's COMPLETION queue, with the
  result as their only argument. While the handler is stopped they run at once
  in the thread that sets the result (kazoo's behaviour).
* Linking to a result that is already ready dispatches *that* callback once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol

from zkrecipes.client.handlers._sockets import check_timeout
from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.exceptions import InvalidTypeError, ZkTimeoutError

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    T = TypeVar("T", default=Any)
else:
    from typing import TypeVar

    T = TypeVar("T")

__all__ = ["AsyncResultBase", "ResultHost", "Waiter"]

_NOT_READY: Final[Any] = object()
_TIMEOUT_MAX: Final = threading.TIMEOUT_MAX


class Waiter(Protocol):
    """A pre-acquired lock-like object: ``acquire`` blocks until ``release``.

    ``release`` must be callable from any thread; ``acquire`` is called once, by
    the waiting thread or greenlet.
    """

    def acquire(self, blocking: bool = ..., timeout: float = ...) -> bool: ...

    def release(self) -> None: ...


class ResultHost(Protocol):
    """What a result needs from its handler (the handler base provides it)."""

    @property
    def _results_lock(self) -> AbstractContextManager[Any]: ...

    def _new_waiter(self) -> Waiter: ...

    def dispatch_callback(self, kind: CallbackKind, func: Callable[..., Any], *args: Any) -> None: ...


class AsyncResultBase(Generic[T]):
    """A one-time result (of type ``T``) bound to a handler; see the module docstring for semantics.

    Thread safety: ``set``/``set_exception``/``rawlink``/``unlink`` may be called
    from any thread; ``get``/``wait`` from any thread (threading handler) or from
    any greenlet or thread (gevent handler, see its docs).
    """

    __slots__ = ("__weakref__", "_callbacks", "_exception", "_handler", "_waiters", "value")

    def __init__(self, handler: ResultHost) -> None:
        self._handler = handler
        self.value: T = None  # type: ignore[assignment]
        self._exception: Any = _NOT_READY
        self._waiters: list[Waiter] | None = None
        self._callbacks: list[Callable[[AsyncResultBase[T]], object]] | None = None

    def __repr__(self) -> str:
        if self._exception is _NOT_READY:
            state = "pending"
        elif self._exception is None:
            state = f"value={self.value!r}"
        else:
            state = f"exception={self._exception!r}"
        return f"<{type(self).__name__} {state}>"

    @property
    def exception(self) -> BaseException | None:
        """The stored exception; None while not ready or when a value is stored."""
        exc = self._exception
        return None if exc is _NOT_READY else exc

    def ready(self) -> bool:
        """True once a value or an exception is stored."""
        return self._exception is not _NOT_READY

    def successful(self) -> bool:
        """True once a value (not an exception) is stored."""
        return self._exception is None

    def set(self, value: T = None) -> None:  # type: ignore[assignment]
        """Store ``value``; wake every waiter; dispatch every linked callback."""
        self._complete(value, None)

    def set_exception(self, exception: BaseException) -> None:
        """Store ``exception`` (an instance); wake every waiter; dispatch the callbacks.

        Raises :class:`InvalidTypeError` if ``exception`` is not an exception instance.
        """
        if not isinstance(exception, BaseException):
            raise InvalidTypeError(
                f"set_exception() needs an exception instance, not {type(exception).__name__}"
            )
        self._complete(None, exception)  # type: ignore[arg-type]

    def _complete(self, value: T, exception: BaseException | None) -> None:
        with self._handler._results_lock:
            self.value = value
            self._exception = exception
            waiters = self._waiters
            self._waiters = None
            callbacks = tuple(self._callbacks) if self._callbacks else None
        if waiters is not None:
            for waiter in waiters:
                waiter.release()
        if callbacks is not None:
            dispatch = self._handler.dispatch_callback
            for callback in callbacks:
                dispatch(CallbackKind.COMPLETION, callback, self)

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        """Return the stored value, or raise the stored exception.

        Blocks until the result is ready, at most ``timeout`` seconds (None:
        forever). Raises :class:`ZkTimeoutError` if it is still not ready then,
        or at once when ``block`` is false.
        """
        exc = self._exception
        if exc is _NOT_READY:
            if not block or not self._wait(timeout):
                raise ZkTimeoutError(
                    "result not ready" if not block else f"result not ready after {timeout} s"
                )
            exc = self._exception
        if exc is None:
            return self.value
        raise exc

    def get_nowait(self) -> T:
        """Return the value or raise the exception; :class:`ZkTimeoutError` if not ready."""
        return self.get(block=False)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ready (at most ``timeout`` seconds); return whether it is ready."""
        if self._exception is not _NOT_READY:
            return True
        return self._wait(timeout)

    def _wait(self, timeout: float | None) -> bool:
        seconds = check_timeout(timeout)
        if seconds is not None and seconds <= 0:
            return self._exception is not _NOT_READY
        handler = self._handler
        waiter = handler._new_waiter()
        with handler._results_lock:
            if self._exception is not _NOT_READY:
                return True
            if self._waiters is None:
                self._waiters = [waiter]
            else:
                self._waiters.append(waiter)
        if seconds is None:
            woken = waiter.acquire(True, -1)
        else:
            woken = waiter.acquire(True, min(seconds, _TIMEOUT_MAX))
        if woken:
            return True
        with handler._results_lock:
            waiters = self._waiters
            if waiters is not None:
                try:
                    waiters.remove(waiter)
                except ValueError:
                    pass
            return self._exception is not _NOT_READY

    def rawlink(self, callback: Callable[[AsyncResultBase[T]], object]) -> None:
        """Arrange for ``callback(self)`` to run on the COMPLETION queue when set.

        If the result is already ready, ``callback`` (and only it) is dispatched
        once, now. Linking the same callback twice registers it once.
        """
        if not callable(callback):
            raise InvalidTypeError(f"rawlink() needs a callable, not {type(callback).__name__}")
        with self._handler._results_lock:
            if self._callbacks is None:
                self._callbacks = [callback]
            elif callback not in self._callbacks:
                self._callbacks.append(callback)
            ready = self._exception is not _NOT_READY
        if ready:
            self._handler.dispatch_callback(CallbackKind.COMPLETION, callback, self)

    def unlink(self, callback: Callable[[AsyncResultBase[T]], object]) -> None:
        """Remove ``callback`` from the linked callbacks; no error if it is absent.

        A callback already dispatched to the queue still runs.
        """
        with self._handler._results_lock:
            if self._callbacks is not None:
                try:
                    self._callbacks.remove(callback)
                except ValueError:
                    pass
