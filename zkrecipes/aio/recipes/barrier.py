"""Barriers on asyncio: Barrier and DoubleBarrier (``zkrecipes.recipes.barrier`` with ``await``).

Same layout and rules as the threaded recipes, so threaded and asyncio members
share one barrier: a :class:`Barrier` is the persistent node ``path``; a
:class:`DoubleBarrier`'s members are ephemeral GUID-named children of ``path``
(holding the identifier), ``path/ready`` opens it, and leaving follows the pure
:func:`~zkrecipes.recipes.barrier.leave_step`.

* SUSPENDED: a waiter keeps waiting (its watch is restored on reconnect); it
  re-checks after every state change. LOST: an entering DoubleBarrier member
  creates its node again in the new session.
* **Cancellation**: a cancelled :meth:`Barrier.wait` leaves nothing (its state
  listener is removed). A cancelled or timed-out :meth:`DoubleBarrier.enter`
  deletes this member's node before it raises (in a task of its own, awaited
  shielded); a cancelled :meth:`DoubleBarrier.leave` has deleted nothing it
  should not: the member is then out, or still a member that may leave again.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._nodes import delete_own_node, settle, spawn
from zkrecipes.aio.recipes._waker import AsyncWaker
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
from zkrecipes.recipes._nodes import belongs_to_session
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.barrier import leave_step
from zkrecipes.states import EventType, WatchedEvent

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["Barrier", "DoubleBarrier"]


class Barrier:
    """Waiters wait while the node ``path`` exists; removing it releases them all."""

    def __init__(self, client: AsyncRecipeClient, path: str) -> None:
        self.client = client
        self.path = check_path(path)

    def __repr__(self) -> str:
        return f"Barrier({self.path!r})"

    async def create(self) -> None:
        """Put the barrier up (no-op if it is up)."""
        await self.client.retry(self.client.ensure_path, self.path)

    async def remove(self) -> bool:
        """Take the barrier down; True if it was up.

        A delete whose reply is lost is not re-run blindly: the node is read
        back and deleted again only while it is the node this call found (same
        czxid), never a barrier put up again by someone else meanwhile.
        """
        try:
            found = (await self.client.retry(self.client.get, self.path))[1]
        except NoNodeError:
            return False
        for _ in range(32):
            try:
                await self.client.delete(self.path)
                return True
            except NoNodeError:
                return False
            except RETRYABLE as error:
                if isinstance(error, ConnectionClosedError):
                    raise
            now = await self.client.retry(self.client.exists, self.path)
            if now is None or now.czxid != found.czxid:
                return True
        raise ConnectionLoss(f"removing barrier {self.path} kept failing (it is still up)")

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait until the barrier is down; True if it is, False if ``timeout`` passed first."""
        deadline = Deadline(check_timeout(timeout))
        async with AsyncWaker(self.client) as waker:
            while True:
                waker.clear()
                if await self.client.retry(self.client.exists, self.path, watch=waker.on_watch) is None:
                    return True
                if not await waker.wait(deadline):
                    return False


class DoubleBarrier:
    """Synchronise the start and the end of a task among ``num_clients`` members.

    ``await enter(timeout)`` waits until ``num_clients`` members have entered,
    ``await leave(timeout)`` until all have left; both return False on timeout
    (``enter`` first withdraws this member). ``async with barrier:`` is enter … leave.
    """

    def __init__(self, client: AsyncRecipeClient, path: str, num_clients: int,
                 identifier: str | None = None) -> None:
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

    async def _members(self) -> list[str]:
        return sorted(c for c in await self.client.retry(self.client.get_children, self.path) if c != "ready")

    async def _ensure_member(self) -> None:
        """Create our member node, or keep it if it exists in the current session."""
        try:
            await self.client.retry(self.client.create, self.create_path, self._identifier.encode(),
                                    ephemeral=True)
        except NodeExistsError:
            stat = await self.client.retry(self.client.exists, self.create_path)
            client_id = self.client.client_id
            if stat is not None and client_id is not None and not belongs_to_session(stat, client_id[0]):
                await self._delete_member()  # a previous session's node: replace it
                await self._ensure_member()

    async def _delete_member(self) -> None:
        try:
            await self.client.retry(self.client.delete, self.create_path)
        except NoNodeError:
            pass

    async def enter(self, timeout: float | None = None) -> bool:
        """Join; wait until ``num_clients`` members have joined. False (and withdrawn) on timeout."""
        deadline = Deadline(check_timeout(timeout))
        ready_seen = asyncio.Event()
        try:
            await self.client.retry(self.client.ensure_path, self.path)
            async with AsyncWaker(self.client) as waker:

                def on_ready(event: WatchedEvent) -> None:
                    # A member that saw "ready" created is through, even if a fast
                    # member has already deleted it again in leave().
                    if event.type == EventType.CREATED:
                        ready_seen.set()
                    waker.on_watch(event)

                while not ready_seen.is_set():
                    waker.clear()
                    await self._ensure_member()
                    ready = await self.client.retry(self.client.exists, self.ready_path, watch=on_ready)
                    if ready is not None:
                        break
                    if len(await self._members()) >= self.num_clients:
                        try:
                            await self.client.retry(self.client.create, self.ready_path)
                        except NodeExistsError:
                            pass
                        break
                    if not await waker.wait(deadline):
                        raise LockTimeout(f"double barrier {self.path}: not enough members in time")
        except BaseException as error:
            self.participating = False
            withdrawing = delete_own_node(self.client, self.path, self.node_name, self.node_name)
            await settle(spawn(withdrawing, f"zkrecipes-withdraw-{self.path}"))
            if isinstance(error, LockTimeout):
                return False
            raise
        self.participating = True
        return True

    async def _delete_ready(self) -> None:
        """Delete this round's "ready" node once, retrying connection losses safely.

        A delete whose reply was lost with the connection may have been applied,
        and by the time it is retried the next round may have created a new
        "ready" node, which a blind retry would delete. So each try looks first:
        gone means done (NoNode after a lost reply is success, as is another
        member's delete); a node with another ``czxid`` than the one first seen
        is the next round's and is left alone; the node first seen is deleted.
        (The threaded DoubleBarrier's rule.)
        """
        first_czxid: list[int] = []

        async def attempt() -> None:
            stat = await self.client.exists(self.ready_path)
            if stat is None:
                return
            if not first_czxid:
                first_czxid.append(stat.czxid)
            elif stat.czxid != first_czxid[0]:
                return  # the next round's node: ours is gone
            try:
                await self.client.delete(self.ready_path)
            except NoNodeError:
                pass

        await self.client.retry(attempt)

    async def leave(self, timeout: float | None = None) -> bool:
        """Leave; wait until every member has left. False if ``timeout`` passed first."""
        deadline = Deadline(check_timeout(timeout))
        await self._delete_ready()
        async with AsyncWaker(self.client) as waker:
            while True:
                waker.clear()
                step = leave_step(await self._members(), self.node_name)
                if step.delete_self:
                    await self._delete_member()
                if step.done or step.wait_for is None:
                    self.participating = False
                    return True
                target = join_path(self.path, step.wait_for)
                exists = await self.client.retry(self.client.exists, target, watch=waker.on_watch)
                if exists is not None and not await waker.wait(deadline):
                    return False

    async def __aenter__(self) -> DoubleBarrier:
        await self.enter()  # no timeout: True, or it raises
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.leave()
