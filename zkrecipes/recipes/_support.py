"""Helpers shared by the recipes: argument checks, sequence names, deadlines, node clean-up.

Nothing here is public API. The pure helpers (paths, sequence numbers,
:class:`Deadline`, argument checks) need no server; :class:`NodeReaper`,
:func:`bounded` and :func:`find_own_node` use only the public client API;
:class:`SessionBound` is the held/suspended/lost bookkeeping of the lock-like
recipes (Lock and its read/write variants, Semaphore).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.exceptions import (
    CancelledError,
    ConnectionClosedError,
    ConnectionLoss,
    InvalidArgumentError,
    InvalidPathError,
    InvalidTypeError,
    LockTimeout,
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

#: Errors after which an idempotent step may be tried again (ConnectionClosedError excepted).
RETRYABLE = (
    ConnectionLoss,
    OperationTimeoutError,
    SessionExpiredError,
    SessionMovedError,
)

_SEQUENCE_RE = re.compile(r"(\d{10})$")

# ------------------------------------------------------------------------------ argument checks


def check_path(path: object, what: str = "path") -> str:
    """Return ``path`` if it is a usable absolute, non-root recipe path.

    Raises :class:`InvalidTypeError` for a non-str and :class:`InvalidPathError`
    for a relative path, the root, a trailing slash or an empty segment.
    """
    if not isinstance(path, str):
        raise InvalidTypeError(f"{what} must be a str, not {type(path).__name__}")
    if not path.startswith("/") or path == "/" or path.endswith("/") or "//" in path:
        raise InvalidPathError(f"{what} must be an absolute, non-root znode path: {path!r}")
    return path


def check_timeout(timeout: object) -> float | None:
    """Return ``timeout`` as a float (None stays None).

    Raises :class:`InvalidTypeError` for a non-number (bools included) and
    :class:`InvalidArgumentError` for a negative value or NaN.
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise InvalidTypeError(f"timeout must be a number or None, not {type(timeout).__name__}")
    if not timeout >= 0:  # also rejects NaN
        raise InvalidArgumentError(f"timeout must be >= 0, not {timeout!r}")
    return float(timeout)


def is_retryable(error: BaseException) -> bool:
    """True for errors after which the same idempotent step may be tried again."""
    return isinstance(error, RETRYABLE) and not isinstance(error, ConnectionClosedError)


# ------------------------------------------------------------------------------ names and paths


def child_path(parent: str, name: str) -> str:
    """Join a parent path and a child name (a trailing slash on the parent is dropped)."""
    return parent.rstrip("/") + "/" + name


def sequence_number(name: str, prefix: str = "") -> int | None:
    """Return the sequence number ZooKeeper appended to ``prefix`` at the end of ``name``, else None.

    The suffix is 10 digits (``%010d``); once a parent's counter wraps past
    2**31-1 it is negative, ``-2147483648``. A minus sign is read as the sign
    only when ``prefix`` (the name the creator gave, e.g. ``"__lock__"``) is
    known: otherwise it cannot be told from a separator such as ``entry-100-``,
    and only the 10 digits are read.
    """
    pattern = contender_regex([prefix]) if prefix else _SEQUENCE_RE
    match = pattern.search(name)
    return int(match.group(1)) if match else None


def contender_regex(names: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching ``<any of names><10-digit sequence>`` at a name's end; group 1 is the number."""
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    return re.compile(rf"(?:{alternatives})(-?\d{{10}})$")


def sort_by_sequence(names: Iterable[str], pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """``(sequence, name)`` for every name ``pattern`` matches, in sequence order.

    Names the pattern does not match are left out; group 1 of the pattern must
    be the sequence number.
    """
    return sorted(
        (int(match.group(1)), name) for name in names if (match := pattern.search(name)) is not None
    )


def predecessor(node: str, names: Iterable[str], pattern: re.Pattern[str], node_prefix: str) -> str | None:
    """The name matching ``pattern`` with the largest sequence below ``node``'s, else None.

    ``node`` is a contender created as ``…<node_prefix><sequence>``; it never
    counts itself. Raises :class:`Restart` when ``node`` carries no such
    sequence number (a contender must then start over).
    """
    return nearest_lower(node, names, pattern, node_prefix)[0]


def nearest_lower(
    node: str, names: Iterable[str], pattern: re.Pattern[str], node_prefix: str
) -> tuple[str | None, int]:
    """``(predecessor, count)``: :func:`predecessor` and how many matching names sort below ``node``.

    A count of 1 means the predecessor is the only contender ahead: since
    ZooKeeper gives later nodes larger sequence numbers, once that node is
    deleted none is ahead any more. Raises :class:`Restart` like
    :func:`predecessor`.
    """
    mine = sequence_number(node, node_prefix)
    if mine is None:
        raise Restart
    best: str | None = None
    best_seq = 0
    count = 0
    for name in names:
        match = pattern.search(name)
        if match is None or name == node:
            continue
        seq = int(match.group(1))
        if seq < mine:
            count += 1
            if best is None or seq > best_seq:
                best, best_seq = name, seq
    return best, count


def belongs_to_session(stat: ZnodeStat | None, session_id: int | None) -> bool:
    """True if the node of ``stat`` exists and is not an ephemeral of another session.

    Without a current session (``session_id`` None) an existing node counts as ours.
    """
    return stat is not None and (session_id is None or stat.ephemeralOwner == session_id)


# ------------------------------------------------------------------------------------- deadlines


class Deadline:
    """A monotonic deadline; ``timeout=None`` never expires.

    ``clock`` (seconds, monotonic) is replaceable for tests.
    """

    def __init__(self, timeout: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self._clock = clock
        self._end = None if timeout is None else clock() + timeout

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None without a deadline."""
        if self._end is None:
            return None
        return max(0.0, self._end - self._clock())

    def expired(self) -> bool:
        """True once the deadline has passed (never without one)."""
        return self._end is not None and self._clock() >= self._end

    def capped(self, most: float) -> float:
        """Seconds left, but at most ``most``."""
        left = self.remaining()
        return most if left is None else min(most, left)


def bounded(result: Any, deadline: Deadline, what: str) -> Any:
    """``result.get()`` within ``deadline``; :class:`LockTimeout` when it passes first.

    Requests queued while disconnected may wait up to a session timeout; this
    keeps a recipe's own timeout honest (the request completes later, unseen).
    """
    try:
        return result.get(timeout=deadline.remaining())
    except ZkTimeoutError:
        raise LockTimeout(f"{what}: no reply within {deadline.timeout}s") from None


# ------------------------------------------------------------------------------ session helpers


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


def delete_quietly(client: ZkClient, path: str) -> None:
    """Delete ``path``; a node already gone is fine."""
    try:
        client.delete(path)
    except NoNodeError:
        pass


def read_identifiers(client: ZkClient, parent: str, names: Iterable[str]) -> list[str]:
    """The data of each child ``names`` of ``parent``, in that order, decoded as UTF-8.

    Undecodable bytes are replaced; a child deleted meanwhile is left out.
    Connection losses are retried with the client's retry policy.
    """
    identifiers: list[str] = []
    for name in names:
        try:
            data, _stat = client.retry(client.get, child_path(parent, name))
        except NoNodeError:
            continue
        identifiers.append(data.decode("utf-8", "replace"))
    return identifiers


def call_with_retry(client: ZkClient, func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)``; only if that fails with a retryable error, ``client.retry(func, *args)``.

    The same outcome as ``client.retry`` for an idempotent ``func``, without
    building a retry policy on the common path where the first try succeeds.
    """
    try:
        return func(*args)
    except RETRYABLE as error:
        if isinstance(error, ConnectionClosedError):
            raise
    return client.retry(func, *args)


def find_own_node(
    client: ZkClient, parent: str, prefix: str, ephemeral: bool, deadline: Deadline, what: str
) -> tuple[str, ZnodeStat] | None:
    """Find again the child of ``parent`` that an earlier create named ``prefix…``.

    This is the protected-create rule: a create whose reply was lost may still
    have made its node. Returns ``(name, stat)`` of that node if it exists and,
    for an ephemeral, belongs to the current session; an ephemeral of an
    earlier session is deleted, never adopted. None when there is no such
    node. Each read is bounded by ``deadline`` (:class:`LockTimeout`).
    """
    session = current_session_id(client)
    children: list[str] = bounded(client.get_children_async(parent), deadline, what)
    for name in children:
        if not name.startswith(prefix):
            continue
        stat = bounded(client.exists_async(child_path(parent, name)), deadline, what)
        if stat is None:
            continue
        if ephemeral and not belongs_to_session(stat, session):
            delete_quietly(client, child_path(parent, name))
            continue
        return name, stat
    return None


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
                    delete_quietly(self.client, child_path(self.parent, name))
        except NoNodeError:
            pass
        except (ConnectionClosedError, ZookeeperStoppedError):
            log.debug("client stopped: not deleting %s/%s*", self.parent, self.prefix)
        except Exception as error:  # retried on the next reconnect unless fatal
            if is_retryable(error):
                return False
            log.warning("could not delete %s/%s*: %r", self.parent, self.prefix, error)
        return True


# ------------------------------------------------------------------------ lock-like recipes


class Restart(Exception):
    """Internal: start the acquisition over with a fresh contender node."""


class SessionBound:
    """Held/suspended/lost bookkeeping shared by Lock and Semaphore.

    A listener is registered per acquisition; it flips ``_suspended`` on
    SUSPENDED/CONNECTED and, on LOST, bumps the session epoch, marks a held
    lock released and calls ``on_lost``. Subclasses set ``path`` (the parent
    of their nodes) and implement :meth:`_forget_node`.
    """

    path: str

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
        """Delete our nodes under ``path`` named ``prefix…``, now or after the next reconnect."""
        NodeReaper(self.client, self.path, prefix).start(try_now)

    def _delete_quietly(self, path: str) -> None:
        delete_quietly(self.client, path)

    def _delete_node(self, name: str, prefix: str) -> None:
        """Delete our node ``name`` under ``path`` now (retried).

        If that fails for a lost connection, the nodes named ``prefix…`` are
        deleted after the next reconnect; after the client was stopped the
        ephemeral node went with the session.
        """
        try:
            call_with_retry(self.client, self._delete_quietly, child_path(self.path, name))
        except (RetryFailedError, *RETRYABLE) as error:
            log.warning("deleting %s deferred to the next reconnect: %r", child_path(self.path, name), error)
            if not isinstance(error, ConnectionClosedError):
                self._reap(prefix, try_now=False)

    def _on_watch(self, event: object) -> None:
        self._wake.set()

    def _begin_round(self, epoch: int) -> None:
        """Start one check-and-wait round of the acquisition begun in session ``epoch``.

        Clears the wake-up event first (so a change after this call is not
        missed), then raises CancelledError if :meth:`cancel` was called and
        Restart if the session was lost since ``epoch``.
        """
        self._wake.clear()
        if self.cancelled:
            raise CancelledError(f"acquire of {self.path} cancelled")
        if epoch != self._epoch:
            raise Restart

    def _raise_unless_retryable(self, error: Exception, deadline: Deadline, timeout_message: str) -> None:
        """Return only if the step that raised ``error`` may be tried again.

        Re-raises ``error`` when it is not retryable (LockTimeout, CancelledError
        and ConnectionClosedError included); past ``deadline`` raises
        ``LockTimeout(timeout_message)`` chained to ``error``.
        """
        if not is_retryable(error):
            raise error
        if deadline.expired():
            raise LockTimeout(timeout_message) from error

    def _backoff(self, deadline: Deadline, attempt: int) -> None:
        """Wait before a retry: for a state change (or cancel) while disconnected, else briefly."""
        self._wake.clear()
        pause = 1.0 if not self.client.connected else min(1.0, 0.05 * (2**attempt))
        self._wake.wait(deadline.capped(pause))
