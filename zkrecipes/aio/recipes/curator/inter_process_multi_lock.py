"""InterProcessMultiLock on asyncio: several locks taken as one (Curator's ``InterProcessMultiLock``).

Built from paths (an asyncio :class:`~.inter_process_mutex.InterProcessMutex`
each) or from any asyncio locks of this package. ``acquire`` takes them in the
order given; if one cannot be taken in time — or the acquire is cancelled —
the ones taken are released in reverse order (False, or the cancellation
propagates). ``release`` releases all in reverse order, even if one fails (the
first error is raised afterwards). ``timeout`` bounds the whole acquisition.
SUSPENDED/LOST as each lock's.

Beyond Curator: ``fencing_tokens`` (one per lock, in order) and fenced writes
checking **every** held node in one transaction: refused by the server when
any of them is gone (:mod:`._internals_fenced`).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._internals_fenced import AsyncFencedWrites, Fence
from zkrecipes.aio.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._deadline import Deadline

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction
    from zkrecipes.states import ZnodeStat

__all__ = ["InterProcessMultiLock"]


class InterProcessMultiLock:
    """Several asyncio locks as one (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, paths_or_locks: Sequence[str | Any]) -> None:
        self.locks: list[Any] = [InterProcessMutex(client, item) if isinstance(item, str) else item
                                 for item in paths_or_locks]
        if not self.locks:
            raise ValueError("InterProcessMultiLock needs at least one lock")
        names = ", ".join(str(getattr(lock, "path", lock)) for lock in self.locks)
        self._fenced = AsyncFencedWrites(client, names, self.fence_nodes)

    def __repr__(self) -> str:
        return f"InterProcessMultiLock({self.locks!r})"

    async def acquire(self, timeout: float | None = None) -> bool:
        """Take every lock within ``timeout`` seconds; False (holding none of them) otherwise."""
        deadline = Deadline(check_timeout(timeout))
        taken: list[Any] = []
        try:
            for lock in self.locks:
                if not await lock.acquire(deadline.remaining()):
                    await self._release_all(taken)
                    return False
                taken.append(lock)
        except BaseException:
            await self._release_all(taken)
            raise
        return True

    async def release(self) -> None:
        """Release every lock, in reverse order."""
        await self._release_all(self.locks)

    def is_acquired_in_this_process(self) -> bool:
        """True while every lock is held."""
        return all(lock.is_acquired_in_this_process() for lock in self.locks)

    @property
    def fencing_tokens(self) -> tuple[int, ...] | None:
        """The fencing token of each lock, in the order given, while all are held; else None."""
        tokens = [getattr(lock, "fencing_token", None) for lock in self.locks]
        if not all(isinstance(token, int) for token in tokens):
            return None
        return tuple(tokens)  # type: ignore[arg-type]

    @property
    def fencing_token(self) -> tuple[int, ...] | None:
        """Alias of :attr:`fencing_tokens`."""
        return self.fencing_tokens

    def fence_nodes(self) -> list[Fence]:
        """Every held node (LockNotHeldError/LockLostError when one lock is not held)."""
        nodes: list[Fence] = []
        for lock in self.locks:
            nodes.extend(lock.fence_nodes())
        return nodes

    def fenced_transaction(self) -> AsyncRecipeTransaction:
        """A transaction that first checks every held node exists (commit never retried)."""
        return self._fenced.transaction()

    async def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while every lock is held (LockLostError: one is gone, nothing written)."""
        return await self._fenced.set(path, value, version)

    async def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while every lock is held."""
        return await self._fenced.create(path, value, ephemeral=ephemeral)

    async def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while every lock is held."""
        await self._fenced.delete(path, version)

    @staticmethod
    async def _release_all(locks: Sequence[Any]) -> None:
        first: BaseException | None = None
        for lock in reversed(locks):
            try:
                await lock.release()
            except Exception as error:
                first = first or error
        if first is not None:
            raise first

    async def __aenter__(self) -> InterProcessMultiLock:
        await self.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.release()
