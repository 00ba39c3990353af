"""Participant: one contender of a LeaderLatch (or LeaderSelector) as read from ZooKeeper."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Participant"]


@dataclass(frozen=True, slots=True)
class Participant:
    """A contender's id (its node's data, UTF-8) and whether it leads.

    ``Participant("", False)`` stands for "nobody", as Curator's empty participant.
    """

    id: str
    is_leader: bool
