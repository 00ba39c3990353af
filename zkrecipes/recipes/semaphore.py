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

Layout (kazoo's, so kazoo and zkrecipes semaphores share a pool): lease nodes
are *non-sequential* children of ``path`` named by a per-object GUID, and
acquirers queue on a :class:`~zkrecipes.recipes.lock.Lock` at
``path + "-__lock__"``. A max-leases predicate over sequential contenders
(Curator's first semaphore) would change that layout, so the semaphore keeps
it: the queueing is the shared acquire loop (the gate Lock), the session
guarding is the same :class:`~zkrecipes.recipes._session_guard.SessionGuard`,
and the decision under the gate is the pure
:func:`~zkrecipes.recipes._predicates.lease_decision`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import InvalidArgumentError, LockTimeout, NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_callable, check_count, check_identifier, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._nodes import belongs_to_session, current_session_id, read_identifiers
from zkrecipes.recipes._predicates import LeaseVerdict, lease_decision
from zkrecipes.recipes._reaper import delete_own_node, reap
from zkrecipes.recipes._retrying import raise_unless_retryable
from zkrecipes.recipes._sequence import Restart
from zkrecipes.recipes._session_guard import SessionGuard
from zkrecipes.recipes.lock import Lock

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["Semaphore"]


class Semaphore:
    """A counting semaphore: at most ``max_leases`` holders at once (kazoo's ``Semaphore`` API).

    Holders are ephemeral children of ``path`` named by a per-object GUID;
    ``path`` stores ``max_leases`` (a mismatch raises InvalidArgumentError).
    Acquirers queue on a :class:`Lock` at ``path + "-__lock__"`` so only its
    holder watches the lease pool. SUSPENDED/LOST as in the module docstring:
    on LOST a held lease is released locally and ``on_lost(semaphore)`` runs.
    """

    def __init__(
        self,
        client: RecipeClient,
        path: str,
        identifier: str | None = None,
        max_leases: int = 1,
        on_lost: Callable[[Semaphore], object] | None = None,
    ) -> None:
        self.client = client
        self.path = check_path(path)
        self.max_leases = check_count(max_leases, "max_leases")
        self.identifier = check_identifier(identifier)
        self.data = (identifier or "").encode("utf-8")
        self.on_lost = check_callable(on_lost, "on_lost")
        self.lock_path = path + "-__lock__"
        self._guard = SessionGuard(client, self, on_lost, self._forget)
        # One gate lock for the object's life: its path is ensured once, not per acquire.
        self._gate = Lock(client, self.lock_path, identifier)
        self._pool_ready = False
        self._new_name()

    def __repr__(self) -> str:
        return f"Semaphore({self.path!r}, max_leases={self.max_leases}, acquired={self.is_acquired})"

    def _new_name(self) -> None:
        self.node_name = uuid.uuid4().hex
        self.create_path = join_path(self.path, self.node_name)

    @property
    def is_acquired(self) -> bool:
        """True while this object holds a lease (False again after release or LOST)."""
        return self._guard.held

    @property
    def is_suspended(self) -> bool:
        """True while the connection is down during an acquisition or hold (the session may live)."""
        return self._guard.suspended

    @property
    def cancelled(self) -> bool:
        """True after :meth:`cancel` until the cancelled acquire has raised CancelledError."""
        return self._guard.cancelled

    @cancelled.setter
    def cancelled(self, value: bool) -> None:
        self._guard.cancelled = value

    def cancel(self) -> None:
        """Make a pending acquire raise CancelledError, also while it queues at the gate lock."""
        self._guard.cancel()
        self._gate.cancel()

    def _ensure_pool(self) -> None:
        if self._pool_ready:
            return
        try:
            self.client.create(self.path, str(self.max_leases).encode(), makepath=True)
        except NodeExistsError:
            data, _stat = self.client.get(self.path)
            try:
                stored = int((data or b"").decode("utf-8"))
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
        guard = self._guard
        guard.cancelled = False
        self._gate.cancelled = False
        if guard.held:
            return True
        deadline = Deadline(timeout)
        guard.start_listening()
        try:
            gotten = self._acquire_loop(blocking, deadline)
        except BaseException:
            guard.cancelled = False
            self._give_up()
            raise
        if not gotten:
            self._give_up()
        return gotten

    def _give_up(self) -> None:
        reap(self.client, self.path, self.node_name)
        self._new_name()
        self._guard.stop_listening()

    def _acquire_loop(self, blocking: bool, deadline: Deadline) -> bool:
        guard = self._guard
        attempt = 0
        while True:
            epoch = guard.epoch
            try:
                self._ensure_pool()
                if self._attempt(blocking, deadline, epoch):
                    with guard.lock:
                        guard.mark_held(epoch)
                    return True
                return False
            except Restart:
                reap(self.client, self.path, self.node_name, try_now=False)
                self._new_name()
            except Exception as error:
                raise_unless_retryable(error, deadline, f"no lease on {self.path} in {deadline.timeout}s")
                guard.backoff(deadline, attempt)
                attempt += 1

    def _attempt(self, blocking: bool, deadline: Deadline, epoch: int) -> bool:
        gate = self._gate
        guard = self._guard
        if not gate.acquire(blocking=blocking, timeout=deadline.remaining()):
            return False
        try:
            while True:
                guard.begin_round(epoch, self.path)
                what = f"acquire of {self.path}"
                listing = self.client.get_children_async(self.path, watch=self._on_watch)
                children = bounded(listing, deadline, what)
                verdict = lease_decision(children, self.node_name, self.max_leases)
                if verdict is LeaseVerdict.HELD:
                    if self._owned(deadline):
                        return True
                    raise Restart
                if verdict is LeaseVerdict.TAKE:
                    creating = self.client.create_async(self.create_path, self.data, ephemeral=True)
                    try:
                        bounded(creating, deadline, what)
                    except NodeExistsError:
                        if not self._owned(deadline):
                            raise Restart from None
                    return True
                if not blocking:
                    return False
                if not guard.wake.wait(deadline.remaining()) and not guard.wake.is_set():
                    raise LockTimeout(f"no lease on {self.path} in {deadline.timeout}s")
        finally:
            gate.release()

    def _on_watch(self, event: object) -> None:
        self._guard.wake.set()

    def _owned(self, deadline: Deadline) -> bool:
        stat = bounded(self.client.exists_async(self.create_path), deadline, f"acquire of {self.path}")
        return belongs_to_session(stat, current_session_id(self.client))

    def _forget(self) -> Callable[[], None]:
        """The guard's LOST hook (under its lock): a fresh name; the old node is reaped after reconnect."""
        name = self.node_name
        self._new_name()
        return lambda: reap(self.client, self.path, name, try_now=False)

    def release(self) -> bool:
        """Give the lease back; True if one was held. The node is deleted now or on reconnect."""
        guard = self._guard
        with guard.lock:
            was_held = guard.held
            guard.held = False
            name = self.node_name
        guard.stop_listening()
        if not was_held:
            return False
        self._new_name()
        delete_own_node(self.client, self.path, name, name)
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
