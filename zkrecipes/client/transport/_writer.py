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
from typing import Any

from zkrecipes.client.transport._poller import WOULD_BLOCK

__all__ = ["SendSide"]


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
