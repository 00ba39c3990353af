"""The pure decisions of a fenced write's outcome (shared by the threaded and asyncio Lock).

A fenced write is one transaction ``[set_data(lock node, its own data, known
version), the caller's op]``: the first op is a *marker* — it moves the lock
node's version by one exactly when the transaction is applied, and fails the
whole transaction when the lock node is gone (NoNode: the lock is lost) or was
changed by someone else (BadVersion: refresh the known version, send again).

When the reply is lost with the connection, the lock node is read back:

* its version is the known one → not applied, safe to send again (:data:`RESEND`);
* known + 1 → applied (:data:`APPLIED`);
* anything else → :class:`OutcomeUnknownError` (someone else moved it);
* gone (session lost, or deleted) → the marker cannot tell; the target's
  mzxid decides "not written" only if it is not newer than the marker's last
  known zxid (:func:`judge_without_marker`), else the outcome is unknown.

Only the I/O (commit, ``exists``) differs between the front ends; every rule
lives here. Extracted from ``zkrecipes.recipes.lock`` (sync behaviour unchanged).
"""

from __future__ import annotations

from zkrecipes.exceptions import (
    BadVersionError,
    LockLostError,
    NoNodeError,
    OutcomeUnknownError,
)
from zkrecipes.states import ZnodeStat

__all__ = [
    "APPLIED",
    "ATTEMPTS",
    "RESEND",
    "Marker",
    "judge_commit",
    "judge_marker",
    "judge_without_marker",
    "lost",
    "marker_state",
    "unknown",
]

APPLIED = object()  # a fenced write whose reply was lost, proven applied by the marker
RESEND = object()  # a fenced write proven not applied: send it again

#: How many times a fenced write proven not applied is sent again before giving up (unknown).
ATTEMPTS = 32

#: (lock node path, its version, its mzxid) as last known.
Marker = tuple[str, int, int]


def unknown(path: str, operation: str, why: str) -> OutcomeUnknownError:
    """The error for a write of ``path`` whose outcome cannot be established (``why``)."""
    return OutcomeUnknownError(
        f"{operation} of {path}: {why}; it may or may not have been applied", path=path, operation=operation)


def lost(lock_path: str) -> LockLostError:
    """The error for a fenced write refused because the lock at ``lock_path`` is gone (nothing written)."""
    return LockLostError(f"lock {lock_path} is no longer held: write refused")


def marker_state(marker: Marker | None, fence: str, token: int | None) -> tuple[int, int]:
    """(version, mzxid) of our lock node ``fence`` as last known (a new node: 0 and its czxid ``token``)."""
    if marker is not None and marker[0] == fence:
        return marker[1], marker[2]
    return 0, token if token is not None else 0


def judge_commit(lock_path: str, marker_result: object, op_result: object) -> object:
    """The outcome of a committed fenced transaction's two results.

    :data:`RESEND` when the marker failed on BadVersion (someone else changed
    our lock node; nothing applied: refresh the marker, send again); else the
    op's result. Raises LockLostError when the lock node is gone, the op's own
    error, or the marker's other error.
    """
    if isinstance(marker_result, NoNodeError):
        raise lost(lock_path)
    if isinstance(marker_result, BadVersionError):
        return RESEND
    if isinstance(op_result, Exception):
        raise op_result
    if isinstance(marker_result, Exception):
        raise marker_result
    return op_result


def judge_marker(found: ZnodeStat | None, marker_version: int) -> object:
    """After a lost reply, what our lock node read back (``found``) says.

    :data:`RESEND` (not applied), :data:`APPLIED`, or None when the node is
    gone (then :func:`judge_without_marker` decides). Raises ValueError when it
    was moved by someone else (the caller turns it into OutcomeUnknownError).
    """
    if found is None:
        return None
    if found.version == marker_version:
        return RESEND
    if found.version != marker_version + 1:
        raise ValueError("the lock node was changed by someone else")
    return APPLIED


def judge_without_marker(target: ZnodeStat | None, marker_zxid: int) -> bool:
    """True if the target's stat (lock node gone) proves the write was not applied.

    It does when the target exists and was last modified no later than the
    marker's last known zxid (our transaction, had it landed, would be newer).
    """
    return target is not None and target.mzxid <= marker_zxid
