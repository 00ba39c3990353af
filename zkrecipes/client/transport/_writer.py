"""The send side of a transport: bytes waiting to go out, and the route callers may write on.

``out`` holds the bytes the I/O loop still has to write, in wire order; ``sock``
is the socket callers may write to themselves (None while the route is
closed). Both, every xid assignment (the session's ``data_to_send`` and
``encode_direct``) and every write to the socket happen under ``lock``, so
xids are assigned in wire order. Callers only *try* the lock (never block on
it); a caller that cannot take the route queues its request instead, and a
caller only writes when nothing is queued or waiting in ``out``, so one
thread's requests keep their order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from zkrecipes.client.transport._poller import WOULD_BLOCK

if TYPE_CHECKING:
    from zkrecipes.client.session.machine import SessionMachine

__all__ = ["DIRECT_MAX_IN_FLIGHT", "LEFT_TO_LOOP", "NOT_TAKEN", "WRITTEN", "SendSide"]

#: Direct writes only while fewer requests than this await replies: a caller waiting
#: on its reply saves a hand-over to the I/O thread, while a pipelining caller's
#: frames are cheaper batched by the loop into one ``send``.
DIRECT_MAX_IN_FLIGHT: Final = 4

#: Outcomes of :meth:`SendSide.try_direct` (else: the exception refusing the request).
NOT_TAKEN: Final[Any] = object()
WRITTEN: Final[Any] = object()
LEFT_TO_LOOP: Final[Any] = object()


def _never() -> bool:
    return False


class SendSide:
    """The lock, the output buffer and the direct route of one transport."""

    __slots__ = ("lock", "may_write", "out", "sock", "write_error")

    def __init__(self, lock: Any) -> None:
        self.lock = lock
        self.out = bytearray()
        self.sock: Any = None
        self.may_write: Callable[[], bool] = _never  # may the calling thread write?
        self.write_error: OSError | None = None  # a direct write failed: drop the connection

    def open(self, sock: Any, may_write: Callable[[], bool]) -> None:
        """Let callers for whom ``may_write()`` is true write to ``sock`` themselves."""
        with self.lock:
            self.may_write = may_write
            self.sock = sock

    def close(self, *, clear_out: bool = False) -> None:
        """Stop direct writes (under the lock: no caller is mid-write after this)."""
        with self.lock:
            self.sock = None
            if clear_out:
                self.out.clear()
                self.write_error = None

    def try_direct(self, session: SessionMachine, request: Any, result: Any, converter: Any) -> Any:
        """Have the session encode ``request`` and write it on the calling thread.

        Returns NOT_TAKEN (nothing done: the route is closed, something is queued or
        waiting in ``out``, the lock is busy, this thread may not write, or enough is
        in flight to batch instead), WRITTEN, LEFT_TO_LOOP (pending now; the rest of
        the frame waits in ``out``, or the write failed and the loop must drop the
        connection: wake it), or the exception that refused the request.
        """
        if not self.may_write():
            return NOT_TAKEN
        lock = self.lock
        if not lock.acquire(False):
            return NOT_TAKEN
        try:
            sock = self.sock
            if sock is None or self.out or session.pending_count >= DIRECT_MAX_IN_FLIGHT:
                return NOT_TAKEN
            try:
                frame = session.encode_direct(request, result, converter)
            except Exception as exc:  # refused before anything was queued
                return exc
            if frame is None:
                return NOT_TAKEN
            try:
                sent = sock.send(frame)
            except WOULD_BLOCK:
                sent = 0
            except OSError as exc:
                # Pending already: it fails with ConnectionLoss when the loop drops.
                self.sock = None
                self.write_error = exc
                return LEFT_TO_LOOP
            if sent == len(frame):
                return WRITTEN
            self.out += memoryview(frame)[sent:]
            return LEFT_TO_LOOP
        finally:
            lock.release()

    def flush(self, sock: Any) -> bool:
        """Write as much of ``out`` as the socket takes; True if any went out."""
        with self.lock:
            out = self.out
            try:
                sent = sock.send(out)
            except WOULD_BLOCK:
                return False
            if sent:
                del out[:sent]
            return bool(sent)
