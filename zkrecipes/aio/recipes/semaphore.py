"""A counting semaphore on asyncio (``zkrecipes.recipes.semaphore`` with ``await``).

kazoo's layout, shared with the threaded Semaphore: lease nodes are
non-sequential ephemeral children of ``path`` named by a per-object GUID, and
acquirers queue on an asyncio :class:`~zkrecipes.aio.recipes.lock.Lock` at
``path + "-__lock__"``; under that gate the pure
:func:`~zkrecipes.recipes._predicates.lease_decision` says HELD / TAKE / WAIT.
SUSPENDED, LOST (``on_lost``, plain or coroutine) and cancellation as for the
asyncio Lock: a cancelled or timed-out acquire deletes its lease node (and the
gate's contender node) before it raises.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._acquire import bounded
from zkrecipes.aio.recipes._guard import AsyncSessionGuard, wait_event
from zkrecipes.aio.recipes._nodes import delete_own_node, reap, settle, spawn
from zkrecipes.aio.recipes.lock import Lock
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import InvalidArgumentError, LockTimeout, NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_callable, check_count, check_identifier, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._nodes import belongs_to_session, current_session_id
from zkrecipes.recipes._predicates import LeaseVerdict, lease_decision
from zkrecipes.recipes._retrying import raise_unless_retryable
from zkrecipes.recipes._sequence import Restart

if TYPE_CHECKING:
    from zkrecipes.aio.client import AsyncZkClient

__all__ = ["Semaphore"]


class Semaphore:
    """At most ``max_leases`` holders at once: ``async with sem:`` / ``await sem.acquire(timeout=...)``."""

    def __init__(self, client: AsyncZkClient, path: str, identifier: str | None = None, max_leases: int = 1,
                 on_lost: Callable[[Semaphore], object] | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        self.max_leases = check_count(max_leases, "max_leases")
        self.identifier = check_identifier(identifier)
        self.data = (identifier or "").encode("utf-8")
        self.on_lost = check_callable(on_lost, "on_lost")
        self.lock_path = path + "-__lock__"
        self._guard = AsyncSessionGuard(client, self, on_lost, self._forget)
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
        return self._guard.suspended

    def cancel(self) -> None:
        """Make a pending acquire raise CancelledError, also while it queues at the gate lock."""
        self._guard.cancel()
        self._gate.cancel()

    async def _ensure_pool(self) -> None:
        if self._pool_ready:
            return
        try:
            await self.client.create(self.path, str(self.max_leases).encode(), makepath=True)
        except NodeExistsError:
            data, _stat = await self.client.get(self.path)
            try:
                stored: int | None = int((data or b"").decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                stored = None
            if stored is not None and stored != self.max_leases:
                raise InvalidArgumentError(
                    f"inconsistent max leases for {self.path}: stored {stored}, expected {self.max_leases}"
                ) from None
        self._pool_ready = True

    async def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take a lease; True once held (True at once if this object holds one).

        ``blocking=False`` returns False if none is free; with a ``timeout``
        raises :class:`LockTimeout`. On failure or cancellation no lease node of ours remains.
        """
        timeout = check_timeout(timeout)
        guard = self._guard
        guard.cancelled = False
        self._gate._guard.cancelled = False
        if guard.held:
            return True
        deadline = Deadline(timeout)
        guard.start_listening()
        try:
            gotten = await self._acquire_loop(blocking, deadline)
        except BaseException:
            guard.cancelled = False
            await self._give_up()
            raise
        if not gotten:
            await self._give_up()
        return gotten

    async def _give_up(self) -> None:
        task = reap(self.client, self.path, self.node_name)
        self._new_name()
        try:
            await settle(task)
        finally:
            self._guard.stop_listening()

    async def _acquire_loop(self, blocking: bool, deadline: Deadline) -> bool:
        guard = self._guard
        attempt = 0
        while True:
            epoch = guard.epoch
            try:
                await self._ensure_pool()
                if await self._attempt(blocking, deadline, epoch):
                    guard.mark_held(epoch)
                    return True
                return False
            except Restart:
                reap(self.client, self.path, self.node_name)
                self._new_name()
            except Exception as error:
                raise_unless_retryable(error, deadline, f"no lease on {self.path} in {deadline.timeout}s")
                await guard.backoff(deadline, attempt)
                attempt += 1

    async def _attempt(self, blocking: bool, deadline: Deadline, epoch: int) -> bool:
        gate, guard = self._gate, self._guard
        if not await gate.acquire(blocking=blocking, timeout=deadline.remaining()):
            return False
        what = f"acquire of {self.path}"
        try:
            while True:
                guard.begin_round(epoch, self.path)
                listing = self.client.get_children(self.path, watch=self._on_watch)
                children = await bounded(listing, deadline, what)
                verdict = lease_decision(children, self.node_name, self.max_leases)
                if verdict is LeaseVerdict.HELD:
                    if await self._owned(deadline):
                        return True
                    raise Restart
                if verdict is LeaseVerdict.TAKE:
                    try:
                        creating = self.client.create(self.create_path, self.data, ephemeral=True)
                        await bounded(creating, deadline, what)
                    except NodeExistsError:
                        if not await self._owned(deadline):
                            raise Restart from None
                    return True
                if not blocking:
                    return False
                if not await wait_event(guard.wake, deadline.remaining()):
                    raise LockTimeout(f"no lease on {self.path} in {deadline.timeout}s")
        finally:
            await gate.release()

    def _on_watch(self, event: object) -> None:
        self._guard.wake.set()

    async def _owned(self, deadline: Deadline) -> bool:
        stat = await bounded(self.client.exists(self.create_path), deadline, f"acquire of {self.path}")
        return belongs_to_session(stat, current_session_id(self.client))  # type: ignore[arg-type]

    def _forget(self) -> Callable[[], object]:
        name = self.node_name
        self._new_name()
        return lambda: reap(self.client, self.path, name)

    async def release(self) -> bool:
        """Give the lease back; True if one was held. The node is deleted now or on reconnect."""
        guard = self._guard
        was_held, guard.held = guard.held, False
        name = self.node_name
        guard.stop_listening()
        if not was_held:
            return False
        self._new_name()
        deleting = delete_own_node(self.client, self.path, name, name)
        await settle(spawn(deleting, f"zkrecipes-release-{self.path}"))
        return True

    async def lease_holders(self) -> list[str]:
        """Identifiers of the current lease holders (unordered)."""
        try:
            children = await self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return []
        holders: list[str] = []
        for name in children:
            try:
                data, _stat = await self.client.retry(self.client.get, join_path(self.path, name))
            except NoNodeError:
                continue
            holders.append(data.decode("utf-8", "replace"))
        return holders

    async def __aenter__(self) -> Semaphore:
        await self.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.release()
