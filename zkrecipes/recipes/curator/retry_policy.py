"""Curator-style retry policies for the optimistic recipes (DistributedAtomicLong, PromotedToLock).

A policy answers "may attempt ``retry_count + 1`` run, and after what pause?";
it never sleeps itself (the recipe waits with the client's handler).
"""

from __future__ import annotations

from typing import Protocol

from zkrecipes.recipes._checks import check_count

__all__ = ["RetryNTimes", "RetryOneTime", "RetryPolicy"]


class RetryPolicy(Protocol):
    """Curator's ``RetryPolicy``: retries allowed, and the pause before each."""

    def allow_retry(self, retry_count: int, elapsed: float) -> float | None:
        """The pause (seconds) before retry number ``retry_count`` (0-based), or None to give up."""


class RetryNTimes:
    """At most ``n`` retries, ``sleep_ms_between_retries`` apart (Curator's ``RetryNTimes``)."""

    def __init__(self, n: int, sleep_ms_between_retries: int) -> None:
        self.n = check_count(n, "n", minimum=0)
        self.sleep = check_count(sleep_ms_between_retries, "sleep_ms_between_retries", minimum=0) / 1000.0

    def allow_retry(self, retry_count: int, elapsed: float) -> float | None:
        return self.sleep if retry_count < self.n else None

    def __repr__(self) -> str:
        return f"RetryNTimes({self.n}, {int(self.sleep * 1000)})"


class RetryOneTime(RetryNTimes):
    """One retry after ``sleep_ms`` (Curator's ``RetryOneTime``)."""

    def __init__(self, sleep_ms: int) -> None:
        super().__init__(1, sleep_ms)
