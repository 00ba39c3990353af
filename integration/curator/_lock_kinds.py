"""The lock-like Curator recipes, each behind one shape for the fault tests.

``make(kind, client, path)`` returns a :class:`Held`: ``acquire(timeout)``
returns the object that carries ``fencing_token`` and the fenced writes (the
lock itself, or the semaphore's Lease), ``release()`` gives it back.
"""

from __future__ import annotations

from typing import Any

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import (
    InterProcessMultiLock,
    InterProcessMutex,
    InterProcessReadWriteLock,
    InterProcessSemaphoreMutex,
    InterProcessSemaphoreV2,
)

KINDS = ("mutex", "semaphore_mutex", "read", "write", "lease", "multi")


class Held:
    """One recipe object of a kind (see the module docstring)."""

    def __init__(self, kind: str, client: ZkClient, path: str) -> None:
        self.kind = kind
        self.lease: Any = None
        self.recipe: Any
        if kind == "mutex":
            self.recipe = InterProcessMutex(client, path)
        elif kind == "semaphore_mutex":
            self.recipe = InterProcessSemaphoreMutex(client, path)
        elif kind in ("read", "write"):
            both = InterProcessReadWriteLock(client, path)
            self.recipe = both.read_lock() if kind == "read" else both.write_lock()
        elif kind == "lease":
            self.recipe = InterProcessSemaphoreV2(client, path, 1)
        elif kind == "multi":
            self.recipe = InterProcessMultiLock(client, [f"{path}/a", f"{path}/b"])
        else:
            raise ValueError(kind)

    def acquire(self, timeout: float) -> Any:
        """The fenced object once held; None on timeout."""
        if self.kind == "lease":
            self.lease = self.recipe.acquire(timeout)
            return self.lease
        return self.recipe if self.recipe.acquire(timeout) else None

    def release(self) -> None:
        if self.kind == "lease":
            self.lease.close()
        else:
            self.recipe.release()


def make(kind: str, client: ZkClient, path: str) -> Held:
    return Held(kind, client, path)
