"""``WatchEvent``: a watch notification fired."""

from __future__ import annotations

from dataclasses import dataclass

from zkrecipes.states import EventType

__all__ = ["WatchEvent"]


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """A notification of ``type`` for ``path`` (chroot removed) was handed to
    ``watchers`` callbacks (queued on the WATCH queue) at ``at``."""

    type: EventType
    path: str
    watchers: int
    session_id: int
    at: float
