"""The drivers of Curator's lock internals: each lock-like recipe's lock name, sort names and verdict.

A driver is pure (Curator's ``LockInternalsDriver``): it names the contender
node and judges a sorted listing with :mod:`._ordering`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkrecipes.recipes.curator._ordering import (
    LOCK_NAME,
    READ_LOCK_NAME,
    WRITE_LOCK_NAME,
    Verdict,
    count_verdict,
    read_verdict,
    sorted_children,
    standard_verdict,
)

__all__ = ["LeaseDriver", "LockDriver", "ReadLockDriver", "StandardLockDriver"]


class LockDriver:
    """What the lock internals ask a recipe: node name, sorting, verdict.

    ``watches_children``: a verdict that does not hold waits for a change of
    the children (a count), not for one named node.
    """

    __slots__ = ("lock_name", "max_leases", "sort_names")

    watches_children = False

    def __init__(self, lock_name: str, sort_names: Sequence[str], max_leases: int = 1) -> None:
        self.lock_name = lock_name
        self.sort_names = tuple(sort_names)
        self.max_leases = max_leases

    def sort(self, children: Sequence[str]) -> list[str]:
        """All ``children``, in Curator's order for this recipe."""
        return sorted_children(children, self.sort_names)

    def judge(self, ordered: Sequence[str], ours: str) -> Verdict:
        """Do we hold it, else whom to watch (``NodeGone`` if our node is missing)."""
        return standard_verdict(ordered, ours, self.max_leases)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.lock_name!r})"


class StandardLockDriver(LockDriver):
    """InterProcessMutex (``lock-``), or the write half of the read/write lock (``__WRIT__``)."""

    __slots__ = ()

    def __init__(self, lock_name: str = LOCK_NAME, sort_names: Sequence[str] | None = None) -> None:
        super().__init__(lock_name, sort_names if sort_names is not None else (lock_name,))


class ReadLockDriver(LockDriver):
    """The read half: held unless a writer sorts first (or this thread holds the write half)."""

    __slots__ = ("_holds_write",)

    def __init__(self, holds_write_lock: Callable[[], bool]) -> None:
        super().__init__(READ_LOCK_NAME, (READ_LOCK_NAME, WRITE_LOCK_NAME))
        self._holds_write = holds_write_lock

    def judge(self, ordered: Sequence[str], ours: str) -> Verdict:
        return read_verdict(ordered, ours, self._holds_write())


def write_lock_driver() -> StandardLockDriver:
    """The write half of InterProcessReadWriteLock."""
    return StandardLockDriver(WRITE_LOCK_NAME, (READ_LOCK_NAME, WRITE_LOCK_NAME))


class LeaseDriver(LockDriver):
    """A lease of InterProcessSemaphoreV2 (``lease-`` under ``<path>/leases``): held while the
    children number at most ``max_leases()`` (read at each listing: it may be a SharedCount's)."""

    __slots__ = ("_limit",)

    watches_children = True

    def __init__(self, max_leases: Callable[[], int]) -> None:
        super().__init__("lease-", ("lease-",))
        self._limit = max_leases

    def judge(self, ordered: Sequence[str], ours: str) -> Verdict:
        return count_verdict(ordered, ours, self._limit())
