"""Errors raised by the recipes."""

from __future__ import annotations

from zkrecipes.exceptions._base import ZkException

# ------------------------------------------------------------------ recipes


class LockNotHeldError(ZkException):
    """A lock-fenced operation was asked of a lock (or lease) that is not held."""


class LockLostError(LockNotHeldError):
    """The lock was held but is lost: its session ended or its contender node is gone.

    Raised by fenced writes; the server refused the write, so nothing was changed.
    """


class OutcomeUnknownError(ZkException):
    """A recipe's write may or may not have been applied, and the recipe could not tell which.

    Jepsen's "indeterminate": the reply was lost (ConnectionLoss, an expired or
    closed session) and what could be read afterwards proves neither outcome.
    ``path``/``operation`` name the write (e.g. ``"fenced_set"``); ``__cause__`` is
    the error that lost the reply. Read the state back and reconcile; never repeat
    the write blindly. Not a :class:`ConnectionLoss` (retry policies retry those, and
    a blind re-run is what this prevents) nor a :class:`LockLostError` (which
    promises that nothing was written).
    """

    def __init__(self, message: str, *, path: str, operation: str, value: bytes | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.operation = operation
        #: What the recipe had in hand, e.g. the value of a queue entry it may have removed; else None.
        self.value = value


class MalformedNodeDataError(ZkException, ValueError):
    """A recipe found node data it cannot decode (e.g. a counter holding non-numeric bytes)."""
