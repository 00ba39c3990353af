"""Distributed locks: Lock, ReadLock, WriteLock (the counting Semaphore is in ``semaphore.py``).

Failure semantics (Curator style), for every class here and for Semaphore:

* **SUSPENDED** (connection lost, session may live): a held lock stays held —
  its ephemeral node lives as long as the session — but ``is_suspended`` turns
  True until the connection is back. Code that must never run concurrently
  with another holder should pause, or make its writes conditional on the lock
  with :meth:`Lock.fenced_transaction` / :meth:`Lock.fenced_set`. A pending
  ``acquire`` keeps waiting (watches are restored on reconnect).
* **LOST** (session expired or closed): the contender node is gone, so a held
  lock is released locally (``is_acquired`` becomes False) and the ``on_lost``
  callback given to the constructor runs (on the client's session queue). A
  pending ``acquire`` starts over with a new node in the new session.

Contender nodes are named like protected creates, ``_c_<32 hex guid>-<name>``
plus ZooKeeper's 10-digit sequence, with a GUID owned by the recipe: after a
connection loss the recipe finds its node again by that GUID (checking that
an ephemeral one belongs to the current session) instead of creating a second
one, and a node left by a failed, cancelled or timed-out acquire is deleted —
at once, or on the next reconnect if the connection is down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from zkrecipes.exceptions import (
    ConnectionClosedError,
    InvalidTypeError,
    OutcomeUnknownError,
)
from zkrecipes.recipes._acquire import AcquireLoop
from zkrecipes.recipes._checks import check_callable, check_identifier, check_path, check_timeout
from zkrecipes.recipes._fence_outcome import (
    APPLIED,
    ATTEMPTS,
    RESEND,
    judge_commit,
    judge_marker,
    judge_without_marker,
    lost,
    marker_state,
)
from zkrecipes.recipes._fence_outcome import unknown as _unknown
from zkrecipes.recipes._holder_rules import applied_read_failed, applied_stat, holder_fence
from zkrecipes.recipes._nodes import read_identifiers
from zkrecipes.recipes._predicates import (
    BlockedBy,
    lock_policy,
    parse_contenders,
    read_lock_policy,
    write_lock_policy,
)
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient, Transaction

__all__ = ["Lock", "ReadLock", "WriteLock"]

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------ Lock

class Lock:
    """An exclusive, non-reentrant distributed lock (kazoo's ``Lock`` API).

    Each contender creates an ephemeral sequential node under ``path``; the
    lowest sequence number holds the lock, and every waiter watches only its
    nearest predecessor (no herd effect). See the module docstring for what
    happens on SUSPENDED and LOST; ``on_lost(lock)`` is called when a held lock
    is lost with its session.

    ``fencing_token`` is the creation zxid (czxid) of the holder's node: it is
    strictly increasing across successive holders of one lock path (for as long
    as the server's history lasts). Pass it to downstream systems that can
    reject stale tokens, or use :meth:`fenced_transaction` / :meth:`fenced_set`
    to make ZooKeeper writes conditional on still holding the lock.

    The acquisition is the shared loop of :mod:`zkrecipes.recipes._acquire`;
    this class contributes its policy (who blocks whom, see
    :mod:`zkrecipes.recipes._predicates`) and the fencing API.
    """

    _POLICY: ClassVar[Callable[[Iterable[str]], BlockedBy]] = staticmethod(lock_policy)

    def __init__(
        self,
        client: RecipeClient,
        path: str,
        identifier: str | None = None,
        extra_lock_patterns: Iterable[str] = (),
        on_lost: Callable[[Lock], object] | None = None,
    ) -> None:
        self.client = client
        self.path = check_path(path)
        self.data = (check_identifier(identifier) or "").encode("utf-8")
        extra = tuple(extra_lock_patterns)
        if not all(isinstance(name, str) for name in extra):
            raise InvalidTypeError("extra_lock_patterns must be node names (str)")
        self.on_lost = check_callable(on_lost, "on_lost")
        self.policy = type(self)._POLICY(extra)
        self._loop = AcquireLoop(client, self.path, self.policy, self.data, self, on_lost)
        self._guard = self._loop.guard
        # fenced_set's marker: (lock node path, its version, its mzxid) as last known; one
        # fenced_set at a time per Lock object so that only our own marker moves that version.
        self._marker: tuple[str, int, int] | None = None
        self._fence_mutex = client.handler.lock_object()

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
    def cancelled(self) -> bool:
        """True after :meth:`cancel` until the cancelled acquire has raised CancelledError."""
        return self._guard.cancelled

    @cancelled.setter
    def cancelled(self, value: bool) -> None:
        self._guard.cancelled = value

    @property
    def is_acquired(self) -> bool:
        """True while this object holds the lock (False again after release or LOST)."""
        return self._guard.held

    @property
    def is_suspended(self) -> bool:
        """True while the connection is down during an acquisition or hold (the session may live)."""
        return self._guard.suspended

    @property
    def fencing_token(self) -> int | None:
        """The czxid of the holder's node while held (strictly increasing per lock path), else None."""
        return self._loop.token if self._guard.held else None

    def cancel(self) -> None:
        """Make a pending acquire raise CancelledError (a held lock is not affected)."""
        self._guard.cancel()

    # ------------------------------------------------------------------ acquire & release

    def acquire(self, blocking: bool = True, timeout: float | None = None, ephemeral: bool = True) -> bool:
        """Acquire the lock; True once held.

        ``blocking=False`` returns False at once if another contender holds it.
        With a ``timeout``, raises :class:`LockTimeout` when not acquired in
        time. Connection losses are retried within the timeout. On any failure
        (timeout, :class:`CancelledError`, an error) this contender's node is
        deleted — now, or on the next reconnect — so it never blocks others.
        ``ephemeral=False`` keeps the node past session end (then LOST does not
        release the lock; release it explicitly).
        """
        return self._loop.acquire(blocking, check_timeout(timeout), ephemeral)

    def release(self) -> bool:
        """Release the lock; True if it was held.

        After it returns this object no longer holds the lock and its node is
        deleted — or, if the connection is down, deleted on the next reconnect
        (or it vanishes with the session).
        """
        return self._loop.release()

    def _report_as(self, recipe: str) -> None:
        """Label this lock's recipe events ``recipe`` (a recipe built on a Lock, e.g. Election)."""
        self._loop.times.recipe = recipe

    # ------------------------------------------------------------------ fencing

    def _fence(self) -> str:
        """Our lock node's path while held; else LockNotHeldError (LockLostError after a LOST)."""
        guard = self._guard
        with guard.lock:
            return holder_fence(self.path, guard.held, guard.lost, self._loop.fence_path)

    def fenced_transaction(self) -> Transaction:
        """A client transaction whose first operation checks that our lock node still exists.

        Add writes and ``commit()``: the server applies them only if this lock
        is still held at commit time (a lost holder's commit fails with
        NoNodeError on the check and changes nothing). Raises
        :class:`LockNotHeldError` (:class:`LockLostError` after a LOST) if this
        object does not hold the lock now. ``commit()`` is never retried: a
        ConnectionLoss (or SessionExpiredError) from it means the transaction
        may or may not have been applied — read back before writing again.
        """
        fence = self._fence()
        transaction = self.client.transaction()
        transaction.check(fence, -1)
        return transaction

    def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` to ``value`` only if this lock is still held; return the new stat.

        Raises :class:`LockLostError` if the lock is gone and nothing was
        written, or the set's own error (e.g. NoNodeError for ``path``).

        The transaction also rewrites our lock node with its own data at its
        known version (a marker: same data, version + 1). When a reply is lost
        with the connection the outcome is established from that marker on the
        same session — applied (the stat of ``path`` read back is returned) or
        not (the write is sent again) — and from ``path``'s mzxid when the
        session is gone (older than the marker's last known zxid: not written,
        LockLostError). Otherwise it raises :class:`OutcomeUnknownError`:
        the value may have been written; read it back, never repeat blindly.
        """
        result = self._fenced_write(path, "fenced_set", lambda tx: tx.set_data(path, value, version))
        if isinstance(result, ZnodeStat):
            return result
        try:  # applied, reply lost: the stat read back
            target = self.client.retry(self.client.exists, path)
        except Exception as read_error:
            raise applied_read_failed(path, "fenced_set", read_error) from read_error
        return applied_stat(path, "fenced_set", target)

    def _fenced_write(self, path: str, operation: str, add: Callable[[Transaction], object]) -> object:
        """Commit [marker on our lock node, the op ``add`` puts in] once; return the op's result.

        ``APPLIED`` when the reply was lost but the marker proves it applied;
        resent when it proves it was not; LockLostError when nothing was
        written; OutcomeUnknownError otherwise. ``path``/``operation`` name the
        write in errors. The decisions are :mod:`zkrecipes.recipes._fence_outcome`'s.
        """
        with self._fence_mutex:
            for _ in range(ATTEMPTS):
                result = self._fenced_write_once(path, operation, add)
                if result is not RESEND:
                    return result
            raise _unknown(path, operation, "the connection kept failing")

    def _fenced_write_once(self, path: str, operation: str, add: Callable[[Transaction], object]) -> object:
        fence = self._fence()
        marker_version, marker_zxid = marker_state(self._marker, fence, self._loop.token)
        transaction = self.client.transaction()
        transaction.set_data(fence, self._loop.data, marker_version)
        add(transaction)
        try:
            marker_result, op_result = transaction.commit()
        except RETRYABLE as error:  # ConnectionClosedError included: establish what we can
            return self._after_lost_reply(fence, marker_version, marker_zxid, path, operation, error)
        result = judge_commit(self.path, marker_result, op_result)
        if result is RESEND:  # our node was changed by someone else
            self._refresh_marker(fence)
            return RESEND
        self._marker = (fence, marker_result.version, marker_result.mzxid)
        return result

    def _refresh_marker(self, fence: str) -> None:
        found = self.client.retry(self.client.exists, fence)
        if found is None:
            raise lost(self.path)
        self._marker = (fence, found.version, found.mzxid)

    def _after_lost_reply(
        self, fence: str, marker_version: int, marker_zxid: int, path: str, operation: str, error: Exception
    ) -> object:
        """The reply of our fenced transaction is lost: ``APPLIED``, ``RESEND`` (not applied), or raise."""

        def unknown(why: str) -> OutcomeUnknownError:
            return _unknown(path, operation, f"reply lost ({type(error).__name__}) and {why}")

        if isinstance(error, ConnectionClosedError):
            raise unknown("the client is closed") from error
        try:
            found = self.client.retry(self.client.exists, fence)
        except Exception as read_error:
            raise unknown(f"reading the lock node failed ({read_error!r})") from error
        try:
            verdict = judge_marker(found, marker_version)
        except ValueError as moved:
            raise unknown(str(moved)) from error
        if verdict is APPLIED:  # the marker moved with it, in the same transaction
            assert found is not None
            self._marker = (fence, found.version, found.mzxid)
        if verdict is not None:
            return verdict
        # Our lock node is gone (session lost, or deleted): the marker cannot tell.
        try:
            target = self.client.retry(self.client.exists, path)
        except Exception as read_error:
            raise unknown(f"the lock is lost and reading {path} failed ({read_error!r})") from error
        if judge_without_marker(target, marker_zxid):
            raise lost(self.path) from error
        raise unknown("the lock was lost before it could be established") from error

    # ------------------------------------------------------------------ queries

    def contenders(self) -> list[str]:
        """Identifiers of the current contenders, in lock order (the holder first)."""
        self.client.retry(self.client.ensure_path, self.path)
        children = self.client.retry(self.client.get_children, self.path)
        ordered = parse_contenders(children, self.policy.pattern)
        return read_identifiers(self.client, self.path, (contender.name for contender in ordered))

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class WriteLock(Lock):
    """The write side of a read/write lock: excludes readers and writers on the same path."""

    _POLICY = staticmethod(write_lock_policy)


class ReadLock(Lock):
    """The read side of a read/write lock: shared with readers, waits for the nearest earlier writer."""

    _POLICY = staticmethod(read_lock_policy)
