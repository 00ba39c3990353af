"""Distributed locks on asyncio: Lock, ReadLock, WriteLock (``zkrecipes.recipes.lock`` with ``await``).

Same node layout, policies and failure semantics as the threaded recipes, so a
threaded and an asyncio client exclude each other on one path:

* **SUSPENDED**: a held lock stays held, ``is_suspended`` is True until the
  connection is back; use :meth:`Lock.fenced_set` / :meth:`Lock.fenced_transaction`
  for writes that must not happen after the lock is gone.
* **LOST**: a held lock is released locally (``is_acquired`` False) and
  ``on_lost(lock)`` runs — a plain callable or a coroutine function, on the
  client's SESSION queue. A pending ``acquire`` starts over in the new session.
* **Cancellation**: a cancelled or timed-out ``acquire`` (``task.cancel()``,
  ``asyncio.timeout``, ``wait_for``, its own ``timeout``, :meth:`Lock.cancel`)
  deletes its contender node before it raises — also when the cancellation
  lands while the create is in flight (see :mod:`zkrecipes.aio.recipes._acquire`).

``async with lock:`` is ``await lock.acquire()`` … ``await lock.release()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar

from zkrecipes.aio.recipes._acquire import AsyncAcquireLoop
from zkrecipes.aio.recipes._fence import AsyncFencedWriter
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import InvalidTypeError, NoNodeError
from zkrecipes.observe._recipe_times import RecipeTimes, recipe_name, timed_acquire
from zkrecipes.recipes._checks import check_callable, check_identifier, check_path, check_timeout
from zkrecipes.recipes._holder_rules import applied_read_failed, applied_stat, holder_fence
from zkrecipes.recipes._predicates import (
    BlockedBy,
    lock_policy,
    parse_contenders,
    read_lock_policy,
    write_lock_policy,
)
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction

__all__ = ["Lock", "ReadLock", "WriteLock"]


class Lock:
    """An exclusive, non-reentrant distributed lock for :class:`~zkrecipes.aio.AsyncZkClient`.

    The threaded :class:`zkrecipes.recipes.Lock`'s API with coroutines:
    ``await acquire(blocking=True, timeout=None, ephemeral=True)``,
    ``await release()``, ``async with``; ``fencing_token`` is the czxid of the
    holder's node (strictly increasing per lock path).
    """

    _POLICY: ClassVar[Callable[[Iterable[str]], BlockedBy]] = staticmethod(lock_policy)

    def __init__(self, client: AsyncRecipeClient, path: str, identifier: str | None = None,
                 extra_lock_patterns: Iterable[str] = (),
                 on_lost: Callable[[Lock], object] | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        self.data = (check_identifier(identifier) or "").encode("utf-8")
        extra = tuple(extra_lock_patterns)
        if not all(isinstance(name, str) for name in extra):
            raise InvalidTypeError("extra_lock_patterns must be node names (str)")
        self.on_lost = check_callable(on_lost, "on_lost")
        self.policy = type(self)._POLICY(extra)
        self._times = RecipeTimes(client, recipe_name(self), self.path)  # for the observers
        self._loop = AsyncAcquireLoop(client, self.path, self.policy, self.data, self, self._lost)
        self._guard = self._loop.guard
        self._writer = AsyncFencedWriter(client, self.path, self._loop, self._fence)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, node={self.node!r}, acquired={self.is_acquired})"

    # ------------------------------------------------------------------ state

    @property
    def node(self) -> str | None:
        """The name of our contender node while an acquisition made one, else None."""
        return self._loop.node

    @property
    def prefix(self) -> str:
        """The protected-create name of our next (or current) contender node, ``_c_<guid>-<kind>``."""
        return self._loop.prefix

    @property
    def create_path(self) -> str:
        """The path our contender node is created at (before the server appends the sequence)."""
        return self._loop.create_path

    @property
    def is_acquired(self) -> bool:
        """True while this object holds the lock (False again after release or LOST)."""
        return self._guard.held

    @property
    def is_suspended(self) -> bool:
        """True while the connection is down during an acquisition or hold."""
        return self._guard.suspended

    @property
    def fencing_token(self) -> int | None:
        """The czxid of the holder's node while held, else None."""
        return self._loop.token if self._guard.held else None

    def cancel(self) -> None:
        """Make a pending acquire raise :class:`~zkrecipes.exceptions.CancelledError` (a held lock stays)."""
        self._guard.cancel()

    # ------------------------------------------------------------------ acquire & release

    async def acquire(self, blocking: bool = True, timeout: float | None = None,
                      ephemeral: bool = True) -> bool:
        """Acquire the lock; True once held (False at once with ``blocking=False`` if it is taken).

        With a ``timeout``, raises :class:`LockTimeout` when not acquired in
        time. On any failure or cancellation our contender node is deleted
        before this raises (or after the reconnect if the connection is down).
        """
        acquiring = self._loop.acquire(blocking, check_timeout(timeout), ephemeral)
        return await timed_acquire(self._times, acquiring)

    async def release(self) -> bool:
        """Release the lock; True if it was held (the node is deleted now or after the reconnect)."""
        released = await self._loop.release()
        if released:
            self._times.ended()
        return released

    def _lost(self, lock: Lock) -> object:
        """LOST while held: tell the observers, then the user's ``on_lost`` (if any)."""
        self._times.ended(lost=True)
        return None if self.on_lost is None else self.on_lost(lock)

    async def __aenter__(self) -> Lock:
        await self.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.release()

    # ------------------------------------------------------------------ fencing

    def _fence(self) -> str:
        """Our lock node's path while held; else LockNotHeldError (LockLostError after a LOST)."""
        return holder_fence(self.path, self._guard.held, self._guard.lost, self._loop.fence_path)

    def fenced_transaction(self) -> AsyncRecipeTransaction:
        """A transaction whose first operation checks our lock node; add writes, ``await commit()``.

        Raises :class:`LockNotHeldError` (:class:`LockLostError` after a LOST) if not held now.
        ``commit()`` is never retried: a ConnectionLoss (or SessionExpiredError)
        from it means the transaction may or may not have been applied — read
        back before writing again (or use :meth:`fenced_set`, which establishes it).
        """
        transaction = self.client.transaction()
        transaction.check(self._fence(), -1)
        return transaction

    async def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` to ``value`` only if this lock is still held; return the new stat.

        Raises :class:`LockLostError` if the lock is gone and nothing was
        written, or the set's own error (e.g. NoNodeError for ``path``).

        As the threaded Lock's: the transaction also rewrites our lock node
        with its own data at its known version (a marker). When a reply is
        lost with the connection the outcome is established from that marker
        on the same session — applied (the stat of ``path`` read back is
        returned) or not (the write is sent again, proven not applied) — and
        from ``path``'s mzxid when the session is gone (not newer than the
        marker: not written, LockLostError). Otherwise it raises
        :class:`OutcomeUnknownError`: the value may have been written; read it
        back, never repeat blindly.
        """
        result = await self._writer.write(path, "fenced_set",
                                          lambda tx: tx.set_data(path, value, version))
        if isinstance(result, ZnodeStat):
            return result
        try:  # applied, reply lost: the stat read back
            target = await self.client.retry(self.client.exists, path)
        except Exception as read_error:
            raise applied_read_failed(path, "fenced_set", read_error) from read_error
        return applied_stat(path, "fenced_set", target)

    # ------------------------------------------------------------------ queries

    async def contenders(self) -> list[str]:
        """Identifiers of the current contenders, in lock order (the holder first)."""
        await self.client.retry(self.client.ensure_path, self.path)
        children = await self.client.retry(self.client.get_children, self.path)
        identifiers: list[str] = []
        for contender in parse_contenders(children, self.policy.pattern):
            try:
                data, _stat = await self.client.retry(self.client.get, join_path(self.path, contender.name))
            except NoNodeError:
                continue
            identifiers.append((data or b"").decode("utf-8", "replace"))
        return identifiers


class WriteLock(Lock):
    """The write side of a read/write lock: excludes readers and writers on the same path."""

    _POLICY = staticmethod(write_lock_policy)


class ReadLock(Lock):
    """The read side of a read/write lock: shared with readers, waits for the nearest earlier writer."""

    _POLICY = staticmethod(read_lock_policy)
