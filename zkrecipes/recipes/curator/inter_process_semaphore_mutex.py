"""InterProcessSemaphoreMutex: Curator's non-reentrant mutex, a semaphore of one lease.

Interoperable with Curator's ``InterProcessSemaphoreMutex`` on the same path:
it is an :class:`~.inter_process_semaphore_v2.InterProcessSemaphoreV2` with
``max_leases=1`` (nodes under ``<path>/locks`` and ``<path>/leases``). It is
**not** reentrant: a second ``acquire`` while this object holds it waits (and
times out) like any other contender. Unlike InterProcessMutex, any thread may
release it. SUSPENDED/LOST as the semaphore's.

Beyond Curator: ``fencing_token`` and fenced writes, those of its lease
(:class:`~.lease.Lease`): refused by the server once the lease node is gone.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.exceptions import LockNotHeldError
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes.curator.inter_process_semaphore_v2 import InterProcessSemaphoreV2

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient, Transaction
    from zkrecipes.recipes.curator._fenced_writes import Fence
    from zkrecipes.recipes.curator.lease import Lease
    from zkrecipes.states import ZnodeStat

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

    # ------------------------------------------------------------------ fencing (the lease's)

    def _held(self) -> Lease:
        lease = self._lease
        if lease is None:
            raise LockNotHeldError(f"not acquired: {self.path}")
        return lease

    @property
    def fencing_token(self) -> int | None:
        """The czxid of our lease node while held, else None."""
        lease = self._lease
        return None if lease is None else lease.fencing_token

    def fence_nodes(self) -> list[Fence]:
        """Our lease node as a Fence; LockNotHeldError when not held."""
        return self._held().fence_nodes()

    def fenced_transaction(self) -> Transaction:
        """A transaction that first checks our lease node exists (see :meth:`.Lease.fenced_transaction`)."""
        return self._held().fenced_transaction()

    def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while held (see :meth:`.Lease.fenced_set`)."""
        return self._held().fenced_set(path, value, version)

    def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while held."""
        return self._held().fenced_create(path, value, ephemeral=ephemeral)

    def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while held."""
        self._held().fenced_delete(path, version)

    def __enter__(self) -> InterProcessSemaphoreMutex:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
