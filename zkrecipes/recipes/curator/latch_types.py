"""The types of LeaderLatch: its listener Protocol, close modes and life-cycle states."""

from __future__ import annotations

import enum
from typing import Protocol

__all__ = ["CloseMode", "LatchState", "LeaderLatchListener"]


class LeaderLatchListener(Protocol):
    """Told when leadership is gained and lost (called on the latch's worker or session thread)."""

    def is_leader(self) -> None:
        """This latch became the leader."""

    def not_leader(self) -> None:
        """This latch stopped being the leader."""


class CloseMode(enum.Enum):
    """What ``close()`` tells the listeners: nothing (SILENT, Curator's default) or ``not_leader``."""

    SILENT = "SILENT"
    NOTIFY_LEADER = "NOTIFY_LEADER"


class LatchState(enum.Enum):
    """A latch's life cycle: LATENT (made), STARTED, CLOSED."""

    LATENT = "LATENT"
    STARTED = "STARTED"
    CLOSED = "CLOSED"
