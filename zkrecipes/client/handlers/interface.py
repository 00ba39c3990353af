"""The contract between the handlers and the layers above them.

A *handler* owns every concurrency primitive the connection and the client
use — sockets, ``select``, events, locks, ``spawn``, ``sleep``, an async-result
type and a timeout exception — so that the same connection and client code runs
on OS threads (:class:`~zkrecipes.client.handlers.threading.SequentialThreadingHandler`)
or on gevent greenlets
(:class:`~zkrecipes.client.handlers.gevent.SequentialGeventHandler`).

Every handler runs three sequential callback queues, one per
:class:`CallbackKind`, each with its own worker. Callbacks of one kind run in
the order they were dispatched; a callback that blocks holds back only the
queue it runs on.
"""

from __future__ import annotations

import enum
import socket
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    # A default makes a bare ``AsyncResult`` mean ``AsyncResult[Any]`` (PEP 696);
    # typing_extensions is only needed by the type checker.
    from typing_extensions import TypeVar

    T = TypeVar("T", default=Any)
else:
    from typing import TypeVar

    T = TypeVar("T")

__all__ = ["AsyncResult", "CallbackKind", "Handler", "Joinable"]


class CallbackKind(enum.Enum):
    """Which sequential queue a callback runs on."""

    SESSION = "session"
    """State listeners (``client.add_listener``)."""
    WATCH = "watch"
    """Watch callbacks, DataWatch and ChildrenWatch."""
    COMPLETION = "completion"
    """Callbacks linked to an :class:`AsyncResult` with ``rawlink``."""


@runtime_checkable
class AsyncResult(Protocol[T]):
    """A one-time result of type ``T``: a value or an exception, set once by the producer.

    ``set``/``set_exception`` may be called from the I/O loop; callbacks linked
    with :meth:`rawlink` run on the handler's COMPLETION queue (or immediately in
    the setting thread when the handler is stopped).
    """

    value: T

    @property
    def exception(self) -> BaseException | None:
        """The stored exception, or ``None`` (not ready, or ready with a value)."""
        ...

    def ready(self) -> bool:
        """True once a value or an exception is stored."""
        ...

    def successful(self) -> bool:
        """True once a value (not an exception) is stored."""
        ...

    def set(self, value: T = None) -> None:  # type: ignore[assignment]
        """Store ``value``, wake every waiter and dispatch the linked callbacks."""
        ...

    def set_exception(self, exception: BaseException) -> None:
        """Store ``exception``, wake every waiter and dispatch the linked callbacks."""
        ...

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        """Return the value or raise the stored exception.

        Raises :class:`~zkrecipes.exceptions.ZkTimeoutError` if the result is not
        ready within ``timeout`` (immediately when ``block`` is false).
        """
        ...

    def get_nowait(self) -> T:
        """``get(block=False)``."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ready or ``timeout``; return :meth:`ready`."""
        ...

    def rawlink(self, callback: Callable[[AsyncResult[T]], object]) -> None:
        """Run ``callback(self)`` on the COMPLETION queue when the result is set."""
        ...

    def unlink(self, callback: Callable[[AsyncResult[T]], object]) -> None:
        """Forget a callback added with :meth:`rawlink` (no error if absent)."""
        ...


class Joinable(Protocol):
    """What :meth:`Handler.spawn` returns: a thread or a greenlet."""

    def join(self, timeout: float | None = None) -> Any:
        """Wait until the spawned function has returned (or ``timeout``)."""
        ...


@runtime_checkable
class Handler(Protocol):
    """What the transport and the client need from a handler.

    Optional capabilities, looked up with ``getattr`` by transports (a handler
    without them gets the portable behaviour):

    * ``caller_may_write() -> bool`` — may the calling thread write to this
      handler's plain sockets while the I/O loop reads (one writer at a time)?
    * ``selector_factory() -> Callable[[], selectors.BaseSelector] | None`` —
      a selector class equivalent to the handler's ``select``, that a transport
      may keep for a connection's life.
    """

    name: str
    timeout_exception: type[BaseException]

    def sleep_func(self, seconds: float) -> Any:
        """Sleep cooperatively (time.sleep for threads, gevent.sleep for greenlets)."""
        ...

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        ...

    def start(self) -> None:
        """Start the three queue workers (idempotent)."""
        ...

    def stop(self) -> None:
        """Drain the queues (bounded time) and stop the workers; safe from a callback."""
        ...

    def select(
        self,
        rlist: Sequence[Any],
        wlist: Sequence[Any],
        xlist: Sequence[Any],
        timeout: float | None = None,
    ) -> tuple[list[Any], list[Any], list[Any]]:
        """Wait until an object of ``rlist``/``wlist`` is readable/writable."""
        ...

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
        """Open a TCP (optionally TLS) connection with TCP_NODELAY set."""
        ...

    def socketpair(self) -> tuple[socket.socket, socket.socket]:
        """A connected pair of sockets (the I/O loop's wake-up channel)."""
        ...

    def event_object(self) -> Any:
        """A new Event (threading.Event-like)."""
        ...

    def lock_object(self) -> Any:
        """A new Lock."""
        ...

    def rlock_object(self) -> Any:
        """A new re-entrant Lock."""
        ...

    def async_result(self) -> AsyncResult:
        """A new, unset :class:`AsyncResult` bound to this handler."""
        ...

    def spawn(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Joinable:
        """Run ``func(*args, **kwargs)`` concurrently; return something joinable."""
        ...

    def dispatch_callback(self, kind: CallbackKind, func: Callable[..., Any], *args: Any) -> None:
        """Queue ``func(*args)`` on the ``kind`` queue (FIFO per kind)."""
        ...
