"""Which errors a recipe may retry, and the cheap way to retry an idempotent step.

A recipe retries a step only when trying it again cannot change the outcome
(a read, a delete of our own node, a create found again by its GUID). A closed
client (:class:`ConnectionClosedError`) is never retried: it will not come back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.exceptions import (
    ConnectionClosedError,
    ConnectionLoss,
    LockTimeout,
    OperationTimeoutError,
    SessionExpiredError,
    SessionMovedError,
)

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes._deadline import Deadline

__all__ = ["RETRYABLE", "call_with_retry", "is_retryable", "raise_unless_retryable"]

_T = TypeVar("_T")

#: Errors after which an idempotent step may be tried again (ConnectionClosedError excepted).
RETRYABLE = (
    ConnectionLoss,
    OperationTimeoutError,
    SessionExpiredError,
    SessionMovedError,
)


def is_retryable(error: BaseException) -> bool:
    """True for errors after which the same idempotent step may be tried again."""
    return isinstance(error, RETRYABLE) and not isinstance(error, ConnectionClosedError)


def call_with_retry(client: RecipeClient, func: Callable[..., _T], *args: Any) -> _T:
    """``func(*args)``; only if that fails with a retryable error, ``client.retry(func, *args)``.

    The same outcome as ``client.retry`` for an idempotent ``func``, without
    building a retry policy on the common path where the first try succeeds.
    """
    try:
        return func(*args)
    except RETRYABLE as error:
        if isinstance(error, ConnectionClosedError):
            raise
    return client.retry(func, *args)


def raise_unless_retryable(error: Exception, deadline: Deadline, timeout_message: str) -> None:
    """Return only if the step that raised ``error`` may be tried again before ``deadline``.

    Re-raises ``error`` when it is not retryable (LockTimeout, CancelledError
    and ConnectionClosedError included); past ``deadline`` raises
    ``LockTimeout(timeout_message)`` chained to ``error``.
    """
    if not is_retryable(error):
        raise error
    if deadline.expired():
        raise LockTimeout(timeout_message) from error
