"""InterProcessMultiLock: several locks taken as one (Curator's ``InterProcessMultiLock``).

Built from paths (an :class:`~.inter_process_mutex.InterProcessMutex` each,
Curator-compatible) or from any locks of this package. ``acquire`` takes them
in the order given; if one cannot be taken in time, the ones taken are
released (in reverse order) and it returns False. ``release`` releases all in
reverse order, even if one fails (the first error is raised afterwards).
Unlike Curator, ``timeout`` bounds the whole acquisition, not each lock.
SUSPENDED/LOST as each lock's.

Beyond Curator: ``fencing_tokens`` (one per lock, in the order given) and
fenced writes checking **every** held node in one transaction: refused by the
server when any of them is gone (:mod:`._fenced_writes`). Needs locks with
``fence_nodes()`` (every lock of this package has it).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._fenced_writes import Fence, FencedWrites
from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient, Transaction
    from zkrecipes.recipes.curator.inter_process_lock import InterProcessLock
    from zkrecipes.states import ZnodeStat

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
        self._fenced: FencedWrites | None = None
        if client is not None:
            self._fenced = FencedWrites(client, ", ".join(_path_of(lock) for lock in locks), self.fence_nodes)

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

    # ------------------------------------------------------------------ fencing

    @property
    def fencing_tokens(self) -> tuple[int, ...] | None:
        """The fencing token of each lock, in the order given, while all are held; else None."""
        tokens: list[int] = []
        for lock in self.locks:
            token = getattr(lock, "fencing_token", None)
            if not isinstance(token, int):
                return None
            tokens.append(token)
        return tuple(tokens)

    @property
    def fencing_token(self) -> tuple[int, ...] | None:
        """Alias of :attr:`fencing_tokens` (a token per path)."""
        return self.fencing_tokens

    def fence_nodes(self) -> list[Fence]:
        """Every held node (LockNotHeldError/LockLostError when one lock is not held)."""
        nodes: list[Fence] = []
        for lock in self.locks:
            fence_nodes = getattr(lock, "fence_nodes", None)
            if fence_nodes is None:
                raise TypeError(f"{lock!r} has no fence_nodes(): it cannot be fenced")
            nodes.extend(fence_nodes())
        return nodes

    def _writes(self) -> FencedWrites:
        if self._fenced is None:
            raise TypeError("fenced writes need the client: InterProcessMultiLock(client, ...)")
        return self._fenced

    def fenced_transaction(self) -> Transaction:
        """A transaction that first checks every held node exists (commit never retried)."""
        return self._writes().transaction()

    def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while every lock is held (LockLostError: one is gone, nothing written)."""
        return self._writes().set(path, value, version)

    def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while every lock is held."""
        return self._writes().create(path, value, ephemeral=ephemeral)

    def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while every lock is held."""
        self._writes().delete(path, version)

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


def _path_of(lock: object) -> str:
    return str(getattr(lock, "path", lock))
