"""InterProcessSemaphoreMutex: Curator's non-reentrant mutex, a semaphore of one lease.

Interoperable with Curator's ``InterProcessSemaphoreMutex`` on the same path:
it is an :class:`~.inter_process_semaphore_v2.InterProcessSemaphoreV2` with
``max_leases=1`` (nodes under ``<path>/locks`` and ``<path>/leases``). It is
**not** reentrant: a second ``acquire`` while this object holds it waits (and
times out) like any other contender. Unlike InterProcessMutex, any thread may
release it. SUSPENDED/LOST as the semaphore's.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.exceptions import LockNotHeldError
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes.curator.inter_process_semaphore_v2 import InterProcessSemaphoreV2

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes.curator.lease import Lease

__all__ = ["InterProcessSemaphoreMutex"]


class InterProcessSemaphoreMutex:
    """A non-reentrant mutex shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str) -> None:
        self._semaphore = InterProcessSemaphoreV2(client, path, 1)
        self.path = self._semaphore.path
        self._lease: Lease | None = None
        self._mutex = client.handler.lock_object()

    def __repr__(self) -> str:
        return f"InterProcessSemaphoreMutex({self.path!r}, acquired={self.is_acquired_in_this_process()})"

    def acquire(self, timeout: float | None = None) -> bool:
        """Acquire within ``timeout`` seconds (None: until acquired); True when held."""
        lease = self._semaphore.acquire(check_timeout(timeout))
        if lease is None:
            return False
        with self._mutex:
            self._lease = lease
        return True

    def release(self) -> None:
        """Release; :class:`~zkrecipes.exceptions.LockNotHeldError` if not held."""
        with self._mutex:
            lease, self._lease = self._lease, None
        if lease is None:
            raise LockNotHeldError(f"not acquired: {self.path}")
        lease.close()

    def is_acquired_in_this_process(self) -> bool:
        """True while this object holds it."""
        return self._lease is not None

    def __enter__(self) -> InterProcessSemaphoreMutex:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
