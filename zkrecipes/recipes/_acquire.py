"""The one acquire loop of the lock-like recipes (Lock, WriteLock, ReadLock, and the gate of Semaphore).

Rule of this module: every step of taking a sequential-contender lock that
needs the server lives here, once; what differs between the recipes is only
their pure :class:`~zkrecipes.recipes._predicates.ContenderPolicy` (node kind,
"do I hold it, whom do I watch?").

One acquisition (:meth:`AcquireLoop.acquire`):

1. ensure the lock path (once per object);
2. create our contender — ephemeral (unless asked otherwise), sequential,
   named like a protected create ``_c_<guid>-<kind>`` — and send the listing
   right behind it (ZooKeeper answers a session's requests in order, so the
   listing already shows our node: one round trip when nobody contends). After
   a connection loss the node of an earlier try is found again by its GUID
   (only if owned by the current session), never created twice;
3. parse and sort the contenders, ask the policy; if we hold it, read the
   fencing token (our node's czxid, known from the create) and mark it held;
4. else watch the node the policy names and wait (within the deadline) for
   its watch, a state change or :meth:`cancel`; if that node was the sole
   blocker and is deleted, we hold it without listing again; otherwise the
   watch callback already sent the re-listing;
5. on LOST start over with a fresh GUID in the new session; on a retryable
   error back off and retry within the deadline; on timeout, cancel or any
   other error delete our node — now, or on the next reconnect — so it never
   blocks the others.

The asyncio front end (:mod:`zkrecipes.aio.recipes._acquire`) reuses the
policies, :func:`~zkrecipes.recipes._predicates.judge` (parse, locate, decide),
the node naming and :class:`Deadline` as they are, and mirrors this loop with
``await`` in place of the blocking waits.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockTimeout, NoNodeError
from zkrecipes.observe._recipe_times import RecipeTimes, recipe_name
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._nodes import find_own_node
from zkrecipes.recipes._predicates import ContenderPolicy, judge
from zkrecipes.recipes._reaper import delete_own_node, reap
from zkrecipes.recipes._retrying import raise_unless_retryable
from zkrecipes.recipes._sequence import Restart
from zkrecipes.recipes._session_guard import SessionGuard
from zkrecipes.states import EventType, WatchedEvent

if TYPE_CHECKING:
    from collections.abc import Callable

    from zkrecipes.recipes._client import Pending, RecipeClient

__all__ = ["AcquireLoop"]

log = logging.getLogger(__name__)


class AcquireLoop:
    """Acquisition and release of one lock-like recipe object's contender node.

    Holds the node's identity (``prefix``, ``create_path``, ``node``), the
    fencing state of a held lock (``token``, ``fence_path``) and the wait for
    a predecessor. ``guard`` is the recipe's :class:`SessionGuard`; this loop
    installs itself as the guard's LOST hook.
    """

    def __init__(
        self,
        client: RecipeClient,
        path: str,
        policy: ContenderPolicy,
        data: bytes,
        owner: object,
        on_lost: Callable[[Any], object] | None,
    ) -> None:
        self.client = client
        self.path = path
        self.policy = policy
        self.data = data
        self.guard = SessionGuard(client, owner, on_lost, self._forget)
        self.times = RecipeTimes(client, recipe_name(owner), path)  # for the observers
        self.token: int | None = None
        self.fence_path: str | None = None
        self._path_ready = False
        self._acquire_lock = client.handler.lock_object()
        # The wait for a predecessor (all guarded by guard.lock): the path watched,
        # whether it is the only contender ahead, and what its watch found.
        self._awaiting: str | None = None
        self._awaiting_sole = False
        self._await_round = 0
        self._predecessor_gone = False
        self._relisting: Pending[list[str]] | None = None
        self._new_guid()

    def _new_guid(self) -> None:
        self.prefix = f"_c_{uuid.uuid4().hex}-{self.policy.node_name}"
        self.create_path = join_path(self.path, self.prefix)
        self._create_tried = False
        self.node: str | None = None
        self._node_czxid: int | None = None

    # ------------------------------------------------------------------ acquire

    def acquire(self, blocking: bool, timeout: float | None, ephemeral: bool) -> bool:
        """Take the lock for the recipe; True once held (see the module docstring)."""
        deadline = Deadline(timeout)
        if not self._lock_method(blocking, timeout):
            return False
        guard = self.guard
        try:
            if guard.held and not self._wait_released(blocking, deadline):
                return False
            guard.survives_session = not ephemeral
            guard.start_listening()
            self.times.acquiring()
            try:
                gotten = self._loop(blocking, deadline, ephemeral)
                self.times.acquired(gotten)
            except BaseException as error:
                self.times.acquired(False, error)
                guard.cancelled = False
                self._abandon()
                guard.stop_listening()
                raise
            if not gotten:
                self._abandon()
                guard.stop_listening()
            return gotten
        finally:
            self._acquire_lock.release()

    def _lock_method(self, blocking: bool, timeout: float | None) -> bool:
        if not blocking:
            return self._acquire_lock.acquire(False)
        if timeout is None:
            return self._acquire_lock.acquire()
        return self._acquire_lock.acquire(True, timeout)

    def _wait_released(self, blocking: bool, deadline: Deadline) -> bool:
        """Not reentrant: a second acquire waits until this object is released."""
        guard = self.guard
        while guard.held:
            if not blocking:
                return False
            guard.wake.clear()
            if guard.held:
                guard.wake.wait(deadline.capped(1.0))
            if guard.held and deadline.expired():
                raise LockTimeout(f"lock {self.path} is already held by this object")
        return True

    def _loop(self, blocking: bool, deadline: Deadline, ephemeral: bool) -> bool:
        guard = self.guard
        attempt = 0
        while True:
            epoch = guard.epoch
            try:
                if not self._attempt(blocking, deadline, ephemeral, epoch):
                    return False
                node_path = join_path(self.path, self._require_node())
                token = self._node_czxid
                if token is None:  # not known from the create or the search: read it
                    stat = bounded(self.client.exists_async(node_path), deadline, f"acquire of {self.path}")
                    if stat is None:
                        raise Restart
                    token = stat.czxid
                with guard.lock:
                    guard.mark_held(epoch)
                    self.token = token
                    self.fence_path = node_path
                return True
            except Restart:
                self._abandon(try_now=False)
            except Exception as error:
                message = f"could not acquire {self.path} in {deadline.timeout}s"
                raise_unless_retryable(error, deadline, message)
                log.debug("retrying acquire of %s after %r", self.path, error)
                guard.backoff(deadline, attempt)
                attempt += 1

    def _require_node(self) -> str:
        if self.node is None:
            raise Restart
        return self.node

    def _attempt(self, blocking: bool, deadline: Deadline, ephemeral: bool, epoch: int) -> bool:
        """One acquisition with this GUID: True once held, False if ``blocking`` is off and it is not."""
        what = f"acquire of {self.path}"
        if not self._path_ready:
            bounded(self.client.ensure_path_async(self.path), deadline, what)
            self._path_ready = True
        listing = self._locate_or_create(ephemeral, deadline)
        node = self._require_node()
        gone = False
        while True:
            self.guard.begin_round(epoch, self.path)
            if gone:
                return True
            if listing is None:
                listing = self.client.get_children_async(self.path)
            children = bounded(listing, deadline, what)
            listing = None
            verdict = judge(children, node, self.policy)  # Restart if our node vanished
            if verdict.holds:
                return True
            if not blocking:
                return False
            assert verdict.watch is not None
            watched = join_path(self.path, verdict.watch)
            gone, listing = self._await_predecessor(watched, verdict.sole, deadline)

    def _await_predecessor(
        self, path: str, sole: bool, deadline: Deadline
    ) -> tuple[bool, Pending[list[str]] | None]:
        """Watch ``path`` and wait until it changes (or a wake-up); return ``(gone, listing)``.

        ``gone`` is True only when ``path`` was the ``sole`` contender ahead and
        is deleted; ``listing`` is a re-listing the watch already started, or None.
        """
        guard = self.guard
        with guard.lock:
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
        woken = guard.wake.wait(deadline.remaining()) or guard.wake.is_set()
        gone, listing = self._stop_awaiting()
        if not woken and not gone and listing is None:
            raise LockTimeout(f"could not acquire {self.path} in {deadline.timeout}s")
        return gone, listing

    def _stop_awaiting(self) -> tuple[bool, Pending[list[str]] | None]:
        with self.guard.lock:
            found = self._predecessor_gone, self._relisting
            self._awaiting, self._predecessor_gone, self._relisting = None, False, None
        return found

    def _on_predecessor(self, event: WatchedEvent) -> None:
        """Watch callback (WATCH queue): the awaited predecessor changed or went away.

        Never blocks: it records what the event proves, starts the re-listing
        (sent outside the lock) and wakes the waiter.
        """
        guard = self.guard
        relist_round = None
        with guard.lock:
            if event.path == self._awaiting:
                self._awaiting = None
                if event.type == EventType.DELETED and self._awaiting_sole:
                    self._predecessor_gone = True
                else:
                    relist_round = self._await_round
        if relist_round is not None:
            listing: Pending[list[str]] | None
            try:  # start the re-listing now rather than after the waiter wakes
                listing = self.client.get_children_async(self.path)
            except Exception:  # the waiter lists again itself
                listing = None
            with guard.lock:
                if relist_round == self._await_round:
                    self._relisting = listing
        guard.wake.set()

    def _locate_or_create(self, ephemeral: bool, deadline: Deadline) -> Pending[list[str]] | None:
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
            reap(self.client, self.path, self.prefix, try_now)
        self._new_guid()

    def _forget(self) -> Callable[[], None]:
        """The guard's LOST hook (under guard.lock): forget the node, reap it after reconnect."""
        prefix = self.prefix
        self.token = None
        self.times.ended(lost=True)
        self._new_guid()
        return lambda: reap(self.client, self.path, prefix, try_now=False)

    # ------------------------------------------------------------------ release

    def release(self) -> bool:
        """Give the lock up; True if it was held. The node is deleted now or after reconnect."""
        guard = self.guard
        with guard.lock:
            was_held = guard.held
            guard.held = False
            prefix, node = self.prefix, self.node
            self.token = None
        guard.stop_listening()
        if not was_held:
            return False
        self.times.ended()
        self._new_guid()
        if node is not None:
            delete_own_node(self.client, self.path, node, prefix)
        guard.wake.set()
        return True
