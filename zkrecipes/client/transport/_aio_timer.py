"""``DeadlineTimer``: one ``loop.call_at`` timer that fires no later than a moving deadline.

Deadlines are ``time.monotonic()`` seconds (the session layer's clock). The
timer is re-armed only when a deadline *earlier* than the armed one comes in;
a later deadline is left for the owner to notice when the timer fires (its
``tick`` then has nothing to do and it arms again), so a busy connection does
not create and cancel a timer handle per reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["DeadlineTimer"]


class DeadlineTimer:
    """Calls ``callback()`` on the loop at (or soon after) the earliest deadline armed."""

    __slots__ = ("_at", "_callback", "_handle", "_loop", "armed")

    def __init__(self, loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
        self._loop = loop
        self._callback = callback
        self._handle: asyncio.TimerHandle | None = None
        self._at: float | None = None
        #: True while a callback is scheduled (an attribute, not a property: it is read per request).
        self.armed = False

    def arm(self, deadline: float | None) -> None:
        """Make sure the callback runs no later than ``deadline`` (None: nothing to do)."""
        if deadline is None or (self._at is not None and self._at <= deadline):
            return
        if self._handle is not None:
            self._handle.cancel()
        self._at = deadline
        loop = self._loop
        # The loop's clock need not be time.monotonic() (uvloop's is its own): convert.
        self._handle = loop.call_at(deadline - time.monotonic() + loop.time(), self._fire)
        self.armed = True

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        self._at = None
        self.armed = False

    def _fire(self) -> None:
        self._handle = None
        self._at = None
        self.armed = False
        self._callback()
