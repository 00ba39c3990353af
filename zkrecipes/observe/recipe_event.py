"""``RecipeEvent``: a lock-like recipe was acquired, released, lost, or gave up."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["RecipeEvent", "RecipePhase"]


class RecipePhase(str, enum.Enum):
    """What the recipe did."""

    ACQUIRED = "acquired"
    """Held after waiting ``wait`` seconds."""
    FAILED = "failed"
    """Not acquired (timeout, not blocking, cancelled, error) after ``wait`` seconds."""
    RELEASED = "released"
    """Released after holding it ``hold`` seconds."""
    LOST = "lost"
    """Lost with the session after holding it ``hold`` seconds."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class RecipeEvent:
    """``recipe`` (``"lock"``, ``"write_lock"``, ``"read_lock"``, ``"semaphore"``,
    ``"election"``) on ``path`` reached ``phase``; ``wait`` (acquired, failed) and
    ``hold`` (released, lost) in seconds, 0.0 where they do not apply."""

    recipe: str
    path: str
    phase: RecipePhase
    wait: float = 0.0
    hold: float = 0.0
    error: BaseException | None = None
