"""``StateEvent``: the listener-visible session state changed."""

from __future__ import annotations

from dataclasses import dataclass

from zkrecipes.states import ZkState

__all__ = ["StateEvent"]


@dataclass(frozen=True, slots=True)
class StateEvent:
    """``previous`` → ``state`` (CONNECTED / SUSPENDED / LOST), in the order listeners see
    them; ``previous`` is None for the first change of a client. ``at`` is on the
    client's monotonic clock."""

    previous: ZkState | None
    state: ZkState
    session_id: int
    server: str | None
    at: float
