"""Waiting on one connection: a per-connection poller, and what a socket allows.

With a handler offering ``selector_factory()`` (both stock handlers, unless a
subclass overrides ``select``), the connection's socket and the wake-up socket
are registered once in a selector kept for the connection's life; any other
handler gets one ``handler.select`` call per wait.
"""

from __future__ import annotations

import selectors
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import Handler

__all__ = ["WOULD_BLOCK", "Poller", "direct_write_check", "is_tls_socket"]

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE

#: What a non-blocking send/recv raises when it would block.
WOULD_BLOCK: Final = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


def is_tls_socket(sock: Any) -> bool:
    """True for a standard-library or gevent TLS socket."""
    return isinstance(sock, ssl.SSLSocket) or getattr(sock, "_sslobj", None) is not None


def direct_write_check(handler: Handler, sock: Any) -> Callable[[], bool] | None:
    """Who may write frames straight to ``sock``: a predicate for the calling thread, or
    None when only the I/O loop may (handlers without ``caller_may_write``, TLS sockets).

    Plain TCP sockets of the threading handler can be written from any thread
    (one writer at a time, under the transport's send lock) while the I/O
    thread reads. gevent sockets belong to the hub thread: only its greenlets may.
    """
    if is_tls_socket(sock):
        return None  # OpenSSL objects must not be read and written from two threads
    check = getattr(handler, "caller_may_write", None)
    return check if callable(check) else None


def _selector_factory(handler: Handler) -> Callable[[], selectors.BaseSelector] | None:
    capability = getattr(handler, "selector_factory", None)
    if not callable(capability):
        return None
    factory: Callable[[], selectors.BaseSelector] | None = capability()
    return factory


class Poller:
    """Waits until one connection's socket or the wake-up socket is ready.

    Write interest is registered only while bytes wait to go out. Call
    :meth:`close` when the connection ends (the sockets stay open).
    """

    __slots__ = ("_handler", "_selector", "_sock", "_wake", "_writing")

    def __init__(self, handler: Handler, sock: Any, wake: Any) -> None:
        self._handler = handler
        self._sock = sock
        self._wake = wake
        self._writing = False
        factory = _selector_factory(handler)
        self._selector: selectors.BaseSelector | None = None
        if factory is not None:
            selector = factory()
            try:
                selector.register(sock, _READ)
                selector.register(wake, _READ)
            except BaseException:
                selector.close()
                raise
            self._selector = selector

    def wait(self, want_write: bool, timeout: float) -> tuple[bool, bool, bool]:
        """Block at most ``timeout`` s; return (socket readable, socket writable, woken)."""
        selector = self._selector
        sock = self._sock
        if selector is None:
            readable, writable, _ = self._handler.select(
                [sock, self._wake], [sock] if want_write else [], [], timeout)
            return sock in readable, sock in writable, self._wake in readable
        if want_write is not self._writing:
            selector.modify(sock, _READ | _WRITE if want_write else _READ)
            self._writing = want_write
        can_read = can_write = woken = False
        for key, events in selector.select(timeout):
            if key.fileobj is sock:
                can_read = bool(events & _READ)
                can_write = bool(events & _WRITE)
            else:
                woken = True
        return can_read, can_write, woken

    def close(self) -> None:
        """Release the selector."""
        if self._selector is not None:
            self._selector.close()
            self._selector = None
