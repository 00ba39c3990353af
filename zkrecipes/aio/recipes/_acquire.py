"""The asyncio acquire loop of the lock-like recipes: ``recipes/_acquire.py`` with ``await``.

The rules are the sync loop's, from the same code: the contender is named
``_c_<guid>-<kind>`` + ZooKeeper's sequence (its GUID finds it again after a
connection loss), each listing is judged by the recipe's pure policy
(:func:`~zkrecipes.recipes._predicates.judge`), a waiter watches only the node
the policy names, the fencing token is our node's czxid, timeouts are a
:class:`~zkrecipes.recipes._deadline.Deadline`, and which errors are retried is
:func:`~zkrecipes.recipes._retrying.raise_unless_retryable`.

**Cancellation.** Whatever ends an acquire without the lock — its timeout,
:meth:`AsyncSessionGuard.cancel`, an error, or asyncio cancelling the awaiting
task (``task.cancel()``, ``asyncio.timeout``, ``wait_for``) — the node this
acquisition may have created is deleted by a clean-up task of its own
(:func:`~zkrecipes.aio.recipes._nodes.reap`: list, delete ``prefix…``), which the
acquire awaits (shielded, bounded) before it raises. The listing is sent after
the create, and a session's requests are answered in order, so a create whose
await was cancelled in flight is still found by its GUID and deleted; while
disconnected, the clean-up runs after the reconnect.

**Pipelining.** A fresh contender's create and the first children listing are
sent back to back (as the sync Curator lock internals do): an uncontended
acquire costs one round trip for both. The listing is answered after the create,
so it holds our node when the create succeeded; when the create fails or is
cancelled, the listing's outcome is discarded.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.aio.recipes._guard import AsyncSessionGuard, wait_event
from zkrecipes.aio.recipes._nodes import delete_own_node, find_own_node, reap, settle, spawn
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockTimeout, NoNodeError
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._predicates import ContenderPolicy, judge
from zkrecipes.recipes._retrying import raise_unless_retryable
from zkrecipes.recipes._sequence import Restart
from zkrecipes.states import EventType, WatchedEvent

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["AsyncAcquireLoop", "bounded"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


async def bounded(awaitable: Awaitable[_T], deadline: Deadline, what: str) -> _T:
    """Await ``awaitable`` within ``deadline``; :class:`LockTimeout` when it passes first.

    A request cut off this way stays pending in the session; its late reply is discarded.
    """
    try:
        return await asyncio.wait_for(awaitable, deadline.remaining())
    except TimeoutError:
        raise LockTimeout(f"{what}: no reply within {deadline.timeout}s") from None


def _discard(future: asyncio.Future[Any]) -> None:
    """Drop a pipelined request's outcome: cancel it (its late reply is discarded) or retrieve it."""
    if not future.done():
        future.cancel()
    elif not future.cancelled():
        future.exception()  # retrieved: no "exception was never retrieved" report


class AsyncAcquireLoop:
    """Acquisition and release of one asyncio lock-like recipe object's contender node."""

    def __init__(self, client: AsyncRecipeClient, path: str, policy: ContenderPolicy, data: bytes,
                 owner: object, on_lost: Callable[[Any], object] | None) -> None:
        self.client = client
        self.path = path
        self.policy = policy
        self.data = data
        self.guard = AsyncSessionGuard(client, owner, on_lost, self._forget)
        self.token: int | None = None
        self.fence_path: str | None = None
        self._path_ready = False
        self._mutex = asyncio.Lock()  # one acquisition per object at a time
        self._awaiting: str | None = None
        self._awaiting_sole = False
        self._predecessor_gone = False
        self._new_guid()

    def _new_guid(self) -> None:
        self.prefix = f"_c_{uuid.uuid4().hex}-{self.policy.node_name}"
        self.create_path = join_path(self.path, self.prefix)
        self._create_tried = False
        self.node: str | None = None
        self._node_czxid: int | None = None

    # ------------------------------------------------------------------ acquire

    async def acquire(self, blocking: bool, timeout: float | None, ephemeral: bool) -> bool:
        """Take the lock for the recipe; True once held (see the module docstring)."""
        deadline = Deadline(timeout)
        if not blocking and self._mutex.locked():
            return False
        try:
            await asyncio.wait_for(self._mutex.acquire(), deadline.remaining())
        except TimeoutError:
            raise LockTimeout(f"could not acquire {self.path} in {timeout}s") from None
        guard = self.guard
        try:
            if guard.held and not await self._wait_released(blocking, deadline):
                return False
            guard.survives_session = not ephemeral
            guard.start_listening()
            try:
                gotten = await self._loop(blocking, deadline, ephemeral)
            except BaseException:
                guard.cancelled = False
                try:
                    await self._abandon()
                finally:
                    guard.stop_listening()
                raise
            if not gotten:
                try:
                    await self._abandon()
                finally:
                    guard.stop_listening()
            return gotten
        finally:
            self._mutex.release()

    async def _wait_released(self, blocking: bool, deadline: Deadline) -> bool:
        """Not reentrant: a second acquire waits until this object is released."""
        guard = self.guard
        while guard.held:
            if not blocking:
                return False
            guard.wake.clear()
            if guard.held:
                await wait_event(guard.wake, deadline.capped(1.0))
            if guard.held and deadline.expired():
                raise LockTimeout(f"lock {self.path} is already held by this object")
        return True

    async def _loop(self, blocking: bool, deadline: Deadline, ephemeral: bool) -> bool:
        guard = self.guard
        attempt = 0
        while True:
            epoch = guard.epoch
            try:
                if not await self._attempt(blocking, deadline, ephemeral, epoch):
                    return False
                node_path = join_path(self.path, self._require_node())
                token = self._node_czxid
                if token is None:  # not known from the create or the search: read it
                    stat = await bounded(self.client.exists(node_path), deadline, f"acquire of {self.path}")
                    if stat is None:
                        raise Restart
                    token = stat.czxid
                guard.mark_held(epoch)
                self.token = token
                self.fence_path = node_path
                return True
            except Restart:
                self._abandon_later()
            except Exception as error:
                message = f"could not acquire {self.path} in {deadline.timeout}s"
                raise_unless_retryable(error, deadline, message)
                log.debug("retrying acquire of %s after %r", self.path, error)
                await guard.backoff(deadline, attempt)
                attempt += 1

    def _require_node(self) -> str:
        if self.node is None:
            raise Restart
        return self.node

    async def _attempt(self, blocking: bool, deadline: Deadline, ephemeral: bool, epoch: int) -> bool:
        what = f"acquire of {self.path}"
        if not self._path_ready:
            await bounded(self.client.ensure_path(self.path), deadline, what)
            self._path_ready = True
        listing = await self._locate_or_create(ephemeral, deadline, epoch)
        node = self._require_node()
        gone = False
        while True:
            if listing is not None:  # pipelined with the create: its round began before it
                children, listing = listing, None
            else:
                self.guard.begin_round(epoch, self.path)
                if gone:
                    return True
                children = await bounded(self.client.get_children(self.path), deadline, what)
            verdict = judge(children, node, self.policy)  # Restart if our node vanished
            if verdict.holds:
                return True
            if not blocking:
                return False
            assert verdict.watch is not None
            gone = await self._await_predecessor(join_path(self.path, verdict.watch), verdict.sole, deadline)

    async def _await_predecessor(self, path: str, sole: bool, deadline: Deadline) -> bool:
        """Watch ``path``, wait for its change (or a wake-up); True if it was the sole blocker and is gone."""
        self._awaiting, self._awaiting_sole, self._predecessor_gone = path, sole, False
        try:
            try:
                await bounded(self.client.get(path, watch=self._on_predecessor), deadline,
                              f"acquire of {self.path}")
            except NoNodeError:
                return sole
            woken = await wait_event(self.guard.wake, deadline.remaining())
            if not woken:
                raise LockTimeout(f"could not acquire {self.path} in {deadline.timeout}s")
            return self._predecessor_gone
        finally:
            self._awaiting = None

    def _on_predecessor(self, event: WatchedEvent) -> None:
        """Watch callback (WATCH queue): the awaited predecessor changed or went away."""
        if event.path == self._awaiting:
            self._awaiting = None
            if event.type == EventType.DELETED and self._awaiting_sole:
                self._predecessor_gone = True
            self.guard.wake.set()

    async def _locate_or_create(self, ephemeral: bool, deadline: Deadline, epoch: int) -> list[str] | None:
        """Make sure ``self.node`` is our contender: found again by its GUID, or created.

        A fresh create is pipelined with the first listing (sent right behind it, so
        the listing, answered after it, includes our node): one round trip for both.
        Returns that listing (its round begun before the create), else None.
        """
        if self.node is not None:
            return None
        what = f"acquire of {self.path}"
        if self._create_tried:
            finding = find_own_node(self.client, self.path, self.prefix, ephemeral)
            found = await bounded(finding, deadline, what)
            if found is not None:
                self.node, stat = found
                self._node_czxid = stat.czxid
                return None
        self._create_tried = True  # from here on a clean-up looks for our GUID
        self.guard.begin_round(epoch, self.path)
        # ensure_future: a reply future as it is; a coroutine becomes a task, and tasks start in
        # creation order, so the listing is still sent after the create.
        creating = asyncio.ensure_future(
            self.client.create(self.create_path, self.data, ephemeral=ephemeral, sequence=True,
                               include_data=True))
        listing = asyncio.ensure_future(self.client.get_children(self.path))
        try:
            created, stat = await bounded(creating, deadline, what)
        except BaseException:
            _discard(listing)
            raise
        self.node = str(created).rsplit("/", 1)[-1]
        self._node_czxid = stat.czxid
        return await bounded(listing, deadline, what)

    async def _abandon(self) -> None:
        """Delete whatever node this attempt may have created (awaited, shielded), then a fresh GUID."""
        if self._create_tried or self.node is not None:
            task = reap(self.client, self.path, self.prefix)
            self._new_guid()
            await settle(task)
        else:
            self._new_guid()

    def _abandon_later(self) -> None:
        if self._create_tried or self.node is not None:
            reap(self.client, self.path, self.prefix)
        self._new_guid()

    def _forget(self) -> Callable[[], object]:
        """The guard's LOST hook: forget the node; reap it in the background (after the reconnect)."""
        prefix = self.prefix
        self.token = None
        self._new_guid()
        return lambda: reap(self.client, self.path, prefix)

    # ------------------------------------------------------------------ release

    async def release(self) -> bool:
        """Give the lock up; True if it was held. The node is deleted now or after the reconnect.

        The lock is released locally at once; the delete runs in a task of its
        own, awaited (shielded), so a cancelled release still deletes the node.
        """
        guard = self.guard
        was_held = guard.held
        guard.held = False
        prefix, node = self.prefix, self.node
        self.token = None
        guard.stop_listening()
        if not was_held:
            return False
        self._new_guid()
        guard.wake.set()
        if node is not None:
            await settle(spawn(delete_own_node(self.client, self.path, node, prefix),
                               f"zkrecipes-release-{self.path}"))
        return True
