"""What a Lock object may do as the holder, once for both front ends (pure: no I/O).

The threaded and asyncio :class:`Lock` ask these before and after a fenced
write; the write's own outcome rules are :mod:`zkrecipes.recipes._fence_outcome`'s.

* :func:`holder_fence` — our lock node's path while this object holds the
  lock; otherwise :class:`LockLostError` if it was lost with its session (the
  guard's ``lost``), else :class:`LockNotHeldError`. Nothing is written then.
* :func:`applied_stat` — a fenced write whose reply was lost but which the
  marker proves applied returns the target's stat as read back afterwards (a
  later write may show in it); a target gone since, or a read that failed,
  leaves only :class:`OutcomeUnknownError` (the value may have been written).
"""

from __future__ import annotations

from zkrecipes.exceptions import LockLostError, LockNotHeldError, OutcomeUnknownError
from zkrecipes.recipes._fence_outcome import unknown
from zkrecipes.states import ZnodeStat

__all__ = ["applied_read_failed", "applied_stat", "holder_fence"]


def holder_fence(lock_path: str, held: bool, lost: bool, fence: str | None) -> str:
    """``fence`` (our lock node's path) if held; else raise LockLostError after a LOST, LockNotHeldError."""
    if not held or fence is None:
        if lost:
            raise LockLostError(f"lock {lock_path} was lost with its session")
        raise LockNotHeldError(f"lock {lock_path} is not held")
    return fence


def applied_stat(path: str, operation: str, found: ZnodeStat | None) -> ZnodeStat:
    """The stat to return for an applied write whose reply was lost: ``found``, read back from ``path``.

    Raises :class:`OutcomeUnknownError` when the node was deleted since.
    """
    if found is None:
        raise unknown(path, operation, "it was applied but the node was deleted since")
    return found


def applied_read_failed(path: str, operation: str, error: Exception) -> OutcomeUnknownError:
    """The error when reading back an applied write's target failed with ``error`` (raise it from it)."""
    return unknown(path, operation, f"it was applied but reading it failed ({error!r})")
