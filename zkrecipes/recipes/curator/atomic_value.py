"""AtomicValue and AtomicStats: the outcome of one DistributedAtomicLong operation."""

from __future__ import annotations

__all__ = ["AtomicStats", "AtomicValue"]


class AtomicStats:
    """How an operation went: optimistic tries, tries under the promoted lock, seconds spent."""

    __slots__ = ("optimistic_time", "optimistic_tries", "promoted_lock_time", "promoted_lock_tries")

    def __init__(self) -> None:
        self.optimistic_tries = 0
        self.promoted_lock_tries = 0
        self.optimistic_time = 0.0
        self.promoted_lock_time = 0.0

    def __repr__(self) -> str:
        return (f"AtomicStats(optimistic_tries={self.optimistic_tries}, "
                f"promoted_lock_tries={self.promoted_lock_tries})")


class AtomicValue:
    """Curator's ``AtomicValue<Long>``: ``succeeded()``, ``pre_value()``, ``post_value()``, ``get_stats()``.

    When ``succeeded()`` is False nothing was written and ``post_value()`` is
    the value that was tried.
    """

    __slots__ = ("_post", "_pre", "_stats", "_succeeded")

    def __init__(self, succeeded: bool, pre_value: int, post_value: int, stats: AtomicStats) -> None:
        self._succeeded = succeeded
        self._pre = pre_value
        self._post = post_value
        self._stats = stats

    def succeeded(self) -> bool:
        """True when the operation was applied."""
        return self._succeeded

    def pre_value(self) -> int:
        """The value before the operation."""
        return self._pre

    def post_value(self) -> int:
        """The value after the operation (the one tried, if it failed)."""
        return self._post

    def get_stats(self) -> AtomicStats:
        """How many tries it took."""
        return self._stats

    def __repr__(self) -> str:
        return f"AtomicValue(succeeded={self._succeeded}, pre={self._pre}, post={self._post})"
