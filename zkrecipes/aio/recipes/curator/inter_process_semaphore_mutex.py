"""InterProcessSemaphoreMutex on asyncio: Curator's non-reentrant mutex, a semaphore of one lease.

An asyncio :class:`~.inter_process_semaphore_v2.InterProcessSemaphoreV2` with
``max_leases=1`` (nodes under ``<path>/locks`` and ``<path>/leases``), so
Curator's ``InterProcessSemaphoreMutex`` and the threaded one share the path.
**Not** reentrant: a second ``acquire`` while this object holds it waits (and
times out) like any other contender; any task may release it. SUSPENDED, LOST
and cancellation as the semaphore's: ``is_suspended``, ``is_lost`` and
``on_lost(mutex)`` (after a LOST, ``release()`` is accepted and deletes
nothing); ``fencing_token`` and the fenced writes are its lease's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes.curator.inter_process_semaphore_v2 import InterProcessSemaphoreV2
from zkrecipes.exceptions import LockNotHeldError
from zkrecipes.recipes._checks import check_callable, check_timeout

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction
    from zkrecipes.aio.recipes.curator.lease import Lease
    from zkrecipes.recipes.curator._fence_rules import Fence
    from zkrecipes.states import ZnodeStat

__all__ = ["InterProcessSemaphoreMutex"]


class InterProcessSemaphoreMutex:
    """A non-reentrant mutex shared with Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, *,
                 on_lost: Callable[[InterProcessSemaphoreMutex], object] | None = None) -> None:
        self.on_lost = check_callable(on_lost, "on_lost")
        self._semaphore = InterProcessSemaphoreV2(client, path, 1, on_lost=self._lease_lost)
        self.path = self._semaphore.path
        self._lease: Lease | None = None

    def __repr__(self) -> str:
        return f"InterProcessSemaphoreMutex({self.path!r}, acquired={self.is_acquired_in_this_process()})"

    async def acquire(self, timeout: float | None = None) -> bool:
        """Acquire within ``timeout`` seconds (None: until acquired); True when held."""
        lease = await self._semaphore.acquire(check_timeout(timeout))
        if lease is None:
            return False
        self._lease = lease
        return True

    async def release(self) -> None:
        """Release; :class:`~zkrecipes.exceptions.LockNotHeldError` if not held."""
        lease, self._lease = self._lease, None
        if lease is None:
            raise LockNotHeldError(f"not acquired: {self.path}")
        await lease.close()

    def is_acquired_in_this_process(self) -> bool:
        """True while this object holds it (False after a LOST session)."""
        return self._lease is not None and not self._lease.is_lost

    @property
    def is_suspended(self) -> bool:
        """True while held and the connection is down."""
        return self._lease is not None and self._lease.is_suspended

    @property
    def is_lost(self) -> bool:
        """True after the held lease went with its session (until released or acquired again)."""
        return self._lease is not None and self._lease.is_lost

    async def _lease_lost(self, lease: Lease) -> None:
        if lease is self._lease and self.on_lost is not None:
            outcome = self.on_lost(self)
            if inspect.isawaitable(outcome):
                await outcome

    def _held(self) -> Lease:
        if self._lease is None:
            raise LockNotHeldError(f"not acquired: {self.path}")
        return self._lease

    @property
    def fencing_token(self) -> int | None:
        """The czxid of our lease node while held, else None."""
        return None if self._lease is None else self._lease.fencing_token

    def fence_nodes(self) -> list[Fence]:
        """Our lease node as a Fence; LockNotHeldError when not held."""
        return self._held().fence_nodes()

    def fenced_transaction(self) -> AsyncRecipeTransaction:
        """A transaction that first checks our lease node exists."""
        return self._held().fenced_transaction()

    async def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while held (see :meth:`.Lease.fenced_set`)."""
        return await self._held().fenced_set(path, value, version)

    async def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while held."""
        return await self._held().fenced_create(path, value, ephemeral=ephemeral)

    async def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while held."""
        await self._held().fenced_delete(path, version)

    async def __aenter__(self) -> InterProcessSemaphoreMutex:
        await self.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.release()
