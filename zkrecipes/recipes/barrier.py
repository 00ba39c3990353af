"""Barriers (kazoo's ``Barrier`` and ``DoubleBarrier`` APIs).

Failure semantics (Curator style):

* :class:`Barrier` — the barrier is a persistent node, so **SUSPENDED** and
  **LOST** do not change it. A waiter keeps waiting through SUSPENDED (its
  watch is restored on reconnect) and re-checks the node after any session
  change, so it never misses the removal; connection losses are retried.
* :class:`DoubleBarrier` — each member is an ephemeral node. On **SUSPENDED**
  a member keeps waiting. On **LOST** its node is gone: while entering it
  re-creates the node in the new session; once entered, the others may see
  it leave early. Connection losses are retried.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    ConnectionClosedError,
    ConnectionLoss,
    LockTimeout,
    NodeExistsError,
    NoNodeError,
)
from zkrecipes.recipes._checks import check_count, check_identifier, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._nodes import current_session_id
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.states import EventType, WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class LeaveStep:
    """One step of :meth:`DoubleBarrier.leave`: ``done``, whether to delete our node, whom to wait for."""

    done: bool
    delete_self: bool
    wait_for: str | None


def leave_step(members: list[str], me: str) -> LeaveStep:
    """DoubleBarrier's leave rule, given the sorted member names and ours (pure).

    Alone (or nobody left): delete ours, done. The lowest member waits for the
    highest to go; every other member deletes its node, then waits for the lowest.
    """
    if not members or members == [me]:
        return LeaveStep(True, True, None)
    if members[0] == me:
        return LeaveStep(False, False, members[-1])
    return LeaveStep(False, me in members, members[0])


class _Waker:
    """An event set by watch callbacks and by every session state change."""

    def __init__(self, client: RecipeClient) -> None:
        self.client = client
        self.event = client.handler.event_object()

    def __enter__(self) -> _Waker:
        self.client.add_listener(self._on_state)
        return self

    def __exit__(self, *exc_info: object) -> None:
        safe_remove_listener(self.client, self._on_state)

    def _on_state(self, state: ZkState) -> bool:
        self.event.set()
        return False

    def on_watch(self, event: object) -> None:
        self.event.set()

    def wait(self, deadline: Deadline) -> bool:
        """Wait for a wake-up or the deadline; False when the deadline passed."""
        self.event.wait(deadline.remaining())
        woke = bool(self.event.is_set())
        self.event.clear()
        return woke or not deadline.expired()


class Barrier:
    """Blocks waiters while the node ``path`` exists; removing it releases them all."""

    def __init__(self, client: RecipeClient, path: str) -> None:
        self.client = client
        self.path = check_path(path)

    def __repr__(self) -> str:
        return f"Barrier({self.path!r})"

    def create(self) -> None:
        """Put the barrier up (no-op if it is up)."""
        self.client.retry(self.client.ensure_path, self.path)

    def remove(self) -> bool:
        """Take the barrier down; True if it was up.

        A delete whose reply is lost is not re-run blindly: the node is read
        back, and deleted again only if it is still the node this call found
        (same czxid) — never a barrier put up again by someone else meanwhile.
        """
        try:
            found = self.client.retry(self.client.get, self.path)[1]
        except NoNodeError:
            return False
        for _ in range(32):
            try:
                self.client.delete(self.path)
                return True
            except NoNodeError:
                return False
            except RETRYABLE as error:
                if isinstance(error, ConnectionClosedError):
                    raise
            now = self.client.retry(self.client.exists, self.path)
            if now is None or now.czxid != found.czxid:
                return True  # ours landed (or a concurrent remove): down, not ours to delete again
        raise ConnectionLoss(f"removing barrier {self.path} kept failing (it is still up)")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the barrier is down; True if it is, False if ``timeout`` passed first."""
        deadline = Deadline(check_timeout(timeout))
        with _Waker(self.client) as waker:
            while True:
                if self.client.retry(self.client.exists, self.path, watch=waker.on_watch) is None:
                    return True
                if not waker.wait(deadline):
                    return False


class DoubleBarrier:
    """Synchronises the start and the end of a task among ``num_clients`` members.

    :meth:`enter` blocks until ``num_clients`` members have entered; :meth:`leave`
    blocks until all have left. Member nodes are ephemeral children of ``path``
    named by a GUID and holding ``identifier`` (default: host name and pid).
    Both take an optional ``timeout`` (an addition to kazoo's API): on timeout
    they return False (``enter`` first withdraws this member).
    """

    def __init__(
        self, client: RecipeClient, path: str, num_clients: int, identifier: str | None = None
    ) -> None:
        self.client = client
        self.path = check_path(path)
        self.num_clients = check_count(num_clients, "num_clients")
        self._identifier = check_identifier(identifier) or f"{socket.gethostname()}-{os.getpid()}"
        self.participating = False
        self.node_name = uuid.uuid4().hex
        self.create_path = join_path(self.path, self.node_name)
        self.ready_path = join_path(self.path, "ready")

    def __repr__(self) -> str:
        return f"DoubleBarrier({self.path!r}, num_clients={self.num_clients})"

    def _retry(self, func: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        result: _T = self.client.retry(func, *args, **kwargs)
        return result

    def _members(self) -> list[str]:
        return sorted(c for c in self._retry(self.client.get_children, self.path) if c != "ready")

    def _ensure_member(self) -> None:
        """Create our member node, or keep it if it exists in the current session."""
        try:
            self._retry(self.client.create, self.create_path, self._identifier.encode(), ephemeral=True)
        except NodeExistsError:
            stat = self._retry(self.client.exists, self.create_path)
            session = current_session_id(self.client)
            if stat is not None and session is not None and stat.ephemeralOwner != session:
                self._delete_member()  # a previous session's node: replace it
                self._ensure_member()

    def _delete_member(self) -> None:
        try:
            self._retry(self.client.delete, self.create_path)
        except NoNodeError:
            pass

    def _delete_ready(self) -> None:
        """Delete this round's "ready" node once, retrying connection losses safely.

        A delete whose reply was lost with the connection may have been applied,
        and by the time it is retried the next round may have created a new
        "ready" node: a blind retry would delete that one. So each try first
        looks at the node: gone means done (NoNode after a lost reply is
        success, as is another member's delete); a node created later (another
        ``czxid``) belongs to the next round and is left alone; the node first
        seen is deleted.
        """
        first_czxid: list[int] = []

        def attempt() -> None:
            stat = self.client.exists(self.ready_path)
            if stat is None:
                return
            if not first_czxid:
                first_czxid.append(stat.czxid)
            elif stat.czxid != first_czxid[0]:
                return  # the next round's node: ours is gone
            try:
                self.client.delete(self.ready_path)
            except NoNodeError:
                pass

        self._retry(attempt)

    def enter(self, timeout: float | None = None) -> bool:
        """Join; block until ``num_clients`` members have joined. False (and withdrawn) on timeout."""
        deadline = Deadline(check_timeout(timeout))
        self._retry(self.client.ensure_path, self.path)
        ready_seen = self.client.handler.event_object()
        try:
            with _Waker(self.client) as waker:

                def on_ready(event: WatchedEvent) -> None:
                    # A member that saw "ready" created is through, even if a fast
                    # member has already deleted it again in leave().
                    if event.type == EventType.CREATED:
                        ready_seen.set()
                    waker.on_watch(event)

                while not ready_seen.is_set():
                    self._ensure_member()
                    if self._retry(self.client.exists, self.ready_path, watch=on_ready) is not None:
                        break
                    if len(self._members()) >= self.num_clients:
                        try:
                            self._retry(self.client.create, self.ready_path)
                        except NodeExistsError:
                            pass
                        break
                    if not waker.wait(deadline):
                        raise LockTimeout(f"double barrier {self.path}: not enough members in time")
        except BaseException as error:
            self._delete_member()
            self.participating = False
            if isinstance(error, LockTimeout):
                return False
            raise
        self.participating = True
        return True

    def leave(self, timeout: float | None = None) -> bool:
        """Leave; block until every member has left. False if ``timeout`` passed first."""
        deadline = Deadline(check_timeout(timeout))
        self._delete_ready()
        with _Waker(self.client) as waker:
            while True:
                step = leave_step(self._members(), self.node_name)
                if step.delete_self:
                    self._delete_member()
                if step.done or step.wait_for is None:
                    self.participating = False
                    return True
                target = join_path(self.path, step.wait_for)
                exists = self._retry(self.client.exists, target, watch=waker.on_watch)
                if exists is not None and not waker.wait(deadline):
                    return False
