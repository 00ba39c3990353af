"""PromotedToLock: how DistributedAtomicLong falls back to a mutex after its optimistic tries."""

from __future__ import annotations

from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes.curator.retry_policy import RetryNTimes, RetryPolicy

__all__ = ["PromotedToLock"]


class PromotedToLock:
    """An InterProcessMutex at ``lock_path``, waited for at most ``timeout`` seconds (None: forever).

    Under the lock the update is tried again with ``retry_policy`` (default:
    once, no retry — Curator's builder default).
    """

    def __init__(self, lock_path: str, timeout: float | None = None,
                 retry_policy: RetryPolicy | None = None) -> None:
        self.lock_path = check_path(lock_path, "lock_path")
        self.timeout = check_timeout(timeout)
        self.retry_policy: RetryPolicy = retry_policy if retry_policy is not None else RetryNTimes(0, 0)

    def __repr__(self) -> str:
        return f"PromotedToLock({self.lock_path!r}, timeout={self.timeout})"
