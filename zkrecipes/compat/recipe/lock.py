"""kazoo's ``kazoo.recipe.lock`` names (kazoo keeps Semaphore here too)."""

from __future__ import annotations

from zkrecipes.compat.protocol.states import KazooState
from zkrecipes.compat.retry import KazooRetry
from zkrecipes.exceptions import (
    CancelledError,
    ForceRetryError,
    KazooException,
    LockTimeout,
    NoNodeError,
    RetryFailedError,
)
from zkrecipes.recipes.lock import Lock, ReadLock, WriteLock
from zkrecipes.recipes.semaphore import Semaphore

__all__ = [
    "CancelledError",
    "ForceRetryError",
    "KazooException",
    "KazooRetry",
    "KazooState",
    "Lock",
    "LockTimeout",
    "NoNodeError",
    "ReadLock",
    "RetryFailedError",
    "Semaphore",
    "WriteLock",
]
