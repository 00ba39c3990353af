"""InterProcessReadWriteLock on asyncio: Curator's reentrant read/write lock, on Curator's layout.

Both halves are asyncio :class:`~.inter_process_mutex.InterProcessMutex`
objects on one path, driven by the sync recipe's drivers: readers create
``_c_<uuid>-__READ__<seq>``, writers ``_c_<uuid>-__WRIT__<seq>``; a writer
holds it when its node is the first child, a reader when no writer sorts
before it (else it watches the first writer). The task holding the write lock
may take the read lock too (downgrade); a reader can never upgrade. Reentrancy
is per task; SUSPENDED, LOST and cancellation as the mutex's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.recipes.curator._drivers import ReadLockDriver, write_lock_driver

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["InterProcessReadWriteLock"]


class InterProcessReadWriteLock:
    """A read/write lock shared with Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, *, lock_data: bytes | None = None,
                 on_lost: Callable[[InterProcessMutex], object] | None = None) -> None:
        self._write = InterProcessMutex(client, path, write_lock_driver(), lock_data=lock_data,
                                        on_lost=on_lost)
        self.path = self._write.path
        self._read = InterProcessMutex(client, path, ReadLockDriver(self._write.is_owned_by_current_task),
                                       lock_data=lock_data, on_lost=on_lost)

    def __repr__(self) -> str:
        return f"InterProcessReadWriteLock({self.path!r})"

    def read_lock(self) -> InterProcessMutex:
        """The read half (shared among readers; reentrant per task)."""
        return self._read

    def write_lock(self) -> InterProcessMutex:
        """The write half (exclusive; reentrant per task)."""
        return self._write
