"""Deadlines for a recipe's own timeout: a monotonic end time, and requests waited within it.

Pure except for the clock, which is passed in (``time.monotonic`` by default),
so an asyncio front end reuses :class:`Deadline` as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from zkrecipes.exceptions import LockTimeout, ZkTimeoutError

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Pending

__all__ = ["Deadline", "bounded"]

_T = TypeVar("_T")


class Deadline:
    """A monotonic deadline; ``timeout=None`` never expires.

    ``clock`` (seconds, monotonic) is replaceable for tests.
    """

    __slots__ = ("_clock", "_end", "timeout")

    def __init__(self, timeout: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self._clock = clock
        self._end = None if timeout is None else clock() + timeout

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None without a deadline."""
        if self._end is None:
            return None
        return max(0.0, self._end - self._clock())

    def expired(self) -> bool:
        """True once the deadline has passed (never without one)."""
        return self._end is not None and self._clock() >= self._end

    def capped(self, most: float) -> float:
        """Seconds left, but at most ``most``."""
        left = self.remaining()
        return most if left is None else min(most, left)


def bounded(result: Pending[_T], deadline: Deadline, what: str) -> _T:
    """``result.get()`` within ``deadline``; :class:`LockTimeout` when it passes first.

    Requests queued while disconnected may wait up to a session timeout; this
    keeps a recipe's own timeout honest (the request completes later, unseen).
    """
    try:
        return result.get(timeout=deadline.remaining())
    except ZkTimeoutError:
        raise LockTimeout(f"{what}: no reply within {deadline.timeout}s") from None
