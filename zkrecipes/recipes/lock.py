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
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.exceptions import (
    LockLostError,
    LockNotHeldError,
    LockTimeout,
    NoNodeError,
)
from zkrecipes.recipes._support import (
    Deadline,
    Restart,
    SessionBound,
    bounded,
    check_path,
    check_timeout,
    child_path,
    contender_regex,
    find_own_node,
    nearest_lower,
    read_identifiers,
    sort_by_sequence,
)
from zkrecipes.states import EventType, WatchedEvent, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["Lock", "ReadLock", "WriteLock"]

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------ Lock


class Lock(SessionBound):
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
    """

    _NODE_NAME = "__lock__"
    _EXCLUDE_NAMES: tuple[str, ...] = ("__lock__",)

    def __init__(
        self,
        client: ZkClient,
        path: str,
        identifier: str | None = None,
        extra_lock_patterns: Iterable[str] = (),
        on_lost: Callable[[Lock], object] | None = None,
    ) -> None:
        super().__init__(client, on_lost)
        self.path = check_path(path)
        self.data = str(identifier or "").encode("utf-8")
        exclude = set(self._EXCLUDE_NAMES) | set(extra_lock_patterns)
        self._predecessor_re = contender_regex(exclude)
        self._contender_re = contender_regex(exclude | {self._NODE_NAME})
        self.node: str | None = None
        self._node_czxid: int | None = None
        self._fencing_token: int | None = None
        self._fence_path: str | None = None
        self._path_ready = False
        self._acquire_lock: Any = client.handler.lock_object()
        # The wait for a predecessor (all guarded by _state_lock): the path watched,
        # whether it is the only contender ahead, and what its watch found.
        self._awaiting: str | None = None
        self._awaiting_sole = False
        self._await_round = 0
        self._predecessor_gone = False
        self._relisting: Any = None
        self._new_guid()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, node={self.node!r}, acquired={self._held})"

    def _new_guid(self) -> None:
        self.prefix = f"_c_{uuid.uuid4().hex}-{self._NODE_NAME}"
        self.create_path = child_path(self.path, self.prefix)
        self._create_tried = False
        self.node = None
        self._node_czxid = None

    @property
    def fencing_token(self) -> int | None:
        """The czxid of the holder's node while held (strictly increasing per lock path), else None."""
        return self._fencing_token if self._held else None

    # ------------------------------------------------------------------ acquire

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
        timeout = check_timeout(timeout)
        deadline = Deadline(timeout)
        if not self._lock_method(blocking, timeout):
            return False
        try:
            if self._held and not self._wait_released(blocking, deadline):
                return False
            self._survives_session = not ephemeral
            self._start_listening()
            try:
                gotten = self._acquire_loop(blocking, deadline, ephemeral)
            except BaseException:
                self.cancelled = False
                self._abandon()
                self._stop_listening()
                raise
            if not gotten:
                self._abandon()
                self._stop_listening()
            return gotten
        finally:
            self._acquire_lock.release()

    def _lock_method(self, blocking: bool, timeout: float | None) -> bool:
        if not blocking:
            return bool(self._acquire_lock.acquire(False))
        if timeout is None:
            return bool(self._acquire_lock.acquire())
        return bool(self._acquire_lock.acquire(True, timeout))

    def _wait_released(self, blocking: bool, deadline: Deadline) -> bool:
        """Not reentrant: a second acquire waits until this object is released."""
        while self._held:
            if not blocking:
                return False
            self._wake.clear()
            if self._held:
                self._wake.wait(deadline.capped(1.0))
            if self._held and deadline.expired():
                raise LockTimeout(f"lock {self.path} is already held by this object")
        return True

    def _acquire_loop(self, blocking: bool, deadline: Deadline, ephemeral: bool) -> bool:
        attempt = 0
        while True:
            epoch = self._epoch
            try:
                if not self._attempt(blocking, deadline, ephemeral, epoch):
                    return False
                node_path = child_path(self.path, self._require_node())
                token = self._node_czxid
                if token is None:  # not known from the create or the search: read it
                    stat = bounded(self.client.exists_async(node_path), deadline, f"acquire of {self.path}")
                    if stat is None:
                        raise Restart
                    token = stat.czxid
                with self._state_lock:
                    if epoch != self._epoch:
                        raise Restart
                    self._held = True
                    self._lost = False
                    self._fencing_token = token
                    self._fence_path = node_path
                return True
            except Restart:
                self._abandon(try_now=False)
            except Exception as error:
                self._raise_unless_retryable(
                    error, deadline, f"could not acquire {self.path} in {deadline.timeout}s"
                )
                log.debug("retrying acquire of %s after %r", self.path, error)
                self._backoff(deadline, attempt)
                attempt += 1

    def _require_node(self) -> str:
        if self.node is None:
            raise Restart
        return self.node

    def _attempt(self, blocking: bool, deadline: Deadline, ephemeral: bool, epoch: int) -> bool:
        """One acquisition with this GUID: True once held, False if ``blocking`` is off and it is not.

        Round trips when nobody else contends: the create (with its Stat, for the
        fencing token) and a listing of the contenders sent right behind it
        (ZooKeeper answers a session's requests in order, so the listing already
        shows the new node). A waiter watches only its predecessor; when that
        node was the only contender ahead, its deletion alone means the lock is
        ours (later contenders always get larger sequence numbers), otherwise the
        watch callback starts the re-listing at once.
        """
        what = f"acquire of {self.path}"
        if not self._path_ready:
            bounded(self.client.ensure_path_async(self.path), deadline, what)
            self._path_ready = True
        listing = self._locate_or_create(ephemeral, deadline)
        node = self._require_node()
        gone = False
        while True:
            self._begin_round(epoch)
            if gone:
                return True
            if listing is None:
                listing = self.client.get_children_async(self.path)
            children = bounded(listing, deadline, what)
            listing = None
            if node not in children:
                raise Restart  # our node vanished with its session
            ahead, count = nearest_lower(node, children, self._predecessor_re, self._NODE_NAME)
            if ahead is None:
                return True
            if not blocking:
                return False
            gone, listing = self._await_predecessor(child_path(self.path, ahead), count == 1, deadline)

    def _await_predecessor(self, path: str, sole: bool, deadline: Deadline) -> tuple[bool, Any]:
        """Watch ``path`` and wait until it changes (or a wake-up); return ``(gone, listing)``.

        ``gone`` is True only when ``path`` was the ``sole`` contender ahead and
        is deleted; ``listing`` is a re-listing the watch already started, or None.
        """
        with self._state_lock:
            self._awaiting, self._awaiting_sole = path, sole
            self._predecessor_gone, self._relisting = False, None
            self._await_round += 1
        try:
            watching = self.client.get_async(path, watch=self._on_predecessor)
            bounded(watching, deadline, f"acquire of {self.path}")
        except NoNodeError:
            self._stop_awaiting()
            return sole, None
        except BaseException:
            self._stop_awaiting()
            raise
        woken = self._wake.wait(deadline.remaining()) or self._wake.is_set()
        gone, listing = self._stop_awaiting()
        if not woken and not gone and listing is None:
            raise LockTimeout(f"could not acquire {self.path} in {deadline.timeout}s")
        return gone, listing

    def _stop_awaiting(self) -> tuple[bool, Any]:
        with self._state_lock:
            found = self._predecessor_gone, self._relisting
            self._awaiting, self._predecessor_gone, self._relisting = None, False, None
        return found

    def _on_predecessor(self, event: WatchedEvent) -> None:
        """Watch callback (WATCH queue): the awaited predecessor changed or went away.

        Never blocks: it records what the event proves, starts the re-listing
        (sent outside the lock) and wakes the waiter.
        """
        relist_round = None
        with self._state_lock:
            if event.path == self._awaiting:
                self._awaiting = None
                if event.type == EventType.DELETED and self._awaiting_sole:
                    self._predecessor_gone = True
                else:
                    relist_round = self._await_round
        if relist_round is not None:
            try:  # start the re-listing now rather than after the waiter wakes
                listing = self.client.get_children_async(self.path)
            except Exception:  # the waiter lists again itself
                listing = None
            with self._state_lock:
                if relist_round == self._await_round:
                    self._relisting = listing
        self._wake.set()

    def _locate_or_create(self, ephemeral: bool, deadline: Deadline) -> Any:
        """Make sure ``self.node`` is our contender; return a listing sent behind a new create, else None."""
        if self.node is not None:
            return None
        what = f"acquire of {self.path}"
        if self._create_tried:
            found = find_own_node(self.client, self.path, self.prefix, ephemeral, deadline, what)
            if found is not None:
                self.node, stat = found
                self._node_czxid = stat.czxid
                return None
        self._create_tried = True
        creating = self.client.create_async(
            self.create_path, self.data, ephemeral=ephemeral, sequence=True, include_data=True
        )
        listing = self.client.get_children_async(self.path)
        # Replies come in request order: once the listing is in, so is the create
        # (one wake-up instead of two). The create's own outcome is still read first.
        listing.wait(deadline.remaining())
        created, stat = bounded(creating, deadline, what)
        self.node = str(created).rsplit("/", 1)[-1]
        self._node_czxid = stat.czxid
        return listing

    def _abandon(self, try_now: bool = True) -> None:
        """Delete whatever node this attempt may have created, then use a fresh GUID."""
        if self._create_tried or self.node is not None:
            self._reap(self.prefix, try_now)
        self._new_guid()

    def _forget_node(self) -> str:
        prefix = self.prefix
        self._fencing_token = None
        self._new_guid()
        return prefix

    # ------------------------------------------------------------------ release & fencing

    def release(self) -> bool:
        """Release the lock; True if it was held.

        After it returns this object no longer holds the lock and its node is
        deleted — or, if the connection is down, deleted on the next reconnect
        (or it vanishes with the session).
        """
        with self._state_lock:
            was_held = self._held
            self._held = False
            prefix, node = self.prefix, self.node
            self._fencing_token = None
        self._stop_listening()
        if not was_held:
            return False
        self._new_guid()
        if node is not None:
            self._delete_node(node, prefix)
        self._wake.set()
        return True

    def fenced_transaction(self) -> Any:
        """A client transaction whose first operation checks that our lock node still exists.

        Add writes and ``commit()``: the server applies them only if this lock
        is still held at commit time (a lost holder's commit fails with
        NoNodeError on the check and changes nothing). Raises
        :class:`LockNotHeldError` (:class:`LockLostError` after a LOST) if this
        object does not hold the lock now.
        """
        with self._state_lock:
            if not self._held or self._fence_path is None:
                if self._lost:
                    raise LockLostError(f"lock {self.path} was lost with its session")
                raise LockNotHeldError(f"lock {self.path} is not held")
            fence = self._fence_path
        transaction = self.client.transaction()
        transaction.check(fence, -1)
        return transaction

    def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` to ``value`` only if this lock is still held; return the new stat.

        Raises :class:`LockLostError` if the lock is gone (nothing written), or
        the set's own error (e.g. NoNodeError for ``path``). Connection losses
        are retried; the check makes a retry safe.
        """

        def attempt() -> ZnodeStat:
            transaction = self.fenced_transaction()
            transaction.set_data(path, value, version)
            check_result, set_result = transaction.commit()
            if isinstance(check_result, NoNodeError):
                raise LockLostError(f"lock {self.path} is no longer held: write refused")
            if isinstance(set_result, Exception):
                raise set_result
            if isinstance(check_result, Exception):
                raise check_result
            stat: ZnodeStat = set_result
            return stat

        result: ZnodeStat = self.client.retry(attempt)
        return result

    # ------------------------------------------------------------------ queries

    def contenders(self) -> list[str]:
        """Identifiers of the current contenders, in lock order (the holder first)."""
        self.client.retry(self.client.ensure_path, self.path)
        children = self.client.retry(self.client.get_children, self.path)
        ordered = sort_by_sequence(children, self._contender_re)
        return read_identifiers(self.client, self.path, (name for _, name in ordered))

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class WriteLock(Lock):
    """The write side of a read/write lock: excludes readers and writers on the same path."""

    _NODE_NAME = "__lock__"
    _EXCLUDE_NAMES = ("__lock__", "__rlock__")


class ReadLock(Lock):
    """The read side of a read/write lock: shared with readers, waits for the nearest earlier writer."""

    _NODE_NAME = "__rlock__"
    _EXCLUDE_NAMES = ("__lock__",)
