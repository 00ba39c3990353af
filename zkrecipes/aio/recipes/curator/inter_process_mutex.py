"""InterProcessMutex on asyncio: Curator's reentrant mutex, on Curator's znode layout.

The sync :class:`zkrecipes.recipes.curator.InterProcessMutex` with ``await``:
the same nodes (``<path>/_c_<uuid>-lock-<seq>``, data = the local address
unless ``lock_data`` is given), the same order and verdict (the shared
:class:`~zkrecipes.recipes.curator._drivers.LockDriver`), so Curator, threaded
and asyncio contenders exclude each other on one path.

**Reentrancy is per asyncio Task**, as Curator's is per thread: the task that
holds it may acquire it again (one node, a count); another task — a child task
made inside ``async with`` included — contends like any other process.
``release()`` must come from the holding task (else :class:`LockNotHeldError`).

* **SUSPENDED**: a held mutex stays held; ``is_suspended`` is True until the
  connection is back. A pending acquire keeps waiting.
* **LOST**: the node is gone. The holds are forgotten (their ``release()`` is
  then accepted and does nothing), ``is_lost`` turns True and ``on_lost(mutex)``
  runs — a plain callable or a coroutine function, on the client's session
  queue. A pending acquire starts over with a new node.
* **Cancellation**: a cancelled or timed-out ``acquire`` deletes its node
  (also when cancelled while the create is in flight); a cancelled
  ``release`` still deletes it (:mod:`._internals`).

Beyond Curator: ``fencing_token`` (our node's czxid, increasing across holders
of one path) and fenced writes, applied by the server only while our node
exists, outcome settled by the marker rule (:mod:`._internals_fenced`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Hashable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._internals import AsyncLockInternals, Contender
from zkrecipes.aio.recipes.curator._internals_fenced import AsyncFencedWrites, Fence
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_callable, check_path, check_timeout
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._drivers import LockDriver, StandardLockDriver
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._hold_book import HoldBook

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction
    from zkrecipes.states import ZkState, ZnodeStat

__all__ = ["InterProcessMutex", "current_task_owner"]

log = logging.getLogger(__name__)


def current_task_owner() -> Hashable:
    """The running asyncio Task (the unit of reentrancy); outside a task, the running loop."""
    task = asyncio.current_task()
    return task if task is not None else asyncio.get_running_loop()


class InterProcessMutex:
    """A reentrant (per task) mutex shared with Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, driver: LockDriver | None = None, *,
                 lock_data: bytes | None = None,
                 on_lost: Callable[[InterProcessMutex], object] | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        self.on_lost = check_callable(on_lost, "on_lost")
        if lock_data is not None and not isinstance(lock_data, bytes):
            raise TypeError("lock_data must be bytes")
        self._data = lock_data
        self._internals = AsyncLockInternals(client, self.path, driver or StandardLockDriver())
        self._book: HoldBook[Contender] = HoldBook(self.path)  # the per-task holds and their rules
        self._listening = False
        self._fenced = AsyncFencedWrites(client, self.path, self.fence_nodes)

    def __repr__(self) -> str:
        return f"InterProcessMutex({self.path!r}, acquired={self.is_acquired_in_this_process()})"

    # ------------------------------------------------------------------ Curator's API

    async def acquire(self, timeout: float | None = None) -> bool:
        """Acquire within ``timeout`` seconds (None: until acquired); True when held.

        Reentrant for the holding task. On timeout (False), :meth:`cancel`,
        an error or cancellation no node of this attempt is left behind.
        """
        wait = check_timeout(timeout)
        me = current_task_owner()
        if self._book.reenter(me):
            return True
        self._listen()
        data = self._data if self._data is not None else local_address()
        try:
            contender = await self._internals.attempt(wait, data)
        except BaseException:
            if not self._book.held:
                self._unlisten()
            raise
        if contender is None:
            if not self._book.held:
                self._unlisten()
            return False
        self._book.record(me, contender)
        return True

    async def release(self) -> None:
        """Release one hold of the calling task; the node goes when the count reaches 0.

        :class:`LockNotHeldError` when the calling task does not hold it. After a
        LOST session the task's releases are accepted and do nothing.
        """
        ended = self._book.release(current_task_owner())
        if ended is None:
            return
        if not self._book.held:
            self._unlisten()
        await self._internals.release(ended)

    def is_acquired_in_this_process(self) -> bool:
        """True while some task holds this mutex object."""
        return self._book.held

    def is_owned_by_current_task(self) -> bool:
        """True while the calling task holds it."""
        return self._book.holds(current_task_owner())

    async def get_participant_nodes(self) -> list[str]:
        """The full paths of all children of the lock path, in Curator's order (holder first)."""
        return [join_path(self.path, name) for name in await self._internals.participant_nodes()]

    def cancel(self) -> None:
        """Make every pending ``acquire`` of this object return False (a held mutex is not affected)."""
        self._internals.cancel()

    def make_revocable(self, listener: Any) -> None:
        """Let others ask for this lock (Curator's ``makeRevocable``): call before ``acquire``.

        Our node is then created with empty data and its data watched; when a
        :class:`~.revoker.Revoker` (or Curator's) writes the revoke message into
        it, ``listener.revocation_requested(mutex)`` — or ``listener(mutex)`` for
        a callable — is called, and awaited when it returns an awaitable (a
        coroutine function), in a task of its own. Releasing is up to the
        listener's owner, from the holding task. ``make_revocable(None)`` stops it.
        """
        if listener is None:
            self._internals.on_revoke = None
            return
        told = getattr(listener, "revocation_requested", None)
        method = check_callable(told if told is not None else listener, "listener")
        assert method is not None
        self._internals.on_revoke = lambda: method(self)

    # ------------------------------------------------------------------ beyond Curator

    @property
    def fencing_token(self) -> int | None:
        """The czxid of our node while held, else None."""
        held = self._book.first()
        return None if held is None else held.czxid

    @property
    def node(self) -> str | None:
        """The name of our node while held, else None."""
        held = self._book.first()
        return None if held is None else held.name

    @property
    def is_suspended(self) -> bool:
        """True while held and the connection is down (the session may still live)."""
        return self._book.suspended

    @property
    def is_lost(self) -> bool:
        """True after a held mutex was lost with its session (until acquired again)."""
        return self._book.lost

    def fence_nodes(self) -> list[Fence]:
        """Our node (the calling task's hold, else this object's); LockNotHeldError / LockLostError."""
        contender = self._book.fence(current_task_owner())
        return [Fence(join_path(self.path, contender.name), contender.data, contender.czxid)]

    def fenced_transaction(self) -> AsyncRecipeTransaction:
        """A transaction whose first operation checks our node exists (``commit()`` never retried)."""
        return self._fenced.transaction()

    async def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while held; the new stat (LockLostError: gone, nothing written;
        OutcomeUnknownError: a lost reply could not be settled)."""
        return await self._fenced.set(path, value, version)

    async def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while held (as :meth:`fenced_set`); the created path."""
        return await self._fenced.create(path, value, ephemeral=ephemeral)

    async def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while held (as :meth:`fenced_set`)."""
        await self._fenced.delete(path, version)

    async def __aenter__(self) -> InterProcessMutex:
        await self.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.release()

    # ------------------------------------------------------------------ session

    def _listen(self) -> None:
        if not self._listening:
            self._listening = True
            self.client.add_listener(self._on_state)

    def _unlisten(self) -> None:
        if self._listening:
            self._listening = False
            self._book.suspended = False
            safe_remove_listener(self.client, self._on_state)  # type: ignore[arg-type]

    async def _on_state(self, state: ZkState) -> None:
        if self._book.on_state(state) and self.on_lost is not None:
            try:
                outcome = self.on_lost(self)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("on_lost callback of %r failed", self)
