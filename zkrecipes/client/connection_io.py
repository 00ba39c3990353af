"""The send side and the waiting of the I/O loop: direct writes, a per-connection poller.

Both adapt to the handler: the two stock handlers get the fast variants (a
selector kept for the whole connection instead of one built per wait; callers
allowed to write frames themselves), and any other handler — or a subclass
that overrides ``select`` — gets the portable behaviour through
``handler.select`` and the request queue only.
"""

from __future__ import annotations

import selectors
import ssl
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import AsyncResult, Handler
    from zkrecipes.client.protocol.session import ZkProtocol

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE

#: Direct writes only while fewer requests than this await replies: a caller waiting
#: on its reply saves a hand-over to the I/O thread, while a pipelining caller's
#: frames are cheaper batched by the loop into one ``send``.
DIRECT_MAX_IN_FLIGHT: Final = 4

#: What a non-blocking send/recv raises when it would block.
WOULD_BLOCK: Final = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


def _selector_factory(handler: Handler) -> Callable[[], selectors.BaseSelector] | None:
    """The selector class matching the handler's own ``select``, if it is a stock one."""
    from zkrecipes.client.handlers.threading import SequentialThreadingHandler

    if isinstance(handler, SequentialThreadingHandler):
        if type(handler).select is SequentialThreadingHandler.select:
            return selectors.DefaultSelector
        return None
    from zkrecipes.client.handlers.gevent import SequentialGeventHandler

    stock = SequentialGeventHandler.select
    if isinstance(handler, SequentialGeventHandler) and type(handler).select is stock:
        import gevent.selectors

        factory: Callable[[], selectors.BaseSelector] = gevent.selectors.DefaultSelector
        return factory
    return None


def direct_write_check(handler: Handler, sock: Any) -> Callable[[], bool] | None:
    """Who may write frames straight to ``sock``: a predicate for the calling thread, or
    None when only the I/O loop may (unknown handlers, TLS sockets).

    Plain TCP sockets of the threading handler can be written from any thread
    (one writer at a time, under the connection's send lock) while the I/O
    thread reads. gevent sockets belong to the hub thread: only its greenlets
    may write.
    """
    if is_tls_socket(sock):
        return None  # OpenSSL objects must not be read and written from two threads
    check = getattr(handler, "caller_may_write", None)
    return check if callable(check) else None


def is_tls_socket(sock: Any) -> bool:
    """True for a standard-library or gevent TLS socket."""
    return isinstance(sock, ssl.SSLSocket) or getattr(sock, "_sslobj", None) is not None


class Poller:
    """Waits until one connection's socket or the wake-up socket is ready.

    With a stock handler, the two sockets are registered once in a selector
    kept for the connection's life (write interest only while bytes wait to
    go out); otherwise each wait is one ``handler.select`` call. Call
    :meth:`close` when the connection ends.
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
        """Release the selector (the sockets stay open)."""
        if self._selector is not None:
            self._selector.close()
            self._selector = None


def _never() -> bool:
    return False


class DirectWriter:
    """The send side of a :class:`~zkrecipes.client.connection.Connection`.

    ``_out`` holds the bytes the I/O loop still has to write, in wire order;
    ``_direct`` is the socket callers may write to themselves (None while the
    route is closed). Both, ``protocol.send`` and every write to the socket
    happen under ``_send_lock``, so xids are assigned in wire order. Callers
    only try the lock (never block on it); a caller that cannot take the route
    queues its request instead, and a caller only writes when nothing is queued
    or waiting in ``_out``, so one thread's requests keep their order.
    """

    handler: Handler
    protocol: ZkProtocol | None
    _queue: deque[Any]
    _stopping: bool

    def _init_direct_writer(self, handler: Handler) -> None:
        self._send_lock: Any = handler.lock_object()
        self._out = bytearray()
        self._direct: Any = None
        self._direct_ok: Callable[[], bool] = _never  # may the calling thread write?
        self._write_error: OSError | None = None  # a direct write failed: drop the connection

    def _wake(self) -> None:
        raise NotImplementedError

    def _try_direct(self, request: Any, result: AsyncResult, converter: Any) -> bool:
        """Write ``request`` from the calling thread if the direct route is open; True if done.

        False (nothing done) when the route closed meanwhile, something is queued or
        waiting to be written (order), the lock is busy, or this thread may not write.
        """
        if not self._direct_ok():
            return False
        lock = self._send_lock
        if not lock.acquire(False):
            return False
        error: Exception | None = None
        try:
            sock = self._direct
            if sock is None or self._queue or self._out:
                return False
            assert self.protocol is not None
            if self.protocol.pending_count >= DIRECT_MAX_IN_FLIGHT:
                return False  # pipelining: let the loop batch frames into one send
            try:
                frame = self.protocol.send(request, (result, converter))
            except Exception as exc:  # refused before anything was queued
                error = exc
            else:
                try:
                    sent = sock.send(frame)
                except WOULD_BLOCK:
                    sent = 0
                except OSError as exc:
                    # Pending already: it fails with ConnectionLoss when the loop drops.
                    self._direct = None
                    self._write_error = exc
                else:
                    if sent == len(frame):
                        return True
                    self._out += memoryview(frame)[sent:]
        finally:
            lock.release()
        if error is not None:
            result.set_exception(error)
        else:
            self._wake()  # the loop writes the rest (or drops after a failed write)
        return True

    def _close_direct(self, *, clear_out: bool = False) -> None:
        """Stop direct writes (under the send lock: no caller is mid-write after this)."""
        lock = self._send_lock
        lock.acquire()
        try:
            self._direct = None
            if clear_out:
                self._out.clear()
        finally:
            lock.release()

    def _open_direct(self, sock: Any) -> None:
        """Let callers write to ``sock`` themselves (when the handler and socket allow it)."""
        check = direct_write_check(self.handler, sock)
        if check is None or self._stopping:
            return
        lock = self._send_lock
        lock.acquire()
        try:
            self._direct_ok = check
            self._direct = sock
        finally:
            lock.release()

    def _append_out(self, data: bytes) -> None:
        lock = self._send_lock
        lock.acquire()
        try:
            self._out += data
        finally:
            lock.release()

    def _flush(self, sock: Any) -> bool:
        """Write as much of the pending output as the socket takes; True if any went out."""
        lock = self._send_lock
        lock.acquire()
        try:
            out = self._out
            try:
                sent = sock.send(out)
            except WOULD_BLOCK:
                return False
            if sent:
                del out[:sent]
            return bool(sent)
        finally:
            lock.release()

