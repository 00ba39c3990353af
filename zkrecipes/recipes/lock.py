"""Distributed locks and a counting semaphore: Lock, ReadLock, WriteLock, Semaphore.

Failure semantics (Curator style), for every class here:

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
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.exceptions import (
    CancelledError,
    ConnectionClosedError,
    ConnectionLoss,
    InvalidArgumentError,
    InvalidPathError,
    InvalidTypeError,
    LockLostError,
    LockNotHeldError,
    LockTimeout,
    NodeExistsError,
    NoNodeError,
    OperationTimeoutError,
    RetryFailedError,
    SessionExpiredError,
    SessionMovedError,
    ZkTimeoutError,
    ZookeeperStoppedError,
)
from zkrecipes.states import ZkState, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

log = logging.getLogger(__name__)

# ----------------------------------------------------------------- helpers shared by the recipes

_SEQUENCE_RE = re.compile(r"(-?\d{10})$")
_RETRYABLE = (ConnectionLoss, OperationTimeoutError, SessionExpiredError, SessionMovedError)


def sequence_number(name: str) -> int | None:
    """Return the trailing 10-digit sequence number of a sequential node name, else None."""
    match = _SEQUENCE_RE.search(name)
    return int(match.group(1)) if match else None


def child_path(parent: str, name: str) -> str:
    """Join a parent path and a child name."""
    return parent.rstrip("/") + "/" + name


def check_path(path: object, what: str = "path") -> str:
    """Return ``path`` if it is a usable absolute, non-root recipe path; raise otherwise."""
    if not isinstance(path, str):
        raise InvalidTypeError(f"{what} must be a str, not {type(path).__name__}")
    if not path.startswith("/") or path == "/" or path.endswith("/") or "//" in path:
        raise InvalidPathError(f"{what} must be an absolute, non-root znode path: {path!r}")
    return path


def check_timeout(timeout: object) -> float | None:
    """Return ``timeout`` as a float (None stays None); raise on a negative or non-number value."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise InvalidTypeError(f"timeout must be a number or None, not {type(timeout).__name__}")
    if not timeout >= 0:  # also rejects NaN
        raise InvalidArgumentError(f"timeout must be >= 0, not {timeout!r}")
    return float(timeout)


def is_retryable(error: BaseException) -> bool:
    """True for errors after which the same idempotent step may be tried again."""
    return isinstance(error, _RETRYABLE) and not isinstance(error, ConnectionClosedError)


def current_session_id(client: ZkClient) -> int | None:
    """The client's current session id, or None when it has none."""
    client_id = client.client_id
    return client_id[0] if client_id else None


def safe_remove_listener(client: ZkClient, listener: Callable[[ZkState], Any]) -> None:
    """Remove a state listener that may already be gone."""
    try:
        client.remove_listener(listener)
    except (KeyError, ValueError):
        pass


class Deadline:
    """A monotonic deadline; ``timeout=None`` never expires."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self._end = None if timeout is None else time.monotonic() + timeout

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None without a deadline."""
        if self._end is None:
            return None
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        return self._end is not None and time.monotonic() >= self._end

    def capped(self, most: float) -> float:
        """Seconds left, but at most ``most``."""
        left = self.remaining()
        return most if left is None else min(most, left)


class NodeReaper:
    """Deletes the children of ``parent`` whose names start with ``prefix``.

    Guarantees the deletion happens: now if the client is connected, else after
    the next reconnect (it listens for CONNECTED until it succeeded). It gives up
    only when the client is stopped or the parent is gone. The work runs on a
    handler worker (spawn), so a connection drop never blocks the caller beyond
    ``start``'s bounded wait.
    """

    def __init__(self, client: ZkClient, parent: str, prefix: str) -> None:
        self.client = client
        self.parent = parent
        self.prefix = prefix
        self.done = False

    def start(self, try_now: bool = True, wait: float = 5.0) -> bool:
        """Try at once if asked and connected, waiting at most ``wait`` s for that try.

        Returns True when the nodes are known to be gone; otherwise they are
        deleted after a later reconnect.
        """
        self.client.add_listener(self._listener)
        if try_now and self.client.connected:
            finished: Any = self.client.handler.event_object()
            self.client.handler.spawn(self._run, finished)
            finished.wait(wait)
        return self.done

    def _listener(self, state: ZkState) -> bool:
        if self.done:
            return True
        if state == ZkState.CONNECTED:
            self.client.handler.spawn(self._run, None)
        return False

    def _run(self, finished: Any) -> None:
        try:
            if not self.done and self._try():
                self.done = True
                safe_remove_listener(self.client, self._listener)
        finally:
            if finished is not None:
                finished.set()

    def _try(self) -> bool:
        try:
            children: list[str] = self.client.get_children(self.parent)
            for name in children:
                if name.startswith(self.prefix):
                    try:
                        self.client.delete(child_path(self.parent, name))
                    except NoNodeError:
                        pass
        except NoNodeError:
            pass
        except (ConnectionClosedError, ZookeeperStoppedError):
            log.debug("client stopped: not deleting %s/%s*", self.parent, self.prefix)
        except Exception as error:  # retried on the next reconnect unless fatal
            if is_retryable(error):
                return False
            log.warning("could not delete %s/%s*: %r", self.parent, self.prefix, error)
        return True


def bounded(result: Any, deadline: Deadline, what: str) -> Any:
    """``result.get()`` within ``deadline``; LockTimeout when it passes first.

    Requests queued while disconnected may wait up to a session timeout; this
    keeps a recipe's own timeout honest (the request completes later, unseen).
    """
    try:
        return result.get(timeout=deadline.remaining())
    except ZkTimeoutError:
        raise LockTimeout(f"{what}: no reply within {deadline.timeout}s") from None


class _Restart(Exception):
    """Internal: start the acquisition over with a fresh contender node."""


class _SessionBound:
    """Held/suspended/lost bookkeeping shared by Lock and Semaphore.

    A listener is registered per acquisition; it flips ``_suspended`` on
    SUSPENDED/CONNECTED and, on LOST, bumps the session epoch, marks a held
    lock released and calls ``on_lost``.
    """

    def __init__(self, client: ZkClient, on_lost: Callable[[Any], object] | None) -> None:
        self.client = client
        self.on_lost = on_lost
        self.cancelled = False
        self._held = False
        self._lost = False
        self._suspended = False
        self._epoch = 0
        self._survives_session = False  # a non-ephemeral node: LOST does not release it
        self._listener: Callable[[ZkState], bool] | None = None
        self._wake: Any = client.handler.event_object()
        self._state_lock: Any = client.handler.lock_object()

    @property
    def is_acquired(self) -> bool:
        """True while this object holds the lock (False again after release or LOST)."""
        return self._held

    @property
    def is_suspended(self) -> bool:
        """True while the connection is down during an acquisition or hold (the session may live)."""
        return self._suspended

    def cancel(self) -> None:
        """Make a pending acquire raise CancelledError (a held lock is not affected)."""
        self.cancelled = True
        self._wake.set()

    def _start_listening(self) -> None:
        def listener(state: ZkState) -> bool:
            return self._on_state(listener, state)

        with self._state_lock:
            old, self._listener = self._listener, listener
            self._suspended = self.client.state == ZkState.SUSPENDED
        if old is not None:
            safe_remove_listener(self.client, old)
        self.client.add_listener(listener)

    def _stop_listening(self) -> None:
        with self._state_lock:
            listener, self._listener = self._listener, None
            self._suspended = False
        if listener is not None:
            safe_remove_listener(self.client, listener)

    def _on_state(self, me: Callable[[ZkState], bool], state: ZkState) -> bool:
        lost_node: str | None = None
        with self._state_lock:
            if me is not self._listener:
                return True  # a stale registration: remove it
            if state == ZkState.SUSPENDED:
                self._suspended = True
            elif state == ZkState.CONNECTED or (state == ZkState.LOST and self._survives_session):
                self._suspended = False
            elif state == ZkState.LOST:
                self._suspended = False
                self._epoch += 1
                if self._held:
                    self._held = False
                    self._lost = True
                    self._listener = None
                    lost_node = self._forget_node()
        self._wake.set()
        if lost_node is None:
            return False
        self._reap(lost_node, try_now=False)
        if self.on_lost is not None:
            try:
                self.on_lost(self)
            except Exception:
                log.exception("on_lost callback of %r failed", self)
        return True

    def _forget_node(self) -> str:
        """Drop the held node's identity; return the name prefix that finds it again."""
        raise NotImplementedError

    def _reap(self, prefix: str, try_now: bool = True) -> None:
        raise NotImplementedError

    def _backoff(self, deadline: Deadline, attempt: int) -> None:
        """Wait before a retry: for a state change (or cancel) while disconnected, else briefly."""
        self._wake.clear()
        pause = 1.0 if not self.client.connected else min(1.0, 0.05 * (2**attempt))
        self._wake.wait(deadline.capped(pause))


def _contender_regex(names: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    return re.compile(rf"(?:{alternatives})(-?\d{{10}})$")


# ------------------------------------------------------------------------------------------ Lock


class Lock(_SessionBound):
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
        self._predecessor_re = _contender_regex(exclude)
        self._contender_re = _contender_regex(exclude | {self._NODE_NAME})
        self.node: str | None = None
        self._fencing_token: int | None = None
        self._fence_path: str | None = None
        self._path_ready = False
        self._acquire_lock: Any = client.handler.lock_object()
        self._new_guid()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, node={self.node!r}, acquired={self._held})"

    def _new_guid(self) -> None:
        self.prefix = f"_c_{uuid.uuid4().hex}-{self._NODE_NAME}"
        self.create_path = child_path(self.path, self.prefix)
        self._create_tried = False
        self.node = None

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
                stat = bounded(self.client.exists_async(node_path), deadline, f"acquire of {self.path}")
                if stat is None:
                    raise _Restart
                with self._state_lock:
                    if epoch != self._epoch:
                        raise _Restart
                    self._held = True
                    self._lost = False
                    self._fencing_token = stat.czxid
                    self._fence_path = child_path(self.path, self._require_node())
                return True
            except _Restart:
                self._abandon(try_now=False)
            except (LockTimeout, CancelledError):
                raise
            except Exception as error:
                if not is_retryable(error):
                    raise
                if deadline.expired():
                    raise LockTimeout(f"could not acquire {self.path} in {deadline.timeout}s") from error
                log.debug("retrying acquire of %s after %r", self.path, error)
                self._backoff(deadline, attempt)
                attempt += 1

    def _require_node(self) -> str:
        if self.node is None:
            raise _Restart
        return self.node

    def _attempt(self, blocking: bool, deadline: Deadline, ephemeral: bool, epoch: int) -> bool:
        what = f"acquire of {self.path}"
        if not self._path_ready:
            bounded(self.client.ensure_path_async(self.path), deadline, what)
            self._path_ready = True
        node = self._locate_or_create(ephemeral, deadline)
        while True:
            self._wake.clear()
            if self.cancelled:
                raise CancelledError(f"acquire of {self.path} cancelled")
            if epoch != self._epoch:
                raise _Restart
            children = bounded(self.client.get_children_async(self.path), deadline, what)
            if node not in children:
                raise _Restart  # our node vanished with its session
            predecessor = self._predecessor(node, children)
            if predecessor is None:
                return True
            if not blocking:
                return False
            watched = self.client.get_async(child_path(self.path, predecessor), watch=self._on_watch)
            try:
                bounded(watched, deadline, what)
            except NoNodeError:
                continue
            if not self._wake.wait(deadline.remaining()) and not self._wake.is_set():
                raise LockTimeout(f"could not acquire {self.path} in {deadline.timeout}s")

    def _on_watch(self, event: object) -> None:
        self._wake.set()

    def _locate_or_create(self, ephemeral: bool, deadline: Deadline) -> str:
        if self.node is not None:
            return self.node
        if self._create_tried:
            found = self._find_own(ephemeral, deadline)
            if found is not None:
                self.node = found
                return found
        self._create_tried = True
        creating = self.client.create_async(self.create_path, self.data, ephemeral=ephemeral, sequence=True)
        created = bounded(creating, deadline, f"acquire of {self.path}")
        self.node = str(created).rsplit("/", 1)[-1]
        return self.node

    def _find_own(self, ephemeral: bool, deadline: Deadline) -> str | None:
        """Our node from an earlier try (a create whose reply was lost), if it is ours."""
        what = f"acquire of {self.path}"
        session = current_session_id(self.client)
        children: list[str] = bounded(self.client.get_children_async(self.path), deadline, what)
        for name in children:
            if not name.startswith(self.prefix):
                continue
            stat = bounded(self.client.exists_async(child_path(self.path, name)), deadline, what)
            if stat is None:
                continue
            if ephemeral and session is not None and stat.ephemeralOwner != session:
                try:  # left by our previous session: never adopt it
                    self.client.delete(child_path(self.path, name))
                except NoNodeError:
                    pass
                continue
            return name
        return None

    def _predecessor(self, node: str, children: list[str]) -> str | None:
        """The contender just before ``node`` among the names that exclude us, else None."""
        mine = sequence_number(node)
        if mine is None:
            raise _Restart
        best: tuple[int, str] | None = None
        for child in children:
            match = self._predecessor_re.search(child)
            if match is None or child == node:
                continue
            seq = int(match.group(1))
            if seq < mine and (best is None or seq > best[0]):
                best = (seq, child)
        return None if best is None else best[1]

    def _abandon(self, try_now: bool = True) -> None:
        """Delete whatever node this attempt may have created, then use a fresh GUID."""
        if self._create_tried or self.node is not None:
            self._reap(self.prefix, try_now)
        self._new_guid()

    def _reap(self, prefix: str, try_now: bool = True) -> None:
        NodeReaper(self.client, self.path, prefix).start(try_now)

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
        try:
            if node is not None:
                self.client.retry(self._delete_quietly, child_path(self.path, node))
        except (RetryFailedError, *_RETRYABLE) as error:
            # Stopped client: the (ephemeral) node went with the session. Otherwise
            # delete it once reconnected.
            log.warning("release of %s deferred to the next reconnect: %r", self.path, error)
            if not isinstance(error, ConnectionClosedError):
                self._reap(prefix, try_now=False)
        self._wake.set()
        return True

    def _delete_quietly(self, path: str) -> None:
        try:
            self.client.delete(path)
        except NoNodeError:
            pass

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
        ordered = sorted(
            (int(match.group(1)), child)
            for child in children
            if (match := self._contender_re.search(child)) is not None
        )
        result: list[str] = []
        for _, child in ordered:
            try:
                data, _stat = self.client.retry(self.client.get, child_path(self.path, child))
            except NoNodeError:
                continue
            result.append(data.decode("utf-8", "replace"))
        return result

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


# ------------------------------------------------------------------------------------- Semaphore


class Semaphore(_SessionBound):
    """A counting semaphore: at most ``max_leases`` holders at once (kazoo's ``Semaphore`` API).

    Holders are ephemeral children of ``path`` named by a per-object GUID;
    ``path`` stores ``max_leases`` (a mismatch raises InvalidArgumentError).
    Acquirers queue on a :class:`Lock` at ``path + "-__lock__"`` so only its
    holder watches the lease pool. SUSPENDED/LOST as in the module docstring:
    on LOST a held lease is released locally and ``on_lost(semaphore)`` runs.
    """

    def __init__(
        self,
        client: ZkClient,
        path: str,
        identifier: str | None = None,
        max_leases: int = 1,
        on_lost: Callable[[Semaphore], object] | None = None,
    ) -> None:
        super().__init__(client, on_lost)
        self.path = check_path(path)
        if isinstance(max_leases, bool) or not isinstance(max_leases, int):
            raise InvalidTypeError(f"max_leases must be an int, not {type(max_leases).__name__}")
        if max_leases < 1:
            raise InvalidArgumentError(f"max_leases must be >= 1, not {max_leases}")
        self.identifier = identifier
        self.data = str(identifier or "").encode("utf-8")
        self.max_leases = max_leases
        self.lock_path = path + "-__lock__"
        self._pool_ready = False
        self._new_name()

    def __repr__(self) -> str:
        return f"Semaphore({self.path!r}, max_leases={self.max_leases}, acquired={self._held})"

    def _new_name(self) -> None:
        self.node_name = uuid.uuid4().hex
        self.create_path = child_path(self.path, self.node_name)

    def _ensure_pool(self) -> None:
        if self._pool_ready:
            return
        try:
            self.client.create(self.path, str(self.max_leases).encode(), makepath=True)
        except NodeExistsError:
            data, _stat = self.client.get(self.path)
            try:
                stored = int(data.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                stored = None  # not ours to judge: the node may store something else
            if stored is not None and stored != self.max_leases:
                raise InvalidArgumentError(
                    f"inconsistent max leases for {self.path}: stored {stored}, expected {self.max_leases}"
                ) from None
        self._pool_ready = True

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take a lease; True once held (True at once if this object holds one).

        ``blocking=False`` returns False if no lease is free; with a ``timeout``
        raises :class:`LockTimeout` if none freed in time. On failure no lease
        node of ours remains (now, or after the next reconnect).
        """
        timeout = check_timeout(timeout)
        self.cancelled = False
        if self._held:
            return True
        deadline = Deadline(timeout)
        self._start_listening()
        try:
            gotten = self._acquire_loop(blocking, deadline)
        except BaseException:
            self.cancelled = False
            self._give_up()
            raise
        if not gotten:
            self._give_up()
        return gotten

    def _give_up(self) -> None:
        self._reap(self.node_name)
        self._new_name()
        self._stop_listening()

    def _acquire_loop(self, blocking: bool, deadline: Deadline) -> bool:
        attempt = 0
        while True:
            epoch = self._epoch
            try:
                self._ensure_pool()
                if self._attempt(blocking, deadline, epoch):
                    with self._state_lock:
                        if epoch != self._epoch:
                            raise _Restart
                        self._held = True
                        self._lost = False
                    return True
                return False
            except _Restart:
                self._reap(self.node_name, try_now=False)
                self._new_name()
            except (LockTimeout, CancelledError):
                raise
            except Exception as error:
                if not is_retryable(error):
                    raise
                if deadline.expired():
                    raise LockTimeout(f"no lease on {self.path} in {deadline.timeout}s") from error
                self._backoff(deadline, attempt)
                attempt += 1

    def _attempt(self, blocking: bool, deadline: Deadline, epoch: int) -> bool:
        gate = Lock(self.client, self.lock_path, self.identifier)
        if not gate.acquire(blocking=blocking, timeout=deadline.remaining()):
            return False
        try:
            while True:
                self._wake.clear()
                if self.cancelled:
                    raise CancelledError(f"acquire of {self.path} cancelled")
                if epoch != self._epoch:
                    raise _Restart
                what = f"acquire of {self.path}"
                listing = self.client.get_children_async(self.path, watch=self._on_watch)
                children = bounded(listing, deadline, what)
                if self.node_name in children:
                    if self._owned(deadline):
                        return True
                    raise _Restart
                if len(children) < self.max_leases:
                    creating = self.client.create_async(self.create_path, self.data, ephemeral=True)
                    try:
                        bounded(creating, deadline, what)
                    except NodeExistsError:
                        if not self._owned(deadline):
                            raise _Restart from None
                    return True
                if not blocking:
                    return False
                if not self._wake.wait(deadline.remaining()) and not self._wake.is_set():
                    raise LockTimeout(f"no lease on {self.path} in {deadline.timeout}s")
        finally:
            gate.release()

    def _owned(self, deadline: Deadline) -> bool:
        stat = bounded(self.client.exists_async(self.create_path), deadline, f"acquire of {self.path}")
        session = current_session_id(self.client)
        return stat is not None and (session is None or stat.ephemeralOwner == session)

    def _on_watch(self, event: object) -> None:
        self._wake.set()

    def _reap(self, prefix: str, try_now: bool = True) -> None:
        NodeReaper(self.client, self.path, prefix).start(try_now)

    def _forget_node(self) -> str:
        name = self.node_name
        self._new_name()
        return name

    def release(self) -> bool:
        """Give the lease back; True if one was held. The node is deleted now or on reconnect."""
        with self._state_lock:
            was_held = self._held
            self._held = False
            name = self.node_name
        self._stop_listening()
        if not was_held:
            return False
        self._new_name()
        try:
            self.client.retry(self._delete_quietly, child_path(self.path, name))
        except (RetryFailedError, *_RETRYABLE) as error:
            if not isinstance(error, ConnectionClosedError):
                self._reap(name, try_now=False)
        return True

    def _delete_quietly(self, path: str) -> None:
        try:
            self.client.delete(path)
        except NoNodeError:
            pass

    def lease_holders(self) -> list[str]:
        """Identifiers of the current lease holders (unordered)."""
        try:
            children = self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return []
        holders: list[str] = []
        for child in children:
            try:
                data, _stat = self.client.retry(self.client.get, child_path(self.path, child))
            except NoNodeError:
                continue
            holders.append(data.decode("utf-8", "replace"))
        return holders

    def __enter__(self) -> Semaphore:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
