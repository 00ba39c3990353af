"""InterProcessMutex: Curator's reentrant distributed mutex, on Curator's znode layout.

Interoperable with Apache Curator's ``InterProcessMutex`` on the same path: a
Curator holder blocks a zkrecipes acquirer and the reverse. Layout and order
are Curator's (``docs/curator.md``): contender ``<path>/_c_<uuid>-lock-<seq>``,
ephemeral sequential, data = the local host address (Curator's default data)
unless ``lock_data`` is given; **every** child of ``path`` is a contender,
sorted by the text after the last ``lock-``; the first one holds the lock;
a waiter watches the one just before it. Missing parents are containers.

Reentrancy is per thread (per greenlet under gevent), as Curator's: the thread that holds the mutex may
acquire it again (one znode, a count); another thread of this process
contends like any other process. ``release()`` must come from the holding thread.

Failure semantics:

* **SUSPENDED**: a held mutex stays held (its node lives with the session);
  ``is_suspended`` is True until the connection is back. A pending acquire
  keeps waiting.
* **LOST**: the node is gone. Curator's mutex does not notice; this one marks
  itself lost (``is_lost``), forgets the hold of every thread (their
  ``release()`` calls are then accepted and do nothing) and calls
  ``on_lost(mutex)`` (on the client's session queue). A pending acquire starts
  over with a new node.

Beyond Curator: ``fencing_token`` (the czxid of the holder's node, strictly
increasing across holders of one path), fenced writes (``fenced_set``,
``fenced_create``, ``fenced_delete``, ``fenced_transaction``: applied by the
server only while our node exists, outcome settled by the marker rule of
:mod:`._fenced_writes`) and ``on_lost``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_callable, check_path, check_timeout
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._drivers import LockDriver, StandardLockDriver
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._fenced_writes import Fence, FencedWrites
from zkrecipes.recipes.curator._hold_book import HoldBook
from zkrecipes.recipes.curator._internals import Contender, LockInternals
from zkrecipes.recipes.curator._owner import current_owner

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient, Transaction
    from zkrecipes.recipes.curator.revoker import RevocationListener
    from zkrecipes.states import ZkState, ZnodeStat

__all__ = ["InterProcessMutex"]

log = logging.getLogger(__name__)


class InterProcessMutex:
    """A reentrant mutex shared with Curator processes (see the module docstring)."""

    def __init__(
        self,
        client: RecipeClient,
        path: str,
        driver: LockDriver | None = None,
        *,
        lock_data: bytes | None = None,
        on_lost: Callable[[InterProcessMutex], object] | None = None,
    ) -> None:
        self.client = client
        self.path = check_path(path)
        self.on_lost = check_callable(on_lost, "on_lost")
        if lock_data is not None and not isinstance(lock_data, bytes):
            raise TypeError("lock_data must be bytes")
        self._data = lock_data
        self._internals = LockInternals(client, self.path, driver or StandardLockDriver())
        self._book: HoldBook[Contender] = HoldBook(self.path)  # the per-thread holds and their rules
        self._mutex = client.handler.lock_object()
        self._listening = False
        self._fenced = FencedWrites(client, self.path, self.fence_nodes)

    def __repr__(self) -> str:
        return f"InterProcessMutex({self.path!r}, acquired={self.is_acquired_in_this_process()})"

    # ------------------------------------------------------------------ Curator's API

    def acquire(self, timeout: float | None = None) -> bool:
        """Acquire, waiting at most ``timeout`` seconds (None: until acquired); True when held.

        Reentrant for the holding thread (each acquire needs one release).
        On timeout or error no node of this attempt is left behind.
        """
        wait = check_timeout(timeout)
        me = current_owner()
        with self._mutex:
            if self._book.reenter(me):
                return True
        self._listen()
        data = self._data if self._data is not None else local_address()
        contender = self._internals.attempt(wait, data)
        with self._mutex:
            if contender is None:
                if not self._book.held:
                    self._unlisten_locked()
                return False
            self._book.record(me, contender)
        return True

    def release(self) -> None:
        """Release one hold of the calling thread; the node goes when the count reaches 0.

        Raises :class:`~zkrecipes.exceptions.LockNotHeldError` when the calling
        thread does not hold this mutex (Curator: IllegalMonitorStateException).
        After a LOST session the thread's releases are accepted (and do nothing),
        so ``with mutex:`` ends quietly; ``is_lost`` and ``on_lost`` told of the loss.
        """
        me = current_owner()
        with self._mutex:
            ended = self._book.release(me)
            if ended is None:
                return
            if not self._book.held:
                self._unlisten_locked()
        self._internals.release(ended)

    def is_acquired_in_this_process(self) -> bool:
        """True while some thread of this process holds this mutex object."""
        with self._mutex:
            return self._book.held

    def is_owned_by_current_thread(self) -> bool:
        """True while the calling thread holds it."""
        with self._mutex:
            return self._book.holds(current_owner())

    def get_participant_nodes(self) -> list[str]:
        """The full paths of all children of the lock path, in Curator's order (holder first)."""
        return [join_path(self.path, name) for name in self._internals.participant_nodes()]

    # ------------------------------------------------------------------ beyond Curator

    def make_revocable(self, listener: RevocationListener) -> None:
        """Let others ask for this lock (Curator's ``makeRevocable``): call before ``acquire``.

        Our node is then created with empty data and its data watched; when a
        :class:`~.revoker.Revoker` writes the revoke message into it,
        ``listener.revocation_requested(mutex)`` is called (on the completion
        queue) — releasing is up to the listener's owner, from the holding thread.
        """

        def requested() -> None:
            try:
                listener.revocation_requested(self)
            except Exception:
                log.exception("revocation listener of %r failed", self)

        self._internals.on_revoke = requested

    def cancel(self) -> None:
        """Make every pending ``acquire`` of this object return False (a held mutex is not affected)."""
        self._internals.cancel()

    @property
    def fencing_token(self) -> int | None:
        """The czxid of our node while this process holds the mutex, else None."""
        with self._mutex:
            held = self._book.first()
        return None if held is None else held.czxid

    def fence_nodes(self) -> list[Fence]:
        """The node held (the calling thread's hold, else this process's) as a :class:`Fence`.

        Raises LockNotHeldError, or LockLostError when the hold ended with a LOST session.
        """
        me = current_owner()
        with self._mutex:
            contender = self._book.fence(me)
        return [Fence(join_path(self.path, contender.name), contender.data, contender.czxid)]

    def fenced_transaction(self) -> Transaction:
        """A transaction whose first operation checks our node exists (see ``Lock.fenced_transaction``).

        ``commit()`` is never retried: a ConnectionLoss from it leaves the outcome unknown.
        """
        return self._fenced.transaction()

    def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while this mutex is held; the new stat.

        LockLostError: the lock is gone and nothing was written. A lost reply is
        settled by the marker rule (applied: the stat read back; not applied: sent
        again); OutcomeUnknownError when it cannot be established.
        """
        return self._fenced.set(path, value, version)

    def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while held (as :meth:`fenced_set`); the created path."""
        return self._fenced.create(path, value, ephemeral=ephemeral)

    def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while held (as :meth:`fenced_set`)."""
        self._fenced.delete(path, version)

    @property
    def node(self) -> str | None:
        """The name of our node while held, else None."""
        with self._mutex:
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

    def __enter__(self) -> InterProcessMutex:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    # ------------------------------------------------------------------ session

    def _listen(self) -> None:
        with self._mutex:
            if self._listening:
                return
            self._listening = True
        self.client.add_listener(self._on_state)

    def _unlisten_locked(self) -> None:
        if self._listening:
            self._listening = False
            self._book.suspended = False
            safe_remove_listener(self.client, self._on_state)

    def _on_state(self, state: ZkState) -> None:
        with self._mutex:
            lost = self._book.on_state(state)
        if lost and self.on_lost is not None:
            try:
                self.on_lost(self)
            except Exception:
                log.exception("on_lost callback of %r failed", self)
