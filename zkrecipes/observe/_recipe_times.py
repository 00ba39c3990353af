"""``RecipeTimes``: the wait and hold times of one lock-like recipe object, for the observers.

Held by the recipe's acquire loop; each method is a no-op (one attribute
lookup) while nobody observes the client. Times come from ``time.monotonic``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable

from zkrecipes.observe.attach import hub_of
from zkrecipes.observe.recipe_event import RecipeEvent, RecipePhase

__all__ = ["RecipeTimes", "recipe_name", "timed_acquire"]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def recipe_name(owner: object) -> str:
    """``Lock`` → ``lock``, ``WriteLock`` → ``write_lock`` (the recipe label)."""
    return _CAMEL.sub("_", type(owner).__name__).lower()


class RecipeTimes:
    """Acquisition start, hold start, and the events (see :class:`RecipePhase`)."""

    __slots__ = ("_acquiring", "_client", "_held", "path", "recipe")

    def __init__(self, client: object, recipe: str, path: str) -> None:
        self._client = client
        self.recipe = recipe
        self.path = path
        self._acquiring = 0.0
        self._held: float | None = None

    def acquiring(self) -> None:
        """An acquisition begins."""
        self._acquiring = time.monotonic()

    def acquired(self, gotten: bool, error: BaseException | None = None) -> None:
        """The acquisition ended: held (``gotten``) or not."""
        now = time.monotonic()
        if gotten:
            if self._held is not None:
                return  # held already by this object (a re-entrant acquire): nothing new
            self._held = now
        hub = hub_of(self._client)
        if hub is not None:
            phase = RecipePhase.ACQUIRED if gotten else RecipePhase.FAILED
            hub.recipe(RecipeEvent(self.recipe, self.path, phase, wait=now - self._acquiring, error=error))

    def ended(self, lost: bool = False) -> None:
        """No longer held: released, or ``lost`` with the session."""
        held, self._held = self._held, None
        if held is None:
            return
        hub = hub_of(self._client)
        if hub is not None:
            phase = RecipePhase.LOST if lost else RecipePhase.RELEASED
            hub.recipe(RecipeEvent(self.recipe, self.path, phase, hold=time.monotonic() - held))

    def __repr__(self) -> str:
        return f"RecipeTimes({self.recipe!r}, {self.path!r})"


async def timed_acquire(times: RecipeTimes, acquiring: Awaitable[bool]) -> bool:
    """Await an asyncio recipe's acquisition, telling ``times`` how it went."""
    times.acquiring()
    try:
        gotten = await acquiring
    except BaseException as error:
        times.acquired(False, error)
        raise
    times.acquired(gotten)
    return gotten
