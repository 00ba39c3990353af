"""``ConnectionEvent``: a connection or session milestone (connect, reconnect, drop, expiry)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["ConnectionEvent", "ConnectionEventKind"]


class ConnectionEventKind(str, enum.Enum):
    """What happened to the connection or the session."""

    CONNECTED = "connected"
    """A session was established on a connection (the first one of a run, or a new
    session after the previous one was lost)."""
    RECONNECTED = "reconnected"
    """The same session was resumed on a new connection."""
    DISCONNECTED = "disconnected"
    """A connection that had a session dropped."""
    EXPIRED = "expired"
    """The session was lost (the server said it expired, a reconnect got a new one,
    or it was disconnected for a whole session timeout)."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """``kind`` happened at ``at`` (the client's monotonic clock), on ``server``
    (``"host:port"``, None if none) for session ``session_id`` (0 if none)."""

    kind: ConnectionEventKind
    server: str | None
    session_id: int
    at: float
