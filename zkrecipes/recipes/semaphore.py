"""A counting semaphore (kazoo's ``Semaphore`` API): at most ``max_leases`` holders at once.

Failure semantics (Curator style), as for :mod:`zkrecipes.recipes.lock`:

* **SUSPENDED** (connection lost, session may live): a held lease stays held —
  its ephemeral node lives as long as the session — but ``is_suspended`` turns
  True until the connection is back. A pending ``acquire`` keeps waiting.
* **LOST** (session expired or closed): the lease node is gone, so a held
  lease is released locally (``is_acquired`` becomes False) and ``on_lost``
  runs (on the client's session queue). A pending ``acquire`` starts over in
  the new session.

A lease node left by a failed, cancelled or timed-out acquire is deleted — at
once, or on the next reconnect if the connection is down.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    LockTimeout,
    NodeExistsError,
    NoNodeError,
)
from zkrecipes.recipes._support import (
    Deadline,
    Restart,
    SessionBound,
    belongs_to_session,
    bounded,
    check_path,
    check_timeout,
    child_path,
    current_session_id,
    read_identifiers,
)
from zkrecipes.recipes.lock import Lock

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["Semaphore"]


class Semaphore(SessionBound):
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
        # One gate lock for the object's life: its path is ensured once, not per acquire.
        self._gate = Lock(client, self.lock_path, identifier)
        self._pool_ready = False
        self._new_name()

    def __repr__(self) -> str:
        return f"Semaphore({self.path!r}, max_leases={self.max_leases}, acquired={self._held})"

    def _new_name(self) -> None:
        self.node_name = uuid.uuid4().hex
        self.create_path = child_path(self.path, self.node_name)

    def cancel(self) -> None:
        """Make a pending acquire raise CancelledError, also while it queues at the gate lock."""
        super().cancel()
        self._gate.cancel()

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
        self._gate.cancelled = False
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
                            raise Restart
                        self._held = True
                        self._lost = False
                    return True
                return False
            except Restart:
                self._reap(self.node_name, try_now=False)
                self._new_name()
            except Exception as error:
                self._raise_unless_retryable(
                    error, deadline, f"no lease on {self.path} in {deadline.timeout}s"
                )
                self._backoff(deadline, attempt)
                attempt += 1

    def _attempt(self, blocking: bool, deadline: Deadline, epoch: int) -> bool:
        gate = self._gate
        if not gate.acquire(blocking=blocking, timeout=deadline.remaining()):
            return False
        try:
            while True:
                self._begin_round(epoch)
                what = f"acquire of {self.path}"
                listing = self.client.get_children_async(self.path, watch=self._on_watch)
                children = bounded(listing, deadline, what)
                if self.node_name in children:
                    if self._owned(deadline):
                        return True
                    raise Restart
                if len(children) < self.max_leases:
                    creating = self.client.create_async(self.create_path, self.data, ephemeral=True)
                    try:
                        bounded(creating, deadline, what)
                    except NodeExistsError:
                        if not self._owned(deadline):
                            raise Restart from None
                    return True
                if not blocking:
                    return False
                if not self._wake.wait(deadline.remaining()) and not self._wake.is_set():
                    raise LockTimeout(f"no lease on {self.path} in {deadline.timeout}s")
        finally:
            gate.release()

    def _owned(self, deadline: Deadline) -> bool:
        stat = bounded(self.client.exists_async(self.create_path), deadline, f"acquire of {self.path}")
        return belongs_to_session(stat, current_session_id(self.client))

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
        self._delete_node(name, name)
        return True

    def lease_holders(self) -> list[str]:
        """Identifiers of the current lease holders (unordered)."""
        try:
            children = self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return []
        return read_identifiers(self.client, self.path, children)

    def __enter__(self) -> Semaphore:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
