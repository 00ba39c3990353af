"""Deadlines of one connection: read timeout, ping, login and close.

* Until the handshake completes, the connection may stay silent for the
  connect timeout; afterwards for two thirds of the negotiated session timeout
  (the read timeout), and the client pings when it has written nothing for a
  third of it, so a healthy server is never silent that long.
* Writes by callers themselves (the transport's direct route) count as
  activity: they are seen through the protocol's last xid.
* A CloseRequest waits for its answer at most ``min(read timeout, 5 s)``.

Pure: every method takes ``now``.
"""

from __future__ import annotations

__all__ = ["CLOSE_WAIT_MAX", "ConnectionTimers"]

#: The longest wait for the answer to a CloseRequest.
CLOSE_WAIT_MAX = 5.0


class ConnectionTimers:
    """The deadlines of the current connection (reset by :meth:`connection_made`)."""

    __slots__ = ("closing_deadline", "last_recv", "last_send", "ping_interval", "read_timeout", "seen_xid")

    def __init__(self) -> None:
        self.last_recv = self.last_send = 0.0
        self.read_timeout = self.ping_interval = 1.0
        self.closing_deadline: float | None = None
        self.seen_xid = 0

    def connection_made(self, now: float, connect_timeout: float, last_xid: int) -> None:
        """A new connection: silence is allowed for the connect timeout."""
        self.last_recv = self.last_send = now
        self.read_timeout = self.ping_interval = connect_timeout
        self.closing_deadline = None
        self.seen_xid = last_xid

    def negotiated(self, timeout_ms: int) -> None:
        """The handshake fixed the session timeout: read timeout 2/3 of it, ping at 1/3."""
        self.read_timeout = timeout_ms / 1000.0 * 2 / 3
        self.ping_interval = timeout_ms / 1000.0 / 3

    def closing(self, now: float) -> None:
        """A CloseRequest was written: wait a bounded time for its answer."""
        self.closing_deadline = now + min(self.read_timeout, CLOSE_WAIT_MAX)

    def received(self, now: float) -> None:
        self.last_recv = now

    def sent(self, now: float) -> None:
        self.last_send = now

    def note_xid(self, last_xid: int, now: float) -> None:
        """Requests written by callers since the last check count as sending."""
        if last_xid != self.seen_xid:
            self.seen_xid = last_xid
            self.last_send = now

    def read_timed_out(self, now: float) -> bool:
        return now - self.last_recv >= self.read_timeout

    def ping_due(self, now: float) -> bool:
        return now - self.last_send >= self.ping_interval

    def next_deadline(self, pinging: bool) -> float:
        """The earliest time something is due (close, read timeout, or a ping if ``pinging``)."""
        if self.closing_deadline is not None:
            return self.closing_deadline
        deadline = self.last_recv + self.read_timeout
        if pinging:
            deadline = min(deadline, self.last_send + self.ping_interval)
        return deadline
