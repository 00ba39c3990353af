"""kazoo's ``kazoo.retry`` names: ``KazooRetry`` is :class:`zkrecipes.retry.RetryPolicy`."""

from __future__ import annotations

from zkrecipes.exceptions import (
    ConnectionClosedError,
    ConnectionLoss,
    ForceRetryError,
    InterruptedError,  # noqa: A004 - kazoo's name
    KazooException,
    OperationTimeoutError,
    RetryFailedError,
    SessionExpiredError,
)
from zkrecipes.retry import RetryPolicy

KazooRetry = RetryPolicy

__all__ = [
    "ConnectionClosedError", "ConnectionLoss", "ForceRetryError", "InterruptedError", "KazooException",
    "KazooRetry", "OperationTimeoutError", "RetryFailedError", "SessionExpiredError",
]
