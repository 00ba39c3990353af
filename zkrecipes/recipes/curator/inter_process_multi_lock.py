"""InterProcessMultiLock: several locks taken as one (Curator's ``InterProcessMultiLock``).

Built from paths (an :class:`~.inter_process_mutex.InterProcessMutex` each,
Curator-compatible) or from any locks of this package. ``acquire`` takes them
in the order given; if one cannot be taken in time, the ones taken are
released (in reverse order) and it returns False. ``release`` releases all in
reverse order, even if one fails (the first error is raised afterwards).
Unlike Curator, ``timeout`` bounds the whole acquisition, not each lock.
SUSPENDED/LOST as each lock's.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes.curator.inter_process_lock import InterProcessLock

__all__ = ["InterProcessMultiLock"]


class InterProcessMultiLock:
    """Several locks as one (see the module docstring)."""

    def __init__(self, client: RecipeClient | None, paths_or_locks: Sequence[str | InterProcessLock]) -> None:
        locks: list[InterProcessLock] = []
        for item in paths_or_locks:
            if isinstance(item, str):
                if client is None:
                    raise TypeError("a client is needed to make locks from paths")
                locks.append(InterProcessMutex(client, item))
            else:
                locks.append(item)
        if not locks:
            raise ValueError("InterProcessMultiLock needs at least one lock")
        self.locks = locks

    def __repr__(self) -> str:
        return f"InterProcessMultiLock({self.locks!r})"

    def acquire(self, timeout: float | None = None) -> bool:
        """Take every lock within ``timeout`` seconds; False (holding none of them) otherwise."""
        deadline = Deadline(check_timeout(timeout))
        taken: list[InterProcessLock] = []
        try:
            for lock in self.locks:
                if not lock.acquire(deadline.remaining()):
                    self._release_all(taken)
                    return False
                taken.append(lock)
        except BaseException:
            self._release_all(taken)
            raise
        return True

    def release(self) -> None:
        """Release every lock, in reverse order."""
        self._release_all(self.locks)

    def is_acquired_in_this_process(self) -> bool:
        """True while every lock is held."""
        return all(lock.is_acquired_in_this_process() for lock in self.locks)

    @staticmethod
    def _release_all(locks: Sequence[InterProcessLock]) -> None:
        first: BaseException | None = None
        for lock in reversed(locks):
            try:
                lock.release()
            except Exception as error:
                first = first or error
        if first is not None:
            raise first

    def __enter__(self) -> InterProcessMultiLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
