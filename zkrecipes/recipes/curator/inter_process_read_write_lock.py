"""InterProcessReadWriteLock: Curator's reentrant read/write lock, on Curator's znode layout.

Interoperable with Curator's ``InterProcessReadWriteLock`` on the same path.
Both halves are :class:`~.inter_process_mutex.InterProcessMutex` objects on
one path: readers create ``_c_<uuid>-__READ__<seq>``, writers
``_c_<uuid>-__WRIT__<seq>`` (ephemeral sequential, default data); every child
is sorted by its text after the last ``__READ__``/``__WRIT__``. A writer holds
it when its node is the first child; a reader holds it when no writer sorts
before it, else it watches the first writer. The thread holding the write
lock may take the read lock too (downgrade: take read, then release write);
a reader can never upgrade. SUSPENDED/LOST as InterProcessMutex's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.recipes.curator._drivers import ReadLockDriver, write_lock_driver
from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["InterProcessReadWriteLock"]


class InterProcessReadWriteLock:
    """A read/write lock shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, *, lock_data: bytes | None = None,
                 on_lost: Callable[[InterProcessMutex], object] | None = None) -> None:
        self._write = InterProcessMutex(client, path, write_lock_driver(), lock_data=lock_data,
                                        on_lost=on_lost)
        self.path = self._write.path
        self._read = InterProcessMutex(client, path, ReadLockDriver(self._write.is_owned_by_current_thread),
                                       lock_data=lock_data, on_lost=on_lost)

    def __repr__(self) -> str:
        return f"InterProcessReadWriteLock({self.path!r})"

    def read_lock(self) -> InterProcessMutex:
        """The read half (shared among readers; reentrant per thread)."""
        return self._read

    def write_lock(self) -> InterProcessMutex:
        """The write half (exclusive; reentrant per thread)."""
        return self._write
