"""The states of a leadership recipe's state stream: PENDING, LEADER, RESIGNED, CLOSED, each with its epoch.

Shared by :class:`~.leader_latch.LeaderLatch`, :class:`~.leader_selector.LeaderSelector`,
their asyncio forms and the kazoo-layout ``Election``. The **epoch** of a
leadership term is the czxid of the node the leader held (the zxid of the
transaction that created it): it strictly increases from one leader of a path
to the next, whichever process or language leads (the argument is in
:mod:`._leader_rules`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["LeaderStatus", "LeadershipState"]


class LeaderStatus(enum.Enum):
    """Where a participant stands."""

    PENDING = "pending"
    """Queued: our node exists (epoch = its czxid, the term we would lead) or is being made (None)."""
    LEADER = "leader"
    """Leading the term ``epoch``."""
    RESIGNED = "resigned"
    """The term ``epoch`` ended (SUSPENDED, LOST, a reset, the term returned, or close)."""
    CLOSED = "closed"
    """The recipe is closed; the last state of every stream (epoch: the last term led, or None)."""


@dataclass(frozen=True, slots=True)
class LeadershipState:
    """One state of the stream: ``status`` and the ``epoch`` it is about (None where there is none)."""

    status: LeaderStatus
    epoch: int | None = None

    @property
    def is_leader(self) -> bool:
        """True for the LEADER state."""
        return self.status is LeaderStatus.LEADER

    def __repr__(self) -> str:
        return f"LeadershipState({self.status.value}, epoch={self.epoch})"
